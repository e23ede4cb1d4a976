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
 * host_links: the host's interface names, or NULL to ask the kernel. o, if given,
 * gets the member's ifname and ips.
 */
bool lab_iface_present(const char *node, json_t *f, const struct name_set *host_links, json_t *o)
{
	json_t *net = NULL;
	if (state_net_load(jstr(f, "network"), &net, NULL) < 0)
		return false;
	json_t *m = net_member(net, node, NULL);
	if (m && o) {
		json_object_set(o, "ifname", json_object_get(m, "ifname"));
		json_object_set(o, "ips", json_object_get(m, "ips"));
	}
	const char *ifn = m ? jstr(m, "ifname") : NULL, *hif = m ? jstr(m, "host_ifname") : NULL;
	bool ok = ifn && *ifn && nsnet_link_index(node, ifn, NULL) > 0;
	if (ok && hif)
		ok = host_links ? name_set_has(host_links, hif) : nsnet_link_index(NSNET_HOST, hif, NULL) > 0;
	json_decref(net);
	return ok;
}

bool lab_node_present(const char *name, json_t *spec, const struct name_set *host_links)
{
	if (!nsnet_ns_exists(name))
		return false;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(spec, "ifaces"), i, f) if (!lab_iface_present(name, f, host_links, NULL)) return false;
	return true;
}
