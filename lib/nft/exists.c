/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a table exists, asked over nfnetlink without libnftables. */
#include <errno.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>  /* before linux/netfilter.h: libc-compat then skips linux/in.h */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "nft/nft.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

struct answer {
	int found;   /* 1: a table came back, 0: the kernel said ENOENT, -1: unknown */
};

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE)
		((struct answer *)data)->found = 1;
	return MNL_CB_OK;
}

/*
 * One NFT_MSG_GETTABLE in the calling thread's network namespace. A libnftables
 * context costs about a millisecond to make (it zeroes and frees megabytes), which
 * `show` paid in every namespace to learn that most have no impairment table.
 */
int nft_table_exists_here(int nfproto, const char *name)
{
	struct mnl_socket *s = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!s)
		return -1;
	struct answer a = { -1 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)nfproto;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 || mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0)
		goto out;
	unsigned portid = mnl_socket_get_portid(s);
	/* The table, then the ACK; or only an error. */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s, buf, sizeof(buf));
		if (n < 0)
			break;
		int r = nl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, table_cb, &a);
		if (r == MNL_CB_ERROR) {
			if (errno == ENOENT)
				a.found = 0;
			break;
		}
		if (r == MNL_CB_STOP)
			break;
	}
out:
	mnl_socket_close(s);
	return a.found;
}
