/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pingall's pieces: what to ping (pingall.c) and the waves that ping it (pingall_waves.c). */
#ifndef NSNET_LAB_PINGALL_H
#define NSNET_LAB_PINGALL_H

#include "lab/lab.h"
#include "link/link.h"

struct pa_target {
	const char *node;
	struct nsnet_prefix addr;
	char group[160];   /* the key of the network or link: shared groups make a pair required */
	size_t gid;        /* the same as a number; a group's targets come together */
	size_t slot;       /* its node's index among the sources; SIZE_MAX: none */
	int ifindex;       /* the Ethernet link holding addr in its node; 0: unknown */
	uint8_t mac[6];
};

/* How a pair is pinged. */
enum pa_how {
	PA_SELF,     /* a node's own address: not pinged */
	PA_ARP,      /* on-link, resolved by the kernel's ARP/NDP */
	PA_STATIC,   /* on-link, both ends' neighbour entries put in beforehand */
	PA_ROUTED,   /* not on-link from the source: through its gateway */
};

struct pa_src {
	const char *node;
	bool *ok;          /* per target */
	uint8_t *how;      /* per target: enum pa_how */
};

struct pa_ctx {
	struct pa_target *t;
	size_t nt;
	struct pa_src *s;
	size_t ns;
	bool arp_all;            /* every on-link pair by ARP, none pre-resolved */
	struct neigh_guard *g;   /* a socket per node, the tables before, the nodes' MACs */
	struct pa_item *items;   /* the current wave */
	size_t nitems;
};

/* Sort the pairs into enum pa_how, then ping them all in waves that keep the
 * machine's neighbour tables within bounds, leaving them as they were. */
int pa_run(struct pa_ctx *c, struct nsnet_error *e);

#endif
