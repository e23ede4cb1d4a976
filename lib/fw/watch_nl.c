/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The watcher's side of nfnetlink: a socket on NFNLGRP_NFTABLES (as `nft monitor`
 * has), what each event did to nsnet's table, and the ruleset's generation id. The
 * messages are read with libmnl alone: the table's name is attribute 1 of every
 * kind of object (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE...).
 */
#include <errno.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>  /* before linux/netfilter.h: libc-compat then skips linux/in.h */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

int fw_watch_open(struct mnl_socket **ret, struct nsnet_error *e)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!s)
		return nsnet_err(e, errno, "open an nfnetlink socket");
	/* A ruleset reload of a big firewall is thousands of events in one go: room
	 * for them (root may go past rmem_max). An overrun is still handled (ENOBUFS). */
	int big = 8 << 20, fd = mnl_socket_get_fd(s);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	unsigned g = NFNLGRP_NFTABLES;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(s, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
		int r = nsnet_err(e, errno, "subscribe to nftables events");
		mnl_socket_close(s);
		return r;
	}
	*ret = s;
	return 0;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= 1)
		tb[type] = a;
	return MNL_CB_OK;
}

int fw_watch_classify(const struct nlmsghdr *nlh, uint32_t *ret_gen)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return 0;
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[2] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb) < 0)
		return 0;
	if (type == NFT_MSG_NEWGEN) {
		if (!tb[NFTA_GEN_ID] || mnl_attr_validate(tb[NFTA_GEN_ID], MNL_TYPE_U32) < 0)
			return -2;
		*ret_gen = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
		return -1;
	}
	/* Attribute 1 is the table's name for every kind below. */
	const char *table = tb[1] && mnl_attr_validate(tb[1], MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(tb[1]) : NULL;
	if (g->nfgen_family != NFPROTO_INET || !table || !streq(table, FW_TABLE))
		return 0;
	switch (type) {
	case NFT_MSG_DELTABLE:
		return FW_EV_TABLE_DEL;
	case NFT_MSG_DELCHAIN:
	case NFT_MSG_DELRULE:
		return FW_EV_RULES_DEL;
	case NFT_MSG_DELSET:
	case NFT_MSG_DELSETELEM:
		return FW_EV_ELEMS_DEL;
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_NEWRULE:
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_NEWOBJ:
	case NFT_MSG_DELOBJ:
	case NFT_MSG_NEWFLOWTABLE:
	case NFT_MSG_DELFLOWTABLE:
		return FW_EV_CHANGED;
	default:
		return 0;  /* requests (GET*), not news */
	}
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t gen;
	if (fw_watch_classify(nlh, &gen) == -1)
		*(int64_t *)data = gen;
	return MNL_CB_OK;
}

int fw_genid(uint32_t *ret, struct nsnet_error *e)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!s)
		return nsnet_err(e, errno, "open an nfnetlink socket");
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	int64_t gen = -1;
	int r = 0;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 || mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	unsigned portid = mnl_socket_get_portid(s);
	/* The generation, then the ACK. */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s, buf, sizeof(buf));
		if (n < 0) {
			r = -errno;
			break;
		}
		int k = nl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, gen_cb, &gen);
		if (k == MNL_CB_ERROR)
			r = -errno;
		if (k <= MNL_CB_STOP)
			break;
	}
out:
	mnl_socket_close(s);
	if (r == 0 && gen < 0)
		r = -EBADMSG;
	if (r < 0)
		return nsnet_err(e, -r, "read the nftables generation id");
	*ret = (uint32_t)gen;
	return 0;
}

const char *fw_watch_reason(unsigned ev)
{
	static const struct {
		unsigned bit;
		const char *text;
	} reasons[] = {
		{ FW_EV_START, "out of sync at start" },
		{ FW_EV_TABLE_DEL, "table deleted" },
		{ FW_EV_RULES_DEL, "chains or rules deleted" },
		{ FW_EV_ELEMS_DEL, "sets or elements deleted" },
		{ FW_EV_LOST, "events lost, resynced" },
		{ FW_EV_CHANGED, "table changed" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++)
		if (ev & reasons[i].bit)
			return reasons[i].text;
	return "table changed";
}
