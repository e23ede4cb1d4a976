/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The networks section of a lab file: subnets, gateways, NAT, bridge names; and
 * finding a network by name or by family, which nodes and routes need. */
#include <sys/socket.h>
#include "fw/fw.h"
#include "state/state.h"
#include "topology/topology.h"
#include "base/base.h"

static const char *const net_keys[] = { "subnet", "gateway", "nat", "bridge", "mtu", "allow", "names", "range", "vxlan",
					NULL };

const struct topo_net *tp_net_of_family(const struct topo_net *n, int family, size_t *ret_i)
{
	for (size_t i = 0; i < n->n_subnets; i++)
		if (n->subnet[i].family == family) {
			if (ret_i)
				*ret_i = i;
			return n;
		}
	return NULL;
}

/* An address written for a network ("192.168.15.1" or "192.168.15.1/24"): its
 * family picks the subnet, a length must be the subnet's, and it must be a host
 * address of that subnet. The result carries the subnet's length. */
int tp_subnet_addr(struct tp *c, const yaml_node_t *item, const struct topo_net *net, const char *what,
		   struct nsnet_prefix *ret, size_t *ret_subnet)
{
	struct nsnet_error inner = { 0 };
	struct nsnet_prefix a;
	const char *s = (const char *)item->data.scalar.value;
	if (nsnet_prefix_parse(s, false, &a, &inner) < 0)
		return tp_err(c, tp_pos(item), "%s: %s", what, inner.msg);
	size_t i;
	if (!tp_net_of_family(net, a.family, &i))
		return tp_err(c, tp_pos(item), "%s %s is %s but network '%s' has no %s subnet", what, s,
			      a.family == AF_INET ? "IPv4" : "IPv6", net->name, a.family == AF_INET ? "IPv4" : "IPv6");
	const struct nsnet_prefix *sub = &net->subnet[i];
	char sb[64];
	nsnet_prefix_str(sub, true, sb, sizeof(sb));
	if (strchr(s, '/') && a.len != sub->len)
		return tp_err(c, tp_pos(item), "%s %s: the length must be the subnet's (/%u, from %s), or left out",
			      what, s, sub->len, sb);
	if (!nsnet_prefix_contains(sub, &a))
		return tp_err(c, tp_pos(item), "%s %s is outside network '%s' (%s)", what, s, net->name, sb);
	uint64_t first, last, idx = nsnet_prefix_index(sub, &a);
	nsnet_prefix_host_range(sub, &first, &last);
	if (idx < first || idx > last)
		return tp_err(c, tp_pos(item), "%s %s is the %s address of %s", what, s,
			      idx < first ? "network" : "broadcast", sb);
	a.len = sub->len;
	*ret = a;
	*ret_subnet = i;
	return 0;
}

/* ---- networks ---------------------------------------------------------------- */

static int check_subnet(struct tp *c, const yaml_node_t *item, struct nsnet_prefix *p)
{
	struct nsnet_error inner = { 0 };
	const char *s = (const char *)item->data.scalar.value;
	if (nsnet_prefix_parse(s, true, p, &inner) < 0)
		return tp_err(c, tp_pos(item), "subnet: %s", inner.msg);
	struct nsnet_prefix netw;
	nsnet_prefix_network(p, &netw);
	char want[64];
	if (!nsnet_addr_equal(&netw, p))
		return tp_err(c, tp_pos(item), "subnet %s has host bits set; did you mean %s?", s,
			      nsnet_prefix_str(&netw, true, want, sizeof(want)));
	/* The range lib/net/net.c accepts: room for a gateway and members, and IPv6 no
	 * longer than a /48 .. /126 an IPAM can walk. */
	unsigned min = p->family == AF_INET ? 8 : 48, max = p->family == AF_INET ? 30 : 126;
	if (p->len < min || p->len > max)
		return tp_err(c, tp_pos(item), "subnet %s: the prefix length must be %u..%u", s, min, max);
	return 0;
}

static int overlap_check(struct tp *c, const yaml_node_t *item, const struct nsnet_prefix *p, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		const struct topo_net *o = &c->t->nets[i];
		for (size_t j = 0; j < o->n_subnets; j++)
			if (nsnet_prefix_overlaps(p, &o->subnet[j])) {
				char a[64], b[64];
				return tp_err(c, tp_pos(item), "subnet %s overlaps %s of network '%s' (line %d)",
					      nsnet_prefix_str(p, true, a, sizeof(a)),
					      nsnet_prefix_str(&o->subnet[j], true, b, sizeof(b)), o->name, o->pos.line);
			}
	}
	return 0;
}

static int parse_subnets(struct tp *c, const yaml_node_t *map, struct topo_net *n, size_t idx)
{
	struct tp_kv kv = tp_get(c, map, "subnet");
	if (!kv.v)
		return tp_err(c, n->pos, "network '%s' needs a subnet (e.g. 'subnet: 10.0.0.0/24')", n->name);
	yaml_node_t *items[2];
	size_t cnt;
	int r = tp_one_or_list(c, &kv, "subnet", 2, items, &cnt);
	for (size_t i = 0; r == 0 && i < cnt; i++) {
		if ((r = check_subnet(c, items[i], &n->subnet[i])) < 0)
			break;
		if (i == 1 && n->subnet[0].family == n->subnet[1].family)
			return tp_err(c, tp_pos(items[1]), "a network has at most one IPv4 and one IPv6 subnet");
		r = overlap_check(c, items[i], &n->subnet[i], idx);
	}
	n->n_subnets = cnt;
	return r;
}

static int parse_gateways(struct tp *c, const yaml_node_t *map, struct topo_net *n)
{
	struct tp_kv kv = tp_get(c, map, "gateway");
	yaml_node_t *items[2] = { 0 };
	size_t cnt = 0;
	int r = kv.v ? tp_one_or_list(c, &kv, "gateway", 2, items, &cnt) : 0;
	struct topo_pos where[2] = { n->pos, n->pos };
	for (size_t i = 0; r == 0 && i < cnt; i++) {
		struct nsnet_prefix a;
		size_t sub;
		if ((r = tp_subnet_addr(c, items[i], n, "gateway", &a, &sub)) < 0)
			return r;
		if (n->gateway[sub].family)
			return tp_err(c, tp_pos(items[i]), "a second %s gateway for network '%s'",
				      a.family == AF_INET ? "IPv4" : "IPv6", n->name);
		n->gateway[sub] = a;
		where[sub] = tp_pos(items[i]);
	}
	/* Filled in, so the engine, the graph and the address checks all see the
	 * address the host will really have on the bridge. */
	for (size_t i = 0; r == 0 && i < n->n_subnets; i++) {
		if (!n->gateway[i].family) {
			uint64_t first, last;
			nsnet_prefix_host_range(&n->subnet[i], &first, &last);
			nsnet_prefix_nth(&n->subnet[i], first, &n->gateway[i]);
		}
		r = tp_add_addr(c, &n->gateway[i], where[i], "the gateway of network '%.40s'", n->name);
	}
	return r;
}

static int parse_bridge(struct tp *c, const yaml_node_t *map, struct topo_net *n, size_t idx)
{
	struct tp_kv kv = tp_get(c, map, "bridge");
	struct nsnet_error inner = { 0 };
	int r;
	if (kv.v) {
		if ((r = tp_strdup(c, &kv, "bridge", &n->bridge)) < 0)
			return r;
		/* A name nft cannot quote would only fail once the bridge exists. */
		if (nsnet_ifname_check(n->bridge, &inner) < 0 || fw_ifname_ok(n->bridge, &inner) < 0)
			return tp_err(c, tp_kv_pos(&kv), "bridge: %s", inner.msg);
	}
	char mine[16], other[16];
	snprintf(mine, sizeof(mine), "%s", n->bridge ? n->bridge : "");
	if (!n->bridge)
		nsnet_net_default_bridge(n->name, mine);
	for (size_t i = 0; i < idx; i++) {
		const struct topo_net *o = &c->t->nets[i];
		snprintf(other, sizeof(other), "%s", o->bridge ? o->bridge : "");
		if (!o->bridge)
			nsnet_net_default_bridge(o->name, other);
		if (streq(mine, other))
			return tp_err(c, kv.v ? tp_kv_pos(&kv) : n->pos, "bridge '%s' is also the bridge of network '%s' (line %d)",
				      mine, o->name, o->pos.line);
	}
	return 0;
}

static int parse_net(struct tp *c, const struct tp_kv *entry, struct topo_net *n, size_t idx)
{
	struct nsnet_error inner = { 0 };
	n->pos = tp_pos(entry->k);
	const char *name = (const char *)entry->k->data.scalar.value;
	if (!(n->name = tp_xstrdup(c, name)))
		return -ENOMEM;
	if (net_name_check(name, &inner) < 0)
		return tp_err_from(c, n->pos, &inner);
	char what[100];
	snprintf(what, sizeof(what), "network '%s'", name);
	const yaml_node_t *m = entry->v;
	int r = tp_map(c, m, what, net_keys);
	if (r < 0 || (r = parse_subnets(c, m, n, idx)) < 0 || (r = parse_gateways(c, m, n)) < 0 ||
	    (r = parse_bridge(c, m, n, idx)) < 0)
		return r;
	struct tp_kv kv = tp_get(c, m, "nat");
	if (kv.v && (r = tp_bool(c, &kv, "nat", &n->nat)) < 0)
		return r;
	kv = tp_get(c, m, "names");
	bool names;
	if (kv.v) {
		if ((r = tp_bool(c, &kv, "names", &names)) < 0)
			return r;
		n->names = names ? NSNET_NAMES_ON : NSNET_NAMES_OFF;
	}
	kv = tp_get(c, m, "mtu");
	/* IPv6 needs links of at least 1280 bytes (RFC 8200); IPv4 at least 68. */
	unsigned min = tp_net_of_family(n, AF_INET6, NULL) ? 1280 : 68;
	if (kv.v && (r = tp_uint(c, &kv, "mtu", min, 65535, &n->mtu)) < 0)
		return r;
	if ((r = tp_parse_net_range(c, m, n)) < 0)
		return r;
	return tp_parse_net_vxlan(c, m, n);
}

int tp_unknown_network(struct tp *c, struct topo_pos pos, const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;
	for (size_t i = 0; i < c->t->n_nets; i++) {
		unsigned d = tp_distance(name, c->t->nets[i].name);
		if (d < best_d) {
			best_d = d;
			best = c->t->nets[i].name;
		}
	}
	if (best)
		return tp_err(c, pos, "unknown network '%s'; did you mean '%s'?", name, best);
	return tp_err(c, pos, "unknown network '%s'", name);
}

/* allow: other networks of the lab this one may reach, and they it (as `nsnet net
 * set A allow B` does by hand). Read once every network is known. */
static int parse_allow(struct tp *c, const yaml_node_t *m, struct topo_net *n)
{
	struct tp_kv kv = tp_get(c, m, "allow");
	int r = tp_seq(c, &kv, "allow");
	if (r < 0 || !kv.v)
		return r;
	size_t cnt = tp_seq_len(kv.v);
	if (!(n->allow = calloc(cnt ? cnt : 1, sizeof(*n->allow))))
		return tp_nomem(c);
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *item = tp_seq_at(c, kv.v, i);
		struct tp_kv ik = { .v = (yaml_node_t *)item };
		const char *name;
		if ((r = tp_str(c, &ik, "allow", &name)) < 0)
			return r;
		if (streq(name, n->name))
			return tp_err(c, tp_pos(item), "network '%s' always reaches itself; allow names other networks", name);
		if (!topo_find_net(c->t, name))
			return tp_unknown_network(c, tp_pos(item), name);
		for (size_t j = 0; j < n->n_allow; j++)
			if (streq(n->allow[j], name))
				return tp_err(c, tp_pos(item), "network '%s' is allowed twice", name);
		if (!(n->allow[n->n_allow] = strdup(name)))
			return tp_nomem(c);
		n->n_allow++;
	}
	return 0;
}

int tp_parse_networks(struct tp *c, const yaml_node_t *root)
{
	struct tp_kv kv = tp_get(c, root, "networks");
	int r = tp_map(c, kv.v, "networks", NULL);
	if (r < 0)
		return r;
	size_t n = tp_map_len(kv.v);
	if (!(c->t->nets = calloc(n ? n : 1, sizeof(*c->t->nets))))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct tp_kv entry = tp_map_at(c, kv.v, i);
		c->t->n_nets++;
		if ((r = parse_net(c, &entry, &c->t->nets[i], i)) < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct tp_kv entry = tp_map_at(c, kv.v, i);
		if ((r = parse_allow(c, entry.v, &c->t->nets[i])) < 0)
			return r;
	}
	return 0;
}

/* ---- the lab ----------------------------------------------------------------- */

const struct topo_net *topo_find_net(const struct topology *t, const char *name)
{
	for (size_t i = 0; t && name && i < t->n_nets; i++)
		if (t->nets[i].name && streq(t->nets[i].name, name))
			return &t->nets[i];
	return NULL;
}
