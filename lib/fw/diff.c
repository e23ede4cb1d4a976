/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Does the kernel hold exactly the firewall nsnet's state describes? Element by
 * element, not by count (two wrongs of opposite sign must not cancel out): the
 * elements state wants are the ones fw_ruleset_full would write, the kernel's are
 * read from `list table inet nsnet` as JSON, and both are put in one text form,
 * "SET ELEMENT" with nft's own element syntax minus the quotes:
 *   bridges v-net-0 | pairs a . b | subnets4 10.0.0.0/24
 *   pubany4 tcp . 8080 : 10.0.0.2 . 80
 * A difference is repaired by rebuilding the table from state (fw_converge): an
 * element that no state backs (a killed command's, or a hand-made one) could
 * otherwise forward the host's traffic to a namespace that never asked for it.
 */
#include <limits.h>
#include "fw/fw.h"
#include "state/state.h"
#include "base/base.h"

/* "add element inet nsnet SET { E1, E2 }" lines of a full ruleset text. */
static int desired_from_text(const char *text, json_t *out)
{
	static const char pfx[] = "add element " FW_FAMILY " " FW_TABLE " ";
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > sizeof(pfx) - 1 && strncmp(line, pfx, sizeof(pfx) - 1) == 0) {
			_cleanup_free_ char *l = strndup(line + sizeof(pfx) - 1, len - (sizeof(pfx) - 1));
			if (!l)
				return -ENOMEM;
			char *set = l, *open = strstr(l, " { "), *close = strrchr(l, '}');
			if (!open || !close || close < open)
				return -EINVAL;
			*open = 0;
			*close = 0;
			/* Split at ", " outside quotes; drop the quotes (names never hold one). */
			char elem[1024];
			size_t k = 0;
			bool quoted = false;
			for (const char *p = open + 3;; p++) {
				if (*p == '"') {
					quoted = !quoted;
					continue;
				}
				if (!*p || (!quoted && p[0] == ',' && p[1] == ' ')) {
					while (k && elem[k - 1] == ' ')
						k--;
					elem[k] = 0;
					if (k) {
						char key[1300];
						snprintf(key, sizeof(key), "%s %s", set, elem);
						json_object_set_new(out, key, json_true());
					}
					k = 0;
					if (!*p)
						break;
					p++;
					continue;
				}
				if (k < sizeof(elem) - 1)
					elem[k++] = *p;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int fw_desired_elements(json_t **ret, bool *ret_table, struct nsnet_error *e)
{
	struct nft_cmds c;
	int r = nft_cmds_open(&c, e);
	if (r < 0)
		return r;
	if ((r = fw_ruleset_full(&c, e)) == 0)
		r = nft_cmds_finish(&c, e);
	if (r < 0) {
		nft_cmds_free(&c);
		return r;
	}
	json_t *out = json_object();
	/* The full text of an empty state only deletes the table. */
	*ret_table = strstr(c.buf, "table " FW_FAMILY " " FW_TABLE " {") != NULL;
	r = desired_from_text(c.buf, out);
	nft_cmds_free(&c);
	if (r < 0) {
		json_decref(out);
		return nsnet_err(e, r, "read the firewall nsnet's state wants");
	}
	*ret = out;
	return 0;
}

/* One value of nft's JSON as element text. */
static void render(FILE *f, json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_array(v)) {  /* a map element: [key, value] */
		render(f, json_array_get(v, 0));
		fputs(" : ", f);
		render(f, json_array_get(v, 1));
	} else if (json_object_get(v, "concat")) {
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(v, "concat"), i, x) {
			if (i)
				fputs(" . ", f);
			render(f, x);
		}
	} else if (json_object_get(v, "prefix")) {
		json_t *p = json_object_get(v, "prefix");
		render(f, json_object_get(p, "addr"));
		fprintf(f, "/%lld", (long long)json_integer_value(json_object_get(p, "len")));
	} else if (json_object_get(v, "range")) {
		json_t *rg = json_object_get(v, "range");
		render(f, json_array_get(rg, 0));
		fputc('-', f);
		render(f, json_array_get(rg, 1));
	} else if (json_object_get(v, "elem")) {  /* an element with options */
		render(f, json_object_get(json_object_get(v, "elem"), "val"));
	} else {
		char *s = json_dumps(v, JSON_COMPACT);
		fputs(s ? s : "?", f);
		free(s);
	}
}

int fw_kernel_elements(json_t **ret, bool *ret_table, struct nsnet_error *e)
{
	json_t *v;
	*ret_table = fw_table_exists();
	json_t *out = json_object();
	if (!*ret_table) {
		*ret = out;
		return 0;
	}
	int r = nft_list_json("list table " FW_FAMILY " " FW_TABLE, &v, e);
	if (r < 0) {
		json_decref(out);
		return r;
	}
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(v, "nftables"), i, o) {
		json_t *s = json_object_get(o, "set") ?: json_object_get(o, "map");
		if (!s)
			continue;
		const char *set = json_string_value(json_object_get(s, "name"));
		size_t j;
		json_t *el;
		json_array_foreach(json_object_get(s, "elem"), j, el) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			if (!f)
				continue;
			fprintf(f, "%s ", set ? set : "?");
			render(f, el);
			fclose(f);
			json_object_set_new(out, buf, json_true());
			free(buf);
		}
	}
	json_decref(v);
	*ret = out;
	return 0;
}

int fw_diff(json_t **ret, struct nsnet_error *e)
{
	json_t *want, *have;
	bool want_table, have_table;
	int r = fw_desired_elements(&want, &want_table, e);
	if (r < 0)
		return r;
	if ((r = fw_kernel_elements(&have, &have_table, e)) < 0) {
		json_decref(want);
		return r;
	}
	json_t *missing = json_array(), *extra = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(want, k, v) {
		if (!json_object_get(have, k))
			json_array_append_new(missing, json_string(k));
	}
	json_object_foreach(have, k, v) {
		if (!json_object_get(want, k))
			json_array_append_new(extra, json_string(k));
	}
	bool in_sync = want_table == have_table && json_array_size(missing) == 0 && json_array_size(extra) == 0;
	*ret = json_pack("{s:b, s:b, s:b, s:o, s:o}", "in_sync", in_sync, "table_wanted", want_table, "table_present",
			 have_table, "missing", missing, "extra", extra);
	json_decref(want);
	json_decref(have);
	return 0;
}

int fw_shape_ok(bool *ret_ok, struct nsnet_error *e)
{
	json_t *v;
	if (!fw_table_exists()) {
		*ret_ok = false;
		return 0;
	}
	int r = nft_list_json("list table " FW_FAMILY " " FW_TABLE, &v, e);
	if (r < 0)
		return r;
	json_t *have = json_object(), *want = fw_skeleton_shape();
	size_t i;
	json_t *o, *x;
	json_array_foreach(json_object_get(v, "nftables"), i, o) {
		if ((x = json_object_get(o, "chain")) && json_string_value(json_object_get(x, "name")) &&
		    !json_object_get(have, json_string_value(json_object_get(x, "name"))))
			json_object_set_new(have, json_string_value(json_object_get(x, "name")), json_integer(0));
		if ((x = json_object_get(o, "rule")) && json_string_value(json_object_get(x, "chain"))) {
			const char *ch = json_string_value(json_object_get(x, "chain"));
			json_object_set_new(have, ch, json_integer(json_integer_value(json_object_get(have, ch)) + 1));
		}
	}
	*ret_ok = json_equal(have, want);
	json_decref(have);
	json_decref(want);
	json_decref(v);
	return 0;
}

int fw_converge(bool *ret_rebuilt, struct nsnet_error *e)
{
	json_t *d;
	int r = fw_diff(&d, e);
	if (r < 0)
		return r;
	bool in_sync = json_is_true(json_object_get(d, "in_sync"));
	json_decref(d);
	if (ret_rebuilt)
		*ret_rebuilt = !in_sync;
	if (in_sync)
		return 0;
	struct nft_cmds c;
	if ((r = nft_cmds_open(&c, e)) < 0)
		return r;
	if ((r = fw_ruleset_full(&c, e)) == 0 && (r = nft_cmds_finish(&c, e)) == 0)
		r = nft_run(c.buf, e);
	nft_cmds_free(&c);
	return r < 0 ? nsnet_err_wrap(e, "rebuild nsnet's firewall table from state") : 0;
}
