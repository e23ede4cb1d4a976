/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A link end's rate: a token bucket filter as the root qdisc of the interface, so
 * it bounds what the interface sends (its egress). The two ends of a veth are the
 * two directions of the link. The qdisc carries nsnet's handle, so that reading it
 * back tells nsnet's rate from one set by hand.
 */
#include <linux/pkt_sched.h>
#include "link/link.h"
#include "base/base.h"

#define NSNET_QDISC_HANDLE 0x4e530000u

int link_rate_set(struct nl *nl, const char *ns, const char *ifname, uint64_t rate_bps, struct nsnet_error *e)
{
	int index = link_index(nl, ifname);
	if (index < 0)
		return nsnet_err(e, -index, "%s: interface %s", ns, ifname);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	int r = rate_bps ? msg_qdisc_tbf(&b, index, ifname, rate_bps) : msg_qdisc_del_root(&b, index, ifname);
	if (r < 0)
		return nsnet_err(e, -r, "%s: rate of %s", ns, ifname);
	r = nl_batch_send(nl, &b, e);
	return r < 0 ? nsnet_err_wrap(e, "%s", ns) : 0;
}

struct tbf_read {
	int index;            /* 0: every interface, into all */
	uint64_t rate;
	struct link_rate *all;
	size_t n, cap;
	int oom;
};

static int qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tbf_read *t = data;
	const struct tcmsg *tc = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWQDISC || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*tc)))
		return MNL_CB_OK;
	if ((t->index && tc->tcm_ifindex != t->index) || tc->tcm_parent != TC_H_ROOT ||
	    tc->tcm_handle != NSNET_QDISC_HANDLE)
		return MNL_CB_OK;
	const struct nlattr *a, *kind = NULL, *opts = NULL;
	mnl_attr_for_each(a, nlh, sizeof(*tc)) {
		if (mnl_attr_get_type(a) == TCA_KIND)
			kind = a;
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			opts = a;
	}
	if (!kind || !opts || mnl_attr_validate(kind, MNL_TYPE_NUL_STRING) < 0 || !streq(mnl_attr_get_str(kind), "tbf"))
		return MNL_CB_OK;
	t->rate = 0;
	mnl_attr_for_each_nested(a, opts) {
		if (mnl_attr_get_type(a) == TCA_TBF_PARMS && mnl_attr_get_payload_len(a) >= sizeof(struct tc_tbf_qopt)) {
			const struct tc_tbf_qopt *q = mnl_attr_get_payload(a);
			if (!t->rate)
				t->rate = (uint64_t)q->rate.rate * 8;
		} else if (mnl_attr_get_type(a) == TCA_TBF_RATE64 && mnl_attr_validate(a, MNL_TYPE_U64) == 0) {
			t->rate = mnl_attr_get_u64(a) * 8;
		}
	}
	if (t->index == 0 && t->rate) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 8;
			struct link_rate *v = realloc(t->all, cap * sizeof(*v));
			if (!v) {
				t->oom = 1;
				return MNL_CB_OK;
			}
			t->all = v;
			t->cap = cap;
		}
		t->all[t->n++] = (struct link_rate){ .index = tc->tcm_ifindex, .rate = t->rate };
	}
	return MNL_CB_OK;
}

static void qdisc_reset(void *data)
{
	struct tbf_read *t = data;
	t->rate = 0;
	t->n = 0;
}

int link_rates(struct nl *nl, struct link_rate **ret, size_t *ret_n, struct nsnet_error *e)
{
	struct tbf_read t = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETQDISC, NLM_F_DUMP);
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	int r = nl_dump(nl, nlh, qdisc_cb, qdisc_reset, &t, e);
	if (r == 0 && t.oom)
		r = nsnet_err(e, ENOMEM, "list qdiscs");
	if (r < 0) {
		free(t.all);
		return r;
	}
	*ret = t.all;
	*ret_n = t.n;
	return 0;
}

int link_rate_get(struct nl *nl, const char *ifname, uint64_t *ret, struct nsnet_error *e)
{
	struct tbf_read t = { .index = link_index(nl, ifname) };
	if (t.index < 0)
		return nsnet_err(e, -t.index, "interface %s", ifname);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETQDISC, NLM_F_DUMP);
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = t.index;
	int r = nl_dump(nl, nlh, qdisc_cb, qdisc_reset, &t, e);
	if (r < 0)
		return r;
	*ret = t.rate;
	return 0;
}

int link_qdisc_available(const char *kind)
{
	_cleanup_nl_ struct nl *nl = NULL;
	if (nl_open_fd(-1, &nl, NULL) < 0)
		return -EIO;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	/* Asked on lo (ifindex 1 in every namespace) with options the qdisc refuses:
	 * the kernel looks the kind up before it parses them, so "unknown kind"
	 * (ENOENT) says it lacks the qdisc, and EINVAL that it has it; nothing is
	 * created either way. */
	if (msg_qdisc_probe(&b, 1, kind) < 0)
		return -ENOMEM;
	struct nsnet_error e = { 0 };
	int r = nl_batch_send(nl, &b, &e);
	if (r == -ENOENT)
		return 0;
	/* Not allowed to ask (no CAP_NET_ADMIN): unknown, not "present". */
	if (r == -EPERM || r == -EACCES)
		return r;
	if (r == 0) {
		/* Created after all: take it away again. */
		nl_batch_init(&b);
		if (msg_qdisc_del_root(&b, 1, "lo") == 0)
			nl_batch_send(nl, &b, NULL);
	}
	return 1;
}
