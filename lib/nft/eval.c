/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which verdict the chains of a listing (`nft -j list ...`) give a packet. iptables-nft
 * rules are nftables rules too and show up here, with the extensions libnftables
 * can't translate as opaque "xt" objects.
 *
 * A rule whose matches all hold decides; one with a match that does not hold is
 * passed; one with a match that can't be told (a field of the packet that is not
 * known, a fib or xt match...) is passed too, and remembered: counted in `unsure` so
 * doctor can say a verdict rests on rules it passed over, and, when it would have
 * taken the packet anywhere but to a drop, marking the outcome `uncertain`, so fw
 * reports a drop as certain only when nothing before it could have let the packet
 * go. Rate limits and quotas pass a probe (one packet is far below any of them) and
 * make a rule a maybe for an imagined stream of packets.
 */
#include <stdlib.h>
#include "nft/nft.h"
#include "base/base.h"

/* The kernel's jump stack is as deep. */
#define MAX_DEPTH 16

/* How a chain ended; for a statement, also GO_ON (the rule goes on) and RULE_END
 * (the rule ends without a verdict). */
enum { C_FALL, C_ACCEPT, C_DROP, C_RETURN, C_SNAT, GO_ON = -1, RULE_END = -2 };

static void note_unsure(struct nft_eval *ev, const char *what)
{
	if (!ev->res->unsure++)
		snprintf(ev->res->unsure_what, sizeof(ev->res->unsure_what), "%s", what);
}

static void decide(struct nft_eval *ev, const char *chain, const json_t *rule, int pos)
{
	struct nft_result *r = ev->res;
	snprintf(r->family, sizeof(r->family), "%s", ev->family);
	snprintf(r->table, sizeof(r->table), "%s", ev->table);
	snprintf(r->chain, sizeof(r->chain), "%s", chain);
	r->handle = rule ? (long)json_integer_value(json_object_get(rule, "handle")) : -1;
	r->position = pos;
	snprintf(r->comment, sizeof(r->comment), "%s", rule ? jstr(rule, "comment") ?: "" : "");
}

static int run_chain(struct nft_eval *ev, const char *chain, int depth);

/* A verdict object ({"accept": null}, {"jump": {"target"}}...): C_*, GO_ON or RULE_END. */
static int verdict(struct nft_eval *ev, const json_t *x, const char *chain, const json_t *rule, int pos, int depth)
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
		return RULE_END;
	const json_t *j = json_object_get(x, "jump"), *g = json_object_get(x, "goto");
	if (j || g) {
		const char *target = jstr(j ?: g, "target");
		if (!target) {
			ev->res->uncertain = true;
			return GO_ON;
		}
		int r = C_FALL;
		/* A chain that isn't there, or too deep: as an empty one, but not for sure. */
		if (depth >= MAX_DEPTH || !nft_find_item(ev->rs, "chain", ev->family, ev->table, target))
			ev->res->uncertain = true;
		else
			r = run_chain(ev, target, depth + 1);
		if (r == C_ACCEPT || r == C_DROP || r == C_SNAT)
			return r;
		return g ? C_RETURN : RULE_END;   /* after a goto, the calling chain is done too */
	}
	return GO_ON;
}

/* Whether a verdict object, when a rule maybe reaches it, could take the packet
 * anywhere but to a drop. */
static bool maybe_elsewhere(const json_t *x)
{
	return !json_object_get(x, "drop") && !json_object_get(x, "reject") && !json_object_get(x, "continue");
}

static int vmap(struct nft_eval *ev, const json_t *vm, const char *chain, const json_t *rule, int pos, int depth)
{
	struct nft_val v = nft_left_value(ev, json_object_get(vm, "key"));
	if (v.k == NFT_V_NONE)
		return RULE_END;
	if (v.k == NFT_V_UNKNOWN) {
		note_unsure(ev, "vmap key");
		ev->res->uncertain = true;
		return RULE_END;
	}
	const json_t *data = json_object_get(vm, "data"), *pairs = json_object_get(data, "set");
	if (json_is_string(data) && json_string_value(data)[0] == '@') {
		const json_t *map = nft_find_item(ev->rs, "map", ev->family, ev->table, json_string_value(data) + 1);
		pairs = json_object_get(map, "elem");
	}
	size_t k;
	const json_t *pair;
	json_array_foreach(pairs, k, pair) {
		int m = nft_elem_matches(ev, &v, json_array_get(pair, 0), 0);
		if (m == NFT_M_YES)
			return verdict(ev, json_array_get(pair, 1), chain, rule, pos, depth);
		/* An element that maybe holds the key: as a rule that maybe matches. */
		if (m == NFT_M_UNKNOWN && maybe_elsewhere(json_array_get(pair, 1)))
			ev->res->uncertain = true;
	}
	return GO_ON;
}

static int nat_stmt(struct nft_eval *ev, const json_t *x, const char *chain, const json_t *rule, int pos)
{
	const json_t *snat = json_object_get(x, "snat"), *dnat = json_object_get(x, "dnat");
	bool masq = json_object_get(x, "masquerade") != NULL;
	if (!snat && !masq && !dnat)
		return GO_ON;
	decide(ev, chain, rule, pos);
	ev->res->masquerade = masq;
	ev->res->dnat = dnat != NULL;
	/* A literal address (and port); a map's or a set's is not known here. */
	if (snat || dnat)
		snprintf(ev->res->nat_to, sizeof(ev->res->nat_to), "%s", jstr(snat ? snat : dnat, "addr") ?: "");
	if (dnat && json_is_integer(json_object_get(dnat, "port")))
		ev->res->nat_port = (unsigned)json_integer_value(json_object_get(dnat, "port"));
	return C_SNAT;
}

/* iptables-nft extensions libnftables can't translate: targets by name. Any other
 * (LOG, MARK, TCPMSS...) lets a probe on, and is an unknown verdict otherwise. */
static int xt_target(struct nft_eval *ev, const char *name, const char *chain, const json_t *rule, int pos)
{
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
	if (ev->p->probe)
		return GO_ON;
	ev->res->uncertain = true;
	return RULE_END;
}

static bool listed(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (streq(*l, s))
			return true;
	return false;
}

/* What a statement (but a match) is to its rule. */
enum stmt { S_NEUTRAL, S_UNKNOWN, S_VERDICT };

static enum stmt stmt_kind(const struct nft_eval *ev, const char *k, const json_t *val)
{
	static const char *const neutral[] = { "counter", "log", "mangle", "notrack", "set", NULL };
	static const char *const verdicts[] = { "accept", "drop", "reject", "return", "jump", "goto", "vmap", NULL };
	if (listed(neutral, k))
		return S_NEUTRAL;
	if (listed(verdicts, k) || (streq(k, "xt") && streq(jstr(val, "type") ?: "", "target")))
		return S_VERDICT;
	if (ev->nat && (streq(k, "snat") || streq(k, "masquerade") || streq(k, "dnat")))
		return S_VERDICT;
	if (streq(k, "queue") && !ev->p->probe)
		return S_VERDICT;   /* userspace decides: an unknown verdict */
	return S_UNKNOWN;   /* limit, quota, a statement not known here */
}

/* Whether a verdict statement, or xt target, a rule only maybe gets to could take
 * the packet anywhere but to a drop. */
static bool maybe_stmt_elsewhere(const char *k, const json_t *val)
{
	if (streq(k, "xt")) {
		const char *name = jstr(val, "name") ?: "";
		return !streq(name, "DROP") && !streq(name, "REJECT");
	}
	return !streq(k, "drop") && !streq(k, "reject");
}

static int run_rule(struct nft_eval *ev, const char *chain, const json_t *rule, int pos, int depth)
{
	bool maybe = false;   /* a match so far can't be told */
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(rule, "expr"), i, x) {
		void *it = json_object_iter((json_t *)x);
		const char *k = it ? json_object_iter_key(it) : "";
		const json_t *val = it ? json_object_iter_value(it) : NULL;
		if (streq(k, "match")) {
			int m = nft_match(ev, val);
			if (m == NFT_M_NO)
				return C_FALL;
			if (m == NFT_M_UNKNOWN && !maybe) {
				char what[64];
				const char *key = json_object_iter_key(json_object_iter(json_object_get(val, "left")));
				snprintf(what, sizeof(what), "%s match", key ?: "?");
				note_unsure(ev, what);
			}
			maybe |= m == NFT_M_UNKNOWN;
			continue;
		}
		if (streq(k, "xt") && streq(jstr(val, "type") ?: "", "match")) {
			if (!maybe) {
				char what[64];
				snprintf(what, sizeof(what), "xt match %s", jstr(val, "name") ?: "?");
				note_unsure(ev, what);
			}
			maybe = true;
			continue;
		}
		if (streq(k, "continue"))
			return C_FALL;
		enum stmt kind = stmt_kind(ev, k, val);
		if (kind == S_NEUTRAL)
			continue;
		if (kind == S_UNKNOWN) {
			/* A probe passes it; a stream of packets maybe does. */
			maybe |= !ev->p->probe;
			continue;
		}
		if (maybe) {
			/* Passed over; unless it could only drop, the packet may have gone elsewhere. */
			if (maybe_stmt_elsewhere(k, val))
				ev->res->uncertain = true;
			return C_FALL;
		}
		int r;
		if (streq(k, "vmap"))
			r = vmap(ev, val, chain, rule, pos, depth);
		else if (streq(k, "xt"))
			r = xt_target(ev, jstr(val, "name") ?: "?", chain, rule, pos);
		else if (streq(k, "queue")) {
			ev->res->uncertain = true;
			r = RULE_END;
		} else if (streq(k, "snat") || streq(k, "masquerade") || streq(k, "dnat"))
			r = nat_stmt(ev, x, chain, rule, pos);
		else
			r = verdict(ev, x, chain, rule, pos, depth);
		if (r == RULE_END)
			return C_FALL;
		if (r >= 0)
			return r;
	}
	return C_FALL;
}

static int run_chain(struct nft_eval *ev, const char *chain, int depth)
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

/* One base chain into ret (already set up); C_DROP, C_SNAT, or C_FALL for "accepted". */
static int run_base(const json_t *rs, const char *family, const char *table, const json_t *base,
		    const struct nft_pkt *p, bool nat, struct nft_result *ret)
{
	struct nft_eval ev = { .rs = rs, .p = p, .res = ret, .family = family, .table = table, .nat = nat };
	const char *name = jstr(base, "name") ?: "";
	int r = run_chain(&ev, name, 0);
	if (r == C_DROP || r == C_SNAT)
		return r;
	if (r == C_FALL && !nat && streq(jstr(base, "policy") ?: "accept", "drop")) {
		decide(&ev, name, NULL, 0);
		return C_DROP;
	}
	return C_FALL;
}

static void result_init(struct nft_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->handle = -1;
}

void nft_eval_base(const json_t *rs, const char *family, const char *table, const json_t *base,
		   const struct nft_pkt *p, bool nat, struct nft_result *ret)
{
	result_init(ret);
	int r = run_base(rs, family, table, base, p, nat, ret);
	ret->verdict = r == C_DROP ? NFTV_DROP : r == C_SNAT ? (ret->dnat ? NFTV_DNAT : NFTV_SNAT) : NFTV_ACCEPT;
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

void nft_eval_hook(const json_t *ruleset, const char *ctype, const char *hook, const char *const *families,
		   const struct nft_pkt *p, struct nft_result *ret)
{
	result_init(ret);
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
		int r = run_base(rs, jstr(c, "family"), jstr0(c, "table"), c, p, nat, ret);
		if (r == C_DROP || r == C_SNAT) {
			ret->verdict = r == C_DROP ? NFTV_DROP : ret->dnat ? NFTV_DNAT : NFTV_SNAT;
			return;
		}
	}
	ret->verdict = n ? NFTV_ACCEPT : NFTV_NONE;
}

void nft_result_where(const struct nft_result *r, char *buf, size_t len)
{
	if (r->handle < 0)
		snprintf(buf, len, "the policy drop of chain %s in table %s %s", r->chain, r->family, r->table);
	else
		snprintf(buf, len, "rule handle %ld in chain %s of table %s %s", r->handle, r->chain, r->family,
			 r->table);
}
