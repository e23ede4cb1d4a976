/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network's VXLAN port: the link (learning off, a port of the bridge) and its
 * forwarding entries, one all-zeros entry per peer, so that broadcast (ARP) and
 * frames to MACs not known yet go to every peer (head-end replication, as flannel
 * does). Adding or removing a peer touches only those entries.
 */
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include "link/link.h"
#include "base/base.h"

int vxlan_create(struct nl *host, const struct vxlan_msg *m, bool no_ipv6ll, const struct nsnet_prefix *peers,
		 size_t n, struct nsnet_error *e)
{
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_vxlan_add(&b, m);
	int r = nl_batch_send(host, &b, e);
	if (r < 0)
		return r;
	int idx = link_index(host, m->name);
	if (idx < 0)
		return nsnet_err(e, -idx, "find vxlan %s", m->name);
	if (no_ipv6ll)
		msg_link_set(&b, idx, m->name, LINK_NO_IPV6LL);
	for (size_t i = 0; i < n; i++)
		msg_vxlan_fdb(&b, true, idx, m->name, &peers[i]);
	msg_link_set(&b, idx, m->name, LINK_UP);
	return nl_batch_send(host, &b, e);
}

int vxlan_fdb_change(struct nl *host, const char *ifname, const struct nsnet_prefix *add, size_t n_add,
		     const struct nsnet_prefix *del, size_t n_del, struct nsnet_error *e)
{
	int idx = link_index(host, ifname);
	if (idx < 0)
		return nsnet_err(e, -idx, "VXLAN port %s", ifname);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	for (size_t i = 0; i < n_del; i++) {
		msg_vxlan_fdb(&b, false, idx, ifname, &del[i]);
		nl_batch_tolerate(&b, ENOENT);  /* gone already: what was wanted */
	}
	for (size_t i = 0; i < n_add; i++) {
		msg_vxlan_fdb(&b, true, idx, ifname, &add[i]);
		nl_batch_tolerate(&b, EEXIST);
	}
	return nl_batch_count(&b) ? nl_batch_send(host, &b, e) : 0;
}

struct fdb_peers {
	int index;
	struct nsnet_prefix *v;
	size_t n, cap;
	int err;
};

static int peers_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fdb_peers *p = data;
	struct rtnl_fdb f;
	static const uint8_t zero[6];
	if (rtnl_fdb_decode(nlh, &f) <= 0 || f.index != p->index || !f.dst.family || f.lladdr_len != 6 ||
	    memcmp(f.lladdr, zero, 6) != 0)
		return MNL_CB_OK;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct nsnet_prefix *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			p->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = f.dst;
	return MNL_CB_OK;
}

static void peers_reset(void *data)
{
	((struct fdb_peers *)data)->n = 0;
}

int vxlan_fdb_peers(struct nl *host, int index, struct nsnet_prefix **ret, size_t *ret_n, struct nsnet_error *e)
{
	struct fdb_peers p = { .index = index };
	int r = rtnl_dump_fdb(host, index, peers_cb, peers_reset, &p, e);
	if (r < 0 || p.err < 0) {
		free(p.v);
		return r < 0 ? r : nsnet_err(e, -p.err, "forwarding entries");
	}
	*ret = p.v;
	*ret_n = p.n;
	return 0;
}

struct addr_find {
	const struct nsnet_prefix *a;
	int index;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_find *f = data;
	struct rtnl_addr a;
	if (rtnl_addr_decode(nlh, &a) > 0 && nsnet_addr_equal(&a.addr, f->a))
		f->index = a.index;
	return MNL_CB_OK;
}

static void addr_reset(void *data)
{
	((struct addr_find *)data)->index = 0;
}

int host_addr_link(struct nl *host, const struct nsnet_prefix *a, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	struct addr_find f = { a, 0 };
	int r = nl_dump(host, nlh, addr_cb, addr_reset, &f, e);
	return r < 0 ? r : f.index > 0 ? f.index : -EADDRNOTAVAIL;
}
