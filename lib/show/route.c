/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the main routing table of one namespace (IPv4 and IPv6), from
 * RTM_GETROUTE dumps filtered by the kernel (strict checking) to table main. */
#include <arpa/inet.h>
#include "show/show.h"
#include "base/base.h"

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, RTA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static const char *addr_str(int family, const void *p, size_t plen, char *buf, size_t len)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	if (!want || plen != want)
		return NULL;
	return inet_ntop(family, p, buf, len);
}

/* RTA_GATEWAY, or RTA_VIA (an IPv4 route through an IPv6 next hop). */
static const char *gateway_str(int family, const struct nlattr *const *tb, char *buf, size_t len)
{
	if (tb[RTA_GATEWAY])
		return addr_str(family, mnl_attr_get_payload(tb[RTA_GATEWAY]), mnl_attr_get_payload_len(tb[RTA_GATEWAY]),
				buf, len);
	if (tb[RTA_VIA] && mnl_attr_get_payload_len(tb[RTA_VIA]) > sizeof(struct rtvia)) {
		const struct rtvia *v = mnl_attr_get_payload(tb[RTA_VIA]);
		return addr_str(v->rtvia_family, v->rtvia_addr, mnl_attr_get_payload_len(tb[RTA_VIA]) - sizeof(*v),
				buf, len);
	}
	return NULL;
}

static json_t *hop_json(const char *gw, const char *dev)
{
	json_t *o = json_object();
	if (!o || show_set(o, "gateway", show_str_or_null(gw)) || show_set(o, "dev", show_str_or_null(dev))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The next hops of a multipath route; an empty array for a single-path one. */
static json_t *nexthops(int family, const struct nlattr *mp, const struct show_links *l)
{
	json_t *a = json_array();
	if (!a || !mp)
		return a;
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	int len = (int)mnl_attr_get_payload_len(mp);
	for (; RTNH_OK(nh, len); len -= NLMSG_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh)) {
		const struct nlattr *tb[RTA_MAX + 1] = { 0 };
		if (nh->rtnh_len > RTNH_LENGTH(0) &&
		    mnl_attr_parse_payload(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), attr_cb, tb) < 0)
			break;
		char gb[INET6_ADDRSTRLEN];
		if (json_array_append_new(a, hop_json(gateway_str(family, tb, gb, sizeof(gb)),
						      show_links_name(l, nh->rtnh_ifindex))) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int show_route_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *routes)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return MNL_CB_OK;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || rtm->rtm_flags & RTM_F_CLONED)
		return MNL_CB_OK;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	/* The kernel filters by table already; this guards against kernels that do not. */
	uint32_t table = rtm->rtm_table;
	if (tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) >= 0)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;

	char db[INET6_ADDRSTRLEN + 8], gb[INET6_ADDRSTRLEN], pb[INET6_ADDRSTRLEN], nb[3][16];
	const char *dst = "default";
	if (rtm->rtm_dst_len || tb[RTA_DST]) {
		char ab[INET6_ADDRSTRLEN];
		const char *a = tb[RTA_DST] ? addr_str(rtm->rtm_family, mnl_attr_get_payload(tb[RTA_DST]),
						       mnl_attr_get_payload_len(tb[RTA_DST]), ab, sizeof(ab))
					    : NULL;
		if (!a)
			return MNL_CB_OK;
		snprintf(db, sizeof(db), "%s/%u", a, rtm->rtm_dst_len);
		dst = db;
	}
	const char *dev = NULL, *prefsrc = NULL;
	if (tb[RTA_OIF] && mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) >= 0)
		dev = show_links_name(l, (int)mnl_attr_get_u32(tb[RTA_OIF]));
	if (tb[RTA_PREFSRC])
		prefsrc = addr_str(rtm->rtm_family, mnl_attr_get_payload(tb[RTA_PREFSRC]),
				   mnl_attr_get_payload_len(tb[RTA_PREFSRC]), pb, sizeof(pb));
	uint32_t metric = 0;
	if (tb[RTA_PRIORITY] && mnl_attr_validate(tb[RTA_PRIORITY], MNL_TYPE_U32) >= 0)
		metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);

	json_t *o = json_object();
	if (!o || show_set(o, "family", json_string(rtm->rtm_family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "dst", json_string(dst)) ||
	    show_set(o, "gateway", show_str_or_null(gateway_str(rtm->rtm_family, tb, gb, sizeof(gb)))) ||
	    show_set(o, "dev", show_str_or_null(dev)) ||
	    show_set(o, "protocol", json_string(show_proto_name(rtm->rtm_protocol, nb[0], sizeof(nb[0])))) ||
	    show_set(o, "scope", json_string(show_scope_name(rtm->rtm_scope, nb[1], sizeof(nb[1])))) ||
	    show_set(o, "metric", json_integer(metric)) ||
	    show_set(o, "type", json_string(show_rtype_name(rtm->rtm_type, nb[2], sizeof(nb[2])))) ||
	    show_set(o, "prefsrc", show_str_or_null(prefsrc)) ||
	    show_set(o, "nexthops", nexthops(rtm->rtm_family, tb[RTA_MULTIPATH], l))) {
		json_decref(o);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (json_array_append_new(routes, o) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

struct route_dump {
	const struct show_links *l;
	json_t *routes;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	return show_route_parse(nlh, d->l, d->routes);
}

static void route_reset(void *data)
{
	json_array_clear(((struct route_dump *)data)->routes);
}

int show_routes_dump(struct nl *nl, const struct show_links *l, json_t *routes, struct nsnet_error *e)
{
	static const int families[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = families[i];
		rtm->rtm_table = RT_TABLE_MAIN;
		/* One family at a time, so a retried dump only redoes its own family. */
		json_t *tmp = json_array();
		if (!tmp)
			return nsnet_err(e, ENOMEM, "list routes");
		struct route_dump d = { l, tmp };
		int r = nl_dump(nl, nlh, route_cb, route_reset, &d, e);
		if (r == 0 && json_array_extend(routes, tmp) < 0)
			r = nsnet_err(e, ENOMEM, "list routes");
		json_decref(tmp);
		if (r < 0)
			return nsnet_err_wrap(e, "list %s routes", families[i] == AF_INET ? "IPv4" : "IPv6");
	}
	return 0;
}
