/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ICMP and ICMPv6 echo to many addresses at once from the calling thread's
 * namespace: one socket per family, every request out at once, replies matched back
 * by id and sequence (the sequence is the target's index), the unanswered asked
 * again until the timeout. A "ping socket" (SOCK_DGRAM, IPPROTO_ICMP) when the
 * namespace's net.ipv4.ping_group_range admits our group, else a raw socket (root).
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include "probe/probe.h"
#include "base/base.h"

/* <linux/icmp.h>'s, which clashes with <netinet/ip_icmp.h>: the ICMP types a raw
 * IPv4 socket does not want (SOL_RAW). */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
struct raw_icmp_filter {
	uint32_t data;
};

struct echo_sock {
	int fd;
	int family;
	bool raw;
};

static bool ping_socket_allowed(void)
{
	/* One range for both families: the IPv4 sysctl governs IPv6 ping sockets too. */
	char buf[64];
	if (read_file_line("/proc/sys/net/ipv4/ping_group_range", buf, sizeof(buf)) < 0)
		return false;
	unsigned long lo, hi;
	if (sscanf(buf, "%lu %lu", &lo, &hi) != 2)
		return false;
	gid_t g = getegid();
	return lo <= g && g <= hi;
}

static int echo_socket(struct echo_sock *s, int family, const struct probe_echo_opts *o)
{
	bool v6 = family == AF_INET6, raw = o->raw || !ping_socket_allowed();
	int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(family, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (fd < 0 && !raw) {
		raw = true;
		fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	}
	if (fd < 0)
		return -errno;
	if (o->dont_fragment) {
		int v = v6 ? IPV6_PMTUDISC_DO : IP_PMTUDISC_DO;
		setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, &v, sizeof(v));
	}
	if (raw) {
		/* Many echoes out at once mean as many replies at once (pingall: one per
		 * node of a lab); the default buffer (some 200 kB, ~270 replies) would drop
		 * the rest until the next resend. Root may go past rmem_max. */
		int sz = 4 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		/* The same for requests: a veth holds them in the backlog a while. */
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (o->faults) {
		probe_recverr(fd, family);
	} else if (!v6 && raw) {
		/* A raw socket gets a copy of every ICMP message the namespace receives
		 * (the other nodes' echo requests too): only replies matter here. */
		struct raw_icmp_filter f = { .data = ~(1u << ICMP_ECHOREPLY) };
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else if (v6 && raw) {
		/* Only replies matter: leave neighbour discovery and the rest in the kernel. */
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	*s = (struct echo_sock){ .fd = fd, .family = family, .raw = raw };
	return 0;
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

/* Up to the largest ICMP message an IP packet holds (the MTU checks ask for big ones). */
static size_t echo_size(const struct probe_echo_opts *o)
{
	return o->size < 8 ? 8 : o->size > 65527 ? 65527 : o->size;
}

/* A request in pkt (echo_size() bytes, zeroed). */
static void echo_build(const struct echo_sock *s, uint8_t *pkt, size_t size, uint16_t seq,
		       const struct probe_echo_opts *o)
{
	pkt[0] = s->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt[4] = (uint8_t)(o->id >> 8);
	pkt[5] = (uint8_t)o->id;
	pkt[6] = (uint8_t)(seq >> 8);
	pkt[7] = (uint8_t)seq;
	if (o->tag)
		memcpy(pkt + 8, o->tag, strnlen(o->tag, size - 8));
	/* The kernel sums ICMPv6 and ping sockets itself; raw ICMP is ours to sum. */
	if (s->family == AF_INET && s->raw) {
		uint16_t c = csum(pkt, size);
		memcpy(pkt + 2, &c, 2);
	}
}

static int echo_send(const struct echo_sock *s, const struct nsnet_prefix *dst, uint16_t seq,
		     const struct probe_echo_opts *o)
{
	size_t size = echo_size(o);
	_cleanup_free_ uint8_t *pkt = calloc(1, size);
	if (!pkt)
		return -ENOMEM;
	echo_build(s, pkt, size, seq, o);
	struct sockaddr_storage to;
	socklen_t tl = probe_sockaddr(dst, 0, &to);
	return sendto(s->fd, pkt, size, MSG_DONTWAIT, (struct sockaddr *)&to, tl) < 0 ? -errno : 0;
}

static bool same_addr(const struct nsnet_prefix *a, const struct nsnet_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == AF_INET6 ? 16 : 4) == 0;
}

/* The index of the pending target a received message answers, or -1: an echo reply
 * from it, or (with faults, on raw sockets) an ICMP error quoting our request. */
static int echo_match(const struct echo_sock *s, const uint8_t *b, size_t n, const struct sockaddr_storage *from,
		      struct probe_echo *v, size_t nv, const struct probe_echo_opts *o, bool *ret_fault,
		      struct probe_fault *f)
{
	bool v6 = s->family == AF_INET6;
	struct nsnet_prefix src = { .family = s->family };
	if (s->raw && !v6) {   /* IPv4 raw sockets see the IP header */
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
	unsigned type = b[0];
	if (type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) {
		/* Ping sockets rewrite the id; the kernel only hands them their own replies. */
		size_t k = (size_t)(b[6] << 8 | b[7]);
		if ((s->raw && (uint16_t)(b[4] << 8 | b[5]) != o->id) || k >= nv || v[k].state != PROBE_PENDING ||
		    !same_addr(&src, &v[k].dst))
			return -1;
		*ret_fault = false;
		return (int)k;
	}
	if (!o->faults || !s->raw || type == (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) || (v6 && type >= 128))
		return -1;
	/* An error quotes our packet: its IP header, then our echo's first 8 bytes. */
	size_t inner = v6 ? 40 : (n >= 9 ? (size_t)(b[8] & 0xf) * 4 : 0);
	if (!inner || n < 8 + inner + 8)
		return -1;
	const uint8_t *q = b + 8 + inner;
	size_t k = (size_t)(q[6] << 8 | q[7]);
	if ((uint16_t)(q[4] << 8 | q[5]) != o->id || k >= nv || v[k].state != PROBE_PENDING)
		return -1;
	*f = (struct probe_fault){ .icmp = true, .type = (uint8_t)type, .code = b[1], .from = src };
	*ret_fault = true;
	return (int)k;
}

/* The pending target an error-queue entry is about: by the quoted sequence, else by
 * the destination, else the only one there is. */
static int errqueue_target(const struct probe_echo *v, size_t n, const struct nsnet_prefix *dst, int seq)
{
	if (seq >= 0 && (size_t)seq < n && v[seq].state == PROBE_PENDING && (!dst->family || same_addr(dst, &v[seq].dst)))
		return seq;
	for (size_t k = 0; dst->family && k < n; k++)
		if (v[k].state == PROBE_PENDING && same_addr(dst, &v[k].dst))
			return (int)k;
	return n == 1 && v[0].state == PROBE_PENDING ? 0 : -1;
}

static void fault(struct probe_echo *v, const struct probe_fault *f, size_t *pending)
{
	v->state = PROBE_FAULT;
	v->fault = *f;
	(*pending)--;
}

/* One socket per family the targets need; a family whose socket cannot be opened
 * fails its targets. Returns the first such error. */
static int echo_open(struct echo_sock s[2], struct probe_echo *v, size_t n, const struct probe_echo_opts *o,
		     size_t *pending)
{
	bool need[2] = { false, false };
	int r = 0;
	for (size_t k = 0; k < n; k++) {
		v[k].state = v[k].skip ? PROBE_SKIP : PROBE_PENDING;
		*pending += !v[k].skip;
		need[v[k].dst.family == AF_INET6] |= !v[k].skip;
	}
	for (int f = 0; f < 2; f++) {
		int q = need[f] ? echo_socket(&s[f], s[f].family, o) : 0;
		if (q == 0)
			continue;
		if (!r)
			r = q;
		struct probe_fault flt = { .err = -q };
		for (size_t k = 0; k < n; k++)
			if (v[k].state == PROBE_PENDING && (v[k].dst.family == AF_INET6) == f)
				fault(&v[k], &flt, pending);
	}
	return r;
}

/* Requests and replies go BATCH to a system call (sendmmsg, recvmmsg): pingall
 * sends a thousand from each node, and a system call is dear in a virtual machine. */
#define BATCH 32
#define BATCH_SIZE 256   /* small requests only; bigger ones go one by one */

struct send_batch {
	uint8_t pkt[BATCH][BATCH_SIZE];
	struct sockaddr_storage to[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	unsigned n;
};

static void batch_flush(const struct echo_sock *es, struct send_batch *b)
{
	/* Only replies count here (no faults): a request the kernel refused is asked
	 * again at the next resend, like one lost on the way. */
	for (unsigned done = 0, waits = 0; done < b->n;) {
		int q = sendmmsg(es->fd, b->mm + done, b->n - done, MSG_DONTWAIT);
		if (q > 0) {
			done += (unsigned)q;
		} else if (errno == EAGAIN && waits++ < 10) {
			/* The send buffer is full of requests still on their way: wait a little
			 * for room rather than lose them until the next resend. */
			struct pollfd pf = { es->fd, POLLOUT, 0 };
			poll(&pf, 1, 20);
		} else {
			done++;   /* skip the one that failed */
		}
	}
	b->n = 0;
}

static void batch_add(const struct echo_sock *es, struct send_batch *b, const struct nsnet_prefix *dst,
		      uint16_t seq, const struct probe_echo_opts *o)
{
	size_t size = echo_size(o);
	unsigned i = b->n++;
	memset(b->pkt[i], 0, size);
	echo_build(es, b->pkt[i], size, seq, o);
	b->iov[i] = (struct iovec){ .iov_base = b->pkt[i], .iov_len = size };
	b->mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &b->to[i], .msg_iov = &b->iov[i], .msg_iovlen = 1 } };
	b->mm[i].msg_hdr.msg_namelen = probe_sockaddr(dst, 0, &b->to[i]);
	if (b->n == BATCH)
		batch_flush(es, b);
}

/* One request to every target still waiting. */
static void echo_send_all(const struct echo_sock s[2], struct probe_echo *v, size_t n,
			  const struct probe_echo_opts *o, size_t *pending)
{
	if (!o->faults && echo_size(o) <= BATCH_SIZE) {
		_cleanup_free_ struct send_batch *b = calloc(2, sizeof(*b));
		if (b) {
			for (size_t k = 0; k < n; k++) {
				int f = v[k].dst.family == AF_INET6;
				if (v[k].state == PROBE_PENDING)
					batch_add(&s[f], &b[f], &v[k].dst, (uint16_t)k, o);
			}
			for (int f = 0; f < 2; f++)
				if (b[f].n)
					batch_flush(&s[f], &b[f]);
			return;
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (v[k].state != PROBE_PENDING)
			continue;
		const struct echo_sock *es = &s[v[k].dst.family == AF_INET6];
		int q = echo_send(es, &v[k].dst, (uint16_t)k, o);
		if (q == 0 || !o->faults)
			continue;
		struct probe_fault flt = { .err = -q, .sending = true };
		probe_errqueue(es->fd, &flt, NULL, NULL);
		fault(&v[k], &flt, pending);
	}
}

/* What one socket has: errors queued for targets, replies and ICMP errors. */
static void echo_receive(const struct echo_sock *es, short revents, struct probe_echo *v, size_t n,
			 const struct probe_echo_opts *o, long start, size_t *pending)
{
	if (revents & POLLERR && o->faults) {
		struct probe_fault flt;
		struct nsnet_prefix dst;
		int seq, k;
		while (probe_errqueue(es->fd, &flt, &dst, &seq))
			if ((k = errqueue_target(v, n, &dst, seq)) >= 0)
				fault(&v[k], &flt, pending);
	}
	/* A raw socket's pending error shows as POLLERR; the read clears it. */
	if (!(revents & (POLLIN | POLLERR)))
		return;
	/* 48 kB: the largest message that matters is an ICMP error quoting our request. */
	uint8_t b[BATCH][1500];
	struct sockaddr_storage from[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ .iov_base = b[i], .iov_len = sizeof(b[i]) };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
							       .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		int got = recvmmsg(es->fd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			break;
		for (int i = 0; i < got; i++) {
			bool is_fault;
			struct probe_fault flt;
			int k = echo_match(es, b[i], mm[i].msg_len, &from[i], v, n, o, &is_fault, &flt);
			if (k < 0)
				continue;
			if (is_fault) {
				fault(&v[k], &flt, pending);
			} else {
				v[k].state = PROBE_REPLY;
				v[k].ms = probe_now_ms() - start;
				(*pending)--;
			}
		}
		if (got < BATCH)
			break;
	}
}

int probe_echo_run(struct probe_echo *v, size_t n, const struct probe_echo_opts *o)
{
	struct echo_sock s[2] = { { .fd = -1, .family = AF_INET }, { .fd = -1, .family = AF_INET6 } };
	size_t pending = 0;
	int r = echo_open(s, v, n, o, &pending);
	long start = probe_now_ms(), deadline = start + o->timeout_ms, next = start;
	unsigned sent = 0;
	for (long t; pending && (t = probe_now_ms()) < deadline;) {
		bool more = !o->tries || sent < o->tries;
		if (more && t >= next) {
			echo_send_all(s, v, n, o, &pending);
			next = probe_now_ms() + o->resend_ms;
			/* The time to wait counts from when every request is out: on a busy
			 * machine sending a thousand of them can take longer than that. */
			if (!sent++)
				deadline = next - o->resend_ms + o->timeout_ms;
			continue;
		}
		long until = more && next < deadline ? next : deadline;
		struct pollfd pf[2] = { { s[0].fd, POLLIN, 0 }, { s[1].fd, POLLIN, 0 } };
		if (poll(pf, 2, (int)(until - t)) <= 0)
			continue;
		for (int f = 0; f < 2; f++)
			if (pf[f].fd >= 0)
				echo_receive(&s[f], pf[f].revents, v, n, o, start, &pending);
	}
	/* Replies already queued when the time ran out (the thread was late) count. */
	for (int f = 0; f < 2 && pending; f++)
		if (s[f].fd >= 0)
			echo_receive(&s[f], POLLIN, v, n, o, start, &pending);
	for (size_t k = 0; k < n; k++)
		if (v[k].state == PROBE_PENDING)
			v[k].state = PROBE_TIMEOUT;
	for (int f = 0; f < 2; f++)
		if (s[f].fd >= 0)
			close(s[f].fd);
	return r;
}

void probe_echo_str(const struct probe_echo *v, unsigned timeout_ms, char *buf, size_t len)
{
	switch (v->state) {
	case PROBE_REPLY:
		snprintf(buf, len, "echo reply after %ld ms", v->ms);
		break;
	case PROBE_FAULT:
		probe_fault_str(v->dst.family, &v->fault, buf, len);
		break;
	case PROBE_TIMEOUT:
		snprintf(buf, len, "no reply within %u ms", timeout_ms);
		break;
	default:
		snprintf(buf, len, "not sent");
		break;
	}
}
