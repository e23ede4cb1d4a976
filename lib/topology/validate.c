/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks across the whole lab, run once every element has been read: no static
 * address used twice (interfaces, gateways, link ends), and room in each
 * network's pool for every interface on it.
 */
#include <sys/socket.h>
#include "topology/topology.h"
#include "base/base.h"

static int cmp_addr(const void *x, const void *y)
{
	const struct tp_addr *a = x, *b = y;
	if (a->a.family != b->a.family)
		return a->a.family < b->a.family ? -1 : 1;
	int r = memcmp(a->a.addr, b->a.addr, sizeof(a->a.addr));
	if (r)
		return r;
	/* Same address: file order, so the later use is the one reported. */
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	return a->pos.col < b->pos.col ? -1 : a->pos.col > b->pos.col;
}

/* Sorted rather than compared pairwise: a lab of thousands of nodes stays fast. */
static int check_duplicate_addrs(struct tp *c)
{
	if (c->n_addrs < 2)
		return 0;
	qsort(c->addrs, c->n_addrs, sizeof(*c->addrs), cmp_addr);
	for (size_t i = 1; i < c->n_addrs; i++) {
		const struct tp_addr *a = &c->addrs[i - 1], *b = &c->addrs[i];
		if (!nsnet_addr_equal(&a->a, &b->a))
			continue;
		char buf[64];
		nsnet_prefix_str(&b->a, false, buf, sizeof(buf));
		return tp_err(c, b->pos, "address %s is already used by %s (line %d)", buf, a->who, a->pos.line);
	}
	return 0;
}

/* Every interface on a network takes one address of each of its subnets, and the
 * gateway takes one more: an interface past that would fail at `up`, half-way. */
static int check_pool(struct tp *c, const struct topo_net *net)
{
	for (size_t s = 0; s < net->n_subnets; s++) {
		const struct nsnet_prefix *sub = &net->subnet[s];
		unsigned bits = (sub->family == AF_INET ? 32u : 128u) - sub->len;
		if (bits >= 32)
			continue;   /* billions of addresses: no lab gets there */
		uint64_t first, last;
		nsnet_prefix_host_range(sub, &first, &last);
		uint64_t room = last - first;   /* usable addresses minus the gateway */
		uint64_t used = 0;
		for (size_t i = 0; i < c->t->n_nodes; i++) {
			const struct topo_node *node = &c->t->nodes[i];
			for (size_t j = 0; j < node->n_ifaces; j++) {
				if (!streq(node->ifaces[j].network, net->name) || ++used <= room)
					continue;
				char buf[64];
				return tp_err(c, node->ifaces[j].pos,
					      "network '%s' is full: %s has room for %llu interface%s besides the gateway",
					      net->name, nsnet_prefix_str(sub, true, buf, sizeof(buf)), (unsigned long long)room,
					      room == 1 ? "" : "s");
			}
		}
	}
	return 0;
}

/* A network is one bridge: its members (and its VXLAN port) are the bridge's ports,
 * and a bridge holds at most NSNET_BRIDGE_PORTS_MAX. Refused here, not half-way
 * through `up` with the kernel's "Exchange full". */
static int check_ports(struct tp *c, const struct topo_net *net)
{
	size_t max = NSNET_BRIDGE_PORTS_MAX - (net->vxlan.vni ? 1 : 0), used = 0, total = 0;
	struct topo_pos first_over = { 0 };
	for (size_t i = 0; i < c->t->n_nodes; i++) {
		const struct topo_node *node = &c->t->nodes[i];
		for (size_t j = 0; j < node->n_ifaces; j++) {
			if (!streq(node->ifaces[j].network, net->name))
				continue;
			total++;
			if (++used == max + 1)
				first_over = node->ifaces[j].pos;
		}
	}
	if (total <= max)
		return 0;
	return tp_err(c, first_over,
		      "network '%s' has %zu members, more than a Linux bridge holds (%d ports%s): " NSNET_BRIDGE_SPLIT_HINT,
		      net->name, total, NSNET_BRIDGE_PORTS_MAX, net->vxlan.vni ? ", one of them its VXLAN port" : "");
}

int tp_validate_lab(struct tp *c)
{
	int r = check_duplicate_addrs(c);
	for (size_t i = 0; r == 0 && i < c->t->n_nets; i++)
		if ((r = check_ports(c, &c->t->nets[i])) == 0)
			r = check_pool(c, &c->t->nets[i]);
	return r;
}
