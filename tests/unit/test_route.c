/* Unit tests for lib/link/route.c input checks: every one of these is refused before
 * the namespace is opened (the namespace named here does not exist, so reaching
 * it would give ENOENT instead of EINVAL). No root needed. */
#include <errno.h>
#include "nsnet.h"
#include "unit.h"

#define NS "no-such-ns-for-unit-test"

static struct nsnet_prefix P(const char *s)
{
	struct nsnet_prefix p = { 0 };
	struct nsnet_error e = { 0 };
	if (nsnet_prefix_parse(s, false, &p, &e) < 0) {
		fprintf(stderr, "P(%s): %s\n", s, e.msg);
		unit_fail++;
	}
	return p;
}

static void refused(const struct nsnet_route_spec *r, bool add, const char *want)
{
	struct nsnet_error e = { 0 };
	int ret = add ? nsnet_route_add(r, &e) : nsnet_route_del(r, &e);
	CHECK(ret == -EINVAL);
	if (!strstr(e.msg, want)) {
		unit_fail++;
		fprintf(stderr, "  message '%s' lacks '%s'\n", e.msg, want);
	}
}

int main(void)
{
	struct nsnet_route_spec r = { .ns = NS, .dst = P("10.1.0.0/24"), .has_via = true, .via = P("fd00::1") };
	refused(&r, true, "add route 10.1.0.0/24 in '" NS "': gateway fd00::1 is IPv6 but the destination is IPv4");
	refused(&r, false, "delete route 10.1.0.0/24 in '" NS "': gateway fd00::1 is IPv6");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("fd00:1::/64"), .has_via = true, .via = P("10.0.0.1") };
	refused(&r, true, "gateway 10.0.0.1 is IPv4 but the destination is IPv6");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("10.1.0.1/24"), .has_via = true, .via = P("10.0.0.1") };
	refused(&r, true, "host bits set in the destination (the network is 10.1.0.0/24)");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("fd00:1::1/64"), .has_via = true, .via = P("fd00::1") };
	refused(&r, true, "the network is fd00:1::/64");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("10.1.0.0/24") };
	refused(&r, true, "needs a gateway (via) or a device (dev)");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("10.1.0.0/24"), .dev = "way-too-long-ifname" };
	refused(&r, true, "invalid interface name 'way-too-long-ifname'");
	r = (struct nsnet_route_spec){ .ns = "a/b", .dst = P("10.1.0.0/24"), .dev = "eth0" };
	refused(&r, true, "invalid namespace name 'a/b'");
	r = (struct nsnet_route_spec){ .ns = NULL, .dst = P("10.1.0.0/24"), .dev = "eth0" };
	refused(&r, true, "no namespace given");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = { .family = 7 }, .dev = "eth0" };
	refused(&r, true, "neither IPv4 nor IPv6");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = { .family = AF_INET, .len = 33 }, .dev = "eth0" };
	refused(&r, true, "prefix length 33 is more than 32");
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("10.1.0.0/24"), .has_via = true, .via = { .family = 9 } };
	refused(&r, true, "gateway is neither IPv4 nor IPv6");

	/* Good input gets as far as the namespace, which is missing. */
	struct nsnet_error e = { 0 };
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("0.0.0.0/0"), .has_via = true, .via = P("10.0.0.1") };
	CHECK(nsnet_route_add(&r, &e) == -ENOENT);
	CHECK(strstr(e.msg, "add route default via 10.0.0.1: namespace '" NS "' not found") != NULL);
	/* A delete may name only the destination. */
	r = (struct nsnet_route_spec){ .ns = NS, .dst = P("10.1.0.0/24") };
	CHECK(nsnet_route_del(&r, &e) == -ENOENT);
	return UNIT_DONE();
}
