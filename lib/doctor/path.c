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

/* FIB lookup for a packet arriving on iif, as the kernel does it: -EXDEV (check and
 * cause written) when the reverse-path filter drops it, its route back to the
 * source going out another way (asymmetric routing). */
static int rp_lookup(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct dr_route *ret)
{
	char s[64], fix[1536], ex[300];
	int idx = (int)json_integer_value(json_object_get(dr_ns_iface(ns, iif), "index"));
	int err = dr_route_get(ns, &c->pkt.dst, &c->pkt.src, idx, ret);
	/* For local delivery the kernel says a failed source check as EINVAL (a
	 * "martian source"), for forwarding as EXDEV. */
	if (err == -EINVAL && dr_ns_has_addr(ns, NULL, &c->pkt.dst, NULL))
		err = -EXDEV;
	if (err != -EXDEV)
		return err;
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_exec_in(ns->name, ex, sizeof(ex));
	dr_check(c, DR_FAIL, "%s: the reverse-path filter rejects %s from %s arriving on %s", ns->name,
		 c->pkt.reply ? "the reply" : "packets", s, iif);
	snprintf(fix, sizeof(fix), "%ssysctl -w net.ipv4.conf.all.rp_filter=0 net/ipv4/conf/%s/rp_filter=0", ex, iif);
	dr_cause(c, fix, "%s's rp_filter drops %s from %s on %s: its route back to %s goes out another way%s", ns->name,
		 c->pkt.reply ? "the reply" : "packets", s, iif, s, c->pkt.reply ? " (asymmetric routing)" : "");
	return -EXDEV;
}

/* Where the request entered router name on the way there, and from which address. */
static const struct dr_fwd_hop *fwd_hop(const struct dr_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_fwd; i++)
		if (streq(c->fwd[i].ns, name))
			return &c->fwd[i];
	return NULL;
}

static int router(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct dr_route *rt)
{
	char d[64], s[64], fix[1536], ex[300], fl[200];
	if (router_forwards(c, ns, iif) < 0)
		return -1;
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_exec_in(ns->name, ex, sizeof(ex));
	struct dr_route r2;
	int err = rp_lookup(c, ns, iif, &r2);
	if (err == -EXDEV)
		return -1;
	if (err < 0 || (r2.type != RTN_UNICAST && r2.type != RTN_LOCAL)) {
		dr_check(c, DR_FAIL, "%s: no route to %s for packets forwarded from %s (%s)", ns->name, d, iif,
			 err < 0 ? strerror(-err) : "unreachable route");
		/* On the way back: the router the request came through on this link knows the way. */
		const struct dr_fwd_hop *fh = c->back ? fwd_hop(c, ns->name) : NULL;
		char ipn[300], sub[64], pv[64];
		if (fh) {
			struct nsnet_prefix net = c->src_orig, nw;
			net.len = (uint8_t)c->src_len;
			nsnet_prefix_network(&net, &nw);
			snprintf(fix, sizeof(fix), "%sroute add %s via %s dev %s", dr_ip_n(ns->name, ipn, sizeof(ipn)),
				 nsnet_prefix_str(&nw, true, sub, sizeof(sub)), dr_addr(&fh->prev, pv, sizeof(pv)), fh->iif);
			dr_cause(c, fix, "the reply is lost on its way back: %s forwards it, but has no route to %s (the request "
				 "came to it from %s on %s)", ns->name, d, pv, fh->iif);
		} else {
			dr_cause(c, NULL, "%s forwards, but has no route to %s", ns->name, d);
		}
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
	/* A reply is un-NATed by conntrack, not NATed again. */
	if (!c->pkt.reply && dr_fw_snat(c, ns, iif, r2.dev, &nat)) {
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
	if (c->back) {
		*rt = r2;
		return 0;
	}
	c->routers++;
	snprintf(c->last_router, sizeof(c->last_router), "%s", ns->name);
	snprintf(c->last_oif, sizeof(c->last_oif), "%s", r2.dev);
	c->last_router_addr = mine;
	dr_path_add(c, "%s %s -> %s (forwards%s)", ns->name, iif, r2.dev, how);
	*rt = r2;
	return 0;
}

/* The reply's way back, hop by hop from DST along its own routes (rt: DST's route
 * back): a missing route two hops away, a router whose reverse-path filter drops
 * the asymmetric reply, a firewall on the way, SRC's input. A masquerading router
 * on the way there is where the reply ends: its conntrack takes it on. */
static void walk_back(struct dr_ctx *c, struct dr_ns *dst, struct dr_route rt)
{
	const struct dr_pkt there = c->pkt;
	char s[64], d[64], fl[200];
	c->pkt.src = there.dst;
	c->pkt.dst = there.src;
	c->pkt.reply = true;
	c->back = true;
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&c->pkt.src, s, sizeof(s));
	struct dr_ns *cur = dst;
	int hops = 0;
	for (; hops < 16; hops++) {
		struct nsnet_prefix nh = rt.has_gw ? rt.gw : c->pkt.dst;
		struct dr_hop h;
		if (dr_segment(c, cur, rt.dev, &nh, rt.has_gw, &h) < 0)
			goto out;
		if (dr_ns_has_addr(h.ns, NULL, &c->pkt.dst, NULL)) {
			struct dr_route in;
			if (rp_lookup(c, h.ns, h.ifname, &in) == -EXDEV ||
			    dr_fw_hook(c, h.ns, "input", h.ifname, NULL, dr_flow(c, fl, sizeof(fl))) < 0)
				goto out;
			c->back = false;
			dr_check(c, DR_OK, "the reply %s -> %s comes back to %s%s%s (%d hop%s)", s, d, h.ns->name,
				 c->snat_done ? ", which undoes its masquerade" : "", "", hops + 1, hops ? "s" : "");
			goto out;
		}
		if (router(c, h.ns, h.ifname, &rt) < 0)
			goto out;
		cur = h.ns;
	}
	dr_check(c, DR_FAIL, "the reply to %s goes round in a loop", d);
	dr_cause(c, NULL, "the routes back toward %s go round in a loop", d);
out:
	c->back = false;
	c->pkt = there;
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
		dr_arrive(c, ns, "lo", &rt);
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
		if (dr_ns_has_addr(h.ns, NULL, &c->pkt.dst, NULL) && !dr_dnat(c, h.ns, h.ifname)) {
			struct dr_route back;
			if (dr_arrive(c, h.ns, h.ifname, &back) == 0)
				walk_back(c, h.ns, back);
			return;
		}
		if (c->n_fwd < ARRAY_SIZE(c->fwd)) {
			struct dr_fwd_hop *fh = &c->fwd[c->n_fwd++];
			size_t k = 0;
			snprintf(fh->ns, sizeof(fh->ns), "%s", h.ns->name);
			snprintf(fh->iif, sizeof(fh->iif), "%s", h.ifname);
			if (!dr_next_addr(cur, rt.dev, c->pkt.family, &k, &fh->prev))
				c->n_fwd--;
		}
		if (router(c, h.ns, h.ifname, &rt) < 0)
			return;
		cur = h.ns;
	}
	dr_check(c, DR_FAIL, "more than 16 hops toward %s", d);
	dr_cause(c, NULL, "the routes toward %s go round in a loop", d);
}
