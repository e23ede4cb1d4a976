/* Unit tests for impairments: lib/base/rate.c (rates and losses as people write
 * them) and lib/rtnl/msg_qdisc.c (the TBF request, built and re-parsed in memory). */
#include <errno.h>
#include <linux/pkt_sched.h>
#include "nsnet.h"
#include "base/base.h"
#include "rtnl/rtnl.h"
#include "unit.h"

static void rate_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	struct nsnet_error e = { 0 };
	CHECK(rate_parse(s, &v, &e) == 0);
	CHECK(v == want);
	if (v != want)
		fprintf(stderr, "  rate '%s': %llu, expected %llu\n", s, (unsigned long long)v, (unsigned long long)want);
}

static void rate_bad(const char *s, const char *want)
{
	uint64_t v = 7;
	struct nsnet_error e = { 0 };
	CHECK(rate_parse(s, &v, &e) < 0);
	CHECK(v == 7);
	CHECK(strstr(e.msg, want) != NULL);
	if (!strstr(e.msg, want))
		fprintf(stderr, "  message '%s' lacks '%s'\n", e.msg, want);
}

static void loss_ok(const char *s, uint32_t want)
{
	uint32_t v = 0;
	CHECK(loss_parse(s, &v, NULL) == 0);
	CHECK(v == want);
}

static void tbf_message(void)
{
	struct nl_batch b;
	nl_batch_init(&b);
	CHECK(msg_qdisc_tbf(&b, 7, "p0", 8000000) == 0);
	/* Close the message: starting another one does, so build a second and look at
	 * the first. */
	CHECK(msg_qdisc_del_root(&b, 7, "p0") == 0);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b.buf;
	CHECK(nlh->nlmsg_type == RTM_NEWQDISC);
	CHECK((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE)) == (NLM_F_CREATE | NLM_F_REPLACE));
	const struct tcmsg *tc = mnl_nlmsg_get_payload(nlh);
	CHECK(tc->tcm_ifindex == 7 && tc->tcm_parent == TC_H_ROOT && tc->tcm_handle == 0x4e530000u);
	const struct nlattr *a, *kind = NULL, *opts = NULL;
	mnl_attr_for_each(a, nlh, sizeof(*tc)) {
		if (mnl_attr_get_type(a) == TCA_KIND)
			kind = a;
		if (mnl_attr_get_type(a) == TCA_OPTIONS)
			opts = a;
	}
	CHECK(kind && strcmp(mnl_attr_get_str(kind), "tbf") == 0);
	CHECK(opts != NULL);
	bool parms = false, burst = false, rate64 = false;
	if (opts)
		mnl_attr_for_each_nested(a, opts) {
			if (mnl_attr_get_type(a) == TCA_TBF_PARMS) {
				const struct tc_tbf_qopt *q = mnl_attr_get_payload(a);
				parms = q->rate.rate == 1000000 && q->limit > 20000 && q->buffer > 0;
			} else if (mnl_attr_get_type(a) == TCA_TBF_BURST) {
				burst = mnl_attr_get_u32(a) == 20000;
			} else if (mnl_attr_get_type(a) == TCA_TBF_RATE64) {
				rate64 = true;
			}
		}
	CHECK(parms);
	CHECK(burst);
	CHECK(!rate64);   /* only for 4 GB/s and more */
	nl_batch_free(&b);
}

int main(void)
{
	rate_ok("8mbit", 8000000);
	rate_ok("10kbit", 10000);
	rate_ok("1.5gbit", 1500000000);
	rate_ok("125kbps", 1000000);
	rate_ok("64bit", 64);
	rate_ok("40gbps", 320000000000ull);
	rate_bad("fast", "write a number and a unit");
	rate_bad("10", "unknown unit");
	rate_bad("10mbits", "unknown unit");
	rate_bad("1bit", "out of range");
	rate_bad("-1mbit", "write a number");
	rate_bad("", "write a number");

	char buf[32];
	CHECK_STR(rate_str(8000000, buf, sizeof(buf)), "8mbit");
	CHECK_STR(rate_str(1500000, buf, sizeof(buf)), "1500kbit");
	CHECK_STR(rate_str(64, buf, sizeof(buf)), "64bit");

	loss_ok("20%", 200000);
	loss_ok("0.5%", 5000);
	loss_ok("100%", 1000000);
	loss_ok("0%", 0);
	uint32_t v;
	CHECK(loss_parse("101%", &v, NULL) == -ERANGE);
	CHECK(loss_parse("5", &v, NULL) == -EINVAL);
	CHECK(loss_parse("5%%", &v, NULL) == -EINVAL);
	CHECK(loss_parse("%", &v, NULL) == -EINVAL);
	CHECK(loss_parse("-1%", &v, NULL) == -EINVAL);
	CHECK_STR(loss_str(200000, buf, sizeof(buf)), "20%");
	CHECK_STR(loss_str(5000, buf, sizeof(buf)), "0.5%");

	tbf_message();
	return UNIT_DONE();
}
