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
#include "doctor.h"
#include "util.h"

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *flow(const struct dr_ctx *c, char *buf, size_t len)
{
	char s[64], d[64];
	dr_addr(&c->pkt.src, s, sizeof(s));
	dr_addr(&c->pkt.dst, d, sizeof(d));
	if (c->pkt.l4 == IPPROTO_TCP || c->pkt.l4 == IPPROTO_UDP)
		snprintf(buf, len, "%s %s -> %s port %u", c->pkt.l4 == IPPROTO_TCP ? "tcp" : "udp", s, d, c->pkt.port);
	else
		snprintf(buf, len, "icmp echo %s -> %s", s, d);
	return buf;
}

static bool is_host_len(const struct nsnet_prefix *a, int len)
{
	return len == (a->family == AF_INET ? 32 : 128);
}

/* Addresses of family on ifname, one at a time: i is the cursor. */
static bool next_addr(struct dr_ns *ns, const char *ifname, int family, size_t *i, struct nsnet_prefix *ret)
{
	json_t *arr = json_object_get(ns->model, "addresses");
	for (; *i < json_array_size(arr); (*i)++) {
		json_t *o = json_array_get(arr, *i);
		const char *dev = jstr(o, "dev"), *scope = jstr(o, "scope");
		if (!dev || (ifname && !streq(dev, ifname)) || (scope && !streq(scope, "global")) ||
		    nsnet_addr_parse(jstr(o, "address"), ret, NULL) < 0 || ret->family != family)
			continue;
		ret->len = (uint8_t)json_integer_value(json_object_get(o, "prefixlen"));
		(*i)++;
		return true;
	}
	return false;
}

/* The address (with its prefix length) across ifname's veth: on the bridge its
 * other end is a port of, or on the other end itself. */
static bool far_side(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, const struct nsnet_prefix *near,
		     struct nsnet_prefix *ret)
{
	json_t *peer = json_object_get(dr_ns_iface(ns, ifname), "peer");
	struct dr_ns *pns = dr_ns_get(c, jstr(peer, "namespace"));
	if (!pns)
		return false;
	json_t *p = dr_ns_iface(pns, jstr(peer, "name"));
	const char *far = jstr(p, "master") ?: jstr(peer, "name");
	size_t i = 0;
	struct nsnet_prefix a;
	while (next_addr(pns, far, near->family, &i, &a)) {
		/* Same subnet as near; with near's prefix unknown (a /32), any address will do. */
		struct nsnet_prefix net = a;
		net.len = near->len;
		if (is_host_len(near, near->len) || nsnet_prefix_contains(&net, near)) {
			*ret = a;
			return true;
		}
	}
	return false;
}

/* ---- SRC ------------------------------------------------------------------------------ */

static void src_ifaces(struct dr_ctx *c, struct dr_ns *ns)
{
	size_t i;
	json_t *it;
	int usable = 0;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name"), *kind = jstr(it, "kind") ?: "";
		size_t k = 0;
		struct nsnet_prefix a;
		if (!name || streq(kind, "loopback") || !next_addr(ns, name, c->pkt.family, &k, &a))
			continue;
		char sum[512];
		dr_ns_iface_summary(ns, name, c->pkt.family, sum, sizeof(sum));
		bool up = json_is_true(json_object_get(it, "admin_up"));
		k = 0;
		bool host_len = false;
		while (next_addr(ns, name, c->pkt.family, &k, &a))
			host_len |= is_host_len(&a, a.len);
		if (!up || host_len)
			dr_check(c, DR_WARN, "%s: %s%s", ns->name, sum,
				 !up ? "" : " (a host prefix: no neighbour is on-link without a route)");
		else
			dr_check(c, DR_OK, "%s: %s", ns->name, sum);
		usable += up;
	}
	if (!usable)
		dr_check(c, DR_WARN, "%s: no interface is up with a global %s address", ns->name,
			 c->pkt.family == AF_INET ? "IPv4" : "IPv6");
}

/* A bridge in ns without an address of DST's family, with DST behind one of its
 * ports (seed 002: "ping 192.168.15.1: Not Reachable!" until the host has an address
 * on v-net-0). Fills the fix with the lowest address of that subnet nobody holds. */
static bool bridge_without_address(struct dr_ctx *c, struct dr_ns *ns, char *bridge, size_t blen, char *fix,
				   size_t flen)
{
	size_t i, j;
	json_t *br, *port;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, br) {
		const char *bname = jstr(br, "name");
		struct nsnet_prefix tmp;
		size_t k = 0;
		if (!bname || !streq(jstr(br, "kind") ?: "", "bridge") || next_addr(ns, bname, c->pkt.family, &k, &tmp))
			continue;
		/* Every address behind the bridge's ports: DST's subnet, and what is taken. */
		struct nsnet_prefix used[64], subnet = { 0 };
		size_t n_used = 0;
		json_array_foreach(json_object_get(ns->model, "interfaces"), j, port) {
			json_t *peer = json_object_get(port, "peer");
			struct dr_ns *pns = dr_ns_get(c, jstr(peer, "namespace"));
			if (!jstr(port, "master") || !streq(jstr(port, "master"), bname) || !pns)
				continue;
			size_t m = 0;
			struct nsnet_prefix a;
			while (next_addr(pns, jstr(peer, "name"), c->pkt.family, &m, &a)) {
				if (n_used < ARRAY_SIZE(used))
					used[n_used++] = a;
				if (nsnet_prefix_contains(&a, &c->pkt.dst) && !is_host_len(&a, a.len))
					nsnet_prefix_network(&a, &subnet);
			}
		}
		if (!subnet.family)
			continue;
		uint64_t first, last;
		nsnet_prefix_host_range(&subnet, &first, &last);
		for (uint64_t x = first; x <= last && x < first + 4096; x++) {
			struct nsnet_prefix cand;
			bool taken = false;
			if (nsnet_prefix_nth(&subnet, x, &cand) < 0)
				break;
			for (size_t u = 0; u < n_used && !taken; u++)
				taken = nsnet_addr_equal(&used[u], &cand);
			if (taken)
				continue;
			char a[64], ipn[300];
			snprintf(bridge, blen, "%s", bname);
			snprintf(fix, flen, "%saddr add %s/%u dev %s", dr_ip_n(ns->name, ipn, sizeof(ipn)),
				 dr_addr(&cand, a, sizeof(a)), subnet.len, bname);
			return true;
		}
	}
	return false;
}

/* SRC has no route to DST: say why, in the order a user would have to fix it. */
static void no_route(struct dr_ctx *c, struct dr_ns *ns, int err, int type)
{
	char d[64], a[64], fix[1536], ipn[300];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_check(c, DR_FAIL, "%s: no route to %s (%s)", ns->name, d,
		 err < 0 ? strerror(-err) : type == RTN_BLACKHOLE ? "blackhole route" : type == RTN_PROHIBIT ? "prohibit route"
												 : "unreachable route");
	dr_ip_n(ns->name, ipn, sizeof(ipn));
	size_t i;
	json_t *it;
	/* 1. A link that went down took its routes with it. */
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name");
		size_t k = 0;
		struct nsnet_prefix p;
		if (name && !streq(jstr(it, "kind") ?: "", "loopback") && !json_is_true(json_object_get(it, "admin_up")) &&
		    next_addr(ns, name, c->pkt.family, &k, &p)) {
			snprintf(fix, sizeof(fix), "%slink set %s up", ipn, name);
			dr_cause(c, fix, "%s's %s is down, and its routes went down with it", ns->name, name);
			return;
		}
	}
	/* 2. An address without a netmask (seed 002's FAQ): no connected route at all. */
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name");
		size_t k = 0;
		struct nsnet_prefix p, far;
		while (name && !streq(jstr(it, "kind") ?: "", "loopback") && next_addr(ns, name, c->pkt.family, &k, &p)) {
			if (!is_host_len(&p, p.len))
				continue;
			int want = p.family == AF_INET ? 24 : 64;
			json_t *m = NULL;
			json_t *net = dr_net_of_member(c, ns->name, &m);
			struct nsnet_prefix sub;
			if (far_side(c, ns, name, &p, &far))
				want = far.len;
			else if (net && nsnet_prefix_parse(jstr(json_array_get(json_object_get(net, "subnets"), 0), "cidr"), true,
							   &sub, NULL) == 0)
				want = sub.len;
			dr_addr(&p, a, sizeof(a));
			snprintf(fix, sizeof(fix), "%saddr del %s/%d dev %s && %saddr add %s/%d dev %s", ipn, a, p.len, name, ipn,
				 a, want, name);
			dr_cause(c, fix, "%s's address %s/%d on %s has no netmask: with a host prefix the kernel knows no "
				 "neighbour on %s, so it has no route to %s (set the netmask, e.g. /%d)", ns->name, a, p.len, name,
				 name, d, want);
			return;
		}
	}
	/* 3. DST is behind a bridge of SRC's that has no address. */
	char bridge[16];
	if (bridge_without_address(c, ns, bridge, sizeof(bridge), fix, sizeof(fix))) {
		dr_cause(c, fix, "%s has no address on bridge %s, behind which %s is: it has no route into that network",
			 ns->name, bridge, d);
		return;
	}
	/* 4. No default route. */
	bool has_default = false;
	json_array_foreach(json_object_get(ns->model, "routes"), i, it) {
		const char *fam = jstr(it, "family") ?: "", *dst = jstr(it, "dst") ?: "";
		has_default |= streq(dst, "default") && streq(fam, c->pkt.family == AF_INET ? "inet" : "inet6");
	}
	if (has_default) {
		dr_cause(c, NULL, "%s's routes do not lead to %s", ns->name, d);
		return;
	}
	struct nsnet_prefix gw = { 0 };
	json_t *m = NULL, *net = dr_net_of_member(c, ns->name, &m);
	json_array_foreach(json_object_get(net, "subnets"), i, it) {
		struct nsnet_prefix g;
		if (nsnet_addr_parse(jstr(it, "gateway"), &g, NULL) == 0 && g.family == c->pkt.family)
			gw = g;
	}
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		size_t k = 0;
		struct nsnet_prefix p, far;
		const char *name = jstr(it, "name");
		while (!gw.family && name && next_addr(ns, name, c->pkt.family, &k, &p))
			if (far_side(c, ns, name, &p, &far))
				gw = far;
	}
	fix[0] = 0;
	if (gw.family && net)
		snprintf(fix, sizeof(fix), "nsnet route add %s default via %s", ns->name, dr_addr(&gw, a, sizeof(a)));
	else if (gw.family)
		snprintf(fix, sizeof(fix), "%sroute add default via %s", ipn, dr_addr(&gw, a, sizeof(a)));
	dr_cause(c, fix[0] ? fix : NULL, "%s has no default route, and %s is outside its connected networks", ns->name, d);
}

/* ---- DST ------------------------------------------------------------------------------- */

/* The nsnet network whose subnet holds a, or NULL. */
static const char *net_of_addr(struct dr_ctx *c, const struct nsnet_prefix *a)
{
	const char *name;
	json_t *net;
	json_object_foreach(c->nets, name, net) {
		size_t i;
		json_t *sub;
		json_array_foreach(json_object_get(net, "subnets"), i, sub) {
			struct nsnet_prefix p;
			if (nsnet_prefix_parse(jstr(sub, "cidr"), true, &p, NULL) == 0 && nsnet_prefix_contains(&p, a))
				return name;
		}
	}
	return NULL;
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
	if (c->routers == 0 && is_host_len(&c->pkt.dst, dlen)) {
		struct nsnet_prefix far;
		struct nsnet_prefix me = c->pkt.dst;
		me.len = (uint8_t)dlen;
		int want = far_side(c, ns, ifname, &me, &far) ? far.len : c->src_len;
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

static void listening(struct dr_ctx *c, struct dr_ns *ns)
{
	const char *proto = c->pkt.l4 == IPPROTO_TCP ? "tcp" : "udp";
	char ls[512], d[64], fix[1536], want[80];
	unsigned port = c->pkt.port;
	int n = dr_listeners(ns, c->pkt.l4, port, ls, sizeof(ls));
	if (n < 0) {
		dr_check(c, DR_SKIP, "%s: cannot list its sockets: %s", ns->name, strerror(-n));
		return;
	}
	if (n == 0) {
		dr_check(c, DR_FAIL, "%s: nothing listens on %s port %u", ns->name, proto, port);
		snprintf(fix, sizeof(fix), "start the service in %s on %s port %u (to test the path: nsnet exec %s -- socat %s:%u,fork,reuseaddr EXEC:cat)",
			 ns->name, proto, port, ns->name, c->pkt.l4 == IPPROTO_TCP ? "TCP-LISTEN" : "UDP-LISTEN", port);
		dr_cause(c, fix, "nothing listens on %s port %u in %s", proto, port, ns->name);
		return;
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
		return;
	}
	dr_check(c, DR_OK, "%s: listening on %s port %u: %s", ns->name, proto, port, ls);
}

static void arrive(struct dr_ctx *c, struct dr_ns *ns, const char *ifname)
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
		return;
	}
	if (dr_fw_hook(c, ns, "input", ifname, NULL, flow(c, fl, sizeof(fl))) < 0)
		return;
	struct dr_route rb;
	int err = dr_route_get(ns, &c->pkt.src, &c->pkt.dst, 0, &rb);
	if (err < 0 || (rb.type != RTN_UNICAST && rb.type != RTN_LOCAL)) {
		no_way_back(c, ns, ifname, err);
		return;
	}
	char g[64];
	dr_check(c, DR_OK, "%s: route back to %s %s%s%sdev %s", ns->name, s, rb.has_gw ? "via " : "",
		 rb.has_gw ? dr_addr(&rb.gw, g, sizeof(g)) : "", rb.has_gw ? " " : "", rb.dev);
	if ((c->pkt.l4 == IPPROTO_TCP || c->pkt.l4 == IPPROTO_UDP) && c->pkt.port)
		listening(c, ns);
	dr_path_add(c, "%s %s %s", ns->name, ifname, d);
}

/* ---- routers ------------------------------------------------------------------------ */

static int router(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct dr_route *rt)
{
	bool v6 = c->pkt.family == AF_INET6;
	char d[64], s[64], fix[1536], ex[300], fl[200], key[128];
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
	if (dr_fw_hook(c, ns, "forward", iif, r2.dev, flow(c, fl, sizeof(fl))) < 0)
		return -1;
	/* Its own address toward the next hop: what masquerade writes, and the gateway a
	 * return route would go through. */
	struct dr_route out;
	struct nsnet_prefix mine = { 0 };
	if (dr_route_get(ns, r2.has_gw ? &r2.gw : &c->pkt.dst, NULL, 0, &out) == 0 && out.has_prefsrc)
		mine = out.prefsrc;
	struct dr_nft_result nat;
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
	src_ifaces(c, ns);
	struct dr_route rt;
	int err = dr_route_get(ns, &c->pkt.dst, NULL, 0, &rt);
	if (err < 0 || (rt.type != RTN_UNICAST && rt.type != RTN_LOCAL)) {
		no_route(c, ns, err, err < 0 ? 0 : rt.type);
		return;
	}
	if (rt.has_prefsrc) {
		c->pkt.src = rt.prefsrc;
	} else {
		size_t k = 0;
		next_addr(ns, rt.dev, c->pkt.family, &k, &c->pkt.src);
	}
	int len = c->pkt.family == AF_INET ? 32 : 128;
	dr_ns_has_addr(ns, NULL, &c->pkt.src, &len);
	c->src_orig = c->pkt.src;
	c->src_len = len;
	dr_addr(&c->pkt.src, s, sizeof(s));
	if (rt.type == RTN_LOCAL) {
		dr_check(c, DR_OK, "%s: %s is one of its own addresses", ns->name, d);
		arrive(c, ns, "lo");
		return;
	}
	dr_check(c, DR_OK, "%s: route to %s %s%s%sdev %s src %s", ns->name, d, rt.has_gw ? "via " : "",
		 rt.has_gw ? dr_addr(&rt.gw, g, sizeof(g)) : "", rt.has_gw ? " " : "", rt.dev, s);
	if (dr_fw_hook(c, ns, "output", NULL, rt.dev, flow(c, fl, sizeof(fl))) < 0)
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
		if (dr_ns_has_addr(h.ns, NULL, &c->pkt.dst, NULL)) {
			arrive(c, h.ns, h.ifname);
			return;
		}
		if (router(c, h.ns, h.ifname, &rt) < 0)
			return;
		cur = h.ns;
	}
	dr_check(c, DR_FAIL, "more than 16 hops toward %s", d);
	dr_cause(c, NULL, "the routes toward %s go round in a loop", d);
}
