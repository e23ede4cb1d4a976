/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Builders for RTM_NEWLINK/SETLINK/DELLINK requests: veth pairs, bridges, link state. */
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

#define PUT_STR(b, nlh, type, s) mnl_attr_put_strz_check(nlh, nl_batch_room(b), type, s)
#define PUT_U32(b, nlh, type, v) mnl_attr_put_u32_check(nlh, nl_batch_room(b), type, v)
#define PUT_U8(b, nlh, type, v) mnl_attr_put_u8_check(nlh, nl_batch_room(b), type, v)

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return ifi;
}

int msg_veth_add(struct nl_batch *b, const struct veth_msg *v)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
					    "create veth %s (peer %s)", v->name, v->peer);
	if (!nlh)
		return -ENOMEM;
	put_ifinfo(nlh);
	bool ok = PUT_STR(b, nlh, IFLA_IFNAME, v->name);
	if (v->ns_fd >= 0)
		ok = ok && PUT_U32(b, nlh, IFLA_NET_NS_FD, (uint32_t)v->ns_fd);
	if (v->mtu)
		ok = ok && PUT_U32(b, nlh, IFLA_MTU, v->mtu);
	if (v->master)
		ok = ok && PUT_U32(b, nlh, IFLA_MASTER, (uint32_t)v->master);
	struct nlattr *li = mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_LINKINFO);
	if (!ok || !li)
		return -EMSGSIZE;
	ok = PUT_STR(b, nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_INFO_DATA);
	struct nlattr *peer = data ? mnl_attr_nest_start_check(nlh, nl_batch_room(b), VETH_INFO_PEER) : NULL;
	if (!ok || !peer)
		return -EMSGSIZE;
	/* The peer's attributes follow their own ifinfomsg. */
	struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	pifi->ifi_family = AF_UNSPEC;
	pifi->ifi_index = v->peer_index;
	ok = PUT_STR(b, nlh, IFLA_IFNAME, v->peer);
	if (v->peer_fd >= 0)
		ok = ok && PUT_U32(b, nlh, IFLA_NET_NS_FD, (uint32_t)v->peer_fd);
	if (v->peer_mac)
		ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), IFLA_ADDRESS, 6, v->peer_mac);
	if (v->mtu)
		ok = ok && PUT_U32(b, nlh, IFLA_MTU, v->mtu);
	if (!ok)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return 0;
}

int msg_bridge_add(struct nl_batch *b, const char *name, unsigned mtu)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "create bridge %s", name);
	if (!nlh)
		return -ENOMEM;
	put_ifinfo(nlh);
	bool ok = PUT_STR(b, nlh, IFLA_IFNAME, name);
	if (mtu)
		ok = ok && PUT_U32(b, nlh, IFLA_MTU, mtu);
	/* A bridge without an address of its own takes the lowest MAC of its ports, and
	 * changes it when that port leaves: every member's ARP entry for the gateway goes
	 * stale at once. A fixed, locally administered MAC derived from the name stays. */
	uint32_t h = nsnet_hash32(name);
	uint8_t mac[6] = { 0x02, 0x6e, (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h };
	ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), IFLA_ADDRESS, sizeof(mac), mac);
	struct nlattr *li = ok ? mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_LINKINFO) : NULL;
	if (!li || !PUT_STR(b, nlh, IFLA_INFO_KIND, "bridge"))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, li);
	return 0;
}

static struct nlmsghdr *link_msg(struct nl_batch *b, uint16_t type, int index, const char *name, const char *what)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, type, 0, "%s %s", what, name ? name : "link");
	if (!nlh)
		return NULL;
	struct ifinfomsg *ifi = put_ifinfo(nlh);
	ifi->ifi_index = index;
	if (!index && name && !PUT_STR(b, nlh, IFLA_IFNAME, name))
		return NULL;
	return nlh;
}

int msg_link_set(struct nl_batch *b, int index, const char *name, unsigned flags)
{
	/* The kernel applies IFF_UP before IFLA_AF_SPEC in one request, and an interface
	 * that comes up with IPv6 on starts DAD and router solicitation at once: turn
	 * link-local generation off in a request of its own, first. */
	if (flags & LINK_NO_IPV6LL) {
		struct nlmsghdr *nlh = link_msg(b, RTM_NEWLINK, index, name, "turn off IPv6 link-local on");
		if (!nlh)
			return -ENOMEM;
		struct nlattr *af = mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_AF_SPEC);
		struct nlattr *in6 = af ? mnl_attr_nest_start_check(nlh, nl_batch_room(b), AF_INET6) : NULL;
		if (!in6 || !PUT_U8(b, nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE))
			return -EMSGSIZE;
		mnl_attr_nest_end(nlh, in6);
		mnl_attr_nest_end(nlh, af);
	}
	if (flags & (LINK_UP | LINK_DOWN)) {
		struct nlmsghdr *nlh = link_msg(b, RTM_NEWLINK, index, name, flags & LINK_UP ? "bring up" : "bring down");
		if (!nlh)
			return -ENOMEM;
		struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = flags & LINK_UP ? IFF_UP : 0;
	}
	return 0;
}

int msg_link_alias(struct nl_batch *b, int index, const char *name, const char *alias)
{
	struct nlmsghdr *nlh = link_msg(b, RTM_NEWLINK, index, name, "set the alias of");
	if (!nlh)
		return -ENOMEM;
	return PUT_STR(b, nlh, IFLA_IFALIAS, alias) ? 0 : -EMSGSIZE;
}

int msg_link_mtu(struct nl_batch *b, int index, const char *name, unsigned mtu)
{
	struct nlmsghdr *nlh = link_msg(b, RTM_NEWLINK, index, name, "set the MTU of");
	if (!nlh)
		return -ENOMEM;
	return PUT_U32(b, nlh, IFLA_MTU, mtu) ? 0 : -EMSGSIZE;
}

int msg_link_del(struct nl_batch *b, int index, const char *name)
{
	return link_msg(b, RTM_DELLINK, index, name, "delete link") ? 0 : -ENOMEM;
}

int msg_link_group(struct nl_batch *b, const char *name, uint32_t group)
{
	struct nlmsghdr *nlh = link_msg(b, RTM_NEWLINK, 0, name, "regroup");
	return nlh && PUT_U32(b, nlh, IFLA_GROUP, group) ? 0 : -ENOMEM;
}

int msg_link_del_group(struct nl_batch *b, uint32_t group)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_DELLINK, 0, "delete links of group %u", group);
	if (!nlh)
		return -ENOMEM;
	put_ifinfo(nlh);
	return PUT_U32(b, nlh, IFLA_GROUP, group) ? 0 : -EMSGSIZE;
}

int msg_addr(struct nl_batch *b, bool add, int index, const struct nsnet_prefix *p, const char *ifname)
{
	char buf[64];
	nsnet_prefix_str(p, true, buf, sizeof(buf));
	struct nlmsghdr *nlh = nl_batch_msg(b, add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_EXCL : 0,
					    "%s address %s %s %s", add ? "add" : "remove", buf, add ? "to" : "from",
					    ifname ? ifname : "link");
	if (!nlh)
		return -ENOMEM;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = index;
	size_t alen = p->family == AF_INET ? 4 : 16;
	bool ok = mnl_attr_put_check(nlh, nl_batch_room(b), IFA_LOCAL, alen, p->addr) &&
		  mnl_attr_put_check(nlh, nl_batch_room(b), IFA_ADDRESS, alen, p->addr);
	if (p->family == AF_INET && p->len < 31) {
		/* The broadcast address, as `ip addr add ... brd +` would set it. */
		uint8_t brd[4];
		uint32_t a = (uint32_t)p->addr[0] << 24 | p->addr[1] << 16 | p->addr[2] << 8 | p->addr[3];
		uint32_t mask = p->len ? ~0u << (32 - p->len) : 0;
		a |= ~mask;
		brd[0] = a >> 24, brd[1] = a >> 16, brd[2] = a >> 8, brd[3] = a;
		ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), IFA_BROADCAST, 4, brd);
	}
	if (p->family == AF_INET6 && add) {
		ifa->ifa_flags = IFA_F_NODAD;
		ok = ok && PUT_U32(b, nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return ok ? 0 : -EMSGSIZE;
}

int msg_route(struct nl_batch *b, bool add, const struct nsnet_prefix *dst, const struct nsnet_prefix *via, int oif)
{
	char d[64], g[64] = "";
	if (dst->len == 0)
		snprintf(d, sizeof(d), "default");
	else
		nsnet_prefix_str(dst, true, d, sizeof(d));
	if (via)
		nsnet_prefix_str(via, false, g, sizeof(g));
	struct nlmsghdr *nlh = nl_batch_msg(b, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0,
					    "%s route %s%s%s", add ? "add" : "delete", d, via ? " via " : "", g);
	if (!nlh)
		return -ENOMEM;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	/* A delete matches any protocol and scope, as `ip route del` does. */
	rtm->rtm_protocol = add ? RTPROT_STATIC : RTPROT_UNSPEC;
	rtm->rtm_scope = add ? (via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK) : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	size_t alen = dst->family == AF_INET ? 4 : 16;
	bool ok = true;
	if (dst->len)
		ok = mnl_attr_put_check(nlh, nl_batch_room(b), RTA_DST, alen, dst->addr);
	if (via)
		ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), RTA_GATEWAY, alen, via->addr);
	if (oif)
		ok = ok && PUT_U32(b, nlh, RTA_OIF, (uint32_t)oif);
	return ok ? 0 : -EMSGSIZE;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link *l = data;
	if (rtnl_link_decode(nlh, l) <= 0)
		l->index = 0;
	return MNL_CB_OK;
}

/*
 * By name, through the socket's namespace: the SIOCGIFINDEX ioctl (a netlink socket
 * answers the device ioctls in its own namespace) is a hash lookup. An RTM_GETLINK
 * builds the whole link message instead, and for a veth whose peer is in another
 * namespace that means looking up the peer namespace's id in a list as long as the
 * namespaces the host has ids for: at 10,000 nodes, 10,000 steps per question.
 */
int link_index(struct nl *nl, const char *name)
{
	struct ifreq ifr = { 0 };
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(mnl_socket_get_fd(nl->sock), SIOCGIFINDEX, &ifr) == 0)
		return ifr.ifr_ifindex;
	if (errno == ENODEV)
		return -ENODEV;
	/* Not answered (a kernel without the ioctl on netlink sockets): ask rtnetlink. */
	struct rtnl_link l;
	int r = link_get(nl, name, &l);
	return r < 0 ? r : l.index;
}

int link_get(struct nl *nl, const char *name, struct rtnl_link *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, 0);
	nlh->nlmsg_seq = ++nl->seq;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret->index = 0;
	ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	int r = nl_cb_run(buf, n, nlh->nlmsg_seq, nl->portid, get_cb, ret);
	if (r < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	return ret->index > 0 ? 0 : -ENODEV;
}
