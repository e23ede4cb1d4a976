/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A node's own firewall (the lab file's `firewall:`): nftables rules per hook,
 * applied inside the node's namespace as one table, inet nsnet_node, replaced whole
 * in one transaction whenever the file changes it (so there is never a moment with
 * half the rules). The rules are checked by libnftables before `up` changes
 * anything.
 */
#include "lab/lab.h"
#include "netns/netns.h"
#include "nft/nft.h"
#include "base/base.h"

#define NODE_TABLE "inet nsnet_node"

/* The commands that build the table from spec's "firewall" (NULL: no table). */
static char *table_cmds(json_t *fw)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "add table %s\n", NODE_TABLE);
	const char *hook;
	json_t *rules;
	json_object_foreach(fw, hook, rules) {
		fprintf(f, "add chain %s %s { type filter hook %s priority 0; policy accept; }\n", NODE_TABLE, hook, hook);
		size_t i;
		json_t *r;
		json_array_foreach(rules, i, r) fprintf(f, "add rule %s %s %s\n", NODE_TABLE, hook, json_string_value(r));
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

json_t *lab_node_fw_spec(const struct topo_node *n)
{
	json_t *fw = json_object();
	for (size_t h = 0; h < 3; h++) {
		if (!n->n_fw_rules[h])
			continue;
		json_t *rules = json_array();
		for (size_t i = 0; i < n->n_fw_rules[h]; i++)
			json_array_append_new(rules, json_string(n->fw_rules[h][i]));
		json_object_set_new(fw, topo_fw_hooks[h], rules);
	}
	if (json_object_size(fw) == 0) {
		json_decref(fw);
		return NULL;
	}
	return fw;
}

/* Each rule on its own, so that an error names the rule. */
int lab_node_fw_check(const struct topology *t, struct nsnet_error *e)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		for (size_t h = 0; h < 3; h++) {
			for (size_t k = 0; k < n->n_fw_rules[h]; k++) {
				_cleanup_free_ char *cmds = NULL;
				const char *hook = topo_fw_hooks[h];
				if (asprintf(&cmds, "add table %s\nadd chain %s %s { type filter hook %s priority 0; }\nadd rule %s %s %s\n",
					     NODE_TABLE, NODE_TABLE, hook, hook, NODE_TABLE, hook, n->fw_rules[h][k]) < 0)
					return nsnet_err(e, ENOMEM, "node '%s': firewall", n->name);
				struct nsnet_error ne = { 0 };
				/* nft quotes the batch's first line, not the rule: the rule is said here. */
				if (nft_check(cmds, &ne) < 0 && strstr(ne.msg, " (in: "))
					*strstr(ne.msg, " (in: ") = 0;
				if (ne.code)
					return nsnet_errx(e, EINVAL, "%s: node '%s': firewall %s rule '%s': %s", t->file, n->name, hook,
							  n->fw_rules[h][k], ne.msg);
			}
		}
	}
	return 0;
}

struct fw_op {
	const char *cmds;
	bool present;
	struct nsnet_error *e;
};

static int apply_in(void *arg)
{
	struct fw_op *op = arg;
	return nft_run(op->cmds, op->e);
}

static int present_in(void *arg)
{
	struct fw_op *op = arg;
	_cleanup_free_ char *out = NULL;
	op->present = nft_list_text("list table " NODE_TABLE, 0, &out, NULL) == 0;
	return 0;
}

static int in_node(const char *node, int (*fn)(void *), struct fw_op *op, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(node, &fd, e);
	if (r < 0)
		return r;
	return ns_run_in(fd, fn, op);
}

int lab_node_fw_apply(const char *node, json_t *fw, struct nsnet_error *e)
{
	/* "add" first so that "delete" always has a table to delete: one batch either way. */
	_cleanup_free_ char *build = fw ? table_cmds(fw) : NULL, *all = NULL;
	if (fw && !build)
		return nsnet_err(e, ENOMEM, "node '%s': firewall", node);
	if (asprintf(&all, "add table %s\ndelete table %s\n%s", NODE_TABLE, NODE_TABLE, build ? build : "") < 0)
		return nsnet_err(e, ENOMEM, "node '%s': firewall", node);
	struct fw_op op = { .cmds = all, .e = e };
	int r = in_node(node, apply_in, &op, e);
	return r < 0 ? nsnet_err_wrap(e, "node '%s': firewall", node) : 0;
}

bool lab_node_fw_present(const char *node)
{
	struct fw_op op = { 0 };
	return in_node(node, present_in, &op, NULL) == 0 && op.present;
}

void lab_node_fw_explain(json_t *cmds, const char *node, json_t *fw)
{
	_cleanup_free_ char *text = table_cmds(fw);
	struct lab_quoter qt = { .i = 0 };
	const char *n = lab_q(&qt, node);
	for (char *save, *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		qt.i = 1;
		lab_cmd(cmds, "ip netns exec %s nft %s", n, lab_q(&qt, l));
	}
}
