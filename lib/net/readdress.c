/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A member's static addresses changed in place (a lab node whose `ip:` changed):
 * the new ones checked against the network's pool as attach checks them (in the
 * subnet's usable range, held by nobody else), then swapped on the member's
 * interface in one rtnetlink batch, then recorded. The interface, its routes through
 * the gateway and whatever runs in the namespace stay.
 */
#include "link/link.h"
#include "net/net.h"
#include "rtnl/rtnl.h"
#include "state/state.h"
#include "base/base.h"

static json_t *member_of(json_t *net, const char *ns)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(net, "members"), i, m) if (streq_safe(jstr(m, "ns"), ns)) return m;
	return NULL;
}

static bool holds(const struct nsnet_prefix *v, size_t n, const struct nsnet_prefix *a)
{
	for (size_t i = 0; i < n; i++)
		if (nsnet_addr_equal(&v[i], a))
			return true;
	return false;
}

/* want[] takes each subnet's prefix length; a new address must be free. */
static int check_new(json_t *net, const struct nsnet_prefix *old, size_t n_old, struct nsnet_prefix *want, size_t n,
		     struct nsnet_error *e)
{
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		json_t *sub = net_subnet(net, want[i].family);
		struct ipam pool;
		if (!sub)
			return nsnet_errx(e, EINVAL, "network '%s' has no %s subnet for %s", jstr0(net, "name"),
					  want[i].family == AF_INET ? "IPv4" : "IPv6", nsnet_prefix_str(&want[i], false, buf, sizeof(buf)));
		int r = net_ipam(net, sub, &pool, e);
		if (r < 0)
			return r;
		want[i].len = pool.net.len;
		r = holds(old, n_old, &want[i]) ? 0 : ipam_mark(&pool, &want[i]);
		ipam_done(&pool);
		nsnet_prefix_str(&want[i], false, buf, sizeof(buf));
		if (r == -ERANGE)
			return nsnet_errx(e, EINVAL, "address %s is outside the usable range of %s", buf, jstr0(sub, "cidr"));
		if (r == -EEXIST)
			return nsnet_errx(e, EADDRINUSE, "address %s is already in use on network '%s'", buf, jstr0(net, "name"));
		if (r < 0)
			return nsnet_err(e, -r, "address %s", buf);
	}
	return 0;
}

int net_member_readdress_locked(const char *name, const char *ns, const struct nsnet_prefix *ips, size_t n,
				struct nsnet_error *e)
{
	_cleanup_json_ json_t *net = NULL;
	int r = state_net_load(name, &net, e);
	if (r < 0)
		return r;
	json_t *m = member_of(net, ns);
	if (!m)
		return nsnet_errx(e, ENOENT, "namespace '%s' is not attached to network '%s'", ns, name);
	struct nsnet_prefix old[2], want[2];
	size_t n_old = 0, i;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), i, ip) if (n_old < 2 && nsnet_prefix_parse(json_string_value(ip), true, &old[n_old], NULL) == 0) n_old++;
	if (n > 2)
		return nsnet_errx(e, EINVAL, "at most one IPv4 and one IPv6 address");
	memcpy(want, ips, n * sizeof(*ips));
	if ((r = check_new(net, old, n_old, want, n, e)) < 0)
		return r;
	_cleanup_nl_ struct nl *nl = NULL;
	if ((r = nl_open(ns, &nl, e)) < 0)
		return r;
	const char *ifn = jstr0(m, "ifname");
	int idx = link_index(nl, ifn);
	if (idx < 0)
		return nsnet_err(e, -idx, "'%s' in '%s'", ifn, ns);
	/* Removing the last address of a subnet takes the routes through it (the default
	 * route via the gateway): note them, to put back. */
	struct nsnet_route_spec defaults[2];
	size_t n_def = 0;
	json_t *sub;
	json_array_foreach(json_object_get(net, "subnets"), i, sub) {
		struct nsnet_route_spec d = { .ns = ns, .dev = ifn, .has_via = true };
		if (nsnet_addr_parse(jstr0(sub, "gateway"), &d.via, NULL) < 0)
			continue;
		d.dst.family = d.via.family;
		if (n_def < 2 && route_present(&d, NULL) == 1)
			defaults[n_def++] = d;
	}
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	for (i = 0; i < n_old; i++) {
		if (holds(want, n, &old[i]))
			continue;
		msg_addr(&b, false, idx, &old[i], ifn);
		nl_batch_tolerate(&b, EADDRNOTAVAIL);
	}
	for (i = 0; i < n; i++)
		if (!holds(old, n_old, &want[i]))
			msg_addr(&b, true, idx, &want[i], ifn);
	if ((r = nl_batch_send(nl, &b, e)) < 0)
		return r;
	for (i = 0; i < n_def; i++)
		if (route_present(&defaults[i], NULL) != 1 && (r = nsnet_route_add(&defaults[i], e)) < 0)
			return r;
	json_t *arr = json_array();
	char buf[64];
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(nsnet_prefix_str(&want[i], true, buf, sizeof(buf))));
	json_object_set_new(m, "ips", arr);
	return state_net_save(net, e);
}

/* One interface's MTU in namespace ns (NULL: the caller's own). */
static int set_mtu(const char *ns, const char *ifname, unsigned mtu, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = ns ? nl_open(ns, &nl, e) : nl_open_fd(NS_SELF, &nl, e);
	if (r < 0)
		return r;
	int idx = link_index(nl, ifname);
	if (idx < 0)
		return nsnet_err(e, -idx, "'%s'", ifname);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_mtu(&b, idx, ifname, mtu);
	return nl_batch_send(nl, &b, e);
}

int net_set_mtu_locked(const char *name, unsigned mtu, struct nsnet_error *e)
{
	_cleanup_json_ json_t *net = NULL;
	int r = state_net_load(name, &net, e);
	if (r < 0)
		return r;
	/* 0 is the kernel's default, as at create; for a network that spans hosts, the
	 * underlay's less the encapsulation, as at create. */
	json_t *vx = json_object_get(net, "vxlan");
	unsigned dflt = vx ? (unsigned)json_integer_value(json_object_get(vx, "mtu")) : 1500;
	unsigned v = mtu ? mtu : dflt;
	if (vx && v > dflt)
		return nsnet_errx(e, EINVAL, "MTU %u of network '%s' does not fit its underlay: at most %u", v, name, dflt);
	size_t i;
	json_t *m;
	/* The members' veths first (both ends), then the bridge: a bridge takes the
	 * smallest MTU of its ports anyway. */
	json_array_foreach(json_object_get(net, "members"), i, m) {
		if ((r = set_mtu(jstr0(m, "ns"), jstr0(m, "ifname"), v, e)) < 0 ||
		    (r = set_mtu(NULL, jstr0(m, "host_ifname"), v, e)) < 0)
			return nsnet_err_wrap(e, "MTU of network '%s'", name);
	}
	if (vx && (r = set_mtu(NULL, jstr0(vx, "ifname"), v, e)) < 0)
		return nsnet_err_wrap(e, "MTU of network '%s'", name);
	if ((r = set_mtu(NULL, jstr0(net, "bridge"), v, e)) < 0)
		return nsnet_err_wrap(e, "MTU of network '%s'", name);
	json_object_set_new(net, "mtu", json_integer(vx ? v : mtu));
	return state_net_save(net, e);
}
