/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The walk: SRC's interfaces and its route to DST, then hop by hop (doctor_seg.c)
 * through every namespace that forwards the packet (forwarding, its route, its
 * firewall, its source NAT), to DST (its firewall, its route back, its listening
 * socket). Each route is the kernel's own answer to a FIB lookup, as `ip route get`
 * gives it, with the input interface for forwarded packets, so policy routing,
 * forwarding and reverse-path checks are the kernel's, not a re-implementation.
 * The first step that fails stops the walk: what lies beyond it can't be judged.
 */
#include <linux/rtnetlink.h>
#include "doctor/doctor.h"
#include "base/base.h"

/* ---- routers ------------------------------------------------------------------------ */

/* Whether ns forwards what arrives on iif: both the global switch and iif's own. */
static int router_forwards(struct dr_ctx *c, struct dr_ns *ns, const char *iif)
{
	bool v6 = c->pkt.family == AF_INET6;
	char d[64], s[64], fix[1536], ex[300], key[128];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_exec_in(ns->name, ex, sizeof(ex));
	const char *all = v6 ? "net.ipv6.conf.all.forwarding" : "net.ipv4.ip_forward";
	if (!json_is_true(json_object_get(json_object_get(ns->model, "forwarding"), v6 ? "ipv6" : "ipv4"))) {
		dr_check(c, DR_FAIL, "%s: forwarding is off (%s=0): it is not a router", ns->name, all);
		if (streq(ns->name, NSNET_HOST))
			snprintf(fix, sizeof(fix), "sysctl -w %s=1", all);
		else
			snprintf(fix, sizeof(fix), "nsnet router %s on", ns->name);
		dr_cause(c, fix, "%s does not forward (%s=0), so packets from %s to %s stop at its %s", ns->name, all, s, d, iif);
		return -1;
	}
	snprintf(key, sizeof(key), "net/%s/conf/%s/forwarding", v6 ? "ipv6" : "ipv4", iif);
	if (dr_sysctl_int(ns, key) == 0) {
		dr_check(c, DR_FAIL, "%s: forwarding is off on %s (%s=0)", ns->name, iif, key);
		snprintf(fix, sizeof(fix), "%ssysctl -w %s=1", ex, key);
		dr_cause(c, fix, "%s does not forward what arrives on %s (%s=0)", ns->name, iif, key);
		return -1;
	}
	dr_check(c, DR_OK, "%s: forwards %s (%s=1)", ns->name, v6 ? "IPv6" : "IPv4", all);
	return 0;
}

static int router(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct dr_route *rt)
{
	char d[64], s[64], fix[1536], ex[300], fl[200];
	if (router_forwards(c, ns, iif) < 0)
		return -1;
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_exec_in(ns->name, ex, sizeof(ex));
	int idx = (int)json_integer_value(json_object_get(dr_ns_iface(ns, iif), "index"));
	struct dr_route r2;
	int err = dr_route_get(ns, &c->pkt.dst, &c->pkt.src, idx, &r2);
	if (err == -EXDEV) {
		dr_check(c, DR_FAIL, "%s: the reverse-path filter rejects packets from %s arriving on %s", ns->name, s, iif);
		snprintf(fix, sizeof(fix), "%ssysctl -w net.ipv4.conf.all.rp_filter=0 net/ipv4/conf/%s/rp_filter=0", ex, iif);
		dr_cause(c, fix, "%s's rp_filter drops packets from %s on %s: its route back to %s goes out another way",
			 ns->name, s, iif, s);
		return -1;
	}
	if (err < 0 || (r2.type != RTN_UNICAST && r2.type != RTN_LOCAL)) {
		dr_check(c, DR_FAIL, "%s: no route to %s for packets forwarded from %s (%s)", ns->name, d, iif,
			 err < 0 ? strerror(-err) : "unreachable route");
		dr_cause(c, NULL, "%s forwards, but has no route to %s", ns->name, d);
		return -1;
	}
	char g[64];
	dr_check(c, DR_OK, "%s: route to %s %s%s%sdev %s (forwarded from %s)", ns->name, d, r2.has_gw ? "via " : "",
		 r2.has_gw ? dr_addr(&r2.gw, g, sizeof(g)) : "", r2.has_gw ? " " : "", r2.dev, iif);
	if (dr_fw_hook(c, ns, "forward", iif, r2.dev, dr_flow(c, fl, sizeof(fl))) < 0)
		return -1;
	/* Its own address toward the next hop: what masquerade writes, and the gateway a
	 * return route would go through. */
	struct dr_route out;
	struct nsnet_prefix mine = { 0 };
	if (dr_route_get(ns, r2.has_gw ? &r2.gw : &c->pkt.dst, NULL, 0, &out) == 0 && out.has_prefsrc)
		mine = out.prefsrc;
	struct nft_result nat;
	char how[128] = "";
	if (dr_fw_snat(c, ns, iif, r2.dev, &nat)) {
		char desc[700], m[64];
		struct nsnet_prefix to;
		dr_fw_describe(ns, &nat, desc, sizeof(desc));
		if (nat.nat_to[0] && nsnet_addr_parse(nat.nat_to, &to, NULL) == 0)
			mine = to;
		dr_check(c, DR_OK, "%s: source NAT out %s: %s becomes %s (%s)", ns->name, r2.dev, s, dr_addr(&mine, m, sizeof(m)),
			 desc);
		if (mine.family)
			c->pkt.src = mine;
		c->snat_done = true;
		snprintf(how, sizeof(how), ", masquerading as %s", m);
	}
	c->routers++;
	snprintf(c->last_router, sizeof(c->last_router), "%s", ns->name);
	snprintf(c->last_oif, sizeof(c->last_oif), "%s", r2.dev);
	c->last_router_addr = mine;
	dr_path_add(c, "%s %s -> %s (forwards%s)", ns->name, iif, r2.dev, how);
	*rt = r2;
	return 0;
}

void dr_walk(struct dr_ctx *c)
{
	struct dr_ns *ns = dr_ns_get(c, c->src);
	char d[64], s[64], g[64], fl[200];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	if (!ns) {
		dr_check(c, DR_SKIP, "%s: cannot read the namespace", c->src);
		return;
	}
	dr_src_ifaces(c, ns);
	/* Only when the probe failed: a mismatch that still works is not this report's. */
	if (c->probe != 1 && (dr_mask_check(c, ns) < 0 || dr_nat_inbound(c, ns) < 0))
		return;
	struct dr_route rt;
	int err = dr_route_get(ns, &c->pkt.dst, NULL, 0, &rt);
	if (err < 0 || (rt.type != RTN_UNICAST && rt.type != RTN_LOCAL)) {
		dr_no_route(c, ns, err, err < 0 ? 0 : rt.type);
		return;
	}
	if (rt.has_prefsrc) {
		c->pkt.src = rt.prefsrc;
	} else {
		size_t k = 0;
		dr_next_addr(ns, rt.dev, c->pkt.family, &k, &c->pkt.src);
	}
	int len = c->pkt.family == AF_INET ? 32 : 128;
	dr_ns_has_addr(ns, NULL, &c->pkt.src, &len);
	c->src_orig = c->pkt.src;
	c->src_len = len;
	dr_addr(&c->pkt.src, s, sizeof(s));
	if (rt.type == RTN_LOCAL) {
		dr_check(c, DR_OK, "%s: %s is one of its own addresses", ns->name, d);
		dr_arrive(c, ns, "lo");
		return;
	}
	dr_check(c, DR_OK, "%s: route to %s %s%s%sdev %s src %s", ns->name, d, rt.has_gw ? "via " : "",
		 rt.has_gw ? dr_addr(&rt.gw, g, sizeof(g)) : "", rt.has_gw ? " " : "", rt.dev, s);
	if (dr_fw_hook(c, ns, "output", NULL, rt.dev, dr_flow(c, fl, sizeof(fl))) < 0)
		return;
	dr_path_add(c, "%s %s %s", ns->name, rt.dev, s);
	struct dr_ns *cur = ns;
	for (int hop = 0; hop < 16; hop++) {
		struct nsnet_prefix nh = rt.has_gw ? rt.gw : c->pkt.dst;
		struct dr_hop h;
		int k = dr_segment(c, cur, rt.dev, &nh, rt.has_gw, &h);
		if (k == -2)
			dr_check(c, DR_SKIP, "the rest of the path is out of doctor's sight");
		if (k < 0)
			return;
		if (h.bridge[0] && !(h.bridge_ns == h.ns && streq(h.bridge, h.ifname)))
			dr_path_add(c, "bridge %s (%s)", h.bridge, h.bridge_ns->name);
		if (dr_ns_has_addr(h.ns, NULL, &c->pkt.dst, NULL) && !dr_dnat(c, h.ns)) {
			dr_arrive(c, h.ns, h.ifname);
			return;
		}
		if (router(c, h.ns, h.ifname, &rt) < 0)
			return;
		cur = h.ns;
	}
	dr_check(c, DR_FAIL, "more than 16 hops toward %s", d);
	dr_cause(c, NULL, "the routes toward %s go round in a loop", d);
}
