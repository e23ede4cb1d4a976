/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPAM: a hash set of used host indexes and a moving cursor. */
#include "base/base.h"

static size_t slot_of(uint64_t v, size_t cap)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)(v & (cap - 1));
}

static bool set_has(const struct ipam *p, uint64_t idx)
{
	if (!p->cap)
		return false;
	for (size_t i = slot_of(idx, p->cap);; i = (i + 1) & (p->cap - 1)) {
		if (p->slots[i] == 0)
			return false;
		if (p->slots[i] == idx + 1)
			return true;
	}
}

static int set_add(struct ipam *p, uint64_t idx)
{
	if ((p->used + 1) * 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		uint64_t *ns = calloc(cap, sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		for (size_t i = 0; i < p->cap; i++) {
			if (!p->slots[i])
				continue;
			size_t j = slot_of(p->slots[i] - 1, cap);
			while (ns[j])
				j = (j + 1) & (cap - 1);
			ns[j] = p->slots[i];
		}
		free(p->slots);
		p->slots = ns;
		p->cap = cap;
	}
	size_t i = slot_of(idx, p->cap);
	while (p->slots[i])
		i = (i + 1) & (p->cap - 1);
	p->slots[i] = idx + 1;
	p->used++;
	return 0;
}

int ipam_init(struct ipam *p, const struct nsnet_prefix *net, uint64_t next)
{
	memset(p, 0, sizeof(*p));
	nsnet_prefix_network(net, &p->net);
	nsnet_prefix_host_range(&p->net, &p->first, &p->last);
	p->next = next >= p->first && next <= p->last ? next : p->first;
	return 0;
}

void ipam_done(struct ipam *p)
{
	free(p->slots);
	p->slots = NULL;
	p->cap = p->used = 0;
}

static int index_of(const struct ipam *p, const struct nsnet_prefix *addr, uint64_t *ret)
{
	if (addr->family != p->net.family || !nsnet_prefix_contains(&p->net, addr))
		return -ERANGE;
	uint64_t idx = nsnet_prefix_index(&p->net, addr);
	if (idx < p->first || idx > p->last)
		return -ERANGE;
	*ret = idx;
	return 0;
}

int ipam_mark(struct ipam *p, const struct nsnet_prefix *addr)
{
	uint64_t idx;
	int r = index_of(p, addr, &idx);
	if (r < 0)
		return r;
	if (set_has(p, idx))
		return -EEXIST;
	return set_add(p, idx);
}

bool ipam_is_used(const struct ipam *p, const struct nsnet_prefix *addr)
{
	uint64_t idx;
	return index_of(p, addr, &idx) == 0 && set_has(p, idx);
}

void ipam_restrict(struct ipam *p, uint64_t first, uint64_t last)
{
	if (first > p->first)
		p->first = first;
	if (last < p->last)
		p->last = last;
	if (p->next < p->first || p->next > p->last)
		p->next = p->first;
}

uint64_t ipam_free_count(const struct ipam *p)
{
	uint64_t total = p->last - p->first + 1;
	return total > p->used ? total - p->used : 0;
}

int ipam_alloc(struct ipam *p, struct nsnet_prefix *ret)
{
	if (p->last < p->first || ipam_free_count(p) == 0)
		return -ENOSPC;
	uint64_t idx = p->next;
	for (;;) {
		if (idx > p->last || idx < p->first)
			idx = p->first;
		if (!set_has(p, idx))
			break;
		idx++;
	}
	int r = set_add(p, idx);
	if (r < 0)
		return r;
	p->next = idx + 1;
	r = nsnet_prefix_nth(&p->net, idx, ret);
	if (r < 0)
		return r;
	ret->len = p->net.len;
	return 0;
}
