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
#include "doctor/doctor.h"
#include "base/base.h"

#define MAX_DEPTH 16

/* How a chain ended. */
enum { C_FALL, C_ACCEPT, C_DROP, C_RETURN, C_SNAT };

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
			int k = nft_match(ev, m);
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
			struct val v = nft_left_value(ev, json_object_get(vmap, "key"));
			if (v.k == V_NONE)
				return C_FALL;
			if (v.k == V_UNKNOWN) {
				note_unsure(ev, "vmap key");
				return C_FALL;
			}
			const json_t *data = json_object_get(vmap, "data"), *pairs = json_object_get(data, "set");
			if (json_is_string(data) && json_string_value(data)[0] == '@') {
				const json_t *map = nft_find_item(ev->rs, "map", ev->family, ev->table, json_string_value(data) + 1);
				pairs = json_object_get(map, "elem");
			}
			size_t k;
			const json_t *pair;
			json_array_foreach(pairs, k, pair) {
				if (nft_elem_matches(ev, &v, json_array_get(pair, 0), 0) == M_YES) {
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
