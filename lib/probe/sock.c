/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the probes share: the clock, socket addresses and the error queue. With
 * IP_RECVERR the kernel queues ICMP errors (and local ones: no route, no ARP reply)
 * on the socket that sent the packet, so a probe can say who refused it and how.
 */
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <time.h>
#include "probe/probe.h"
#include "base/base.h"

long probe_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

socklen_t probe_sockaddr(const struct nsnet_prefix *a, unsigned port, struct sockaddr_storage *ss)
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

static void prefix_of(const struct sockaddr *sa, struct nsnet_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (sa->sa_family == AF_INET) {
		p->family = AF_INET;
		p->len = 32;
		memcpy(p->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		p->family = AF_INET6;
		p->len = 128;
		memcpy(p->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
}

void probe_recverr(int fd, int family)
{
	int one = 1;
	bool v6 = family == AF_INET6;
	setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof(one));
}

int probe_errqueue(int fd, struct probe_fault *f, struct nsnet_prefix *ret_dst, int *ret_seq)
{
	uint8_t data[512];
	char ctl[512];
	struct sockaddr_storage to;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
		memset(f, 0, sizeof(*f));
		prefix_of(SO_EE_OFFENDER(ee), &f->from);
		f->icmp = ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6;
		f->type = ee->ee_type;
		f->code = ee->ee_code;
		f->err = (int)ee->ee_errno;
		/* The request's destination, and for an echo the quoted header's sequence. */
		if (ret_dst) {
			memset(ret_dst, 0, sizeof(*ret_dst));
			if (m.msg_namelen)
				prefix_of((const struct sockaddr *)&to, ret_dst);
		}
		if (ret_seq)
			*ret_seq = n >= 8 ? data[6] << 8 | data[7] : -1;
		return 1;
	}
	return 0;
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

void probe_fault_str(int family, const struct probe_fault *f, char *buf, size_t len)
{
	if (!f->icmp) {
		snprintf(buf, len, "%s%s", f->sending ? "cannot send: " : "", strerror(f->err));
		return;
	}
	char who[INET6_ADDRSTRLEN] = "?";
	if (f->from.family)
		inet_ntop(f->from.family, f->from.addr, who, sizeof(who));
	snprintf(buf, len, "ICMP %s from %s", icmp_error(family, f->type, f->code), who);
}
