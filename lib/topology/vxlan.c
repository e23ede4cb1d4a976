/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network's range: and vxlan: keys. A network that spans hosts is written on
 * each host with the same subnet and VNI, and its own gateway, range, local
 * address and peers (docs/vxlan.md):
 *   range: 10.10.0.16-10.10.0.127      # or a list, one per subnet
 *   vxlan: { vni: 42, local: 192.0.2.1, dev: eth1, peers: [192.0.2.2], port: 4789 }
 */
#include <sys/socket.h>
#include "topology/topology.h"
#include "base/base.h"

static const char *const vxlan_keys[] = { "vni", "local", "dev", "peers", "port", NULL };

static int parse_one_range(struct tp *c, const yaml_node_t *item, struct topo_net *n)
{
	const char *s = (const char *)item->data.scalar.value, *dash = strchr(s, '-');
	struct nsnet_error inner = { 0 };
	struct nsnet_prefix a, b;
	char x[64];
	if (!dash || (size_t)(dash - s) >= sizeof(x))
		return tp_err(c, tp_pos(item), "range must be FIRST-LAST (e.g. 10.0.0.16-10.0.0.127)");
	snprintf(x, sizeof(x), "%.*s", (int)(dash - s), s);
	if (nsnet_addr_parse(x, &a, &inner) < 0 || nsnet_addr_parse(dash + 1, &b, &inner) < 0)
		return tp_err(c, tp_pos(item), "range: %s", inner.msg);
	size_t i = 0;
	while (i < n->n_subnets && n->subnet[i].family != a.family)  /* not nets.c's: no circle of calls */
		i++;
	if (a.family != b.family || i == n->n_subnets)
		return tp_err(c, tp_pos(item), "range %s has no subnet of its family in network '%s'", s, n->name);
	const struct nsnet_prefix *sub = &n->subnet[i];
	uint64_t first, last;
	nsnet_prefix_host_range(sub, &first, &last);
	if (!nsnet_prefix_contains(sub, &a) || !nsnet_prefix_contains(sub, &b) || nsnet_prefix_index(sub, &a) < first ||
	    nsnet_prefix_index(sub, &b) > last || nsnet_prefix_index(sub, &a) > nsnet_prefix_index(sub, &b))
		return tp_err(c, tp_pos(item), "range %s is not a range of usable addresses of %s", s,
			      nsnet_prefix_str(sub, true, x, sizeof(x)));
	if (n->range_start[i].family)
		return tp_err(c, tp_pos(item), "a second range for the %s subnet", a.family == AF_INET ? "IPv4" : "IPv6");
	n->range_start[i] = a;
	n->range_end[i] = b;
	return 0;
}

int tp_parse_net_range(struct tp *c, const yaml_node_t *map, struct topo_net *n)
{
	struct tp_kv kv = tp_get(c, map, "range");
	yaml_node_t *items[2];
	size_t cnt;
	if (!kv.v)
		return 0;
	int r = tp_one_or_list(c, &kv, "range", 2, items, &cnt);
	for (size_t i = 0; r == 0 && i < cnt; i++)
		r = parse_one_range(c, items[i], n);
	return r;
}

static int parse_addr(struct tp *c, const yaml_node_t *item, const char *what, struct nsnet_prefix *ret)
{
	struct nsnet_error inner = { 0 };
	const char *s;
	int r = tp_scalar_str(c, item, what, &s);
	if (r == 0 && nsnet_addr_parse(s, ret, &inner) < 0)
		return tp_err(c, tp_pos(item), "%s: %s", what, inner.msg);
	return r;
}

static int parse_peers(struct tp *c, const yaml_node_t *m, struct topo_vxlan *v)
{
	struct tp_kv kv = tp_get(c, m, "peers");
	int r = tp_seq(c, &kv, "peers");
	if (r < 0 || !kv.v)
		return r;
	size_t cnt = tp_seq_len(kv.v);
	if (cnt > NSNET_VXLAN_PEERS_MAX)
		return tp_err(c, tp_pos(kv.v), "at most %d peers", NSNET_VXLAN_PEERS_MAX);
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *item = tp_seq_at(c, kv.v, i);
		struct nsnet_prefix *p = &v->peers[i];
		char a[64];
		if ((r = parse_addr(c, item, "peer", p)) < 0)
			return r;
		nsnet_prefix_str(p, false, a, sizeof(a));
		if (v->local.family && nsnet_addr_equal(p, &v->local))
			return tp_err(c, tp_pos(item), "peer %s is this host's own address (local)", a);
		for (size_t j = 0; j < i; j++)
			if (nsnet_addr_equal(p, &v->peers[j]))
				return tp_err(c, tp_pos(item), "peer %s is named twice", a);
		v->n_peers++;
	}
	return 0;
}

int tp_parse_net_vxlan(struct tp *c, const yaml_node_t *map, struct topo_net *n)
{
	struct tp_kv kv = tp_get(c, map, "vxlan");
	if (!kv.v)
		return 0;
	char what[100];
	snprintf(what, sizeof(what), "vxlan of network '%s'", n->name);
	const yaml_node_t *m = kv.v;
	struct topo_vxlan *v = &n->vxlan;
	int r = tp_map(c, m, what, vxlan_keys);
	if (r < 0)
		return r;
	struct tp_kv k = tp_get(c, m, "vni");
	unsigned vni;
	if (!k.v)
		return tp_err(c, tp_kv_pos(&kv), "vxlan needs a vni (1..16777215)");
	if ((r = tp_uint(c, &k, "vni", 1, 16777215, &vni)) < 0)
		return r;
	v->vni = vni;
	if ((k = tp_get(c, m, "port")).v && (r = tp_uint(c, &k, "port", 1, 65535, &v->port)) < 0)
		return r;
	if ((k = tp_get(c, m, "local")).v && (r = parse_addr(c, k.v, "local", &v->local)) < 0)
		return r;
	if ((k = tp_get(c, m, "dev")).v) {
		const char *dev;
		struct nsnet_error inner = { 0 };
		if ((r = tp_str(c, &k, "dev", &dev)) < 0)
			return r;
		if (nsnet_ifname_check(dev, &inner) < 0)
			return tp_err(c, tp_kv_pos(&k), "dev: %s", inner.msg);
		snprintf(v->dev, sizeof(v->dev), "%s", dev);
	}
	if ((r = parse_peers(c, m, v)) < 0)
		return r;
	/* The one mistake no host could see alone: the same address handed out twice. */
	for (size_t i = 0; i < n->n_subnets; i++)
		if (!n->range_start[i].family)
			return tp_err(c, tp_kv_pos(&kv),
				      "network '%s' spans hosts: it needs a range (e.g. 'range: FIRST-LAST'), a different "
				      "one on each host, so that two hosts never hand out the same address", n->name);
	return 0;
}
