/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link kind, "link:A:IFA|B:IFB": a point-to-point veth between two nodes (either
 * may be "host"), with an address on each end if the file gives one. */
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

static const char *end_node(json_t *l, int i)
{
	return json_string_value(json_array_get(json_object_get(l, "nodes"), i));
}

static const char *end_ifname(json_t *l, int i)
{
	return json_string_value(json_array_get(json_object_get(l, "ifnames"), i));
}

static json_t *link_spec(const struct topo_link *l)
{
	json_t *ips = json_array();
	for (int i = 0; i < 2; i++)
		json_array_append_new(ips, l->ip[i].family ? lab_addr_json(&l->ip[i], true) : json_null());
	return json_pack("{s:[s,s], s:[s,s], s:o, s:i}", "nodes", l->node[0], l->node[1], "ifnames", l->ifname[0],
			 l->ifname[1], "ips", ips, "mtu", (int)l->mtu);
}

static void wanted(const struct topology *t, json_t *elements)
{
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		char key[600];
		snprintf(key, sizeof(key), "%s%s:%s|%s:%s", lab_kind_link.prefix, l->node[0], l->ifname[0], l->node[1],
			 l->ifname[1]);
		json_object_set_new(elements, key, link_spec(l));
	}
}

/* A replaced node takes its links with it. */
static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	return k == &lab_kind_node && (streq(end_node(spec, 0), name) || streq(end_node(spec, 1), name));
}

/* Will interface ifn of node be gone before the additions, as an end of one of
 * this lab's links that the plan removes (a replaced link re-uses its names)? */
static bool removed_end(const struct lab_plan *p, const char *node, const char *ifn)
{
	size_t i;
	json_t *k;
	json_array_foreach(p->remove, i, k) {
		json_t *old = json_object_get(p->have, json_string_value(k));
		if (!lab_key_name(&lab_kind_link, json_string_value(k)) || !old)
			continue;
		for (int j = 0; j < 2; j++)
			if (streq(end_node(old, j), node) && streq(end_ifname(old, j), ifn))
				return true;
	}
	return false;
}

static int check(const struct lab_check *c, const char *key, const char *name, struct nsnet_error *e)
{
	json_t *l = json_object_get(c->plan->want, key);
	for (int i = 0; i < 2; i++) {
		const char *node = end_node(l, i), *ifn = end_ifname(l, i);
		char nk[300];
		lab_key(&lab_kind_node, node, nk, sizeof(nk));
		if (removed_end(c->plan, node, ifn))
			continue;
		if (streq(node, NSNET_HOST)) {
			if (link_index(c->host, ifn) > 0)
				return nsnet_errx(e, EEXIST, "link %s: an interface named %s already exists in the host",
						  name, ifn);
		} else if (!lab_keys_have(c->plan->add, nk) && nsnet_link_index(node, ifn, NULL) > 0) {
			return nsnet_errx(e, EEXIST, "link %s: node '%s' already has an interface named %s", name,
					  node, ifn);
		}
	}
	return 0;
}

static int make_link(json_t *l, struct nsnet_error *e)
{
	json_t *ips = json_object_get(l, "ips");
	struct nsnet_prefix ip[2];
	struct nsnet_veth_spec s = {
		.ns_a = end_node(l, 0), .ns_b = end_node(l, 1), .if_a = end_ifname(l, 0), .if_b = end_ifname(l, 1),
		.mtu = (unsigned)json_integer_value(json_object_get(l, "mtu")),
	};
	for (int i = 0; i < 2; i++) {
		const char *a = json_string_value(json_array_get(ips, i));
		if (a && nsnet_prefix_parse(a, true, &ip[i], e) < 0)
			return -EINVAL;
		if (a)
			*(i ? &s.ip_b : &s.ip_a) = &ip[i];
	}
	int r = nsnet_veth_add(&s, e);
	return r < 0 ? nsnet_err_wrap(e, "link %s:%s - %s:%s", s.ns_a, s.if_a, s.ns_b, s.if_b) : 0;
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	int r;
	for (size_t i = 0; i < els->n; i++) {
		json_array_append_new(done, json_string(els->v[i].key));
		if ((r = make_link(els->v[i].spec, e)) < 0 || (r = lab_check_cancel(c->run, e)) < 0)
			return r;
	}
	return 0;
}

static void remove_link(json_t *l)
{
	/* Deleting one end removes the pair; try the other if the first is gone. */
	for (int i = 0; i < 2; i++) {
		const char *ns = end_node(l, i);
		if (nsnet_ns_exists(ns) && nsnet_link_del(ns, end_ifname(l, i), NULL) == 0)
			return;
	}
}

static int remove_links(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++)
		if (els->v[i].spec)
			remove_link(els->v[i].spec);
	return 0;
}

static void namespaces(const char *name, json_t *spec, json_t *set)
{
	for (int i = 0; i < 2; i++)
		if (end_node(spec, i))
			json_object_set_new(set, end_node(spec, i), json_true());
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	for (int i = 0; i < 2; i++) {
		const char *node = end_node(spec, i), *ifn = end_ifname(spec, i);
		if (!lab_seen_ns(seen, node) || !lab_seen_link(seen, node, ifn))
			return true;
	}
	return false;
}

static void explain(json_t *c, const char *name, json_t *l, json_t *specs, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	json_t *ips = json_object_get(l, "ips");
	const char *a = end_node(l, 0), *b = end_node(l, 1);
	bool ha = streq(a, NSNET_HOST), hb = streq(b, NSNET_HOST);
	const char *qa = lab_q(&qt, a), *qb = lab_q(&qt, b);
	const char *ia = lab_q(&qt, end_ifname(l, 0)), *ib = lab_q(&qt, end_ifname(l, 1));
	if (!add) {
		lab_cmd(c, "ip%s%s link del %s", ha ? "" : " -n ", ha ? "" : qa, ia);
		return;
	}
	lab_cmd(c, "ip link add %s%s%s type veth peer name %s%s%s", ia, ha ? "" : " netns ", ha ? "" : qa, ib,
		hb ? "" : " netns ", hb ? "" : qb);
	for (int i = 0; i < 2; i++) {
		bool host = i ? hb : ha;
		const char *ns = i ? qb : qa, *ifn = i ? ib : ia;
		const char *ip = json_string_value(json_array_get(ips, i));
		const char *pre = host ? "" : " -n ", *nsn = host ? "" : ns;
		qt.i = 4;
		if (ip)
			lab_cmd(c, "ip%s%s addr add %s dev %s", pre, nsn, lab_q(&qt, ip), ifn);
		lab_cmd(c, "ip%s%s link set %s up", pre, nsn, ifn);
	}
}

/* Only the addresses of its ends change: readdressed in place, the pair stays. */
static bool updatable(json_t *have, json_t *want)
{
	static const char *const in_place[] = { "ips", "mtu", NULL };
	return lab_spec_same_except(have, want, in_place);
}

/* End i's address from old to new (either may be absent) and its MTU (0: the
 * kernel's 1500), in one batch. */
static int readdress(json_t *have, json_t *want, int i, struct nsnet_error *e)
{
	const char *ns = end_node(want, i), *ifn = end_ifname(want, i);
	const char *old = json_string_value(json_array_get(json_object_get(have, "ips"), i));
	const char *new = json_string_value(json_array_get(json_object_get(want, "ips"), i));
	unsigned mtu0 = (unsigned)json_integer_value(json_object_get(have, "mtu")),
		 mtu1 = (unsigned)json_integer_value(json_object_get(want, "mtu"));
	if (streq_safe(old, new) && mtu0 == mtu1)
		return 0;
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open(ns, &nl, e);
	if (r < 0)
		return r;
	int idx = link_index(nl, ifn);
	if (idx < 0)
		return nsnet_err(e, -idx, "link end %s:%s", ns, ifn);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	if (mtu0 != mtu1)
		msg_link_mtu(&b, idx, ifn, mtu1 ? mtu1 : 1500);
	struct nsnet_prefix p;
	if (streq_safe(old, new))
		old = new = NULL;
	if (old && nsnet_prefix_parse(old, true, &p, NULL) == 0) {
		msg_addr(&b, false, idx, &p, ifn);
		nl_batch_tolerate(&b, EADDRNOTAVAIL);
	}
	if (new && (r = nsnet_prefix_parse(new, true, &p, e)) == 0)
		msg_addr(&b, true, idx, &p, ifn);
	return r < 0 ? r : nl_batch_send(nl, &b, e);
}

static int update(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++)
		r = readdress(have, want, i, e);
	return r;
}

static void describe_update(json_t *have, json_t *want, char *buf, size_t len)
{
	json_t *a = json_object_get(have, "ips"), *b = json_object_get(want, "ips");
	json_int_t m0 = json_integer_value(json_object_get(have, "mtu")), m1 = json_integer_value(json_object_get(want, "mtu"));
	int off = 0;
	buf[0] = 0;
	if (m0 != m1)
		off = snprintf(buf, len, "mtu %lld -> %lld", m0 ? m0 : 1500, m1 ? m1 : 1500);
	for (int i = 0; i < 2; i++) {
		const char *o = json_string_value(json_array_get(a, i)), *n = json_string_value(json_array_get(b, i));
		if (!streq_safe(o, n) && off >= 0 && (size_t)off < len)
			off += snprintf(buf + off, len - (size_t)off, "%s%s:%s %s -> %s", off ? ", " : "", end_node(want, i),
					end_ifname(want, i), o ? o : "-", n ? n : "-");
	}
}

static void explain_update(json_t *c, const char *name, json_t *have, json_t *want, json_t *specs)
{
	json_int_t m1 = json_integer_value(json_object_get(want, "mtu"));
	bool mtu = m1 != json_integer_value(json_object_get(have, "mtu"));
	for (int i = 0; i < 2; i++) {
		struct lab_quoter qt = { .i = 0 };
		const char *o = json_string_value(json_array_get(json_object_get(have, "ips"), i));
		const char *n = json_string_value(json_array_get(json_object_get(want, "ips"), i));
		bool host = streq(end_node(want, i), NSNET_HOST);
		const char *ns = host ? "" : lab_q(&qt, end_node(want, i)), *ifn = lab_q(&qt, end_ifname(want, i));
		if (mtu)
			lab_cmd(c, "ip%s%s link set %s mtu %lld", host ? "" : " -n ", ns, ifn, m1 ? m1 : 1500);
		if (streq_safe(o, n))
			continue;
		if (o)
			lab_cmd(c, "ip%s%s addr del %s dev %s", host ? "" : " -n ", ns, lab_q(&qt, o), ifn);
		if (n)
			lab_cmd(c, "ip%s%s addr add %s dev %s", host ? "" : " -n ", ns, lab_q(&qt, n), ifn);
	}
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	bool up = true;
	for (int i = 0; i < 2; i++) {
		const char *ns = end_node(spec, i);
		up &= lab_seen_ns(seen, ns) && lab_seen_link(seen, ns, end_ifname(spec, i));
	}
	*ok &= up;
	return json_pack("{s:O, s:O, s:O, s:b}", "nodes", json_object_get(spec, "nodes"), "ifnames",
			 json_object_get(spec, "ifnames"), "ips", json_object_get(spec, "ips"), "ok", up);
}

/* The addresses of its ends in nodes (the host's end is no node's). */
static json_t *addresses(const char *name, json_t *spec, json_t *nodes)
{
	json_t *out = json_array();
	for (int i = 0; i < 2; i++) {
		json_t *ip = json_array_get(json_object_get(spec, "ips"), i);
		if (json_is_string(ip) && !streq(end_node(spec, i), NSNET_HOST))
			json_array_append_new(out, json_pack("[s, O]", end_node(spec, i), ip));
	}
	return out;
}

const struct lab_kind lab_kind_link = {
	.prefix = "link:",
	.plural = "links",
	.wanted = wanted,
	.uses = uses,
	.check = check,
	.create = create,
	.remove = remove_links,
	.updatable = updatable,
	.update_replaces_users = true,
	.update = update,
	.describe_update = describe_update,
	.explain_update = explain_update,
	.namespaces = namespaces,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
	.addresses = addresses,
};
