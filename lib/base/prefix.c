/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Addresses and prefixes (CIDR): strict parsing, formatting and the index math
 * that IPAM and the route code build on. Everything works on network-byte-order
 * arrays, so IPv4 and IPv6 share one path (4 or 16 bytes).
 *
 * Index math is done in uint64_t: an IPv4 subnet always fits, an IPv6 subnet is
 * addressed by the low 64 bits of its host part, which covers every /64 and
 * narrower (the only sizes anyone allocates addresses from).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <sys/socket.h>
#include "nsnet.h"
#include "base/base.h"

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static size_t family_bytes(int family)
{
	return family_bits(family) / 8;
}

/* Parse the address part; the family is told by the presence of ':', so the
 * error can say which kind of address it expected. */
static int parse_addr_part(const char *what, const char *whole, const char *s, size_t n,
			   struct nsnet_prefix *ret, struct nsnet_error *e)
{
	/* Longest textual IPv6 form (with an embedded IPv4 tail) is 45 bytes. */
	char buf[64];
	if (n == 0)
		return nsnet_errx(e, EINVAL, "invalid %s '%s': the address is missing", what, whole);
	if (n >= sizeof(buf))
		return nsnet_errx(e, EINVAL, "invalid %s '%.64s...': address too long", what, whole);
	memcpy(buf, s, n);
	buf[n] = 0;

	struct nsnet_prefix p = { 0 };
	p.family = memchr(buf, ':', n) ? AF_INET6 : AF_INET;
	if (inet_pton(p.family, buf, p.addr) != 1)
		return nsnet_errx(e, EINVAL, "invalid %s '%s': '%s' is not a valid %s address", what, whole, buf,
				  p.family == AF_INET ? "IPv4" : "IPv6");
	p.len = (uint8_t)family_bits(p.family);
	*ret = p;
	return 0;
}

int nsnet_prefix_parse(const char *s, bool need_len, struct nsnet_prefix *ret, struct nsnet_error *e)
{
	if (!s || !*s)
		return nsnet_errx(e, EINVAL, "invalid CIDR '': empty");
	const char *slash = strchr(s, '/');
	struct nsnet_prefix p;
	int r = parse_addr_part("CIDR", s, s, slash ? (size_t)(slash - s) : strlen(s), &p, e);
	if (r < 0)
		return r;
	unsigned max = family_bits(p.family);
	if (!slash) {
		if (need_len)
			return nsnet_errx(e, EINVAL, "invalid CIDR '%s': prefix length missing (e.g. '%s/%u')", s, s,
					  p.family == AF_INET ? 24 : 64);
		*ret = p;
		return 0;
	}
	/* Digits only: no sign, no spaces, no hex, no second '/'; at most 3 of them so
	 * a long run of digits cannot overflow before the range check. */
	const char *l = slash + 1;
	size_t nd = strspn(l, "0123456789");
	if (nd == 0 || l[nd] != 0 || nd > 3)
		return nsnet_errx(e, EINVAL, "invalid CIDR '%s': prefix length must be a number 0..%u", s, max);
	unsigned len = (unsigned)strtoul(l, NULL, 10);
	if (len > max)
		return nsnet_errx(e, EINVAL, "invalid CIDR '%s': prefix length must be 0..%u", s, max);
	p.len = (uint8_t)len;
	*ret = p;
	return 0;
}

int nsnet_addr_parse(const char *s, struct nsnet_prefix *ret, struct nsnet_error *e)
{
	if (!s || !*s)
		return nsnet_errx(e, EINVAL, "invalid address '': empty");
	if (strchr(s, '/'))
		return nsnet_errx(e, EINVAL, "invalid address '%s': a bare address is expected, without '/length'", s);
	return parse_addr_part("address", s, s, strlen(s), ret, e);
}

const char *nsnet_prefix_str(const struct nsnet_prefix *p, bool with_len, char *buf, size_t len)
{
	if (!buf || len == 0)
		return "";
	char a[INET6_ADDRSTRLEN];
	if (!p || !family_bits(p->family) || !inet_ntop(p->family, p->addr, a, sizeof(a))) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (with_len)
		snprintf(buf, len, "%s/%u", a, p->len);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

/* Whether the first bits bits of a and b are equal. */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff00 >> rest);
	return ((a[full] ^ b[full]) & mask) == 0;
}

void nsnet_prefix_network(const struct nsnet_prefix *p, struct nsnet_prefix *ret)
{
	struct nsnet_prefix n = { .family = p->family, .len = p->len };
	size_t bytes = family_bytes(p->family);
	unsigned len = p->len > bytes * 8 ? (unsigned)(bytes * 8) : p->len;
	memcpy(n.addr, p->addr, len / 8);
	if (len % 8)
		n.addr[len / 8] = p->addr[len / 8] & (uint8_t)(0xff00 >> (len % 8));
	*ret = n;
}

/* addr is treated as an address: its own prefix length does not matter, so
 * "10.0.0.5/24" (an interface address) is inside 10.0.0.0/24. Prefix against
 * prefix is nsnet_prefix_overlaps(). */
bool nsnet_prefix_contains(const struct nsnet_prefix *net, const struct nsnet_prefix *addr)
{
	if (net->family != addr->family || !family_bits(net->family) || net->len > family_bits(net->family))
		return false;
	return bits_equal(net->addr, addr->addr, net->len);
}

bool nsnet_prefix_overlaps(const struct nsnet_prefix *a, const struct nsnet_prefix *b)
{
	if (a->family != b->family || !family_bits(a->family))
		return false;
	unsigned len = a->len < b->len ? a->len : b->len;
	if (len > family_bits(a->family))
		return false;
	return bits_equal(a->addr, b->addr, len);
}

bool nsnet_addr_equal(const struct nsnet_prefix *a, const struct nsnet_prefix *b)
{
	return a->family == b->family && family_bits(a->family) &&
	       memcmp(a->addr, b->addr, family_bytes(a->family)) == 0;
}

/* The low 64 bits of the address (all 32 for IPv4), host order. */
static uint64_t low64(const struct nsnet_prefix *p)
{
	size_t bytes = family_bytes(p->family), start = bytes > 8 ? bytes - 8 : 0;
	uint64_t v = 0;
	for (size_t i = start; i < bytes; i++)
		v = v << 8 | p->addr[i];
	return v;
}

static void set_low64(struct nsnet_prefix *p, uint64_t v)
{
	size_t bytes = family_bytes(p->family), start = bytes > 8 ? bytes - 8 : 0;
	for (size_t i = bytes; i > start; i--) {
		p->addr[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

/* Number of host bits, or -1 for a malformed prefix. */
static int host_bits(const struct nsnet_prefix *net)
{
	unsigned bits = family_bits(net->family);
	if (!bits || net->len > bits)
		return -1;
	return (int)(bits - net->len);
}

/* The result keeps net's prefix length, so it is ready to be put on an interface
 * ("10.0.0.5/24"). */
int nsnet_prefix_nth(const struct nsnet_prefix *net, uint64_t idx, struct nsnet_prefix *ret)
{
	int h = host_bits(net);
	if (h < 0)
		return -EINVAL;
	if (h < 64 && idx >> h)
		return -ERANGE;
	struct nsnet_prefix n;
	nsnet_prefix_network(net, &n);
	/* The network's host bits are zero, so OR-ing idx in cannot carry. For h >= 64
	 * the whole low 64 bits are host bits. */
	set_low64(&n, low64(&n) | idx);
	*ret = n;
	return 0;
}

uint64_t nsnet_prefix_index(const struct nsnet_prefix *net, const struct nsnet_prefix *addr)
{
	int h = host_bits(net);
	if (h <= 0)
		return 0;
	uint64_t v = low64(addr);
	return h >= 64 ? v : v & ((UINT64_C(1) << h) - 1);
}

void nsnet_prefix_host_range(const struct nsnet_prefix *net, uint64_t *first, uint64_t *last)
{
	int h = host_bits(net);
	if (h <= 1) {
		/* /32, /128: the one address; /31, /127: both (RFC 3021, RFC 6164). A
		 * malformed prefix gets the same one-address answer rather than garbage. */
		*first = 0;
		*last = h == 1 ? 1 : 0;
		return;
	}
	*first = 1;
	if (net->family == AF_INET)
		*last = (UINT64_C(1) << h) - 2;   /* not the broadcast */
	else if (h >= 64)
		*last = UINT64_C(1) << 63;        /* the cap: 2^63 usable indexes */
	else
		*last = (UINT64_C(1) << h) - 1;   /* IPv6 has no broadcast; 0 is subnet-router anycast */
}
