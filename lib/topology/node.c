/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Nodes of a lab file: each one a namespace with interfaces on the lab's
 * networks, forwarding, sysctls, published ports and routes. Routes are read in
 * a later pass (tp_parse_routes), once links and default interface names are
 * known, so "dev:" and "via:" can be checked against the node's real interfaces.
 */
#include <sys/socket.h>
#include "netns/netns.h"
#include "topology/topology.h"
#include "base/base.h"

static const char *const node_keys[] = { "interfaces", "routes", "forwarding", "gateway", "sysctls",
					 "publish",    "firewall", "files",      "services", NULL };
const char *const topo_fw_hooks[3] = { "input", "forward", "output" };
static const char *const iface_keys[] = { "network", "ip", "ifname", "impair", NULL };
static const char *const route_keys[] = { "to", "via", "dev", NULL };
static const char *const publish_keys[] = { "host_port", "port", "proto", "host_ip", NULL };

/* ---- interfaces -------------------------------------------------------------- */

static int iface_network(struct tp *c, struct topo_node *node, const yaml_node_t *item, struct topo_iface *f,
			 const struct topo_net **ret)
{
	/* "- v-net-0" is short for "- network: v-net-0". */
	struct tp_kv kv = item->type == YAML_SCALAR_NODE && !tp_is_null(item) ? (struct tp_kv){ .v = (yaml_node_t *)item }
									    : tp_get(c, item, "network");
	if (!kv.v)
		return tp_err(c, f->pos, "an interface needs 'network:' (one of the lab's networks)");
	int r = tp_strdup(c, &kv, "network", &f->network);
	if (r < 0)
		return r;
	const struct topo_net *net = topo_find_net(c->t, f->network);
	if (!net)
		return tp_unknown_network(c, tp_kv_pos(&kv), f->network);
	for (size_t i = 0; i + 1 < node->n_ifaces; i++)
		if (streq(node->ifaces[i].network, f->network))
			return tp_err(c, tp_kv_pos(&kv), "node '%s' is already on network '%s' (line %d); one interface per network",
				      node->name, f->network, node->ifaces[i].pos.line);
	*ret = net;
	return 0;
}

static int iface_ips(struct tp *c, const struct topo_node *node, const yaml_node_t *item, struct topo_iface *f,
		     const struct topo_net *net)
{
	struct tp_kv kv = tp_get(c, item, "ip");
	if (!kv.v)
		return 0;
	yaml_node_t *items[2];
	size_t cnt;
	int r = tp_one_or_list(c, &kv, "ip", 2, items, &cnt);
	for (size_t i = 0; r == 0 && i < cnt; i++) {
		size_t sub;
		if ((r = tp_subnet_addr(c, items[i], net, "ip", &f->ip[i], &sub)) < 0)
			return r;
		if (i == 1 && f->ip[0].family == f->ip[1].family)
			return tp_err(c, tp_pos(items[1]), "at most one IPv4 and one IPv6 address per interface");
		f->n_ip = i + 1;
		r = tp_add_addr(c, &f->ip[i], tp_pos(items[i]), "node '%.40s'", node->name);
	}
	return r;
}

static int iface_ifname(struct tp *c, struct topo_node *node, const yaml_node_t *item, struct topo_iface *f)
{
	struct tp_kv kv = tp_get(c, item, "ifname");
	if (!kv.v)
		return 0;
	int r = tp_strdup(c, &kv, "ifname", &f->ifname);
	if (r < 0)
		return r;
	struct nsnet_error inner = { 0 };
	if (nsnet_ifname_check(f->ifname, &inner) < 0)
		return tp_err_from(c, tp_kv_pos(&kv), &inner);
	if (streq(f->ifname, "lo"))
		return tp_err(c, tp_kv_pos(&kv), "interface name 'lo' is the namespace's loopback");
	for (size_t i = 0; i + 1 < node->n_ifaces; i++)
		if (node->ifaces[i].ifname && streq(node->ifaces[i].ifname, f->ifname))
			return tp_err(c, tp_kv_pos(&kv), "node '%s' already has an interface '%s' (line %d)", node->name,
				      f->ifname, node->ifaces[i].pos.line);
	return 0;
}

static int parse_ifaces(struct tp *c, struct topo_node *node, const yaml_node_t *map)
{
	struct tp_kv kv = tp_get(c, map, "interfaces");
	int r = tp_seq(c, &kv, "interfaces");
	if (r < 0)
		return r;
	size_t n = tp_seq_len(kv.v);
	if (!(node->ifaces = calloc(n ? n : 1, sizeof(*node->ifaces))))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = tp_seq_at(c, kv.v, i);
		struct topo_iface *f = &node->ifaces[node->n_ifaces++];
		const struct topo_net *net = NULL;
		f->pos = tp_pos(item);
		if (item->type != YAML_SCALAR_NODE && (r = tp_map(c, item, "an interface", iface_keys)) < 0)
			return r;
		if ((r = iface_network(c, node, item, f, &net)) < 0 || (r = iface_ips(c, node, item, f, net)) < 0 ||
		    (r = iface_ifname(c, node, item, f)) < 0)
			return r;
		struct tp_kv im = item->type == YAML_MAPPING_NODE ? tp_get(c, item, "impair") : (struct tp_kv){ 0 };
		if (im.v && (r = tp_parse_impair(c, im.v, &f->impair)) < 0)
			return r;
	}
	return 0;
}

/* ---- sysctls ----------------------------------------------------------------- */

static int parse_sysctls(struct tp *c, struct topo_node *node, const yaml_node_t *map)
{
	struct tp_kv kv = tp_get(c, map, "sysctls");
	char what[300];
	snprintf(what, sizeof(what), "the sysctls of node '%s'", node->name);
	int r = tp_map(c, kv.v, what, NULL);
	if (r < 0)
		return r;
	size_t n = tp_map_len(kv.v);
	if (!(node->sysctls = calloc(n ? n : 1, sizeof(*node->sysctls))))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct tp_kv e = tp_map_at(c, kv.v, i);
		struct topo_sysctl *s = &node->sysctls[node->n_sysctls++];
		s->pos = tp_pos(e.k);
		if (!(s->key = tp_xstrdup(c, (const char *)e.k->data.scalar.value)))
			return -ENOMEM;
		/* The rule lib/netns/sysctl.c applies when the key is written, checked here
		 * already so a bad key fails before anything is created: a key under
		 * net. only, written as under /proc/sys. Whether the kernel holds it per
		 * network namespace is asked before `up` changes anything (lab.c). */
		char path[SYSCTL_KEY_MAX + 1];
		struct nsnet_error ke = { 0 };
		if (sysctl_key_net_path(s->key, path, sizeof(path), &ke) < 0)
			return tp_err(c, s->pos, "node '%s': %s", node->name, ke.msg);
		if ((r = tp_strdup(c, &e, "a sysctl", &s->value)) < 0)
			return r;
		for (const unsigned char *p = (const unsigned char *)s->value; *p; p++)
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				return tp_err(c, s->pos, "the value of sysctl %s contains a control character", s->key);
	}
	return 0;
}

/* ---- the node's own firewall ------------------------------------------------------ */

/* One rule each: nothing that would end it and start another command (';', a
 * newline) or hide the rest of it ('#'). nft itself checks the rest before `up`
 * changes anything (lab_validate). */
static int fw_rule_ok(struct tp *c, const yaml_node_t *item, const char *rule)
{
	if (!*rule)
		return tp_err(c, tp_pos(item), "an empty firewall rule");
	for (const unsigned char *p = (const unsigned char *)rule; *p; p++)
		if (*p == ';' || *p == '#' || *p < 0x20 || *p == 0x7f)
			return tp_err(c, tp_pos(item), "firewall rule '%s': one nft rule, without ';', '#' or control characters",
				      rule);
	return 0;
}

static int parse_firewall(struct tp *c, struct topo_node *node, const yaml_node_t *map)
{
	static const char *const hooks[] = { "input", "forward", "output", NULL };
	struct tp_kv kv = tp_get(c, map, "firewall");
	char what[300];
	snprintf(what, sizeof(what), "the firewall of node '%s'", node->name);
	int r = tp_map(c, kv.v, what, hooks);
	if (r < 0 || !kv.v)
		return r;
	for (size_t h = 0; h < 3; h++) {
		struct tp_kv hk = tp_get(c, kv.v, topo_fw_hooks[h]);
		if ((r = tp_seq(c, &hk, topo_fw_hooks[h])) < 0)
			return r;
		size_t n = hk.v ? tp_seq_len(hk.v) : 0;
		if (!(node->fw_rules[h] = calloc(n ? n : 1, sizeof(char *))))
			return tp_nomem(c);
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *item = tp_seq_at(c, hk.v, i);
			struct tp_kv ik = { .v = (yaml_node_t *)item };
			const char *rule;
			if ((r = tp_str(c, &ik, "a firewall rule", &rule)) < 0 || (r = fw_rule_ok(c, item, rule)) < 0)
				return r;
			if (!(node->fw_rules[h][node->n_fw_rules[h]] = strdup(rule)))
				return tp_nomem(c);
			node->n_fw_rules[h]++;
		}
	}
	return 0;
}

/* ---- published ports ---------------------------------------------------------- */

static bool has_ipv4_network(const struct tp *c, const struct topo_node *node)
{
	for (size_t i = 0; i < node->n_ifaces; i++) {
		const struct topo_net *net = topo_find_net(c->t, node->ifaces[i].network);
		if (net && tp_net_of_family(net, AF_INET, NULL))
			return true;
	}
	return false;
}

/* Two entries clash when the host would have to send one (address, port, proto) to
 * two places; no host_ip means every address, so it clashes with any of them. */
static int publish_clash(struct tp *c, const struct topo_publish *p, size_t upto_node)
{
	for (size_t i = 0; i <= upto_node; i++) {
		const struct topo_node *o = &c->t->nodes[i];
		for (size_t j = 0; j < o->n_publish; j++) {
			const struct topo_publish *q = &o->publish[j];
			if (q == p)
				return 0;
			if (q->host_port != p->host_port || q->proto != p->proto)
				continue;
			if (q->host_ip && p->host_ip && !streq(q->host_ip, p->host_ip))
				continue;
			return tp_err(c, p->pos, "host port %u/%s is already published by node '%s' (line %d)", p->host_port,
				      p->proto == IPPROTO_UDP ? "udp" : "tcp", o->name, q->pos.line);
		}
	}
	return 0;
}

static int publish_host_ip(struct tp *c, const yaml_node_t *item, struct topo_publish *p)
{
	struct tp_kv kv = tp_get(c, item, "host_ip");
	if (!kv.v)
		return 0;
	const char *s;
	int r = tp_str(c, &kv, "host_ip", &s);
	if (r < 0)
		return r;
	struct nsnet_error inner = { 0 };
	struct nsnet_prefix a;
	if (nsnet_addr_parse(s, &a, &inner) < 0)
		return tp_err(c, tp_kv_pos(&kv), "host_ip: %s", inner.msg);
	if (a.family != AF_INET)
		return tp_err(c, tp_kv_pos(&kv), "host_ip %s: published ports are IPv4 (the node's address is reached by DNAT)", s);
	char buf[64];
	/* Canonical text, so "010.0.0.1"-style variants can't hide a clash. */
	p->host_ip = tp_xstrdup(c, nsnet_prefix_str(&a, false, buf, sizeof(buf)));
	return p->host_ip ? 0 : -ENOMEM;
}

static int parse_one_publish(struct tp *c, struct topo_node *node, const yaml_node_t *item, struct topo_publish *p)
{
	int r = tp_map(c, item, "a publish entry", publish_keys);
	if (r < 0)
		return r;
	unsigned hp, port;
	struct tp_kv kv = tp_get(c, item, "host_port");
	if (!kv.v)
		return tp_err(c, p->pos, "a publish entry needs 'host_port:'");
	if ((r = tp_uint(c, &kv, "host_port", 1, 65535, &hp)) < 0)
		return r;
	port = hp;
	kv = tp_get(c, item, "port");
	if (kv.v && (r = tp_uint(c, &kv, "port", 1, 65535, &port)) < 0)
		return r;
	p->host_port = (uint16_t)hp;
	p->port = (uint16_t)port;
	p->proto = IPPROTO_TCP;
	kv = tp_get(c, item, "proto");
	if (kv.v) {
		const char *s;
		if ((r = tp_str(c, &kv, "proto", &s)) < 0)
			return r;
		if (!streq(s, "tcp") && !streq(s, "udp"))
			return tp_err(c, tp_kv_pos(&kv), "proto must be tcp or udp, not '%s'", s);
		p->proto = streq(s, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
	}
	if ((r = publish_host_ip(c, item, p)) < 0)
		return r;
	if (!has_ipv4_network(c, node))
		return tp_err(c, p->pos, "node '%s' publishes port %u but has no interface on a network with an IPv4 subnet",
			      node->name, p->port);
	return 0;
}

static int parse_publish(struct tp *c, struct topo_node *node, const yaml_node_t *map, size_t idx)
{
	struct tp_kv kv = tp_get(c, map, "publish");
	int r = tp_seq(c, &kv, "publish");
	if (r < 0)
		return r;
	size_t n = tp_seq_len(kv.v);
	if (!(node->publish = calloc(n ? n : 1, sizeof(*node->publish))))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = tp_seq_at(c, kv.v, i);
		struct topo_publish *p = &node->publish[node->n_publish++];
		p->pos = tp_pos(item);
		if ((r = parse_one_publish(c, node, item, p)) < 0 || (r = publish_clash(c, p, idx)) < 0)
			return r;
	}
	return 0;
}

/* ---- nodes ------------------------------------------------------------------- */

static int parse_node(struct tp *c, const struct tp_kv *entry, struct topo_node *node, size_t idx)
{
	struct nsnet_error inner = { 0 };
	node->pos = tp_pos(entry->k);
	if (!(node->name = tp_xstrdup(c, (const char *)entry->k->data.scalar.value)))
		return -ENOMEM;
	if (nsnet_ns_name_check(node->name, &inner) < 0)
		return tp_err_from(c, node->pos, &inner);
	if (streq(node->name, NSNET_HOST))
		return tp_err(c, node->pos, "'host' is the host's own namespace, not a node; use it as a link endpoint (host:IFNAME)");
	char what[300];
	snprintf(what, sizeof(what), "node '%s'", node->name);
	const yaml_node_t *m = entry->v;
	int r = tp_map(c, m, what, node_keys);
	if (r < 0)
		return r;
	c->node_yaml[idx] = (yaml_node_t *)m;
	if ((r = parse_ifaces(c, node, m)) < 0 || (r = parse_sysctls(c, node, m)) < 0 ||
	    (r = parse_publish(c, node, m, idx)) < 0 || (r = parse_firewall(c, node, m)) < 0 ||
	    (r = tp_parse_files(c, node, m)) < 0 || (r = tp_parse_services(c, node, m)) < 0)
		return r;
	/* gateway: false keeps a node to its own networks: no default route. */
	struct tp_kv kv = tp_get(c, m, "gateway");
	node->gateway = true;
	if (kv.v && (r = tp_bool(c, &kv, "gateway", &node->gateway)) < 0)
		return r;
	kv = tp_get(c, m, "forwarding");
	if (kv.v && (r = tp_bool(c, &kv, "forwarding", &node->forwarding)) < 0)
		return r;
	return 0;
}

int tp_parse_nodes(struct tp *c, const yaml_node_t *root)
{
	struct tp_kv kv = tp_get(c, root, "nodes");
	int r = tp_map(c, kv.v, "nodes", NULL);
	if (r < 0)
		return r;
	size_t n = tp_map_len(kv.v);
	c->t->nodes = calloc(n ? n : 1, sizeof(*c->t->nodes));
	c->node_yaml = calloc(n ? n : 1, sizeof(*c->node_yaml));
	if (!c->t->nodes || !c->node_yaml)
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct tp_kv entry = tp_map_at(c, kv.v, i);
		c->t->n_nodes++;
		if ((r = parse_node(c, &entry, &c->t->nodes[i], i)) < 0)
			return r;
	}
	return 0;
}

/* ---- routes (after links and default interface names) -------------------------- */

/* Whether via is inside a subnet the node is connected to (through dev, if given):
 * the kernel refuses a gateway it has no route to. */
static bool via_connected(const struct tp *c, size_t idx, const struct nsnet_prefix *via, const char *dev)
{
	const struct topo_node *node = &c->t->nodes[idx];
	for (size_t i = 0; i < node->n_ifaces; i++) {
		const struct topo_net *net = topo_find_net(c->t, node->ifaces[i].network);
		if (!net || (dev && !streq(dev, node->ifaces[i].ifname)))
			continue;
		for (size_t j = 0; j < net->n_subnets; j++)
			if (nsnet_prefix_contains(&net->subnet[j], via))
				return true;
	}
	const struct tp_ends *e = &c->ends[idx];
	for (size_t i = 0; i < e->n; i++) {
		const struct topo_link *l = &c->t->links[e->v[i] / 2];
		size_t j = e->v[i] % 2;
		if ((dev && !streq(dev, l->ifname[j])) || !l->ip[j].family)
			continue;
		if (nsnet_prefix_contains(&l->ip[j], via))
			return true;
	}
	return false;
}

static int route_to(struct tp *c, const yaml_node_t *item, struct topo_route *rt, bool *is_default)
{
	struct tp_kv kv = tp_get(c, item, "to");
	if (!kv.v)
		return tp_err(c, rt->pos, "a route needs 'to:' (a CIDR or 'default')");
	const char *s;
	int r = tp_str(c, &kv, "to", &s);
	if (r < 0)
		return r;
	*is_default = streq(s, "default");
	if (*is_default)
		return 0;
	struct nsnet_error inner = { 0 };
	if (nsnet_prefix_parse(s, false, &rt->to, &inner) < 0)
		return tp_err(c, tp_kv_pos(&kv), "to: %s", inner.msg);
	struct nsnet_prefix netw;
	nsnet_prefix_network(&rt->to, &netw);
	char want[64];
	if (!nsnet_addr_equal(&netw, &rt->to))
		return tp_err(c, tp_kv_pos(&kv), "route to %s has host bits set; did you mean %s?", s,
			      nsnet_prefix_str(&netw, true, want, sizeof(want)));
	return 0;
}

static int route_via(struct tp *c, size_t idx, const yaml_node_t *item, struct topo_route *rt, bool is_default)
{
	const struct topo_node *node = &c->t->nodes[idx];
	struct tp_kv kv = tp_get(c, item, "via");
	if (!kv.v) {
		if (!rt->dev)
			return tp_err(c, rt->pos, "a route needs 'via:' (a gateway) or 'dev:' (an interface)");
		if (is_default)
			rt->to.family = AF_INET;
		return 0;
	}
	const char *s;
	int r = tp_str(c, &kv, "via", &s);
	if (r < 0)
		return r;
	struct nsnet_error inner = { 0 };
	if (nsnet_addr_parse(s, &rt->via, &inner) < 0)
		return tp_err(c, tp_kv_pos(&kv), "via: %s", inner.msg);
	if (is_default)
		rt->to.family = rt->via.family;
	char to[64];
	if (rt->via.family != rt->to.family)
		return tp_err(c, tp_kv_pos(&kv), "via %s is %s but the destination %s is %s", s,
			      rt->via.family == AF_INET ? "IPv4" : "IPv6", nsnet_prefix_str(&rt->to, true, to, sizeof(to)),
			      rt->to.family == AF_INET ? "IPv4" : "IPv6");
	bool link_local = rt->via.family == AF_INET6 && rt->via.addr[0] == 0xfe && (rt->via.addr[1] & 0xc0) == 0x80;
	if (link_local && !rt->dev)
		return tp_err(c, tp_kv_pos(&kv), "via %s is link-local: say which interface with 'dev:'", s);
	if (!link_local && !via_connected(c, idx, &rt->via, rt->dev))
		return tp_err(c, tp_kv_pos(&kv), "via %s is not in a subnet of node '%s'%s%s", s, node->name,
			      rt->dev ? " on " : "", rt->dev ? rt->dev : "");
	return 0;
}

static int parse_route(struct tp *c, size_t idx, const yaml_node_t *item, struct topo_route *rt)
{
	struct topo_node *node = &c->t->nodes[idx];
	int r = tp_map(c, item, "a route", route_keys);
	if (r < 0)
		return r;
	struct tp_kv kv = tp_get(c, item, "dev");
	if (kv.v) {
		if ((r = tp_strdup(c, &kv, "dev", &rt->dev)) < 0)
			return r;
		if (!tp_node_has_ifname(c, idx, rt->dev))
			return tp_err(c, tp_kv_pos(&kv), "node '%s' has no interface '%s'", node->name, rt->dev);
	}
	bool is_default;
	if ((r = route_to(c, item, rt, &is_default)) < 0 || (r = route_via(c, idx, item, rt, is_default)) < 0)
		return r;
	for (struct topo_route *o = node->routes; o < rt; o++)
		if (o->to.family == rt->to.family && o->to.len == rt->to.len && nsnet_addr_equal(&o->to, &rt->to)) {
			char buf[64];
			return tp_err(c, rt->pos, "node '%s' already has a route to %s (line %d)", node->name,
				      rt->to.len ? nsnet_prefix_str(&rt->to, true, buf, sizeof(buf)) : "default", o->pos.line);
		}
	return 0;
}

int tp_parse_routes(struct tp *c)
{
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		struct topo_node *node = &c->t->nodes[i];
		struct tp_kv kv = tp_get(c, c->node_yaml[i], "routes");
		int r = tp_seq(c, &kv, "routes");
		if (r < 0)
			return r;
		size_t n = tp_seq_len(kv.v);
		if (!(node->routes = calloc(n ? n : 1, sizeof(*node->routes))))
			return tp_nomem(c);
		for (size_t j = 0; j < n; j++) {
			const yaml_node_t *item = tp_seq_at(c, kv.v, j);
			struct topo_route *rt = &node->routes[node->n_routes++];
			rt->pos = tp_pos(item);
			if ((r = parse_route(c, i, item, rt)) < 0)
				return r;
		}
	}
	return 0;
}
