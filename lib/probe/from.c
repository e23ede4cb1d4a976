/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probes sent from a namespace by a short-lived thread that entered it; for the host
 * a thread of its own as well, so a probe never touches the caller's thread. */
#include "probe/probe.h"
#include "netns/netns.h"
#include "base/base.h"

struct probe_call {
	struct probe_echo *v;          /* echo */
	size_t n;
	const struct probe_echo_opts *o;
	int (*l4)(const struct nsnet_prefix *, unsigned, unsigned, int *, char *, size_t);   /* tcp, udp */
	const struct nsnet_prefix *dst;
	unsigned port, timeout_ms;
	int *ret_result;
	char *detail;
	size_t len;
};

static int call_in(void *arg)
{
	struct probe_call *c = arg;
	if (c->l4)
		return c->l4(c->dst, c->port, c->timeout_ms, c->ret_result, c->detail, c->len);
	int r = probe_echo_run(c->v, c->n, c->o);
	if (r < 0)
		snprintf(c->detail, c->len, "cannot open an ICMP socket: %s (raw sockets need root; ping sockets need "
			 "net.ipv4.ping_group_range to include the caller's group)", strerror(-r));
	return r;
}

static int call_from(const char *ns, struct probe_call *c, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	bool host = streq(ns, NSNET_HOST);
	if (!host) {
		int r = nsnet_ns_open(ns, &fd, e);
		if (r < 0)
			return r;
	}
	c->detail[0] = 0;
	int r = ns_run_in(host ? NS_NEW_THREAD : fd, call_in, c);
	if (r < 0)
		return nsnet_err(e, r, "probe from '%s'%s%s", ns, c->detail[0] ? ": " : "", c->detail);
	return 0;
}

int probe_echo_from(const char *ns, struct probe_echo *v, size_t n, const struct probe_echo_opts *o,
		    struct nsnet_error *e)
{
	char detail[256];
	struct probe_call c = { .v = v, .n = n, .o = o, .detail = detail, .len = sizeof(detail) };
	return call_from(ns, &c, e);
}

int probe_tcp_from(const char *ns, const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms,
		   int *ret_result, char *detail, size_t len, struct nsnet_error *e)
{
	struct probe_call c = { .l4 = probe_tcp_run, .dst = dst, .port = port, .timeout_ms = timeout_ms,
				.ret_result = ret_result, .detail = detail, .len = len };
	return call_from(ns, &c, e);
}

int probe_udp_from(const char *ns, const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms,
		   int *ret_result, char *detail, size_t len, struct nsnet_error *e)
{
	struct probe_call c = { .l4 = probe_udp_run, .dst = dst, .port = port, .timeout_ms = timeout_ms,
				.ret_result = ret_result, .detail = detail, .len = len };
	return call_from(ns, &c, e);
}
