/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rule's side of a match: whether it holds the packet's value (value.c): a
 * value, a prefix, a range, an anonymous or named set, a map's keys, a
 * concatenation ("iifname . oifname @pairs"). Three answers: yes, no, and "can't
 * tell" when the packet's value is unknown (or one of several names) or the rule's
 * side is something not understood here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include "nft/nft.h"
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

static bool listed(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (streq(*l, s))
			return true;
	return false;
}

/* A name: a flag of ct state or status, or an interface, maybe one of several
 * (the packet leaves through one of the host's, not known which): then it never
 * matches for certain, and maybe does when any of them would. */
static int str_matches(const struct nft_val *v, const char *pat)
{
	if (v->known && !listed(v->known, pat))
		return NFT_M_UNKNOWN;
	if (v->str)
		return glob_eq(pat, v->str, v->glob);
	for (size_t i = 0; i < v->n_cands; i++)
		if (glob_eq(pat, v->cands[i], v->glob))
			return NFT_M_UNKNOWN;
	return NFT_M_NO;
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

static long symbol_num(const struct nft_val *v, const char *s, bool *ok)
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
static int set_has(const struct nft_eval *ev, const struct nft_val *v, const json_t *elems, int depth)
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
		if (m == NFT_M_YES)
			return NFT_M_YES;
		unknown |= m == NFT_M_UNKNOWN;
	}
	return unknown ? NFT_M_UNKNOWN : NFT_M_NO;
}

/* Whether v equals (or falls in) one right-hand value. */
int nft_elem_matches(const struct nft_eval *ev, const struct nft_val *v, const json_t *r, int depth)
{
	if (depth > 4 || !r)
		return NFT_M_UNKNOWN;
	if (json_is_string(r) && json_string_value(r)[0] == '@') {
		const json_t *s = nft_find_item(ev->rs, "set", ev->family, ev->table, json_string_value(r) + 1);
		if (!s)
			s = nft_find_item(ev->rs, "map", ev->family, ev->table, json_string_value(r) + 1);
		return s ? set_has(ev, v, json_object_get(s, "elem"), depth) : NFT_M_UNKNOWN;
	}
	if (json_is_array(r))   /* flags, e.g. ct state { established, related } */
		return set_has(ev, v, r, depth);
	const json_t *set = json_object_get(r, "set");
	if (set)
		return json_is_array(set) ? set_has(ev, v, set, depth) : nft_elem_matches(ev, v, set, depth + 1);
	const json_t *pfx = json_object_get(r, "prefix"), *range = json_object_get(r, "range");
	switch (v->k) {
	case NFT_V_ADDR: {
		uint8_t a[16], b[16];
		if (json_is_string(r))
			return parse_addr(json_string_value(r), v->family, a) ? addr_cmp(a, v->addr, v->family) == 0 : NFT_M_NO;
		if (pfx)
			return parse_addr(jstr(pfx, "addr"), v->family, a)
				       ? prefix_has(a, (unsigned)json_integer_value(json_object_get(pfx, "len")), v->addr,
						    v->family)
				       : NFT_M_NO;
		if (range && parse_addr(json_string_value(json_array_get(range, 0)), v->family, a) &&
		    parse_addr(json_string_value(json_array_get(range, 1)), v->family, b))
			return addr_cmp(a, v->addr, v->family) <= 0 && addr_cmp(v->addr, b, v->family) <= 0;
		return NFT_M_UNKNOWN;
	}
	case NFT_V_NUM: {
		bool ok = true;
		if (json_is_integer(r))
			return json_integer_value(r) == v->num;
		if (json_is_string(r)) {
			long n = symbol_num(v, json_string_value(r), &ok);
			return ok ? n == v->num : NFT_M_UNKNOWN;
		}
		if (range) {
			const json_t *lo = json_array_get(range, 0), *hi = json_array_get(range, 1);
			if (json_is_integer(lo) && json_is_integer(hi))
				return json_integer_value(lo) <= v->num && v->num <= json_integer_value(hi);
		}
		return NFT_M_UNKNOWN;
	}
	case NFT_V_STR:
		if (json_is_string(r))
			return str_matches(v, json_string_value(r));
		return NFT_M_UNKNOWN;
	default:
		return NFT_M_UNKNOWN;
	}
}

/* The elements a right-hand side stands for: a named set's, an anonymous set's, or itself. */
static const json_t *right_elems(const struct nft_eval *ev, const json_t *r, json_t **tmp)
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
static int match_concat(const struct nft_eval *ev, const json_t *parts, const char *op, const json_t *r)
{
	struct nft_val v[4];
	size_t n = json_array_size(parts);
	if (n == 0 || n > ARRAY_SIZE(v))
		return NFT_M_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		v[i] = nft_left_value(ev, json_array_get(parts, i));
		if (v[i].k == NFT_V_NONE)
			return NFT_M_NO;
		if (v[i].k == NFT_V_UNKNOWN)
			return NFT_M_UNKNOWN;
	}
	json_t *tmp = NULL;
	const json_t *elems = right_elems(ev, r, &tmp);
	if (!elems)
		return NFT_M_UNKNOWN;
	int found = NFT_M_NO;
	size_t i;
	const json_t *el;
	json_array_foreach(elems, i, el) {
		if (json_is_array(el))
			el = json_array_get(el, 0);
		if (json_object_get(el, "elem"))
			el = json_object_get(json_object_get(el, "elem"), "val");
		const json_t *comps = json_object_get(el, "concat");
		if (json_array_size(comps) != n) {
			found = NFT_M_UNKNOWN;
			continue;
		}
		int all = NFT_M_YES;
		for (size_t k = 0; k < n && all == NFT_M_YES; k++)
			all = nft_elem_matches(ev, &v[k], json_array_get(comps, k), 0);
		if (all == NFT_M_YES) {
			found = NFT_M_YES;
			break;
		}
		if (all == NFT_M_UNKNOWN)
			found = NFT_M_UNKNOWN;
	}
	json_decref(tmp);
	if (streq(op, "!="))
		return found == NFT_M_UNKNOWN ? NFT_M_UNKNOWN : found == NFT_M_YES ? NFT_M_NO : NFT_M_YES;
	return streq(op, "==") || streq(op, "in") ? found : NFT_M_UNKNOWN;
}

int nft_match(const struct nft_eval *ev, const json_t *m)
{
	const char *op = jstr(m, "op") ?: "==";
	const json_t *concat = json_object_get(json_object_get(m, "left"), "concat");
	if (concat)
		return match_concat(ev, concat, op, json_object_get(m, "right"));
	struct nft_val v = nft_left_value(ev, json_object_get(m, "left"));
	if (v.k == NFT_V_NONE)     /* the packet has no such field: the rule breaks, whatever the op */
		return NFT_M_NO;
	if (v.k == NFT_V_UNKNOWN)
		return NFT_M_UNKNOWN;
	const json_t *r = json_object_get(m, "right");
	if (streq(op, "==") || streq(op, "in"))
		return nft_elem_matches(ev, &v, r, 0);
	if (streq(op, "!=")) {
		int x = nft_elem_matches(ev, &v, r, 0);
		return x == NFT_M_UNKNOWN ? NFT_M_UNKNOWN : x == NFT_M_YES ? NFT_M_NO : NFT_M_YES;
	}
	if (v.k == NFT_V_NUM && json_is_integer(r)) {
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
	return NFT_M_UNKNOWN;
}
