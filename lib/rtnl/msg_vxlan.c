/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Builders for a VXLAN link and its forwarding entries (RTM_NEWNEIGH on AF_BRIDGE). */
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

#define PUT_U32(b, nlh, type, v) mnl_attr_put_u32_check(nlh, nl_batch_room(b), type, v)
#define PUT_U8(b, nlh, type, v) mnl_attr_put_u8_check(nlh, nl_batch_room(b), type, v)

int msg_vxlan_add(struct nl_batch *b, const struct vxlan_msg *v)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "create vxlan %s (VNI %u)",
					    v->name, v->vni);
	if (!nlh)
		return -ENOMEM;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	bool ok = mnl_attr_put_strz_check(nlh, nl_batch_room(b), IFLA_IFNAME, v->name);
	if (v->mtu)
		ok = ok && PUT_U32(b, nlh, IFLA_MTU, v->mtu);
	if (v->master)
		ok = ok && PUT_U32(b, nlh, IFLA_MASTER, (uint32_t)v->master);
	struct nlattr *li = ok ? mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_LINKINFO) : NULL;
	if (!li || !mnl_attr_put_strz_check(nlh, nl_batch_room(b), IFLA_INFO_KIND, "vxlan"))
		return -EMSGSIZE;
	struct nlattr *data = mnl_attr_nest_start_check(nlh, nl_batch_room(b), IFLA_INFO_DATA);
	ok = data && PUT_U32(b, nlh, IFLA_VXLAN_ID, v->vni);
	/* The kernel's default port is Linux's historic 8472; 4789 is IANA's (RFC 7348),
	 * what every other VTEP speaks. Network byte order, as iproute2 sends it. */
	ok = ok && mnl_attr_put_u16_check(nlh, nl_batch_room(b), IFLA_VXLAN_PORT, htons(v->port));
	/* Who is behind which peer is never learned from traffic: the forwarding
	 * entries nsnet writes are the whole truth (no spoofed source can move a MAC). */
	ok = ok && PUT_U8(b, nlh, IFLA_VXLAN_LEARNING, 0);
	if (v->local.family == AF_INET)
		ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), IFLA_VXLAN_LOCAL, 4, v->local.addr);
	else if (v->local.family == AF_INET6)
		ok = ok && mnl_attr_put_check(nlh, nl_batch_room(b), IFLA_VXLAN_LOCAL6, 16, v->local.addr);
	if (v->link)
		ok = ok && PUT_U32(b, nlh, IFLA_VXLAN_LINK, (uint32_t)v->link);
	if (!ok)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return 0;
}

int msg_vxlan_fdb(struct nl_batch *b, bool add, int index, const char *ifname, const struct nsnet_prefix *peer)
{
	char p[64];
	nsnet_prefix_str(peer, false, p, sizeof(p));
	/* APPEND: the all-zeros MAC holds one entry per peer (head-end replication of
	 * broadcast and unknown unicast, as flannel and `bridge fdb append` do). */
	struct nlmsghdr *nlh = nl_batch_msg(b, add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? NLM_F_CREATE | NLM_F_APPEND : 0,
					    "%s forwarding entry 00:00:00:00:00:00 dst %s %s %s", add ? "add" : "delete",
					    p, add ? "to" : "from", ifname);
	if (!nlh)
		return -ENOMEM;
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = index;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = NTF_SELF;
	static const uint8_t zero[6];
	bool ok = mnl_attr_put_check(nlh, nl_batch_room(b), NDA_LLADDR, sizeof(zero), zero) &&
		  mnl_attr_put_check(nlh, nl_batch_room(b), NDA_DST, peer->family == AF_INET ? 4 : 16, peer->addr);
	return ok ? 0 : -EMSGSIZE;
}

int rtnl_dump_fdb(struct nl *nl, int index, mnl_cb_t cb, void (*reset)(void *), void *data, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETNEIGH, 0);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	/* Strict checking refuses a device in the header of an FDB dump; NDA_IFINDEX
	 * is the filter it takes. */
	if (index > 0)
		mnl_attr_put_u32(nlh, NDA_IFINDEX, (uint32_t)index);
	return nl_dump(nl, nlh, cb, reset, data, e);
}
