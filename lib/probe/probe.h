/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live probes sent from inside a namespace: ICMP/ICMPv6 echo to one address or to
 * many at once (one socket per family, replies matched back by id and sequence),
 * TCP connect, UDP send-and-wait. doctor sends one and explains it; lab pingall
 * sends every node's echoes to every other node's addresses.
 */
#ifndef NSNET_PROBE_H
#define NSNET_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "nsnet.h"

/* ---- echo.c: ICMP echo ------------------------------------------------------------ */

enum probe_state {
	PROBE_PENDING,
	PROBE_SKIP,        /* not sent: skip was set */
	PROBE_REPLY,       /* an echo reply came back from dst */
	PROBE_FAULT,       /* an ICMP error or a local error (fault says which) */
	PROBE_TIMEOUT,     /* no answer in time */
};

/* What came back instead of a reply: an ICMP error (icmp set) or a local one (err). */
struct probe_fault {
	bool icmp;
	uint8_t type, code;
	int err;                    /* errno of a local error */
	bool sending;               /* err is sendto()'s own */
	struct nsnet_prefix from;   /* who sent the ICMP error; family 0: unknown */
};

/* One echo target and what became of it. */
struct probe_echo {
	struct nsnet_prefix dst;    /* in */
	bool skip;                  /* in: leave this one out */
	enum probe_state state;     /* out */
	long ms;                    /* PROBE_REPLY: after how long */
	struct probe_fault fault;   /* PROBE_FAULT */
};

struct probe_echo_opts {
	unsigned timeout_ms;        /* for all targets together, from when all are first sent */
	unsigned resend_ms;         /* the unanswered are asked again this often */
	unsigned tries;             /* requests per target at most; 0: until the timeout */
	bool faults;                /* an ICMP error or a failed send ends a target (PROBE_FAULT);
				     * else only replies count and everything else is retried */
	bool raw;                   /* raw sockets only, never ping sockets */
	uint16_t id;                /* echo identifier (raw sockets; ping sockets pick their own) */
	size_t size;                /* bytes of each request, ICMP header included: 8..65527 */
	bool dont_fragment;         /* DF (IPv4) / no fragmentation (IPv6): too big is an error */
	const char *tag;            /* text after the header, or NULL */
};

/* Ping every target not skipped from the calling thread's namespace and wait for
 * the answers. The sequence number of a request is its target's index. Returns 0,
 * or -errno when a socket could not be opened (its family's targets end
 * PROBE_FAULT; the other family is still pinged). */
int probe_echo_run(struct probe_echo *v, size_t n, const struct probe_echo_opts *o);
/* What happened to one echo, in words: "echo reply after 3 ms",
 * "ICMP port unreachable from 10.0.0.1", "no reply within 1000 ms"... */
void probe_echo_str(const struct probe_echo *v, unsigned timeout_ms, char *buf, size_t len);

/* ---- tcp.c, udp.c --------------------------------------------------------------- */

/* In the calling thread's namespace. *ret_result: 1 reached, 0 not, -1 inconclusive
 * (UDP without an answer); detail says how. -errno when no socket could be had. */
int probe_tcp_run(const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms, int *ret_result,
		  char *detail, size_t len);
int probe_udp_run(const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms, int *ret_result,
		  char *detail, size_t len);

/* ---- from.c: the same from a namespace (a name, or NSNET_HOST) -------------------- */

/* A short-lived thread enters ns and runs the probe; the caller's thread never moves. */
int probe_echo_from(const char *ns, struct probe_echo *v, size_t n, const struct probe_echo_opts *o,
		    struct nsnet_error *e);
int probe_tcp_from(const char *ns, const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms,
		   int *ret_result, char *detail, size_t len, struct nsnet_error *e);
int probe_udp_from(const char *ns, const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms,
		   int *ret_result, char *detail, size_t len, struct nsnet_error *e);

/* ---- sock.c: what the probes share -------------------------------------------------- */

long probe_now_ms(void);
socklen_t probe_sockaddr(const struct nsnet_prefix *a, unsigned port, struct sockaddr_storage *ss);
/* Ask for ICMP and local errors on the socket's error queue (IP_RECVERR). */
void probe_recverr(int fd, int family);
/* One entry of the error queue: 1 read (fault and, when given, the request's
 * destination and the quoted sequence number, -1 if none, filled), 0 none. */
int probe_errqueue(int fd, struct probe_fault *f, struct nsnet_prefix *ret_dst, int *ret_seq);
/* "ICMP port unreachable from 10.0.0.1", or the local error's strerror(). */
void probe_fault_str(int family, const struct probe_fault *f, char *buf, size_t len);

#endif
