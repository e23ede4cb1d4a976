/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One watched namespace: its rtnetlink and nfnetlink sockets, subscribed to the
 * multicast groups of what monitor reports, and what it has now (read once, so
 * that the first NEW message about an object can be told from a change).
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/nsfs.h>
#include "observe/observe.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

int mon_ns_identity(int fd, dev_t *dev, ino_t *ino)
{
	struct statfs sf;
	struct stat st;
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
		return -errno;
	/* `ip netns add` creates /run/netns/NAME as an empty file and only then mounts
	 * the namespace over it: opened in between, it is a plain file of /run. */
	if (sf.f_type != NSFS_MAGIC || ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
		return -ENOTTY;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

struct socks {
	int rt, nf;
};

/* In a thread inside the namespace: a netlink socket belongs for good to the
 * namespace it was created in, whichever thread reads it later. */
static int make_sockets(void *arg)
{
	struct socks *s = arg;
	s->rt = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (s->rt < 0)
		return -errno;
	/* Without nfnetlink (a kernel without netfilter) there are just no nft events. */
	s->nf = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
	return 0;
}

static int subscribe(int fd, const unsigned *groups, size_t n, struct mnl_socket **ret)
{
	/* Events come in bursts (a lab going up is thousands): a big queue loses none. */
	int big = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	struct mnl_socket *s = mnl_socket_fdopen(fd);
	if (!s)
		return -errno;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		int g = (int)groups[i];
		if (mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			goto fail;
	}
	*ret = s;
	return 0;
fail:;
	int r = -errno;
	mnl_socket_close(s);
	return r;
}

static const unsigned rt_groups[] = { RTNLGRP_LINK,	  RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
				      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,  RTNLGRP_NEIGH };
static const unsigned nf_groups[] = { NFNLGRP_NFTABLES };

/* ---- what is there now ---------------------------------------------------------- */

struct learn {
	struct mon_ns *ns;
	const char *prefix;   /* the keys of the kind being dumped: "link ", "addr "... */
};

static int learn_cb(const struct nlmsghdr *nlh, void *data)
{
	int r = mon_rtnl_learn(((struct learn *)data)->ns, (struct nlmsghdr *)nlh);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* A dump interrupted by a change starts again: forget what it had said so far. */
static void learn_reset(void *data)
{
	struct learn *l = data;
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(l->ns->known, tmp, k, v) if (strncmp(k, l->prefix, strlen(l->prefix)) == 0)
		json_object_del(l->ns->known, k);
}

static int dump(struct nl *nl, struct mon_ns *ns, uint16_t type, size_t hdr, const char *prefix, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct learn l = { ns, prefix };
	if (type == RTM_GETLINK)
		return rtnl_dump_links(nl, learn_cb, learn_reset, &l, e);
	struct nlmsghdr *nlh = nl_msg(buf, type, NLM_F_DUMP);
	/* Family AF_UNSPEC (zero), every table: IPv4 and IPv6, main and local alike. */
	memset(mnl_nlmsg_put_extra_header(nlh, hdr), 0, hdr);
	return nl_dump(nl, nlh, learn_cb, learn_reset, &l, e);
}

int mon_ns_resync(struct mon_ns *ns, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	json_object_clear(ns->known);
	/* Links first: the others are reported with their device's name. */
	int r = nl_open_fd(ns->nsfd, &nl, e);
	if (r < 0 || (r = dump(nl, ns, RTM_GETLINK, 0, "link ", e)) < 0 ||
	    (r = dump(nl, ns, RTM_GETADDR, sizeof(struct ifaddrmsg), "addr ", e)) < 0 ||
	    (r = dump(nl, ns, RTM_GETROUTE, sizeof(struct rtmsg), "route ", e)) < 0 ||
	    (r = dump(nl, ns, RTM_GETNEIGH, sizeof(struct ndmsg), "neigh ", e)) < 0)
		return nsnet_err_wrap(e, "read namespace %s", ns->label);
	return 0;
}

/* ---- open and close -------------------------------------------------------------- */

void mon_ns_free(struct mon_ns *ns)
{
	if (!ns)
		return;
	if (ns->rt)
		mnl_socket_close(ns->rt);
	if (ns->nf)
		mnl_socket_close(ns->nf);
	if (ns->nsfd >= 0)
		close(ns->nsfd);
	json_decref(ns->known);
	free(ns->label);
	free(ns);
}

int mon_ns_open(int nsfd, const char *label, bool followed, struct mon_ns **ret, struct nsnet_error *e)
{
	struct mon_ns *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return nsnet_err(e, ENOMEM, "watch namespace %s", label);
	ns->nsfd = -1;
	ns->followed = followed;
	ns->label = strdup(label);
	ns->known = json_object();
	int r = -ENOMEM;
	if (!ns->label || !ns->known)
		goto fail;
	if ((r = mon_ns_identity(nsfd, &ns->dev, &ns->ino)) < 0)
		goto fail;
	ns->nsfd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
	if (ns->nsfd < 0) {
		r = -errno;
		goto fail;
	}
	struct socks s = { -1, -1 };
	if ((r = ns_run_in(nsfd, make_sockets, &s)) < 0)
		goto fail;
	r = subscribe(s.rt, rt_groups, ARRAY_SIZE(rt_groups), &ns->rt);
	if (r < 0) {
		close(s.rt);
		if (s.nf >= 0)
			close(s.nf);
		goto fail;
	}
	/* No nftables events is not a reason to watch nothing: the links still count. */
	if (s.nf >= 0 && subscribe(s.nf, nf_groups, ARRAY_SIZE(nf_groups), &ns->nf) < 0) {
		close(s.nf);
		ns->nf = NULL;
	}
	/* Subscribed before the dump: an object made in between is seen twice (once
	 * reported as a change) rather than never. */
	if ((r = mon_ns_resync(ns, e)) < 0) {
		mon_ns_free(ns);
		return r;
	}
	*ret = ns;
	return 0;
fail:
	mon_ns_free(ns);
	if (r == -ENOTTY)
		return nsnet_errx(e, ENOTTY, "watch namespace %s: not a network namespace", label);
	return nsnet_err(e, -r, "watch namespace %s", label);
}
