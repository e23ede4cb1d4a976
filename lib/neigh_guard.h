/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keeping the kernel's neighbour tables within bounds. ARP and NDP entries of every
 * namespace count against one machine-wide limit (net.ipv4.neigh.default.gc_thresh3,
 * 1024 by default, settable only in the initial namespace); entries younger than
 * five seconds cannot be reclaimed, so N nodes pinging each other on one bridge
 * (N*(N-1) entries) overflow it at about 30 nodes. pingall therefore runs in waves
 * and, between waves, deletes the entries that the wave created, leaving every
 * entry that existed before untouched.
 */
#ifndef NSNET_NEIGH_GUARD_H
#define NSNET_NEIGH_GUARD_H
#include "nsnet.h"

struct neigh_guard;
/* Open a socket in each namespace and remember its current entries. */
int neigh_guard_open(const char *const *ns, size_t n, struct neigh_guard **ret, struct nsnet_error *e);
/* Delete the entries created since the snapshot, in every namespace. */
void neigh_guard_restore(struct neigh_guard *g);
void neigh_guard_free(struct neigh_guard *g);
/* How many new entries one wave may create: half of the machine's limit. */
size_t neigh_budget(void);
#endif
