/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floor: the fewest kernel calls that build N named namespaces, each with a veth
 * to one bridge, an address and a default route. No state, no validation, no
 * rollback: what any tool doing this job must at least pay.
 *
 *   floor up   PREFIX N SUBNET16 [--no-ipv6]   e.g. floor up f 1000 10.1
 *   floor down PREFIX N
 *
 * Namespaces PREFIX1..PREFIXN, bridge PREFIX-br with 10.1.0.1/16, members from .2 on.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int up(const char *prefix, int n, const char *sub16, bool no_v6)
{
	struct nsnet_error e = { 0 };
	char br[32], buf[64];
	snprintf(br, sizeof(br), "%s-br", prefix);
	int hostfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nl *host;
	if (nl_open_fd(NS_SELF, &host, &e) < 0)
		die("socket", &e);
	struct nl_batch b;
	nl_batch_init(&b);
	msg_bridge_add(&b, br, 0);
	if (nl_batch_send(host, &b, &e) < 0)
		die("bridge", &e);
	int bidx = link_index(host, br);
	snprintf(buf, sizeof(buf), "%s.0.1/16", sub16);
	struct nsnet_prefix gw = addr(buf);
	if (no_v6)
		msg_link_set(&b, bidx, br, LINK_NO_IPV6LL);
	msg_addr(&b, true, bidx, &gw, br);
	msg_link_set(&b, bidx, br, LINK_UP);
	if (nl_batch_send(host, &b, &e) < 0)
		die("bridge setup", &e);
	mkdir("/run/netns", 0755);
	for (int i = 1; i <= n; i++) {
		char name[64], path[128], hostif[16];
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		snprintf(path, sizeof(path), "/run/netns/%s", name);
		snprintf(hostif, sizeof(hostif), "%sv%d", prefix, i);
		close(open(path, O_RDONLY | O_CREAT | O_EXCL, 0));
		if (unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			die("netns", NULL);
		int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		struct nl *nl;
		if (nl_open_fd(NS_SELF, &nl, &e) < 0)
			die("socket", &e);
		if (setns(hostfd, CLONE_NEWNET) < 0)
			die("setns", NULL);
		struct veth_msg v = { .name = hostif, .ns_fd = -1, .peer = "eth0", .peer_fd = nsfd, .peer_index = 2,
				      .master = bidx };
		msg_veth_add(&b, &v);
		msg_link_set(&b, 0, hostif, LINK_UP | (no_v6 ? LINK_NO_IPV6LL : 0));
		if (nl_batch_send(host, &b, &e) < 0)
			die("veth", &e);
		snprintf(buf, sizeof(buf), "%s.%d.%d/16", sub16, (i + 1) / 256, (i + 1) % 256);
		struct nsnet_prefix a = addr(buf), def = { .family = AF_INET };
		gw.len = 32;
		msg_link_set(&b, 1, "lo", LINK_UP);
		msg_link_set(&b, 2, "eth0", LINK_UP | (no_v6 ? LINK_NO_IPV6LL : 0));
		msg_addr(&b, true, 2, &a, "eth0");
		msg_route(&b, true, &def, &gw, 2);
		if (nl_batch_send(nl, &b, &e) < 0)
			die(name, &e);
		nl_close(nl);
		close(nsfd);
	}
	return 0;
}

static int down(const char *prefix, int n)
{
	char path[128], br[32];
	for (int i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s%d", prefix, i);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	struct nsnet_error e = { 0 };
	struct nl *host;
	if (nl_open_fd(NS_SELF, &host, &e) < 0)
		die("socket", &e);
	struct nl_batch b;
	nl_batch_init(&b);
	snprintf(br, sizeof(br), "%s-br", prefix);
	msg_link_del(&b, 0, br);
	if (nl_batch_send(host, &b, &e) < 0)
		die("bridge", &e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "up") == 0)
		return up(argv[2], atoi(argv[3]), argv[4], argc > 5 && strcmp(argv[5], "--no-ipv6") == 0);
	if (argc == 4 && strcmp(argv[1], "down") == 0)
		return down(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: floor up PREFIX N SUBNET16 [--no-ipv6] | floor down PREFIX N\n");
	return 2;
}
