/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One hop across a layer-2 segment, from an interface toward a next-hop address:
 * the interface itself, the other end of its veth, the bridge that end is a port of,
 * the port toward whoever holds the next hop, and that holder's interface, in the
 * order a frame meets them. Whoever holds the address is found by reading every
 * interface on the segment, so a missing gateway address or an address held twice
 * is seen even when ARP has not been tried.
 */
#include <strings.h>
#include <linux/if_bridge.h>
#include "doctor/doctor.h"
#include "base/base.h"

#define MAX_OWNERS 8

struct end {
	const char *ns;         /* the namespace holding the interface */
	const char *ifname;
	const char *port;       /* the bridge port leading to it; NULL for the bridge itself or a veth peer */
	bool is_bridge;
};

/* A bridge port that is up but not forwarding: STP holds it back, or its state was
 * set by hand (`bridge link set dev PORT state N` works with STP off too, and a port
 * set to disabled stays so while its link is up). */
static int port_blocked(struct dr_ctx *c, struct dr_ns *bns, const char *bridge, const char *port, const char *role)
{
	static const char *const names[] = { "disabled", "listening", "learning", "forwarding", "blocking" };
	int st = dr_port_state(bns, port);
	if (st < 0 || st == BR_STATE_FORWARDING || st >= (int)ARRAY_SIZE(names))
		return 0;
	/* Disabled because the port, its peer or the bridge is down: the link checks say that. */
	json_t *it = dr_ns_iface(bns, port), *br = dr_ns_iface(bns, bridge);
	if (st == BR_STATE_DISABLED && (!json_is_true(json_object_get(it, "admin_up")) || !streq_safe(jstr(it, "operstate"), "UP") ||
					!json_is_true(json_object_get(br, "admin_up"))))
		return 0;
	int stp = dr_bridge_stp(bns, bridge);
	char fix[1536], ipn[300], ex[300];
	dr_ip_n(bns->name, ipn, sizeof(ipn));
	dr_exec_in(bns->name, ex, sizeof(ex));
	if (stp == 0) {
		dr_check(c, DR_FAIL, "%s: port %s of %s is UP but %s, not forwarding (STP is off: the state was set by hand): %s",
			 bns->name, port, bridge, names[st], role);
		snprintf(fix, sizeof(fix), "%sbridge link set dev %s state 3", ex, port);
		dr_cause(c, fix, "port %s of bridge %s (%s) is %s: with STP off nothing moves it to forwarding; frames "
			 "through it are dropped", port, bridge, role, names[st]);
		return -1;
	}
	dr_check(c, DR_FAIL, "%s: port %s of %s is UP but %s (STP), not forwarding: %s", bns->name, port, bridge,
		 names[st], role);
	if (st == BR_STATE_BLOCKING) {
		dr_cause(c, NULL, "STP blocks port %s of bridge %s (%s): it sees a loop through it", port, bridge, role);
		return -1;
	}
	snprintf(fix, sizeof(fix), "%slink set %s type bridge stp_state 0 && %sbridge link set dev %s state 3", ipn, bridge,
		 ex, port);
	dr_cause(c, fix, "port %s of bridge %s (%s) is %s: with STP on, a port waits twice the forward delay before "
		 "it forwards", port, bridge, role, names[st]);
	return -1;
}

static bool admin_up(const json_t *iface)
{
	return json_is_true(json_object_get(iface, "admin_up"));
}

/* With --size: an interface on the way whose MTU is below the packet's size drops it
 * (a veth end or a bridge port sending or receiving it), or, on a router's way out
 * with don't-fragment set, answers "fragmentation needed". The fix raises it to the
 * size asked for, or to 1500 when that is more. */
static int mtu_check(struct dr_ctx *c, const char *ns, json_t *it, const char *ifname, const char *role)
{
	unsigned mtu = (unsigned)json_integer_value(json_object_get(it, "mtu"));
	if (!c->pkt.size || !mtu || mtu >= c->pkt.size)
		return 0;
	char fix[1536], ipn[300];
	unsigned want = c->pkt.size > 1500 ? c->pkt.size : 1500;
	dr_check(c, DR_FAIL, "%s: %s has MTU %u, less than the %u-byte packet: %s", ns, ifname, mtu, c->pkt.size, role);
	snprintf(fix, sizeof(fix), "%slink set %s mtu %u", dr_ip_n(ns, ipn, sizeof(ipn)), ifname, want);
	dr_cause(c, fix, "%s (%s in %s) has MTU %u: a %u-byte packet that may not be fragmented does not fit through it",
		 role, ifname, ns, mtu, c->pkt.size);
	return -1;
}

/* A link is down: the check, the cause and `ip link set ... up`. */
static int link_down(struct dr_ctx *c, const char *ns, const char *ifname, const char *role)
{
	char ipn[300], fix[1536];
	dr_check(c, DR_FAIL, "%s: %s is DOWN: %s", ns, ifname, role);
	snprintf(fix, sizeof(fix), "%slink set %s up", dr_ip_n(ns, ipn, sizeof(ipn)), ifname);
	dr_cause(c, fix, "%s (%s in %s) is down", role, ifname, ns);
	return -1;
}

/* Prefix length of ns's address on dev whose subnet holds a, or 24/64. */
static int len_toward(struct dr_ns *ns, const char *dev, const struct nsnet_prefix *a)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ns->model, "addresses"), i, o) {
		struct nsnet_prefix p;
		const char *d = jstr(o, "dev");
		if (!d || !streq(d, dev) || nsnet_addr_parse(jstr(o, "address"), &p, NULL) < 0 || p.family != a->family)
			continue;
		p.len = (uint8_t)json_integer_value(json_object_get(o, "prefixlen"));
		if (nsnet_prefix_contains(&p, a))
			return p.len;
	}
	return a->family == AF_INET ? 24 : 64;
}

/* ns's neighbour entry for nh on dev, or NULL. */
static json_t *neighbour(struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh)
{
	size_t i;
	json_t *o;
	char a[64];
	dr_addr(nh, a, sizeof(a));
	json_array_foreach(json_object_get(ns->model, "neighbours"), i, o) {
		const char *d = jstr(o, "dev"), *addr = jstr(o, "address");
		if (d && addr && streq(d, dev) && streq(addr, a))
			return o;
	}
	return NULL;
}

/* The neighbour entry must name the holder's MAC: one learnt from a former holder of
 * the address (a removed duplicate, a re-created namespace) sends every frame to
 * the wrong place until it ages out. */
static int neighbour_check(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh,
			   const char *mac, const char *holder)
{
	json_t *o = neighbour(ns, dev, nh);
	if (!o)
		return 0;
	char a[64], fix[1536], ipn[300];
	const char *st = jstr(o, "state") ?: "?", *ll = jstr(o, "lladdr");
	dr_addr(nh, a, sizeof(a));
	bool failed = strstr(st, "FAILED") || strstr(st, "INCOMPLETE");
	if (!failed && ll && mac && strcasecmp(ll, mac) != 0) {
		dr_check(c, DR_FAIL, "%s: neighbour %s on %s: %s %s, but %s is %s", ns->name, a, dev, st, ll, holder, mac);
		snprintf(fix, sizeof(fix), "%sneigh del %s dev %s", dr_ip_n(ns->name, ipn, sizeof(ipn)), a, dev);
		dr_cause(c, fix, "%s's neighbour entry for %s is stale: it sends to %s, and %s (the holder, %s) is %s", ns->name,
			 a, ll, a, holder, mac);
		return -1;
	}
	dr_check(c, failed ? DR_WARN : DR_OK, "%s: neighbour %s on %s: %s%s%s", ns->name, a, dev, st, ll ? " " : "",
		 ll ?: "");
	return 0;
}

/* nh is held by more than one interface: say which, and remove the one nsnet did not give. */
static int duplicate(struct dr_ctx *c, struct dr_ns *src, const char *dev, const struct end *ends, const size_t *own,
		     size_t n, const struct nsnet_prefix *nh, const char *seg)
{
	char a[64], list[512] = "", fix[1536], ipn[300];
	size_t off = 0, bad = own[n - 1];
	dr_addr(nh, a, sizeof(a));
	for (size_t i = 0; i < n; i++) {
		const struct end *e = &ends[own[i]];
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s %s", i ? ", " : "",
					e->ns, e->ifname);
	}
	/* The intruder: not the DST named on the command line, not the member nsnet gave the address to. */
	for (size_t i = n; i-- > 0;) {
		const struct end *e = &ends[own[i]];
		json_t *m = NULL;
		bool given = false;
		if (dr_net_of_member(c, e->ns, &m)) {
			size_t k;
			json_t *ip;
			json_array_foreach(json_object_get(m, "ips"), k, ip) {
				struct nsnet_prefix p;
				given |= nsnet_prefix_parse(json_string_value(ip), false, &p, NULL) == 0 && nsnet_addr_equal(&p, nh);
			}
		}
		if (!e->is_bridge && !given && !(c->dst_ns && streq(c->dst_ns, e->ns))) {
			bad = own[i];
			break;
		}
	}
	const struct end *e = &ends[bad];
	struct dr_ns *ens = dr_ns_get(c, e->ns);
	int len = 32;
	if (ens)
		dr_ns_has_addr(ens, e->ifname, nh, &len);
	dr_check(c, DR_FAIL, "%s is on %zu interfaces of %s: %s", a, n, seg, list);
	size_t off2 = (size_t)snprintf(fix, sizeof(fix), "%saddr del %s/%d dev %s", dr_ip_n(e->ns, ipn, sizeof(ipn)), a,
				       len, e->ifname);
	/* The sender may have learnt the intruder's MAC: forget it with the address. */
	json_t *nb = neighbour(src, dev, nh);
	const char *mac = ens ? jstr(dr_ns_iface(ens, e->ifname), "mac") : NULL, *ll = jstr(nb, "lladdr");
	if (mac && ll && !strcasecmp(mac, ll) && off2 < sizeof(fix))
		snprintf(fix + off2, sizeof(fix) - off2, " && %sneigh del %s dev %s", dr_ip_n(src->name, ipn, sizeof(ipn)), a,
			 dev);
	dr_cause(c, fix, "the same address %s is on two namespaces of %s (%s): they answer ARP for it in turn", a, seg,
		 list);
	return -1;
}

/* The destination of ns's route through gateway nh out of dev ("default", "10.2.0.0/24"). */
static const char *route_dst_via(struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh)
{
	char a[64];
	dr_addr(nh, a, sizeof(a));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(ns->model, "routes"), i, r)
		if (streq_safe(jstr(r, "gateway"), a) && streq_safe(jstr(r, "dev"), dev))
			return jstr(r, "dst");
	return NULL;
}

/* A router that really is on the segment: an end whose namespace forwards and holds
 * an address in the subnet ns has on dev. Its address into ret. */
static const struct end *router_on(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct end *ends,
				   size_t n, struct nsnet_prefix *ret)
{
	struct nsnet_prefix mine;
	size_t k = 0;
	if (!dr_next_addr(ns, dev, c->pkt.family, &k, &mine))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct dr_ns *ens = dr_ns_get(c, ends[i].ns);
		json_t *fwd = ens ? json_object_get(ens->model, "forwarding") : NULL;
		if (!ens || ens == ns || !json_is_true(json_object_get(fwd, c->pkt.family == AF_INET6 ? "ipv6" : "ipv4")))
			continue;
		for (size_t j = 0; dr_next_addr(ens, ends[i].ifname, c->pkt.family, &j, ret);)
			if (nsnet_prefix_contains(&mine, ret))
				return &ends[i];
	}
	return NULL;
}

static int nobody(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh, bool nh_is_gw,
		  const char *seg, const char *bns, const char *bridge, const struct end *ends, size_t n)
{
	const struct end *peer = bns ? NULL : &ends[0];
	char a[64], fix[1536] = "", ipn[300];
	dr_addr(nh, a, sizeof(a));
	if (nh_is_gw) {
		dr_check(c, DR_FAIL, "no interface on %s has %s, the gateway of %s's route", seg, a, ns->name);
		/* A typo in the route, most likely, when a router does sit on that link:
		 * point the route at it rather than give its address to someone. */
		struct nsnet_prefix ra;
		const struct end *rt = router_on(c, ns, dev, ends, n, &ra);
		const char *dst = route_dst_via(ns, dev, nh);
		if (rt && dst) {
			char r[64];
			dr_addr(&ra, r, sizeof(r));
			snprintf(fix, sizeof(fix), "%sroute replace %s via %s dev %s", dr_ip_n(ns->name, ipn, sizeof(ipn)), dst, r,
				 dev);
			dr_cause(c, fix, "%s's route to %s goes via %s, which nobody on %s has; the router on that link is %s "
				 "(%s's %s)", ns->name, dst, a, seg, r, rt->ns, rt->ifname);
			return -1;
		}
		int len = len_toward(ns, dev, nh);
		if (bridge)
			snprintf(fix, sizeof(fix), "%saddr add %s/%d dev %s", dr_ip_n(bns, ipn, sizeof(ipn)), a, len, bridge);
		else if (peer)
			snprintf(fix, sizeof(fix), "%saddr add %s/%d dev %s", dr_ip_n(peer->ns, ipn, sizeof(ipn)), a, len,
				 peer->ifname);
		dr_cause(c, fix, "the gateway %s is missing: no interface on %s has it, so nothing answers %s's ARP for it", a,
			 seg, ns->name);
		return -1;
	}
	dr_check(c, DR_FAIL, "no interface on %s has %s", seg, a);
	/* An interface that is down loses its IPv6 addresses: the likely holder. */
	for (size_t i = 0; i < n && nh->family == AF_INET6; i++) {
		struct dr_ns *ens = dr_ns_get(c, ends[i].ns);
		json_t *it = ens ? dr_ns_iface(ens, ends[i].ifname) : NULL;
		if (it && !ends[i].is_bridge && !admin_up(it)) {
			dr_ip_n(ends[i].ns, ipn, sizeof(ipn));
			snprintf(fix, sizeof(fix), "%slink set %s up && %saddr add %s/%d dev %s", ipn, ends[i].ifname, ipn, a,
				 len_toward(ns, dev, nh), ends[i].ifname);
			dr_cause(c, fix, "%s is on no interface of %s; %s's %s there is down, and an interface that goes down "
				 "loses its IPv6 addresses", a, seg, ends[i].ns, ends[i].ifname);
			return -1;
		}
	}
	json_t *net = bridge ? dr_net_by_bridge(c, bridge) : NULL;
	if (net && c->dst_ns)
		snprintf(fix, sizeof(fix), "nsnet net attach %s %s", json_string_value(json_object_get(net, "name")), c->dst_ns);
	dr_cause(c, fix[0] ? fix : NULL, "%s is on no interface reachable over %s from %s's %s", a, seg, ns->name, dev);
	return -1;
}

/* The segment a packet leaving dev enters: the bridge it is (or whose port its veth
 * peer is), or the veth pair itself; and every interface on it that could hold the
 * next hop. */
struct segment {
	struct dr_ns *bns;          /* the bridge's namespace, or NULL for a bare veth pair */
	const char *bridge, *in_port;
	struct end ends[1024];
	size_t n;
	char seg[128];
};

/* Where dev leads: 0, or the return value of dr_segment (the check is written). */
static int segment_enter(struct dr_ctx *c, struct dr_ns *ns, const char *dev, json_t *x, struct segment *s)
{
	const char *kind = jstr(x, "kind") ?: "?";
	char role[256];
	if (streq(kind, "bridge")) {
		s->bns = ns;
		s->bridge = dev;
		return 0;
	}
	if (!streq(kind, "veth")) {
		dr_check(c, DR_WARN, "%s: %s is a %s; doctor follows veth pairs and bridges only", ns->name, dev, kind);
		return -2;
	}
	json_t *peer = json_object_get(x, "peer");
	const char *pns_name = jstr(peer, "namespace"), *pname = jstr(peer, "name");
	struct dr_ns *pns = pns_name ? dr_ns_get(c, pns_name) : NULL;
	json_t *p = pns && pname ? dr_ns_iface(pns, pname) : NULL;
	if (!p) {
		dr_check(c, DR_WARN, "%s: %s is a veth whose other end is in a namespace without a name (a container?); "
			 "doctor cannot follow it", ns->name, dev);
		return -2;
	}
	const char *master = jstr(p, "master");
	json_t *mb = master ? dr_ns_iface(pns, master) : NULL;
	bool port = mb && streq(jstr(mb, "kind") ?: "", "bridge");
	snprintf(role, sizeof(role), port ? "the bridge-side end of %s's veth" : "the other end of %s's veth", ns->name);
	if (!admin_up(p))
		return link_down(c, pns->name, pname, role);
	if (mtu_check(c, pns->name, p, pname, role) < 0 || (port && port_blocked(c, pns, master, pname, role) < 0))
		return -1;
	dr_check(c, DR_OK, "%s: %s is a veth; its other end %s in %s is UP%s%s", ns->name, dev, pname, pns->name,
		 port ? ", a port of bridge " : "", port ? master : "");
	if (port) {
		s->bns = pns;
		s->bridge = master;
		s->in_port = pname;
	} else {
		s->ends[s->n++] = (struct end){ pns->name, pname, NULL, false };
		snprintf(s->seg, sizeof(s->seg), "the veth pair %s (%s) - %s (%s)", dev, ns->name, pname, pns->name);
	}
	return 0;
}

/* The bridge itself and the far ends of its ports (but the one we came in by). */
static int segment_bridge(struct dr_ctx *c, struct dr_ns *ns, const char *dev, struct segment *s)
{
	char role[256], sum[512];
	json_t *b = dr_ns_iface(s->bns, s->bridge);
	snprintf(role, sizeof(role), "the bridge %s", s->bridge);
	if (!admin_up(b))
		return link_down(c, s->bns->name, s->bridge, role);
	dr_ns_iface_summary(s->bns, s->bridge, c->pkt.family, sum, sizeof(sum));
	dr_check(c, DR_OK, "%s: bridge %s", s->bns->name, sum);
	json_t *net = dr_net_by_bridge(c, s->bridge);
	if (net)
		snprintf(s->seg, sizeof(s->seg), "network %s (bridge %s)", jstr(net, "name"), s->bridge);
	else
		snprintf(s->seg, sizeof(s->seg), "bridge %s", s->bridge);
	if (!(s->bns == ns && streq(s->bridge, dev)))   /* not when we send from the bridge itself */
		s->ends[s->n++] = (struct end){ s->bns->name, s->bridge, NULL, true };
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(s->bns->model, "interfaces"), i, it) {
		const char *m = jstr(it, "master"), *name = jstr(it, "name");
		json_t *peer = json_object_get(it, "peer");
		if (!m || !streq(m, s->bridge) || (s->in_port && streq(name, s->in_port)) || !jstr(peer, "namespace") ||
		    s->n == ARRAY_SIZE(s->ends))
			continue;
		s->ends[s->n++] = (struct end){ jstr(peer, "namespace"), jstr(peer, "name"), name, false };
	}
	return 0;
}

/* The holder must answer ARP for the next hop: not with ARP off on its interface
 * (NOARP), not told by arp_ignore=8 never to, and not with the sender's own MAC (the
 * bridge would send the frames back to the sender's port). */
static int answers_arp(struct dr_ctx *c, struct dr_ns *ns, const char *dev, struct dr_ns *ons, const char *ifname,
		       const char *a)
{
	char fix[1536], ipn[300], ex[300], key[128];
	json_t *it = dr_ns_iface(ons, ifname);
	if (c->pkt.family != AF_INET)
		goto mac;
	if (json_is_false(json_object_get(it, "arp"))) {
		dr_check(c, DR_FAIL, "%s: %s has ARP off (NOARP): it never answers who-has %s", ons->name, ifname, a);
		snprintf(fix, sizeof(fix), "%slink set %s arp on", dr_ip_n(ons->name, ipn, sizeof(ipn)), ifname);
		dr_cause(c, fix, "%s's %s has ARP turned off, so %s never learns the MAC of %s", ons->name, ifname, ns->name, a);
		return -1;
	}
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/arp_ignore", ifname);
	int ai = dr_sysctl_int(ons, key), aa = dr_sysctl_int(ons, "net/ipv4/conf/all/arp_ignore");
	if ((ai > aa ? ai : aa) == 8) {
		dr_check(c, DR_FAIL, "%s: arp_ignore=8 on %s: it answers no ARP request at all", ons->name, ifname);
		snprintf(fix, sizeof(fix), "%ssysctl -w net.ipv4.conf.all.arp_ignore=0 net/ipv4/conf/%s/arp_ignore=0",
			 dr_exec_in(ons->name, ex, sizeof(ex)), ifname);
		dr_cause(c, fix, "%s is told never to answer ARP (arp_ignore=8), so %s never learns the MAC of %s", ons->name,
			 ns->name, a);
		return -1;
	}
mac:;
	const char *mine = jstr(dr_ns_iface(ns, dev), "mac"), *theirs = jstr(it, "mac");
	if (mine && theirs && !strcasecmp(mine, theirs) && !(ns == ons && streq(dev, ifname))) {
		/* A new locally administered MAC, stable for the name. */
		uint32_t h = nsnet_hash32(ons->name) ^ (nsnet_hash32(ifname) << 1);
		dr_check(c, DR_FAIL, "%s: %s has the MAC %s of %s's %s", ons->name, ifname, theirs, ns->name, dev);
		snprintf(fix, sizeof(fix), "%slink set %s address 02:6e:%02x:%02x:%02x:%02x", dr_ip_n(ons->name, ipn, sizeof(ipn)),
			 ifname, (h >> 24) & 0xff, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
		dr_cause(c, fix, "%s's %s and %s's %s have the same MAC %s: frames for one go to the other", ons->name, ifname,
			 ns->name, dev, theirs);
		return -1;
	}
	return 0;
}

/* The one end that holds the next hop: its port and interface up, the bridge lets
 * the packet through, and the sender's neighbour entry points at it. */
static int segment_owner(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh,
			 const struct segment *s, const struct end *o, struct dr_hop *ret)
{
	struct dr_ns *ons = dr_ns_get(c, o->ns);
	char a[64], role[256], sum[512];
	dr_addr(nh, a, sizeof(a));
	if (o->port) {
		snprintf(role, sizeof(role), "the bridge-side end of %s's veth", o->ns);
		if (!admin_up(dr_ns_iface(s->bns, o->port)))
			return link_down(c, s->bns->name, o->port, role);
		if (mtu_check(c, s->bns->name, dr_ns_iface(s->bns, o->port), o->port, role) < 0 ||
		    port_blocked(c, s->bns, s->bridge, o->port, role) < 0)
			return -1;
		dr_check(c, DR_OK, "%s: port %s of %s toward %s %s is UP", s->bns->name, o->port, s->bridge, o->ns,
			 o->ifname);
	}
	if (!o->is_bridge) {
		snprintf(role, sizeof(role), "%s's interface holding %s", o->ns, a);
		if (!admin_up(dr_ns_iface(ons, o->ifname)))
			return link_down(c, o->ns, o->ifname, role);
		if (mtu_check(c, o->ns, dr_ns_iface(ons, o->ifname), o->ifname, role) < 0)
			return -1;
	}
	dr_ns_iface_summary(ons, o->ifname, c->pkt.family, sum, sizeof(sum));
	dr_check(c, DR_OK, "%s: %s (holds %s)", o->ns, sum, a);
	/* Bridged from port to port; what the bridge's own address sends is the
	 * host's output, already checked. */
	if (s->bns && o->port && s->in_port && dr_fw_bridged(c, s->bns, s->bridge, s->in_port, o->port) < 0)
		return -1;
	if (!o->is_bridge && answers_arp(c, ns, dev, ons, o->ifname, a) < 0)
		return -1;
	char holder[300];
	snprintf(holder, sizeof(holder), "%s's %s", o->ns, o->ifname);
	if (neighbour_check(c, ns, dev, nh, jstr(dr_ns_iface(ons, o->ifname), "mac"), holder) < 0)
		return -1;
	ret->ns = ons;
	snprintf(ret->ifname, sizeof(ret->ifname), "%s", o->ifname);
	if (s->bridge) {
		snprintf(ret->bridge, sizeof(ret->bridge), "%s", s->bridge);
		ret->bridge_ns = s->bns;
	}
	return 0;
}

int dr_segment(struct dr_ctx *c, struct dr_ns *ns, const char *dev, const struct nsnet_prefix *nh, bool nh_is_gw,
	       struct dr_hop *ret)
{
	memset(ret, 0, sizeof(*ret));
	json_t *x = dr_ns_iface(ns, dev);
	if (!x) {
		dr_check(c, DR_SKIP, "%s: %s is gone", ns->name, dev);
		return -1;
	}
	char role[256], nha[64];
	snprintf(role, sizeof(role), "%s's interface toward %s", ns->name, dr_addr(nh, nha, sizeof(nha)));
	if (!admin_up(x))
		return link_down(c, ns->name, dev, role);
	if (mtu_check(c, ns->name, x, dev, role) < 0)
		return -1;
	_cleanup_free_ struct segment *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	int r = segment_enter(c, ns, dev, x, s);
	if (r < 0 || (s->bns && (r = segment_bridge(c, ns, dev, s)) < 0))
		return r;

	const char *names[ARRAY_SIZE(s->ends)];
	for (size_t i = 0; i < s->n; i++)
		names[i] = s->ends[i].ns;
	dr_ns_preload(c, names, s->n);
	size_t own[MAX_OWNERS], n_own = 0;
	for (size_t i = 0; i < s->n && n_own < MAX_OWNERS; i++) {
		struct dr_ns *ens = dr_ns_get(c, s->ends[i].ns);
		if (ens && dr_ns_has_addr(ens, s->ends[i].ifname, nh, NULL))
			own[n_own++] = i;
	}
	/* A network that spans hosts: whoever has it may be on another host. */
	if (n_own == 0 && s->bns && (r = dr_vxlan(c, s->bns, s->bridge, s->in_port, nh)) <= 0)
		return r;
	if (n_own == 0)
		return nobody(c, ns, dev, nh, nh_is_gw, s->seg, s->bns ? s->bns->name : NULL, s->bridge, s->ends, s->n);
	if (n_own > 1)
		return duplicate(c, ns, dev, s->ends, own, n_own, nh, s->seg);
	return segment_owner(c, ns, dev, nh, s, &s->ends[own[0]], ret);
}
