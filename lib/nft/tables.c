/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Someone else's nftables tables that could drop forwarded traffic: those with a
 * filter chain on the forward hook, listed in full for the evaluator (eval.c).
 */
#include "nft/nft.h"
#include "base/base.h"

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
		t->rs = json_incref(json_object_get(tj, "nftables"));
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
		json_decref(t->t[k].rs);
	}
	t->n = 0;
}
