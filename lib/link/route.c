/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Static routes in a namespace's main table: RTM_NEWROUTE / RTM_DELROUTE over the
 * rtnetlink layer. Everything the caller gave is checked before the namespace is
 * even opened, so bad input changes nothing.
 */
#include "link/link.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

static const char *route_dst_str(const struct nsnet_prefix *dst, char *buf, size_t len)
{
	if (dst->len == 0) {
		snprintf(buf, len, "default");
		return buf;
	}
	return nsnet_prefix_str(dst, true, buf, len);
}

/* "10.1.0.0/24 via 10.0.0.2 dev eth0", for messages. */
static void route_str(const struct nsnet_route_spec *r, char *buf, size_t len)
{
	char d[64], g[64];
	route_dst_str(&r->dst, d, sizeof(d));
	snprintf(buf, len, "%s%s%s%s%s", d, r->has_via ? " via " : "",
		 r->has_via ? nsnet_prefix_str(&r->via, false, g, sizeof(g)) : "", r->dev ? " dev " : "",
		 r->dev ? r->dev : "");
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int route_check(const struct nsnet_route_spec *r, bool add, struct nsnet_error *e)
{
	const char *verb = add ? "add" : "delete";
	if (!r->ns)
		return nsnet_errx(e, EINVAL, "%s route: no namespace given", verb);
	int ret = nsnet_ns_name_check(r->ns, e);
	if (ret < 0)
		return nsnet_err_wrap(e, "%s route", verb);
	unsigned bits = r->dst.family == AF_INET ? 32 : r->dst.family == AF_INET6 ? 128 : 0;
	if (!bits)
		return nsnet_errx(e, EINVAL, "%s route in '%s': destination is neither IPv4 nor IPv6", verb, r->ns);
	if (r->dst.len > bits)
		return nsnet_errx(e, EINVAL, "%s route in '%s': destination prefix length %u is more than %u", verb,
				  r->ns, r->dst.len, bits);

	char d[64], n[64];
	route_dst_str(&r->dst, d, sizeof(d));
	/* The kernel refuses "10.0.0.1/24" as a destination for IPv4 but silently
	 * masks it for IPv6: refuse both alike, and say what was meant. */
	struct nsnet_prefix net;
	nsnet_prefix_network(&r->dst, &net);
	if (!nsnet_addr_equal(&net, &r->dst))
		return nsnet_errx(e, EINVAL, "%s route %s in '%s': host bits set in the destination (the network is %s)",
				  verb, d, r->ns, nsnet_prefix_str(&net, true, n, sizeof(n)));
	if (r->has_via) {
		char g[64];
		nsnet_prefix_str(&r->via, false, g, sizeof(g));
		if (r->via.family != AF_INET && r->via.family != AF_INET6)
			return nsnet_errx(e, EINVAL, "%s route %s in '%s': gateway is neither IPv4 nor IPv6", verb, d,
					  r->ns);
		if (r->via.family != r->dst.family)
			return nsnet_errx(e, EINVAL, "%s route %s in '%s': gateway %s is %s but the destination is %s",
					  verb, d, r->ns, g, family_name(r->via.family), family_name(r->dst.family));
		/* Kernel says only "Egress device not specified"; say which and why. */
		if (add && r->via.family == AF_INET6 && r->via.addr[0] == 0xfe && (r->via.addr[1] & 0xc0) == 0x80 && !r->dev)
			return nsnet_errx(e, EINVAL, "%s route %s in '%s': link-local gateway %s needs a device (dev IF)",
					  verb, d, r->ns, g);
	}
	if (r->dev) {
		ret = nsnet_ifname_check(r->dev, e);
		if (ret < 0)
			return nsnet_err_wrap(e, "%s route %s in '%s'", verb, d, r->ns);
	}
	if (add && !r->has_via && !r->dev)
		return nsnet_errx(e, EINVAL, "add route %s in '%s': needs a gateway (via) or a device (dev)", d, r->ns);
	return 0;
}

static int route_change(const struct nsnet_route_spec *r, bool add, struct nsnet_error *e)
{
	int ret = route_check(r, add, e);
	if (ret < 0)
		return ret;

	char what[256];
	route_str(r, what, sizeof(what));
	_cleanup_nl_ struct nl *nl = NULL;
	ret = nl_open(r->ns, &nl, e);
	if (ret < 0)
		return nsnet_err_wrap(e, "%s route %s", add ? "add" : "delete", what);

	int oif = 0;
	if (r->dev) {
		oif = link_index(nl, r->dev);
		if (oif == -ENODEV)
			return nsnet_errx(e, ENODEV, "%s route %s in '%s': no device '%s' in that namespace",
					  add ? "add" : "delete", what, r->ns, r->dev);
		if (oif < 0)
			return nsnet_err(e, oif, "%s route %s in '%s': look up device '%s'", add ? "add" : "delete",
					 what, r->ns, r->dev);
	}

	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	ret = msg_route(&b, add, &r->dst, r->has_via ? &r->via : NULL, oif);
	if (ret < 0)
		return nsnet_err(e, ret, "%s route %s", add ? "add" : "delete", what);
	if (!add) {
		/* Delete whatever matches, like `ip route del`: any protocol (routes made
		 * by iproute2 are "boot", ours "static") and any scope. */
		struct rtmsg *rtm = mnl_nlmsg_get_payload(b.cur);
		rtm->rtm_protocol = RTPROT_UNSPEC;
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	/* The request's description, for the kernel's errors: what[] is short, so the
	 * parts are cut to fit rather than the end being lost. */
	snprintf(b.items[b.n - 1].what, sizeof(b.items[b.n - 1].what), "%s route %.64s in '%.24s'",
		 add ? "add" : "delete", what, r->ns);
	ret = nl_batch_send(nl, &b, e);
	if (ret == -EEXIST)
		return nsnet_errx(e, EEXIST, "add route %s in '%s': a route to that destination already exists", what,
				  r->ns);
	if (ret == -ESRCH)
		return nsnet_errx(e, ESRCH, "delete route %s in '%s': no such route", what, r->ns);
	return ret;
}

int nsnet_route_add(const struct nsnet_route_spec *r, struct nsnet_error *e)
{
	return route_change(r, true, e);
}

int nsnet_route_del(const struct nsnet_route_spec *r, struct nsnet_error *e)
{
	return route_change(r, false, e);
}

/* ---- is a route there? ------------------------------------------------------------ */

struct route_find {
	const struct nsnet_route_spec *want;
	int oif;
	bool found;
};

static int find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_find *f = data;
	struct rtnl_route d;
	if (rtnl_route_decode(nlh, &d) <= 0 || d.flags & RTM_F_CLONED || d.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	const struct nsnet_route_spec *w = f->want;
	bool dst = w->dst.len == 0 ? d.dst.family == 0 || d.dst.len == 0
				   : d.dst.len == w->dst.len && nsnet_addr_equal(&d.dst, &w->dst);
	if (!dst || (w->has_via && !nsnet_addr_equal(&d.gw, &w->via)) || (f->oif && d.oif != f->oif))
		return MNL_CB_OK;
	f->found = true;
	return MNL_CB_OK;
}

static void find_reset(void *data)
{
	((struct route_find *)data)->found = false;
}

int route_present(const struct nsnet_route_spec *r, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int ret = nl_open(r->ns, &nl, e);
	if (ret < 0)
		return ret;
	struct route_find f = { .want = r };
	if (r->dev && (f.oif = link_index(nl, r->dev)) < 0)
		return 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->dst.family;
	rtm->rtm_table = RT_TABLE_MAIN;
	ret = nl_dump(nl, nlh, find_cb, find_reset, &f, e);
	return ret < 0 ? ret : f.found;
}
