/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Netmask mistakes: DST's address is on a link SRC is on (the other end of one of
 * its veths, or behind the bridge that veth is a port of), yet the two addresses are
 * not in one subnet: a /32 on a plain veth pair, a /16 against a /24. The kernel
 * then sends the packet to a gateway (or nowhere) instead of asking the neighbour,
 * or the answer cannot come back on-link. The fix gives each side the prefix that
 * puts both in one subnet: the network's own for an nsnet network, otherwise the
 * longest prefix that holds both as host addresses.
 */
#include "doctor/doctor.h"
#include "base/base.h"

struct holder {
	const char *ns, *ifname;
	int len;
};

/* Whoever on the link of SRC's ifname holds dst: the veth's other end, or, when that
 * end is a bridge port, the bridge and the other ports' far ends. */
static bool find_holder(struct dr_ctx *c, struct dr_ns *ns, json_t *it, char *bridge, size_t blen, struct holder *ret)
{
	json_t *peer = json_object_get(it, "peer");
	struct dr_ns *pns = jstr(peer, "namespace") ? dr_ns_get(c, jstr(peer, "namespace")) : NULL;
	json_t *p = pns ? dr_ns_iface(pns, jstr(peer, "name")) : NULL;
	if (!p)
		return false;
	const char *master = jstr(p, "master");
	if (!master) {
		*ret = (struct holder){ pns->name, jstr(p, "name"), 0 };
		return dr_ns_has_addr(pns, ret->ifname, &c->pkt.dst, &ret->len);
	}
	snprintf(bridge, blen, "%s", master);
	if (dr_ns_has_addr(pns, master, &c->pkt.dst, &ret->len)) {
		ret->ns = pns->name;
		ret->ifname = jstr(dr_ns_iface(pns, master), "name");
		return true;
	}
	size_t i;
	json_t *port;
	json_array_foreach(json_object_get(pns->model, "interfaces"), i, port) {
		json_t *far = json_object_get(port, "peer");
		struct dr_ns *fns;
		if (!streq_safe(jstr(port, "master"), master) || port == p || !jstr(far, "namespace") ||
		    !(fns = dr_ns_get(c, jstr(far, "namespace"))))
			continue;
		if (fns != ns && dr_ns_has_addr(fns, jstr(far, "name"), &c->pkt.dst, &ret->len)) {
			ret->ns = fns->name;
			ret->ifname = jstr(far, "name");
			return true;
		}
	}
	return false;
}

/* The prefix length that holds both a and b as host addresses. */
static int common_len(const struct nsnet_prefix *a, const struct nsnet_prefix *b)
{
	int bits = a->family == AF_INET ? 32 : 128, l = 0;
	while (l < bits && ((a->addr[l / 8] ^ b->addr[l / 8]) & (0x80 >> (l % 8))) == 0)
		l++;
	if (a->family == AF_INET6)
		return l < 64 ? l : 64;
	for (l = l < 30 ? l : 30; l > 0; l--) {
		struct nsnet_prefix pa = *a, pb = *b, na, nb;
		pa.len = pb.len = (uint8_t)l;
		nsnet_prefix_network(&pa, &na);
		nsnet_prefix_network(&pb, &nb);
		uint64_t first, last;
		nsnet_prefix_host_range(&na, &first, &last);
		uint64_t ia = nsnet_prefix_index(&na, a), ib = nsnet_prefix_index(&nb, b);
		if (ia >= first && ia <= last && ib >= first && ib <= last)
			return l;
	}
	return 0;
}

/* The length the link's subnet has: an nsnet network's, or the common one. */
static int right_len(struct dr_ctx *c, const char *bridge, const struct nsnet_prefix *a, const struct nsnet_prefix *b)
{
	json_t *net = bridge[0] ? dr_net_by_bridge(c, bridge) : NULL, *sub;
	size_t i;
	json_array_foreach(json_object_get(net, "subnets"), i, sub) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(jstr(sub, "cidr"), true, &p, NULL) == 0 && nsnet_prefix_contains(&p, a) &&
		    nsnet_prefix_contains(&p, b))
			return p.len;
	}
	return common_len(a, b);
}

/* "ip -n NS addr del A/OLD dev IF && ip -n NS addr add A/NEW dev IF" appended at fix+*off. */
static void readdress(char *fix, size_t len, size_t *off, const char *ns, const char *ifname,
		      const struct nsnet_prefix *a, int old, int want)
{
	char ipn[300], s[64];
	dr_ip_n(ns, ipn, sizeof(ipn));
	dr_addr(a, s, sizeof(s));
	if (*off < len)
		*off += (size_t)snprintf(fix + *off, len - *off, "%s%saddr del %s/%d dev %s && %saddr add %s/%d dev %s",
					 *off ? " && " : "", ipn, s, old, ifname, ipn, s, want, ifname);
}

int dr_mask_check(struct dr_ctx *c, struct dr_ns *ns)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *name = jstr(it, "name");
		char bridge[16] = "";
		struct holder h;
		struct nsnet_prefix s;
		size_t k = 0;
		if (!name || !streq_safe(jstr(it, "kind"), "veth") || !dr_next_addr(ns, name, c->pkt.family, &k, &s) ||
		    !find_holder(c, ns, it, bridge, sizeof(bridge), &h))
			continue;
		struct nsnet_prefix mine = s, theirs = c->pkt.dst;
		theirs.len = (uint8_t)h.len;
		if (nsnet_prefix_contains(&mine, &c->pkt.dst) && nsnet_prefix_contains(&theirs, &s))
			return 0;  /* one subnet: whatever is wrong, it is not the mask */
		/* One side without a netmask (a /32) inside the other's subnet: the tutorials'
		 * FAQ, which the route checks name from either side (src.c, dst.c). */
		bool hs = dr_is_host_len(&s, s.len), hd = dr_is_host_len(&c->pkt.dst, h.len);
		if ((hs && !hd && nsnet_prefix_contains(&theirs, &s)) || (hd && !hs && nsnet_prefix_contains(&mine, &c->pkt.dst)))
			return 0;
		int want = right_len(c, bridge, &s, &c->pkt.dst);
		char sa[64], da[64], fix[1536] = "";
		size_t off = 0;
		dr_addr(&s, sa, sizeof(sa));
		dr_addr(&c->pkt.dst, da, sizeof(da));
		dr_check(c, DR_FAIL, "%s: %s %s/%u and %s's %s %s/%d are on one link but not in one subnet", ns->name, name,
			 sa, s.len, h.ns, h.ifname, da, h.len);
		if (want && s.len != want)
			readdress(fix, sizeof(fix), &off, ns->name, name, &s, s.len, want);
		if (want && h.len != want)
			readdress(fix, sizeof(fix), &off, h.ns, h.ifname, &c->pkt.dst, h.len, want);
		bool host = hs || hd;
		dr_cause(c, fix[0] ? fix : NULL,
			 "netmask mismatch: %s's %s is %s/%u and %s's %s is %s/%d%s; on one link they need one subnet (/%d)",
			 ns->name, name, sa, s.len, h.ns, h.ifname, da, h.len,
			 host ? " (a host prefix puts no neighbour on-link)" : "", want);
		return -1;
	}
	return 0;
}
