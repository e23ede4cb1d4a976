/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keeping the kernel's neighbour tables within bounds. ARP and NDP entries of every
 * namespace count against one machine-wide limit (net.ipv4.neigh.default.gc_thresh3,
 * 1024 by default, settable only in the initial namespace); entries younger than
 * five seconds cannot be reclaimed, so N nodes pinging each other on one bridge
 * (N*(N-1) entries) overflow it at about 30 nodes. pingall therefore runs in waves
 * and, between waves, deletes the entries that the wave created, leaving every
 * entry that existed before untouched.
 */
#ifndef NSNET_NEIGH_GUARD_H
#define NSNET_NEIGH_GUARD_H
#include "rtnl/rtnl.h"

struct neigh_guard;
/* Open a socket in each namespace (kept until free), remember its current entries
 * and read the addresses of its Ethernet links. */
int neigh_guard_open(const char *const *ns, size_t n, struct neigh_guard **ret, struct nsnet_error *e);
/* An address of an Ethernet link of a guarded namespace (addr.len: its prefix). */
struct neigh_addr {
	int ifindex;
	uint8_t mac[6];
	struct nsnet_prefix addr;
};
/* The addresses of namespace i (its index in neigh_guard_open's list). */
size_t neigh_guard_addrs(const struct neigh_guard *g, size_t i, const struct neigh_addr **ret);
/* One neighbour entry in namespace slot: addr on ifindex is at mac. */
struct neigh_key {
	size_t slot;
	int ifindex;
	struct nsnet_prefix addr;
	uint8_t mac[6];
};
/* Add these entries as permanent (exempt from the machine-wide limit; an entry the
 * snapshot had is left alone): one batch per namespace, namespaces in parallel. */
int neigh_guard_put(struct neigh_guard *g, const struct neigh_key *k, size_t n, struct nsnet_error *e);
/* Delete these entries (permanent or learnt) unless the snapshot had them. */
void neigh_guard_drop(struct neigh_guard *g, const struct neigh_key *k, size_t n);
/* Delete the entries created since the snapshot, in every namespace (a dump each). */
void neigh_guard_restore(struct neigh_guard *g);
void neigh_guard_free(struct neigh_guard *g);
/* How many new entries one wave may create: half of the machine's limit. */
size_t neigh_budget(void);

/* ---- route.c ---- */
/* 1 when r's namespace has a route in table main to r's destination (through its
 * gateway and device, where r names them), 0 when not. */
int route_present(const struct nsnet_route_spec *r, struct nsnet_error *e);

/* ---- host.c: the host's links by name ---- */
/* Sorted names of the host namespace's links, for existence checks in O(log N). */
struct name_set {
	char (*names)[16];
	size_t n, cap;
};
int host_link_names(struct nl *nl, struct name_set *ret, struct nsnet_error *e);
/* The link names of the calling thread's network namespace, sorted, from
 * /proc/thread-self/net/dev: no socket needed (a thread that has just entered a
 * namespace reads it). -errno when it cannot be read. */
int link_names_here(struct name_set *ret);
bool name_set_has(const struct name_set *s, const char *name);
/* Add a name (unsorted: for name_set_has, call name_set_sort first). */
int name_set_add(struct name_set *s, const char *name);
void name_set_sort(struct name_set *s);
void name_set_free(struct name_set *s);
/* Wait up to max_ms for the links named in *names to disappear from nl's namespace;
 * *names keeps those still there. Returns how many are left. */
int wait_links_gone(struct nl *nl, struct name_set *names, int max_ms);
/* Link group used only for the instant of a grouped delete (see host.c). */
#define NSNET_DELETE_GROUP 0x6e736e64u
/* Delete the host ends of members (their peers go with them). */
int host_links_delete(struct nl *host, const char *const *ifnames, size_t n, struct nsnet_error *e);
/* Turn IPv6 off on a link of this thread's namespace (net.ipv6.conf.IF.disable_ipv6),
 * before it goes up; see why in host.c. Best effort: false when it could not. */
bool host_link_ipv6_off(const char *ifname);

/* ---- vxlan.c: a network's VXLAN port ---- */
/* Create the port (m->master: the bridge), IPv6 link-local off when asked, one
 * all-zeros forwarding entry per peer, then up. */
int vxlan_create(struct nl *host, const struct vxlan_msg *m, bool no_ipv6ll, const struct nsnet_prefix *peers,
		 size_t n, struct nsnet_error *e);
/* Remove the entries towards del and add those towards add (nothing else changes). */
int vxlan_fdb_change(struct nl *host, const char *ifname, const struct nsnet_prefix *add, size_t n_add,
		     const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e);
/* The peers the kernel has for link index: the remotes of its all-zeros entries
 * (*ret malloc'd). */
int vxlan_fdb_peers(struct nl *host, int index, struct nsnet_prefix **ret, size_t *ret_n, struct nsnet_error *e);
/* The ifindex of the host's link that holds address a, -EADDRNOTAVAIL when none. */
int host_addr_link(struct nl *host, const struct nsnet_prefix *a, struct nsnet_error *e);

/* ---- qdisc_tbf.c: a link end's rate (the root qdisc of one interface) ---- */
/* A TBF of rate_bps bit/s on ifname in nl's namespace (ns names it in errors), in
 * place of its root qdisc; rate_bps 0 removes nsnet's qdisc. The link is untouched. */
int link_rate_set(struct nl *nl, const char *ns, const char *ifname, uint64_t rate_bps, struct nsnet_error *e);
/* The rate of nsnet's TBF on ifname, 0 when there is none. */
int link_rate_get(struct nl *nl, const char *ifname, uint64_t *ret, struct nsnet_error *e);
/* nsnet's TBF rates of every interface of nl's namespace (*ret malloc'd). */
struct link_rate {
	int index;
	uint64_t rate;
};
int link_rates(struct nl *nl, struct link_rate **ret, size_t *ret_n, struct nsnet_error *e);
/* Does the kernel have the qdisc kind ("netem")? 1 yes, 0 no, <0 could not ask. */
int link_qdisc_available(const char *kind);

#endif
