/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Committing a change to nsnet's table: incrementally, or rebuilt from state when the
 * kernel's table no longer matches what the change expects. */
#include "fw/fw.h"
#include "base/base.h"

bool fw_table_exists(void)
{
	json_t *v;
	/* `list tables` reads no chains, rules or set elements: cheap at any size. */
	if (nft_list_json("list tables " FW_FAMILY, &v, NULL) < 0)
		return false;
	bool found = false;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(v, "nftables"), i, o) {
		const char *name = json_string_value(json_object_get(json_object_get(o, "table"), "name"));
		if (name && streq(name, FW_TABLE))
			found = true;
	}
	json_decref(v);
	return found;
}

int fw_commit(struct nft_cmds *c, struct nsnet_error *e)
{
	int r = nft_cmds_finish(c, e);
	if (r < 0 || c->n == 0)
		return r;
	struct nsnet_error first = { 0 };
	if (nft_run(c->buf, &first) == 0)
		return 0;
	/* The incremental change did not fit the table in the kernel: it was flushed,
	 * or edited by hand. State is the truth: rebuild all of it, atomically. */
	struct nft_cmds full;
	if ((r = nft_cmds_open(&full, e)) < 0)
		return r;
	if ((r = fw_ruleset_full(&full, e)) == 0 && (r = nft_cmds_finish(&full, e)) == 0)
		r = nft_run(full.buf, e);
	nft_cmds_free(&full);
	if (r < 0)
		nsnet_err_wrap(e, "%s; rebuilding the table from state also failed", first.msg);
	return r;
}
