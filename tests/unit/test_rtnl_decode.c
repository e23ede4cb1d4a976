/* The typed rtnetlink decoders (lib/rtnl/decode.c) fed messages built in memory, as
 * the kernel would send them: every field a caller reads, and what counts as absent. */
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include "rtnl/rtnl.h"
#include "unit.h"
#include "nlmsg.h"


static void test_link(void)
{
	struct ifinfomsg ifi = { .ifi_index = 7, .ifi_type = ARPHRD_ETHER, .ifi_flags = 1 };
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 7 };
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth-abc");
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "nsnet:n1");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_u32(nlh, IFLA_LINK, 9);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	struct nlattr *slave = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_STATE, BR_STATE_FORWARDING);
	mnl_attr_nest_end(nlh, slave);
	mnl_attr_nest_end(nlh, info);
	struct rtnl_link l;
	CHECK(rtnl_link_decode(nlh, &l) == 1);
	CHECK(l.index == 7 && l.type == ARPHRD_ETHER && l.flags == 1);
	CHECK_STR(l.name, "veth-abc");
	CHECK_STR(l.alias, "nsnet:n1");
	CHECK_STR(l.kind, "veth");
	CHECK(l.mtu == 1400 && l.operstate == 6 && l.master == 3 && l.link == 9 && l.link_netnsid == 0);
	CHECK(l.mac_len == 6 && memcmp(l.mac, mac, 6) == 0);
	CHECK(l.brport_state == BR_STATE_FORWARDING);

	/* Absent attributes: the documented defaults. */
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	CHECK(rtnl_link_decode(nlh, &l) == 1);
	CHECK(l.name[0] == 0 && l.kind[0] == 0 && l.alias[0] == 0 && l.master == 0 && l.link_netnsid == -1 &&
	      l.mac_len == 0 && l.brport_state == -1);
	/* Other messages, and ones too short for their header, are not links. */
	struct ifaddrmsg ifa = { 0 };
	CHECK(rtnl_link_decode(msg(RTM_NEWADDR, &ifa, sizeof(ifa)), &l) == 0);
	CHECK(rtnl_link_decode(msg(RTM_NEWLINK, &ifa, 2), &l) == 0);
	/* A name longer than IFNAMSIZ is cut, never overrun. */
	nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-name-much-longer-than-sixteen");
	CHECK(rtnl_link_decode(nlh, &l) == 1 && strlen(l.name) == 15);
}

static void test_addr(void)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 4, .ifa_scope = 0 };
	struct nlmsghdr *nlh = msg(RTM_NEWADDR, &ifa, sizeof(ifa));
	struct in_addr local, peer;
	inet_pton(AF_INET, "10.0.0.1", &local);
	inet_pton(AF_INET, "10.0.0.2", &peer);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	struct rtnl_addr a;
	CHECK(rtnl_addr_decode(nlh, &a) == 1);
	CHECK(a.index == 4 && a.addr.family == AF_INET && a.addr.len == 24 && memcmp(a.addr.addr, &local, 4) == 0);
	CHECK(a.flags == (IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE));
	/* No address of the family's length: nothing to show. */
	nlh = msg(RTM_NEWADDR, &ifa, sizeof(ifa));
	mnl_attr_put(nlh, IFA_ADDRESS, 3, &peer);
	CHECK(rtnl_addr_decode(nlh, &a) == 0);
	ifa.ifa_family = AF_PACKET;
	CHECK(rtnl_addr_decode(msg(RTM_NEWADDR, &ifa, sizeof(ifa)), &a) == 0);
}

static void test_route(void)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_STATIC, .rtm_type = RTN_UNICAST };
	struct nlmsghdr *nlh = msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
	struct in_addr dst, gw;
	inet_pton(AF_INET, "192.0.2.0", &dst);
	inet_pton(AF_INET, "10.0.0.1", &gw);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 77);
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (int i = 0; i < 2; i++) {
		struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = 5 + i;
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
		nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
	struct rtnl_route r;
	CHECK(rtnl_route_decode(nlh, &r) == 1);
	CHECK(r.family == AF_INET && r.dst.family == AF_INET && r.dst.len == 24 && memcmp(r.dst.addr, &dst, 4) == 0);
	CHECK(r.table == RT_TABLE_MAIN && r.metric == 77 && r.protocol == RTPROT_STATIC && r.gw.family == 0 && r.oif == 0);
	struct rtnl_nexthop hop;
	int n = 0;
	for (size_t c = 0; rtnl_route_nexthop(&r, &c, &hop); n++)
		CHECK(hop.ifindex == 5 + n && hop.gw.family == AF_INET && memcmp(hop.gw.addr, &gw, 4) == 0);
	CHECK(n == 2);

	/* The default route through an IPv6 next hop (RTA_VIA), in table 1000. */
	rtm.rtm_dst_len = 0;
	nlh = msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
	uint8_t via[sizeof(struct rtvia) + 16] __attribute__((aligned(4)));
	struct rtvia *v = (struct rtvia *)via;
	v->rtvia_family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", v->rtvia_addr);
	mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	CHECK(rtnl_route_decode(nlh, &r) == 1);
	CHECK(r.dst.family == 0 && r.gw.family == AF_INET6 && r.oif == 3 && r.table == 1000 && !r.multipath);
	CHECK(!rtnl_route_nexthop(&r, &(size_t){ 0 }, &hop));
	/* A prefix without a readable destination is skipped. */
	rtm.rtm_dst_len = 8;
	CHECK(rtnl_route_decode(msg(RTM_NEWROUTE, &rtm, sizeof(rtm)), &r) == 0);
}

static void test_neigh(void)
{
	struct ndmsg ndm = { .ndm_family = AF_INET6, .ndm_ifindex = 2, .ndm_state = NUD_STALE, .ndm_flags = NTF_ROUTER };
	struct nlmsghdr *nlh = msg(RTM_NEWNEIGH, &ndm, sizeof(ndm));
	struct in6_addr a;
	inet_pton(AF_INET6, "fd00::1", &a);
	uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 };
	mnl_attr_put(nlh, NDA_DST, 16, &a);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	struct rtnl_neigh n;
	CHECK(rtnl_neigh_decode(nlh, &n) == 1);
	CHECK(n.index == 2 && n.state == NUD_STALE && n.flags == NTF_ROUTER && n.dst.family == AF_INET6 &&
	      memcmp(n.dst.addr, &a, 16) == 0 && n.lladdr_len == 6 && memcmp(n.lladdr, mac, 6) == 0);
	/* An IPv4 entry with an IPv6-sized address: not one. */
	ndm.ndm_family = AF_INET;
	nlh = msg(RTM_NEWNEIGH, &ndm, sizeof(ndm));
	mnl_attr_put(nlh, NDA_DST, 16, &a);
	CHECK(rtnl_neigh_decode(nlh, &n) == 0);
}

int main(void)
{
	test_link();
	test_addr();
	test_route();
	test_neigh();
	return UNIT_DONE();
}
