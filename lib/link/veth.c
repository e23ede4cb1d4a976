/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `connect`: one veth pair between two namespaces, made in place, atomic. */
#include <ctype.h>
#include <linux/if_link.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

/* Bring lo and ifname up in ns and give ifname its address. */
static int configure_end(const char *ns, const char *ifname, const struct nsnet_prefix *ip, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open(ns, &nl, e);
	if (r < 0)
		return r;
	int idx = link_index(nl, ifname);
	if (idx < 0)
		return nsnet_err(e, idx, "find %s in %s", ifname, ns);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_set(&b, 0, "lo", LINK_UP);
	msg_link_set(&b, idx, ifname, LINK_UP);
	if (ip)
		msg_addr(&b, true, idx, ip, ifname);
	r = nl_batch_send(nl, &b, e);
	return r < 0 ? nsnet_err_wrap(e, "in %s", ns) : 0;
}

static int delete_in(const char *ns, const char *ifname)
{
	_cleanup_nl_ struct nl *nl = NULL;
	if (nl_open(ns, &nl, NULL) < 0)
		return -EIO;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_del(&b, 0, ifname);
	return nl_batch_send(nl, &b, NULL);
}

static int check_spec(const struct nsnet_veth_spec *s, struct nsnet_error *e)
{
	int r;
	/* Namespaces first: a default interface name is derived from them. */
	for (int i = 0; i < 2; i++) {
		const char *ns = i ? s->ns_b : s->ns_a;
		if (!streq(ns, NSNET_HOST) && (r = nsnet_ns_name_check(ns, e)) < 0)
			return r;
	}
	if ((r = nsnet_ifname_check(s->if_a, e)) < 0 || (r = nsnet_ifname_check(s->if_b, e)) < 0)
		return r;
	if (streq(s->ns_a, s->ns_b) && streq(s->if_a, s->if_b))
		return nsnet_errx(e, EINVAL, "both ends would be %s in %s", s->if_a, s->ns_a);
	if (s->ip_a && s->ip_b && s->ip_a->family != s->ip_b->family)
		return nsnet_errx(e, EINVAL, "the two addresses are of different families");
	/* One address on both ends of a cable: each end would answer for the other. */
	if (s->ip_a && s->ip_b && memcmp(s->ip_a->addr, s->ip_b->addr, s->ip_a->family == AF_INET ? 4 : 16) == 0) {
		char buf[64];
		return nsnet_errx(e, EINVAL, "both ends would have the address %s",
				  nsnet_prefix_str(s->ip_a, false, buf, sizeof(buf)));
	}
	if (s->mtu && (s->mtu < 68 || s->mtu > 65535))
		return nsnet_errx(e, EINVAL, "invalid MTU %u: must be 68..65535", s->mtu);
	for (int i = 0; i < 2; i++) {
		const char *ns = i ? s->ns_b : s->ns_a;
		if (!nsnet_ns_exists(ns))
			return nsnet_errx(e, ENOENT, "connect %s and %s: namespace '%s' not found", s->ns_a, s->ns_b, ns);
	}
	return 0;
}

int nsnet_veth_add(const struct nsnet_veth_spec *s, struct nsnet_error *e)
{
	int r = check_spec(s, e);
	if (r < 0)
		return r;
	_cleanup_close_ int fa = -1, fb = -1;
	if ((r = nsnet_ns_open(s->ns_a, &fa, e)) < 0 || (r = nsnet_ns_open(s->ns_b, &fb, e)) < 0)
		return r;
	_cleanup_nl_ struct nl *nl = NULL;
	if ((r = nl_open_fd(NS_SELF, &nl, e)) < 0)
		return r;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	struct veth_msg v = { .name = s->if_a, .ns_fd = fa, .peer = s->if_b, .peer_fd = fb, .mtu = s->mtu };
	msg_veth_add(&b, &v);
	r = nl_batch_send(nl, &b, e);
	if (r == -EEXIST)
		return nsnet_errx(e, EEXIST, "connect %s and %s: an interface named %s in %s or %s in %s exists already",
				  s->ns_a, s->ns_b, s->if_a, s->ns_a, s->if_b, s->ns_b);
	if (r < 0)
		return nsnet_err_wrap(e, "connect %s and %s", s->ns_a, s->ns_b);
	if ((r = configure_end(s->ns_a, s->if_a, s->ip_a, e)) < 0 ||
	    (r = configure_end(s->ns_b, s->if_b, s->ip_b, e)) < 0) {
		delete_in(s->ns_a, s->if_a);  /* the peer goes with it */
		return nsnet_err_wrap(e, "connect %s and %s", s->ns_a, s->ns_b);
	}
	return 0;
}

int nsnet_link_del(const char *ns, const char *ifname, struct nsnet_error *e)
{
	int r = nsnet_ifname_check(ifname, e);
	if (r < 0)
		return r;
	_cleanup_nl_ struct nl *nl = NULL;
	if ((r = nl_open(ns, &nl, e)) < 0)
		return r;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_del(&b, 0, ifname);
	r = nl_batch_send(nl, &b, e);
	if (r == -ENODEV)
		return nsnet_errx(e, ENODEV, "no interface %s in %s", ifname, ns);
	return r < 0 ? nsnet_err_wrap(e, "in %s", ns) : 0;
}

int nsnet_link_index(const char *ns, const char *ifname, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open(ns, &nl, e);
	if (r < 0)
		return r;
	r = link_index(nl, ifname);
	return r < 0 ? nsnet_errx(e, ENODEV, "no interface %s in %s", ifname, ns) : r;
}
