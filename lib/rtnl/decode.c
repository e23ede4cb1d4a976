/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed decoders of rtnetlink replies: links, addresses, routes, neighbours. Every
 * reader of a dump (show, doctor, gc, the host's link names, the wiring's ifindex
 * lookups) goes through these, so an attribute is validated in one place and a
 * malformed message means the same thing everywhere.
 */
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

struct attrs {
	const struct nlattr **tb;
	unsigned max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct attrs *t = data;
	unsigned type = mnl_attr_get_type(a);
	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static bool valid(const struct nlattr *a, enum mnl_attr_data_type t)
{
	return a && mnl_attr_validate(a, t) >= 0;
}

static uint32_t u32_or(const struct nlattr *a, uint32_t dflt)
{
	return valid(a, MNL_TYPE_U32) ? mnl_attr_get_u32(a) : dflt;
}

/* A string attribute into buf, cut at its NUL, its end or the buffer's size. */
static void str_attr(const struct nlattr *a, char *buf, size_t len)
{
	const char *s = mnl_attr_get_payload(a);
	snprintf(buf, len, "%.*s", (int)strnlen(s, mnl_attr_get_payload_len(a)), s);
}

/* An address of family's length into p (family 0 otherwise). */
static void addr_attr(const void *payload, size_t plen, int family, struct nsnet_prefix *p)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	memset(p, 0, sizeof(*p));
	if (!want || plen != want)
		return;
	p->family = family;
	p->len = (uint8_t)(want * 8);
	memcpy(p->addr, payload, want);
}

static void nla_addr(const struct nlattr *a, int family, struct nsnet_prefix *p)
{
	if (a)
		addr_attr(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), family, p);
	else
		memset(p, 0, sizeof(*p));
}

/* A hardware address; one longer than the buffer counts as none. */
static size_t lladdr_attr(const struct nlattr *a, uint8_t *buf, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) > len)
		return 0;
	memcpy(buf, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	return mnl_attr_get_payload_len(a);
}

/* ---- links ------------------------------------------------------------------------- */

/* IFLA_LINKINFO: the kind, and a bridge port's state from the slave data. */
static void link_info(const struct nlattr *linkinfo, struct rtnl_link *l)
{
	const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };
	if (mnl_attr_parse_nested(linkinfo, attr_cb, &(struct attrs){ info, IFLA_INFO_MAX }) < 0)
		return;
	if (valid(info[IFLA_INFO_KIND], MNL_TYPE_STRING))
		str_attr(info[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
	if (streq(l->kind, "bridge") && valid(info[IFLA_INFO_DATA], MNL_TYPE_NESTED)) {
		const struct nlattr *br[IFLA_BR_MAX + 1] = { 0 };
		if (mnl_attr_parse_nested(info[IFLA_INFO_DATA], attr_cb, &(struct attrs){ br, IFLA_BR_MAX }) >= 0 &&
		    valid(br[IFLA_BR_STP_STATE], MNL_TYPE_U32))
			l->stp_state = (int)mnl_attr_get_u32(br[IFLA_BR_STP_STATE]);
	}
	char slave[16] = "";
	if (valid(info[IFLA_INFO_SLAVE_KIND], MNL_TYPE_STRING))
		str_attr(info[IFLA_INFO_SLAVE_KIND], slave, sizeof(slave));
	if (!streq(slave, "bridge") || !valid(info[IFLA_INFO_SLAVE_DATA], MNL_TYPE_NESTED))
		return;
	const struct nlattr *port[IFLA_BRPORT_MAX + 1] = { 0 };
	if (mnl_attr_parse_nested(info[IFLA_INFO_SLAVE_DATA], attr_cb, &(struct attrs){ port, IFLA_BRPORT_MAX }) >= 0 &&
	    valid(port[IFLA_BRPORT_STATE], MNL_TYPE_U8))
		l->brport_state = mnl_attr_get_u8(port[IFLA_BRPORT_STATE]);
}

int rtnl_link_decode(const struct nlmsghdr *nlh, struct rtnl_link *ret)
{
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return 0;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &(struct attrs){ tb, IFLA_MAX }) < 0)
		return -EBADMSG;
	struct rtnl_link *l = ret;
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	l->link_netnsid = -1;
	l->brport_state = -1;
	l->stp_state = -1;
	if (valid(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING))
		str_attr(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	if (valid(tb[IFLA_IFALIAS], MNL_TYPE_NUL_STRING))
		str_attr(tb[IFLA_IFALIAS], l->alias, sizeof(l->alias));
	if (tb[IFLA_LINKINFO])
		link_info(tb[IFLA_LINKINFO], l);
	l->master = (int)u32_or(tb[IFLA_MASTER], 0);
	l->link = (int)u32_or(tb[IFLA_LINK], 0);
	l->link_netnsid = (int32_t)u32_or(tb[IFLA_LINK_NETNSID], (uint32_t)-1);
	l->mtu = u32_or(tb[IFLA_MTU], 0);
	if (valid(tb[IFLA_OPERSTATE], MNL_TYPE_U8))
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	l->mac_len = lladdr_attr(tb[IFLA_ADDRESS], l->mac, sizeof(l->mac));
	return 1;
}

/* ---- addresses ----------------------------------------------------------------------- */

int rtnl_addr_decode(const struct nlmsghdr *nlh, struct rtnl_addr *ret)
{
	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifaddrmsg))
		return 0;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &(struct attrs){ tb, IFA_MAX }) < 0)
		return -EBADMSG;
	struct rtnl_addr a = { .index = (int)ifa->ifa_index, .scope = ifa->ifa_scope, .flags = ifa->ifa_flags };
	/* On point-to-point links IFA_ADDRESS is the far end; IFA_LOCAL is ours. */
	nla_addr(tb[IFA_LOCAL], ifa->ifa_family, &a.addr);
	if (!a.addr.family)
		nla_addr(tb[IFA_ADDRESS], ifa->ifa_family, &a.addr);
	if (!a.addr.family)
		return 0;
	a.addr.len = ifa->ifa_prefixlen;
	a.flags = u32_or(tb[IFA_FLAGS], a.flags);
	*ret = a;
	return 1;
}

/* ---- routes -------------------------------------------------------------------------- */

/* RTA_GATEWAY, or RTA_VIA (an IPv4 route through an IPv6 next hop). */
static void gateway(int family, const struct nlattr *const *tb, struct nsnet_prefix *gw)
{
	memset(gw, 0, sizeof(*gw));
	if (tb[RTA_GATEWAY]) {
		nla_addr(tb[RTA_GATEWAY], family, gw);
	} else if (tb[RTA_VIA] && mnl_attr_get_payload_len(tb[RTA_VIA]) > sizeof(struct rtvia)) {
		const struct rtvia *v = mnl_attr_get_payload(tb[RTA_VIA]);
		addr_attr(v->rtvia_addr, mnl_attr_get_payload_len(tb[RTA_VIA]) - sizeof(*v), v->rtvia_family, gw);
	}
}

int rtnl_route_decode(const struct nlmsghdr *nlh, struct rtnl_route *ret)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return 0;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 0;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &(struct attrs){ tb, RTA_MAX }) < 0)
		return -EBADMSG;
	struct rtnl_route r = { .family = rtm->rtm_family, .protocol = rtm->rtm_protocol, .scope = rtm->rtm_scope,
				.type = rtm->rtm_type, .flags = rtm->rtm_flags };
	r.table = u32_or(tb[RTA_TABLE], rtm->rtm_table);
	if (rtm->rtm_dst_len || tb[RTA_DST]) {
		/* A destination that cannot be read is not a route anyone can be shown. */
		nla_addr(tb[RTA_DST], r.family, &r.dst);
		if (!r.dst.family)
			return 0;
		r.dst.len = rtm->rtm_dst_len;
	}
	gateway(r.family, tb, &r.gw);
	nla_addr(tb[RTA_PREFSRC], r.family, &r.prefsrc);
	r.oif = (int)u32_or(tb[RTA_OIF], 0);
	r.metric = u32_or(tb[RTA_PRIORITY], 0);
	if (tb[RTA_MULTIPATH]) {
		r.multipath = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		r.multipath_len = mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
	}
	*ret = r;
	return 1;
}

bool rtnl_route_nexthop(const struct rtnl_route *r, size_t *cursor, struct rtnl_nexthop *ret)
{
	if (!r->multipath || *cursor >= r->multipath_len)
		return false;
	const struct rtnexthop *nh = (const void *)((const uint8_t *)r->multipath + *cursor);
	int len = (int)(r->multipath_len - *cursor);
	if (!RTNH_OK(nh, len))
		return false;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	if (nh->rtnh_len > RTNH_LENGTH(0) &&
	    mnl_attr_parse_payload(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), attr_cb, &(struct attrs){ tb, RTA_MAX }) < 0)
		return false;
	ret->ifindex = nh->rtnh_ifindex;
	gateway(r->family, tb, &ret->gw);
	*cursor += NLMSG_ALIGN(nh->rtnh_len);
	return true;
}

/* ---- neighbours ------------------------------------------------------------------------ */

int rtnl_neigh_decode(const struct nlmsghdr *nlh, struct rtnl_neigh *ret)
{
	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ndmsg))
		return 0;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return 0;
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, &(struct attrs){ tb, NDA_MAX }) < 0)
		return -EBADMSG;
	struct rtnl_neigh n = { .index = ndm->ndm_ifindex, .state = ndm->ndm_state, .flags = ndm->ndm_flags };
	nla_addr(tb[NDA_DST], ndm->ndm_family, &n.dst);
	if (!n.dst.family)
		return 0;
	n.lladdr_len = lladdr_attr(tb[NDA_LLADDR], n.lladdr, sizeof(n.lladdr));
	*ret = n;
	return 1;
}

int rtnl_dump_links(struct nl *nl, mnl_cb_t cb, void (*reset)(void *), void *data, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Statistics are most of a link message and nobody here reads them. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_dump(nl, nlh, cb, reset, data, e);
}

int rtnl_fdb_decode(const struct nlmsghdr *nlh, struct rtnl_fdb *ret)
{
	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ndmsg))
		return 0;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE)
		return 0;
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, &(struct attrs){ tb, NDA_MAX }) < 0)
		return -EBADMSG;
	struct rtnl_fdb f = { .index = ndm->ndm_ifindex, .state = ndm->ndm_state, .flags = ndm->ndm_flags };
	/* A VXLAN entry's remote is IPv4 or IPv6 by its length alone. */
	if (tb[NDA_DST])
		nla_addr(tb[NDA_DST], mnl_attr_get_payload_len(tb[NDA_DST]) == 4 ? AF_INET : AF_INET6, &f.dst);
	f.lladdr_len = lladdr_attr(tb[NDA_LLADDR], f.lladdr, sizeof(f.lladdr));
	f.vni = u32_or(tb[NDA_VNI], 0);
	*ret = f;
	return 1;
}
