/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * observe/: looking at namespaces while they run, without changing them: live
 * rtnetlink and nftables events (monitor) and packet capture (capture, libpcap).
 * It sits beside show/ and probe/: it reads the kernel through netns/ and rtnl/,
 * and what nsnet knows through state/.
 */
#ifndef NSNET_OBSERVE_H
#define NSNET_OBSERVE_H
#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include "nsnet.h"

/* ---- capture: capture_if.c, capture.c, capture_decode.c ---------------------------- */
#include <net/if.h>
#include <sys/time.h>
#include <jansson.h>
#include <pcap/pcap.h>

#define CAPTURE_SNAPLEN_DEFAULT 262144u

/* One interface being captured on: an activated libpcap handle whose packet socket
 * was made inside the namespace (a packet socket belongs to the namespace of the
 * thread that creates it, and keeps it whichever thread reads it later). */
struct capture_if {
	char name[IF_NAMESIZE];
	int index;
	pcap_t *pcap;
	int linktype;   /* DLT_*, as pcap_datalink() says */
	int fd;         /* pcap_get_selectable_fd(), to poll */
};

struct capture_set {
	struct capture_if *v;
	size_t n;
	json_t *skipped;   /* [{name, reason}]: interfaces left out (down) */
};

/* From a thread inside the namespace behind nsfd (ns: its name, for messages): list
 * its interfaces over rtnetlink and activate a non-blocking, immediate-mode handle on
 * ifname, or (ifname NULL) on every interface that is up except lo. -ENODEV: no such
 * interface, or none to capture on; -ENETDOWN: ifname is down. */
int capture_set_open(int nsfd, const char *ns, const char *ifname, unsigned snaplen, bool promisc,
		     struct capture_set *ret, struct nsnet_error *e);
void capture_set_close(struct capture_set *s);

/* One packet as a JSON object (keys in docs/capture.md): when and where, its length,
 * what it is (protocol, addresses, ports, ICMP type...) and a one-line "summary" in
 * tcpdump's manner. Pure: reads only the bytes given (caplen of them), so the unit
 * tests and the fuzzer feed it packets made in memory. NULL when out of memory. */
json_t *capture_decode(int linktype, const struct timeval *ts, const char *ifname, const uint8_t *p,
		       uint32_t caplen, uint32_t len);

/* ---- monitor: live events (nsnet_monitor, docs/monitor.md) -----------------------
 *
 * One poll loop over every watched namespace's two sockets: rtnetlink subscribed to
 * links, addresses, routes and neighbours, and nfnetlink to nftables' changes. Each
 * namespace remembers what it has seen (from a dump at the start, then from the
 * events), so that a NEW message can be told apart as add or change and a repeat
 * that changes nothing we show is not reported at all.
 */

struct mon_ns {
	char *label;          /* what its events are tagged with: a name, "host", a reference */
	bool followed;        /* a name under /run/netns: dropped when the name goes */
	dev_t dev;            /* the namespace's identity (nsfs inode) */
	ino_t ino;
	int nsfd;             /* held for dumps (resync) */
	struct mnl_socket *rt;   /* rtnetlink, subscribed */
	struct mnl_socket *nf;   /* nfnetlink (nftables), NULL when the kernel has none */
	json_t *known;        /* "link 5", "addr ...", ...: the object's fields as last reported */
};

/* What one message says, to report: fields owned by whoever holds it. */
struct mon_event {
	const char *object;   /* "link", "addr", "route", "neigh", "nft", "netns" */
	const char *action;   /* "add", "change", "del" */
	json_t *fields;
};

/* monitor_ns.c: one namespace. nsfd is the namespace (duplicated, the caller keeps
 * its own); the sockets are created by a thread that entered it, subscribed, then
 * what is there now is read into known. */
int mon_ns_open(int nsfd, const char *label, bool followed, struct mon_ns **ret, struct nsnet_error *e);
void mon_ns_free(struct mon_ns *ns);
/* The identity of the namespace behind fd; -ENOTTY when fd is not a namespace file
 * (e.g. /run/netns/NAME before `ip netns add` has mounted over it). */
int mon_ns_identity(int fd, dev_t *dev, ino_t *ino);
/* Read what the namespace has now into known again (after lost events). */
int mon_ns_resync(struct mon_ns *ns, struct nsnet_error *e);

/* monitor_rtnl.c: one rtnetlink message. */
struct mon_obj {
	const char *object;   /* "link", "addr", "route", "neigh" */
	bool del;
	char key[192];        /* identity in known */
	json_t *fields;       /* owned by the caller */
};
/* 1: an object (ret filled), 0: a message we do not report, <0: -errno. */
int mon_rtnl_decode(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *ret);
/* Remember obj in known without reporting it (the first dump). */
int mon_rtnl_learn(struct mon_ns *ns, struct nlmsghdr *nlh);
/* Decode, compare with known and remember: 1 with an event to report, 0 when the
 * message says nothing new, -ENOMEM. */
int mon_rtnl_event(struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_event *ret);

/* monitor_nft.c: one nfnetlink message: 1 with an event when it is a change of
 * nsnet's own table, 0 for anything else, -ENOMEM. */
int mon_nft_event(const struct nlmsghdr *nlh, struct mon_event *ret);

/* monitor_set.c: the namespaces watched, and the one place events are made. */
struct monitor {
	const struct nsnet_monitor_opts *o;
	struct mon_ns **v;
	size_t n, cap;
	bool running;   /* past the start: namespaces coming and going are events */
	bool failed;    /* an event could not be reported: the callback's -errno, or no memory */
};
/* Report one event {time, ns, object, action, fields...}; takes fields (may be
 * NULL). Returns nonzero once the caller wants to stop (<0: an error). */
int mon_emit(struct monitor *m, const struct mon_ns *ns, const char *object, const char *action, json_t *fields);
size_t mon_count(const struct monitor *m);
struct mon_ns *mon_at(const struct monitor *m, size_t i);
/* Start watching (opens its sockets; reports "netns add" once the monitor runs). */
int mon_add(struct monitor *m, int nsfd, const char *label, bool followed, struct nsnet_error *e);
/* Stop watching the i-th, reporting "netns del" (with why, if error is not NULL). */
int mon_drop(struct monitor *m, size_t i, const char *error);
/* Is the namespace dev/ino watched already (under another name)? */
bool mon_has(const struct monitor *m, dev_t dev, ino_t ino);

/* monitor_watch.c: which namespaces to watch, and following their names. */
struct mon_watch;
/* targets: labs and namespace references (n 0: every name, and host). Static ones
 * are opened now (an unknown one is an error); names are found by mon_watch_scan. */
int mon_watch_new(const char *const *targets, size_t n, struct mon_watch **ret, struct nsnet_error *e);
void mon_watch_free(struct mon_watch *w);
/* The inotify fd to poll (-1 when none is needed). */
int mon_watch_fd(const struct mon_watch *w);
/* Milliseconds until a name seen half-made is to be looked at again (-1: none). */
int mon_watch_timeout(const struct mon_watch *w);
/* After the inotify fd is readable or the timeout passed (or at the start): drain
 * it, then list /run/netns and bring m's set in line (mon_add, mon_drop). */
int mon_watch_scan(struct mon_watch *w, struct monitor *m, struct nsnet_error *e);
/* The static namespaces (references given, host), in the order given: called once. */
int mon_watch_static(struct mon_watch *w, struct monitor *m, struct nsnet_error *e);

#endif
