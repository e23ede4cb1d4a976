/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * observe/: looking at namespaces while they run, without changing them: live
 * rtnetlink and nftables events (monitor) and packet capture (capture, libpcap).
 * It sits beside show/ and probe/: it reads the kernel through netns/ and rtnl/,
 * and what nsnet knows through state/.
 */
#ifndef NSNET_OBSERVE_H
#define NSNET_OBSERVE_H
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

#endif
