/* nsnet monitor's pure parts, fed messages built in memory: rtnetlink messages told
 * apart as add, change (a repeat is no news) and del, what a link's going forgets,
 * nftables messages kept to nsnet's own table, and the text line of each event. */
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include "observe/observe.h"
#include "rtnl/rtnl.h"
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "unit.h"
#include "nlmsg.h"

static struct nlmsghdr *link_msg(uint16_t type, int index, const char *name, unsigned flags)
{
	struct ifinfomsg ifi = { .ifi_index = index, .ifi_type = ARPHRD_ETHER, .ifi_flags = flags };
	struct nlmsghdr *nlh = msg(type, &ifi, sizeof(ifi));
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 5 };
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 2);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

static struct nlmsghdr *addr_msg(uint16_t type, int index, const char *a, int len)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = len, .ifa_index = index };
	struct nlmsghdr *nlh = msg(type, &ifa, sizeof(ifa));
	struct in_addr in;
	inet_pton(AF_INET, a, &in);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &in);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &in);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT);
	return nlh;
}

static struct nlmsghdr *route_msg(uint16_t type, int oif)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_STATIC, .rtm_type = RTN_UNICAST };
	struct nlmsghdr *nlh = msg(type, &rtm, sizeof(rtm));
	struct in_addr dst, gw;
	inet_pton(AF_INET, "198.51.100.0", &dst);
	inet_pton(AF_INET, "10.0.0.254", &gw);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, oif);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	return nlh;
}

/* The event as monitor would report it, its text line after the time stamp. */
static char line[1024];
static const char *text(struct mon_ns *ns, const struct mon_event *ev)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "time", "2025-01-31T12:00:01.123456+01:00", "ns", ns->label,
			      "object", ev->object, "action", ev->action);
	json_object_update(o, ev->fields);
	char *s = NULL;
	struct nsnet_error e = { 0 };
	CHECK(nsnet_monitor_text(o, &s, &e) == 0);
	snprintf(line, sizeof(line), "%s", s ? s : "");
	free(s);
	json_decref(o);
	return line;
}

static void test_rtnl(void)
{
	struct mon_ns ns = { .label = "red", .known = json_object() };
	struct mon_event ev;

	CHECK(mon_rtnl_event(&ns, link_msg(RTM_NEWLINK, 5, "d0", IFF_BROADCAST | IFF_MULTICAST), &ev) == 1);
	CHECK_STR(ev.action, "add");
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [red] link add d0 index 5 type bridge <BROADCAST,MULTICAST> mtu 1500 state DOWN lladdr 02:00:00:00:00:05");
	json_decref(ev.fields);
	/* The same again says nothing; set up, it is a change. */
	CHECK(mon_rtnl_event(&ns, link_msg(RTM_NEWLINK, 5, "d0", IFF_BROADCAST | IFF_MULTICAST), &ev) == 0);
	CHECK(mon_rtnl_event(&ns, link_msg(RTM_NEWLINK, 5, "d0", IFF_BROADCAST | IFF_MULTICAST | IFF_UP), &ev) == 1);
	CHECK_STR(ev.action, "change");
	json_decref(ev.fields);

	CHECK(mon_rtnl_event(&ns, addr_msg(RTM_NEWADDR, 5, "10.0.0.1", 24), &ev) == 1);
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [red] addr add 10.0.0.1/24 dev d0");
	json_decref(ev.fields);

	CHECK(mon_rtnl_event(&ns, route_msg(RTM_NEWROUTE, 5), &ev) == 1);
	CHECK_STR(ev.action, "add");
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [red] route add 198.51.100.0/24 via 10.0.0.254 dev d0 proto static");
	json_decref(ev.fields);
	/* Set down: IPv4 routes through it go without a message; the same route added
	 * again is an add, not a repeat. */
	CHECK(mon_rtnl_event(&ns, link_msg(RTM_NEWLINK, 5, "d0", IFF_BROADCAST | IFF_MULTICAST), &ev) == 1);
	json_decref(ev.fields);
	CHECK(mon_rtnl_event(&ns, route_msg(RTM_NEWROUTE, 5), &ev) == 1);
	CHECK_STR(ev.action, "add");
	json_decref(ev.fields);

	CHECK(mon_rtnl_event(&ns, link_msg(RTM_DELLINK, 5, "d0", IFF_BROADCAST | IFF_MULTICAST), &ev) == 1);
	CHECK_STR(ev.action, "del");
	json_decref(ev.fields);
	/* Deleted: nothing that named it is left. */
	CHECK(json_object_size(ns.known) == 0);
	/* An address on a link never seen: its index stands for its name. */
	CHECK(mon_rtnl_event(&ns, addr_msg(RTM_DELADDR, 9, "10.0.0.1", 24), &ev) == 1);
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [red] addr del 10.0.0.1/24 dev if9");
	json_decref(ev.fields);
	json_decref(ns.known);
}

static struct nlmsghdr *nft_msg(uint16_t type, uint8_t family, const char *table)
{
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0 };
	struct nlmsghdr *nlh = msg((NFNL_SUBSYS_NFTABLES << 8) | type, &g, sizeof(g));
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);   /* attribute 1 for every kind */
	return nlh;
}

static void test_nft(void)
{
	struct mon_ns ns = { .label = "host" };
	struct mon_event ev;
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "nsnet");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "forward");
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(12));
	CHECK(mon_nft_event(nlh, &ev) == 1);
	CHECK_STR(ev.object, "nft");
	CHECK_STR(ev.action, "add");
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [host] nft add rule inet nsnet forward handle 12");
	json_decref(ev.fields);

	nlh = nft_msg(NFT_MSG_DELSETELEM, NFPROTO_INET, "nsnet");
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "bridges");
	struct nlattr *list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, NFTA_LIST_ELEM));
	mnl_attr_nest_end(nlh, list);
	CHECK(mon_nft_event(nlh, &ev) == 1);
	CHECK_STR(text(&ns, &ev), "12:00:01.123456 [host] nft del element inet nsnet bridges");
	CHECK(json_integer_value(json_object_get(ev.fields, "elements")) == 1);
	json_decref(ev.fields);

	/* Other tables, other families, the end of a transaction: not ours to report. */
	CHECK(mon_nft_event(nft_msg(NFT_MSG_NEWRULE, NFPROTO_INET, "filter"), &ev) == 0);
	CHECK(mon_nft_event(nft_msg(NFT_MSG_NEWRULE, NFPROTO_IPV4, "nsnet"), &ev) == 0);
	CHECK(mon_nft_event(nft_msg(NFT_MSG_NEWGEN, NFPROTO_INET, "nsnet"), &ev) == 0);
}

static void test_text_errors(void)
{
	char *s = NULL;
	struct nsnet_error e = { 0 };
	json_t *o = json_pack("{s:s}", "time", "x");
	CHECK(nsnet_monitor_text(o, &s, &e) == -EINVAL);
	CHECK(s == NULL);
	json_decref(o);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "time", "2025-01-31T12:00:01.123456+01:00", "ns", "c", "object",
		      "netns", "action", "del", "error", "reading its events: No such device");
	CHECK(nsnet_monitor_text(o, &s, &e) == 0);
	CHECK_STR(s, "12:00:01.123456 [c] netns del c: reading its events: No such device");
	free(s);
	json_decref(o);
}

int main(void)
{
	test_rtnl();
	test_nft();
	test_text_errors();
	return UNIT_DONE();
}
