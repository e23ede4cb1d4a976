/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor's nftables evaluator: which verdict the rules of one hook give the probe's
 * packet, computed over the document `nft -j list ruleset` prints. iptables-nft rules
 * are nftables rules too and show up here, with the extensions libnftables can't
 * translate as opaque "xt" objects.
 *
 * A match doctor can't evaluate (fib, ct status, an xt match...) is taken as not
 * matching, and counted in `unsure`, so the report can say a verdict rests on rules
 * it passed over. Rate limits and quotas are taken as passing: one probe is far
 * below any of them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include "doctor.h"
#include "util.h"

#define MAX_DEPTH 16

enum { M_NO, M_YES, M_UNKNOWN };
/* How a chain ended. */
enum { C_FALL, C_ACCEPT, C_DROP, C_RETURN, C_SNAT };

enum vkind { V_UNKNOWN, V_NONE, V_ADDR, V_NUM, V_STR };
struct val {
	enum vkind k;
	int family;
	uint8_t addr[16];
	long num;
	const char *str;
	bool glob;       /* STR: the right side may end in a '*' wildcard (interface names) */
};

struct eval {
	const json_t *rs;                /* the "nftables" array */
	const struct dr_nft_pkt *p;
	struct dr_nft_result *res;
	const char *family, *table;      /* of the chain being run */
	bool nat;
};

static const struct { const char *name; long v; } symbols[] = {
	{ "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP }, { "gre", IPPROTO_GRE }, { "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH }, { "igmp", IPPROTO_IGMP }, { "udplite", IPPROTO_UDPLITE }, { "ipv4", AF_INET },
	{ "ipv6", AF_INET6 },
};

static const struct { const char *name; long v4, v6; } icmp_types[] = {
	{ "echo-reply", 0, 129 }, { "destination-unreachable", 3, 1 }, { "echo-request", 8, 128 },
	{ "time-exceeded", 11, 3 }, { "parameter-problem", 12, 4 }, { "packet-too-big", -1, 2 },
	{ "nd-neighbor-solicit", -1, 135 }, { "nd-neighbor-advert", -1, 136 }, { "redirect", 5, 137 },
	{ "nd-router-solicit", -1, 133 }, { "nd-router-advert", -1, 134 },
};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* ---- the packet's side of a match ------------------------------------------------ */

static struct val left_value(const struct eval *ev, const json_t *left)
{
	const struct dr_pkt *pk = ev->p->pkt;
	struct val v = { .k = V_UNKNOWN };
	const json_t *pl = json_object_get(left, "payload"), *meta = json_object_get(left, "meta"),
		     *ct = json_object_get(left, "ct");
	if (pl) {
		const char *proto = jstr(pl, "protocol"), *field = jstr(pl, "field");
		if (!proto || !field)
			return v;
		bool is_ip = streq(proto, "ip"), is_ip6 = streq(proto, "ip6");
		if (is_ip || is_ip6) {
			if ((is_ip && pk->family != AF_INET) || (is_ip6 && pk->family != AF_INET6))
				return (struct val){ .k = V_NONE };
			if (streq(field, "saddr") || streq(field, "daddr")) {
				const struct nsnet_prefix *a = field[0] == 's' ? &pk->src : &pk->dst;
				if (!a->family)
					return v;
				v.k = V_ADDR;
				v.family = a->family;
				memcpy(v.addr, a->addr, 16);
			} else if (streq(field, "protocol") || streq(field, "nexthdr")) {
				v.k = V_NUM;
				v.num = pk->l4;
			}
			return v;
		}
		bool tcp = streq(proto, "tcp"), udp = streq(proto, "udp"), th = streq(proto, "th");
		if (tcp || udp || th) {
			bool has = (tcp && pk->l4 == IPPROTO_TCP) || (udp && pk->l4 == IPPROTO_UDP) ||
				   (th && (pk->l4 == IPPROTO_TCP || pk->l4 == IPPROTO_UDP));
			if (!has)
				return (struct val){ .k = V_NONE };
			if (streq(field, "dport")) {
				v.k = V_NUM;
				v.num = pk->port;
			}
			return v;   /* sport is ephemeral: unknown */
		}
		if (streq(proto, "icmp") || streq(proto, "icmpv6")) {
			int want = proto[4] ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
			if (pk->l4 != want)
				return (struct val){ .k = V_NONE };
			if (streq(field, "type")) {
				v.k = V_NUM;
				v.num = want == IPPROTO_ICMP ? 8 : 128;   /* the probe is an echo request */
				v.family = pk->family;
			}
			return v;
		}
		return v;
	}
	if (meta) {
		const char *key = jstr(meta, "key");
		if (!key)
			return v;
		if (streq(key, "iifname") || streq(key, "oifname") || streq(key, "iif") || streq(key, "oif")) {
			const char *name = key[0] == 'i' ? ev->p->iif : ev->p->oif;
			if (!name)
				return (struct val){ .k = V_NONE };
			return (struct val){ .k = V_STR, .str = name, .glob = key[3] == 'n' };
		}
		if (streq(key, "l4proto"))
			return (struct val){ .k = V_NUM, .num = pk->l4 };
		if (streq(key, "nfproto"))
			return (struct val){ .k = V_NUM, .num = pk->family };
		if (streq(key, "protocol"))
			return (struct val){ .k = V_STR, .str = pk->family == AF_INET ? "ip" : "ip6" };
		if (streq(key, "mark"))
			return (struct val){ .k = V_NUM, .num = 0 };
		return v;
	}
	if (ct) {
		const char *key = jstr(ct, "key");
		if (key && streq(key, "state"))
			return (struct val){ .k = V_STR, .str = "new" };   /* the probe opens a connection */
		if (key && streq(key, "status"))   /* no dnat, snat, ...: nothing was done to it yet */
			return (struct val){ .k = V_STR, .str = "" };
		if (key && streq(key, "direction"))
			return (struct val){ .k = V_STR, .str = "original" };
		if (key && streq(key, "mark"))
			return (struct val){ .k = V_NUM, .num = 0 };
	}
	return v;
}

/* ---- the rule's side ------------------------------------------------------------------- */

static const json_t *find_item(const json_t *rs, const char *kind, const char *family, const char *table,
			       const char *name)
{
	size_t i;
	const json_t *it;
	json_array_foreach(rs, i, it) {
		const json_t *o = json_object_get(it, kind);
		if (o && streq(jstr(o, "family") ?: "", family) && streq(jstr(o, "table") ?: "", table) &&
		    streq(jstr(o, "name") ?: "", name))
			return o;
	}
	return NULL;
}

static bool glob_eq(const char *pat, const char *s, bool glob)
{
	size_t n = strlen(pat);
	if (glob && n && pat[n - 1] == '*' && (n < 2 || pat[n - 2] != '\\'))
		return strncmp(pat, s, n - 1) == 0;
	return streq(pat, s);
}

static bool parse_addr(const char *s, int family, uint8_t out[16])
{
	return s && inet_pton(family, s, out) == 1;
}

static bool prefix_has(const uint8_t *net, unsigned len, const uint8_t *a, int family)
{
	unsigned bits = family == AF_INET ? 32 : 128;
	if (len > bits)
		return false;
	for (unsigned i = 0; i < len; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;
		if (((net[byte] >> bit) & 1) != ((a[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static int addr_cmp(const uint8_t *a, const uint8_t *b, int family)
{
	return memcmp(a, b, family == AF_INET ? 4 : 16);
}

static long symbol_num(const struct val *v, const char *s, bool *ok)
{
	*ok = true;
	for (size_t i = 0; i < ARRAY_SIZE(icmp_types); i++)
		if (streq(s, icmp_types[i].name))
			return v->family == AF_INET6 ? icmp_types[i].v6 : icmp_types[i].v4;
	for (size_t i = 0; i < ARRAY_SIZE(symbols); i++)
		if (streq(s, symbols[i].name))
			return symbols[i].v;
	*ok = false;
	return 0;
}

static int elem_matches(const struct eval *ev, const struct val *v, const json_t *r, int depth);

/* Membership of v in a set's elements (a JSON array). */
static int set_has(const struct eval *ev, const struct val *v, const json_t *elems, int depth)
{
	size_t i;
	const json_t *el;
	bool unknown = false;
	json_array_foreach(elems, i, el) {
		/* Maps list [key, value] pairs; elements with options come as {"elem": {"val"}}. */
		if (json_is_array(el))
			el = json_array_get(el, 0);
		if (json_object_get(el, "elem"))
			el = json_object_get(json_object_get(el, "elem"), "val");
		int m = elem_matches(ev, v, el, depth + 1);
		if (m == M_YES)
			return M_YES;
		unknown |= m == M_UNKNOWN;
	}
	return unknown ? M_UNKNOWN : M_NO;
}

/* Whether v equals (or falls in) one right-hand value. */
static int elem_matches(const struct eval *ev, const struct val *v, const json_t *r, int depth)
{
	if (depth > 4 || !r)
		return M_UNKNOWN;
	if (json_is_string(r) && json_string_value(r)[0] == '@') {
		const json_t *s = find_item(ev->rs, "set", ev->family, ev->table, json_string_value(r) + 1);
		if (!s)
			s = find_item(ev->rs, "map", ev->family, ev->table, json_string_value(r) + 1);
		return s ? set_has(ev, v, json_object_get(s, "elem"), depth) : M_UNKNOWN;
	}
	if (json_is_array(r))   /* flags, e.g. ct state { established, related } */
		return set_has(ev, v, r, depth);
	const json_t *set = json_object_get(r, "set");
	if (set)
		return json_is_array(set) ? set_has(ev, v, set, depth) : elem_matches(ev, v, set, depth + 1);
	const json_t *pfx = json_object_get(r, "prefix"), *range = json_object_get(r, "range");
	switch (v->k) {
	case V_ADDR: {
		uint8_t a[16], b[16];
		if (json_is_string(r))
			return parse_addr(json_string_value(r), v->family, a) ? addr_cmp(a, v->addr, v->family) == 0 : M_NO;
		if (pfx)
			return parse_addr(jstr(pfx, "addr"), v->family, a)
				       ? prefix_has(a, (unsigned)json_integer_value(json_object_get(pfx, "len")), v->addr,
						    v->family)
				       : M_NO;
		if (range && parse_addr(json_string_value(json_array_get(range, 0)), v->family, a) &&
		    parse_addr(json_string_value(json_array_get(range, 1)), v->family, b))
			return addr_cmp(a, v->addr, v->family) <= 0 && addr_cmp(v->addr, b, v->family) <= 0;
		return M_UNKNOWN;
	}
	case V_NUM: {
		bool ok = true;
		if (json_is_integer(r))
			return json_integer_value(r) == v->num;
		if (json_is_string(r)) {
			long n = symbol_num(v, json_string_value(r), &ok);
			return ok ? n == v->num : M_UNKNOWN;
		}
		if (range) {
			const json_t *lo = json_array_get(range, 0), *hi = json_array_get(range, 1);
			if (json_is_integer(lo) && json_is_integer(hi))
				return json_integer_value(lo) <= v->num && v->num <= json_integer_value(hi);
		}
		return M_UNKNOWN;
	}
	case V_STR:
		if (json_is_string(r))
			return glob_eq(json_string_value(r), v->str, v->glob);
		return M_UNKNOWN;
	default:
		return M_UNKNOWN;
	}
}

/* The elements a right-hand side stands for: a named set's, an anonymous set's, or itself. */
static const json_t *right_elems(const struct eval *ev, const json_t *r, json_t **tmp)
{
	if (json_is_string(r) && json_string_value(r)[0] == '@') {
		const json_t *s = find_item(ev->rs, "set", ev->family, ev->table, json_string_value(r) + 1);
		if (!s)
			s = find_item(ev->rs, "map", ev->family, ev->table, json_string_value(r) + 1);
		return json_object_get(s, "elem");
	}
	if (json_is_array(json_object_get(r, "set")))
		return json_object_get(r, "set");
	*tmp = json_pack("[O]", r);
	return *tmp;
}

/* "iifname . oifname @pairs": every part of one element must match. */
static int match_concat(const struct eval *ev, const json_t *parts, const char *op, const json_t *r)
{
	struct val v[4];
	size_t n = json_array_size(parts);
	if (n == 0 || n > ARRAY_SIZE(v))
		return M_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		v[i] = left_value(ev, json_array_get(parts, i));
		if (v[i].k == V_NONE)
			return M_NO;
		if (v[i].k == V_UNKNOWN)
			return M_UNKNOWN;
	}
	json_t *tmp = NULL;
	const json_t *elems = right_elems(ev, r, &tmp);
	if (!elems)
		return M_UNKNOWN;
	int found = M_NO;
	size_t i;
	const json_t *el;
	json_array_foreach(elems, i, el) {
		if (json_is_array(el))
			el = json_array_get(el, 0);
		if (json_object_get(el, "elem"))
			el = json_object_get(json_object_get(el, "elem"), "val");
		const json_t *comps = json_object_get(el, "concat");
		if (json_array_size(comps) != n) {
			found = M_UNKNOWN;
			continue;
		}
		int all = M_YES;
		for (size_t k = 0; k < n && all == M_YES; k++)
			all = elem_matches(ev, &v[k], json_array_get(comps, k), 0);
		if (all == M_YES) {
			found = M_YES;
			break;
		}
		if (all == M_UNKNOWN)
			found = M_UNKNOWN;
	}
	json_decref(tmp);
	if (streq(op, "!="))
		return found == M_UNKNOWN ? M_UNKNOWN : found == M_YES ? M_NO : M_YES;
	return streq(op, "==") || streq(op, "in") ? found : M_UNKNOWN;
}

static int match(const struct eval *ev, const json_t *m)
{
	const char *op = jstr(m, "op") ?: "==";
	const json_t *concat = json_object_get(json_object_get(m, "left"), "concat");
	if (concat)
		return match_concat(ev, concat, op, json_object_get(m, "right"));
	struct val v = left_value(ev, json_object_get(m, "left"));
	if (v.k == V_NONE)     /* the packet has no such field: the rule breaks, whatever the op */
		return M_NO;
	if (v.k == V_UNKNOWN)
		return M_UNKNOWN;
	const json_t *r = json_object_get(m, "right");
	if (streq(op, "==") || streq(op, "in"))
		return elem_matches(ev, &v, r, 0);
	if (streq(op, "!=")) {
		int x = elem_matches(ev, &v, r, 0);
		return x == M_UNKNOWN ? M_UNKNOWN : x == M_YES ? M_NO : M_YES;
	}
	if (v.k == V_NUM && json_is_integer(r)) {
		long n = json_integer_value(r);
		if (streq(op, "<"))
			return v.num < n;
		if (streq(op, ">"))
			return v.num > n;
		if (streq(op, "<="))
			return v.num <= n;
		if (streq(op, ">="))
			return v.num >= n;
	}
	return M_UNKNOWN;
}

/* ---- chains ---------------------------------------------------------------------------- */

static void note_unsure(struct eval *ev, const char *what)
{
	if (!ev->res->unsure++)
		snprintf(ev->res->unsure_what, sizeof(ev->res->unsure_what), "%s", what);
}

static void decide(struct eval *ev, const char *chain, const json_t *rule, int pos)
{
	struct dr_nft_result *r = ev->res;
	snprintf(r->family, sizeof(r->family), "%s", ev->family);
	snprintf(r->table, sizeof(r->table), "%s", ev->table);
	snprintf(r->chain, sizeof(r->chain), "%s", chain);
	r->handle = rule ? (long)json_integer_value(json_object_get(rule, "handle")) : -1;
	r->position = pos;
	snprintf(r->comment, sizeof(r->comment), "%s", rule ? jstr(rule, "comment") ?: "" : "");
}

static int run_chain(struct eval *ev, const char *chain, int depth);

/* A verdict object ({"accept": null}, {"jump": {"target"}}...): C_* or -1 for "go on". */
static int verdict(struct eval *ev, const json_t *x, const char *chain, const json_t *rule, int pos, int depth)
{
	if (json_object_get(x, "accept"))
		return C_ACCEPT;
	if (json_object_get(x, "drop") || json_object_get(x, "reject")) {
		decide(ev, chain, rule, pos);
		return C_DROP;
	}
	if (json_object_get(x, "return"))
		return C_RETURN;
	if (json_object_get(x, "continue"))
		return -2;
	const json_t *j = json_object_get(x, "jump"), *g = json_object_get(x, "goto");
	if (j || g) {
		const char *target = jstr(j ?: g, "target");
		if (!target || depth >= MAX_DEPTH)
			return -1;
		int r = run_chain(ev, target, depth + 1);
		if (r == C_ACCEPT || r == C_DROP || r == C_SNAT)
			return r;
		return g ? C_RETURN : -2;   /* after a goto, the calling chain is done too */
	}
	return -1;
}

static int nat_stmt(struct eval *ev, const json_t *x, const char *chain, const json_t *rule, int pos)
{
	const json_t *snat = json_object_get(x, "snat");
	bool masq = json_object_get(x, "masquerade") != NULL;
	if (!snat && !masq)
		return -1;
	decide(ev, chain, rule, pos);
	ev->res->masquerade = masq;
	if (snat)
		snprintf(ev->res->nat_to, sizeof(ev->res->nat_to), "%s", jstr(snat, "addr") ?: "");
	return C_SNAT;
}

/* iptables-nft extensions libnftables can't translate: targets by name. */
static int xt_stmt(struct eval *ev, const json_t *xt, const char *chain, const json_t *rule, int pos, bool *unknown)
{
	const char *type = jstr(xt, "type") ?: "", *name = jstr(xt, "name") ?: "?";
	if (streq(type, "match")) {
		char what[64];
		snprintf(what, sizeof(what), "xt match %s", name);
		note_unsure(ev, what);
		*unknown = true;
		return -1;
	}
	if (streq(name, "ACCEPT"))
		return C_ACCEPT;
	if (streq(name, "DROP") || streq(name, "REJECT")) {
		decide(ev, chain, rule, pos);
		return C_DROP;
	}
	if (streq(name, "RETURN"))
		return C_RETURN;
	if (streq(name, "MASQUERADE") || streq(name, "SNAT")) {
		decide(ev, chain, rule, pos);
		ev->res->masquerade = name[0] == 'M';
		return C_SNAT;
	}
	return -1;   /* LOG, MARK, TCPMSS...: the packet goes on */
}

static int run_rule(struct eval *ev, const char *chain, const json_t *rule, int pos, int depth)
{
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(rule, "expr"), i, x) {
		const json_t *m = json_object_get(x, "match"), *vmap = json_object_get(x, "vmap"),
			     *xt = json_object_get(x, "xt");
		int r = -1;
		if (m) {
			int k = match(ev, m);
			if (k == M_UNKNOWN) {
				char what[64];
				const char *key = json_object_iter_key(json_object_iter(json_object_get(m, "left")));
				snprintf(what, sizeof(what), "%s match", key ?: "?");
				note_unsure(ev, what);
			}
			if (k != M_YES)
				return C_FALL;
			continue;
		}
		if (vmap) {
			struct val v = left_value(ev, json_object_get(vmap, "key"));
			if (v.k == V_NONE)
				return C_FALL;
			if (v.k == V_UNKNOWN) {
				note_unsure(ev, "vmap key");
				return C_FALL;
			}
			const json_t *data = json_object_get(vmap, "data"), *pairs = json_object_get(data, "set");
			if (json_is_string(data) && json_string_value(data)[0] == '@') {
				const json_t *map = find_item(ev->rs, "map", ev->family, ev->table, json_string_value(data) + 1);
				pairs = json_object_get(map, "elem");
			}
			size_t k;
			const json_t *pair;
			json_array_foreach(pairs, k, pair) {
				if (elem_matches(ev, &v, json_array_get(pair, 0), 0) == M_YES) {
					r = verdict(ev, json_array_get(pair, 1), chain, rule, pos, depth);
					break;
				}
			}
		} else if (xt) {
			bool unknown = false;
			r = xt_stmt(ev, xt, chain, rule, pos, &unknown);
			if (unknown)
				return C_FALL;
		} else if ((r = verdict(ev, x, chain, rule, pos, depth)) == -1 && ev->nat) {
			r = nat_stmt(ev, x, chain, rule, pos);
		}
		if (r == -2)
			return C_FALL;
		if (r >= 0)
			return r;
	}
	return C_FALL;
}

static int run_chain(struct eval *ev, const char *chain, int depth)
{
	size_t i;
	const json_t *it;
	int pos = 0;
	json_array_foreach(ev->rs, i, it) {
		const json_t *rule = json_object_get(it, "rule");
		if (!rule || !streq(jstr(rule, "family") ?: "", ev->family) || !streq(jstr(rule, "table") ?: "", ev->table) ||
		    !streq(jstr(rule, "chain") ?: "", chain))
			continue;
		int r = run_rule(ev, chain, rule, ++pos, depth);
		if (r == C_RETURN)
			return C_FALL;
		if (r != C_FALL)
			return r;
	}
	return C_FALL;
}

struct base {
	const json_t *chain;
	long prio;
	size_t order;
};

static int base_cmp(const void *a, const void *b)
{
	const struct base *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void dr_nft_eval(const json_t *ruleset, const char *ctype, const char *hook, const char *const *families,
		 const struct dr_nft_pkt *p, struct dr_nft_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->handle = -1;
	const json_t *rs = json_object_get(ruleset, "nftables");
	struct base bases[64];
	size_t n = 0, i;
	const json_t *it;
	json_array_foreach(rs, i, it) {
		const json_t *c = json_object_get(it, "chain");
		const char *fam = jstr(c, "family");
		if (!c || !fam || !streq(jstr(c, "type") ?: "", ctype) || !streq(jstr(c, "hook") ?: "", hook))
			continue;
		bool want = false;
		for (const char *const *f = families; *f; f++)
			want |= streq(*f, fam);
		if (want && n < ARRAY_SIZE(bases))
			bases[n++] = (struct base){ c, (long)json_integer_value(json_object_get(c, "prio")), i };
	}
	qsort(bases, n, sizeof(*bases), base_cmp);
	bool nat = streq(ctype, "nat");
	for (i = 0; i < n; i++) {
		const json_t *c = bases[i].chain;
		struct eval ev = { .rs = rs, .p = p, .res = ret, .family = jstr(c, "family"), .table = jstr(c, "table"),
				   .nat = nat };
		const char *name = jstr(c, "name") ?: "";
		int r = run_chain(&ev, name, 0);
		if (r == C_DROP || r == C_SNAT) {
			ret->verdict = r == C_DROP ? DR_V_DROP : DR_V_SNAT;
			return;
		}
		if (r == C_FALL && !nat && streq(jstr(c, "policy") ?: "accept", "drop")) {
			decide(&ev, name, NULL, 0);
			ret->verdict = DR_V_DROP;
			return;
		}
	}
	ret->verdict = n ? DR_V_ACCEPT : DR_V_NONE;
}

bool dr_nft_is_iptables(const char *family, const char *table, const char *chain)
{
	static const char *const tables[] = { "filter", "nat", "mangle", "raw", "security" };
	if (!streq(family, "ip") && !streq(family, "ip6"))
		return false;
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		known |= streq(table, tables[i]);
	if (!known || !*chain)
		return false;
	for (const char *s = chain; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return false;
	return true;
}

/* "table ip filter {" -> family and name; quotes around names are dropped. */
static bool block_head(const char *line, const char *word, char *a, size_t alen, char *b, size_t blen)
{
	size_t wl = strlen(word);
	if (strncmp(line, word, wl) || line[wl] != ' ')
		return false;
	char x[80] = "", y[80] = "";
	if (sscanf(line + wl + 1, "%79s %79s", x, y) < 1)
		return false;
	if (b) {
		snprintf(a, alen, "%s", x);
		snprintf(b, blen, "%s", y);
	} else {
		snprintf(a, alen, "%s", x);
	}
	for (char *s = a; *s; s++)
		if (*s == '"')
			memmove(s, s + 1, strlen(s));
	if (b)
		for (char *s = b; *s; s++)
			if (*s == '"')
				memmove(s, s + 1, strlen(s));
	return true;
}

void dr_nft_rule_text(const char *listing, const char *family, const char *table, const char *chain, long handle,
		      char *buf, size_t len)
{
	buf[0] = 0;
	if (!listing)
		return;
	char fam[80] = "", tab[80] = "", ch[80] = "", want[32];
	snprintf(want, sizeof(want), " # handle %ld", handle);
	for (const char *l = listing; *l;) {
		const char *end = strchrnul(l, '\n');
		char line[1024];
		size_t n = (size_t)(end - l) < sizeof(line) - 1 ? (size_t)(end - l) : sizeof(line) - 1;
		memcpy(line, l, n);
		line[n] = 0;
		l = *end ? end + 1 : end;
		char *s = line;
		while (*s == '\t' || *s == ' ')
			s++;
		if (block_head(s, "table", fam, sizeof(fam), tab, sizeof(tab))) {
			ch[0] = 0;
			continue;
		}
		if (block_head(s, "chain", ch, sizeof(ch), NULL, 0))
			continue;
		size_t sl = strlen(s), wl = strlen(want);
		if (sl > wl && streq(s + sl - wl, want) && streq(fam, family) && streq(tab, table) && streq(ch, chain)) {
			s[sl - wl] = 0;
			snprintf(buf, len, "%s", s);
			return;
		}
	}
}
