/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lab topology files (docs/lab-format.md): the entry points, the top level and the
 * lab's name. Networks, nodes, links and the lab-wide checks live in nets.c,
 * node.c, link.c and validate.c.
 *
 * The parse is done in passes in a fixed order (networks, nodes, links, default
 * interface names, routes, lab-wide checks) whatever order the file is written
 * in, so a node can name a network written below it, and a route can name an
 * interface that only gets its default name once the links are known. The first
 * error stops the parse; nothing is half-returned.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include "fw/fw.h"
#include "state/state.h"
#include "topology/topology.h"
#include "base/base.h"

static const char *const top_keys[] = { "name", "networks", "nodes", "links", NULL };

/* Without a 'name:', the file's name without directory and .yaml/.yml. */
static int parse_name(struct tp *c, const yaml_node_t *root)
{
	struct nsnet_error inner = { 0 };
	struct tp_kv kv = tp_get(c, root, "name");
	int r;
	if (kv.v) {
		if ((r = tp_strdup(c, &kv, "name", &c->t->name)) < 0)
			return r;
		if (net_name_check(c->t->name, &inner) < 0)
			return tp_err(c, tp_kv_pos(&kv), "lab name: %s", inner.msg);
		return 0;
	}
	const char *base = strrchr(c->file, '/');
	base = base ? base + 1 : c->file;
	size_t len = strlen(base);
	if (len > 5 && streq(base + len - 5, ".yaml"))
		len -= 5;
	else if (len > 4 && streq(base + len - 4, ".yml"))
		len -= 4;
	if (!(c->t->name = strndup(base, len)))
		return tp_nomem(c);
	if (net_name_check(c->t->name, &inner) < 0)
		return tp_err(c, (struct topo_pos){ 0 }, "the lab's name comes from the file name and is not valid (%s); "
			      "add a 'name:' line", inner.msg);
	return 0;
}

static int parse_doc(struct tp *c)
{
	const yaml_node_t *root = yaml_document_get_root_node(&c->doc);
	int r = tp_map(c, root, "the lab file", top_keys);
	if (r < 0 || (r = parse_name(c, root)) < 0 || (r = tp_parse_networks(c, root)) < 0 ||
	    (r = tp_parse_nodes(c, root)) < 0 || (r = tp_index_nodes(c)) < 0 || (r = tp_parse_links(c, root)) < 0 || (r = tp_assign_ifnames(c)) < 0 ||
	    (r = tp_parse_routes(c)) < 0)
		return r;
	return tp_validate_lab(c);
}

int topo_parse_string(const char *text, size_t len, const char *filename, struct topology **ret,
		      struct nsnet_error *e)
{
	struct tp c = { .file = filename && *filename ? filename : "<string>", .e = e };
	struct topology *t = calloc(1, sizeof(*t));
	if (!t || !(t->file = strdup(c.file))) {
		free(t);
		return nsnet_err(e, ENOMEM, "%s", c.file);
	}
	c.t = t;
	int r = tp_nul_check(&c, text, text ? len : 0);
	if (r == 0)
		r = tp_load(&c, text ? text : "", text ? len : 0);
	if (r == 0)
		r = parse_doc(&c);
	tp_done(&c);
	if (r < 0) {
		topo_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int topo_read_file(const char *path, char **ret, size_t *ret_len, struct nsnet_error *e)
{
	return read_file_bounded(path, TOPO_FILE_MAX, ret, ret_len, e);
}

int topo_parse_file(const char *path, struct topology **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = topo_read_file(path, &buf, &len, e);
	if (r < 0)
		return r;
	return topo_parse_string(buf, len, path, ret, e);
}

/* ---- the model --------------------------------------------------------------- */

static void node_free(struct topo_node *n)
{
	free(n->name);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		free(n->ifaces[i].network);
		free(n->ifaces[i].ifname);
	}
	free(n->ifaces);
	for (size_t i = 0; i < n->n_routes; i++)
		free(n->routes[i].dev);
	free(n->routes);
	for (size_t i = 0; i < n->n_sysctls; i++) {
		free(n->sysctls[i].key);
		free(n->sysctls[i].value);
	}
	free(n->sysctls);
	for (size_t i = 0; i < n->n_publish; i++)
		free(n->publish[i].host_ip);
	free(n->publish);
	for (size_t h = 0; h < 3; h++) {
		for (size_t i = 0; i < n->n_fw_rules[h]; i++)
			free(n->fw_rules[h][i]);
		free(n->fw_rules[h]);
	}
	json_decref(n->files);
	json_decref(n->services);
}

void topo_free(struct topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nets; i++) {
		free(t->nets[i].name);
		free(t->nets[i].bridge);
		for (size_t j = 0; j < t->nets[i].n_allow; j++)
			free(t->nets[i].allow[j]);
		free(t->nets[i].allow);
	}
	free(t->nets);
	for (size_t i = 0; i < t->n_nodes; i++)
		node_free(&t->nodes[i]);
	free(t->nodes);
	for (size_t i = 0; i < t->n_links; i++)
		for (int j = 0; j < 2; j++) {
			free(t->links[i].node[j]);
			free(t->links[i].ifname[j]);
		}
	free(t->links);
	free(t->name);
	free(t->file);
	free(t);
}

const struct topo_node *topo_find_node(const struct topology *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->n_nodes; i++)
		if (t->nodes[i].name && streq(t->nodes[i].name, name))
			return &t->nodes[i];
	return NULL;
}
