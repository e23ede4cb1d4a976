/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor's probe: the real thing, sent from inside SRC by a short-lived thread that
 * entered SRC's namespace. ICMP echo through a "ping socket" (SOCK_DGRAM,
 * IPPROTO_ICMP) when SRC's net.ipv4.ping_group_range admits our group, else a raw
 * socket (root); TCP connect with a timeout; UDP send, then wait for an answer or an
 * ICMP port unreachable. ICMP errors and local errors (no route, no ARP reply) come
 * back through IP_RECVERR, so the probe can say who refused it and how.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <time.h>
#include "doctor/doctor.h"
#include "base/base.h"

struct probe_op {
	const struct dr_pkt *p;
	unsigned timeout_ms;
	char *detail;
	size_t len;
	int result;            /* 1 reached, 0 not, -1 inconclusive */
	uint16_t id;
};

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static socklen_t sockaddr_of(const struct nsnet_prefix *a, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		memcpy(&s->sin_addr, a->addr, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	memcpy(&s->sin6_addr, a->addr, 16);
	return sizeof(*s);
}

static const char *icmp_error(int family, unsigned type, unsigned code)
{
	if (family == AF_INET && type == ICMP_DEST_UNREACH) {
		switch (code) {
		case ICMP_NET_UNREACH: return "network unreachable";
		case ICMP_HOST_UNREACH: return "host unreachable";
		case ICMP_PROT_UNREACH: return "protocol unreachable";
		case ICMP_PORT_UNREACH: return "port unreachable";
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED: return "administratively prohibited";
		default: return "destination unreachable";
		}
	}
	if (family == AF_INET6 && type == ICMP6_DST_UNREACH) {
		switch (code) {
		case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
		case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
		case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
		case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
		default: return "destination unreachable";
		}
	}
	if ((family == AF_INET && type == ICMP_TIME_EXCEEDED) || (family == AF_INET6 && type == ICMP6_TIME_EXCEEDED))
		return "time to live exceeded (a routing loop?)";
	return "ICMP error";
}

/* An error queued by IP_RECVERR: 1 when one was read (detail written), 0 none. */
static int read_errqueue(int fd, int family, char *detail, size_t len, bool *port_unreach)
{
	char data[512], ctl[512];
	struct sockaddr_storage from;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
		char who[INET6_ADDRSTRLEN] = "?";
		const struct sockaddr *off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)off)->sin_addr, who, sizeof(who));
		else if (off->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)off)->sin6_addr, who, sizeof(who));
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
			*port_unreach = (family == AF_INET && ee->ee_type == ICMP_DEST_UNREACH && ee->ee_code == ICMP_PORT_UNREACH) ||
					(family == AF_INET6 && ee->ee_type == ICMP6_DST_UNREACH &&
					 ee->ee_code == ICMP6_DST_UNREACH_NOPORT);
			snprintf(detail, len, "ICMP %s from %s", icmp_error(family, ee->ee_type, ee->ee_code), who);
		} else {
			snprintf(detail, len, "%s", strerror((int)ee->ee_errno));
		}
		return 1;
	}
	return 0;
}

static bool ping_socket_allowed(int family)
{
	/* One range for both families: the IPv4 sysctl governs IPv6 ping sockets too. */
	(void)family;
	char buf[64];
	if (read_file_line("/proc/sys/net/ipv4/ping_group_range", buf, sizeof(buf)) < 0)
		return false;
	unsigned long lo, hi;
	if (sscanf(buf, "%lu %lu", &lo, &hi) != 2)
		return false;
	gid_t g = getegid();
	return lo <= g && g <= hi;
}

static uint16_t csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)(b[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* An echo reply (1), an ICMP error about our echo (0, detail set), or neither (-1). */
static int icmp_reply(struct probe_op *op, const uint8_t *b, size_t n, bool raw, const struct sockaddr_storage *from)
{
	bool v6 = op->p->family == AF_INET6;
	struct nsnet_prefix src = { .family = op->p->family };
	if (raw && !v6) {   /* IPv4 raw sockets see the IP header */
		if (n < sizeof(struct iphdr))
			return -1;
		const struct iphdr *ip = (const void *)b;
		memcpy(src.addr, &ip->saddr, 4);
		size_t hl = (size_t)ip->ihl * 4;
		if (hl > n)
			return -1;
		b += hl;
		n -= hl;
	} else if (v6) {
		memcpy(src.addr, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
	} else {
		memcpy(src.addr, &((const struct sockaddr_in *)from)->sin_addr, 4);
	}
	if (n < 8)
		return -1;
	unsigned type = b[0], reply = v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
	uint16_t id = (uint16_t)(b[4] << 8 | b[5]);
	if (type == reply) {
		/* Ping sockets rewrite the id; the kernel only hands them their own replies. */
		if ((raw && id != op->id) || memcmp(src.addr, op->p->dst.addr, v6 ? 16 : 4))
			return -1;
		return 1;
	}
	if (!raw || type == (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO))
		return -1;
	/* An error quotes our packet: its IP header, then our echo's first 8 bytes. */
	size_t inner = v6 ? 40 : (n >= 9 ? (size_t)(b[8] & 0xf) * 4 : 0);
	if (!inner || n < 8 + inner + 8)
		return -1;
	const uint8_t *q = b + 8 + inner;
	if ((uint16_t)(q[4] << 8 | q[5]) != op->id)
		return -1;
	char who[INET6_ADDRSTRLEN];
	inet_ntop(op->p->family, src.addr, who, sizeof(who));
	snprintf(op->detail, op->len, "ICMP %s from %s", icmp_error(op->p->family, type, b[1]), who);
	return 0;
}

static int icmp_probe(struct probe_op *op)
{
	const struct dr_pkt *p = op->p;
	bool v6 = p->family == AF_INET6, raw = !ping_socket_allowed(p->family);
	int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	_cleanup_close_ int fd = socket(p->family, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (fd < 0 && !raw) {
		raw = true;
		fd = socket(p->family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	}
	if (fd < 0) {
		snprintf(op->detail, op->len, "cannot open an ICMP socket: %s (raw sockets need root; ping sockets need "
			 "net.ipv4.ping_group_range to include the caller's group)", strerror(errno));
		return -errno;
	}
	int one = 1;
	setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one));
	struct sockaddr_storage to;
	socklen_t tl = sockaddr_of(&p->dst, 0, &to);
	const unsigned tries = 3;
	long start = now_ms(), deadline = start + op->timeout_ms;
	for (unsigned seq = 1; seq <= tries; seq++) {
		uint8_t pkt[64] = { 0 };
		pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		pkt[4] = (uint8_t)(op->id >> 8);
		pkt[5] = (uint8_t)op->id;
		pkt[7] = (uint8_t)seq;
		memcpy(pkt + 8, "nsnet doctor", 12);
		if (!v6 && raw) {
			uint16_t c = csum(pkt, sizeof(pkt));
			memcpy(pkt + 2, &c, 2);
		}
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, tl) < 0) {
			int err = errno;
			bool pu = false;
			if (!read_errqueue(fd, p->family, op->detail, op->len, &pu))
				snprintf(op->detail, op->len, "cannot send: %s", strerror(err));
			op->result = 0;
			return 0;
		}
		long until = seq == tries ? deadline : start + (long)op->timeout_ms * seq / tries;
		for (long t; (t = now_ms()) < until;) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, (int)(until - t)) <= 0)
				continue;
			bool pu = false;
			if (pf.revents & POLLERR && read_errqueue(fd, p->family, op->detail, op->len, &pu)) {
				op->result = 0;
				return 0;
			}
			uint8_t b[1500];
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
			if (n <= 0)
				continue;
			int k = icmp_reply(op, b, (size_t)n, raw, &from);
			if (k == 1) {
				snprintf(op->detail, op->len, "echo reply after %ld ms", now_ms() - start);
				op->result = 1;
				return 0;
			}
			if (k == 0) {
				op->result = 0;
				return 0;
			}
		}
	}
	snprintf(op->detail, op->len, "no reply within %u ms", op->timeout_ms);
	op->result = 0;
	return 0;
}

static int tcp_probe(struct probe_op *op)
{
	const struct dr_pkt *p = op->p;
	_cleanup_close_ int fd = socket(p->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_storage to;
	socklen_t tl = sockaddr_of(&p->dst, p->port, &to);
	long start = now_ms();
	int err = 0;
	if (connect(fd, (struct sockaddr *)&to, tl) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pf = { fd, POLLOUT, 0 };
			int k = poll(&pf, 1, (int)op->timeout_ms);
			socklen_t el = sizeof(err);
			if (k <= 0)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
		}
	}
	op->result = err == 0;
	if (err == 0)
		snprintf(op->detail, op->len, "connected after %ld ms", now_ms() - start);
	else if (err == ECONNREFUSED)
		snprintf(op->detail, op->len, "connection refused (a TCP reset: the address answered, nothing accepts on port %u)",
			 p->port);
	else if (err == ETIMEDOUT)
		snprintf(op->detail, op->len, "no answer within %u ms", op->timeout_ms);
	else
		snprintf(op->detail, op->len, "connect: %s", strerror(err));
	return 0;
}

static int udp_probe(struct probe_op *op)
{
	const struct dr_pkt *p = op->p;
	bool v6 = p->family == AF_INET6;
	_cleanup_close_ int fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one));
	struct sockaddr_storage to;
	socklen_t tl = sockaddr_of(&p->dst, p->port, &to);
	if (connect(fd, (struct sockaddr *)&to, tl) < 0) {
		snprintf(op->detail, op->len, "connect: %s", strerror(errno));
		op->result = 0;
		return 0;
	}
	const unsigned tries = 2;
	long start = now_ms();
	for (unsigned i = 1; i <= tries; i++) {
		if (send(fd, "nsnet doctor\n", 13, 0) < 0) {
			int err = errno;
			bool pu = false;
			if (!read_errqueue(fd, p->family, op->detail, op->len, &pu))
				snprintf(op->detail, op->len, "cannot send: %s", strerror(err));
			op->result = 0;
			return 0;
		}
		long until = start + (long)op->timeout_ms * i / tries;
		for (long t; (t = now_ms()) < until;) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, (int)(until - t)) <= 0)
				continue;
			bool pu = false;
			if (pf.revents & POLLERR && read_errqueue(fd, p->family, op->detail, op->len, &pu)) {
				op->result = 0;
				return 0;
			}
			char b[512];
			if (recv(fd, b, sizeof(b), 0) >= 0) {
				snprintf(op->detail, op->len, "an answer came back after %ld ms", now_ms() - start);
				op->result = 1;
				return 0;
			}
		}
	}
	snprintf(op->detail, op->len, "sent; no answer and no ICMP error within %u ms (UDP has no handshake: "
		 "inconclusive)", op->timeout_ms);
	op->result = -1;
	return 0;
}

static int probe_in(void *arg)
{
	struct probe_op *op = arg;
	if (op->p->l4 == IPPROTO_TCP)
		return tcp_probe(op);
	if (op->p->l4 == IPPROTO_UDP)
		return udp_probe(op);
	return icmp_probe(op);
}

int dr_probe(const char *src, const struct dr_pkt *p, unsigned timeout_ms, int *ret_result, char *detail, size_t len,
	     struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	bool host = streq(src, NSNET_HOST);
	if (!host) {
		int r = nsnet_ns_open(src, &fd, e);
		if (r < 0)
			return r;
	}
	struct probe_op op = { .p = p, .timeout_ms = timeout_ms, .detail = detail, .len = len, .result = 0,
			       .id = (uint16_t)(getpid() ^ (now_ms() << 4)) };
	detail[0] = 0;
	/* Even for the host a thread of its own: the probe never touches the caller's. */
	int r = ns_run_in(host ? NS_NEW_THREAD : fd, probe_in, &op);
	if (r < 0)
		return nsnet_err(e, r, "probe from '%s'%s%s", src, detail[0] ? ": " : "", detail);
	*ret_result = op.result;
	return 0;
}
