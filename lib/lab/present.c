/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a recorded node is still whole in the kernel: what status reports and
 * what up replaces. */
#include "lab/lab.h"
#include "net/net.h"
#include "base/base.h"

/*
 * The one check of a recorded node against the kernel, for status and for up (which
 * replaces what fails it): interface f of node is there when the node is a member of
 * the network and both ends of its veth exist, the node's in the node and the host's
 * in the host (a veth pair goes as a whole, but an end can be moved elsewhere).
 * seen: what the kernel has (seen.c). o, if given, gets the member's ifname and ips.
 */
bool lab_iface_present(const char *node, json_t *f, struct lab_seen *seen, json_t *o)
{
	json_t *m = lab_seen_member(seen, jstr(f, "network"), node);
	if (m && o) {
		json_object_set(o, "ifname", json_object_get(m, "ifname"));
		json_object_set(o, "ips", json_object_get(m, "ips"));
	}
	const char *ifn = m ? jstr(m, "ifname") : NULL, *hif = m ? jstr(m, "host_ifname") : NULL;
	bool ok = ifn && *ifn && lab_seen_link(seen, node, ifn);
	if (ok && hif)
		ok = lab_seen_link(seen, NSNET_HOST, hif);
	json_decref(m);
	return ok;
}

bool lab_node_present(const char *name, json_t *spec, struct lab_seen *seen)
{
	if (!lab_seen_ns(seen, name))
		return false;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(spec, "ifaces"), i, f) if (!lab_iface_present(name, f, seen, NULL)) return false;
	return true;
}
