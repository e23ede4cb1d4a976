/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnsnet: build, run and inspect virtual networks of Linux network namespaces.
 *
 * The error contract, the same for every function below; a function's comment says
 * only what differs or matters for it (docs/library.md):
 * - An int function returns 0 (or a count, an index, an fd: said where) on success
 *   and a negative errno on failure. Functions returning bool, void, a pointer or a
 *   number of their own cannot fail and take no struct nsnet_error.
 * - On failure it fills the caller's struct nsnet_error (pass one; e->code is the
 *   positive errno, e->msg one line: what failed, on which object, why, e.g. "attach
 *   to network 'v-net-0': address 10.0.0.5 is already in use on network 'v-net-0'").
 *   After a success e is unspecified (a recovered failure may have left a message).
 * - Wrong input (a name, an address, a lab file, a combination of options) is
 *   refused with -EINVAL before anything is changed: nothing changed. So are the
 *   other checks made before the first change: -ENOENT (a namespace, network, lab or
 *   run that must exist does not; an interface: -ENODEV), -EEXIST (a name that must
 *   be free is taken, often by something that is not nsnet's), -EBUSY (in use:
 *   processes, members, an object a lab owns), -EPERM (refused: a foreign firewall
 *   rule would drop the traffic, a host-wide sysctl; or by the kernel, without
 *   CAP_NET_ADMIN and CAP_SYS_ADMIN, which most functions need). -ENOMEM: out of
 *   memory. -EIO: a state file under the state root is corrupt (its path in the
 *   message). Any other code is the kernel's (or libnftables', libpcap's) answer,
 *   passed on with its context. Functions that change several objects say whether
 *   it is all or nothing.
 * - Outputs (ret_*) are written only on success and belong to the caller: JSON
 *   values (jansson's json_t) are released with json_decref(), strings and arrays
 *   with free(), string vectors with nsnet_strv_free(); each comment says which.
 * - Nothing here prints, exits, aborts, installs a signal handler or reads the
 *   environment.
 * - Threads: call nsnet_configure() (if at all) before anything else, then the
 *   functions from one thread at a time (they share the configuration and keep no
 *   per-call context; some run short-lived threads of their own). Changes are
 *   serialized between processes by a lock file under the state root: a call waits
 *   while another program's change runs.
 */
#ifndef NSNET_H
#define NSNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <sys/types.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------------ */

#define NSNET_ERR_MAX 1024

struct nsnet_error {
	int code;                 /* positive errno */
	char msg[NSNET_ERR_MAX];  /* "what: on which object: why" */
};

/* Set the error (message formatted, ": strerror(code)" appended) and return -code.
 * For callers' own wrappers too. code 0 becomes EIO, a negative code counts as its
 * absolute value; the message is cut at NSNET_ERR_MAX - 1 bytes and its control
 * characters become '?' (one line, whatever it quotes). e NULL: only the return. */
int nsnet_err(struct nsnet_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, without appending strerror: for messages that already say why. */
int nsnet_errx(struct nsnet_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix context ("attach red: " + old message). Returns -e->code (e NULL: -EIO). */
int nsnet_err_wrap(struct nsnet_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- configuration ----------------------------------------------------------- */

#define NSNET_STATE_ROOT_MAX 128

/* Settings of the calling program, not of one call. The kernel objects nsnet makes
 * (named namespaces, bridges, its nftables table) belong to the network namespace
 * the program runs in, and the state that describes them must be one per such
 * namespace: so this is set once, before the first other call, rather than passed to
 * each call. The library itself reads no environment variable. */
struct nsnet_config {
	/* Where state, locks and the journal live (NULL: /run/nsnet). An absolute path
	 * of at most NSNET_STATE_ROOT_MAX - 1 bytes without "." or ".." components. Two
	 * programs that share a network namespace must share the root: nsnet's table is
	 * one, and a second root would see the first's elements as strangers. */
	const char *state_root;
	/* Do not refuse to create a network whose traffic a foreign firewall rule
	 * (iptables FORWARD DROP, another nft table) would drop. */
	bool ignore_foreign_firewall;
};
/* -EINVAL (nothing changed) for a bad state_root. NULL c: the defaults. Not
 * thread-safe: before any other call. Creates nothing (the first change does). */
int nsnet_configure(const struct nsnet_config *c, struct nsnet_error *e);

struct json_t;  /* jansson's; the JSON results below are jansson values */

/* ---- names ------------------------------------------------------------------- */

/* The caller's own namespace, wherever a namespace name is accepted. */
#define NSNET_HOST "host"

/* Namespace names: 1..255 bytes, no '/', not "." or "..", no control characters.
 * These two only check: 0, or -EINVAL saying why (e may be NULL). */
int nsnet_ns_name_check(const char *name, struct nsnet_error *e);
/* Interface names: 1..15 bytes, no '/', ':' or whitespace, not "." or "..". */
int nsnet_ifname_check(const char *name, struct nsnet_error *e);

/* ---- named namespaces (compatible with `ip netns`) ---------------------------- */

#define NSNET_NETNS_DIR "/run/netns"
#define NSNET_ETC_NETNS_DIR "/etc/netns"

/* Create every name or none: on any failure the ones created are removed again.
 * Checked before any is made: -EINVAL a bad name, one given twice or "host";
 * -EEXIST one that exists. */
int nsnet_ns_add(const char *const *names, size_t n, struct nsnet_error *e);
/* Remove named namespaces. Refuses (-EBUSY, listing the pids) when processes still
 * live in one, or when one is a node of a lab (naming the lab: `down` removes it),
 * unless force, which kills the processes (SIGKILL) first and deletes a lab's node
 * anyway (the lab is then degraded; `up` makes it again). Validates all first:
 * -EINVAL a bad or twice-given name, -ENOENT one that does not exist. */
int nsnet_ns_del(const char *const *names, size_t n, bool force, struct nsnet_error *e);
/* Sorted list of names under /run/netns. Free with nsnet_strv_free(). No
 * /run/netns: 0 with *ret_names NULL and *ret_n 0. */
int nsnet_ns_list(char ***ret_names, size_t *ret_n, struct nsnet_error *e);
/* Every network namespace on the machine, named or not, once each (by inode), as
 * lsns -t net finds them: [{inode, host, names, mounts, pids: [{pid, command}],
 * nsnet: {lab, networks, run} | null}] (docs/show-json.md). Caller json_decref()s. */
int nsnet_ns_list_all(struct json_t **ret, struct nsnet_error *e);
/* Namespace references, for what only looks at or enters a namespace (show, exec,
 * doctor, capture, monitor, ns pids): a NAME under /run/netns, "host" (the
 * caller's own), "pid:N" (process N's, as nsenter -t N -n) or an absolute path of
 * a namespace file (/proc/N/ns/net, a bind mount anywhere). Pure: -EINVAL when
 * ref is none of these. Opening one checks that it is a network namespace. */
int nsnet_ns_ref_check(const char *ref, struct nsnet_error *e);
/* 1 when REF names a namespace that exists, else 0 (a bad REF too). No error. */
int nsnet_ns_exists(const char *ref);
/* Pids whose network namespace is REF's (as `ip netns pids`). Free with free()
 * (NULL when there are none). Errors as nsnet_ns_open(). */
int nsnet_ns_pids(const char *ref, pid_t **ret_pids, size_t *ret_n, struct nsnet_error *e);
/* An O_CLOEXEC fd of the namespace REF names; -ENOENT: none, -EINVAL: not a
 * network namespace or a bad reference. The caller close()s it. */
int nsnet_ns_open(const char *ref, int *ret_fd, struct nsnet_error *e);
/* Enter REF as `ip netns exec` does and execvp(argv); the files of /etc/netns/NAME
 * are bound over /etc for a NAME only. Only returns on failure:
 * -ENOENT/-EACCES from execvp mean the command could not be run. */
int nsnet_exec(const char *name, char *const argv[], struct nsnet_error *e);

/* Free a string vector of n entries returned by the library (NULL: nothing). */
void nsnet_strv_free(char **v, size_t n);

/* ---- addresses --------------------------------------------------------------- */

struct nsnet_prefix {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t len;       /* prefix length */
	uint8_t addr[16];  /* network byte order; 4 bytes used for AF_INET */
};

/* "10.0.0.1/24", "fd00::1/64"; a bare address gets a host prefix (/32, /128)
 * unless need_len, which makes it an error. Pure; -EINVAL saying why. */
int nsnet_prefix_parse(const char *s, bool need_len, struct nsnet_prefix *ret, struct nsnet_error *e);
/* A bare address, no '/' allowed. */
int nsnet_addr_parse(const char *s, struct nsnet_prefix *ret, struct nsnet_error *e);
/* "addr/len" (with_len) or "addr" into buf (at least 50 bytes); returns buf. */
const char *nsnet_prefix_str(const struct nsnet_prefix *p, bool with_len, char *buf, size_t len);
/* Network part only (host bits cleared). */
void nsnet_prefix_network(const struct nsnet_prefix *p, struct nsnet_prefix *ret);
bool nsnet_prefix_contains(const struct nsnet_prefix *net, const struct nsnet_prefix *addr);
bool nsnet_prefix_overlaps(const struct nsnet_prefix *a, const struct nsnet_prefix *b);
bool nsnet_addr_equal(const struct nsnet_prefix *a, const struct nsnet_prefix *b);
/* net's address number idx (0 = network address); -ERANGE past the end. */
int nsnet_prefix_nth(const struct nsnet_prefix *net, uint64_t idx, struct nsnet_prefix *ret);
/* Index of addr inside net (inverse of nth; low 64 bits for IPv6). */
uint64_t nsnet_prefix_index(const struct nsnet_prefix *net, const struct nsnet_prefix *addr);
/* Number of usable host indexes is [first, last]: excludes network and IPv4 broadcast;
 * /31 and /32 (RFC 3021) use every address. IPv6 is capped at 2^63. */
void nsnet_prefix_host_range(const struct nsnet_prefix *net, uint64_t *first, uint64_t *last);

/* ---- links, addresses, routes (rtnetlink) ------------------------------------- */

/* One veth pair between two namespaces ("host" allowed), both ends and both
 * loopbacks up, optional addresses. Created in place: the peer is born in its
 * namespace. Atomic: on failure nothing is left. -ENOENT a namespace not found,
 * -EEXIST an interface name taken in its namespace, -EINVAL a bad spec. */
struct nsnet_veth_spec {
	const char *ns_a, *ns_b;
	const char *if_a, *if_b;              /* interface names, required */
	const struct nsnet_prefix *ip_a, *ip_b; /* optional, with prefix length */
	unsigned mtu;                          /* 0: kernel default */
	const char *alias;                     /* optional IFLA_IFALIAS tag on both ends */
};
int nsnet_veth_add(const struct nsnet_veth_spec *spec, struct nsnet_error *e);
/* Default name of the end that points at peer_ns: "to-PEER", or for long names
 * "to-" + 7 bytes + "-" + 4 hex digits of a hash: deterministic, at most 15 bytes.
 * A name with a byte an interface name can't hold (space, ':') takes the long form,
 * that byte written '_'. */
void nsnet_veth_default_name(const char *peer_ns, char buf[16]);
uint32_t nsnet_hash32(const char *s);
/* Remove the veth named ifname in ns (its peer goes with it). -ENODEV: no such
 * interface in ns; -ENOENT: no such namespace. */
int nsnet_link_del(const char *ns, const char *ifname, struct nsnet_error *e);
/* ifindex (> 0) of ifname in ns, or -ENODEV (-ENOENT: no namespace ns). */
int nsnet_link_index(const char *ns, const char *ifname, struct nsnet_error *e);

struct nsnet_route_spec {
	const char *ns;
	struct nsnet_prefix dst;   /* len 0 = default */
	bool has_via;
	struct nsnet_prefix via;
	const char *dev;           /* optional */
};
/* add: -EEXIST a route to dst exists already; -ENODEV dev is not in ns; -EINVAL a
 * bad destination (host bits set) or gateway (other family; link-local without
 * dev), or neither via nor dev. del: -ESRCH no such route. */
int nsnet_route_add(const struct nsnet_route_spec *r, struct nsnet_error *e);
int nsnet_route_del(const struct nsnet_route_spec *r, struct nsnet_error *e);

/* Forwarding on/off for IPv4 and IPv6 in ns, through /proc/sys. */
int nsnet_forwarding_set(const char *ns, bool on, struct nsnet_error *e);
/* Write a sysctl ("net/ipv4/ip_forward" or "net.ipv4.ip_forward") inside ns. Only a
 * key of ns's own network namespace: under net/, reached without leaving
 * /proc/sys/net, and registered per network namespace as the kernel shows it (else
 * -EPERM: host-wide, or another namespace's). -EINVAL: bad syntax. */
int nsnet_sysctl_set(const char *ns, const char *key, const char *value, struct nsnet_error *e);
/* The value as one NUL-terminated line (its newline dropped; values of several
 * fields keep their tabs) into buf; -ENOBUFS when it does not fit in len. */
int nsnet_sysctl_get(const char *ns, const char *key, char *buf, size_t len, struct nsnet_error *e);

/* ---- networks: a bridge as the switch, with IPAM ------------------------------ */


/* Default bridge name: the network's name when it is a valid interface name,
 * else "nsbr-" + 8 hex digits of a hash of it. */
void nsnet_net_default_bridge(const char *net, char buf[16]);
/* Host end of a member's veth: "nv" + up to 5 bytes of the namespace name + "-" +
 * 7 hex digits of a hash of "NET/NS": deterministic, at most 15 bytes. */
void nsnet_net_host_ifname(const char *net, const char *ns, char buf[16]);

/* Whether the members of a network find each other by name through their own
 * /etc/netns/NS/hosts (docs/names.md): AUTO, the default, for networks of at most
 * NSNET_NAMES_AUTO_MAX members; ON and OFF whatever the size. */
enum nsnet_names { NSNET_NAMES_AUTO = 0, NSNET_NAMES_ON, NSNET_NAMES_OFF };
#define NSNET_NAMES_AUTO_MAX 256

/* A network that spans hosts (docs/vxlan.md): the bridge gets a VXLAN port that
 * sends broadcast and unknown unicast to every peer (one all-zeros forwarding
 * entry each: head-end replication), learning off. Each host runs the same network
 * (same subnet and VNI) with its own gateway address and its own range. */
#define NSNET_VXLAN_PORT 4789
#define NSNET_VXLAN_PEERS_MAX 64
struct nsnet_vxlan_spec {
	uint32_t vni;                      /* 1..16777215; 0: the network stays on this host */
	struct nsnet_prefix local;         /* this host's underlay address (family 0: none) */
	const char *dev;                   /* the underlay interface (NULL: none) */
	const struct nsnet_prefix *peers;  /* the other hosts' underlay addresses */
	size_t n_peers;
	uint16_t port;                     /* UDP port; 0: NSNET_VXLAN_PORT */
};

struct nsnet_net_spec {
	const char *name;
	const char *bridge;               /* NULL: nsnet_net_default_bridge() */
	struct nsnet_prefix subnet[2];    /* at most one IPv4 and one IPv6 */
	struct nsnet_prefix gateway[2];   /* family 0: the subnet's first usable address */
	size_t n_subnets;
	unsigned mtu;
	bool nat;
	/* Hand out addresses of subnet[i] only from range_start[i] to range_end[i]
	 * (family 0: the whole subnet); a static address must lie in the range too. */
	struct nsnet_prefix range_start[2], range_end[2];
	enum nsnet_names names;           /* members' names in each other's hosts files */
	/* vni 0: none. With one, a range is required, and mtu 0 means the underlay's
	 * MTU less the VXLAN overhead (50 bytes over IPv4, 70 over IPv6). */
	struct nsnet_vxlan_spec vxlan;
};
/* -EINVAL a bad spec; -EEXIST the network exists, its bridge name is another
 * network's or a foreign interface's, a subnet overlaps another network's, the VNI
 * is used; -EPERM a foreign firewall rule would drop its traffic (unless
 * nsnet_config.ignore_foreign_firewall); -ENODEV, -EADDRNOTAVAIL: the VXLAN
 * underlay device or local address is not this host's. */
int nsnet_net_create(const struct nsnet_net_spec *spec, struct nsnet_error *e);
/* Refuses while namespaces are attached unless force, which detaches them (-EBUSY),
 * and for a network a lab made (-EBUSY: `down` removes it). -ENOENT: no such network. */
int nsnet_net_rm(const char *net, bool force, struct nsnet_error *e);

struct nsnet_attach_opts {
	const struct nsnet_prefix *ip;    /* static address, only with one namespace */
	const char *ifname;               /* NULL: eth0, or the next free ethN */
	bool no_default_route;
	/* Attach into a network a lab made: without it, refused (-EBUSY), since the
	 * lab's up and down do not know a namespace attached by hand. */
	bool into_lab;
};
/* Attach every namespace or none. -ENOENT a namespace or the network not found;
 * -EEXIST one attached already or an interface name taken; -EADDRINUSE the static
 * ip is in use; -ENOSPC no free address left; -EBUSY a lab's network without
 * into_lab; -ENODEV the network's bridge is gone (recreate the network). */
int nsnet_net_attach(const char *net, const char *const *ns, size_t n, const struct nsnet_attach_opts *o,
		     struct nsnet_error *e);
/* -ENOENT: a namespace not attached to net (checked for all before any goes). */
int nsnet_net_detach(const char *net, const char *const *ns, size_t n, struct nsnet_error *e);
/* JSON descriptions (keys: docs/state.md): the network's state object, reconciled with
 * the kernel, each subnet's pool cursor ("next") replaced by "used" and "free" counts,
 * members without "pid"; list: an array of them. Caller json_decref()s. */
int nsnet_net_list(struct json_t **ret, struct nsnet_error *e);
int nsnet_net_info(const char *net, struct json_t **ret, struct nsnet_error *e);  /* -ENOENT: none */
/* Add and remove peers of a VXLAN network: only its forwarding entries change
 * (the port, the bridge and the members stay). All or nothing: -EEXIST an added
 * address is a peer already, -ENOENT a removed one is not a peer. */
int nsnet_net_set_vxlan_peers(const char *net, const struct nsnet_prefix *add, size_t n_add,
			      const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e);
/* Names on, off, or AUTO (by size) for a network; the hosts files follow at once.
 * -ENOENT: no such network. */
int nsnet_net_set_names(const char *net, enum nsnet_names names, struct nsnet_error *e);

/* ---- firewall: NAT, isolation, published ports (docs/firewall.md) ------------- */

/* nftables through libnftables, in nsnet's own `table inet nsnet` only; each change
 * one transaction. Networks are isolated from each other unless allowed.
 * -ENOENT: no such network; turning NAT on, -EPERM as nsnet_net_create(). */
int nsnet_net_set_nat(const char *net, bool on, struct nsnet_error *e);
/* Let two networks reach each other (both ways), or isolate them again. */
int nsnet_net_allow(const char *net, const char *other, bool allow, struct nsnet_error *e);

struct nsnet_publish_spec {
	int proto;                          /* IPPROTO_TCP or IPPROTO_UDP */
	const struct nsnet_prefix *host_ip; /* NULL: every address of the host */
	uint16_t host_port;
	const char *ns;                     /* a namespace attached to an nsnet network */
	uint16_t port;
	const char *net;                    /* NULL: the one network ns is on */
};
/* HOST_PORT answers from outside, from the host (its addresses and 127.0.0.1) and
 * from namespaces of every network. One publish per host port and protocol:
 * -EEXIST it is taken; -ENOENT ns is on no nsnet network (or not on net);
 * -EADDRNOTAVAIL host_ip is not the host's; -EPERM as nsnet_net_create(). */
int nsnet_publish(const struct nsnet_publish_spec *p, struct nsnet_error *e);
/* host_ip NULL: whatever address it was published on. -ENOENT: not published
 * (or published on another address). */
int nsnet_unpublish(int proto, const struct nsnet_prefix *host_ip, uint16_t host_port, struct nsnet_error *e);
/* Array of {proto, host_ip?, host_port, ns, port, net, ip, state: "ok"|"stale"}.
 * Caller json_decref()s (as the results of fw_restore and fw_status). */
int nsnet_publish_list(struct json_t **ret, struct nsnet_error *e);
/* Rebuild nsnet's table from state (after `nft flush ruleset`) and the host
 * settings it needs. *ret (may be NULL): foreign rules that drop or may drop
 * nsnet's traffic, as in nsnet_fw_status's "foreign". */
int nsnet_fw_restore(struct json_t **ret, struct nsnet_error *e);
/* {table, present, in_sync, networks, nat_networks, published, ip_forward,
 *  ipv6_forwarding, foreign: [{network, family, traffic, verdict, rule, fix}]} */
int nsnet_fw_status(struct json_t **ret, struct nsnet_error *e);

struct nsnet_fw_watch_opts {
	bool once;      /* return after the first restore */
	/* Each restore, as it is done: {time, action: "restored"|"failed", reason,
	 * networks, in_sync, ms, error?} (keys: docs/firewall.md), borrowed for the call.
	 * Nonzero stops the watch: nsnet_fw_watch() then returns 0, or the value when it
	 * is a negative errno. Optional. */
	int (*event)(const struct json_t *ev, void *data);
	/* Once subscribed, and the table checked (and restored) a first time (optional). */
	void (*ready)(void *data);
	void *data;
	/* An fd that becomes readable when the watch is to stop (a signalfd of SIGINT
	 * and SIGTERM, a pipe); 0 or -1: none. The library installs no signal handler. */
	int stop_fd;
};
/* Listen for nftables changes in the caller's network namespace (NFNLGRP_NFTABLES,
 * no polling) and, once a burst of them has deleted or changed any of nsnet's table,
 * rebuild it from state as nsnet_fw_restore() does; its own rebuilds' events are
 * recognised by generation id and never restored again. With no network in state it
 * only listens. A failed restore is reported (action "failed") and the watch goes
 * on, except with once: then it is the error. */
int nsnet_fw_watch(const struct nsnet_fw_watch_opts *o, struct nsnet_error *e);

/* ---- show: what is in a namespace (rtnetlink dumps) --------------------------- */

/* A JSON array with one object per namespace, in the order given: interfaces,
 * addresses, routes (table main), neighbours and forwarding (keys: docs/show-json.md).
 * names NULL or n 0: every named namespace, sorted; "host" is the caller's own.
 * An unknown name is -ENOENT before anything is read. Caller json_decref()s. */
int nsnet_show(const char *const *names, size_t n, struct json_t **ret, struct nsnet_error *e);

/* ---- capture: packets on a namespace's interfaces (libpcap, docs/capture.md) ----- */

struct nsnet_capture_opts {
	const char *ns;         /* a namespace reference, as nsnet_ns_open() takes */
	const char *ifname;     /* NULL: every interface that is up, except lo */
	const char *filter;     /* BPF in tcpdump syntax; NULL or "": every packet */
	unsigned snaplen;       /* bytes kept of each packet; 0: 262144 */
	bool no_promisc;        /* do not put the interfaces in promiscuous mode */
	uint64_t count;         /* stop after this many packets in all; 0: when cancelled */
	/* Standard pcap output (one link type: interfaces of different link types are
	 * refused, -EPROTONOSUPPORT), to a file created (0600, truncated) only once
	 * everything else has been checked, or to a stream the caller keeps (flushed
	 * after every packet, e.g. stdout into `wireshark -k -i -`). At most one. */
	const char *write_path;
	FILE *write_stream;
	/* Called once, when every interface is being captured on and before any packet
	 * is read: {namespace, interfaces: [{name, linktype, description}], skipped:
	 * [{name, reason}], snaplen, filter}. Borrowed. Optional. */
	void (*ready)(struct json_t *info, void *data);
	/* Called with each packet, decoded (keys: docs/capture.md; borrowed); a negative
	 * errno stops the capture with that error. Optional: NULL decodes nothing. */
	int (*packet)(struct json_t *pkt, void *data);
	void *data;
	/* Read between packets (optional): once nonzero, the capture ends normally. The
	 * flag of the caller's SIGINT/SIGTERM handler: the library installs none. */
	const volatile sig_atomic_t *cancel;
};
struct nsnet_capture_stats {
	uint64_t captured;      /* packets handed to the output */
	uint64_t received;      /* that the kernel's filter passed (libpcap's ps_recv) */
	uint64_t dropped;       /* that the kernel dropped for want of buffer space */
};
/* Capture from inside opts->ns until count packets or cancel, then close the output
 * properly. Errors change nothing (no file is created): -ENOENT an unknown namespace,
 * -ENODEV an unknown interface (or none to capture on), -ENETDOWN ifname is down,
 * -EINVAL a filter libpcap cannot compile (its message quoted), -EPROTONOSUPPORT
 * interfaces of different link types for one pcap output. The namespace deleted
 * meanwhile ends it with -ENOENT (its sockets would keep it alive), the output closed
 * whole. ret (optional): the counts. */
int nsnet_capture(const struct nsnet_capture_opts *o, struct nsnet_capture_stats *ret, struct nsnet_error *e);

/* ---- monitor: live events of namespaces (docs/monitor.md) ---------------------- */

struct nsnet_monitor_opts {
	/* What to watch: each a lab's name (its nodes) or a namespace reference ("host",
	 * a name under /run/netns, ...); a lab's name wins over a namespace's. n 0: every
	 * named namespace, and host. Names under /run/netns (every one, a lab's nodes, or
	 * those given) are followed: a namespace that appears under such a name is
	 * picked up ("netns add") and one whose name goes is dropped ("netns del"). */
	const char *const *targets;
	size_t n;
	/* Every event, an object {time, ns, object, action, ...} (keys: docs/monitor.md),
	 * borrowed for the call. Nonzero stops the monitor: nsnet_monitor() then returns
	 * 0, or the value when it is a negative errno. */
	int (*event)(const struct json_t *ev, void *data);
	/* Once every namespace found at the start is subscribed (optional). */
	void (*ready)(size_t n_namespaces, void *data);
	void *data;
	/* An fd that becomes readable when the monitor is to stop (a signalfd of SIGINT
	 * and SIGTERM, a pipe); 0 or -1: none. The library installs no signal handler. */
	int stop_fd;
};
/* Report the links, addresses, routes and neighbours that appear, change and go in
 * every namespace watched, and the changes of nsnet's own nftables table, as they
 * happen, until the callback or stop_fd says to stop. Unknown namespace: -ENOENT
 * before anything is watched. */
int nsnet_monitor(const struct nsnet_monitor_opts *o, struct nsnet_error *e);
/* An event as one line of text, worded as `ip monitor` words it, without a newline:
 * "12:00:01.123456 [red] addr add 10.0.0.1/24 dev eth0". Caller free()s *ret. */
int nsnet_monitor_text(const struct json_t *ev, char **ret, struct nsnet_error *e);

/* ---- labs: declarative topologies ------------------------------------------------ */

struct nsnet_up_opts {
	bool dry_run;   /* plan only: nothing is changed */
	bool explain;   /* add the equivalent ip/nft commands to each step */
	/* Called between steps of a large up: "namespaces", 1000, 1000 ... (optional). */
	void (*progress)(const char *step, size_t done, size_t total, void *data);
	void *progress_data;
	/* Read between steps (optional): once nonzero, up stops and rolls back what it
	 * made, failing with "interrupted" (-EINTR); nonzero before up applies anything,
	 * it changes nothing. A flag the caller's SIGINT/SIGTERM handler sets: the
	 * library installs no handler of its own. */
	const volatile sig_atomic_t *cancel;
};
/* Bring a lab up from FILE (NULL: the embedded default lab), changing only what
 * differs from what runs. ret_report (optional): { "lab", "changed", "steps": [...] },
 * caller json_decref()s. A failed up undoes what it made. -EINVAL an invalid lab
 * (the message points at FILE:LINE:COL), -EISDIR or -EFBIG not a regular file or
 * too big, -ENOENT neither a file nor a lab that is up; -EEXIST a namespace,
 * network or interface it must make exists and is not the lab's; -EPERM as
 * nsnet_net_create(); -EAGAIN an earlier up died half-way (nsnet_gc() first);
 * -EINTR cancelled (rolled back). */
int nsnet_lab_up(const char *file, const struct nsnet_up_opts *o, struct json_t **ret_report,
		 struct nsnet_error *e);
/* LAB is a lab name or a topology file; NULL means the default lab. -ENOENT: the
 * lab is not up (down: nothing to remove). */
int nsnet_lab_down(const char *lab, struct nsnet_error *e);
/* { lab, file, status: "up"|"degraded"|"applying", networks, nodes, links, ...,
 * firewall } (docs/labs.md), checked against the kernel: a degraded lab is a
 * success (0) that says so; -ENOENT a lab that is not up. Caller json_decref()s. */
int nsnet_lab_status(const char *lab, struct json_t **ret, struct nsnet_error *e);
/* [{name, file, status, nodes, networks, links}], [] when none. Caller json_decref()s. */
int nsnet_lab_list(struct json_t **ret, struct nsnet_error *e);
/* The lab as Graphviz DOT text (malloc'd): networks, nodes, the host, links with
 * their interface names and addresses, published ports, NAT, services; when the lab
 * is up, its live state (faults drawn red; docs/graph.md), else the file only.
 * Caller free()s *ret_dot. */
int nsnet_lab_graph(const char *lab, char **ret_dot, struct nsnet_error *e);
/* DOT text to a picture with libgvc (no program is run): format "svg" or "png"
 * (else -EINVAL, before anything is done). *ret_data (malloc'd, *ret_len bytes;
 * SVG is not NUL-terminated) only on success. Not thread-safe: libgvc is not. */
int nsnet_graph_render(const char *dot, const char *format, char **ret_data, size_t *ret_len,
		       struct nsnet_error *e);
/* A running lab's impairment of what one link end sends, changed in place (the veth
 * stays; docs/impairments.md). end: "NODE:IFNAME". rate: "10mbit" ("0": none), loss:
 * "1%" ("0": none); NULL keeps the current value; clear: both start from none. ret
 * (optional): { "lab", "node", "ifname", "rate", "loss" }, caller json_decref()s.
 * -EINVAL: a bad value; -ENOENT: no such lab, or no such end in it. */
struct nsnet_impair {
	const char *rate;
	const char *loss;
	bool clear;
};
int nsnet_lab_link_set(const char *lab, const char *end, const struct nsnet_impair *im, struct json_t **ret,
		       struct nsnet_error *e);
/* Every node pings every address of every other node. ret: { "lab", "pairs": [...],
 * "failed_required": N, "arp" } where a pair is required when the two share a network
 * or link. Each node resolves one neighbour per network by ARP/NDP (a ring); the other
 * on-link pairs are pinged with both ends' neighbour entries put in beforehand as
 * permanent ones, deleted afterwards (docs/labs.md: a full mesh by ARP does not scale
 * past a few hundred nodes). Unreachable pairs are a success (0): the report
 * counts them. Caller json_decref()s. */
int nsnet_lab_pingall(const char *lab, struct json_t **ret, struct nsnet_error *e);
struct nsnet_pingall_opts {
	bool arp_all;   /* every on-link pair resolved by ARP/NDP, none pre-resolved ("arp": "all") */
};
int nsnet_lab_pingall_opts(const char *lab, const struct nsnet_pingall_opts *o, struct json_t **ret,
			   struct nsnet_error *e);
/* Undo what killed commands left behind: journals of dead `up`s, networks of labs
 * that are gone, pending addresses. ret: what was removed (json_decref()). */
int nsnet_gc(struct json_t **ret, struct nsnet_error *e);

/* The output of a lab node's services (nsnet logs LAB NODE): its file's path.
 * -ENOENT: no such node, or it has no service output. */
int nsnet_lab_log_path(const char *lab, const char *node, char *buf, size_t len, struct nsnet_error *e);

/* ---- doctor: why SRC cannot reach DST ----------------------------------------- */

struct nsnet_doctor_opts {
	const char *src;          /* a namespace, or "host" */
	const char *dst;          /* a namespace, "host", a lab node, or an address */
	int proto;                /* IPPROTO_ICMP (0 means it too), IPPROTO_TCP or IPPROTO_UDP */
	unsigned port;            /* TCP/UDP destination port */
	unsigned timeout_ms;      /* how long the probe waits; 0: 1000 */
	/* ICMP only: the size of the probe's IP packet, with don't-fragment set, and
	 * every MTU on the path checked against it (0: a small probe, no MTU checks). */
	unsigned size;
};
/* Probe DST from inside SRC, then walk the path hop by hop and check every step
 * with evidence read from the kernel; changes nothing. The report (keys in
 * docs/doctor.md) says whether DST is reachable, each check with its mark and
 * evidence, the first broken step's cause and fix, and the path. Errors are for
 * input that names nothing (unknown namespace, DST neither address nor namespace):
 * -ENOENT, -EINVAL; -EADDRNOTAVAIL a DST namespace without a global address. An
 * unreachable DST is a success (0): the report says why. Caller json_decref()s. */
int nsnet_doctor(const struct nsnet_doctor_opts *o, struct json_t **ret, struct nsnet_error *e);

/* ---- run: a process on the network (docs/run.md) ------------------------------- */

struct nsnet_run_port {
	int proto;                          /* IPPROTO_TCP or IPPROTO_UDP */
	const struct nsnet_prefix *host_ip; /* NULL: every address of the host */
	uint16_t host_port, port;
};
struct nsnet_run_opts {
	const char *name;          /* the namespace's name; NULL: "run-" and 6 hex digits */
	const char *net;           /* the network to attach to; NULL: none (lo only) */
	const struct nsnet_prefix *ip;  /* a static address on net */
	const struct nsnet_run_port *ports;
	size_t n_ports;
	const char *hostname;      /* NULL: the name */
	char *const *argv;         /* the command */
	bool detached;             /* kept after it exits (ps, logs) until stopped, unless rm */
	bool rm;
};
struct nsnet_run;
/* Start argv as PID 1 of new network, PID, UTS, IPC and mount namespaces (its own
 * /proc, hostname, /etc/hosts, /etc/hostname, /etc/resolv.conf), attached to net
 * with ports published, stdio inherited. Signals stay the caller's to forward (to
 * nsnet_run_pid). If the caller dies, the command is killed and the run's record
 * is released by nsnet_gc(). -EEXIST: a namespace or a run of that name exists;
 * -EINVAL bad options; net and ports fail as nsnet_net_attach(), nsnet_publish().
 * *ret is the caller's until nsnet_run_wait() frees it. */
int nsnet_run_start(const struct nsnet_run_opts *o, struct nsnet_run **ret, struct nsnet_error *e);
/* The command's pid, the run's name (valid as long as run). */
pid_t nsnet_run_pid(const struct nsnet_run *run);
const char *nsnet_run_name(const struct nsnet_run *run);
/* Wait for the command (nohang: -EAGAIN while it runs); its status as a shell gives
 * it (128 + signal when killed); then release everything and free run. Only
 * -EAGAIN (the command runs; e is not filled) leaves run to the caller: any other
 * return, an error releasing the run's record included, has freed it. */
int nsnet_run_wait(struct nsnet_run *run, bool nohang, int *ret_status, struct nsnet_error *e);
/* The runs: [{name, pid, supervisor, state: running|exited|orphaned, status?, net,
 * ips?, publish, hostname, cmd, detached, rm, started}]. Caller json_decref()s. */
int nsnet_run_list(struct json_t **ret, struct nsnet_error *e);
/* Stop a run (SIGTERM through its supervisor, which kills it after 10 s), wait for
 * its release, and forget its record and log. -ENOENT: no run of that name;
 * -ETIMEDOUT: its supervisor did not end. */
int nsnet_run_stop(const char *name, unsigned timeout_ms, struct nsnet_error *e);
/* A detached run's output file: its path (-ENOENT: no such run, or it runs in the
 * foreground); open: created for writing (0600), an O_CLOEXEC fd the caller close()s. */
int nsnet_run_log_path(const char *name, char *buf, size_t len, struct nsnet_error *e);
int nsnet_run_log_open(const char *name, struct nsnet_error *e);

/* ---- CNI: nsnet as a Container Network Interface plugin (docs/cni.md) ------------ */

/* One request of the CNI exec protocol: the CNI_* variables (NULL: not set) and the
 * network configuration the runtime wrote on stdin. The library reads no
 * environment: the caller collects them. */
struct nsnet_cni_request {
	const char *command;       /* CNI_COMMAND: ADD, DEL, CHECK, GC, STATUS, VERSION */
	const char *container_id;  /* CNI_CONTAINERID */
	const char *netns;         /* CNI_NETNS */
	const char *ifname;        /* CNI_IFNAME */
	const char *args;          /* CNI_ARGS */
	const char *path;          /* CNI_PATH (where a delegated IPAM plugin is found) */
	const char *config;
	size_t config_len;
};
/* Serve one request (CNI spec 1.1.0; configurations of 0.3.0 to 1.1.0, the result in
 * the configuration's format). Returns 0 with *ret the result to print on stdout
 * (NULL: print nothing), or the spec's error code (> 0) with *ret the error object
 * {cniVersion, code, msg} to print. Caller json_decref()s. Never a negative errno
 * and no struct nsnet_error: the protocol's error object carries the message. */
int nsnet_cni(const struct nsnet_cni_request *req, struct json_t **ret);

#ifdef __cplusplus
}
#endif
#endif
