/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtnetlink events of one namespace: links, addresses, routes and neighbours, read
 * through rtnl/'s decoders into the keys `nsnet show --json` uses, and told apart as
 * add, change or del against what the namespace is known to have.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/neighbour.h>
/* glibc's net/if.h stops at IFF_DYNAMIC; linux/if.h would clash with it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#include "observe/observe.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *addr_str(const struct nsnet_prefix *p, char *buf, size_t len)
{
	return p->family ? inet_ntop(p->family, p->addr, buf, len) : NULL;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

/* The name of ifindex as last reported, or NULL. */
static const char *dev_name(const struct mon_ns *ns, int index)
{
	char key[32];
	snprintf(key, sizeof(key), "link %d", index);
	return jstr(json_object_get(ns->known, key), "name");
}

/* jansson's json_pack leaves nothing behind on failure; NULL is out of memory. */
static int set_fields(struct mon_obj *o, const char *object, json_t *fields)
{
	if (!fields)
		return -ENOMEM;
	o->object = object;
	o->fields = fields;
	return 1;
}

/* ---- the four kinds ---------------------------------------------------------------- */

static json_t *link_flags(unsigned f)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ IFF_BROADCAST, "BROADCAST" }, { IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_LOOPBACK, "LOOPBACK" },
		{ IFF_MULTICAST, "MULTICAST" }, { IFF_NOARP, "NOARP" },		    { IFF_PROMISC, "PROMISC" },
		{ IFF_UP, "UP" },		{ IFF_LOWER_UP, "LOWER_UP" },
	};
	json_t *a = json_array();
	for (size_t i = 0; a && i < ARRAY_SIZE(names); i++)
		if (f & names[i].bit && json_array_append_new(a, json_string(names[i].name)) < 0)
			return json_decref(a), NULL;
	return a;
}

static int link_obj(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *o)
{
	struct rtnl_link l;
	int r = rtnl_link_decode(nlh, &l);
	/* AF_BRIDGE messages about bridge ports share the group: not a link's own news. */
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (r <= 0 || ifi->ifi_family != AF_UNSPEC)
		return r;
	char mac[100];
	snprintf(o->key, sizeof(o->key), "link %d", l.index);
	const char *kind = *l.kind ? l.kind : rtnl_kind_from_type(l.type);
	return set_fields(o, "link",
			  json_pack("{s:s, s:i, s:s, s:s, s:b, s:b, s:b, s:i, s:o, s:o, s:o}", "name", l.name, "index",
				    l.index, "kind", kind, "operstate", rtnl_operstate_name(l.operstate), "admin_up",
				    !!(l.flags & IFF_UP), "arp", !(l.flags & (IFF_NOARP | IFF_LOOPBACK)), "lower_up",
				    !!(l.flags & IFF_LOWER_UP), "mtu", (int)l.mtu, "mac",
				    str_or_null(rtnl_lladdr_str(l.mac, l.mac_len, mac, sizeof(mac))), "master",
				    str_or_null(l.master ? dev_name(ns, l.master) : NULL), "flags", link_flags(l.flags)));
}

static int addr_obj(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *o)
{
	struct rtnl_addr a;
	int r = rtnl_addr_decode(nlh, &a);
	if (r <= 0)
		return r;
	char ab[INET6_ADDRSTRLEN], sb[16];
	addr_str(&a.addr, ab, sizeof(ab));
	snprintf(o->key, sizeof(o->key), "addr %d %s/%u", a.index, ab, a.addr.len);
	return set_fields(o, "addr",
			  json_pack("{s:o, s:i, s:s, s:s, s:i, s:s, s:o}", "dev", str_or_null(dev_name(ns, a.index)),
				    "ifindex", a.index, "family", family_name(a.addr.family), "address", ab, "prefixlen",
				    a.addr.len, "scope", rtnl_scope_name(a.scope, sb, sizeof(sb)), "flags",
				    rtnl_addr_flags(a.flags, a.addr.family)));
}

static const char *table_name(uint32_t t, char *buf, size_t len)
{
	switch (t) {
	case RT_TABLE_MAIN:    return "main";
	case RT_TABLE_LOCAL:   return "local";
	case RT_TABLE_DEFAULT: return "default";
	}
	snprintf(buf, len, "%u", t);
	return buf;
}

static json_t *nexthops(const struct mon_ns *ns, const struct rtnl_route *d)
{
	json_t *a = json_array();
	struct rtnl_nexthop hop;
	for (size_t c = 0; a && rtnl_route_nexthop(d, &c, &hop);) {
		char gb[INET6_ADDRSTRLEN];
		if (json_array_append_new(a, json_pack("{s:o, s:o, s:i}", "gateway", str_or_null(addr_str(&hop.gw, gb, sizeof(gb))),
						      "dev", str_or_null(dev_name(ns, hop.ifindex)), "ifindex",
						      hop.ifindex)) < 0)
			return json_decref(a), NULL;
	}
	return a;
}

static int route_obj(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *o)
{
	struct rtnl_route d;
	int r = rtnl_route_decode(nlh, &d);
	/* Cached clones (PMTU exceptions) are not routes anyone added. */
	if (r <= 0 || d.flags & RTM_F_CLONED)
		return r;
	char db[INET6_ADDRSTRLEN + 8] = "default", gb[INET6_ADDRSTRLEN], pb[INET6_ADDRSTRLEN], nb[4][16];
	if (d.dst.family) {
		char ab[INET6_ADDRSTRLEN];
		snprintf(db, sizeof(db), "%s/%u", addr_str(&d.dst, ab, sizeof(ab)), d.dst.len);
	}
	/* What the kernel tells routes apart by: table, family, type, destination, metric. */
	snprintf(o->key, sizeof(o->key), "route %u %s %u %s %u", d.table, family_name(d.family), d.type, db, d.metric);
	return set_fields(o, "route",
			  json_pack("{s:s, s:s, s:o, s:o, s:i, s:s, s:s, s:s, s:I, s:s, s:o, s:o}", "family",
				    family_name(d.family), "dst", db, "gateway", str_or_null(addr_str(&d.gw, gb, sizeof(gb))),
				    "dev", str_or_null(d.oif ? dev_name(ns, d.oif) : NULL), "ifindex", d.oif, "table",
				    table_name(d.table, nb[0], sizeof(nb[0])), "protocol",
				    rtnl_proto_name(d.protocol, nb[1], sizeof(nb[1])), "scope",
				    rtnl_scope_name(d.scope, nb[2], sizeof(nb[2])), "metric", (json_int_t)d.metric, "type",
				    rtnl_rtype_name(d.type, nb[3], sizeof(nb[3])), "prefsrc",
				    str_or_null(addr_str(&d.prefsrc, pb, sizeof(pb))), "nexthops", nexthops(ns, &d)));
}

static int neigh_obj(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *o)
{
	struct rtnl_neigh d;
	int r = rtnl_neigh_decode(nlh, &d);
	if (r <= 0)
		return r;
	char ab[INET6_ADDRSTRLEN], lb[100], sb[96];
	addr_str(&d.dst, ab, sizeof(ab));
	snprintf(o->key, sizeof(o->key), "neigh %d %s", d.index, ab);
	return set_fields(o, "neigh",
			  json_pack("{s:s, s:s, s:o, s:o, s:i, s:s, s:b}", "family", family_name(d.dst.family), "address",
				    ab, "lladdr", str_or_null(rtnl_lladdr_str(d.lladdr, d.lladdr_len, lb, sizeof(lb))),
				    "dev", str_or_null(dev_name(ns, d.index)), "ifindex", d.index, "state",
				    rtnl_neigh_state(d.state, sb, sizeof(sb)), "router", !!(d.flags & NTF_ROUTER)));
}

int mon_rtnl_decode(const struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_obj *ret)
{
	static const struct {
		uint16_t new, del;
		int (*decode)(const struct mon_ns *, struct nlmsghdr *, struct mon_obj *);
	} kinds[] = {
		{ RTM_NEWLINK, RTM_DELLINK, link_obj },
		{ RTM_NEWADDR, RTM_DELADDR, addr_obj },
		{ RTM_NEWROUTE, RTM_DELROUTE, route_obj },
		{ RTM_NEWNEIGH, RTM_DELNEIGH, neigh_obj },
	};
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (nlh->nlmsg_type != kinds[i].new && nlh->nlmsg_type != kinds[i].del)
			continue;
		ret->del = nlh->nlmsg_type == kinds[i].del;
		/* A DEL message has the NEW one's layout, and the decoders take NEW only:
		 * the buffer is ours, so it is read as NEW and put back. */
		uint16_t type = nlh->nlmsg_type;
		nlh->nlmsg_type = kinds[i].new;
		int r = kinds[i].decode(ns, nlh, ret);
		nlh->nlmsg_type = type;
		return r;
	}
	return 0;
}

/* ---- remembering and reporting ------------------------------------------------------- */

int mon_rtnl_learn(struct mon_ns *ns, struct nlmsghdr *nlh)
{
	struct mon_obj o;
	int r = mon_rtnl_decode(ns, nlh, &o);
	if (r <= 0)
		return r;
	return json_object_set_new(ns->known, o.key, o.fields) < 0 ? -ENOMEM : 0;
}

/* What goes without a message of its own when a link goes: IPv4 routes through it
 * when it is deleted or set down, and anything else that named it. Forgotten, so
 * that the same route added again is reported as added. */
static void forget_dev(struct mon_ns *ns, int index, bool deleted)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(ns->known, tmp, k, v) {
		if (json_integer_value(json_object_get(v, "ifindex")) != index)
			continue;
		if (deleted || strncmp(k, "route ", 6) == 0)
			json_object_del(ns->known, k);
	}
}

int mon_rtnl_event(struct mon_ns *ns, struct nlmsghdr *nlh, struct mon_event *ret)
{
	struct mon_obj o;
	int r = mon_rtnl_decode(ns, nlh, &o);
	if (r <= 0)
		return 0;   /* not ours, or malformed: nothing to report */
	json_t *old = json_object_get(ns->known, o.key);
	if (o.del) {
		json_object_del(ns->known, o.key);
		if (streq(o.object, "link"))
			forget_dev(ns, json_integer_value(json_object_get(o.fields, "index")), true);
		*ret = (struct mon_event){ o.object, "del", o.fields };
		return 1;
	}
	if (old && json_equal(old, o.fields)) {
		/* The kernel says it again (a statistic, a flag we do not show): no news. */
		json_decref(o.fields);
		return 0;
	}
	const char *action = old ? "change" : "add";
	if (streq(o.object, "link") && old && json_is_true(json_object_get(old, "admin_up")) &&
	    !json_is_true(json_object_get(o.fields, "admin_up")))
		forget_dev(ns, json_integer_value(json_object_get(o.fields, "index")), false);
	if (json_object_set(ns->known, o.key, o.fields) < 0) {
		json_decref(o.fields);
		return -ENOMEM;
	}
	*ret = (struct mon_event){ o.object, action, o.fields };
	return 1;
}
