/* Unit tests for lib/base/prefix.c: parsing, formatting, containment, index math. */
#include <arpa/inet.h>
#include <errno.h>
#include "nsnet.h"
#include "unit.h"

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

static const char *S(const struct nsnet_prefix *p)
{
	static char buf[4][64];
	static int i;
	i = (i + 1) % 4;
	return nsnet_prefix_str(p, true, buf[i], sizeof(buf[i]));
}

/* Parses, and formats back to want. */
static void ok(const char *s, bool need_len, const char *want)
{
	struct nsnet_prefix p;
	struct nsnet_error e = { 0 };
	int r = nsnet_prefix_parse(s, need_len, &p, &e);
	CHECK(r == 0);
	if (r == 0)
		CHECK_STR(S(&p), want);
	else
		fprintf(stderr, "  parse '%s': %s\n", s, e.msg);
}

/* Refused with EINVAL and a message containing want. */
static void bad(const char *s, bool need_len, const char *want)
{
	struct nsnet_prefix p = { .family = 99 };
	struct nsnet_error e = { 0 };
	int r = nsnet_prefix_parse(s, need_len, &p, &e);
	CHECK(r == -EINVAL);
	CHECK(e.code == EINVAL);
	CHECK(p.family == 99);   /* ret untouched on failure */
	if (!strstr(e.msg, want)) {
		unit_fail++;
		fprintf(stderr, "  parse '%s': message '%s' lacks '%s'\n", s ? s : "(null)", e.msg, want);
	}
}

static void test_parse(void)
{
	ok("10.0.0.1/24", true, "10.0.0.1/24");   /* host bits kept: an interface address */
	ok("10.0.0.1", false, "10.0.0.1/32");
	ok("0.0.0.0/0", true, "0.0.0.0/0");
	ok("255.255.255.255/32", true, "255.255.255.255/32");
	ok("192.0.2.0/31", true, "192.0.2.0/31");
	ok("fd00::1/64", true, "fd00::1/64");
	ok("fd00::1", false, "fd00::1/128");
	ok("::/0", true, "::/0");
	ok("FD00:0:0::A/127", true, "fd00::a/127");
	ok("::ffff:192.0.2.1/128", true, "::ffff:192.0.2.1/128");
	ok("10.0.0.0/024", true, "10.0.0.0/24");  /* leading zero in the length: harmless */

	bad("10.0.0.1/33", true, "invalid CIDR '10.0.0.1/33': prefix length must be 0..32");
	bad("fd00::/129", true, "prefix length must be 0..128");
	bad("10.0.0.256/24", true, "invalid CIDR '10.0.0.256/24': '10.0.0.256' is not a valid IPv4 address");
	bad("1.2.3", false, "not a valid IPv4 address");
	bad("1.2.3.4.5/8", true, "not a valid IPv4 address");
	bad("10.0.0.1/24x", true, "prefix length must be a number");
	bad("10.0.0.1/24 ", true, "prefix length must be a number");
	bad("10.0.0.1 /24", true, "not a valid IPv4 address");
	bad(" 10.0.0.1/24", true, "not a valid IPv4 address");
	bad("10.0.0.1/", true, "prefix length must be a number");
	bad("10.0.0.1/-1", true, "prefix length must be a number");
	bad("10.0.0.1/+8", true, "prefix length must be a number");
	bad("10.0.0.1/0x10", true, "prefix length must be a number");
	bad("10.0.0.1/99999999999999999999", true, "prefix length must be a number");
	bad("10.0.0.1/24/8", true, "prefix length must be a number");
	bad("/", false, "the address is missing");
	bad("/24", true, "the address is missing");
	bad("", false, "empty");
	bad(NULL, false, "empty");
	bad("10.0.0.1", true, "prefix length missing");
	bad("fd00::1", true, "prefix length missing");
	bad("fd00:::1/64", true, "not a valid IPv6 address");
	bad("fe80::1%eth0/64", true, "not a valid IPv6 address");
	bad("abc", false, "not a valid IPv4 address");
	bad("10.0.0.1\n/24", true, "not a valid IPv4 address");
	bad("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee/64", true, "address too long");

	struct nsnet_prefix a;
	struct nsnet_error e = { 0 };
	CHECK(nsnet_addr_parse("192.0.2.7", &a, &e) == 0);
	CHECK(a.family == AF_INET && a.len == 32);
	CHECK_STR(S(&a), "192.0.2.7/32");
	CHECK(nsnet_addr_parse("2001:db8::7", &a, &e) == 0);
	CHECK(a.family == AF_INET6 && a.len == 128);
	CHECK(nsnet_addr_parse("192.0.2.7/24", &a, &e) == -EINVAL);
	CHECK(strstr(e.msg, "invalid address '192.0.2.7/24'") != NULL);
	CHECK(nsnet_addr_parse("192.0.2.256", &a, &e) == -EINVAL);
	CHECK(strstr(e.msg, "invalid address '192.0.2.256'") != NULL);
	CHECK(nsnet_addr_parse("", &a, &e) == -EINVAL);

	/* Unused bytes of an IPv4 prefix are zero, so structs compare with memcmp. */
	struct nsnet_prefix x = P("10.1.2.3/8");
	bool zero = true;
	for (int i = 4; i < 16; i++)
		zero &= x.addr[i] == 0;
	CHECK(zero);
}

static void test_str(void)
{
	struct nsnet_prefix p = P("10.9.8.7/16");
	char buf[64];
	CHECK_STR(nsnet_prefix_str(&p, false, buf, sizeof(buf)), "10.9.8.7");
	CHECK_STR(nsnet_prefix_str(&p, true, buf, sizeof(buf)), "10.9.8.7/16");
	char small[6];
	CHECK_STR(nsnet_prefix_str(&p, true, small, sizeof(small)), "10.9."); /* truncated, terminated */
	struct nsnet_prefix junk = { .family = 12345 };
	CHECK_STR(nsnet_prefix_str(&junk, true, buf, sizeof(buf)), "?");
	p = P("2001:db8:0:0:1:0:0:1/64");
	CHECK_STR(nsnet_prefix_str(&p, true, buf, sizeof(buf)), "2001:db8::1:0:0:1/64");
}

static void test_network(void)
{
	struct nsnet_prefix n, p;
	p = P("10.1.2.3/24"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "10.1.2.0/24");
	p = P("10.1.2.3/0"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "0.0.0.0/0");
	p = P("10.1.2.3/32"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "10.1.2.3/32");
	p = P("10.1.2.255/31"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "10.1.2.254/31");
	p = P("10.1.2.3/13"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "10.0.0.0/13");
	p = P("10.255.2.3/9"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "10.128.0.0/9");
	p = P("fd00:1:2:3:4:5:6:7/64"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "fd00:1:2:3::/64");
	p = P("fd00:1:2:3:4:5:6:7/127"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "fd00:1:2:3:4:5:6:6/127");
	p = P("ffff::1/1"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "8000::/1");
	p = P("fd00::1/128"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "fd00::1/128");
	p = P("fd00::1/0"); nsnet_prefix_network(&p, &n); CHECK_STR(S(&n), "::/0");
	/* In place. */
	p = P("192.168.77.9/20"); nsnet_prefix_network(&p, &p); CHECK_STR(S(&p), "192.168.64.0/20");
}

static void test_contains_overlaps(void)
{
	struct nsnet_prefix net = P("10.0.0.0/24"), a;
	a = P("10.0.0.0"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.255"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("10.0.1.0"); CHECK(!nsnet_prefix_contains(&net, &a));
	a = P("9.255.255.255"); CHECK(!nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.5/24"); CHECK(nsnet_prefix_contains(&net, &a));  /* an interface address */
	a = P("::a00:5"); CHECK(!nsnet_prefix_contains(&net, &a));     /* other family */
	net = P("0.0.0.0/0");
	a = P("203.0.113.9"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("::1"); CHECK(!nsnet_prefix_contains(&net, &a));
	net = P("10.0.0.6/31");
	a = P("10.0.0.6"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.7"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.8"); CHECK(!nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.5"); CHECK(!nsnet_prefix_contains(&net, &a));
	net = P("10.0.0.6/32");
	a = P("10.0.0.6"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("10.0.0.7"); CHECK(!nsnet_prefix_contains(&net, &a));
	net = P("fd00:1::/64");
	a = P("fd00:1::ffff:ffff:ffff:ffff"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("fd00:1:0:1::"); CHECK(!nsnet_prefix_contains(&net, &a));
	net = P("fd00::/7");
	a = P("fc00::1"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("fdff::1"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("fe00::1"); CHECK(!nsnet_prefix_contains(&net, &a));
	net = P("fd00::5/128");
	a = P("fd00::5"); CHECK(nsnet_prefix_contains(&net, &a));
	a = P("fd00::4"); CHECK(!nsnet_prefix_contains(&net, &a));

	struct nsnet_prefix x, y;
	x = P("10.0.0.0/8"); y = P("10.200.0.0/16");
	CHECK(nsnet_prefix_overlaps(&x, &y) && nsnet_prefix_overlaps(&y, &x));
	x = P("10.0.0.0/24"); y = P("10.0.1.0/24");
	CHECK(!nsnet_prefix_overlaps(&x, &y) && !nsnet_prefix_overlaps(&y, &x));
	x = P("10.0.0.0/23"); y = P("10.0.1.0/24");
	CHECK(nsnet_prefix_overlaps(&x, &y));
	x = P("0.0.0.0/0"); y = P("192.0.2.1/32");
	CHECK(nsnet_prefix_overlaps(&x, &y));
	x = P("192.0.2.1/32"); y = P("192.0.2.1/32");
	CHECK(nsnet_prefix_overlaps(&x, &y));
	x = P("192.0.2.1/32"); y = P("192.0.2.2/32");
	CHECK(!nsnet_prefix_overlaps(&x, &y));
	x = P("10.0.0.0/8"); y = P("::/0");
	CHECK(!nsnet_prefix_overlaps(&x, &y));
	x = P("fd00::/64"); y = P("fd00::/48");
	CHECK(nsnet_prefix_overlaps(&x, &y));
	x = P("fd00:0:0:1::/64"); y = P("fd00::/64");
	CHECK(!nsnet_prefix_overlaps(&x, &y));
	/* Host bits in the wider one don't matter. */
	x = P("10.0.0.77/24"); y = P("10.0.0.128/25");
	CHECK(nsnet_prefix_overlaps(&x, &y));

	x = P("10.0.0.1/24"); y = P("10.0.0.1/32");
	CHECK(nsnet_addr_equal(&x, &y));
	y = P("10.0.0.2/24");
	CHECK(!nsnet_addr_equal(&x, &y));
	x = P("::a00:1"); y = P("10.0.0.1");
	CHECK(!nsnet_addr_equal(&x, &y));
	x = P("fd00::1/64"); y = P("fd00:0::1");
	CHECK(nsnet_addr_equal(&x, &y));
}

static void check_nth(const char *net_s, uint64_t idx, const char *want)
{
	struct nsnet_prefix net = P(net_s), a;
	int r = nsnet_prefix_nth(&net, idx, &a);
	CHECK(r == 0);
	if (r == 0) {
		CHECK_STR(S(&a), want);
		CHECK(nsnet_prefix_contains(&net, &a));
		CHECK(nsnet_prefix_index(&net, &a) == idx);   /* round trip */
	}
}

static void test_nth_index(void)
{
	check_nth("10.0.0.0/24", 0, "10.0.0.0/24");
	check_nth("10.0.0.0/24", 1, "10.0.0.1/24");
	check_nth("10.0.0.0/24", 255, "10.0.0.255/24");
	check_nth("10.0.0.77/24", 5, "10.0.0.5/24");   /* host bits of net ignored */
	check_nth("10.0.0.0/8", 65536 + 256 + 3, "10.1.1.3/8");
	check_nth("0.0.0.0/0", 0xffffffffu, "255.255.255.255/0");
	check_nth("0.0.0.0/0", 0x0a000001u, "10.0.0.1/0");
	check_nth("192.0.2.4/31", 1, "192.0.2.5/31");
	check_nth("192.0.2.4/32", 0, "192.0.2.4/32");
	check_nth("fd00::/64", 1, "fd00::1/64");
	check_nth("fd00::/64", UINT64_MAX, "fd00::ffff:ffff:ffff:ffff/64");
	check_nth("fd00::/64", UINT64_C(1) << 63, "fd00::8000:0:0:0/64");
	check_nth("fd00::/48", 0x10000, "fd00::1:0/48");
	check_nth("fd00::/120", 255, "fd00::ff/120");
	check_nth("fd00::/127", 1, "fd00::1/127");
	check_nth("fd00::8/128", 0, "fd00::8/128");
	check_nth("::/0", 42, "::2a/0");
	check_nth("fd00:0:0:1::/96", 0xfffffffe, "fd00::1:0:0:ffff:fffe/96");
	check_nth("fd00::/65", (UINT64_C(1) << 63) - 1, "fd00::7fff:ffff:ffff:ffff/65");

	struct nsnet_prefix net, a;
	net = P("10.0.0.0/24");
	CHECK(nsnet_prefix_nth(&net, 256, &a) == -ERANGE);
	net = P("10.0.0.0/32");
	CHECK(nsnet_prefix_nth(&net, 1, &a) == -ERANGE);
	net = P("10.0.0.0/31");
	CHECK(nsnet_prefix_nth(&net, 2, &a) == -ERANGE);
	net = P("0.0.0.0/0");
	CHECK(nsnet_prefix_nth(&net, UINT64_C(1) << 32, &a) == -ERANGE);
	net = P("fd00::/128");
	CHECK(nsnet_prefix_nth(&net, 1, &a) == -ERANGE);
	net = P("fd00::/65");
	CHECK(nsnet_prefix_nth(&net, UINT64_C(1) << 63, &a) == -ERANGE);
	struct nsnet_prefix junk = { .family = AF_INET, .len = 40 };
	CHECK(nsnet_prefix_nth(&junk, 0, &a) == -EINVAL);
	junk = (struct nsnet_prefix){ .family = 0 };
	CHECK(nsnet_prefix_nth(&junk, 0, &a) == -EINVAL);

	/* Wider than /64: the index is the low 64 bits. */
	net = P("fd00::/32");
	a = P("fd00:0:1:2:3:4:5:6");
	CHECK(nsnet_prefix_index(&net, &a) == UINT64_C(0x0003000400050006));
	net = P("10.0.0.0/24");
	a = P("10.0.0.200");
	CHECK(nsnet_prefix_index(&net, &a) == 200);
	net = P("10.0.0.0/32");
	CHECK(nsnet_prefix_index(&net, &a) == 0);
}

static void range(const char *s, uint64_t first, uint64_t last)
{
	struct nsnet_prefix net = P(s);
	uint64_t f = 99, l = 99;
	nsnet_prefix_host_range(&net, &f, &l);
	if (f != first || l != last) {
		unit_fail++;
		fprintf(stderr, "host_range(%s) = [%llu, %llu], expected [%llu, %llu]\n", s, (unsigned long long)f,
			(unsigned long long)l, (unsigned long long)first, (unsigned long long)last);
	} else {
		unit_pass++;
	}
	/* Every index in the range is an address of the net. */
	struct nsnet_prefix a;
	CHECK(nsnet_prefix_nth(&net, f, &a) == 0);
	CHECK(nsnet_prefix_nth(&net, l, &a) == 0);
}

static void test_host_range(void)
{
	range("10.0.0.0/24", 1, 254);
	range("10.0.0.0/30", 1, 2);
	range("10.0.0.0/29", 1, 6);
	range("10.0.0.0/31", 0, 1);
	range("10.0.0.0/32", 0, 0);
	range("10.0.0.0/8", 1, (1u << 24) - 2);
	range("0.0.0.0/0", 1, UINT64_C(0xfffffffe));
	range("fd00::/64", 1, UINT64_C(1) << 63);
	range("fd00::/48", 1, UINT64_C(1) << 63);
	range("::/0", 1, UINT64_C(1) << 63);
	range("fd00::/65", 1, (UINT64_C(1) << 63) - 1);
	range("fd00::/120", 1, 255);
	range("fd00::/126", 1, 3);
	range("fd00::/127", 0, 1);
	range("fd00::/128", 0, 0);

	/* The broadcast is outside the IPv4 range, the network address outside both. */
	struct nsnet_prefix net = P("192.0.2.0/24"), a;
	uint64_t f, l;
	nsnet_prefix_host_range(&net, &f, &l);
	nsnet_prefix_nth(&net, l + 1, &a);
	CHECK_STR(S(&a), "192.0.2.255/24");
	nsnet_prefix_nth(&net, f - 1, &a);
	CHECK_STR(S(&a), "192.0.2.0/24");
}

int main(void)
{
	test_parse();
	test_str();
	test_network();
	test_contains_overlaps();
	test_nth_index();
	test_host_range();
	return UNIT_DONE();
}
