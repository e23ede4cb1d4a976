/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshot neighbour tables; later put or drop given entries and delete what is new.
 * One rtnetlink socket per namespace is opened once and kept until the guard is
 * freed, so a wave's clean-up costs one batch per namespace it touched, not a
 * socket and a dump in every namespace.
 */
#include <sched.h>
#include <net/if_arp.h>
#include <linux/neighbour.h>
#include "rtnl/rtnl.h"
#include "link/link.h"
#include "base/base.h"

struct entry {
	uint8_t family;
	int ifindex;
	uint8_t addr[16];
};

struct table {
	struct entry *e;
	size_t n, cap;
};

struct mac {
	int index;
	uint8_t mac[6];
};

struct ns_slot {
	const char *name;
	struct nl *nl;
	struct table before;
	struct neigh_addr *addrs;   /* of its Ethernet links, read at open */
	size_t naddrs;
	struct mac *macs;           /* scratch while reading them */
	size_t nmacs;
	/* The keys of the current put or drop that are this slot's (see by_slot). */
	const struct neigh_key **keys;
	size_t nkeys;
};

struct neigh_guard {
	struct ns_slot *s;
	size_t n;
	bool put;   /* what slot_apply does: add (true) or delete */
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *np = realloc(*p, c * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;
	struct rtnl_neigh d;
	/* Permanent entries are set by hand (ours are deleted by key, neigh_guard_drop):
	 * never this one's to delete. NOARP ones are the kernel's too (multicast,
	 * loopback: NDP to a solicited-node address makes one) and go if new. */
	if (rtnl_neigh_decode(nlh, &d) <= 0 || d.state & NUD_PERMANENT)
		return MNL_CB_OK;
	if (grow((void **)&t->e, &t->cap, t->n, sizeof(*t->e)) < 0)
		return MNL_CB_ERROR;
	struct entry *en = &t->e[t->n++];
	memset(en, 0, sizeof(*en));
	en->family = (uint8_t)d.dst.family;
	en->ifindex = d.index;
	memcpy(en->addr, d.dst.addr, d.dst.family == AF_INET ? 4 : 16);
	return MNL_CB_OK;
}

static void table_reset(void *data)
{
	((struct table *)data)->n = 0;
}

static int dump(struct nl *nl, struct table *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETNEIGH, 0);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_UNSPEC;
	t->n = 0;
	return nl_dump(nl, nlh, entry_cb, table_reset, t, NULL);
}

static bool has(const struct table *t, uint8_t family, int ifindex, const uint8_t *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].family == family && t->e[i].ifindex == ifindex &&
		    !memcmp(t->e[i].addr, addr, family == AF_INET ? 4 : 16))
			return true;
	return false;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ns_slot *s = data;
	struct rtnl_link l;
	/* Only Ethernet links resolve neighbours by MAC (not lo, tun, wireguard...). */
	if (rtnl_link_decode(nlh, &l) <= 0 || l.type != ARPHRD_ETHER || l.mac_len != 6)
		return MNL_CB_OK;
	size_t cap = s->nmacs;   /* grown one by one: a node has few links */
	struct mac *m = realloc(s->macs, (cap + 1) * sizeof(*m));
	if (!m)
		return MNL_CB_ERROR;
	s->macs = m;
	m[s->nmacs].index = l.index;
	memcpy(m[s->nmacs++].mac, l.mac, 6);
	return MNL_CB_OK;
}

static void link_reset(void *data)
{
	((struct ns_slot *)data)->nmacs = 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ns_slot *s = data;
	struct rtnl_addr a;
	if (rtnl_addr_decode(nlh, &a) <= 0)
		return MNL_CB_OK;
	for (size_t i = 0; i < s->nmacs; i++) {
		if (s->macs[i].index != a.index)
			continue;
		struct neigh_addr *na = realloc(s->addrs, (s->naddrs + 1) * sizeof(*na));
		if (!na)
			return MNL_CB_ERROR;
		s->addrs = na;
		na[s->naddrs++] = (struct neigh_addr){ .ifindex = a.index, .addr = a.addr };
		memcpy(na[s->naddrs - 1].mac, s->macs[i].mac, 6);
		break;
	}
	return MNL_CB_OK;
}

static void addr_reset(void *data)
{
	((struct ns_slot *)data)->naddrs = 0;
}

static int read_addrs(struct ns_slot *s, struct nsnet_error *e)
{
	int r = rtnl_dump_links(s->nl, link_cb, link_reset, s, e);
	if (r < 0)
		return r;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETADDR, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	r = nl_dump(s->nl, nlh, addr_cb, addr_reset, s, e);
	free(s->macs);
	s->macs = NULL;
	return r;
}

static int open_one(size_t i, void *p, struct nsnet_error *e)
{
	struct neigh_guard *g = p;
	struct ns_slot *s = &g->s[i];
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(s->name, &fd, e);
	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return nsnet_err(e, errno, "enter namespace '%s'", s->name);
	if ((r = nl_open_fd(NS_SELF, &s->nl, e)) < 0)
		return r;
	if (dump(s->nl, &s->before) < 0)
		return nsnet_errx(e, EIO, "read the neighbours of '%s'", s->name);
	return read_addrs(s, e);
}

int neigh_guard_open(const char *const *ns, size_t n, struct neigh_guard **ret, struct nsnet_error *e)
{
	struct neigh_guard *g = calloc(1, sizeof(*g));
	if (!g || !(g->s = calloc(n + 1, sizeof(*g->s)))) {
		free(g);
		return nsnet_err(e, ENOMEM, "neighbour snapshot");
	}
	g->n = n;
	for (size_t i = 0; i < n; i++)
		g->s[i].name = ns[i];
	int r = run_parallel(n, open_one, g, e);
	if (r < 0) {
		neigh_guard_free(g);
		return r;
	}
	*ret = g;
	return 0;
}

size_t neigh_guard_addrs(const struct neigh_guard *g, size_t i, const struct neigh_addr **ret)
{
	*ret = g->s[i].addrs;
	return g->s[i].naddrs;
}

/* One namespace's share of a put or a drop, in one batch. Entries the snapshot had
 * are left alone either way: they were there before us. */
static int slot_apply(size_t i, void *p, struct nsnet_error *e)
{
	struct neigh_guard *g = p;
	struct ns_slot *s = &g->s[i];
	if (!s->nkeys || !s->nl)
		return 0;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	for (size_t k = 0; k < s->nkeys; k++) {
		const struct neigh_key *key = s->keys[k];
		uint8_t fam = (uint8_t)key->addr.family;
		if (has(&s->before, fam, key->ifindex, key->addr.addr))
			continue;
		/* A put replaces what traffic of ours may have learnt meanwhile (the same
		 * entry, resolved); a drop tolerates an entry already gone. */
		struct nlmsghdr *nlh = g->put ? nl_batch_msg(&b, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE,
							    "add neighbour in '%s'", s->name)
					      : nl_batch_msg(&b, RTM_DELNEIGH, 0, "delete neighbour in '%s'", s->name);
		if (!nlh)
			break;
		struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
		nd->ndm_family = fam;
		nd->ndm_ifindex = key->ifindex;
		if (g->put)
			nd->ndm_state = NUD_PERMANENT;
		mnl_attr_put_check(nlh, nl_batch_room(&b), NDA_DST, fam == AF_INET ? 4 : 16, key->addr.addr);
		if (g->put)
			mnl_attr_put_check(nlh, nl_batch_room(&b), NDA_LLADDR, 6, key->mac);
		else
			nl_batch_tolerate(&b, ENOENT);
	}
	return nl_batch_count(&b) ? nl_batch_send(s->nl, &b, e) : 0;
}

/* Hand each slot its keys (pointers into k, grouped by a counting sort), then
 * apply every slot's in parallel. */
static int by_slot(struct neigh_guard *g, const struct neigh_key *k, size_t n, bool put, struct nsnet_error *e)
{
	_cleanup_free_ const struct neigh_key **order = calloc(n + 1, sizeof(*order));
	_cleanup_free_ size_t *start = calloc(g->n + 1, sizeof(*start));
	if (!order || !start)
		return nsnet_err(e, ENOMEM, "neighbour entries");
	for (size_t i = 0; i < n; i++)
		if (k[i].slot < g->n)
			start[k[i].slot + 1]++;
	for (size_t j = 0; j < g->n; j++)
		start[j + 1] += start[j];
	for (size_t j = 0; j < g->n; j++) {
		g->s[j].keys = order + start[j];
		g->s[j].nkeys = 0;
	}
	for (size_t i = 0; i < n; i++)
		if (k[i].slot < g->n) {
			struct ns_slot *s = &g->s[k[i].slot];
			s->keys[s->nkeys++] = &k[i];
		}
	g->put = put;
	int r = run_parallel(g->n, slot_apply, g, e);
	for (size_t j = 0; j < g->n; j++) {
		g->s[j].keys = NULL;
		g->s[j].nkeys = 0;
	}
	return r;
}

int neigh_guard_put(struct neigh_guard *g, const struct neigh_key *k, size_t n, struct nsnet_error *e)
{
	return by_slot(g, k, n, true, e);
}

void neigh_guard_drop(struct neigh_guard *g, const struct neigh_key *k, size_t n)
{
	by_slot(g, k, n, false, NULL);
}

static int restore_one(size_t i, void *p, struct nsnet_error *e)
{
	struct neigh_guard *g = p;
	struct ns_slot *s = &g->s[i];
	struct table now = { 0 };
	if (s->nl && dump(s->nl, &now) == 0) {
		_cleanup_batch_ struct nl_batch b;
		nl_batch_init(&b);
		for (size_t k = 0; k < now.n; k++) {
			if (has(&s->before, now.e[k].family, now.e[k].ifindex, now.e[k].addr))
				continue;
			struct nlmsghdr *nlh = nl_batch_msg(&b, RTM_DELNEIGH, 0, "delete neighbour");
			if (!nlh)
				break;
			struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
			nd->ndm_family = now.e[k].family;
			nd->ndm_ifindex = now.e[k].ifindex;
			mnl_attr_put_check(nlh, nl_batch_room(&b), NDA_DST, now.e[k].family == AF_INET ? 4 : 16,
					   now.e[k].addr);
			nl_batch_tolerate(&b, ENOENT);
		}
		if (nl_batch_count(&b))
			nl_batch_send(s->nl, &b, NULL);
	}
	free(now.e);
	(void)e;
	return 0;
}

void neigh_guard_restore(struct neigh_guard *g)
{
	run_parallel(g->n, restore_one, g, NULL);
}

void neigh_guard_free(struct neigh_guard *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		if (g->s[i].nl)
			nl_close(g->s[i].nl);
		free(g->s[i].before.e);
		free(g->s[i].addrs);
		free(g->s[i].macs);
	}
	free(g->s);
	free(g);
}

size_t neigh_budget(void)
{
	char buf[32];
	long thresh = 1024;
	/* Only visible from the initial namespace; elsewhere assume the default. */
	if (read_file_line("/proc/sys/net/ipv4/neigh/default/gc_thresh3", buf, sizeof(buf)) == 0)
		thresh = strtol(buf, NULL, 10);
	return thresh > 64 ? (size_t)thresh / 2 : 16;
}
