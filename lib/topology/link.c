/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Point-to-point links of a lab file ("endpoints: [red:veth-red, host:pair-host]")
 * and the default interface names (eth0, eth1...) of interfaces on networks,
 * which can only be given once every explicit name, links' included, is known.
 */
#include <sys/socket.h>
#include "topology/topology.h"
#include "base/base.h"

static const char *const link_keys[] = { "endpoints", "ips", "mtu", "impair", NULL };

static void bridge_name(const struct topo_net *n, char buf[16])
{
	if (n->bridge)
		snprintf(buf, 16, "%s", n->bridge);
	else
		nsnet_net_default_bridge(n->name, buf);
}

/* ---- indexes ------------------------------------------------------------------ */

static int cmp_node_name(const void *a, const void *b, void *arg)
{
	const struct topo_node *nodes = arg;
	return strcmp(nodes[*(const size_t *)a].name, nodes[*(const size_t *)b].name);
}

int tp_index_nodes(struct tp *c)
{
	size_t n = c->t->n_nodes;
	c->node_order = calloc(n ? n : 1, sizeof(*c->node_order));
	c->ends = calloc(n + 1, sizeof(*c->ends));
	if (!c->node_order || !c->ends)
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++)
		c->node_order[i] = i;
	qsort_r(c->node_order, n, sizeof(*c->node_order), cmp_node_name, c->t->nodes);
	return 0;
}

ssize_t tp_node_index(const struct tp *c, const char *name)
{
	if (streq(name, NSNET_HOST))
		return (ssize_t)c->t->n_nodes;
	size_t lo = 0, hi = c->t->n_nodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = c->node_order[mid];
		int r = strcmp(name, c->t->nodes[i].name);
		if (r == 0)
			return (ssize_t)i;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int add_end(struct tp *c, size_t idx, size_t link, int j)
{
	struct tp_ends *e = &c->ends[idx];
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		size_t *v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return tp_nomem(c);
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = link * 2 + (size_t)j;
	return 0;
}

bool tp_node_has_ifname(const struct tp *c, size_t idx, const char *ifname)
{
	const struct topo_node *n = idx < c->t->n_nodes ? &c->t->nodes[idx] : NULL;
	for (size_t i = 0; n && i < n->n_ifaces; i++)
		if (n->ifaces[i].ifname && streq(n->ifaces[i].ifname, ifname))
			return true;
	const struct tp_ends *e = &c->ends[idx];
	for (size_t i = 0; i < e->n; i++)
		if (streq(c->t->links[e->v[i] / 2].ifname[e->v[i] % 2], ifname))
			return true;
	return false;
}

/* ---- links ------------------------------------------------------------------- */

/* Refuse an ifname already used in the namespace of node idx by an interface on a
 * network, a bridge (for the host) or an earlier link. */
static int ifname_free(struct tp *c, const yaml_node_t *item, size_t idx, const char *ifname)
{
	const struct topo_node *n = idx < c->t->n_nodes ? &c->t->nodes[idx] : NULL;
	char who[300];
	snprintf(who, sizeof(who), n ? "node '%s'" : "the host", n ? n->name : "");
	for (size_t i = 0; n && i < n->n_ifaces; i++)
		if (n->ifaces[i].ifname && streq(n->ifaces[i].ifname, ifname))
			return tp_err(c, tp_pos(item), "%s already has an interface '%s' (line %d)", who, ifname,
				      n->ifaces[i].pos.line);
	for (size_t i = 0; !n && i < c->t->n_nets; i++) {
		char br[16];
		bridge_name(&c->t->nets[i], br);
		if (streq(br, ifname))
			return tp_err(c, tp_pos(item), "host interface '%s' is the bridge of network '%s' (line %d)", ifname,
				      c->t->nets[i].name, c->t->nets[i].pos.line);
	}
	const struct tp_ends *e = &c->ends[idx];
	for (size_t i = 0; i < e->n; i++) {
		const struct topo_link *l = &c->t->links[e->v[i] / 2];
		if (streq(l->ifname[e->v[i] % 2], ifname))
			return tp_err(c, tp_pos(item), "%s already has an interface '%s' (link at line %d)", who, ifname,
				      l->pos.line);
	}
	return 0;
}

static int unknown_node(struct tp *c, struct topo_pos pos, const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		unsigned d = tp_distance(name, c->t->nodes[i].name);
		if (d < best_d) {
			best_d = d;
			best = c->t->nodes[i].name;
		}
	}
	if (best)
		return tp_err(c, pos, "unknown node '%s' in link endpoint; did you mean '%s'?", name, best);
	return tp_err(c, pos, "unknown node '%s' in link endpoint (nodes are declared under 'nodes:'; 'host' is the host)",
		      name);
}

/* "node:ifname", split at the last ':' (interface names can't hold one, namespace
 * names can); "node" alone gets the default veth name, as `nsnet connect` gives. */
static int parse_endpoint(struct tp *c, const yaml_node_t *item, struct topo_link *l, int j, size_t *ret_idx)
{
	const char *s = (const char *)item->data.scalar.value;
	const char *colon = strrchr(s, ':');
	size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
	if (nlen == 0)
		return tp_err(c, tp_pos(item), "link endpoint '%s': the node is missing (write NODE:IFNAME)", s);
	if (colon && !colon[1])
		return tp_err(c, tp_pos(item), "link endpoint '%s': the interface name is missing after ':'", s);
	if (!(l->node[j] = strndup(s, nlen)) || (colon && !(l->ifname[j] = strdup(colon + 1))))
		return tp_nomem(c);
	ssize_t idx = tp_node_index(c, l->node[j]);
	if (idx < 0)
		return unknown_node(c, tp_pos(item), l->node[j]);
	*ret_idx = (size_t)idx;
	struct nsnet_error inner = { 0 };
	if (l->ifname[j] && nsnet_ifname_check(l->ifname[j], &inner) < 0)
		return tp_err(c, tp_pos(item), "link endpoint '%s': %s", s, inner.msg);
	if (l->ifname[j] && streq(l->ifname[j], "lo"))
		return tp_err(c, tp_pos(item), "link endpoint '%s': 'lo' is the loopback", s);
	return 0;
}

static int parse_endpoints(struct tp *c, const yaml_node_t *map, struct topo_link *l, size_t idx)
{
	struct tp_kv kv = tp_get(c, map, "endpoints");
	if (!kv.v)
		return tp_err(c, l->pos, "a link needs 'endpoints: [NODE:IFNAME, NODE:IFNAME]'");
	yaml_node_t *items[2];
	size_t n;
	int r = tp_one_or_list(c, &kv, "endpoints", 2, items, &n);
	if (r < 0)
		return r;
	if (n != 2)
		return tp_err(c, tp_kv_pos(&kv), "endpoints: a link has exactly two ends, [NODE:IFNAME, NODE:IFNAME]");
	size_t node[2];
	for (int j = 0; j < 2; j++)
		if ((r = parse_endpoint(c, items[j], l, j, &node[j])) < 0)
			return r;
	if (streq(l->node[0], l->node[1]))
		return tp_err(c, tp_pos(items[1]), "both ends of the link are on '%s'; a link joins two different nodes",
			      l->node[0]);
	for (int j = 0; j < 2; j++) {
		char def[16];
		if (!l->ifname[j]) {
			nsnet_veth_default_name(l->node[1 - j], def);
			if (!(l->ifname[j] = strdup(def)))
				return tp_nomem(c);
		}
		if ((r = ifname_free(c, items[j], node[j], l->ifname[j])) < 0)
			return r;
	}
	for (int j = 0; j < 2; j++)
		if ((r = add_end(c, node[j], idx, j)) < 0)
			return r;
	return 0;
}

static int check_link_ip(struct tp *c, const yaml_node_t *item, const struct topo_link *l, int j)
{
	const struct nsnet_prefix *a = &l->ip[j];
	uint64_t first, last, idx = nsnet_prefix_index(a, a);
	nsnet_prefix_host_range(a, &first, &last);
	if (idx < first || idx > last)
		return tp_err(c, tp_pos(item), "%s is the %s address of its subnet", (const char *)item->data.scalar.value,
			      idx < first ? "network" : "broadcast");
	return tp_add_addr(c, a, tp_pos(item), "link end %.40s:%s", l->node[j], l->ifname[j]);
}

static int parse_ips(struct tp *c, const yaml_node_t *map, struct topo_link *l)
{
	struct tp_kv kv = tp_get(c, map, "ips");
	if (!kv.v)
		return 0;
	yaml_node_t *items[2];
	size_t n;
	int r = tp_one_or_list(c, &kv, "ips", 2, items, &n);
	if (r < 0)
		return r;
	if (n != 2)
		return tp_err(c, tp_kv_pos(&kv), "ips: one address per end, [CIDR, CIDR]");
	struct nsnet_error inner = { 0 };
	for (int j = 0; j < 2; j++)
		if (nsnet_prefix_parse((const char *)items[j]->data.scalar.value, true, &l->ip[j], &inner) < 0)
			return tp_err(c, tp_pos(items[j]), "ips: %s", inner.msg);
	if (l->ip[0].family != l->ip[1].family)
		return tp_err(c, tp_pos(items[1]), "ips: the two ends' addresses are of different families");
	if (nsnet_addr_equal(&l->ip[0], &l->ip[1]))
		return tp_err(c, tp_pos(items[1]), "ips: both ends have the same address");
	struct nsnet_prefix n0, n1;
	nsnet_prefix_network(&l->ip[0], &n0);
	nsnet_prefix_network(&l->ip[1], &n1);
	if (l->ip[0].len != l->ip[1].len || !nsnet_addr_equal(&n0, &n1))
		return tp_err(c, tp_pos(items[1]), "ips: %s and %s are not in one subnet, so the ends could not reach each other",
			      (const char *)items[0]->data.scalar.value, (const char *)items[1]->data.scalar.value);
	for (int j = 0; j < 2; j++)
		if ((r = check_link_ip(c, items[j], l, j)) < 0)
			return r;
	return 0;
}

/* impair: [{what the first end sends}, {what the second end sends}] */
static int parse_link_impair(struct tp *c, const yaml_node_t *map, struct topo_link *l)
{
	struct tp_kv kv = tp_get(c, map, "impair");
	if (!kv.v)
		return 0;
	if (kv.v->type != YAML_SEQUENCE_NODE || tp_seq_len(kv.v) != 2)
		return tp_err(c, tp_kv_pos(&kv),
			      "impair: one map per end, in the order of endpoints: [{rate: 10mbit}, {loss: 1%%}] ({} for none)");
	for (int j = 0; j < 2; j++) {
		int r = tp_parse_impair(c, tp_seq_at(c, kv.v, (size_t)j), &l->impair[j]);
		if (r < 0)
			return r;
	}
	return 0;
}

int tp_parse_links(struct tp *c, const yaml_node_t *root)
{
	struct tp_kv kv = tp_get(c, root, "links");
	int r = tp_seq(c, &kv, "links");
	if (r < 0)
		return r;
	size_t n = tp_seq_len(kv.v);
	if (!(c->t->links = calloc(n ? n : 1, sizeof(*c->t->links))))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = tp_seq_at(c, kv.v, i);
		struct topo_link *l = &c->t->links[c->t->n_links++];
		l->pos = tp_pos(item);
		if ((r = tp_map(c, item, "a link", link_keys)) < 0 || (r = parse_endpoints(c, item, l, i)) < 0 ||
		    (r = parse_ips(c, item, l)) < 0 || (r = parse_link_impair(c, item, l)) < 0)
			return r;
		struct tp_kv m = tp_get(c, item, "mtu");
		unsigned min = l->ip[0].family == AF_INET6 ? 1280 : 68;
		if (m.v && (r = tp_uint(c, &m, "mtu", min, 65535, &l->mtu)) < 0)
			return r;
	}
	return 0;
}

/* eth0, eth1... in the order of the interfaces list, skipping names the node
 * already uses (explicit ifnames, link ends), so the engine gets final names. */
int tp_assign_ifnames(struct tp *c)
{
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		struct topo_node *node = &c->t->nodes[i];
		unsigned k = 0;
		for (size_t j = 0; j < node->n_ifaces; j++) {
			if (node->ifaces[j].ifname)
				continue;
			char name[16];
			do
				snprintf(name, sizeof(name), "eth%u", k++);
			while (tp_node_has_ifname(c, i, name));
			if (!(node->ifaces[j].ifname = tp_xstrdup(c, name)))
				return -ENOMEM;
		}
	}
	return 0;
}
