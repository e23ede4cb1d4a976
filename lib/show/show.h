/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of nsnet_show(): one namespace is read through rtnetlink dumps into a
 * jansson model (keys documented in docs/show-json.md). The parsers take single
 * netlink messages so unit tests can feed them messages built in memory.
 */
#ifndef NSNET_SHOW_H
#define NSNET_SHOW_H

#include <net/if.h>
#include <jansson.h>
#include "rtnl/rtnl.h"

/* One interface while its namespace is being read; obj is owned until the
 * interfaces are handed to the model in index order. */
struct show_link {
	int index;
	char name[IF_NAMESIZE];
	json_t *obj;
	int master;      /* IFLA_MASTER ifindex, 0: none */
	int link;        /* IFLA_LINK: a veth's peer ifindex, 0: none */
	int link_nsid;   /* IFLA_LINK_NETNSID, -1: absent (peer in the same namespace) */
	bool veth;
};

struct show_links {
	struct show_link *v;
	size_t n, cap;
};

void show_links_clear(struct show_links *l);
/* Sort by ifindex, so show_links_find() can bisect. */
void show_links_sort(struct show_links *l);
const struct show_link *show_links_find(const struct show_links *l, int index);
/* The name of ifindex, or NULL when it is not (or no longer) there. */
const char *show_links_name(const struct show_links *l, int index);

/* impair.c: [{dev, rate, loss}] of the interfaces nsnet impairs (nsfd: the
 * namespace, NS_SELF for the caller's), appended to arr. */
int show_impairs_dump(struct nl *nl, int nsfd, const struct show_links *l, json_t *arr, struct nsnet_error *e);

/* Parsers of one dump message each; MNL_CB_OK or MNL_CB_ERROR (errno set). */
int show_link_parse(const struct nlmsghdr *nlh, struct show_links *l);
int show_addr_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *addrs);
int show_route_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *routes);
int show_neigh_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *neighs);

/* Whole dumps on one namespace's socket. */
int show_links_dump(struct nl *nl, struct show_links *l, struct nsnet_error *e);
int show_addrs_dump(struct nl *nl, const struct show_links *l, json_t *addrs, struct nsnet_error *e);
int show_routes_dump(struct nl *nl, const struct show_links *l, json_t *routes, struct nsnet_error *e);
int show_neighs_dump(struct nl *nl, const struct show_links *l, json_t *neighs, struct nsnet_error *e);

/* Veth peers in other namespaces: which namespace an nsid means, and the peer's
 * name there. One context serves every namespace shown, so answers are reused. */
struct show_peers;
int show_peers_new(struct show_peers **ret, struct nsnet_error *e);
void show_peers_free(struct show_peers *p);
/* Start on the namespace behind nl (nsid answers are per namespace). */
void show_peers_enter(struct show_peers *p, struct nl *nl, const char *ns);
/* Fill "peer" of every veth in l: {name, index, namespace, nsid}. */
int show_peers_resolve(struct show_peers *p, const struct show_links *l, struct nsnet_error *e);

/* One request, one answer (not an ACK): cb sees the reply. */
int show_nl_get(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* json helpers that treat out-of-memory as an error to report. */
int show_set(json_t *obj, const char *key, json_t *v);
json_t *show_str_or_null(const char *s);

#endif
