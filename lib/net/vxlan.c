/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks that span hosts: the VXLAN part of a network (docs/vxlan.md). Each host
 * runs the same network (subnet, VNI, port) with a bridge of its own; the bridge
 * gets a VXLAN port whose forwarding entries name every peer. The record keeps
 *   "vxlan": { "vni", "ifname", "port", "local"?, "dev"?, "peers": [...], "mtu" }
 * where "mtu" is the members' MTU when the network names none (the underlay's
 * less the encapsulation), so that changing the network's MTU back to the
 * default lands there again and not on 1500.
 */
#include <net/if.h>
#include "link/link.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

#define VNI_MAX 16777215u

/* Outer IP + UDP + VXLAN + inner Ethernet: 20+8+8+14 over IPv4, 40+8+8+14 over IPv6. */
static unsigned overhead(int family)
{
	return family == AF_INET6 ? 70 : 50;
}

void net_vxlan_ifname(const char *net, char buf[16])
{
	if (strlen(net) <= 12) {
		snprintf(buf, 16, "vx-%.12s", net);
		if (nsnet_ifname_check(buf, NULL) == 0)
			return;
	}
	snprintf(buf, 16, "nsvx-%08x", nsnet_hash32(net));
}

static int peers_check(const struct nsnet_prefix *local, int family, const struct nsnet_prefix *peers, size_t n,
		       struct nsnet_error *e)
{
	char a[64];
	if (n > NSNET_VXLAN_PEERS_MAX)
		return nsnet_errx(e, EINVAL, "at most %d VXLAN peers", NSNET_VXLAN_PEERS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct nsnet_prefix *p = &peers[i];
		nsnet_prefix_str(p, false, a, sizeof(a));
		if (p->family != AF_INET && p->family != AF_INET6)
			return nsnet_errx(e, EINVAL, "VXLAN peer %zu is not an address", i + 1);
		if (p->family != family)
			return nsnet_errx(e, EINVAL, "VXLAN peer %s is %s but the underlay is %s", a,
					  p->family == AF_INET ? "IPv4" : "IPv6", family == AF_INET ? "IPv4" : "IPv6");
		struct nsnet_prefix z = { .family = p->family };
		bool mcast = p->family == AF_INET ? (p->addr[0] & 0xf0) == 0xe0 : p->addr[0] == 0xff;
		if (nsnet_addr_equal(p, &z) || mcast || (p->family == AF_INET && p->addr[0] == 255))
			return nsnet_errx(e, EINVAL, "VXLAN peer %s is not a host's address", a);
		if (local->family && nsnet_addr_equal(p, local))
			return nsnet_errx(e, EINVAL, "VXLAN peer %s is this host's own underlay address (local)", a);
		for (size_t j = 0; j < i; j++)
			if (nsnet_addr_equal(p, &peers[j]))
				return nsnet_errx(e, EINVAL, "VXLAN peer %s is named twice", a);
	}
	return 0;
}

/* The underlay's family: local's, else the peers', else IPv4. */
static int underlay_family(const struct nsnet_vxlan_spec *v)
{
	return v->local.family ? v->local.family : v->n_peers ? v->peers[0].family : AF_INET;
}

int net_vxlan_spec_check(const struct nsnet_net_spec *s, struct nsnet_error *e)
{
	const struct nsnet_vxlan_spec *v = &s->vxlan;
	if (!v->vni) {
		if (v->local.family || v->dev || v->n_peers || v->port)
			return nsnet_errx(e, EINVAL, "VXLAN settings without a VNI");
		return 0;
	}
	if (v->vni > VNI_MAX)
		return nsnet_errx(e, EINVAL, "invalid VNI %u: must be 1..%u", v->vni, VNI_MAX);
	if (v->local.family && v->local.family != AF_INET && v->local.family != AF_INET6)
		return nsnet_errx(e, EINVAL, "VXLAN local address is not an address");
	int family = underlay_family(v);
	if (family == AF_INET6 && !v->local.family)
		return nsnet_errx(e, EINVAL, "an IPv6 underlay needs the local address (--vxlan-local)");
	int r = peers_check(&v->local, family, v->peers, v->n_peers, e);
	if (r < 0)
		return r;
	if (v->dev && (r = nsnet_ifname_check(v->dev, e)) < 0)
		return nsnet_err_wrap(e, "VXLAN underlay interface");
	/* Two hosts handing out the same address to two members of one segment is the
	 * one failure nothing would report: each host hands out its own range. */
	for (size_t i = 0; i < s->n_subnets; i++)
		if (!s->range_start[i].family) {
			char b[64];
			return nsnet_errx(e, EINVAL,
					  "a network that spans hosts needs a range for %s (--range FIRST-LAST), "
					  "a different one on each host, so that two hosts never hand out the same address",
					  nsnet_prefix_str(&s->subnet[i], true, b, sizeof(b)));
		}
	return 0;
}

/* Another network of this host with the same VNI and port: the kernel would refuse
 * the second port ("VNI already exists"), say which network has it instead. */
static int vni_free(const struct nsnet_net_spec *s, unsigned port, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++) {
		json_t *o, *vx;
		if (state_net_load(names[i], &o, NULL) < 0)
			continue;
		vx = json_object_get(o, "vxlan");
		if (vx && (uint32_t)json_integer_value(json_object_get(vx, "vni")) == s->vxlan.vni &&
		    (unsigned)json_integer_value(json_object_get(vx, "port")) == port)
			r = nsnet_errx(e, EEXIST, "VNI %u (port %u) is used by network '%s' already", s->vxlan.vni, port,
				       names[i]);
		json_decref(o);
	}
	nsnet_strv_free(names, n);
	return r;
}

int net_vxlan_plan(struct nl *host, const struct nsnet_net_spec *s, struct vxlan_plan *ret, struct nsnet_error *e)
{
	const struct nsnet_vxlan_spec *v = &s->vxlan;
	struct vxlan_plan p = { .port = v->port ? v->port : NSNET_VXLAN_PORT };
	char a[64];
	net_vxlan_ifname(s->name, p.ifname);
	int r = vni_free(s, p.port, e);
	if (r < 0)
		return r;
	if (link_index(host, p.ifname) > 0)
		return nsnet_errx(e, EEXIST, "an interface named %s (the VXLAN port) exists already", p.ifname);
	int under = 0;
	if (v->dev) {
		if ((p.link = link_index(host, v->dev)) < 0)
			return nsnet_errx(e, ENODEV, "the underlay interface %s does not exist", v->dev);
		under = p.link;
	}
	if (v->local.family) {
		int idx = host_addr_link(host, &v->local, NULL);
		if (idx < 0)
			return nsnet_errx(e, EADDRNOTAVAIL, "the VXLAN local address %s is not an address of this host",
					  nsnet_prefix_str(&v->local, false, a, sizeof(a)));
		if (p.link && idx != p.link)
			return nsnet_errx(e, EINVAL, "the VXLAN local address %s is not on the underlay interface %s",
					  nsnet_prefix_str(&v->local, false, a, sizeof(a)), v->dev);
		under = under ? under : idx;
	}
	for (size_t i = 0; i < v->n_peers; i++)
		if (host_addr_link(host, &v->peers[i], NULL) > 0)
			return nsnet_errx(e, EINVAL, "VXLAN peer %s is an address of this host",
					  nsnet_prefix_str(&v->peers[i], false, a, sizeof(a)));
	/* The underlay's MTU: the interface named, or the one holding local; an
	 * Ethernet's 1500 when neither says. */
	struct rtnl_link l = { 0 };
	char under_name[IF_NAMESIZE] = "";
	p.underlay_mtu = 1500;
	if (under > 0 && if_indextoname((unsigned)under, under_name) && link_get(host, under_name, &l) == 0 && l.mtu)
		p.underlay_mtu = l.mtu;
	unsigned oh = overhead(underlay_family(v));
	if (p.underlay_mtu <= oh + 68)
		return nsnet_errx(e, EINVAL, "the underlay's MTU %u leaves no room for VXLAN's %u bytes", p.underlay_mtu, oh);
	p.default_mtu = p.underlay_mtu - oh;
	p.mtu = s->mtu ? s->mtu : p.default_mtu;
	if (p.mtu > p.default_mtu)
		return nsnet_errx(e, EINVAL,
				  "MTU %u does not fit the underlay: %u + %u bytes of VXLAN encapsulation > %u (%s); "
				  "use --mtu %u or less, or raise the underlay's MTU to %u first",
				  p.mtu, p.mtu, oh, p.underlay_mtu, under_name[0] ? under_name : "assumed", p.default_mtu,
				  p.mtu + oh);
	*ret = p;
	return 0;
}

json_t *net_vxlan_record(const struct nsnet_net_spec *s, const struct vxlan_plan *p)
{
	const struct nsnet_vxlan_spec *v = &s->vxlan;
	char a[64];
	json_t *peers = json_array();
	for (size_t i = 0; i < v->n_peers; i++)
		json_array_append_new(peers, json_string(nsnet_prefix_str(&v->peers[i], false, a, sizeof(a))));
	json_t *o = json_pack("{s:I, s:s, s:i, s:o, s:i}", "vni", (json_int_t)v->vni, "ifname", p->ifname, "port",
			      (int)p->port, "peers", peers, "mtu", (int)p->default_mtu);
	if (v->local.family)
		json_object_set_new(o, "local", json_string(nsnet_prefix_str(&v->local, false, a, sizeof(a))));
	if (v->dev)
		json_object_set_new(o, "dev", json_string(v->dev));
	return o;
}

int net_vxlan_make(struct nl *host, const struct nsnet_net_spec *s, const struct vxlan_plan *p, int bridge,
		   bool no_ipv6ll, struct nsnet_error *e)
{
	struct vxlan_msg m = { .name = p->ifname, .vni = s->vxlan.vni, .port = p->port, .local = s->vxlan.local,
			       .link = p->link, .mtu = p->mtu, .master = bridge };
	return vxlan_create(host, &m, no_ipv6ll, s->vxlan.peers, s->vxlan.n_peers, e);
}

/* The record's peers as prefixes (at most NSNET_VXLAN_PEERS_MAX). */
static size_t record_peers(json_t *vx, struct nsnet_prefix *out)
{
	size_t i, k = 0;
	json_t *v;
	json_array_foreach(json_object_get(vx, "peers"), i, v) {
		if (k < NSNET_VXLAN_PEERS_MAX && nsnet_addr_parse(json_string_value(v), &out[k], NULL) == 0)
			k++;
	}
	return k;
}

static bool in(const struct nsnet_prefix *a, const struct nsnet_prefix *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (nsnet_addr_equal(a, &v[i]))
			return true;
	return false;
}

int net_vxlan_peers_locked(const char *name, const struct nsnet_prefix *add, size_t n_add,
			   const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e)
{
	_cleanup_json_ json_t *net = NULL;
	int r = state_net_load(name, &net, e);
	if (r < 0)
		return r;
	json_t *vx = json_object_get(net, "vxlan");
	if (!vx)
		return nsnet_errx(e, EINVAL, "network '%s' does not span hosts (it has no VNI)", name);
	struct nsnet_prefix have[NSNET_VXLAN_PEERS_MAX], want[NSNET_VXLAN_PEERS_MAX], local = { 0 };
	size_t n_have = record_peers(vx, have), n_want = 0;
	nsnet_addr_parse(jstr(vx, "local"), &local, NULL);
	int family = local.family ? local.family : n_have ? have[0].family : n_add ? add[0].family : AF_INET;
	char a[64];
	if ((r = peers_check(&local, family, add, n_add, e)) < 0)
		return r;
	for (size_t i = 0; i < n_del; i++)
		if (!in(&del[i], have, n_have))
			return nsnet_errx(e, ENOENT, "%s is not a VXLAN peer of network '%s'",
					  nsnet_prefix_str(&del[i], false, a, sizeof(a)), name);
	for (size_t i = 0; i < n_add; i++) {
		if (in(&add[i], have, n_have) && !in(&add[i], del, n_del))
			return nsnet_errx(e, EEXIST, "%s is a VXLAN peer of network '%s' already",
					  nsnet_prefix_str(&add[i], false, a, sizeof(a)), name);
	}
	for (size_t i = 0; i < n_have; i++)
		if (!in(&have[i], del, n_del))
			want[n_want++] = have[i];
	for (size_t i = 0; i < n_add; i++) {
		if (in(&add[i], want, n_want))
			continue;
		if (n_want == NSNET_VXLAN_PEERS_MAX)
			return nsnet_errx(e, EINVAL, "at most %d VXLAN peers", NSNET_VXLAN_PEERS_MAX);
		want[n_want++] = add[i];
	}
	_cleanup_nl_ struct nl *host = NULL;
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0)
		return r;
	for (size_t i = 0; i < n_add; i++)
		if (host_addr_link(host, &add[i], NULL) > 0)
			return nsnet_errx(e, EINVAL, "VXLAN peer %s is an address of this host",
					  nsnet_prefix_str(&add[i], false, a, sizeof(a)));
	/* The entries first, then the record: a kill in between leaves the kernel a
	 * step ahead, and the next change of peers (or a lab's up) writes it down. */
	if ((r = vxlan_fdb_change(host, jstr0(vx, "ifname"), add, n_add, del, n_del, e)) < 0)
		return nsnet_err_wrap(e, "VXLAN peers of network '%s'", name);
	json_t *peers = json_array();
	for (size_t i = 0; i < n_want; i++)
		json_array_append_new(peers, json_string(nsnet_prefix_str(&want[i], false, a, sizeof(a))));
	json_object_set_new(vx, "peers", peers);
	return state_net_save(net, e);
}

int nsnet_net_set_vxlan_peers(const char *name, const struct nsnet_prefix *add, size_t n_add,
			      const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = net_name_check(name, e);
	if (r < 0)
		return r;
	if (n_add + n_del == 0)
		return nsnet_errx(e, EINVAL, "no VXLAN peer to add or remove");
	if ((r = fw_lock(&lock, e)) < 0)
		return r;
	return net_vxlan_peers_locked(name, add, n_add, del, n_del, e);
}
