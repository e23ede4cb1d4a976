/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The route kind, "route:NODE|TO": one static route of a node. Routes are elements
 * of their own, made after every network, node and link, because a next hop is only
 * reachable once the interface that reaches it exists (a route via a direct link's
 * peer needs that link); and because a changed route is then replaced alone, without
 * the namespace it lives in. TO is the destination prefix (0.0.0.0/0 or ::/0 for a
 * default route), so a key never holds a '|' after the node's name.
 */
#include "lab/lab.h"
#include "link/link.h"
#include "base/base.h"

static const char *route_node(json_t *spec)
{
	return jstr(spec, "node");
}

static json_t *route_spec(const char *node, const struct topo_route *r)
{
	json_t *o = json_pack("{s:s, s:o, s:i}", "node", node, "to",
			      r->to.len == 0 ? json_string("default") : lab_addr_json(&r->to, true), "family",
			      r->to.family == AF_INET6 ? 6 : 4);
	if (r->via.family)
		json_object_set_new(o, "via", lab_addr_json(&r->via, false));
	if (r->dev)
		json_object_set_new(o, "dev", json_string(r->dev));
	return o;
}

static void wanted(const struct topology *t, json_t *elements)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		for (size_t j = 0; j < n->n_routes; j++) {
			char key[600], to[64];
			snprintf(key, sizeof(key), "%s%s|%s", lab_kind_route.prefix, n->name,
				 nsnet_prefix_str(&n->routes[j].to, true, to, sizeof(to)));
			json_object_set_new(elements, key, route_spec(n->name, &n->routes[j]));
		}
	}
}

/* A replaced node takes its routes with it, and so does a replaced link of that
 * node that the route goes through (its device, or the subnet of its gateway): the
 * kernel drops a route with the device it went through. */
static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	const char *node = route_node(spec), *dev = jstr(spec, "dev"), *via = jstr(spec, "via");
	if (k == &lab_kind_node)
		return streq(node, name);
	if (k != &lab_kind_link)
		return false;
	struct nsnet_prefix gw;
	bool has_gw = via && nsnet_addr_parse(via, &gw, NULL) == 0;
	for (int i = 0; i < 2; i++) {
		const char *end = json_string_value(json_array_get(json_object_get(used, "nodes"), i));
		const char *ifn = json_string_value(json_array_get(json_object_get(used, "ifnames"), i));
		const char *ip = json_string_value(json_array_get(json_object_get(used, "ips"), i));
		struct nsnet_prefix p;
		if (!end || !streq(end, node))
			continue;
		if (dev && ifn && streq(dev, ifn))
			return true;
		if (has_gw && ip && nsnet_prefix_parse(ip, true, &p, NULL) == 0 && nsnet_prefix_contains(&p, &gw))
			return true;
	}
	return false;
}

/* The kernel's form of a spec; -EINVAL for a spec that is not one of ours. */
static int to_route(json_t *spec, struct nsnet_route_spec *r, struct nsnet_error *e)
{
	*r = (struct nsnet_route_spec){ .ns = route_node(spec), .dev = jstr(spec, "dev") };
	const char *to = jstr(spec, "to"), *via = jstr(spec, "via");
	if (!r->ns || !to)
		return nsnet_errx(e, EINVAL, "a route element without node or destination");
	if (via) {
		int ret = nsnet_addr_parse(via, &r->via, e);
		if (ret < 0)
			return ret;
		r->has_via = true;
	}
	if (streq(to, "default")) {
		r->dst.family = json_integer_value(json_object_get(spec, "family")) == 6 ? AF_INET6 : AF_INET;
		return 0;
	}
	return nsnet_prefix_parse(to, true, &r->dst, e);
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		struct nsnet_route_spec r;
		json_array_append_new(done, json_string(els->v[i].key));
		int ret = to_route(els->v[i].spec, &r, e);
		if (ret == 0)
			ret = nsnet_route_add(&r, e);
		if (ret < 0)
			return nsnet_err_wrap(e, "node '%s': route to %s", r.ns ? r.ns : "?", jstr(els->v[i].spec, "to"));
		if ((ret = lab_check_cancel(c->run, e)) < 0)
			return ret;
	}
	return 0;
}

/* Routes go before their node: when the node goes too, the namespace takes them. */
static int remove_routes(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		struct nsnet_route_spec r;
		if (!els->v[i].spec || to_route(els->v[i].spec, &r, NULL) < 0)
			continue;
		if (json_object_get(c->dying, r.ns) || !nsnet_ns_exists(r.ns))
			continue;
		nsnet_route_del(&r, NULL);
	}
	return 0;
}

static bool present(json_t *spec, struct lab_seen *seen)
{
	struct nsnet_route_spec r;
	return to_route(spec, &r, NULL) == 0 && lab_seen_ns(seen, r.ns) && route_present(&r, NULL) == 1;
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	return !present(spec, seen);
}

static void explain(json_t *c, const char *name, json_t *spec, json_t *specs, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	const char *via = jstr(spec, "via"), *dev = jstr(spec, "dev");
	bool v6 = json_integer_value(json_object_get(spec, "family")) == 6;
	const char *node = lab_q(&qt, route_node(spec)), *to = lab_q(&qt, jstr(spec, "to"));
	lab_cmd(c, "ip%s -n %s route %s %s%s%s%s%s", v6 && streq(jstr(spec, "to"), "default") ? " -6" : "", node,
		add ? "add" : "del", to, via ? " via " : "", via ? lab_q(&qt, via) : "", dev ? " dev " : "",
		dev ? lab_q(&qt, dev) : "");
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	bool up = present(spec, seen);
	*ok &= up;
	return json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "node", route_node(spec), "to", jstr(spec, "to"), "via",
			 jstr(spec, "via"), "dev", jstr(spec, "dev"), "ok", up);
}

const struct lab_kind lab_kind_route = {
	.prefix = "route:",
	.plural = "routes",
	.wanted = wanted,
	.uses = uses,
	.create = create,
	.remove = remove_routes,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
};
