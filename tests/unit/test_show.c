/* nsnet show: enum names, and the parsers fed rtnetlink messages built in memory
 * (as the kernel would send them), so the model is checked without a kernel. */
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include "show/show.h"
#include "unit.h"
#include "nlmsg.h"


static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void test_names(void)
{
	char b[96];
	CHECK_STR(rtnl_operstate_name(6), "UP");
	CHECK_STR(rtnl_operstate_name(2), "DOWN");
	CHECK_STR(rtnl_operstate_name(99), "UNKNOWN");
	CHECK_STR(rtnl_scope_name(RT_SCOPE_LINK, b, sizeof(b)), "link");
	CHECK_STR(rtnl_scope_name(RT_SCOPE_UNIVERSE, b, sizeof(b)), "global");
	CHECK_STR(rtnl_scope_name(77, b, sizeof(b)), "77");
	CHECK_STR(rtnl_proto_name(RTPROT_KERNEL, b, sizeof(b)), "kernel");
	CHECK_STR(rtnl_proto_name(RTPROT_STATIC, b, sizeof(b)), "static");
	CHECK_STR(rtnl_proto_name(250, b, sizeof(b)), "250");
	CHECK_STR(rtnl_rtype_name(RTN_UNREACHABLE, b, sizeof(b)), "unreachable");
	CHECK_STR(rtnl_rtype_name(200, b, sizeof(b)), "200");
	CHECK_STR(rtnl_neigh_state(NUD_REACHABLE, b, sizeof(b)), "REACHABLE");
	CHECK_STR(rtnl_neigh_state(NUD_NONE, b, sizeof(b)), "NONE");
	CHECK_STR(rtnl_neigh_state(NUD_STALE | NUD_PERMANENT, b, sizeof(b)), "STALE,PERMANENT");
	CHECK_STR(rtnl_neigh_state(0x100 | NUD_DELAY, b, sizeof(b)), "DELAY,0x100");
	CHECK_STR(rtnl_kind_from_type(ARPHRD_LOOPBACK), "loopback");
	CHECK_STR(rtnl_kind_from_type(ARPHRD_ETHER), "device");
	CHECK_STR(rtnl_kind_from_type(ARPHRD_NONE), "tun");

	uint8_t mac[6] = { 0x02, 0, 0xab, 0xcd, 0xef, 0x01 };
	CHECK_STR(rtnl_lladdr_str(mac, 6, b, sizeof(b)), "02:00:ab:cd:ef:01");
	CHECK(rtnl_lladdr_str(mac, 0, b, sizeof(b)) == NULL);
	CHECK(rtnl_lladdr_str(mac, 6, b, 17) == NULL);   /* 17 bytes + NUL do not fit */
	CHECK_STR(rtnl_lladdr_str(mac, 6, b, 18), "02:00:ab:cd:ef:01");

	json_t *f = rtnl_addr_flags(IFA_F_SECONDARY | IFA_F_PERMANENT, AF_INET);
	CHECK(json_array_size(f) == 2);
	CHECK_STR(json_string_value(json_array_get(f, 0)), "secondary");
	CHECK_STR(json_string_value(json_array_get(f, 1)), "permanent");
	json_decref(f);
	f = rtnl_addr_flags(IFA_F_SECONDARY | IFA_F_TENTATIVE, AF_INET6);
	CHECK_STR(json_string_value(json_array_get(f, 0)), "temporary");
	CHECK_STR(json_string_value(json_array_get(f, 1)), "tentative");
	json_decref(f);
}

static void put_link(struct show_links *l, int index, unsigned short type, unsigned flags, const char *name,
		     const char *kind, int master, int link, int nsid)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_type = type, .ifi_flags = flags };
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, &ifi, sizeof(ifi));
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)index };
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	if (link)
		mnl_attr_put_u32(nlh, IFLA_LINK, link);
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, nsid);
	if (kind) {
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, info);
	}
	CHECK(show_link_parse(nlh, l) == MNL_CB_OK);
}

static void test_links(struct show_links *l)
{
	/* Out of index order, as nothing promises the dump is sorted. */
	put_link(l, 5, ARPHRD_ETHER, IFF_UP | 0x10000, "veth0", "veth", 3, 7, 2);
	put_link(l, 1, ARPHRD_LOOPBACK, IFF_UP, "lo", NULL, 0, 0, -1);
	put_link(l, 3, ARPHRD_ETHER, 0, "br0", "bridge", 0, 0, -1);
	/* Not a link message: ignored. */
	struct ifaddrmsg ifa = { 0 };
	CHECK(show_link_parse(msg(RTM_NEWADDR, &ifa, sizeof(ifa)), l) == MNL_CB_OK);
	CHECK(l->n == 3);
	show_links_sort(l);
	CHECK(l->v[0].index == 1 && l->v[1].index == 3 && l->v[2].index == 5);
	CHECK_STR(show_links_name(l, 5), "veth0");
	CHECK(show_links_name(l, 4) == NULL);

	const struct show_link *v = show_links_find(l, 5);
	CHECK(v && v->veth && v->master == 3 && v->link == 7 && v->link_nsid == 2);
	CHECK_STR(jstr(v->obj, "kind"), "veth");
	CHECK_STR(jstr(v->obj, "operstate"), "UP");
	CHECK_STR(jstr(v->obj, "mac"), "02:00:00:00:00:05");
	CHECK(jint(v->obj, "mtu") == 1400 && jint(v->obj, "index") == 5);
	CHECK(json_is_true(json_object_get(v->obj, "admin_up")) && json_is_true(json_object_get(v->obj, "lower_up")));
	CHECK(json_is_null(json_object_get(v->obj, "peer")));
	const struct show_link *lo = show_links_find(l, 1);
	CHECK(lo && !lo->veth && lo->link_nsid == -1);
	CHECK_STR(jstr(lo->obj, "kind"), "loopback");
	CHECK(json_is_false(json_object_get(lo->obj, "lower_up")));
	CHECK_STR(jstr(show_links_find(l, 3)->obj, "kind"), "bridge");
	CHECK(json_is_false(json_object_get(show_links_find(l, 3)->obj, "admin_up")));
}

static void test_addrs(const struct show_links *l)
{
	json_t *a = json_array();
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_scope = RT_SCOPE_UNIVERSE,
				 .ifa_index = 5 };
	struct nlmsghdr *nlh = msg(RTM_NEWADDR, &ifa, sizeof(ifa));
	struct in_addr local, peer;
	inet_pton(AF_INET, "10.0.0.1", &local);
	inet_pton(AF_INET, "10.0.0.2", &peer);
	/* Point-to-point: IFA_ADDRESS is the far end, IFA_LOCAL ours. */
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	CHECK(show_addr_parse(nlh, l, a) == MNL_CB_OK);

	struct ifaddrmsg ifa6 = { .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_scope = RT_SCOPE_LINK,
				  .ifa_index = 9, .ifa_flags = IFA_F_TENTATIVE };
	struct in6_addr a6;
	inet_pton(AF_INET6, "fe80::1", &a6);
	nlh = msg(RTM_NEWADDR, &ifa6, sizeof(ifa6));
	mnl_attr_put(nlh, IFA_ADDRESS, 16, &a6);
	CHECK(show_addr_parse(nlh, l, a) == MNL_CB_OK);
	/* A wrong-sized address is skipped, not misprinted. */
	nlh = msg(RTM_NEWADDR, &ifa, sizeof(ifa));
	mnl_attr_put(nlh, IFA_ADDRESS, 16, &a6);
	CHECK(show_addr_parse(nlh, l, a) == MNL_CB_OK);

	CHECK(json_array_size(a) == 2);
	json_t *o = json_array_get(a, 0);
	CHECK_STR(jstr(o, "address"), "10.0.0.1");
	CHECK_STR(jstr(o, "dev"), "veth0");
	CHECK_STR(jstr(o, "family"), "inet");
	CHECK_STR(jstr(o, "scope"), "global");
	CHECK(jint(o, "prefixlen") == 24);
	CHECK(json_array_size(json_object_get(o, "flags")) == 2);
	o = json_array_get(a, 1);
	CHECK_STR(jstr(o, "address"), "fe80::1");
	CHECK(json_is_null(json_object_get(o, "dev")));   /* ifindex 9 is not known */
	CHECK_STR(jstr(o, "scope"), "link");
	CHECK_STR(json_string_value(json_array_get(json_object_get(o, "flags"), 0)), "tentative");
	json_decref(a);
}

static struct nlmsghdr *route_msg(int family, int dst_len, int table, unsigned flags)
{
	struct rtmsg rtm = { .rtm_family = family, .rtm_dst_len = dst_len, .rtm_table = table,
			     .rtm_protocol = RTPROT_STATIC, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST,
			     .rtm_flags = flags };
	return msg(RTM_NEWROUTE, &rtm, sizeof(rtm));
}

static void test_routes(const struct show_links *l)
{
	json_t *a = json_array();
	struct in_addr gw, dst;
	inet_pton(AF_INET, "10.0.0.254", &gw);
	inet_pton(AF_INET, "192.0.2.0", &dst);

	struct nlmsghdr *nlh = route_msg(AF_INET, 0, RT_TABLE_MAIN, 0);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 5);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 10);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	CHECK(show_route_parse(nlh, l, a) == MNL_CB_OK);

	/* Another table and a cached clone: both left out. */
	nlh = route_msg(AF_INET, 24, RT_TABLE_LOCAL, 0);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_LOCAL);
	CHECK(show_route_parse(nlh, l, a) == MNL_CB_OK);
	nlh = route_msg(AF_INET, 24, RT_TABLE_MAIN, RTM_F_CLONED);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	CHECK(show_route_parse(nlh, l, a) == MNL_CB_OK);

	/* A multipath route: its next hops, each with gateway and device. */
	nlh = route_msg(AF_INET, 24, RT_TABLE_MAIN, 0);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	int hops[2] = { 5, 3 };
	for (int i = 0; i < 2; i++) {
		struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = hops[i];
		struct in_addr g;
		inet_pton(AF_INET, i ? "10.0.0.2" : "10.0.0.1", &g);
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &g);
		nh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh;
	}
	mnl_attr_nest_end(nlh, mp);
	CHECK(show_route_parse(nlh, l, a) == MNL_CB_OK);

	CHECK(json_array_size(a) == 2);
	json_t *o = json_array_get(a, 0);
	CHECK_STR(jstr(o, "dst"), "default");
	CHECK_STR(jstr(o, "gateway"), "10.0.0.254");
	CHECK_STR(jstr(o, "dev"), "veth0");
	CHECK_STR(jstr(o, "protocol"), "static");
	CHECK_STR(jstr(o, "type"), "unicast");
	CHECK(jint(o, "metric") == 10);
	CHECK(json_array_size(json_object_get(o, "nexthops")) == 0);
	o = json_array_get(a, 1);
	CHECK_STR(jstr(o, "dst"), "192.0.2.0/24");
	CHECK(json_is_null(json_object_get(o, "gateway")));
	json_t *nh = json_object_get(o, "nexthops");
	CHECK(json_array_size(nh) == 2);
	CHECK_STR(jstr(json_array_get(nh, 0), "gateway"), "10.0.0.1");
	CHECK_STR(jstr(json_array_get(nh, 0), "dev"), "veth0");
	CHECK_STR(jstr(json_array_get(nh, 1), "gateway"), "10.0.0.2");
	CHECK_STR(jstr(json_array_get(nh, 1), "dev"), "br0");
	json_decref(a);
}

static void test_neighs(const struct show_links *l)
{
	json_t *a = json_array();
	struct in_addr ip;
	inet_pton(AF_INET, "10.0.0.2", &ip);
	uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_ifindex = 5, .ndm_state = NUD_REACHABLE };
	struct nlmsghdr *nlh = msg(RTM_NEWNEIGH, &ndm, sizeof(ndm));
	mnl_attr_put(nlh, NDA_DST, 4, &ip);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	CHECK(show_neigh_parse(nlh, l, a) == MNL_CB_OK);
	/* Still resolving: no lladdr yet. */
	ndm.ndm_state = NUD_INCOMPLETE;
	nlh = msg(RTM_NEWNEIGH, &ndm, sizeof(ndm));
	mnl_attr_put(nlh, NDA_DST, 4, &ip);
	CHECK(show_neigh_parse(nlh, l, a) == MNL_CB_OK);
	/* Multicast mappings (NOARP) are not shown, as with ip neigh. */
	ndm.ndm_state = NUD_NOARP;
	nlh = msg(RTM_NEWNEIGH, &ndm, sizeof(ndm));
	mnl_attr_put(nlh, NDA_DST, 4, &ip);
	CHECK(show_neigh_parse(nlh, l, a) == MNL_CB_OK);

	CHECK(json_array_size(a) == 2);
	json_t *o = json_array_get(a, 0);
	CHECK_STR(jstr(o, "address"), "10.0.0.2");
	CHECK_STR(jstr(o, "lladdr"), "02:01:02:03:04:05");
	CHECK_STR(jstr(o, "dev"), "veth0");
	CHECK_STR(jstr(o, "state"), "REACHABLE");
	o = json_array_get(a, 1);
	CHECK(json_is_null(json_object_get(o, "lladdr")));
	CHECK_STR(jstr(o, "state"), "INCOMPLETE");
	json_decref(a);
}

int main(void)
{
	test_names();
	struct show_links l = { 0 };
	test_links(&l);
	test_addrs(&l);
	test_routes(&l);
	test_neighs(&l);
	show_links_clear(&l);
	CHECK(l.n == 0 && l.v == NULL);
	return UNIT_DONE();
}
