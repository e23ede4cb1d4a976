/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Putting an interface's impairments into the kernel: its rate as a TBF root qdisc
 * (link/qdisc_tbf.c), its loss as an nftables rule in its namespace. The kernel has
 * no netem here, so loss is a drop rule of a table of nsnet's own, "inet
 * nsnet_impair", one postrouting chain per interface: `oifname IF numgen random
 * mod 1000000 < PPM drop`. postrouting sees both what the node sends itself and
 * what it forwards, as an egress qdisc would.
 */
#include <ctype.h>
#include "lab/lab.h"
#include "link/link.h"
#include "nft/nft.h"
#include "netns/netns.h"
#include "base/base.h"

#define IMPAIR_TABLE "inet nsnet_impair"

struct loss_op {
	const char *cmds;
	bool drop_table;   /* try to remove the table, which fails while other chains are in it */
	struct nsnet_error *e;
};

static int loss_in(void *arg)
{
	struct loss_op *op = arg;
	int r = nft_run(op->cmds, op->e);
	if (r == 0 && op->drop_table) {
		/* Only an empty table goes: delete chains first, then this, alone. */
		_cleanup_free_ char *out = NULL;
		if (nft_list_text("list table " IMPAIR_TABLE, 0, &out, NULL) == 0 && !strstr(out, "chain "))
			nft_run("delete table " IMPAIR_TABLE, NULL);
	}
	return r;
}

/* The chain of ifname: "loss_" and the name, with what an nft identifier cannot
 * hold ('-', '@', ...) written as _XX. */
static void chain_name(const char *ifname, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "loss_");
	for (const unsigned char *p = (const unsigned char *)ifname; *p && n + 4 < len; p++)
		n += (size_t)(isalnum(*p) ? snprintf(buf + n, len - n, "%c", *p) : snprintf(buf + n, len - n, "_%02x", *p));
}

static int set_loss(const char *node, const char *ifname, uint32_t ppm, struct nsnet_error *e)
{
	_cleanup_free_ char *cmds = NULL;
	char chain[80];
	chain_name(ifname, chain, sizeof(chain));
	/* "add" before "delete" so the delete always finds what it deletes: one transaction. */
	int n = ppm ? asprintf(&cmds,
			       "add table %1$s\nadd chain %1$s %4$s { type filter hook postrouting priority 0; }\n"
			       "flush chain %1$s %4$s\n"
			       "add rule %1$s %4$s oifname \"%2$s\" numgen random mod 1000000 < %3$u drop\n",
			       IMPAIR_TABLE, ifname, ppm, chain)
		    : asprintf(&cmds, "add table %1$s\nadd chain %1$s %2$s\ndelete chain %1$s %2$s\n", IMPAIR_TABLE, chain);
	if (n < 0)
		return nsnet_err(e, ENOMEM, "loss");
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(node, &fd, e);
	if (r < 0)
		return r;
	struct loss_op op = { .cmds = cmds, .drop_table = ppm == 0, .e = e };
	r = ns_run_in(streq(node, NSNET_HOST) ? -1 : fd, loss_in, &op);
	return r < 0 ? nsnet_err_wrap(e, "loss on %s", ifname) : 0;
}

int lab_impair_set(const char *node, const char *ifname, uint64_t rate, uint32_t loss, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open(node, &nl, e);
	if (r < 0)
		return r;
	if ((r = link_rate_set(nl, node, ifname, rate, e)) < 0)
		return r;
	return set_loss(node, ifname, loss, e);
}

struct loss_read {
	const char *ifname;
	uint32_t ppm;
};

static int loss_read_in(void *arg)
{
	struct loss_read *lr = arg;
	_cleanup_free_ char *cmd = NULL, *out = NULL;
	char chain[80];
	chain_name(lr->ifname, chain, sizeof(chain));
	if (asprintf(&cmd, "list chain " IMPAIR_TABLE " %s", chain) < 0)
		return -ENOMEM;
	if (nft_list_text(cmd, 0, &out, NULL) < 0)
		return 0;
	const char *p = strstr(out, "mod 1000000 < ");
	if (p)
		lr->ppm = (uint32_t)strtoul(p + strlen("mod 1000000 < "), NULL, 0);
	return 0;
}

int lab_impair_get(const char *node, const char *ifname, uint64_t *ret_rate, uint32_t *ret_loss, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open(node, &nl, e);
	if (r < 0)
		return r;
	uint64_t rate = 0;
	if ((r = link_rate_get(nl, ifname, &rate, e)) < 0)
		return r;
	_cleanup_close_ int fd = -1;
	if ((r = nsnet_ns_open(node, &fd, e)) < 0)
		return r;
	struct loss_read lr = { .ifname = ifname };
	if ((r = ns_run_in(streq(node, NSNET_HOST) ? -1 : fd, loss_read_in, &lr)) < 0)
		return nsnet_err(e, -r, "%s: loss of %s", node, ifname);
	*ret_rate = rate;
	*ret_loss = lr.ppm;
	return 0;
}
