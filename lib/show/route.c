/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the main routing table of one namespace (IPv4 and IPv6), from
 * RTM_GETROUTE dumps filtered by the kernel (strict checking) to table main. */
#include <arpa/inet.h>
#include "show/show.h"
#include "base/base.h"

/* An address as text, or NULL for none. */
static const char *addr_str(const struct nsnet_prefix *p, char *buf, size_t len)
{
	return p->family ? inet_ntop(p->family, p->addr, buf, len) : NULL;
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
static json_t *nexthops(const struct rtnl_route *r, const struct show_links *l)
{
	json_t *a = json_array();
	if (!a)
		return a;
	struct rtnl_nexthop hop;
	for (size_t c = 0; rtnl_route_nexthop(r, &c, &hop);) {
		char gb[INET6_ADDRSTRLEN];
		if (json_array_append_new(a, hop_json(addr_str(&hop.gw, gb, sizeof(gb)), show_links_name(l, hop.ifindex))) <
		    0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int show_route_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *routes)
{
	struct rtnl_route d;
	int r = rtnl_route_decode(nlh, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	/* The kernel filters by table already; this guards against kernels that do not. */
	if (r == 0 || d.flags & RTM_F_CLONED || d.table != RT_TABLE_MAIN)
		return MNL_CB_OK;

	char db[INET6_ADDRSTRLEN + 8], gb[INET6_ADDRSTRLEN], pb[INET6_ADDRSTRLEN], nb[3][16];
	const char *dst = "default";
	if (d.dst.family) {
		char ab[INET6_ADDRSTRLEN];
		snprintf(db, sizeof(db), "%s/%u", addr_str(&d.dst, ab, sizeof(ab)), d.dst.len);
		dst = db;
	}
	json_t *o = json_object();
	if (!o || show_set(o, "family", json_string(d.family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "dst", json_string(dst)) || show_set(o, "gateway", show_str_or_null(addr_str(&d.gw, gb, sizeof(gb)))) ||
	    show_set(o, "dev", show_str_or_null(d.oif ? show_links_name(l, d.oif) : NULL)) ||
	    show_set(o, "protocol", json_string(rtnl_proto_name(d.protocol, nb[0], sizeof(nb[0])))) ||
	    show_set(o, "scope", json_string(rtnl_scope_name(d.scope, nb[1], sizeof(nb[1])))) ||
	    show_set(o, "metric", json_integer(d.metric)) ||
	    show_set(o, "type", json_string(rtnl_rtype_name(d.type, nb[2], sizeof(nb[2])))) ||
	    show_set(o, "prefsrc", show_str_or_null(addr_str(&d.prefsrc, pb, sizeof(pb)))) ||
	    show_set(o, "nexthops", nexthops(&d, l))) {
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
