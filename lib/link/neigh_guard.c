/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Snapshot neighbour tables, and later delete what is new in them. */
#include <sched.h>
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

struct ns_slot {
	const char *name;
	struct nl *nl;
	struct table before;
};

struct neigh_guard {
	struct ns_slot *s;
	size_t n;
};

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;
	struct rtnl_neigh d;
	/* Entries set by hand (permanent, noarp) are never ours to delete. */
	if (rtnl_neigh_decode(nlh, &d) <= 0 || d.state & (NUD_PERMANENT | NUD_NOARP))
		return MNL_CB_OK;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct entry *ne = realloc(t->e, cap * sizeof(*ne));
		if (!ne)
			return MNL_CB_ERROR;
		t->e = ne;
		t->cap = cap;
	}
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

static bool has(const struct table *t, const struct entry *x)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].family == x->family && t->e[i].ifindex == x->ifindex && !memcmp(t->e[i].addr, x->addr, 16))
			return true;
	return false;
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
	return dump(s->nl, &s->before) < 0 ? nsnet_errx(e, EIO, "read the neighbours of '%s'", s->name) : 0;
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

static int restore_one(size_t i, void *p, struct nsnet_error *e)
{
	struct neigh_guard *g = p;
	struct ns_slot *s = &g->s[i];
	struct table now = { 0 };
	if (dump(s->nl, &now) == 0) {
		_cleanup_batch_ struct nl_batch b;
		nl_batch_init(&b);
		for (size_t k = 0; k < now.n; k++) {
			if (has(&s->before, &now.e[k]))
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
