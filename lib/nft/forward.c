/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run an imagined packet through someone else's nftables chains (their JSON
 * listing) to see whether they would drop it. Only what can be known without the
 * packet itself is understood: interface names, ct state, ct status dnat, the
 * protocol family, verdicts, jumps and gotos. A rule with anything else in it
 * "maybe" matches; a drop is reported as certain only when no rule before it could
 * have let the packet go.
 */
#include "nft/nft.h"
#include "base/base.h"

enum tri { T_FALSE, T_TRUE, T_UNKNOWN };

static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == T_FALSE || b == T_FALSE)
		return T_FALSE;
	return a == T_UNKNOWN || b == T_UNKNOWN ? T_UNKNOWN : T_TRUE;
}

static enum tri tri_not(enum tri a)
{
	return a == T_UNKNOWN ? T_UNKNOWN : a == T_TRUE ? T_FALSE : T_TRUE;
}

/* Does the name match one pattern ("eth0", or "eth*" as iptables' "eth+")? */
static bool name_match(const char *pat, const char *name)
{
	size_t l = strlen(pat);
	if (l && pat[l - 1] == '*')
		return strncmp(pat, name, l - 1) == 0;
	return streq(pat, name);
}

/* The right side as a list of strings: "x", ["x","y"] or {"set": [...]}. NULL for
 * anything else (a named set "@s", a range, a map). */
static json_t *right_list(json_t *right)
{
	if (json_is_string(right)) {
		if (json_string_value(right)[0] == '@')
			return NULL;
		return json_pack("[O]", right);
	}
	json_t *arr = json_is_object(right) ? json_object_get(right, "set") : right;
	if (!json_is_array(arr))
		return NULL;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return NULL;
	}
	return json_incref(arr);
}

/* name NULL: the packet's interface is one of p->others, not known which. */
static enum tri match_names(json_t *right, const char *name, const struct nft_pkt *p)
{
	json_t *l = right_list(right);
	if (!l)
		return T_UNKNOWN;
	enum tri t = T_FALSE;
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v) {
		const char *pat = json_string_value(v);
		if (name && name_match(pat, name))
			t = T_TRUE;
		for (size_t k = 0; !name && t == T_FALSE && k < p->n_others; k++)
			if (name_match(pat, p->others[k]))
				t = T_UNKNOWN;
	}
	json_decref(l);
	return t;
}

/* Flags (ct state, ct status): true when any of the listed flags is the packet's. */
static enum tri match_flags(json_t *right, const char *const *have, const char *const *known)
{
	json_t *l = right_list(right);
	if (!l)
		return T_UNKNOWN;
	enum tri t = T_FALSE;
	size_t i;
	json_t *v;
	json_array_foreach(l, i, v) {
		const char *s = json_string_value(v);
		bool is_known = false;
		for (const char *const *k = known; *k; k++)
			is_known |= streq(*k, s);
		if (!is_known) {
			t = T_UNKNOWN;
			break;
		}
		for (const char *const *h = have; *h; h++)
			if (streq(*h, s))
				t = T_TRUE;
	}
	json_decref(l);
	return t;
}

static enum tri eval_match(json_t *m, const struct nft_pkt *p)
{
	const char *op = json_string_value(json_object_get(m, "op"));
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right");
	bool neg;
	if (!op)
		return T_UNKNOWN;
	if (streq(op, "==") || streq(op, "in"))
		neg = false;
	else if (streq(op, "!="))
		neg = true;
	else
		return T_UNKNOWN;
	enum tri t = T_UNKNOWN;
	const char *meta = json_string_value(json_object_get(json_object_get(left, "meta"), "key"));
	const char *ct = json_string_value(json_object_get(json_object_get(left, "ct"), "key"));
	if (meta && streq(meta, "iifname")) {
		t = match_names(right, p->iif, p);
	} else if (meta && streq(meta, "oifname")) {
		t = match_names(right, p->oif, p);
	} else if (meta && streq(meta, "nfproto")) {
		const char *have[] = { p->family == AF_INET ? "ipv4" : "ipv6", NULL };
		const char *known[] = { "ipv4", "ipv6", NULL };
		t = match_flags(right, have, known);
	} else if (ct && streq(ct, "state")) {
		const char *have[] = { p->established ? "established" : "new", NULL };
		const char *known[] = { "new", "established", "related", "invalid", "untracked", NULL };
		t = match_flags(right, have, known);
	} else if (ct && streq(ct, "status")) {
		const char *have[] = { p->dnat ? "dnat" : "", NULL };
		const char *known[] = { "dnat", NULL };
		t = match_flags(right, have, known);
	}
	return neg ? tri_not(t) : t;
}

enum verdict { V_NONE, V_ACCEPT, V_DROP, V_RETURN, V_JUMP, V_GOTO, V_UNKNOWN };

/* Statements that neither match nor decide. */
static bool is_neutral(const char *k)
{
	static const char *const neutral[] = { "counter", "log", "mangle", "notrack", "set", NULL };
	for (const char *const *n = neutral; *n; n++)
		if (streq(*n, k))
			return true;
	return false;
}

static enum tri eval_rule(json_t *exprs, const struct nft_pkt *p, enum verdict *ret_v, const char **ret_target)
{
	enum tri cond = T_TRUE;
	enum verdict v = V_NONE;
	size_t i;
	json_t *x;
	*ret_target = NULL;
	json_array_foreach(exprs, i, x) {
		void *it = json_object_iter(x);
		const char *k = it ? json_object_iter_key(it) : "";
		json_t *val = it ? json_object_iter_value(it) : NULL;
		if (streq(k, "match"))
			cond = tri_and(cond, eval_match(val, p));
		else if (streq(k, "accept"))
			v = V_ACCEPT;
		else if (streq(k, "drop") || streq(k, "reject"))
			v = V_DROP;
		else if (streq(k, "return"))
			v = V_RETURN;
		else if (streq(k, "jump") || streq(k, "goto")) {
			v = streq(k, "jump") ? V_JUMP : V_GOTO;
			*ret_target = json_string_value(json_object_get(val, "target"));
		} else if (streq(k, "continue"))
			v = V_NONE;
		else if (streq(k, "xt")) {
			const char *type = json_string_value(json_object_get(val, "type"));
			const char *name = json_string_value(json_object_get(val, "name"));
			if (type && streq(type, "target"))
				v = name && (streq(name, "REJECT") || streq(name, "DROP")) ? V_DROP : V_UNKNOWN;
			else
				cond = tri_and(cond, T_UNKNOWN);
		} else if (!is_neutral(k)) {
			/* queue, vmap, limit, a payload match... */
			if (streq(k, "queue") || streq(k, "vmap"))
				v = V_UNKNOWN;
			else
				cond = tri_and(cond, T_UNKNOWN);
		}
	}
	*ret_v = v;
	return cond;
}

static void describe_rule(json_t *rule, const char *family, const char *table, const char *chain, char *where,
			  size_t len)
{
	snprintf(where, len, "rule handle %lld in chain %s of table %s %s",
		 json_integer_value(json_object_get(rule, "handle")), chain, family, table);
}

/* Walk one chain. *uncertain is set once a rule that might have taken the packet
 * elsewhere (accept, jump, an unknown verdict) has been passed on a "maybe". */
static enum nft_verdict walk(const struct nft_table *t, const char *chain, const struct nft_pkt *p, int depth,
			    bool *uncertain, char *where, size_t len)
{
	json_t *rules = json_object_get(t->chains, chain);
	if (!rules || depth > 16) {
		*uncertain = true;
		return NFTV_NEXT;
	}
	size_t i;
	json_t *rule;
	json_array_foreach(rules, i, rule) {
		enum verdict v;
		const char *target;
		enum tri c = eval_rule(json_object_get(rule, "expr"), p, &v, &target);
		if (c == T_FALSE || v == V_NONE)
			continue;
		if (c == T_UNKNOWN || v == V_UNKNOWN) {
			if (v != V_DROP)
				*uncertain = true;
			continue;
		}
		switch (v) {
		case V_ACCEPT:
			return NFTV_ACCEPT;
		case V_DROP:
			describe_rule(rule, t->family, t->name, chain, where, len);
			return *uncertain ? NFTV_MAYBE : NFTV_DROP;
		case V_RETURN:
			return NFTV_NEXT;
		case V_JUMP:
		case V_GOTO: {
			enum nft_verdict r = target ? walk(t, target, p, depth + 1, uncertain, where, len) : NFTV_MAYBE;
			if (r != NFTV_NEXT || v == V_GOTO)
				return r;
			break;
		}
		default:
			break;
		}
	}
	return NFTV_NEXT;
}

enum nft_verdict nft_eval_base(const struct nft_table *t, json_t *base, const struct nft_pkt *p, char *where, size_t len)
{
	const char *name = json_string_value(json_object_get(base, "name"));
	const char *policy = json_string_value(json_object_get(base, "policy"));
	bool uncertain = false;
	enum nft_verdict v = walk(t, name, p, 0, &uncertain, where, len);
	if (v != NFTV_NEXT)
		return v;
	if (policy && streq(policy, "drop")) {
		snprintf(where, len, "the policy drop of chain %s in table %s %s", name, t->family, t->name);
		return uncertain ? NFTV_MAYBE : NFTV_DROP;
	}
	return NFTV_ACCEPT;
}

int nft_tables_load(struct nft_tables *ret, struct nsnet_error *e)
{
	json_t *all;
	*ret = (struct nft_tables){ 0 };
	/* `list chains` carries no rules and no set elements: cheap. Only tables with a
	 * filter chain on the forward hook are read in full, and never nsnet's own. */
	int r = nft_list_json("list chains", &all, e);
	if (r < 0)
		return r;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(all, "nftables"), i, o) {
		json_t *c = json_object_get(o, "chain");
		const char *fam = json_string_value(json_object_get(c, "family"));
		const char *tbl = json_string_value(json_object_get(c, "table"));
		const char *hook = json_string_value(json_object_get(c, "hook"));
		const char *type = json_string_value(json_object_get(c, "type"));
		if (!fam || !tbl || !hook || !streq(hook, "forward") || !type || !streq(type, "filter"))
			continue;
		if ((streq(fam, FW_FAMILY) && streq(tbl, FW_TABLE)) ||
		    !(streq(fam, "ip") || streq(fam, "ip6") || streq(fam, "inet")))
			continue;
		struct nft_table *t = NULL;
		for (size_t k = 0; k < ret->n && !t; k++)
			if (streq(ret->t[k].family, fam) && streq(ret->t[k].name, tbl))
				t = &ret->t[k];
		if (!t) {
			if (ret->n == NFT_TABLES_MAX)
				continue;
			t = &ret->t[ret->n++];
			snprintf(t->family, sizeof(t->family), "%s", fam);
			snprintf(t->name, sizeof(t->name), "%s", tbl);
			t->bases = json_array();
			t->chains = json_object();
		}
		json_array_append(t->bases, c);
	}
	json_decref(all);
	for (size_t k = 0; k < ret->n && r == 0; k++) {
		struct nft_table *t = &ret->t[k];
		char cmd[512];
		json_t *tj;
		snprintf(cmd, sizeof(cmd), "list table %s %s", t->family, t->name);
		if ((r = nft_list_json(cmd, &tj, e)) < 0)
			break;
		json_array_foreach(json_object_get(tj, "nftables"), i, o) {
			/* Every chain, empty ones too: a jump to one is a plain "continue". */
			const char *cname = json_string_value(json_object_get(json_object_get(o, "chain"), "name"));
			if (cname && !json_object_get(t->chains, cname))
				json_object_set_new(t->chains, cname, json_array());
			json_t *rule = json_object_get(o, "rule");
			const char *chain = json_string_value(json_object_get(rule, "chain"));
			if (!chain)
				continue;
			json_t *arr = json_object_get(t->chains, chain);
			if (!arr)
				json_object_set_new(t->chains, chain, arr = json_array());
			json_array_append(arr, rule);
		}
		json_decref(tj);
	}
	if (r < 0)
		nft_tables_free(ret);
	return r;
}

void nft_tables_free(struct nft_tables *t)
{
	for (size_t k = 0; k < t->n; k++) {
		json_decref(t->t[k].bases);
		json_decref(t->t[k].chains);
	}
	t->n = 0;
}
