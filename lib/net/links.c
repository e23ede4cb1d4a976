/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network's record against the kernel: members whose links are gone, attaches that died. */
#include <signal.h>
#include <linux/if_link.h>
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

int net_reconcile(json_t *net, struct nl *host, bool *changed, struct nsnet_error *e)
{
	struct name_set links;
	int r = host_link_names(host, &links, e);
	if (r < 0)
		return r;
	json_t *members = json_object_get(net, "members");
	struct name_set undo = { 0 };
	for (size_t i = json_array_size(members); i-- > 0;) {
		json_t *m = json_array_get(members, i);
		const char *state = json_string_value(json_object_get(m, "state"));
		const char *host_if = json_string_value(json_object_get(m, "host_ifname"));
		bool exists = host_if && name_set_has(&links, host_if);
		if (state && streq(state, "pending")) {
			pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
			if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
				continue;  /* its attach is still running */
			/* Its attach died: the veth it may have made may lack its address, its
			 * route or even its name inside; undo it rather than guess (the pending
			 * record is the attach's journal). */
			if (exists && nsnet_ifname_check(host_if, NULL) == 0 && name_set_add(&undo, host_if) < 0) {
				name_set_free(&undo);
				name_set_free(&links);
				return nsnet_err(e, ENOMEM, "reconcile");
			}
			json_array_remove(members, i);
			*changed = true;
		} else if (!exists) {
			/* Its namespace is gone: so are its published ports. */
			char ns[256];
			snprintf(ns, sizeof(ns), "%s", json_string_value(json_object_get(m, "ns")));
			json_array_remove(members, i);
			fw_member_removed(net, ns, NULL);
			*changed = true;
		}
	}
	name_set_free(&links);
	r = 0;
	if (undo.n) {
		_cleanup_free_ const char **ifs = calloc(undo.n, sizeof(*ifs));
		for (size_t i = 0; ifs && i < undo.n; i++)
			ifs[i] = undo.names[i];
		r = ifs ? host_links_delete(host, ifs, undo.n, e) : nsnet_err(e, ENOMEM, "reconcile");
	}
	name_set_free(&undo);
	return r;
}
