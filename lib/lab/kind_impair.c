/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The impairment kind, "impair:NODE:IF": what one interface sends, impaired (a
 * rate, a loss). An element of its own, made after the links and changed in place,
 * so that `up` of a file whose impairments changed changes only them: the veth,
 * its ifindex and its addresses stay. Replacing the link or node replaces it too.
 */
#include "lab/lab.h"
#include "base/base.h"

static void add_one(json_t *elements, const char *node, const char *ifname, const struct topo_impair *im)
{
	if (!im->set || (!im->rate && !im->loss))
		return;
	char key[600];
	snprintf(key, sizeof(key), "%s%s:%s", lab_kind_impair.prefix, node, ifname);
	json_object_set_new(elements, key,
			    json_pack("{s:s, s:s, s:I, s:I}", "node", node, "ifname", ifname, "rate", (json_int_t)im->rate,
				      "loss", (json_int_t)im->loss));
}

static void wanted(const struct topology *t, json_t *elements)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			add_one(elements, t->nodes[i].name, t->nodes[i].ifaces[j].ifname, &t->nodes[i].ifaces[j].impair);
	for (size_t i = 0; i < t->n_links; i++)
		for (int j = 0; j < 2; j++)
			add_one(elements, t->links[i].node[j], t->links[i].ifname[j], &t->links[i].impair[j]);
}

static uint64_t spec_rate(json_t *spec)
{
	return (uint64_t)json_integer_value(json_object_get(spec, "rate"));
}

static uint32_t spec_loss(json_t *spec)
{
	return (uint32_t)json_integer_value(json_object_get(spec, "loss"));
}

/* A replaced node or link takes the interface, and so its qdisc and rule. */
static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	const char *node = jstr(spec, "node"), *ifname = jstr(spec, "ifname");
	if (k == &lab_kind_node)
		return streq(node, name);
	if (k != &lab_kind_link)
		return false;
	for (int i = 0; i < 2; i++) {
		const char *n = json_string_value(json_array_get(json_object_get(used, "nodes"), i));
		const char *f = json_string_value(json_array_get(json_object_get(used, "ifnames"), i));
		if (n && f && streq(n, node) && streq(f, ifname))
			return true;
	}
	return false;
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		json_t *s = els->v[i].spec;
		json_array_append_new(done, json_string(els->v[i].key));
		int r = lab_impair_set(jstr(s, "node"), jstr(s, "ifname"), spec_rate(s), spec_loss(s), e);
		if (r < 0)
			return nsnet_err_wrap(e, "impair %s", els->v[i].name);
		if ((r = lab_check_cancel(c->run, e)) < 0)
			return r;
	}
	return 0;
}

/* When the node goes too, its namespace takes the qdisc and the rule. */
static int remove_impairs(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		const char *node = jstr(els->v[i].spec, "node"), *ifname = jstr(els->v[i].spec, "ifname");
		if (!node || !ifname || json_object_get(c->dying, node) || !nsnet_ns_exists(node))
			continue;
		lab_impair_set(node, ifname, 0, 0, NULL);
	}
	return 0;
}

static bool updatable(json_t *have, json_t *want)
{
	return streq(jstr0(have, "node"), jstr0(want, "node")) && streq(jstr0(have, "ifname"), jstr0(want, "ifname"));
}

static int update(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	int r = lab_impair_set(jstr(want, "node"), jstr(want, "ifname"), spec_rate(want), spec_loss(want), e);
	return r < 0 ? nsnet_err_wrap(e, "impair %s", name) : 0;
}

static void text(json_t *spec, char *buf, size_t len)
{
	char r[32] = "none", l[32] = "none";
	if (spec_rate(spec))
		rate_str(spec_rate(spec), r, sizeof(r));
	if (spec_loss(spec))
		loss_str(spec_loss(spec), l, sizeof(l));
	snprintf(buf, len, "rate %s loss %s", r, l);
}

static void describe_update(json_t *have, json_t *want, char *buf, size_t len)
{
	char a[80], b[80];
	text(have, a, sizeof(a));
	text(want, b, sizeof(b));
	snprintf(buf, len, "%s -> %s", a, b);
}

static bool present(json_t *spec, struct lab_seen *seen)
{
	uint64_t rate;
	uint32_t loss;
	const char *node = jstr(spec, "node");
	return node && lab_seen_ns(seen, node) && lab_impair_get(node, jstr(spec, "ifname"), &rate, &loss, NULL) == 0 &&
	       rate == spec_rate(spec) && loss == spec_loss(spec);
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	return !present(spec, seen);
}

static void explain_set(json_t *c, json_t *spec, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	const char *node = lab_q(&qt, jstr(spec, "node")), *ifname = lab_q(&qt, jstr(spec, "ifname"));
	char r[32];
	if (spec_rate(spec) && add)
		lab_cmd(c, "ip netns exec %s tc qdisc replace dev %s root handle 4e53: tbf rate %s burst 16k latency 200ms",
			node, ifname, rate_str(spec_rate(spec), r, sizeof(r)));
	else if (!add)
		lab_cmd(c, "ip netns exec %s tc qdisc del dev %s root", node, ifname);
	if (spec_loss(spec) && add)
		lab_cmd(c,
			"ip netns exec %s nft 'add table inet nsnet_impair; add chain inet nsnet_impair loss_%s "
			"{ type filter hook postrouting priority 0; }; add rule inet nsnet_impair loss_%s oifname %s "
			"numgen random mod 1000000 < %u drop'",
			node, jstr(spec, "ifname"), jstr(spec, "ifname"), jstr(spec, "ifname"), spec_loss(spec));
	else if (!add)
		lab_cmd(c, "ip netns exec %s nft delete chain inet nsnet_impair loss_%s", node, jstr(spec, "ifname"));
}

static void explain(json_t *c, const char *name, json_t *spec, json_t *specs, bool add)
{
	explain_set(c, spec, add);
}

static void explain_update(json_t *cmds, const char *name, json_t *have, json_t *want, json_t *specs)
{
	explain_set(cmds, want, true);
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	bool up = present(spec, seen);
	*ok &= up;
	char r[32] = "", l[32] = "";
	if (spec_rate(spec))
		rate_str(spec_rate(spec), r, sizeof(r));
	if (spec_loss(spec))
		loss_str(spec_loss(spec), l, sizeof(l));
	return json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "node", jstr(spec, "node"), "ifname", jstr(spec, "ifname"), "rate",
			 *r ? r : NULL, "loss", *l ? l : NULL, "ok", up);
}

const struct lab_kind lab_kind_impair = {
	.prefix = "impair:",
	.plural = "impairments",
	.wanted = wanted,
	.uses = uses,
	.create = create,
	.remove = remove_impairs,
	.updatable = updatable,
	.update = update,
	.describe_update = describe_update,
	.explain_update = explain_update,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
};
