/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network's policy in the firewall: NAT on and off, and the exceptions to
 * isolation between two networks. The nsnet_* entry points take fw_lock; the
 * _locked ones are for callers that hold it (a lab's up). */
#include "fw/fw.h"
#include "state/state.h"
#include "base/base.h"

int fw_net_set_nat_locked(const char *name, bool on, struct nsnet_error *e)
{
	json_t *net, *st = NULL;
	int r = state_net_load(name, &net, e);
	if (r < 0)
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
	struct nft_cmds c;
	if ((on && (r = fw_forwarding_sync(st, NULL, e)) < 0) || (r = nft_cmds_open(&c, e)) < 0)
		goto undo;
	fw_elems_nat(&c, on ? "add" : "delete", net);
	r = fw_commit(&c, e);
	nft_cmds_free(&c);
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

int nsnet_net_set_nat(const char *name, bool on, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = net_name_check(name, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0)
		return r;
	return fw_net_set_nat_locked(name, on, e);
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

int fw_net_allow_locked(const char *a, const char *b, bool allow, struct nsnet_error *e)
{
	json_t *na = NULL, *nb = NULL;
	int r;
	if ((r = state_net_load(a, &na, e)) < 0 || (r = state_net_load(b, &nb, e)) < 0)
		goto out;
	if (allows(na, b) == allow && allows(nb, a) == allow)
		goto out;  /* already so */
	set_allow(na, b, false);
	set_allow(nb, a, false);
	if (allow) {
		set_allow(na, b, true);
		set_allow(nb, a, true);
	}
	struct nft_cmds c;
	if ((r = state_net_save(na, e)) < 0 || (r = state_net_save(nb, e)) < 0 || (r = nft_cmds_open(&c, e)) < 0)
		goto undo;
	fw_elems_pair(&c, allow ? "add" : "delete", jstr0(na, "bridge"), jstr0(nb, "bridge"));
	r = fw_commit(&c, e);
	nft_cmds_free(&c);
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

int nsnet_net_allow(const char *a, const char *b, bool allow, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = net_name_check(a, e);
	if (r < 0 || (r = net_name_check(b, e)) < 0)
		return r;
	if (streq(a, b))
		return nsnet_errx(e, EINVAL, "a network always reaches itself; name another network");
	if ((r = fw_lock(&lock, e)) < 0)
		return r;
	return fw_net_allow_locked(a, b, allow, e);
}
