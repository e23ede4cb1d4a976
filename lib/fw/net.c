/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks in the firewall: the hooks lib/net/net.c calls when a network comes and
 * goes (policy.c changes NAT and allows of a network that stays).
 */
#include "fw/fw.h"
#include "state/state.h"
#include "base/base.h"

int fw_net_added(json_t *net, struct nsnet_error *e)
{
	const char *name = jstr0(net, "name");
	json_t *st = NULL;
	int r = fw_ifname_ok(jstr0(net, "bridge"), e);
	if (r < 0 || (r = fw_foreign_check(net, fw_net_traffic(net), e)) < 0 || (r = fw_state_load(&st, e)) < 0)
		return r;
	struct nft_cmds c;
	if ((r = fw_forwarding_sync(st, NULL, e)) < 0 || (r = nft_cmds_open(&c, e)) < 0)
		goto fail;
	if (fw_table_exists()) {
		fw_elems_net(&c, "add", net);
		if (json_is_true(json_object_get(net, "nat")))
			fw_elems_nat(&c, "add", net);
		r = fw_commit(&c, e);
	} else {
		/* The first network: the table comes with it, from state (which has it). */
		if ((r = fw_ruleset_full(&c, e)) == 0)
			r = fw_commit(&c, e);
	}
	nft_cmds_free(&c);
	if (r == 0 && (r = fw_state_save(st, e)) == 0) {
		json_decref(st);
		return 0;
	}
fail:
	fw_forwarding_sync(st, name, NULL);
	fw_state_save(st, NULL);
	json_decref(st);
	return nsnet_err_wrap(e, "firewall");
}

/* Drop `name` from the allow list of every other network. */
void fw_forget_allows(const char *name, struct nft_cmds *c, const char *bridge)
{
	char **names;
	size_t n;
	if (state_net_names(&names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *o;
		if (streq(names[i], name) || state_net_load(names[i], &o, NULL) < 0)
			continue;
		json_t *allow = json_object_get(o, "allow");
		for (size_t j = json_array_size(allow); j-- > 0;) {
			if (!streq(json_string_value(json_array_get(allow, j)) ?: "", name))
				continue;
			json_array_remove(allow, j);
			if (json_array_size(allow) == 0)
				json_object_del(o, "allow");
			if (c)
				fw_elems_pair(c, "delete", bridge, jstr0(o, "bridge"));
			state_net_save(o, NULL);
			break;
		}
		json_decref(o);
	}
	nsnet_strv_free(names, n);
}

int fw_net_removed(json_t *net, struct nsnet_error *e)
{
	const char *name = jstr0(net, "name");
	char **names;
	size_t n;
	json_t *st = NULL;
	int r = fw_state_load(&st, e);
	if (r < 0 || (r = state_net_names(&names, &n, e)) < 0)
		goto out_st;
	nsnet_strv_free(names, n);
	struct nft_cmds c;
	if ((r = nft_cmds_open(&c, e)) < 0)
		goto out_st;
	if (n == 0) {
		/* The last network: the table goes, leaving the ruleset as it was. */
		publish_drop_net(name, st, NULL, NULL);
		fw_forget_allows(name, NULL, NULL);
		r = fw_ruleset_full(&c, e);
	} else {
		publish_drop_net(name, st, &c, NULL);
		fw_forget_allows(name, &c, jstr0(net, "bridge"));
		if (json_is_true(json_object_get(net, "nat")))
			fw_elems_nat(&c, "delete", net);
		fw_elems_net(&c, "delete", net);
	}
	if (r == 0)
		r = fw_commit(&c, e);
	nft_cmds_free(&c);
	int r2 = fw_forwarding_sync(st, name, r < 0 ? NULL : e);
	r = r < 0 ? r : r2;
	r2 = fw_state_save(st, r < 0 ? NULL : e);
	r = r < 0 ? r : r2;
out_st:
	json_decref(st);
	if (r < 0)
		nsnet_err_wrap(e, "firewall (run `nsnet fw restore` once the cause is fixed)");
	return r;
}
