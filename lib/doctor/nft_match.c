/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor's nftables matches: what the probe's packet has where a rule looks (its
 * addresses, protocol, port, the interfaces of the hook, conntrack state "new"), and
 * whether the rule's right side holds it: a value, a prefix, a range, an anonymous
 * or named set, a concatenation ("iifname . oifname @pairs").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include "doctor/doctor.h"
#include "base/base.h"


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

/* ---- the packet's side of a match ------------------------------------------------ */

struct val nft_left_value(const struct eval *ev, const json_t *left)
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

const json_t *nft_find_item(const json_t *rs, const char *kind, const char *family, const char *table,
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
		int m = nft_elem_matches(ev, v, el, depth + 1);
		if (m == M_YES)
			return M_YES;
		unknown |= m == M_UNKNOWN;
	}
	return unknown ? M_UNKNOWN : M_NO;
}

/* Whether v equals (or falls in) one right-hand value. */
int nft_elem_matches(const struct eval *ev, const struct val *v, const json_t *r, int depth)
{
	if (depth > 4 || !r)
		return M_UNKNOWN;
	if (json_is_string(r) && json_string_value(r)[0] == '@') {
		const json_t *s = nft_find_item(ev->rs, "set", ev->family, ev->table, json_string_value(r) + 1);
		if (!s)
			s = nft_find_item(ev->rs, "map", ev->family, ev->table, json_string_value(r) + 1);
		return s ? set_has(ev, v, json_object_get(s, "elem"), depth) : M_UNKNOWN;
	}
	if (json_is_array(r))   /* flags, e.g. ct state { established, related } */
		return set_has(ev, v, r, depth);
	const json_t *set = json_object_get(r, "set");
	if (set)
		return json_is_array(set) ? set_has(ev, v, set, depth) : nft_elem_matches(ev, v, set, depth + 1);
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
		const json_t *s = nft_find_item(ev->rs, "set", ev->family, ev->table, json_string_value(r) + 1);
		if (!s)
			s = nft_find_item(ev->rs, "map", ev->family, ev->table, json_string_value(r) + 1);
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
		v[i] = nft_left_value(ev, json_array_get(parts, i));
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
			all = nft_elem_matches(ev, &v[k], json_array_get(comps, k), 0);
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

int nft_match(const struct eval *ev, const json_t *m)
{
	const char *op = jstr(m, "op") ?: "==";
	const json_t *concat = json_object_get(json_object_get(m, "left"), "concat");
	if (concat)
		return match_concat(ev, concat, op, json_object_get(m, "right"));
	struct val v = nft_left_value(ev, json_object_get(m, "left"));
	if (v.k == V_NONE)     /* the packet has no such field: the rule breaks, whatever the op */
		return M_NO;
	if (v.k == V_UNKNOWN)
		return M_UNKNOWN;
	const json_t *r = json_object_get(m, "right");
	if (streq(op, "==") || streq(op, "in"))
		return nft_elem_matches(ev, &v, r, 0);
	if (streq(op, "!=")) {
		int x = nft_elem_matches(ev, &v, r, 0);
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
