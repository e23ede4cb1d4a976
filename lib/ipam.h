/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address allocation inside one subnet. Memory is proportional to the addresses in
 * use, never to the subnet's size (a /8 or a /64 costs what its members cost):
 * used addresses are a hash set of host indexes, and allocation walks forward
 * from a cursor kept in the network's state, so it is O(1) until the pool is
 * nearly full.
 */
#ifndef NSNET_IPAM_H
#define NSNET_IPAM_H
#include "nsnet.h"

struct ipam {
	struct nsnet_prefix net;   /* network address, host bits clear */
	uint64_t first, last;      /* usable host indexes */
	uint64_t next;             /* where the next search starts */
	uint64_t *slots;           /* open addressing; 0 = empty, else index + 1 */
	size_t cap, used;
};

int ipam_init(struct ipam *p, const struct nsnet_prefix *net, uint64_t next);
void ipam_done(struct ipam *p);
/* Reserve addr: -ERANGE outside the usable range, -EEXIST when already used. */
int ipam_mark(struct ipam *p, const struct nsnet_prefix *addr);
bool ipam_is_used(const struct ipam *p, const struct nsnet_prefix *addr);
/* Next free address (with the subnet's prefix length); -ENOSPC when full. */
int ipam_alloc(struct ipam *p, struct nsnet_prefix *ret);
uint64_t ipam_free_count(const struct ipam *p);
#endif
