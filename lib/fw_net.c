/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks in the firewall: the hooks lib/net.c calls when a network comes and
 * goes, NAT on and off, and the exceptions to isolation between two networks.
 */
#include "fw.h"
#include "net.h"
#include "state.h"
#include "util.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* br_netfilter makes bridged IPv4 traffic cross the forward hook: only then can a
 * foreign forward rule drop traffic between two namespaces of one network. */
static bool br_netfilter_on(void)
{
	char v[16];
	return nsnet_sysctl_get(NSNET_HOST, "net/bridge/bridge-nf-call-iptables", v, sizeof(v), NULL) == 0 &&
	       streq(v, "1");
}

unsigned fw_net_traffic(json_t *net)
{
	return (br_netfilter_on() ? FW_PKT_BRIDGED : 0) |
	       (json_is_true(json_object_get(net, "nat")) ? FW_PKT_OUT | FW_PKT_REPLY : 0);
}

int fw_net_added(json_t *net, struct nsnet_error *e)
{
	const char *name = str(net, "name");
	json_t *st = NULL;
	int r = fw_ifname_ok(str(net, "bridge"), e);
	if (r < 0 || (r = fw_foreign_check(net, fw_net_traffic(net), e)) < 0 || (r = fw_state_load(&st, e)) < 0)
		return r;
	struct fw_cmds c;
	if ((r = fw_forwarding_sync(st, NULL, e)) < 0 || (r = fw_cmds_open(&c, e)) < 0)
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
	fw_cmds_free(&c);
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
void fw_forget_allows(const char *name, struct fw_cmds *c, const char *bridge)
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
				fw_elems_pair(c, "delete", bridge, str(o, "bridge"));
			state_net_save(o, NULL);
			break;
		}
		json_decref(o);
	}
	nsnet_strv_free(names, n);
}

int fw_net_removed(json_t *net, struct nsnet_error *e)
{
	const char *name = str(net, "name");
	char **names;
	size_t n;
	json_t *st = NULL;
	int r = fw_state_load(&st, e);
	if (r < 0 || (r = state_net_names(&names, &n, e)) < 0)
		goto out_st;
	nsnet_strv_free(names, n);
	struct fw_cmds c;
	if ((r = fw_cmds_open(&c, e)) < 0)
		goto out_st;
	if (n == 0) {
		/* The last network: the table goes, leaving the ruleset as it was. */
		publish_drop_net(name, st, NULL, NULL);
		fw_forget_allows(name, NULL, NULL);
		r = fw_ruleset_full(&c, e);
	} else {
		publish_drop_net(name, st, &c, NULL);
		fw_forget_allows(name, &c, str(net, "bridge"));
		if (json_is_true(json_object_get(net, "nat")))
			fw_elems_nat(&c, "delete", net);
		fw_elems_net(&c, "delete", net);
	}
	if (r == 0)
		r = fw_commit(&c, e);
	fw_cmds_free(&c);
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

int nsnet_net_set_nat(const char *name, bool on, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_t *net, *st = NULL;
	int r = nsnet_net_name_check(name, e);
	if (r < 0 || (r = nsnet_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	if (json_is_true(json_object_get(net, "nat")) == on)
		goto out;  /* already so */
	if (on && (r = fw_foreign_check(net, FW_PKT_OUT | FW_PKT_REPLY, e)) < 0)
		goto out;
	if ((r = fw_state_load(&st, e)) < 0)
		goto out;
	json_object_set_new(net, "nat", json_boolean(on));
	if ((r = state_net_save(net, e)) < 0)
		goto out;
	struct fw_cmds c;
	if ((on && (r = fw_forwarding_sync(st, NULL, e)) < 0) || (r = fw_cmds_open(&c, e)) < 0)
		goto undo;
	fw_elems_nat(&c, on ? "add" : "delete", net);
	r = fw_commit(&c, e);
	fw_cmds_free(&c);
	if (r < 0)
		goto undo;
	if (!on)
		r = fw_forwarding_sync(st, NULL, e);
	if (r == 0)
		r = fw_state_save(st, e);
	goto out;
undo:
	json_object_set_new(net, "nat", json_boolean(!on));
	state_net_save(net, NULL);
	fw_forwarding_sync(st, NULL, NULL);
	fw_state_save(st, NULL);
out:
	if (r < 0)
		nsnet_err_wrap(e, "turn NAT %s for network '%s'", on ? "on" : "off", name);
	json_decref(st);
	json_decref(net);
	return r;
}

static bool allows(json_t *net, const char *other)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(net, "allow"), i, v) {
		if (streq(json_string_value(v) ?: "", other))
			return true;
	}
	return false;
}

static void set_allow(json_t *net, const char *other, bool allow)
{
	json_t *arr = json_object_get(net, "allow");
	if (allow) {
		if (!arr)
			json_object_set_new(net, "allow", arr = json_array());
		json_array_append_new(arr, json_string(other));
		return;
	}
	for (size_t i = json_array_size(arr); i-- > 0;)
		if (streq(json_string_value(json_array_get(arr, i)) ?: "", other))
			json_array_remove(arr, i);
	if (arr && json_array_size(arr) == 0)
		json_object_del(net, "allow");
}

int nsnet_net_allow(const char *a, const char *b, bool allow, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_t *na = NULL, *nb = NULL;
	int r = nsnet_net_name_check(a, e);
	if (r < 0 || (r = nsnet_net_name_check(b, e)) < 0)
		return r;
	if (streq(a, b))
		return nsnet_errx(e, EINVAL, "a network always reaches itself; name another network");
	if ((r = nsnet_lock(&lock, e)) < 0 || (r = state_net_load(a, &na, e)) < 0 || (r = state_net_load(b, &nb, e)) < 0)
		goto out;
	if (allows(na, b) == allow && allows(nb, a) == allow)
		goto out;  /* already so */
	set_allow(na, b, false);
	set_allow(nb, a, false);
	if (allow) {
		set_allow(na, b, true);
		set_allow(nb, a, true);
	}
	struct fw_cmds c;
	if ((r = state_net_save(na, e)) < 0 || (r = state_net_save(nb, e)) < 0 || (r = fw_cmds_open(&c, e)) < 0)
		goto undo;
	fw_elems_pair(&c, allow ? "add" : "delete", str(na, "bridge"), str(nb, "bridge"));
	r = fw_commit(&c, e);
	fw_cmds_free(&c);
	if (r == 0)
		goto out;
undo:
	set_allow(na, b, !allow);
	set_allow(nb, a, !allow);
	state_net_save(na, NULL);
	state_net_save(nb, NULL);
out:
	if (r < 0)
		nsnet_err_wrap(e, "%s traffic between networks '%s' and '%s'", allow ? "allow" : "deny", a, b);
	json_decref(na);
	json_decref(nb);
	return r;
}
