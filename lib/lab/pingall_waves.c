/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingall's waves. The IPv4 neighbour table is one table for the whole machine: at
 * most gc_thresh3 (1024) entries that the kernel may garbage-collect, and entries
 * younger than five seconds cannot be collected, so N nodes resolving each other by
 * ARP (about 2 entries a pair) must go a few hundred pairs at a time, and every ARP
 * request is a broadcast that the bridge copies to all N ports: a full mesh by ARP
 * costs N³ frame deliveries. Permanent entries do not count against that limit
 * (net/core/neighbour.c: neigh_add() creates them exempt_from_gc, outside the
 * forced collector's list), so the default resolves ARP for real once per node and
 * network (a ring: each node ARPs for the next) and pings every other on-link pair
 * with both ends' entries put in as permanent for the wave and deleted after it.
 * Pairs through a gateway go by ARP waves as before.
 */
#include <unistd.h>
#include "lab/pingall.h"
#include "probe/probe.h"
#include "base/base.h"

#define TIMEOUT_MS 1500
#define RESEND_MS 400
/* A pair resolved by ARP: the kernel asks three times, a second apart, and a
 * broadcast to a thousand ports can overflow a CPU's backlog and be lost. */
#define ARP_TIMEOUT_MS 2500
/* Permanent entries one wave may hold: some 64 MB of kernel memory at most. */
#define STATIC_CAP 131072

struct pa_item {
	size_t src;
	size_t from, to;   /* its targets: in [from, to) and of the wave's phase */
	size_t lo, hi;     /* static phase: of the nodes in [lo, hi) only */
	bool stat;         /* the static phase (PA_STATIC pairs), else PA_ARP and PA_ROUTED */
};

static bool in_phase(uint8_t how, bool stat)
{
	return stat ? how == PA_STATIC : how == PA_ARP || how == PA_ROUTED;
}

static bool in_item(const struct pa_ctx *c, const struct pa_item *it, size_t k)
{
	return k >= it->from && k < it->to && in_phase(c->s[it->src].how[k], it->stat) &&
	       (!it->stat || (c->t[k].slot >= it->lo && c->t[k].slot < it->hi));
}

static int ping_item(size_t w, void *p, struct nsnet_error *e)
{
	struct pa_ctx *c = p;
	const struct pa_item *it = &c->items[w];
	struct pa_src *s = &c->s[it->src];
	_cleanup_free_ struct probe_echo *v = calloc(c->nt + 1, sizeof(*v));
	if (!v)
		return nsnet_err(e, ENOMEM, "pingall");
	for (size_t k = 0; k < c->nt; k++) {
		v[k].dst = c->t[k].addr;
		v[k].skip = !in_item(c, it, k);
	}
	/* Root's raw sockets; the sequence number of each echo is its target's index. */
	struct probe_echo_opts o = { .timeout_ms = it->stat ? TIMEOUT_MS : ARP_TIMEOUT_MS, .resend_ms = RESEND_MS, .raw = true,
				     .id = (uint16_t)(0x4e00 ^ (getpid() << 4) ^ it->src), .size = 16 };
	/* A missing node simply reaches nothing. */
	probe_echo_from(s->node, v, c->nt, &o, NULL);
	for (size_t k = it->from; k < it->to; k++)
		if (!v[k].skip)
			s->ok[k] = v[k].state == PROBE_REPLY;
	return 0;
}

/* The entries pair (si, k) needs at both ends: at the source, the target's address
 * on each link from which it is on-link; at the target, each such source address. */
static size_t pair_keys(const struct pa_ctx *c, size_t si, size_t k, struct neigh_key *out, size_t room)
{
	const struct pa_target *t = &c->t[k];
	const struct neigh_addr *a;
	size_t na = neigh_guard_addrs(c->g, si, &a), n = 0;
	for (size_t i = 0; i < na && n + 2 <= room; i++) {
		if (!nsnet_prefix_contains(&a[i].addr, &t->addr))
			continue;
		out[n] = (struct neigh_key){ .slot = si, .ifindex = a[i].ifindex, .addr = t->addr };
		memcpy(out[n++].mac, t->mac, 6);
		out[n] = (struct neigh_key){ .slot = t->slot, .ifindex = t->ifindex, .addr = a[i].addr };
		memcpy(out[n++].mac, a[i].mac, 6);
	}
	return n;
}

static bool onlink(const struct pa_ctx *c, size_t si, size_t k)
{
	const struct neigh_addr *a;
	size_t na = neigh_guard_addrs(c->g, si, &a);
	for (size_t i = 0; i < na; i++)
		if (nsnet_prefix_contains(&a[i].addr, &c->t[k].addr))
			return true;
	return false;
}

/* Where each target sits: its node's slot, and the link and MAC of its address. */
static void locate_targets(struct pa_ctx *c)
{
	json_t *slots = json_object();
	for (size_t i = 0; i < c->ns; i++)
		json_object_set_new(slots, c->s[i].node, json_integer((json_int_t)i));
	for (size_t k = 0; k < c->nt; k++) {
		struct pa_target *t = &c->t[k];
		json_t *j = json_object_get(slots, t->node);
		t->slot = j ? (size_t)json_integer_value(j) : SIZE_MAX;
		t->ifindex = 0;
		const struct neigh_addr *a;
		size_t na = j ? neigh_guard_addrs(c->g, t->slot, &a) : 0;
		for (size_t i = 0; i < na; i++) {
			if (a[i].addr.family == t->addr.family &&
			    !memcmp(a[i].addr.addr, t->addr.addr, t->addr.family == AF_INET ? 4 : 16)) {
				t->ifindex = a[i].ifindex;
				memcpy(t->mac, a[i].mac, 6);
				break;
			}
		}
	}
	json_decref(slots);
}

/* Sort each pair into enum pa_how. Unless arp_all, in each network or link and
 * family one on-link pair per source stays with ARP: the next member after it
 * (in node order, round the ring), so every member both sends ARP requests and
 * answers one; the other on-link pairs are pre-resolved. */
static void classify(struct pa_ctx *c)
{
	for (size_t si = 0; si < c->ns; si++) {
		uint8_t *how = c->s[si].how;
		size_t best[2] = { SIZE_MAX, SIZE_MAX }, dist[2] = { SIZE_MAX, SIZE_MAX };
		for (size_t k = 0; k < c->nt; k++) {
			const struct pa_target *t = &c->t[k];
			if (streq(t->node, c->s[si].node))
				how[k] = PA_SELF;
			else if (t->slot != SIZE_MAX && t->ifindex && onlink(c, si, k))
				how[k] = c->arp_all ? PA_ARP : PA_STATIC;
			else
				how[k] = PA_ROUTED;
			if (how[k] == PA_STATIC) {
				int f = t->addr.family == AF_INET6;
				size_t d = (t->slot + c->ns - si) % c->ns;
				if (d < dist[f]) {
					dist[f] = d;
					best[f] = k;
				}
			}
			/* The end of a network's or link's targets (they come together). */
			if (k + 1 == c->nt || c->t[k + 1].gid != t->gid) {
				for (int f = 0; f < 2; f++)
					if (best[f] != SIZE_MAX)
						how[best[f]] = PA_ARP;
				best[0] = best[1] = dist[0] = dist[1] = SIZE_MAX;
			}
		}
	}
}

static int key_cmp(const void *a, const void *b)
{
	const struct neigh_key *x = a, *y = b;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	return memcmp(x->addr.addr, y->addr.addr, 16);
}

/* Ping the wave's items, with the neighbour entries put in first (static phase)
 * and deleted after; a wave through gateways restores every table from the
 * snapshot (the gateways' entries are not known in advance). */
static int run_wave(struct pa_ctx *c, bool stat, bool routed, struct nsnet_error *e)
{
	struct neigh_key *keys = NULL;
	size_t nk = 0, cap = 0;
	for (size_t w = 0; w < c->nitems; w++) {
		const struct pa_item *it = &c->items[w];
		const uint8_t *how = c->s[it->src].how;
		for (size_t k = it->from; k < it->to; k++) {
			if (!in_item(c, it, k) || how[k] == PA_ROUTED)
				continue;
			if (nk + 8 > cap) {
				size_t nc = cap ? cap * 2 : 1024;
				struct neigh_key *nkeys = realloc(keys, nc * sizeof(*keys));
				if (!nkeys) {
					free(keys);
					return nsnet_err(e, ENOMEM, "pingall");
				}
				keys = nkeys;
				cap = nc;
			}
			nk += pair_keys(c, it->src, k, keys + nk, cap - nk);
		}
	}
	/* A pair and its reverse need the same two entries: once is enough. */
	if (nk)
		qsort(keys, nk, sizeof(*keys), key_cmp);
	size_t u = 0;
	for (size_t i = 0; i < nk; i++)
		if (!u || key_cmp(&keys[u - 1], &keys[i]))
			keys[u++] = keys[i];
	nk = u;
	int r = stat ? neigh_guard_put(c->g, keys, nk, e) : 0;
	if (r >= 0)
		r = run_parallel_threads(c->nitems, ping_item, c, 64, e);
	neigh_guard_drop(c->g, keys, nk);
	if (routed)
		neigh_guard_restore(c->g);
	free(keys);
	c->nitems = 0;
	return r;
}

/* The ARP phase: at most half the budget's pairs (two entries each) a wave, a
 * source's targets cut into pieces where they are more. */
static int arp_phase(struct pa_ctx *c, struct nsnet_error *e)
{
	size_t cap = neigh_budget() / 2, pairs = 0;
	bool routed = false;
	int r = 0;
	if (!cap)
		cap = 1;
	for (size_t si = 0; si < c->ns && r >= 0; si++) {
		for (size_t k = 0; k < c->nt && r >= 0;) {
			size_t from = k, n = 0;
			for (; k < c->nt && pairs + n < cap; k++) {
				if (in_phase(c->s[si].how[k], false)) {
					n++;
					routed |= c->s[si].how[k] == PA_ROUTED;
				}
			}
			if (n)
				c->items[c->nitems++] = (struct pa_item){ .src = si, .from = from, .to = k };
			pairs += n;
			if (pairs >= cap) {
				r = run_wave(c, false, routed, e);
				pairs = 0;
				routed = false;
			}
		}
	}
	return r >= 0 && c->nitems ? run_wave(c, false, routed, e) : r;
}

/* The static phase, by blocks of nodes: a wave is a pair of blocks (A, B) where
 * A's nodes ping B's addresses and B's nodes A's, so that each entry put (at a for
 * b's address, at b for a's) serves both directions. Blocks as big as STATIC_CAP
 * entries allow (256 nodes of one address each). */
static int static_phase(struct pa_ctx *c, struct nsnet_error *e)
{
	size_t per = c->ns ? (c->nt + c->ns - 1) / c->ns : 1, b = 1;
	if (!per)
		per = 1;
	while (2 * (b + 1) * (b + 1) * per * per <= STATIC_CAP)
		b++;
	int r = 0;
	for (size_t i = 0; i < c->ns && r >= 0; i += b) {
		for (size_t j = i; j < c->ns && r >= 0; j += b) {
			size_t ie = i + b < c->ns ? i + b : c->ns, je = j + b < c->ns ? j + b : c->ns;
			for (size_t si = i; si < ie; si++)
				c->items[c->nitems++] = (struct pa_item){ .src = si, .to = c->nt, .lo = j, .hi = je, .stat = true };
			for (size_t si = j; si < je && j != i; si++)
				c->items[c->nitems++] = (struct pa_item){ .src = si, .to = c->nt, .lo = i, .hi = ie, .stat = true };
			r = run_wave(c, true, false, e);
		}
	}
	return r;
}

int pa_run(struct pa_ctx *c, struct nsnet_error *e)
{
	const char **names = calloc(c->ns + 1, sizeof(*names));
	if (!names)
		return nsnet_err(e, ENOMEM, "pingall");
	for (size_t j = 0; j < c->ns; j++)
		names[j] = c->s[j].node;
	int r = neigh_guard_open(names, c->ns, &c->g, e);
	free(names);
	if (r < 0)
		return r;
	/* A wave holds at most one item per source in the static phase and at most
	 * cap pairs (so cap items) plus one per source in the ARP phase. */
	c->items = calloc(c->ns + neigh_budget() + 2, sizeof(*c->items));
	if (!c->items) {
		neigh_guard_free(c->g);
		return nsnet_err(e, ENOMEM, "pingall");
	}
	locate_targets(c);
	classify(c);
	r = arp_phase(c, e);
	if (r >= 0)
		r = static_phase(c, e);
	/* Whatever else traffic of ours left (a gateway's entry, an entry learnt while a
	 * permanent one was being deleted): gone too. */
	neigh_guard_restore(c->g);
	neigh_guard_free(c->g);
	c->g = NULL;
	free(c->items);
	c->items = NULL;
	return r;
}
