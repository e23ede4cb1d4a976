/* IPAM without the kernel: exclusions, exhaustion, cursor, memory for huge subnets. */
#include "base/base.h"
#include "unit.h"

static struct nsnet_prefix P(const char *s)
{
	struct nsnet_prefix p;
	nsnet_prefix_parse(s, false, &p, NULL);
	return p;
}

static const char *S(const struct nsnet_prefix *p, char *buf)
{
	return nsnet_prefix_str(p, true, buf, 64);
}

int main(void)
{
	struct ipam ip;
	struct nsnet_prefix a, net = P("192.168.15.0/24"), gw = P("192.168.15.5");
	char buf[64];

	ipam_init(&ip, &net, 0);
	CHECK(ipam_mark(&ip, &gw) == 0);
	CHECK(ipam_mark(&ip, &gw) == -EEXIST);
	struct nsnet_prefix bad = P("10.0.0.1");
	CHECK(ipam_mark(&ip, &bad) == -ERANGE);
	struct nsnet_prefix bcast = P("192.168.15.255"), netaddr = P("192.168.15.0");
	CHECK(ipam_mark(&ip, &bcast) == -ERANGE);
	CHECK(ipam_mark(&ip, &netaddr) == -ERANGE);
	CHECK(ipam_free_count(&ip) == 253);
	/* Static .2 taken: the pool skips it, and the gateway .5. */
	struct nsnet_prefix st = P("192.168.15.2");
	CHECK(ipam_mark(&ip, &st) == 0);
	const char *want[] = { "192.168.15.1/24", "192.168.15.3/24", "192.168.15.4/24", "192.168.15.6/24" };
	for (int i = 0; i < 4; i++) {
		CHECK(ipam_alloc(&ip, &a) == 0);
		CHECK_STR(S(&a, buf), want[i]);
	}
	int n = 0;
	while (ipam_alloc(&ip, &a) == 0)
		n++;
	CHECK(n == 254 - 6);
	CHECK(ipam_alloc(&ip, &a) == -ENOSPC);
	ipam_done(&ip);

	/* The cursor resumes where it stopped, and wraps past the end. */
	struct nsnet_prefix n30 = P("10.1.0.0/30");
	ipam_init(&ip, &n30, 2);
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "10.1.0.2/30");
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "10.1.0.1/30");
	CHECK(ipam_alloc(&ip, &a) == -ENOSPC);
	ipam_done(&ip);

	/* /8 and /64 cost nothing up front. */
	struct nsnet_prefix n8 = P("10.0.0.0/8"), n64 = P("fd00:1::/64");
	ipam_init(&ip, &n8, 0);
	CHECK(ip.cap == 0);
	CHECK(ipam_free_count(&ip) == (1u << 24) - 2);
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "10.0.0.1/8");
	ipam_done(&ip);
	ipam_init(&ip, &n64, 0);
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "fd00:1::1/64");
	for (int i = 0; i < 1000; i++)
		CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "fd00:1::3e9/64");
	CHECK(ip.cap <= 4096);
	ipam_done(&ip);

	/* A range (host-local's rangeStart/rangeEnd): only .100 and .101, and an
	 * address outside it is refused, not counted. */
	struct nsnet_prefix n24 = P("10.9.0.0/24"), out = P("10.9.0.5/24");
	ipam_init(&ip, &n24, 0);
	ipam_restrict(&ip, 100, 101);
	CHECK(ipam_mark(&ip, &out) == -ERANGE);
	CHECK(ipam_free_count(&ip) == 2);
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "10.9.0.100/24");
	CHECK(ipam_alloc(&ip, &a) == 0);
	CHECK_STR(S(&a, buf), "10.9.0.101/24");
	CHECK(ipam_alloc(&ip, &a) == -ENOSPC);
	ipam_done(&ip);
	return UNIT_DONE();
}
