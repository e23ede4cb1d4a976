/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of nsnet_doctor(): why SRC cannot reach DST.
 *
 *   doctor.c         entry point: resolve SRC/DST, probe (the real thing, from inside
 *                    SRC, through lib/probe/), walk, conclude
 *   doctor_ns.c      what doctor reads of a namespace: the nsnet_show() model, FIB
 *                    lookups (RTM_GETROUTE), sysctls, listening sockets (sock_diag)
 *   doctor_path.c    the walk, hop by hop, as the packet goes; the routers on the way
 *   doctor_src.c     SRC's interfaces, and why it has no route when it has none
 *   doctor_seg.c     one layer-2 segment: a veth pair, or a bridge and its ports
 *   doctor_dst.c     DST: its firewall, its route back, its listening socket
 *   doctor_fw.c      firewall verdicts: rulesets read with libnftables, per hook,
 *                    run through lib/nft's evaluator (pure logic, unit-tested)
 *   doctor_nft_text.c  rules quoted from nft's text listing
 *   doctor_report.c  checks with marks and evidence, the cause and its fix, the path
 *
 * Doctor changes nothing: it reads through rtnetlink, sock_diag, /proc/sys and
 * libnftables's "list ruleset", and its only writes are the probe's packets.
 */
#ifndef NSNET_DOCTOR_H
#define NSNET_DOCTOR_H

#include <jansson.h>
#include "rtnl/rtnl.h"
#include "nft/nft.h"
#include "nsnet.h"

/* ---- the packet being followed ------------------------------------------------ */

struct dr_pkt {
	int family;                 /* AF_INET or AF_INET6 */
	struct nsnet_prefix src;    /* family 0 until SRC's route lookup picks it */
	struct nsnet_prefix dst;
	int l4;                     /* IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP */
	unsigned port;              /* TCP/UDP destination port */
	bool dnat;                  /* its destination was rewritten (ct status dnat) */
	bool reply;                 /* the reply to the probe, going back (src and dst swapped) */
	unsigned size;              /* --size: its IP size, don't-fragment; 0: no MTU checks */
};

/* ---- nftables (nft_text.c; the evaluator is lib/nft's) ----------------------------- */

/* The text of rule handle in a `nft -a -s list ruleset` listing, into buf ("" if absent). */
void dr_nft_rule_text(const char *listing, const char *family, const char *table, const char *chain, long handle,
		      char *buf, size_t len);

/* ---- a namespace as doctor sees it (doctor_ns.c) --------------------------------- */

struct dr_ns {
	char *name;                 /* a named namespace, or "host" */
	int fd;                     /* its fd, opened on first use; -1 until then (and for host) */
	json_t *model;              /* nsnet_show()'s object for it */
	struct nl *nl;
	/* firewall, loaded on first use */
	bool fw_loaded;
	int fw_err;
	json_t *ruleset;            /* `nft -j list ruleset` */
	char *listing;              /* `nft -a -s list ruleset` */
	char legacy[128];           /* /proc/net/ip_tables_names, one line */
	int brnf;                   /* net.bridge.bridge-nf-call-iptables: 1, 0, -1 unknown */
};

struct dr_route {
	int type;                   /* RTN_UNICAST, RTN_LOCAL, ... */
	int oif;
	char dev[16];
	bool has_gw;
	struct nsnet_prefix gw;
	bool has_prefsrc;
	struct nsnet_prefix prefsrc;
};

/* ---- the whole run ------------------------------------------------------------------ */

struct dr_ctx {
	const struct nsnet_doctor_opts *o;
	struct dr_pkt pkt;
	struct dr_ns **ns;          /* every namespace read so far */
	size_t n_ns, cap_ns;
	json_t *nets;               /* nsnet's networks' state files, by name */
	const char *src;            /* SRC's namespace name */
	const char *dst_ns;         /* DST's namespace when known (given by name), else NULL */
	/* the report */
	json_t *checks;
	json_t *path;
	bool failed;                /* a check failed; cause and fix are its */
	char cause[512];
	char fix[1536];
	int probe;                  /* the probe: 1 reached, 0 not, -1 inconclusive */
	bool back;                  /* walking the reply's way back (path.c): only faults are said */
	struct dr_fwd_hop {         /* the routers of the way there: where the request came in */
		char ns[256];
		char iif[16];
		struct nsnet_prefix prev;  /* the address it came from on iif's link */
	} fwd[16];
	size_t n_fwd;
	bool dnat_done;             /* the packet's destination was rewritten by a published port */
	char dnat_ns[256];          /* the namespace serving it */
	unsigned unsure;            /* firewall rules doctor could not evaluate on the path */
	/* the walk's memory */
	struct nsnet_prefix src_orig; /* SRC's address, before any source NAT */
	int src_len;                /* its prefix length */
	bool snat_done;
	int routers;                /* namespaces that forwarded the packet */
	char last_router[256];      /* the last of them, */
	char last_oif[16];          /* the interface it sent the packet out of, */
	struct nsnet_prefix last_router_addr; /* and its address there */
	char legacy_ns[128];        /* namespaces on the path with iptables-legacy tables */
	struct nsnet_error *e;
};

/* doctor_ns.c */
struct dr_ns *dr_ns_get(struct dr_ctx *c, const char *name);
/* Load the models of many namespaces in one nsnet_show() call (a bridge's ports). */
void dr_ns_preload(struct dr_ctx *c, const char *const *names, size_t n);
void dr_ns_free_all(struct dr_ctx *c);
json_t *dr_ns_iface(const struct dr_ns *ns, const char *ifname);
json_t *dr_ns_iface_by_index(const struct dr_ns *ns, int index);
/* "eth0 UP 192.168.15.2/24 10.0.0.2/8" (addresses of the family, or all if 0). */
void dr_ns_iface_summary(const struct dr_ns *ns, const char *ifname, int family, char *buf, size_t len);
/* Whether ifname carries address a; with ret_len, the address's prefix length. */
bool dr_ns_has_addr(const struct dr_ns *ns, const char *ifname, const struct nsnet_prefix *a, int *ret_len);
/* FIB lookup as `ip route get DST [from SRC iif IIF]`; -errno is the kernel's answer. */
int dr_route_get(struct dr_ns *ns, const struct nsnet_prefix *dst, const struct nsnet_prefix *src, int iif,
		 struct dr_route *ret);
/* Its rtnetlink socket, opened on first use (NULL when it cannot be). */
struct nl *dr_ns_nl(struct dr_ns *ns);
/* A bridge port's STP state (BR_STATE_*: 3 forwarding), -1 when unknown. */
int dr_port_state(struct dr_ns *ns, const char *ifname);
/* A bridge's STP switch (IFLA_BR_STP_STATE: 0 off), -1 when unknown. */
int dr_bridge_stp(struct dr_ns *ns, const char *bridge);
/* A sysctl of the namespace as an integer; -1 when it can't be read. */
int dr_sysctl_int(struct dr_ns *ns, const char *key);
/* Sockets listening on (or bound to) port in the namespace: "0.0.0.0:80 [::]:80". */
int dr_listeners(struct dr_ns *ns, int l4, unsigned port, char *buf, size_t len);
/* Firewall of the namespace (nft ruleset, legacy tables, br_netfilter). */
int dr_ns_fw(struct dr_ns *ns);

/* doctor_path.c */
void dr_walk(struct dr_ctx *c);

/* doctor_src.c */
void dr_src_ifaces(struct dr_ctx *c, struct dr_ns *ns);
/* SRC's route lookup failed (err) or gave a route of type: the check, cause and fix. */
void dr_no_route(struct dr_ctx *c, struct dr_ns *ns, int err, int type);
/* "icmp echo S -> D", "tcp S -> D port P". */
const char *dr_flow(const struct dr_ctx *c, char *buf, size_t len);
/* /32 or /128. */
bool dr_is_host_len(const struct nsnet_prefix *a, int len);
/* Global addresses of family on ifname (NULL: any), one per call; *i is the cursor. */
bool dr_next_addr(struct dr_ns *ns, const char *ifname, int family, size_t *i, struct nsnet_prefix *ret);
/* The address across ifname's veth (on the bridge its other end is a port of, or on
 * that end) in near's subnet. */
bool dr_far_side(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, const struct nsnet_prefix *near,
		 struct nsnet_prefix *ret);

/* mask.c: DST on one of SRC's links but in another subnet; -1 with the cause set. */
int dr_mask_check(struct dr_ctx *c, struct dr_ns *ns);

/* dnat.c: the packet arrives in ns for a published port: rewrites the packet's
 * destination to the serving namespace (true) so the walk goes on. */
bool dr_dnat(struct dr_ctx *c, struct dr_ns *ns, const char *iif);

/* nat_in.c: DST inside a NAT network, SRC outside every network: publish. */
int dr_nat_inbound(struct dr_ctx *c, struct dr_ns *ns);

/* doctor_dst.c: the packet arrived in ns on ifname. */
/* 0 when DST takes it and answers; its route back into *ret_back. */
int dr_arrive(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, struct dr_route *ret_back);

/* doctor_seg.c: one hop across a layer-2 segment. */
struct dr_hop {
	struct dr_ns *ns;           /* where the packet arrives */
	char ifname[16];            /* the interface it arrives on (the bridge, for the bridge's own address) */
	char bridge[16];            /* the bridge crossed, "" for a plain veth pair */
	struct dr_ns *bridge_ns;
};
/* From out-interface dev of ns toward next hop nh: checks every link on the way,
 * finds the one owner of nh. 0 with *ret filled, or -1 when a check failed. */
int dr_segment(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh, bool nh_is_gw,
	       struct dr_hop *ret);

/* vxlan.c: nobody on bridge's segment holds nh, and the bridge has a VXLAN port
 * (a network that spans hosts): check the way out through it (the port, its
 * forwarding entries against the network's peers, the underlay route to each
 * peer, an echo to each). 1: no VXLAN port (not applicable); -1: a check failed;
 * -2: the packet leaves for the other hosts, beyond doctor's sight. */
int dr_vxlan(struct dr_ctx *c, struct dr_ns *bns, const char *bridge, const char *in_port,
	     const struct nsnet_prefix *nh);

/* doctor_fw.c: run one hook in ns; -1 when it drops (check failed, cause set). */
int dr_fw_hook(struct dr_ctx *c, struct dr_ns *ns, const char *hook, const char *iif, const char *oif,
	       const char *what);
/* br_netfilter: bridged traffic between ports of bridge in ns; -1 when dropped. */
int dr_fw_bridged(struct dr_ctx *c, struct dr_ns *ns, const char *bridge, const char *in_port, const char *out_port);
/* Source NAT at ns's postrouting, forwarded from iif toward oif: 1 (rule in res), 0 none. */
int dr_fw_snat(struct dr_ctx *c, struct dr_ns *ns, const char *iif, const char *oif, struct nft_result *res);
/* Destination NAT at ns's prerouting for what arrives on iif: 1 (rule in res), 0 none. */
int dr_fw_dnat(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct nft_result *res);
/* "table ip filter chain FORWARD: rule 'drop'" into buf. */
void dr_fw_describe(struct dr_ns *ns, const struct nft_result *r, char *buf, size_t len);

/* doctor_report.c */
enum dr_mark { DR_OK, DR_FAIL, DR_SKIP, DR_WARN };
void dr_check(struct dr_ctx *c, enum dr_mark m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A failed check's cause and fix; only the first broken step's are kept. */
void dr_cause(struct dr_ctx *c, const char *fix, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dr_path_add(struct dr_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The final report object. */
json_t *dr_report(struct dr_ctx *c, const char *dst_note, const char *probe_detail, int probe);

/* Helpers shared by the walk. */
const char *dr_addr(const struct nsnet_prefix *a, char *buf, size_t len);
/* "ip -n red " or "" for host: the prefix of an ip command aimed at ns. */
const char *dr_ip_n(const char *ns, char *buf, size_t len);
/* "ip netns exec red " or "" for host. */
const char *dr_exec_in(const char *ns, char *buf, size_t len);
/* The nsnet network whose bridge is ifname (in the host), or NULL. */
json_t *dr_net_by_bridge(struct dr_ctx *c, const char *bridge);
/* The nsnet network namespace ns is a member of, with its member object. */
json_t *dr_net_of_member(struct dr_ctx *c, const char *ns, json_t **ret_member);
/* The nsnet network whose subnet holds a (its name through ret_name), or NULL. */
json_t *dr_net_of_addr(struct dr_ctx *c, const struct nsnet_prefix *a, const char **ret_name);
/* The network one of whose LIST ("members", "subnets") entries match() says yes to;
 * its name and that entry through the optional ret_*. */
json_t *dr_net_find(struct dr_ctx *c, const char *list, bool (*match)(json_t *item, const void *arg),
		    const void *arg, const char **ret_name, json_t **ret_item);
/* Whether a is a private address (RFC 1918, 100.64/10, fc00::/7): one the outside
 * world has no route back to. */
bool dr_addr_private(const struct nsnet_prefix *a);

#endif
