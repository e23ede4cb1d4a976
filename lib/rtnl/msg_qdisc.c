/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builders for root qdiscs (RTM_NEWQDISC / RTM_DELQDISC): a token bucket filter
 * (TBF) for a rate, and the probe that asks the kernel whether it has a qdisc kind.
 * The TBF parameters are those iproute2's tc/q_tbf.c sends, with the tick
 * conversion of tc/tc_core.c (/proc/net/psched).
 */
#include <stdio.h>
#include <linux/pkt_sched.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

/* The handle nsnet gives its root qdiscs ("4e53:"), so that show can tell them. */
#define NSNET_QDISC_HANDLE 0x4e530000u

/* Kernel ticks per microsecond, as tc_core_init() computes it: /proc/net/psched
 * holds t2us, us2t and the clock resolution; tc's own values (every modern kernel
 * reports them) when the file cannot be read. */
static double tick_in_usec(void)
{
	unsigned t2us = 1000, us2t = 64, clock_res = 1000000000;
	FILE *f = fopen("/proc/net/psched", "re");
	if (f) {
		unsigned a, b, c;
		if (fscanf(f, "%08x%08x%08x", &a, &b, &c) == 3 && a && b && c) {
			t2us = a;
			us2t = b;
			clock_res = c;
		}
		fclose(f);
	}
	/* A clock resolution of 1e9 is reported by every modern kernel (hrtimers). */
	double clock_factor = clock_res == 1000000000 ? 1000.0 : (double)clock_res / 1000000.0;
	return (double)t2us / us2t * clock_factor;
}

static struct tcmsg *put_tcmsg(struct nlmsghdr *nlh, int index, uint32_t handle)
{
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = index;
	tc->tcm_handle = handle;
	tc->tcm_parent = TC_H_ROOT;
	return tc;
}

int msg_qdisc_tbf(struct nl_batch *b, int index, const char *ifname, uint64_t rate_bps)
{
	uint64_t bytes = rate_bps / 8;
	if (bytes == 0)
		return -EINVAL;
	/* burst: 20 ms of the rate, at least 16 KiB (about ten full frames, so
	 * a slow rate still passes a whole frame at once); limit: the burst and 200 ms of queue (TCP needs room to
	 * queue its window at low rates), as `tc ... latency 200ms`. */
	uint64_t burst = bytes / 50 < 16384 ? 16384 : bytes / 50;
	if (burst > UINT32_MAX / 2)
		burst = UINT32_MAX / 2;
	uint64_t limit = burst + bytes / 5;
	if (limit > UINT32_MAX)
		limit = UINT32_MAX;
	struct tc_tbf_qopt opt = { 0 };
	opt.rate.rate = bytes >= (1ull << 32) ? UINT32_MAX : (uint32_t)bytes;
	opt.rate.linklayer = TC_LINKLAYER_ETHERNET;
	opt.limit = (uint32_t)limit;
	/* buffer: the time to send burst bytes at the rate, in ticks (tc_calc_xmittime). */
	double ticks = 1000000.0 * (double)burst / (double)bytes * tick_in_usec();
	opt.buffer = ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks;

	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE,
					    "set rate %llu bit/s (tbf) on %s", (unsigned long long)rate_bps, ifname);
	if (!nlh)
		return -ENOMEM;
	put_tcmsg(nlh, index, NSNET_QDISC_HANDLE);
	bool ok = mnl_attr_put_strz_check(nlh, nl_batch_room(b), TCA_KIND, "tbf");
	struct nlattr *o = ok ? mnl_attr_nest_start_check(nlh, nl_batch_room(b), TCA_OPTIONS) : NULL;
	ok = o && mnl_attr_put_check(nlh, nl_batch_room(b), TCA_TBF_PARMS, sizeof(opt), &opt);
	/* Rates of 4 GB/s and more do not fit the ratespec's 32 bits. */
	if (ok && bytes >= (1ull << 32))
		ok = mnl_attr_put_u64_check(nlh, nl_batch_room(b), TCA_TBF_RATE64, bytes);
	/* The burst in bytes, so the kernel need not convert the ticks back. */
	ok = ok && mnl_attr_put_u32_check(nlh, nl_batch_room(b), TCA_TBF_BURST, (uint32_t)burst);
	if (!ok)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, o);
	return 0;
}

int msg_qdisc_del_root(struct nl_batch *b, int index, const char *ifname)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_DELQDISC, 0, "remove the root qdisc of %s", ifname);
	if (!nlh)
		return -ENOMEM;
	put_tcmsg(nlh, index, 0);
	/* No qdisc of its own (the default one) is ENOENT: nothing to remove. */
	nl_batch_tolerate(b, ENOENT);
	return 0;
}

int msg_qdisc_probe(struct nl_batch *b, int index, const char *kind)
{
	struct nlmsghdr *nlh = nl_batch_msg(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, "create a %s qdisc", kind);
	if (!nlh)
		return -ENOMEM;
	put_tcmsg(nlh, index, 0);
	if (!mnl_attr_put_strz_check(nlh, nl_batch_room(b), TCA_KIND, kind))
		return -EMSGSIZE;
	/* netem and most others need options; an empty nest is the least they take. */
	struct nlattr *o = mnl_attr_nest_start_check(nlh, nl_batch_room(b), TCA_OPTIONS);
	if (!o)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, o);
	return 0;
}
