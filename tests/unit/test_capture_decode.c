/* The packet decoder of nsnet capture (lib/observe/capture_decode.c) fed packets
 * built in memory: each summary line and the JSON keys a reader uses, and every
 * packet cut short at every length (a short snapshot), which must decode as far
 * as it goes and never read past what was captured (ASan watches the build). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <time.h>
#include "observe/observe.h"
#include "unit.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

struct pkt {
	uint8_t b[256];
	size_t n;
};

static void put(struct pkt *p, const void *v, size_t n)
{
	memcpy(p->b + p->n, v, n);
	p->n += n;
}
static void put8(struct pkt *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void put16(struct pkt *p, unsigned v) { put8(p, v >> 8); put8(p, v & 0xff); }
static void put32(struct pkt *p, uint32_t v) { put16(p, v >> 16); put16(p, v & 0xffff); }

static void eth(struct pkt *p, unsigned type)
{
	put(p, mac_b, 6);
	put(p, mac_a, 6);
	put16(p, type);
}

/* An IPv4 header for a payload of len bytes. */
static void ip4(struct pkt *p, unsigned proto, size_t len, const char *src, const char *dst)
{
	uint8_t a[4];
	put8(p, 0x45);
	put8(p, 0);
	put16(p, 20 + len);
	put32(p, 0x12344000);   /* id, DF */
	put8(p, 64);
	put8(p, proto);
	put16(p, 0);
	inet_pton(AF_INET, src, a);
	put(p, a, 4);
	inet_pton(AF_INET, dst, a);
	put(p, a, 4);
}

static void ip6(struct pkt *p, unsigned next, size_t len, const char *src, const char *dst)
{
	uint8_t a[16];
	put32(p, 0x60000000);
	put16(p, len);
	put8(p, next);
	put8(p, 255);
	inet_pton(AF_INET6, src, a);
	put(p, a, 16);
	inet_pton(AF_INET6, dst, a);
	put(p, a, 16);
}

static json_t *decode(int lt, const struct pkt *p, size_t caplen)
{
	struct timeval tv = { .tv_sec = 1700000000, .tv_usec = 42 };
	return capture_decode(lt, &tv, "eth0", p->b, caplen, p->n);
}

/* The summary of the whole packet, checked; then every shorter snapshot decoded. */
static void check(int lt, const struct pkt *p, const char *want)
{
	json_t *o = decode(lt, p, p->n);
	CHECK(o != NULL);
	CHECK_STR(json_string_value(json_object_get(o, "summary")), want);
	json_decref(o);
	for (size_t n = 0; n < p->n; n++) {
		/* A copy of exactly n bytes on the heap, so ASan sees a read past it. */
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, p->b, n);
		struct timeval tv = { 0 };
		o = capture_decode(lt, &tv, "eth0", cut, (uint32_t)n, p->n);
		CHECK(o && json_is_string(json_object_get(o, "summary")));
		json_decref(o);
		free(cut);
	}
}

static void test_icmp(void)
{
	struct pkt p = { 0 };
	eth(&p, 0x0800);
	ip4(&p, 1, 64, "10.0.0.1", "10.0.0.2");
	put8(&p, 8);
	put8(&p, 0);
	put16(&p, 0);
	put16(&p, 77);
	put16(&p, 3);
	p.n += 56;
	check(DLT_EN10MB, &p, "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 77, seq 3, length 64");
	json_t *o = decode(DLT_EN10MB, &p, p.n);
	CHECK_STR(json_string_value(json_object_get(o, "protocol")), "icmp");
	CHECK_STR(json_string_value(json_object_get(o, "src")), "10.0.0.1");
	CHECK_STR(json_string_value(json_object_get(o, "dst")), "10.0.0.2");
	CHECK_STR(json_string_value(json_object_get(o, "src_mac")), "02:00:00:00:00:0a");
	CHECK_STR(json_string_value(json_object_get(o, "interface")), "eth0");
	CHECK_STR(json_string_value(json_object_get(o, "timestamp")), "2023-11-14T22:13:20.000042+00:00");
	CHECK(json_integer_value(json_object_get(o, "id")) == 77 && json_integer_value(json_object_get(o, "seq")) == 3);
	CHECK(json_integer_value(json_object_get(o, "length")) == 98);
	CHECK(json_object_get(o, "truncated") == NULL);
	json_decref(o);
	/* Cut inside the ICMP header: as far as it goes, and marked. */
	o = decode(DLT_EN10MB, &p, 14 + 20 + 2);
	CHECK_STR(json_string_value(json_object_get(o, "summary")), "IP 10.0.0.1 > 10.0.0.2: ICMP [|icmp]");
	CHECK(json_is_true(json_object_get(o, "truncated")));
	json_decref(o);

	struct pkt u = { 0 };
	eth(&u, 0x0800);
	ip4(&u, 1, 36, "10.0.0.2", "10.0.0.1");
	put8(&u, 3);
	put8(&u, 3);
	u.n += 34;
	check(DLT_EN10MB, &u, "IP 10.0.0.2 > 10.0.0.1: ICMP port unreachable, length 36");
}

static void test_tcp_udp(void)
{
	struct pkt p = { 0 };
	eth(&p, 0x0800);
	ip4(&p, 6, 20 + 5, "10.0.0.1", "10.0.0.2");
	put16(&p, 40000);
	put16(&p, 80);
	put32(&p, 1000);
	put32(&p, 2000);
	put8(&p, 5 << 4);
	put8(&p, 0x12);   /* SYN, ACK */
	p.n += 6 + 5;
	check(DLT_EN10MB, &p, "IP 10.0.0.1.40000 > 10.0.0.2.80: TCP [S.], seq 1000, ack 2000, length 5");
	json_t *o = decode(DLT_EN10MB, &p, p.n);
	CHECK_STR(json_string_value(json_object_get(o, "flags")), "S.");
	CHECK(json_integer_value(json_object_get(o, "dport")) == 80);
	json_decref(o);

	struct pkt u = { 0 };
	eth(&u, 0x86dd);
	ip6(&u, 17, 8 + 5, "fd00::1", "fd00::2");
	put16(&u, 5353);
	put16(&u, 7777);
	put16(&u, 8 + 5);
	put16(&u, 0);
	u.n += 5;
	check(DLT_EN10MB, &u, "IP6 fd00::1.5353 > fd00::2.7777: UDP, length 5");
	/* Ethernet padding after a short IP packet is not read as its data. */
	struct pkt pad = u;
	pad.n += 20;
	check(DLT_EN10MB, &pad, "IP6 fd00::1.5353 > fd00::2.7777: UDP, length 5");
}

static void test_arp(void)
{
	struct pkt p = { 0 };
	uint8_t a[4];
	eth(&p, 0x0806);
	put16(&p, 1);
	put16(&p, 0x0800);
	put8(&p, 6);
	put8(&p, 4);
	put16(&p, 1);
	put(&p, mac_a, 6);
	inet_pton(AF_INET, "10.0.0.1", a);
	put(&p, a, 4);
	p.n += 6;
	inet_pton(AF_INET, "10.0.0.2", a);
	put(&p, a, 4);
	check(DLT_EN10MB, &p, "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28");
	p.b[14 + 7] = 2;
	check(DLT_EN10MB, &p, "ARP, Reply 10.0.0.1 is-at 02:00:00:00:00:0a, length 28");
}

static void test_icmp6_nd(void)
{
	/* A neighbour solicitation behind a hop-by-hop header (as MLD packets have one). */
	struct pkt p = { 0 };
	uint8_t t[16];
	eth(&p, 0x86dd);
	ip6(&p, 0, 8 + 24, "fe80::1", "ff02::1:ff00:2");
	put8(&p, 58);
	put8(&p, 0);
	p.n += 6;
	put8(&p, 135);
	put8(&p, 0);
	put16(&p, 0);
	put32(&p, 0);
	inet_pton(AF_INET6, "fd00::2", t);
	put(&p, t, 16);
	check(DLT_EN10MB, &p, "IP6 fe80::1 > ff02::1:ff00:2: ICMP6 neighbor solicitation, who has fd00::2, length 24");
	json_t *o = decode(DLT_EN10MB, &p, p.n);
	CHECK_STR(json_string_value(json_object_get(o, "protocol")), "icmp6");
	CHECK_STR(json_string_value(json_object_get(o, "target")), "fd00::2");
	json_decref(o);
}

static void test_links(void)
{
	/* A VLAN tag, an ethertype nobody decodes, raw IP, Linux cooked v2, an unknown link. */
	struct pkt v = { 0 };
	eth(&v, 0x8100);
	put16(&v, 0x2000 | 42);
	put16(&v, 0x88cc);
	v.n += 30;
	check(DLT_EN10MB, &v, "vlan 42, ethertype 0x88cc, length 30");

	struct pkt r = { 0 };
	ip4(&r, 47, 4, "192.0.2.1", "192.0.2.2");
	r.n += 4;
	check(DLT_RAW, &r, "IP 192.0.2.1 > 192.0.2.2: ip-proto-47, length 4");

	struct pkt s = { 0 };
	put16(&s, 0x0800);
	s.n += 18;
	ip4(&s, 17, 8, "198.51.100.1", "198.51.100.2");
	put16(&s, 1);
	put16(&s, 2);
	put16(&s, 8);
	put16(&s, 0);
	check(DLT_LINUX_SLL2, &s, "IP 198.51.100.1.1 > 198.51.100.2.2: UDP, length 0");

	struct pkt x = { .n = 10 };
	check(DLT_IEEE802_11, &x, "link-type IEEE802_11, length 10");
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_icmp();
	test_tcp_udp();
	test_arp();
	test_icmp6_nd();
	test_links();
	return UNIT_DONE();
}
