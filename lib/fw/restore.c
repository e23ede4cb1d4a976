/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `nsnet fw restore`: after a firewall reload (`nft flush ruleset`, firewalld,
 * a reboot of the rules but not of /run), rebuild nsnet's table from state in one
 * transaction, and put back the host settings it needs. `nsnet fw status`: what
 * is there, whether the kernel still has it, and what foreign rules get in the way.
 */
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

/* route_localnet and hairpin for every network and namespace with a publish. */
static int host_settings(json_t *st, struct nsnet_error *e)
{
	const char *netname;
	json_t *per;
	int r = 0;
	json_object_foreach(json_object_get(st, "published"), netname, per) {
		json_t *net;
		if (state_net_load(netname, &net, NULL) < 0)
			continue;
		if (r == 0)
			r = fw_localnet_set(jstr0(net, "bridge"), true, e);
		const char *ns;
		json_t *cnt;
		json_object_foreach(per, ns, cnt) {
			json_t *m = net_member(net, ns, NULL);
			if (m && r == 0)
				r = fw_hairpin_set(jstr0(m, "host_ifname"), true, e);
		}
		json_decref(net);
	}
	return r;
}

int fw_restore_locked(json_t **ret, struct nsnet_error *e)
{
	json_t *st = NULL;
	struct nft_cmds c;
	/* A publish whose namespace left its network points at an address that may be
	 * someone else's by now: it is not restored but removed. */
	int r = publish_drop_stale(e);
	if (r < 0 || (r = fw_state_load(&st, e)) < 0)
		goto out;
	if ((r = nft_cmds_open(&c, e)) < 0)
		goto out;
	if ((r = fw_ruleset_full(&c, e)) == 0 && (r = nft_cmds_finish(&c, e)) == 0)
		r = nft_run(c.buf, e);
	nft_cmds_free(&c);
	if (r < 0 || (r = fw_forwarding_sync(st, NULL, e)) < 0 || (r = host_settings(st, e)) < 0 ||
	    (r = fw_state_save(st, e)) < 0)
		goto out;
	if (ret) {
		json_t *problems;
		if (fw_foreign_report(&problems, NULL) < 0)
			problems = json_array();
		*ret = problems;
	}
out:
	if (r < 0)
		nsnet_err_wrap(e, "restore nsnet's firewall");
	json_decref(st);
	return r;
}

int nsnet_fw_restore(json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = fw_lock(&lock, e);
	return r < 0 ? r : fw_restore_locked(ret, e);
}

/* A forwarding sysctl's text as JSON: true, false, or null when it could not be read
 * (no IPv6). */
static json_t *sysctl_bool(const char *v)
{
	return !v || !*v || streq(v, "?") ? json_null() : json_boolean(!streq(v, "0"));
}

int nsnet_fw_status(json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_t *st = NULL, *pubs = NULL;
	char **names = NULL;
	size_t n = 0;
	int r = fw_lock(&lock, e);
	if (r < 0 || (r = fw_state_load(&st, e)) < 0)
		return r;
	if ((r = state_net_names(&names, &n, e)) < 0 || (r = publish_load_all(&pubs, e)) < 0)
		goto out;
	long nat = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) == 0) {
			nat += json_is_true(json_object_get(net, "nat"));
			json_decref(net);
		}
	}
	bool present = fw_table_exists();
	/* In sync: the kernel holds exactly the elements state says, one by one. */
	json_t *diff;
	if ((r = fw_diff(&diff, e)) < 0)
		goto out;
	bool in_sync = json_is_true(json_object_get(diff, "in_sync"));
	char fwd4[16] = "?", fwd6[16] = "?";
	nsnet_sysctl_get(NSNET_HOST, "net/ipv4/ip_forward", fwd4, sizeof(fwd4), NULL);
	nsnet_sysctl_get(NSNET_HOST, "net/ipv6/conf/all/forwarding", fwd6, sizeof(fwd6), NULL);
	json_t *problems;
	if (fw_foreign_report(&problems, NULL) < 0)
		problems = json_array();
	json_t *o = json_pack("{s:s, s:b, s:b, s:i, s:i, s:i, s:o, s:o, s:o}", "table", FW_FAMILY " " FW_TABLE, "present",
			      present, "in_sync", in_sync, "networks", (json_int_t)n, "nat_networks", (json_int_t)nat,
			      "published", (json_int_t)json_array_size(pubs), "ip_forward", sysctl_bool(fwd4),
			      "ipv6_forwarding", sysctl_bool(fwd6), "foreign", problems);
	json_object_set(o, "missing", json_object_get(diff, "missing"));
	json_object_set(o, "extra", json_object_get(diff, "extra"));
	json_decref(diff);
	if (json_object_get(st, "ip_forward_was"))
		json_object_set_new(o, "ip_forward_before_nsnet", sysctl_bool(jstr(st, "ip_forward_was")));
	if (json_object_get(st, "ipv6_forwarding_was"))
		json_object_set_new(o, "ipv6_forwarding_before_nsnet", sysctl_bool(jstr(st, "ipv6_forwarding_was")));
	*ret = o;
out:
	nsnet_strv_free(names, n);
	json_decref(pubs);
	json_decref(st);
	return r;
}
