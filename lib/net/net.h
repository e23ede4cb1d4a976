/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks' shared internals. A network's state (/run/nsnet/networks/NET.json):
 *   { "name", "bridge", "mtu", "nat",
 *     "subnets": [ { "cidr": "192.168.15.0/24", "gateway": "192.168.15.5", "next": 7 } ],
 *     "members": [ { "ns", "ifname", "host_ifname", "ips": ["192.168.15.6/24"],
 *                    "state": "up" | "pending", "pid": 1234 } ] }
 * A member is written "pending" (with the attaching pid) before the kernel is
 * touched, so an attach killed half-way never leaves an address the pool forgets.
 */
#ifndef NSNET_NET_INTERNAL_H
#define NSNET_NET_INTERNAL_H
#include <jansson.h>
#include "base/base.h"
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"

/* Bring state in line with the kernel: drop members whose host-side veth is gone
 * (their namespace was deleted), and undo pending members of dead attaches (their
 * veth, if made, is deleted: it may be half-configured). Sets *changed. */
int net_reconcile(json_t *net, struct nl *host, bool *changed, struct nsnet_error *e);
/* A network's bridge carries the alias "nsnet:net:NAME" (ip link shows it). */
#define NSNET_BRIDGE_ALIAS "nsnet:net:"
/* A copy of the state with each subnet's pool counts (used, free), as net show gives it. */
json_t *net_describe(json_t *net);

/* Attaching, with the state lock held (the lab engine holds it across many steps). */
struct attach_req {
	const char *ns;
	const char *ifname;             /* NULL: eth0, or the next free ethN */
	struct nsnet_prefix ip[2];      /* static addresses, at most one per family */
	size_t n_ip;
	bool default_route;             /* via the gateway, unless the namespace has one */
	const uint8_t *mac;             /* the namespace end's MAC (6 bytes), or NULL */
	json_t *extra;                  /* keys added to the member's record (CNI's "cni"), or NULL */
};
/* Attach every request or none; net is updated and saved. */
int net_attach_locked(json_t *net, const struct attach_req *req, size_t n, struct nsnet_error *e);
int net_detach_locked(json_t *net, const char *const *ns, size_t n, struct nsnet_error *e);
/* readdress.c: a member's static addresses replaced by ips (checked like attach's). */
int net_member_readdress_locked(const char *name, const char *ns, const struct nsnet_prefix *ips, size_t n,
				struct nsnet_error *e);
/* The MTU of the bridge and of every member's veth (both ends); 0: the default. */
int net_set_mtu_locked(const char *name, unsigned mtu, struct nsnet_error *e);
/* Create (lab: the owning lab's name, or NULL) / remove a network, lock held. */
int net_create_locked(const struct nsnet_net_spec *s, const char *lab, struct nsnet_error *e);
int net_rm_locked(const char *name, bool force, struct nsnet_error *e);
/* The same; dying (an object keyed by namespace name, or NULL): members in those
 * namespaces, which are about to be deleted, keep their veths, which go with them. */
int net_rm_locked_ex(const char *name, bool force, json_t *dying, struct nsnet_error *e);

/* binding.c: a namespace nsnet did not make (path) named NAME, recorded first; and
 * the sweep that removes every binding no member of any network uses any more. */
int net_bind(const char *path, const char *name, struct nsnet_error *e);
int net_bindings_sweep(struct nsnet_error *e);

/* hosts.c: names. Once a command has made its last change to networks' members or
 * addresses (lock held), every nsnet-written /etc/netns/NS/hosts is made to match
 * the networks' records: one call per command (each public entry point that
 * changes members: attach, detach, rm, set names, lab up and down, gc, CNI ADD,
 * DEL and GC), never per step. Never fails the command: what could not be done
 * goes to warnings (an array of one-line strings; NULL: dropped). */
void net_hosts_sync(json_t *warnings);
/* Names on for this network: its "names" key, else at most NSNET_NAMES_AUTO_MAX members. */
bool net_names_on(json_t *net);
int net_set_names_locked(const char *name, enum nsnet_names names, struct nsnet_error *e);
/* The files' contents, from network records alone (alive: does a namespace exist),
 * so that they can be checked without a kernel. want: { ns: [block index...] },
 * the namespaces that get a file, with the networks they are on. */
struct hosts_block {
	const char *name;   /* the network's */
	char *text;         /* its lines: gateway, then members */
	size_t len;
	json_t *at;         /* { ns: [start, end] }: each member's own lines in text */
};
struct hosts_plan {
	struct hosts_block *v;
	size_t n;
	json_t *want;
};
int hosts_plan_make(json_t *nets, bool (*alive)(const char *ns), struct hosts_plan *p);
/* ns's file (NULL: out of memory); made_dir: say that nsnet made its directory. */
char *hosts_plan_text(const struct hosts_plan *p, const char *ns, bool made_dir, size_t *ret_len);
void hosts_plan_free(struct hosts_plan *p);

/* vxlan.c: a network that spans hosts. The port's default name: "vx-NET" when
 * that is a valid interface name, else "nsvx-" + 8 hex digits of FNV-1a(NET). */
void net_vxlan_ifname(const char *net, char buf[16]);
/* The spec's VXLAN settings alone (no kernel): VNI, peers, the range it needs. */
int net_vxlan_spec_check(const struct nsnet_net_spec *s, struct nsnet_error *e);
struct vxlan_plan {
	char ifname[16];
	uint16_t port;
	int link;               /* the underlay interface's ifindex, 0: none named */
	unsigned underlay_mtu;
	unsigned default_mtu;   /* underlay_mtu less the encapsulation */
	unsigned mtu;           /* the network's: the spec's, else default_mtu */
};
/* Against this host: the VNI free, the underlay interface and local address
 * present, no peer of ours, the MTU fits the underlay. */
int net_vxlan_plan(struct nl *host, const struct nsnet_net_spec *s, struct vxlan_plan *ret, struct nsnet_error *e);
json_t *net_vxlan_record(const struct nsnet_net_spec *s, const struct vxlan_plan *p);
/* The port, a port of bridge (ifindex), with its forwarding entries, up. */
int net_vxlan_make(struct nl *host, const struct nsnet_net_spec *s, const struct vxlan_plan *p, int bridge,
		   bool no_ipv6ll, struct nsnet_error *e);
/* Change the peers (lock held): the forwarding entries, then the record. */
int net_vxlan_peers_locked(const char *name, const struct nsnet_prefix *add, size_t n_add,
			   const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e);

#endif
