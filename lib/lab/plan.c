/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deciding what `up` changes: the difference between wanted and recorded elements. */
#include <ctype.h>
#include <stdarg.h>
#include "lab/lab.h"
#include "net/net.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

/* A key list with a set beside it, so that membership is O(1) on big labs. */
struct keys {
	json_t *list;  /* array, in insertion order */
	json_t *set;   /* object: key -> true */
};

static void add_key(struct keys *k, const char *key)
{
	if (json_object_get(k->set, key))
		return;
	json_object_set_new(k->set, key, json_true());
	json_array_append_new(k->list, json_string(key));
}

static const char *kind_of(const char *key)
{
	return strncmp(key, "net:", 4) == 0 ? "net" : strncmp(key, "node:", 5) == 0 ? "node" : "link";
}

/* Does node spec use network `net`? */
static bool node_uses(json_t *node, const char *net)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(node, "ifaces"), i, f) if (streq(json_string_value(json_object_get(f, "network")), net)) return true;
	return false;
}

static bool link_uses(json_t *link, const char *node)
{
	json_t *nodes = json_object_get(link, "nodes");
	return streq(json_string_value(json_array_get(nodes, 0)), node) ||
	       streq(json_string_value(json_array_get(nodes, 1)), node);
}

/* Replace key: remove the recorded one, add the wanted one (if still wanted). */
static void replace(struct lab_plan *p, struct keys *rm, struct keys *add, const char *key)
{
	add_key(rm, key);
	if (json_object_get(p->want, key))
		add_key(add, key);
}

int lab_plan_make(json_t *want, json_t *have, struct lab_plan *ret, struct nsnet_error *e)
{
	struct lab_plan p = { .want = json_incref(want), .have = json_incref(have) };
	struct keys rm = { json_array(), json_object() }, add = { json_array(), json_object() };
	const char *key;
	json_t *v;
	json_object_foreach(have, key, v) {
		json_t *w = json_object_get(want, key);
		if (!w || !json_equal(w, v))
			replace(&p, &rm, &add, key);
	}
	json_object_foreach(want, key, v) if (!json_object_get(have, key)) add_key(&add, key);
	/* A replaced network takes its nodes with it; a replaced node, its links. */
	for (size_t i = 0; i < json_array_size(rm.list); i++) {
		const char *k = json_string_value(json_array_get(rm.list, i));
		const char *hk;
		json_t *hv;
		if (streq(kind_of(k), "net")) {
			json_object_foreach(have, hk, hv) if (streq(kind_of(hk), "node") && node_uses(hv, k + 4)) replace(&p, &rm, &add, hk);
		} else if (streq(kind_of(k), "node")) {
			json_object_foreach(have, hk, hv) if (streq(kind_of(hk), "link") && link_uses(hv, k + 5)) replace(&p, &rm, &add, hk);
		}
	}
	/* Order: remove links, nodes, networks; add networks, nodes, links. */
	static const char *const order[] = { "link", "node", "net" };
	p.remove = json_array();
	p.add = json_array();
	for (int o = 0; o < 3; o++) {
		size_t i;
		json_array_foreach(rm.list, i, v) if (streq(kind_of(json_string_value(v)), order[o])) json_array_append(p.remove, v);
		json_array_foreach(add.list, i, v) if (streq(kind_of(json_string_value(v)), order[2 - o])) json_array_append(p.add, v);
	}
	json_decref(rm.list);
	json_decref(rm.set);
	json_decref(add.list);
	json_decref(add.set);
	*ret = p;
	(void)e;
	return 0;
}

void lab_plan_free(struct lab_plan *p)
{
	json_decref(p->remove);
	json_decref(p->add);
	json_decref(p->want);
	json_decref(p->have);
	json_decref(p->record);
	memset(p, 0, sizeof(*p));
}

/* --explain prints commands a reader may paste into a shell, and names come from the
 * lab file: every name and value is one shell word, single-quoted unless it is made
 * only of characters no shell treats specially ("x$(touch PWNED)" stays a name).
 * Placeholders ("<next free address of ...>") are quoted too: pasted, they fail
 * harmlessly instead of redirecting. */
#define QN 8
struct quoter {
	char buf[QN][4 * 1024 + 3];
	int i;
};

static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_./:@%+=,-", *s))
			return false;
	return true;
}

/* s as one shell word, in one of q's buffers (QN per command at most). */
static const char *q(struct quoter *qt, const char *s)
{
	if (!s)
		s = "";
	if (shell_plain(s))
		return s;
	char *b = qt->buf[qt->i++ % QN], *o = b, *end = b + sizeof(qt->buf[0]) - 6;
	*o++ = '\'';
	for (; *s && o < end; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = 0;
	return b;
}

static void cmd(json_t *cmds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cmd(json_t *cmds, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(cmds, json_string(buf));
}

static void explain_net(json_t *c, const char *name, json_t *n, bool add)
{
	struct quoter qt = { .i = 0 };
	const char *br = q(&qt, jstr(n, "bridge"));
	if (!add) {
		cmd(c, "ip link del %s", br);
		return;
	}
	cmd(c, "ip link add %s type bridge", br);
	for (size_t i = 0; i < json_array_size(json_object_get(n, "subnets")); i++) {
		const char *sub = json_string_value(json_array_get(json_object_get(n, "subnets"), i));
		const char *slash = strchr(sub, '/');
		char a[128];
		snprintf(a, sizeof(a), "%s%s", json_string_value(json_array_get(json_object_get(n, "gateways"), i)), slash ? slash : "");
		cmd(c, "ip addr add %s dev %s", q(&qt, a), br);
	}
	cmd(c, "ip link set %s up", br);
	if (json_is_true(json_object_get(n, "nat"))) {
		char set[600];
		cmd(c, "sysctl -w net.ipv4.ip_forward=1");
		snprintf(set, sizeof(set), "{ \"%s\" }", jstr(n, "bridge"));
		cmd(c, "nft add element inet nsnet nat_bridges %s", q(&qt, set));
		snprintf(set, sizeof(set), "{ %s }", json_string_value(json_array_get(json_object_get(n, "subnets"), 0)));
		cmd(c, "nft add element inet nsnet nat4 %s", q(&qt, set));
	}
	(void)name;
}

static void explain_node(json_t *c, const char *name_raw, json_t *n, json_t *want, bool add)
{
	struct quoter qt = { .i = 0 };
	const char *name = q(&qt, name_raw);
	if (!add) {
		cmd(c, "ip netns del %s", name);
		return;
	}
	cmd(c, "ip netns add %s", name);
	cmd(c, "ip -n %s link set lo up", name);
	if (json_is_true(json_object_get(n, "forwarding")))
		cmd(c, "ip netns exec %s sysctl -w net.ipv4.ip_forward=1", name);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(n, "sysctls"), k, v) {
		char kv[1024];
		snprintf(kv, sizeof(kv), "%s=%s", k, json_string_value(v));
		qt.i = 1;
		cmd(c, "ip netns exec %s sysctl -w %s", name, q(&qt, kv));
	}
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(n, "ifaces"), i, f) {
		char key[128], host_if[16], what[300];
		snprintf(key, sizeof(key), "net:%s", jstr(f, "network"));
		json_t *net = json_object_get(want, key);
		nsnet_net_host_ifname(jstr(f, "network"), name_raw, host_if);
		qt.i = 1;
		const char *ifn = q(&qt, jstr(f, "ifname") ? jstr(f, "ifname") : "eth0"), *hif = q(&qt, host_if);
		cmd(c, "ip link add %s master %s type veth peer name %s netns %s", hif, q(&qt, jstr(net, "bridge")), ifn, name);
		cmd(c, "ip link set %s up", hif);
		cmd(c, "ip -n %s link set %s up", name, ifn);
		json_t *ips = json_object_get(f, "ips");
		const char *sub = json_string_value(json_array_get(json_object_get(net, "subnets"), 0));
		const char *slash = sub ? strchr(sub, '/') : NULL;
		if (json_array_size(ips))
			snprintf(what, sizeof(what), "%s%s", json_string_value(json_array_get(ips, 0)), slash ? slash : "");
		else
			snprintf(what, sizeof(what), "<next free address of %s>", sub ? sub : "?");
		cmd(c, "ip -n %s addr add %s dev %s", name, q(&qt, what), ifn);
		if (json_is_true(json_object_get(f, "default_route")))
			cmd(c, "ip -n %s route add default via %s", name,
			    q(&qt, json_string_value(json_array_get(json_object_get(net, "gateways"), 0))));
	}
	json_array_foreach(json_object_get(n, "routes"), i, f) {
		qt.i = 1;
		if (jstr(f, "dev"))
			cmd(c, "ip -n %s route add %s via %s dev %s", name, q(&qt, jstr(f, "to")), q(&qt, jstr(f, "via")), q(&qt, jstr(f, "dev")));
		else
			cmd(c, "ip -n %s route add %s via %s", name, q(&qt, jstr(f, "to")), q(&qt, jstr(f, "via")));
	}
	json_array_foreach(json_object_get(n, "publish"), i, f) {
		char el[600];
		snprintf(el, sizeof(el), "{ %s . %lld : <%s's address> . %lld }", jstr(f, "proto"),
			 json_integer_value(json_object_get(f, "host_port")), name_raw, json_integer_value(json_object_get(f, "port")));
		qt.i = 1;
		cmd(c, "nft add element inet nsnet pubany4 %s", q(&qt, el));
	}
}

static void explain_link(json_t *c, json_t *l, bool add)
{
	struct quoter qt = { .i = 0 };
	json_t *nodes = json_object_get(l, "nodes"), *ifs = json_object_get(l, "ifnames"), *ips = json_object_get(l, "ips");
	const char *a = json_string_value(json_array_get(nodes, 0)), *b = json_string_value(json_array_get(nodes, 1));
	bool ha = streq(a, NSNET_HOST), hb = streq(b, NSNET_HOST);
	const char *qa = q(&qt, a), *qb = q(&qt, b);
	const char *ia = q(&qt, json_string_value(json_array_get(ifs, 0))), *ib = q(&qt, json_string_value(json_array_get(ifs, 1)));
	if (!add) {
		cmd(c, "ip%s%s link del %s", ha ? "" : " -n ", ha ? "" : qa, ia);
		return;
	}
	cmd(c, "ip link add %s%s%s type veth peer name %s%s%s", ia, ha ? "" : " netns ", ha ? "" : qa, ib,
	    hb ? "" : " netns ", hb ? "" : qb);
	for (int i = 0; i < 2; i++) {
		bool host = i ? hb : ha;
		const char *ns = i ? qb : qa, *ifn = i ? ib : ia;
		const char *ip = json_string_value(json_array_get(ips, i));
		const char *pre = host ? "" : " -n ", *nsn = host ? "" : ns;
		qt.i = 4;
		if (ip)
			cmd(c, "ip%s%s addr add %s dev %s", pre, nsn, q(&qt, ip), ifn);
		cmd(c, "ip%s%s link set %s up", pre, nsn, ifn);
	}
}

static void describe_into(json_t *steps, json_t *keys, json_t *specs, json_t *want, bool add, bool explain)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		json_t *spec = json_object_get(specs, key);
		json_t *step = json_pack("{s:s, s:s}", "action", add ? "create" : "remove", "element", key);
		if (explain) {
			json_t *c = json_array();
			if (streq(kind_of(key), "net"))
				explain_net(c, key + 4, spec, add);
			else if (streq(kind_of(key), "node"))
				explain_node(c, key + 5, spec, want, add);
			else
				explain_link(c, spec, add);
			json_object_set_new(step, "commands", c);
		}
		json_array_append_new(steps, step);
	}
}

json_t *lab_plan_describe(const struct lab_plan *p, bool explain)
{
	json_t *steps = json_array();
	describe_into(steps, p->remove, p->have, p->have, false, explain);
	describe_into(steps, p->add, p->want, p->want, true, explain);
	return steps;
}
