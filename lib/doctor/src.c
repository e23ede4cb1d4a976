/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SRC's side of the walk: its interfaces, and when the kernel finds no route to DST,
 * why, in the order a user would have to fix it: a link that went down took its
 * routes along, an address without a netmask (seed 002's FAQ), a bridge without an
 * address in front of DST (seed 002's "Not Reachable!"), no default route. Also the
 * address helpers the other side of the walk shares.
 */
#include <linux/rtnetlink.h>
#include "doctor/doctor.h"
#include "base/base.h"

const char *dr_flow(const struct dr_ctx *c, char *buf, size_t len)
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

bool dr_is_host_len(const struct nsnet_prefix *a, int len)
{
	return len == (a->family == AF_INET ? 32 : 128);
}

/* Addresses of family on ifname, one at a time: i is the cursor. */
bool dr_next_addr(struct dr_ns *ns, const char *ifname, int family, size_t *i, struct nsnet_prefix *ret)
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
bool dr_far_side(struct dr_ctx *c, struct dr_ns *ns, const char *ifname, const struct nsnet_prefix *near,
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
	while (dr_next_addr(pns, far, near->family, &i, &a)) {
		/* Same subnet as near; with near's prefix unknown (a /32), any address will do. */
		struct nsnet_prefix net = a;
		net.len = near->len;
		if (dr_is_host_len(near, near->len) || nsnet_prefix_contains(&net, near)) {
			*ret = a;
			return true;
		}
	}
	return false;
}

/* ---- SRC ------------------------------------------------------------------------------ */

void dr_src_ifaces(struct dr_ctx *c, struct dr_ns *ns)
{
	size_t i;
	json_t *it;
	int usable = 0;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name"), *kind = jstr(it, "kind") ?: "";
		size_t k = 0;
		struct nsnet_prefix a;
		if (!name || streq(kind, "loopback") || !dr_next_addr(ns, name, c->pkt.family, &k, &a))
			continue;
		char sum[512];
		dr_ns_iface_summary(ns, name, c->pkt.family, sum, sizeof(sum));
		bool up = json_is_true(json_object_get(it, "admin_up"));
		k = 0;
		bool host_len = false;
		while (dr_next_addr(ns, name, c->pkt.family, &k, &a))
			host_len |= dr_is_host_len(&a, a.len);
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
		if (!bname || !streq(jstr(br, "kind") ?: "", "bridge") || dr_next_addr(ns, bname, c->pkt.family, &k, &tmp))
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
			while (dr_next_addr(pns, jstr(peer, "name"), c->pkt.family, &m, &a)) {
				if (n_used < ARRAY_SIZE(used))
					used[n_used++] = a;
				if (nsnet_prefix_contains(&a, &c->pkt.dst) && !dr_is_host_len(&a, a.len))
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

/* 1. A link that went down took its routes with it: the first one whose subnet holds
 * DST is the cause; *ret_down names any down link, suspected only after the rest (as
 * the way the default route went). */
static bool cause_link_down(struct dr_ctx *c, struct dr_ns *ns, const char *ipn, const char **ret_down)
{
	char fix[1536];
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name");
		size_t k = 0;
		struct nsnet_prefix p;
		if (!name || streq(jstr(it, "kind") ?: "", "loopback") || json_is_true(json_object_get(it, "admin_up")))
			continue;
		while (dr_next_addr(ns, name, c->pkt.family, &k, &p)) {
			*ret_down = *ret_down ? *ret_down : name;
			if (!nsnet_prefix_contains(&p, &c->pkt.dst))
				continue;
			snprintf(fix, sizeof(fix), "%slink set %s up", ipn, name);
			dr_cause(c, fix, "%s's %s is down, and its routes went down with it", ns->name, name);
			return true;
		}
	}
	return false;
}

/* 2. An address without a netmask (seed 002's FAQ): no connected route at all. */
static bool cause_no_netmask(struct dr_ctx *c, struct dr_ns *ns, const char *ipn, const char *d)
{
	char a[64], fix[1536];
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name");
		size_t k = 0;
		struct nsnet_prefix p, far;
		while (name && !streq(jstr(it, "kind") ?: "", "loopback") && dr_next_addr(ns, name, c->pkt.family, &k, &p)) {
			if (!dr_is_host_len(&p, p.len))
				continue;
			int want = p.family == AF_INET ? 24 : 64;
			json_t *net = dr_net_of_member(c, ns->name, NULL), *s;
			size_t si;
			if (dr_far_side(c, ns, name, &p, &far)) {
				want = far.len;
			} else {
				json_array_foreach(json_object_get(net, "subnets"), si, s) {
					struct nsnet_prefix sub;
					if (nsnet_prefix_parse(jstr(s, "cidr"), true, &sub, NULL) == 0 && sub.family == p.family)
						want = sub.len;
				}
			}
			dr_addr(&p, a, sizeof(a));
			snprintf(fix, sizeof(fix), "%saddr del %s/%d dev %s && %saddr add %s/%d dev %s", ipn, a, p.len, name, ipn,
				 a, want, name);
			dr_cause(c, fix, "%s's address %s/%d on %s has no netmask: with a host prefix the kernel knows no "
				 "neighbour on %s, so it has no route to %s (set the netmask, e.g. /%d)", ns->name, a, p.len, name,
				 name, d, want);
			return true;
		}
	}
	return false;
}

/* 4. No default route: the gateway to name in the fix is the network's, or the far
 * side of one of SRC's links. */
static void cause_no_default(struct dr_ctx *c, struct dr_ns *ns, const char *ipn, const char *d)
{
	char a[64], fix[1536];
	size_t i;
	json_t *it;
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
		while (!gw.family && name && dr_next_addr(ns, name, c->pkt.family, &k, &p))
			if (dr_far_side(c, ns, name, &p, &far))
				gw = far;
	}
	fix[0] = 0;
	if (gw.family && net)
		snprintf(fix, sizeof(fix), "nsnet route add %s default via %s", ns->name, dr_addr(&gw, a, sizeof(a)));
	else if (gw.family)
		snprintf(fix, sizeof(fix), "%sroute add default via %s", ipn, dr_addr(&gw, a, sizeof(a)));
	dr_cause(c, fix[0] ? fix : NULL, "%s has no default route, and %s is outside its connected networks", ns->name, d);
}

/* SRC has no route to DST: say why, in the order a user would have to fix it. */
void dr_no_route(struct dr_ctx *c, struct dr_ns *ns, int err, int type)
{
	char d[64], fix[1536], ipn[300];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_check(c, DR_FAIL, "%s: no route to %s (%s)", ns->name, d,
		 err < 0 ? strerror(-err) : type == RTN_BLACKHOLE ? "blackhole route" : type == RTN_PROHIBIT ? "prohibit route"
												 : "unreachable route");
	dr_ip_n(ns->name, ipn, sizeof(ipn));
	/* A route whose type is the refusal (blackhole, prohibit, unreachable): say which.
	 * The kernel's lookup answers those with an error (EINVAL, EACCES, EHOSTUNREACH). */
	{
		size_t i;
		json_t *rt;
		json_array_foreach(json_object_get(ns->model, "routes"), i, rt) {
			const char *t = jstr(rt, "type"), *dst = jstr(rt, "dst");
			struct nsnet_prefix p;
			if (!t || !dst || streq(t, "unicast") || streq(t, "local") || streq(t, "broadcast"))
				continue;
			if (!streq(dst, "default") && (nsnet_prefix_parse(dst, false, &p, NULL) < 0 || !nsnet_prefix_contains(&p, &c->pkt.dst)))
				continue;
			snprintf(fix, sizeof(fix), "%sroute del %s %s", ipn, t, dst);
			dr_cause(c, fix, "%s has a %s route for %s, which covers %s", ns->name, t, dst, d);
			return;
		}
	}
	const char *down = NULL;
	if (cause_link_down(c, ns, ipn, &down) || cause_no_netmask(c, ns, ipn, d))
		return;
	/* 3. DST is behind a bridge of SRC's that has no address. */
	char bridge[16];
	if (bridge_without_address(c, ns, bridge, sizeof(bridge), fix, sizeof(fix))) {
		dr_cause(c, fix, "%s has no address on bridge %s, behind which %s is: it has no route into that network",
			 ns->name, bridge, d);
		return;
	}
	bool has_default = false;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "routes"), i, it) {
		const char *fam = jstr(it, "family") ?: "", *dst = jstr(it, "dst") ?: "";
		has_default |= streq(dst, "default") && streq(fam, c->pkt.family == AF_INET ? "inet" : "inet6");
	}
	if (down) {
		snprintf(fix, sizeof(fix), "%slink set %s up", ipn, down);
		dr_cause(c, fix, "%s's %s is down, and its routes%s went down with it", ns->name, down,
			 has_default ? "" : " (the default route too, it seems)");
		return;
	}
	if (has_default) {
		dr_cause(c, NULL, "%s's routes do not lead to %s", ns->name, d);
		return;
	}
	cause_no_default(c, ns, ipn, d);
}
