/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DST's side of the walk: the packet arrived. Its input firewall, its route back to
 * the source (or why there is none: a /32 address, a missing return route, or no
 * masquerade on the way out to a world that can't route back to private addresses),
 * and with --port, whether anything listens there, on an address that counts.
 */
#include <linux/rtnetlink.h>
#include "doctor/doctor.h"
#include "base/base.h"

/* ---- DST ------------------------------------------------------------------------------- */

/* The nsnet network whose subnet holds a, or NULL. */
static const char *net_of_addr(struct dr_ctx *c, const struct nsnet_prefix *a)
{
	const char *name = NULL;
	dr_net_of_addr(c, a, &name);
	return name;
}

static void no_way_back(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, int err)
{
	char s[64], d[64], fix[1536], ipn[300], sub[64], g[64];
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_check(c, DR_FAIL, "%s: no route back to %s (%s)", ns->name, s, err < 0 ? strerror(-err) : "unreachable route");
	dr_ip_n(ns->name, ipn, sizeof(ipn));
	int dlen = 0;
	dr_ns_has_addr(ns, ifname, &c->pkt.dst, &dlen);
	if (c->routers == 0 && dr_is_host_len(&c->pkt.dst, dlen)) {
		struct nsnet_prefix far;
		struct nsnet_prefix me = c->pkt.dst;
		me.len = (uint8_t)dlen;
		int want = dr_far_side(c, ns, ifname, &me, &far) ? far.len : c->src_len;
		snprintf(fix, sizeof(fix), "%saddr del %s/%d dev %s && %saddr add %s/%d dev %s", ipn, d, dlen, ifname, ipn, d,
			 want, ifname);
		dr_cause(c, fix, "%s's address %s/%d on %s has no netmask, so it has no route back to %s", ns->name, d, dlen,
			 ifname, s);
		return;
	}
	struct nsnet_prefix net = c->src_orig, nw;
	net.len = (uint8_t)c->src_len;
	nsnet_prefix_network(&net, &nw);
	nsnet_prefix_str(&nw, true, sub, sizeof(sub));
	if (c->routers && !c->snat_done && dr_addr_private(&c->src_orig) && !dr_addr_private(&c->pkt.dst)) {
		char ex[300];
		const char *nsnet_net = streq(c->last_router, NSNET_HOST) ? net_of_addr(c, &c->src_orig) : NULL;
		if (nsnet_net)
			snprintf(fix, sizeof(fix), "nsnet net set %s nat on", nsnet_net);
		else
			snprintf(fix, sizeof(fix), "%siptables -t nat -A POSTROUTING -s %s -o %s -j MASQUERADE",
				 dr_exec_in(c->last_router, ex, sizeof(ex)), sub, c->last_oif);
		dr_cause(c, fix, "no masquerade toward the outside: %s sends packets from the private %s out %s unchanged, and "
			 "%s (outside) has no route back to it", c->last_router, s, c->last_oif, d);
		return;
	}
	if (c->snat_done)
		nsnet_prefix_str(&c->pkt.src, true, sub, sizeof(sub));
	fix[0] = 0;
	if (c->routers && c->last_router_addr.family) {
		dr_addr(&c->last_router_addr, g, sizeof(g));
		if (streq(ns->name, NSNET_HOST))
			snprintf(fix, sizeof(fix), "ip route add %s via %s", sub, g);
		else
			snprintf(fix, sizeof(fix), "nsnet route add %s %s via %s", ns->name, sub, g);
	} else {
		snprintf(fix, sizeof(fix), "%sroute add %s dev %s", ipn, sub, ifname);
	}
	dr_cause(c, fix, "%s has no route back to %s: its replies have nowhere to go", ns->name, s);
}

static int listening(struct dr_ctx *c, struct dr_ns *ns)
{
	const char *proto = c->pkt.l4 == IPPROTO_TCP ? "tcp" : "udp";
	char ls[512], d[64], fix[1536], want[80];
	unsigned port = c->pkt.port;
	int n = dr_listeners(ns, c->pkt.l4, port, ls, sizeof(ls));
	if (n < 0) {
		dr_check(c, DR_SKIP, "%s: cannot list its sockets: %s", ns->name, strerror(-n));
		return 0;
	}
	if (n == 0) {
		dr_check(c, DR_FAIL, "%s: nothing listens on %s port %u", ns->name, proto, port);
		snprintf(fix, sizeof(fix), "start the service in %s on %s port %u (to test the path: nsnet exec %s -- socat %s:%u,fork,reuseaddr EXEC:cat)",
			 ns->name, proto, port, ns->name, c->pkt.l4 == IPPROTO_TCP ? "TCP-LISTEN" : "UDP-LISTEN", port);
		dr_cause(c, fix, "nothing listens on %s port %u in %s", proto, port, ns->name);
		return -1;
	}
	/* Bound to the wildcard, or to DST's address itself. */
	dr_addr(&c->pkt.dst, d, sizeof(d));
	snprintf(want, sizeof(want), c->pkt.family == AF_INET6 ? "[%s]:%u" : "%s:%u", d, port);
	bool ok = false;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", ls);
	for (char *save, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		ok |= streq(t, want) || !strncmp(t, "0.0.0.0:", 8) || !strncmp(t, "[::]:", 5);
	if (!ok) {
		dr_check(c, DR_FAIL, "%s: %s port %u is bound to %s only, not to %s", ns->name, proto, port, ls, d);
		snprintf(fix, sizeof(fix), "make the service in %s listen on %s or on every address (0.0.0.0:%u)", ns->name, want,
			 port);
		dr_cause(c, fix, "the service on %s port %u in %s listens on %s only", proto, port, ns->name, ls);
		return -1;
	}
	dr_check(c, DR_OK, "%s: listening on %s port %u: %s", ns->name, proto, port, ls);
	return 0;
}

/* An ICMP echo that arrives is answered unless the kernel is told to ignore echoes. */
static int echo_ignored(struct dr_ctx *c, struct dr_ns *ns)
{
	bool v6 = c->pkt.family == AF_INET6;
	const char *key = v6 ? "net/ipv6/icmp/echo_ignore_all" : "net/ipv4/icmp_echo_ignore_all";
	if ((c->pkt.l4 != IPPROTO_ICMP && c->pkt.l4 != IPPROTO_ICMPV6) || dr_sysctl_int(ns, key) != 1)
		return 0;
	char fix[600], ex[300], dotted[64];
	snprintf(dotted, sizeof(dotted), "%s", key);
	for (char *p = dotted; *p; p++)
		*p = *p == '/' ? '.' : *p;
	dr_check(c, DR_FAIL, "%s: %s=1: it ignores every echo request", ns->name, dotted);
	snprintf(fix, sizeof(fix), "%ssysctl -w %s=0", dr_exec_in(ns->name, ex, sizeof(ex)), dotted);
	dr_cause(c, fix, "%s ignores ICMP echo requests (%s=1): the packet arrives, no reply is sent", ns->name, dotted);
	return -1;
}

/* The reply leaves DST through its own output hook: a rule there that drops what
 * goes back to SRC breaks the exchange as surely as one on input. */
static int reply_output(struct dr_ctx *c, struct dr_ns *ns, const char *oif)
{
	const struct dr_pkt asked = c->pkt;
	char what[200], s[64];
	snprintf(what, sizeof(what), "its reply to %s", dr_addr(&asked.src, s, sizeof(s)));
	c->pkt.src = asked.dst;
	c->pkt.dst = asked.src;
	c->pkt.reply = true;
	int r = dr_fw_hook(c, ns, "output", NULL, oif, what);
	c->pkt = asked;
	return r;
}

int dr_arrive(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, struct dr_route *ret_back)
{
	char d[64], s[64], fl[200], fix[1536], ipn[300];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&c->pkt.src, s, sizeof(s));
	if (c->dst_ns && !streq(c->dst_ns, ns->name)) {
		int len = 32;
		dr_ns_has_addr(ns, ifname, &c->pkt.dst, &len);
		dr_check(c, DR_FAIL, "%s is held by %s (%s) on this path, not by %s", d, ns->name, ifname, c->dst_ns);
		snprintf(fix, sizeof(fix), "%saddr del %s/%d dev %s", dr_ip_n(ns->name, ipn, sizeof(ipn)), d, len, ifname);
		dr_cause(c, fix, "%s holds %s too, so the packet ends there instead of in %s", ns->name, d, c->dst_ns);
		return -1;
	}
	if (dr_fw_hook(c, ns, "input", ifname, NULL, dr_flow(c, fl, sizeof(fl))) < 0 || echo_ignored(c, ns) < 0)
		return -1;
	struct dr_route rb;
	int err = dr_route_get(ns, &c->pkt.src, &c->pkt.dst, 0, &rb);
	if (err < 0 || (rb.type != RTN_UNICAST && rb.type != RTN_LOCAL)) {
		no_way_back(c, ns, ifname, err);
		return -1;
	}
	char g[64];
	dr_check(c, DR_OK, "%s: route back to %s %s%s%sdev %s", ns->name, s, rb.has_gw ? "via " : "",
		 rb.has_gw ? dr_addr(&rb.gw, g, sizeof(g)) : "", rb.has_gw ? " " : "", rb.dev);
	if (reply_output(c, ns, rb.dev) < 0)
		return -1;
	if ((c->pkt.l4 == IPPROTO_TCP || c->pkt.l4 == IPPROTO_UDP) && c->pkt.port && listening(c, ns) < 0)
		return -1;
	dr_path_add(c, "%s %s %s", ns->name, ifname, d);
	*ret_back = rb;
	return 0;
}
