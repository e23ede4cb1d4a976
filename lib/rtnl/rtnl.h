/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rtnetlink layer: one socket per namespace, many requests per sendmsg with
 * every ACK matched back to the request that caused it, extended-ack text carried
 * into the error, and dumps that retry NLM_F_DUMP_INTR a bounded number of times.
 */
#ifndef NSNET_NL_H
#define NSNET_NL_H

#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <jansson.h>
#include "netns/netns.h"

struct nl {
	struct mnl_socket *sock;
	unsigned portid;
	uint32_t seq;
};

/* A socket inside the namespace behind nsfd (-1: the caller's own). The caller's
 * thread never changes namespace: a short-lived thread opens the socket. */
int nl_open_fd(int nsfd, struct nl **ret, struct nsnet_error *e);
/* Same, by namespace name ("host" = the caller's own). */
int nl_open(const char *ns, struct nl **ret, struct nsnet_error *e);
void nl_close(struct nl *nl);
static inline void nl_closep(struct nl **p) { if (*p) nl_close(*p); }
#define _cleanup_nl_ __attribute__((cleanup(nl_closep)))


/* A batch of requests, sent together. */
struct nl_item {
	uint32_t seq;
	int tolerate;     /* an errno that counts as success for this request */
	char what[112];   /* "add address 10.0.0.1/24 to eth0 in red" */
};
struct nl_batch {
	char *buf;
	size_t len;       /* bytes of finished messages */
	size_t cap;
	struct nlmsghdr *cur;
	struct nl_item *items;
	size_t n, items_cap;
	int oom;
};

void nl_batch_init(struct nl_batch *b);
void nl_batch_free(struct nl_batch *b);
static inline void nl_batch_freep(struct nl_batch *b) { nl_batch_free(b); }
#define _cleanup_batch_ __attribute__((cleanup(nl_batch_freep)))
/* Start a request; NLM_F_REQUEST|NLM_F_ACK are added. The description names the
 * request in an error. Returns NULL only when out of memory (reported at send). */
struct nlmsghdr *nl_batch_msg(struct nl_batch *b, uint16_t type, uint16_t flags, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Room left for the current message, for mnl_attr_put_*_check(). */
size_t nl_batch_room(const struct nl_batch *b);
/* Send every request, collect every ACK. Returns 0, or the first failure with the
 * request's description and the kernel's extended-ack text. The batch is emptied. */
int nl_batch_send(struct nl *nl, struct nl_batch *b, struct nsnet_error *e);
/* Number of requests waiting. */
static inline size_t nl_batch_count(const struct nl_batch *b) { return b->n; }

/* mnl_nlmsg_ok() compares a message's length with the bytes left as an int, so a
 * length of 2 GiB or more passes as negative and the walk jumps out of the buffer.
 * These are the checked versions every reply goes through. */
static inline bool nl_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len;
}
/* mnl_cb_run() on a buffer whose every message length was checked first; a
 * malformed buffer is -1 with errno EBADMSG, like any other refused reply. */
int nl_cb_run(const void *buf, size_t n, uint32_t seq, uint32_t portid, mnl_cb_t cb, void *data);

/* One NLMSG_ERROR message: its error (0: an ACK) and the extended-ack text, if any. */
struct nl_ack {
	int err;
	const char *msg;
};
void nl_parse_ack(const struct nlmsghdr *nlh, struct nl_ack *ack);

/* One request with an ACK. */
int nl_request(struct nl *nl, struct nlmsghdr *nlh, const char *what, struct nsnet_error *e);

/* A dump: cb is called for every message. reset (may be NULL) is called before a
 * retry when the kernel reports the dump was interrupted. */
int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset)(void *), void *data,
	    struct nsnet_error *e);

/* Dump every link of nl's namespace (no statistics) through cb. */
int rtnl_dump_links(struct nl *nl, mnl_cb_t cb, void (*reset)(void *), void *data, struct nsnet_error *e);

/* Start an rtnetlink request in buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *nl_msg(void *buf, uint16_t type, uint16_t flags);

/* ---- from link.h ---- */
/* rtnetlink message builders for links, addresses and routes, added to a batch. */

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
	const uint8_t *peer_mac;   /* 6 bytes, or NULL: the kernel's random one */
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
int msg_link_mtu(struct nl_batch *b, int index, const char *name, unsigned mtu);
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

/* ---- msg_vxlan.c: a VXLAN port and its forwarding entries ---- */
struct vxlan_msg {
	const char *name;
	uint32_t vni;
	uint16_t port;               /* UDP destination port, host order */
	struct nsnet_prefix local;   /* family 0: none */
	int link;                    /* the underlay interface's ifindex, 0: none */
	unsigned mtu;                /* 0: the kernel's */
	int master;                  /* a bridge's ifindex, 0: none */
};
/* Created with learning off; down until set up. */
int msg_vxlan_add(struct nl_batch *b, const struct vxlan_msg *v);
/* The all-zeros entry towards one peer (add appends beside the others; delete
 * removes that peer's only). */
int msg_vxlan_fdb(struct nl_batch *b, bool add, int index, const char *ifname, const struct nsnet_prefix *peer);
/* Dump the bridge-family forwarding entries of link index (0: all) through cb
 * (rtnl_fdb_decode). */
int rtnl_dump_fdb(struct nl *nl, int index, mnl_cb_t cb, void (*reset)(void *), void *data, struct nsnet_error *e);

/* ---- msg_qdisc.c: root qdiscs ---- */
/* A token bucket filter of rate_bps bit/s as the root qdisc of index (replacing
 * whatever root qdisc it has), with nsnet's handle 4e53:. */
int msg_qdisc_tbf(struct nl_batch *b, int index, const char *ifname, uint64_t rate_bps);
/* Remove the root qdisc of index (none of its own: success). */
int msg_qdisc_del_root(struct nl_batch *b, int index, const char *ifname);
/* Create a root qdisc of kind with empty options (see link_qdisc_available). */
int msg_qdisc_probe(struct nl_batch *b, int index, const char *kind);

/* Mark the last request so that this errno counts as success (e.g. EEXIST for a
 * default route the namespace already has). */
void nl_batch_tolerate(struct nl_batch *b, int err);

/* ifindex of a link by name in the socket's namespace: >0, or -ENODEV. */
int link_index(struct nl *nl, const char *name);
/* The link itself (decoded as dumps are): 0, or -ENODEV. */
struct rtnl_link;
int link_get(struct nl *nl, const char *name, struct rtnl_link *ret);

/* ---- decode.c: typed decoders of dump and get replies ------------------------------
 * Each takes one message and returns 1 when it is one of its kind (ret filled), 0
 * when it is not (another type, too short, a family other than IPv4/IPv6, no
 * address), or -EBADMSG. Strings are cut to their buffers; addresses of the wrong
 * length count as absent. Attribute pointers (multipath) point into the message. */

struct rtnl_link {
	int index;
	unsigned short type;          /* ARPHRD_* */
	unsigned flags;               /* IFF_* */
	char name[16];                /* IFLA_IFNAME; "" when absent */
	char kind[32];                /* IFLA_INFO_KIND; "" when the driver reports none */
	int master;                   /* IFLA_MASTER; 0: none */
	int link;                     /* IFLA_LINK (a veth's peer ifindex); 0: none */
	int link_netnsid;             /* IFLA_LINK_NETNSID; -1: absent (peer in this namespace) */
	unsigned mtu;                 /* 0: not reported */
	uint8_t operstate;            /* IF_OPER_*; 0 when not reported */
	uint8_t mac[32];              /* IFLA_ADDRESS */
	size_t mac_len;               /* 0: none */
	char alias[256];              /* IFLA_IFALIAS; "" when none */
	int brport_state;             /* a bridge port's BR_STATE_*; -1: not a bridge port */
	int stp_state;                /* a bridge's IFLA_BR_STP_STATE (0 off); -1: not a bridge or not said */
};
int rtnl_link_decode(const struct nlmsghdr *nlh, struct rtnl_link *ret);

struct rtnl_addr {
	int index;
	struct nsnet_prefix addr;     /* IFA_LOCAL (ours on a point-to-point link), else
				       * IFA_ADDRESS; len is the prefix length */
	uint8_t scope;
	uint32_t flags;               /* IFA_FLAGS, else ifa_flags */
};
int rtnl_addr_decode(const struct nlmsghdr *nlh, struct rtnl_addr *ret);

struct rtnl_route {
	int family;
	uint8_t protocol, scope, type;
	unsigned flags;               /* RTM_F_* */
	uint32_t table;               /* RTA_TABLE, else rtm_table */
	struct nsnet_prefix dst;      /* len is rtm_dst_len; family 0: the default route */
	struct nsnet_prefix gw;       /* RTA_GATEWAY, or RTA_VIA (its family may differ); family 0: none */
	struct nsnet_prefix prefsrc;  /* family 0: none */
	int oif;                      /* 0: none */
	uint32_t metric;              /* RTA_PRIORITY */
	const void *multipath;        /* RTA_MULTIPATH's payload, NULL: a single-path route */
	size_t multipath_len;
};
int rtnl_route_decode(const struct nlmsghdr *nlh, struct rtnl_route *ret);
/* The next hops of a multipath route, one per call from *cursor (0 at first):
 * for (size_t c = 0; rtnl_route_nexthop(&r, &c, &hop);) ... */
struct rtnl_nexthop {
	int ifindex;
	struct nsnet_prefix gw;       /* family 0: none */
};
bool rtnl_route_nexthop(const struct rtnl_route *r, size_t *cursor, struct rtnl_nexthop *ret);

struct rtnl_neigh {
	int index;
	uint16_t state;               /* NUD_* */
	uint8_t flags;                /* NTF_* */
	struct nsnet_prefix dst;      /* NDA_DST */
	uint8_t lladdr[32];           /* NDA_LLADDR */
	size_t lladdr_len;            /* 0: none (INCOMPLETE, FAILED) */
};
int rtnl_neigh_decode(const struct nlmsghdr *nlh, struct rtnl_neigh *ret);

/* A forwarding database entry (AF_BRIDGE neighbour): a bridge port's MAC, or a
 * VXLAN port's MAC and remote. */
struct rtnl_fdb {
	int index;
	uint16_t state;               /* NUD_* */
	uint8_t flags;                /* NTF_* */
	uint8_t lladdr[32];
	size_t lladdr_len;
	struct nsnet_prefix dst;      /* NDA_DST, a VXLAN remote; family 0: none */
	uint32_t vni;                 /* NDA_VNI; 0: absent */
};
int rtnl_fdb_decode(const struct nlmsghdr *nlh, struct rtnl_fdb *ret);

/* ---- names.c ---- */
/* Names of kernel enums, as iproute2 prints them; unknown values as a number. */
const char *rtnl_operstate_name(unsigned v);
const char *rtnl_scope_name(unsigned v, char *buf, size_t len);
const char *rtnl_proto_name(unsigned v, char *buf, size_t len);
const char *rtnl_rtype_name(unsigned v, char *buf, size_t len);
/* "REACHABLE", "STALE,ROUTER"... NUD_NONE is "NONE". */
const char *rtnl_neigh_state(unsigned state, char *buf, size_t len);
/* Kind for links without IFLA_INFO_KIND, from the hardware type. */
const char *rtnl_kind_from_type(unsigned short type);
/* "aa:bb:cc:dd:ee:ff"; NULL when len is 0 or buf is too small. */
const char *rtnl_lladdr_str(const uint8_t *a, size_t alen, char *buf, size_t len);
/* IFA_F_* flags as a JSON array of names. */
json_t *rtnl_addr_flags(uint32_t flags, int family);

#endif
