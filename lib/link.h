/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink message builders for links, addresses and routes, added to a batch. */
#ifndef NSNET_LINK_H
#define NSNET_LINK_H
#include "nl.h"

/* A veth pair: `name` in the namespace behind ns_fd (-1: the socket's own), its
 * peer `peer` born directly in peer_fd's namespace (no move, no 16 ms RCU wait).
 * master: ifindex of a bridge in name's namespace, or 0. The ends are left down. */
struct veth_msg {
	const char *name;
	int ns_fd;
	const char *peer;
	int peer_fd;
	int peer_index;   /* ask for this ifindex for the peer (0: any) */
	unsigned mtu;
	int master;
};
int msg_veth_add(struct nl_batch *b, const struct veth_msg *v);

/* A bridge (down until set up). */
int msg_bridge_add(struct nl_batch *b, const char *name, unsigned mtu);

/* Change a link found by index (or, when index is 0, by name): admin up, and
 * optionally stop IPv6 link-local generation (no DAD/RS/MLD flood on a v4-only net). */
enum {
	LINK_UP = 1 << 0,
	LINK_NO_IPV6LL = 1 << 1,
	LINK_DOWN = 1 << 2,
};
int msg_link_set(struct nl_batch *b, int index, const char *name, unsigned flags);
/* IFLA_IFALIAS (the kernel ignores it when a link is created: a request of its own). */
int msg_link_alias(struct nl_batch *b, int index, const char *name, const char *alias);
int msg_link_del(struct nl_batch *b, int index, const char *name);
/* Put a link into a link group; delete every link of a group in one request.
 * Deleting links one by one costs an RCU grace period each (~16 ms); a group is
 * unregistered together, sharing one. */
int msg_link_group(struct nl_batch *b, const char *name, uint32_t group);
int msg_link_del_group(struct nl_batch *b, uint32_t group);

/* Address on a link; IPv6 addresses are added without DAD, usable at once. */
int msg_addr(struct nl_batch *b, bool add, int index, const struct nsnet_prefix *p, const char *ifname);

/* A route in the main table; via may be NULL, oif may be 0. */
int msg_route(struct nl_batch *b, bool add, const struct nsnet_prefix *dst, const struct nsnet_prefix *via, int oif);

/* Mark the last request so that this errno counts as success (e.g. EEXIST for a
 * default route the namespace already has). */
void nl_batch_tolerate(struct nl_batch *b, int err);

/* ifindex of a link by name in the socket's namespace: >0, or -ENODEV. */
int link_index(struct nl *nl, const char *name);

#endif
