/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floor: the fewest kernel calls that build N named namespaces, each with a veth
 * to a bridge, an address and a default route. No state, no validation, no
 * rollback: what any tool doing this job must at least pay.
 *
 *   floor up   PREFIX N SUBNET16 [--no-ipv6] [--nets K] [--threads T]   e.g. floor up f 1000 10.1
 *   floor down PREFIX N [--nets K] [--threads T]
 *
 * Namespaces PREFIX1..PREFIXN; one bridge PREFIX-br with 10.1.0.1/16, members from .2
 * on; or with --nets K, K bridges PREFIX-br0.. on 10.1, 10.2, ... (/16 each), the
 * nodes split among them in blocks. --threads T: T workers make the nodes at once,
 * as parallel as the kernel lets them (namespace creation runs in parallel; link
 * changes take RTNL in turn). The default, one bridge and one thread, is the serial
 * floor of bench/run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rtnl/rtnl.h"

static void die(const char *what, const struct nsnet_error *e)
{
	fprintf(stderr, "floor: %s: %s\n", what, e ? e->msg : strerror(errno));
	exit(1);
}

static struct nsnet_prefix addr(const char *s)
{
	struct nsnet_prefix p;
	if (nsnet_prefix_parse(s, false, &p, NULL) < 0)
		die(s, NULL);
	return p;
}

/* FLOOR_PHASES=1: when each phase ended, on stderr (seconds since the start). */
static void phase(const char *what)
{
	static struct timespec t0;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec)
		t0 = t;
	if (getenv("FLOOR_PHASES"))
		fprintf(stderr, "floor: %.3f s: %s\n", (double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9, what);
}

/* What every worker shares: the job, and the next node to make. */
struct job {
	const char *prefix, *sub16;
	int n, k, per;       /* nodes, bridges, nodes per bridge */
	int bidx[64];        /* each bridge's ifindex */
	bool no_v6;
	int hostfd;          /* the host's namespace, to come back to */
	atomic_int next;
};

/* Bridge b's subnet "A.(B+b)" from sub16 "A.B". */
static void subnet_of(const char *sub16, int b, char *out, size_t len)
{
	int a0 = 10, a1 = 1;
	sscanf(sub16, "%d.%d", &a0, &a1);
	snprintf(out, len, "%d.%d", a0, a1 + b);
}

/* Node i (1-based): its own namespace, a veth to its bridge made from the host, then
 * its end configured from inside. The worker's thread moves into each new namespace
 * (unshare affects only the calling thread); its host socket stays in the host. */
static void make_node(struct job *j, struct nl *host, int i)
{
	struct nsnet_error e = { 0 };
	struct nl_batch b;
	nl_batch_init(&b);
	char name[64], path[128], hostif[16], sub[32], buf[64];
	int br = (i - 1) / j->per, m = (i - 1) % j->per + 1;
	subnet_of(j->sub16, br, sub, sizeof(sub));
	snprintf(name, sizeof(name), "%s%d", j->prefix, i);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	snprintf(hostif, sizeof(hostif), "%sv%d", j->prefix, i);
	close(open(path, O_RDONLY | O_CREAT | O_EXCL, 0));
	if (unshare(CLONE_NEWNET) < 0 || mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		die("netns", NULL);
	int nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nl *nl;
	if (nl_open_fd(NS_SELF, &nl, &e) < 0)
		die("socket", &e);
	if (j->no_v6 && setns(j->hostfd, CLONE_NEWNET) < 0)   /* /proc/sys/net below is the host's */
		die("setns", NULL);
	struct veth_msg v = { .name = hostif, .ns_fd = -1, .peer = "eth0", .peer_fd = nsfd, .peer_index = 2,
			      .master = j->bidx[br] };
	msg_veth_add(&b, &v);
	if (j->no_v6) {
		/* As nsnet does: IPv6 off on the host end before it goes up (no ff00::/8
		 * route per host end; see lib/link/host.c). */
		if (nl_batch_send(host, &b, &e) < 0)
			die("veth", &e);
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", hostif);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1", 1) < 0)
			die(path, NULL);
		close(fd);
	}
	msg_link_set(&b, 0, hostif, LINK_UP | (j->no_v6 ? LINK_NO_IPV6LL : 0));
	if (nl_batch_send(host, &b, &e) < 0)
		die("veth", &e);
	snprintf(buf, sizeof(buf), "%s.%d.%d/16", sub, (m + 1) / 256, (m + 1) % 256);
	struct nsnet_prefix a = addr(buf), def = { .family = AF_INET };
	snprintf(buf, sizeof(buf), "%s.0.1/32", sub);
	struct nsnet_prefix gw = addr(buf);
	msg_link_set(&b, 1, "lo", LINK_UP);
	msg_link_set(&b, 2, "eth0", LINK_UP | (j->no_v6 ? LINK_NO_IPV6LL : 0));
	msg_addr(&b, true, 2, &a, "eth0");
	msg_route(&b, true, &def, &gw, 2);
	if (nl_batch_send(nl, &b, &e) < 0)
		die(name, &e);
	nl_close(nl);
	close(nsfd);
}

static void *worker(void *p)
{
	struct job *j = p;
	struct nsnet_error e = { 0 };
	struct nl *host;
	if (nl_open_fd(NS_SELF, &host, &e) < 0)   /* before the thread leaves the host */
		die("socket", &e);
	for (int i; (i = atomic_fetch_add(&j->next, 1) + 1) <= j->n;)
		make_node(j, host, i);
	nl_close(host);
	return NULL;
}

static int up(const char *prefix, int n, const char *sub16, bool no_v6, int k, int threads)
{
	phase("start");
	struct nsnet_error e = { 0 };
	struct job j = { .prefix = prefix, .sub16 = sub16, .n = n, .k = k, .per = (n + k - 1) / k, .no_v6 = no_v6,
			 .hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) };
	atomic_init(&j.next, 0);
	struct nl *host;
	if (nl_open_fd(NS_SELF, &host, &e) < 0)
		die("socket", &e);
	struct nl_batch b;
	nl_batch_init(&b);
	for (int i = 0; i < k; i++) {
		char br[32], buf[64], sub[32];
		snprintf(br, sizeof(br), k == 1 ? "%s-br" : "%s-br%d", prefix, i);
		msg_bridge_add(&b, br, 0);
		if (nl_batch_send(host, &b, &e) < 0)
			die("bridge", &e);
		j.bidx[i] = link_index(host, br);
		subnet_of(sub16, i, sub, sizeof(sub));
		snprintf(buf, sizeof(buf), "%s.0.1/16", sub);
		struct nsnet_prefix gw = addr(buf);
		if (no_v6)
			msg_link_set(&b, j.bidx[i], br, LINK_NO_IPV6LL);
		msg_addr(&b, true, j.bidx[i], &gw, br);
		msg_link_set(&b, j.bidx[i], br, LINK_UP);
		if (nl_batch_send(host, &b, &e) < 0)
			die("bridge setup", &e);
	}
	phase("bridges made");
	mkdir("/run/netns", 0755);
	pthread_t th[64];
	for (int t = 0; t < threads; t++)
		pthread_create(&th[t], NULL, worker, &j);
	for (int t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	phase("nodes made");
	return 0;
}

struct down_job {
	const char *prefix;
	int n;
	atomic_int next;
};

static void *unmounter(void *p)
{
	struct down_job *j = p;
	char path[128];
	for (int i; (i = atomic_fetch_add(&j->next, 1) + 1) <= j->n;) {
		snprintf(path, sizeof(path), "/run/netns/%s%d", j->prefix, i);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return NULL;
}

/* The namespaces first (the kernel destroys them, and their veths, in batches), then
 * the bridges. */
static int down(const char *prefix, int n, int k, int threads)
{
	phase("start");
	struct down_job j = { .prefix = prefix, .n = n };
	atomic_init(&j.next, 0);
	pthread_t th[64];
	for (int t = 0; t < threads; t++)
		pthread_create(&th[t], NULL, unmounter, &j);
	for (int t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	phase("namespaces unmounted");
	struct nsnet_error e = { 0 };
	struct nl *host;
	if (nl_open_fd(NS_SELF, &host, &e) < 0)
		die("socket", &e);
	struct nl_batch b;
	nl_batch_init(&b);
	for (int i = 0; i < k; i++) {
		char br[32];
		snprintf(br, sizeof(br), k == 1 ? "%s-br" : "%s-br%d", prefix, i);
		msg_link_del(&b, 0, br);
		if (nl_batch_send(host, &b, &e) < 0)
			die("bridge", &e);
	}
	phase("bridges deleted");
	return 0;
}

int main(int argc, char **argv)
{
	int k = 1, threads = 1;
	bool no_v6 = false;
	int pos = 0;
	const char *args[5] = { 0 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-ipv6") == 0)
			no_v6 = true;
		else if (strcmp(argv[i], "--nets") == 0 && i + 1 < argc)
			k = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (pos < 5)
			args[pos++] = argv[i];
	}
	if (k < 1 || k > 64 || threads < 1 || threads > 64)
		pos = 0;
	if (pos == 4 && strcmp(args[0], "up") == 0)
		return up(args[1], atoi(args[2]), args[3], no_v6, k, threads);
	if (pos == 3 && strcmp(args[0], "down") == 0)
		return down(args[1], atoi(args[2]), k, threads);
	fprintf(stderr, "usage: floor up PREFIX N SUBNET16 [--no-ipv6] [--nets K] [--threads T]\n"
			"       floor down PREFIX N [--nets K] [--threads T]\n");
	return 2;
}
