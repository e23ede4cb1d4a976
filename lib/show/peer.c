/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `nsnet show`: the far end of a veth in another namespace. The link dump gives the
 * peer's ifindex and the peer namespace's *nsid*, a number private to the namespace
 * that reports it. Which named namespace an nsid means is learnt by asking, on this
 * namespace's socket, for the nsid of a candidate's fd (RTM_GETNSID, NETNSA_FD);
 * the peer's name comes from one RTM_GETLINK aimed at that nsid (IFLA_TARGET_NETNSID),
 * so the peer namespace is never entered or dumped.
 *
 * Showing N namespaces must not cost N*N questions. Candidates are asked lazily,
 * only while an unknown nsid remains, every answer is kept for the namespace being
 * shown, and namespaces recently found holding peers are asked first: in a star
 * (N namespaces wired to one hub) each leaf finds the hub with its first question
 * and the hub asks each candidate at most once.
 */
#include <fcntl.h>
#include <linux/net_namespace.h>
#include "netns/netns.h"
#include "show/show.h"
#include "base/base.h"

#define MRU_MAX 8

struct show_peers {
	char **names;        /* every named namespace; candidate index n is the host */
	size_t n;
	int *nsid;           /* per candidate: its nsid in the current namespace (-1: none) */
	unsigned *gen;       /* per candidate: the namespace (generation) that answer is for */
	unsigned cur;
	size_t cursor;       /* next position of the full scan not asked yet in this namespace */
	size_t mru[MRU_MAX]; /* candidates recently found holding peers, most recent first */
	size_t n_mru;
	struct { unsigned gen; size_t cand; } *byid;  /* nsid -> candidate, this namespace */
	size_t byid_cap;
	struct nl *nl;
	const char *ns;
};

int show_peers_new(struct show_peers **ret, struct nsnet_error *e)
{
	struct show_peers *p = calloc(1, sizeof(*p));
	if (!p)
		return nsnet_err(e, ENOMEM, "resolve veth peers");
	int r = nsnet_ns_list(&p->names, &p->n, e);
	if (r < 0) {
		free(p);
		return r;
	}
	p->nsid = calloc(p->n + 1, sizeof(*p->nsid));
	p->gen = calloc(p->n + 1, sizeof(*p->gen));
	if (!p->nsid || !p->gen) {
		show_peers_free(p);
		return nsnet_err(e, ENOMEM, "resolve veth peers");
	}
	*ret = p;
	return 0;
}

void show_peers_free(struct show_peers *p)
{
	if (!p)
		return;
	nsnet_strv_free(p->names, p->n);
	free(p->nsid);
	free(p->gen);
	free(p->byid);
	free(p);
}

void show_peers_enter(struct show_peers *p, struct nl *nl, const char *ns)
{
	p->nl = nl;
	p->ns = ns;
	p->cur++;   /* every earlier answer was about another namespace */
	p->cursor = 0;
}

static const char *cand_name(const struct show_peers *p, size_t c)
{
	return c == p->n ? NSNET_HOST : p->names[c];
}

int show_nl_get(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char buf[32768];
	req->nlmsg_flags = NLM_F_REQUEST;   /* the answer is the reply; an error comes instead */
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		int r = nl_cb_run(buf, n, req->nlmsg_seq, nl->portid, cb, data);
		if (r >= 0)
			return 0;
		if (errno != ESRCH)   /* ESRCH: a stale message of an earlier request */
			return -errno;
	}
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*(int *)data = (int32_t)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static void remember(struct show_peers *p, int id, size_t c)
{
	if (id < 0 || id > 1 << 20)
		return;
	if ((size_t)id >= p->byid_cap) {
		size_t cap = p->byid_cap ? p->byid_cap : 64;
		while (cap <= (size_t)id)
			cap *= 2;
		void *v = realloc(p->byid, cap * sizeof(*p->byid));
		if (!v)
			return;   /* only a cache: the answer is still in nsid[] */
		p->byid = v;
		memset(p->byid + p->byid_cap, 0, (cap - p->byid_cap) * sizeof(*p->byid));
		p->byid_cap = cap;
	}
	p->byid[id].gen = p->cur;
	p->byid[id].cand = c;
}

/* Ask for candidate c's nsid in the current namespace. A namespace that vanished
 * or cannot be asked simply is not the one. */
static int ask(struct show_peers *p, size_t c)
{
	p->gen[c] = p->cur;
	p->nsid[c] = -1;
	_cleanup_close_ int fd = -1;
	if (c == p->n)
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	else {
		char path[4096];
		if (netns_path(p->names[c], path, sizeof(path)) == 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	char buf[256];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETNSID, 0);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	int id = -1;
	if (show_nl_get(p->nl, nlh, nsid_cb, &id) < 0)
		return -1;
	p->nsid[c] = id;
	remember(p, id, c);
	return id;
}

static void mru_push(struct show_peers *p, size_t c)
{
	size_t i = 0;
	while (i < p->n_mru && p->mru[i] != c)
		i++;
	if (i == p->n_mru && p->n_mru < MRU_MAX)
		p->n_mru++;
	if (i == MRU_MAX)
		i = MRU_MAX - 1;
	memmove(p->mru + 1, p->mru, i * sizeof(*p->mru));
	p->mru[0] = c;
}

/* The candidate whose nsid in the current namespace is id, or -1. */
static ssize_t lookup(struct show_peers *p, int id)
{
	if (id >= 0 && (size_t)id < p->byid_cap && p->byid[id].gen == p->cur) {
		mru_push(p, p->byid[id].cand);
		return (ssize_t)p->byid[id].cand;
	}
	for (size_t i = 0; i < p->n_mru; i++) {
		size_t c = p->mru[i];
		if (p->gen[c] != p->cur && ask(p, c) == id) {
			mru_push(p, c);
			return (ssize_t)c;
		}
	}
	/* The host first: "peer in the host" is the commonest case after the MRU. */
	while (p->cursor <= p->n) {
		size_t c = p->cursor == 0 ? p->n : p->cursor - 1;
		p->cursor++;
		if (p->gen[c] != p->cur && ask(p, c) == id) {
			mru_push(p, c);
			return (ssize_t)c;
		}
	}
	return -1;
}

static int name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link l;
	if (rtnl_link_decode(nlh, &l) > 0 && l.name[0])
		snprintf(data, IF_NAMESIZE, "%s", l.name);
	return MNL_CB_OK;
}

/* The name of ifindex in the namespace that is nsid here, without entering it. */
static int peer_name(struct nl *nl, int nsid, int ifindex, char name[IF_NAMESIZE])
{
	char buf[512];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	name[0] = 0;
	int r = show_nl_get(nl, nlh, name_cb, name);
	return r < 0 ? r : name[0] ? 0 : -ENODEV;
}

static json_t *peer_json(const char *name, int index, const char *ns, int nsid)
{
	json_t *o = json_object();
	if (!o || show_set(o, "name", show_str_or_null(name)) || show_set(o, "index", json_integer(index)) ||
	    show_set(o, "namespace", show_str_or_null(ns)) ||
	    show_set(o, "nsid", nsid >= 0 ? json_integer(nsid) : json_null())) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int show_peers_resolve(struct show_peers *p, const struct show_links *l, struct nsnet_error *e)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct show_link *k = &l->v[i];
		if (!k->veth || k->link <= 0)
			continue;
		json_t *peer;
		if (k->link_nsid < 0) {
			/* Both ends in this namespace. */
			peer = peer_json(show_links_name(l, k->link), k->link, p->ns, -1);
		} else {
			char name[IF_NAMESIZE];
			ssize_t c = lookup(p, k->link_nsid);
			bool named = peer_name(p->nl, k->link_nsid, k->link, name) == 0;
			peer = peer_json(named ? name : NULL, k->link, c >= 0 ? cand_name(p, (size_t)c) : NULL,
					 k->link_nsid);
		}
		if (show_set(k->obj, "peer", peer) < 0)
			return nsnet_err(e, ENOMEM, "interface %s: peer", k->name);
	}
	return 0;
}
