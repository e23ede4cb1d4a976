/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Across a VXLAN port: a network that spans hosts (docs/vxlan.md). When nobody on
 * this host's bridge holds the next hop, the frame (ARP first) leaves through the
 * bridge's VXLAN port to every peer of its forwarding entries. What this host can
 * show is checked: the port is up and its MTU fits, its all-zeros entries name the
 * network's peers, the underlay has a route to each peer, and each peer answers an
 * echo on the underlay. The other host's side (its port, its bridge, the node) is
 * beyond doctor's sight: `nsnet doctor` there says the rest.
 */
#include <strings.h>
#include "doctor/doctor.h"
#include "probe/probe.h"
#include "base/base.h"

#define PEERS_MAX NSNET_VXLAN_PEERS_MAX

struct remotes {
	int index;
	struct nsnet_prefix v[PEERS_MAX];
	size_t n;
};

static int remotes_cb(const struct nlmsghdr *nlh, void *data)
{
	struct remotes *r = data;
	struct rtnl_fdb f;
	static const uint8_t zero[6];
	if (rtnl_fdb_decode(nlh, &f) > 0 && f.index == r->index && f.dst.family && f.lladdr_len == 6 &&
	    !memcmp(f.lladdr, zero, 6) && r->n < PEERS_MAX)
		r->v[r->n++] = f.dst;
	return MNL_CB_OK;
}

static void remotes_reset(void *data)
{
	((struct remotes *)data)->n = 0;
}

static bool has(const struct nsnet_prefix *v, size_t n, const struct nsnet_prefix *a)
{
	for (size_t i = 0; i < n; i++)
		if (nsnet_addr_equal(&v[i], a))
			return true;
	return false;
}

/* The bridge's VXLAN port in bns's model, or NULL. */
static json_t *vxlan_port(struct dr_ns *bns, const char *bridge)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(bns->model, "interfaces"), i, it) {
		if (streq_safe(jstr(it, "master"), bridge) && streq_safe(jstr(it, "kind"), "vxlan"))
			return it;
	}
	return NULL;
}

/* The entries against the network's record: every recorded peer has its entry. */
static int fdb_check(struct dr_ctx *c, struct dr_ns *bns, const char *port, json_t *net, const struct remotes *fdb,
		     struct nsnet_prefix *peers, size_t *n_peers)
{
	char list[1024] = "", fix[1536], a[64];
	size_t off = 0;
	for (size_t i = 0; i < fdb->n; i++)
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s", i ? "," : "",
					dr_addr(&fdb->v[i], a, sizeof(a)));
	*n_peers = 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(json_object_get(net, "vxlan"), "peers"), i, p) {
		if (*n_peers < PEERS_MAX && nsnet_addr_parse(json_string_value(p), &peers[*n_peers], NULL) == 0)
			(*n_peers)++;
	}
	for (i = 0; i < *n_peers; i++) {
		if (has(fdb->v, fdb->n, &peers[i]))
			continue;
		dr_addr(&peers[i], a, sizeof(a));
		dr_check(c, DR_FAIL, "%s: VXLAN port %s has no forwarding entry toward peer %s (entries: %s)", bns->name, port,
			 a, off ? list : "none");
		snprintf(fix, sizeof(fix), "bridge%s%s fdb append 00:00:00:00:00:00 dev %s dst %s",
			 streq(bns->name, NSNET_HOST) ? "" : " -n ", streq(bns->name, NSNET_HOST) ? "" : bns->name, port, a);
		dr_cause(c, fix, "network '%s' names peer %s, but its VXLAN port %s sends nothing there: broadcast (ARP) "
			 "and unknown unicast never reach that host", jstr0(net, "name"), a, port);
		return -1;
	}
	if (fdb->n == 0) {
		dr_check(c, DR_FAIL, "%s: VXLAN port %s has no forwarding entry toward any peer", bns->name, port);
		dr_cause(c, NULL, "network '%s' has no VXLAN peer: nothing leaves this host; add the other hosts with "
			 "'nsnet net set %s vxlan-peer add IP'", jstr0(net, "name"), jstr0(net, "name"));
		return -1;
	}
	for (i = 0; i < fdb->n; i++)
		if (!has(peers, *n_peers, &fdb->v[i]))
			dr_check(c, DR_WARN, "%s: VXLAN port %s also floods to %s, which network '%s' does not name as a peer",
				 bns->name, port, dr_addr(&fdb->v[i], a, sizeof(a)), jstr0(net, "name"));
	dr_check(c, DR_OK, "%s: VXLAN port %s floods broadcast and unknown unicast to %s (learning off)", bns->name, port,
		 list);
	*n_peers = fdb->n;
	memcpy(peers, fdb->v, fdb->n * sizeof(*peers));
	return 0;
}

/* The underlay: a route to each peer, its MTU room for the encapsulation. */
static int underlay_check(struct dr_ctx *c, struct dr_ns *bns, const char *port, const struct nsnet_prefix *peers,
			  size_t n)
{
	char a[64], fix[1536], ipn[300];
	for (size_t i = 0; i < n; i++) {
		struct dr_route rt;
		dr_addr(&peers[i], a, sizeof(a));
		int r = dr_route_get(bns, &peers[i], NULL, 0, &rt);
		if (r < 0 || rt.type != RTN_UNICAST) {
			dr_check(c, DR_FAIL, "%s: no route to VXLAN peer %s on the underlay (%s)", bns->name, a,
				 r < 0 ? strerror(-r) : rt.type == RTN_LOCAL ? "it is an address of this host" : "not unicast");
			dr_cause(c, NULL, "the encapsulated frames for peer %s have no way out of %s: add a route to it "
				 "(or the address of its subnet) on the underlay", a, bns->name);
			return -1;
		}
		json_t *dev = dr_ns_iface(bns, rt.dev);
		unsigned mtu = (unsigned)json_integer_value(json_object_get(dev, "mtu")),
			 oh = peers[i].family == AF_INET6 ? 70 : 50;
		if (c->pkt.size && mtu && c->pkt.size + oh > mtu) {
			dr_check(c, DR_FAIL, "%s: underlay %s toward peer %s has MTU %u: a %u-byte packet is %u bytes once "
				 "encapsulated", bns->name, rt.dev, a, mtu, c->pkt.size, c->pkt.size + oh);
			snprintf(fix, sizeof(fix), "%slink set %s mtu %u", dr_ip_n(bns->name, ipn, sizeof(ipn)), rt.dev,
				 c->pkt.size + oh);
			dr_cause(c, fix, "VXLAN adds %u bytes: the underlay's MTU must be the members' plus %u, or the "
				 "members' MTU the underlay's less %u", oh, oh, oh);
			return -1;
		}
		char gw[64] = "";
		if (rt.has_gw)
			snprintf(gw, sizeof(gw), " via %s", dr_addr(&rt.gw, a, sizeof(a)));
		dr_check(c, DR_OK, "%s: underlay route to VXLAN peer %s: dev %s%s (MTU %u)", bns->name,
			 dr_addr(&peers[i], a, sizeof(a)), rt.dev, gw, mtu);
	}
	return 0;
}

/* An echo to every peer on the underlay, all at once. No reply is a warning only:
 * a host may drop ICMP and still carry VXLAN; an ICMP error is a failure. */
static int peers_answer(struct dr_ctx *c, struct dr_ns *bns, const struct nsnet_prefix *peers, size_t n)
{
	struct probe_echo v[PEERS_MAX];
	unsigned timeout = c->o->timeout_ms ? c->o->timeout_ms : 1000;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct probe_echo){ .dst = peers[i] };
	struct probe_echo_opts o = { .timeout_ms = timeout, .resend_ms = timeout / 3, .tries = 3, .faults = true,
				     .id = (uint16_t)(getpid() ^ 0x7678), .size = 64, .tag = "nsnet doctor" };
	if (probe_echo_from(bns->name, v, n, &o, NULL) < 0) {
		dr_check(c, DR_SKIP, "%s: could not ping the VXLAN peers", bns->name);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char a[64], what[200];
		dr_addr(&peers[i], a, sizeof(a));
		probe_echo_str(&v[i], timeout, what, sizeof(what));
		if (v[i].state == PROBE_REPLY) {
			dr_check(c, DR_OK, "%s: VXLAN peer %s answers on the underlay (%s)", bns->name, a, what);
		} else if (v[i].state == PROBE_FAULT) {
			dr_check(c, DR_FAIL, "%s: VXLAN peer %s is unreachable on the underlay: %s", bns->name, a, what);
			dr_cause(c, NULL, "the other host %s cannot be reached: %s", a, what);
			return -1;
		} else {
			dr_check(c, DR_WARN, "%s: VXLAN peer %s does not answer an echo on the underlay (%s): down, or it "
				 "drops ICMP", bns->name, a, what);
		}
	}
	return 0;
}

int dr_vxlan(struct dr_ctx *c, struct dr_ns *bns, const char *bridge, const char *in_port,
	     const struct nsnet_prefix *nh)
{
	json_t *it = vxlan_port(bns, bridge), *net = dr_net_by_bridge(c, bridge);
	if (!it)
		return 1;
	const char *port = jstr0(it, "name");
	char a[64], fix[1536], ipn[300];
	dr_addr(nh, a, sizeof(a));
	if (!json_is_true(json_object_get(it, "admin_up"))) {
		dr_check(c, DR_FAIL, "%s: VXLAN port %s of %s is DOWN", bns->name, port, bridge);
		snprintf(fix, sizeof(fix), "%slink set %s up", dr_ip_n(bns->name, ipn, sizeof(ipn)), port);
		dr_cause(c, fix, "the VXLAN port %s (toward the other hosts of %s) is down", port, bridge);
		return -1;
	}
	unsigned mtu = (unsigned)json_integer_value(json_object_get(it, "mtu"));
	if (c->pkt.size && mtu && mtu < c->pkt.size) {
		dr_check(c, DR_FAIL, "%s: VXLAN port %s has MTU %u, less than the %u-byte packet", bns->name, port, mtu,
			 c->pkt.size);
		dr_cause(c, NULL, "the VXLAN port %s has MTU %u: a %u-byte packet that may not be fragmented does not "
			 "cross to the other hosts", port, mtu, c->pkt.size);
		return -1;
	}
	dr_check(c, DR_OK, "%s: nobody on %s holds %s here; %s is a VXLAN port of %s (VNI %lld), UP", bns->name, bridge,
		 a, port, bridge, json_integer_value(json_object_get(json_object_get(net, "vxlan"), "vni")));
	if (in_port && dr_fw_bridged(c, bns, bridge, in_port, port) < 0)
		return -1;
	struct remotes fdb = { .index = (int)json_integer_value(json_object_get(it, "index")) };
	struct nl *nl = dr_ns_nl(bns);
	if (!nl || rtnl_dump_fdb(nl, fdb.index, remotes_cb, remotes_reset, &fdb, NULL) < 0) {
		dr_check(c, DR_SKIP, "%s: could not read the forwarding entries of %s", bns->name, port);
		return -2;
	}
	struct nsnet_prefix peers[PEERS_MAX];
	size_t n = 0;
	if (fdb_check(c, bns, port, net, &fdb, peers, &n) < 0 || underlay_check(c, bns, port, peers, n) < 0 ||
	    peers_answer(c, bns, peers, n) < 0)
		return -1;
	char list[512] = "";
	size_t off = 0;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(list + off, off < sizeof(list) ? sizeof(list) - off : 0, "%s%s", i ? "," : "",
					dr_addr(&peers[i], a, sizeof(a)));
	dr_path_add(c, "VXLAN %s (%s) -> %s", port, bns->name, list);
	dr_addr(nh, a, sizeof(a));
	dr_check(c, DR_OK, "%s is not on this host: the frame leaves through %s to the other hosts; run 'nsnet doctor' "
		 "there for their side", a, port);
	return -2;
}
