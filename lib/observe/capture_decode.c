/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One captured packet as a JSON object and a one-line summary in tcpdump's manner:
 * Ethernet (with one or two VLAN tags), Linux cooked headers and raw IP as link
 * layers; ARP, IPv4, IPv6 (past its extension headers), ICMP, ICMPv6 (echo,
 * errors, neighbour discovery), TCP and UDP above them. Anything else says what
 * it is as far as it was read (an ethertype, an IP protocol number) and its length.
 * Every read is checked against the bytes captured: a snapshot cut short or a
 * lying length field ends the decoding with "[|proto]", as tcpdump marks it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <time.h>
#include "observe/observe.h"
#include "base/base.h"

struct dec {
	json_t *o;
	char sum[512];
	size_t len;
	bool oom;
};

static void say(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct dec *d, const char *fmt, ...)
{
	if (d->len >= sizeof(d->sum))
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->sum + d->len, sizeof(d->sum) - d->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len += (size_t)n;
}

static void put(struct dec *d, const char *key, json_t *v)
{
	if (!v || json_object_set_new(d->o, key, v) < 0)
		d->oom = true;
}

static void put_int(struct dec *d, const char *key, long long v)
{
	put(d, key, json_integer(v));
}

static void put_str(struct dec *d, const char *key, const char *v)
{
	put(d, key, json_string(v));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *mac_str(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static void truncated(struct dec *d, const char *what)
{
	say(d, "[|%s]", what);
	put(d, "truncated", json_true());
}

/* ---- transport ------------------------------------------------------------------ */

struct ip_ctx {
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const uint8_t *p;   /* the transport header */
	size_t n;           /* bytes of it captured */
	size_t len;         /* its length as the IP header says */
};

static void tcp(struct dec *d, const struct ip_ctx *ip)
{
	if (ip->n < 20) {
		say(d, "%s > %s: ", ip->src, ip->dst);
		truncated(d, "tcp");
		return;
	}
	const uint8_t *p = ip->p;
	unsigned sport = get16(p), dport = get16(p + 2), off = (p[12] >> 4) * 4u, f = p[13];
	put_int(d, "sport", sport);
	put_int(d, "dport", dport);
	char flags[10], *q = flags;
	/* tcpdump's letters and order; '.' is ACK. */
	static const struct { unsigned bit; char c; } fl[] = { { 0x02, 'S' }, { 0x01, 'F' }, { 0x04, 'R' },
							      { 0x08, 'P' }, { 0x20, 'U' }, { 0x40, 'E' },
							      { 0x80, 'W' }, { 0x10, '.' } };
	for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
		if (f & fl[i].bit)
			*q++ = fl[i].c;
	*q = 0;
	put_str(d, "flags", flags);
	put_int(d, "seq", get32(p + 4));
	say(d, "%s.%u > %s.%u: TCP [%s], seq %u", ip->src, sport, ip->dst, dport, flags, get32(p + 4));
	if (f & 0x10) {
		put_int(d, "ack", get32(p + 8));
		say(d, ", ack %u", get32(p + 8));
	}
	size_t data = off >= 20 && off <= ip->len ? ip->len - off : 0;
	say(d, ", length %zu", data);
}

static void udp(struct dec *d, const struct ip_ctx *ip)
{
	if (ip->n < 8) {
		say(d, "%s > %s: ", ip->src, ip->dst);
		truncated(d, "udp");
		return;
	}
	unsigned sport = get16(ip->p), dport = get16(ip->p + 2), ulen = get16(ip->p + 4);
	put_int(d, "sport", sport);
	put_int(d, "dport", dport);
	say(d, "%s.%u > %s.%u: UDP, length %u", ip->src, sport, ip->dst, dport, ulen >= 8 ? ulen - 8 : 0);
}

static const char *icmp_name(unsigned type, unsigned code, char *buf, size_t len)
{
	static const char *const unreach[] = { "net", "host", "protocol", "port", "need to frag", "source route failed" };
	switch (type) {
	case 0: return "echo reply";
	case 8: return "echo request";
	case 3:
		if (code < ARRAY_SIZE(unreach))
			snprintf(buf, len, "%s unreachable", unreach[code]);
		else
			snprintf(buf, len, "unreachable, code %u", code);
		return buf;
	case 5: return "redirect";
	case 11: return code == 0 ? "time exceeded in-transit" : "time exceeded (fragment reassembly)";
	default:
		snprintf(buf, len, "type %u, code %u", type, code);
		return buf;
	}
}

static const char *icmp6_name(unsigned type, unsigned code, char *buf, size_t len)
{
	switch (type) {
	case 1: return "destination unreachable";
	case 2: return "packet too big";
	case 3: return "time exceeded in-transit";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 130: return "multicast listener query";
	case 131: return "multicast listener report";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	case 143: return "multicast listener report v2";
	default:
		snprintf(buf, len, "type %u, code %u", type, code);
		return buf;
	}
}

static void icmp(struct dec *d, const struct ip_ctx *ip, bool v6)
{
	say(d, "%s > %s: %s ", ip->src, ip->dst, v6 ? "ICMP6" : "ICMP");
	if (ip->n < 4) {
		truncated(d, v6 ? "icmp6" : "icmp");
		return;
	}
	unsigned type = ip->p[0], code = ip->p[1];
	char buf[64];
	put_int(d, "icmp_type", type);
	put_int(d, "icmp_code", code);
	say(d, "%s", v6 ? icmp6_name(type, code, buf, sizeof(buf)) : icmp_name(type, code, buf, sizeof(buf)));
	bool echo = v6 ? type == 128 || type == 129 : type == 0 || type == 8;
	if (echo && ip->n >= 8) {
		put_int(d, "id", get16(ip->p + 4));
		put_int(d, "seq", get16(ip->p + 6));
		say(d, ", id %u, seq %u", get16(ip->p + 4), get16(ip->p + 6));
	} else if (v6 && (type == 135 || type == 136) && ip->n >= 24) {
		char t[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, ip->p + 8, t, sizeof(t));
		put_str(d, "target", t);
		say(d, type == 135 ? ", who has %s" : ", tgt is %s", t);
	} else if (v6 && type == 2 && ip->n >= 8) {
		put_int(d, "mtu", get32(ip->p + 4));
		say(d, ", mtu %u", get32(ip->p + 4));
	}
	say(d, ", length %zu", ip->len);
}

static void transport(struct dec *d, unsigned proto, const struct ip_ctx *ip, bool v6)
{
	put_str(d, "src", ip->src);
	put_str(d, "dst", ip->dst);
	switch (proto) {
	case 6:
		put_str(d, "protocol", "tcp");
		tcp(d, ip);
		return;
	case 17:
		put_str(d, "protocol", "udp");
		udp(d, ip);
		return;
	case 1:
		if (!v6) {
			put_str(d, "protocol", "icmp");
			icmp(d, ip, false);
			return;
		}
		break;
	case 58:
		if (v6) {
			put_str(d, "protocol", "icmp6");
			icmp(d, ip, true);
			return;
		}
		break;
	}
	put_str(d, "protocol", v6 ? "ipv6" : "ipv4");
	put_int(d, "ip_proto", proto);
	say(d, "%s > %s: ip-proto-%u, length %zu", ip->src, ip->dst, proto, ip->len);
}

/* ---- network ---------------------------------------------------------------------- */

static void ipv4(struct dec *d, const uint8_t *p, size_t n)
{
	if (n < 20 || (p[0] & 0x0f) < 5 || (size_t)(p[0] & 0x0f) * 4 > n) {
		put_str(d, "protocol", "ipv4");
		say(d, "IP ");
		truncated(d, "ip");
		return;
	}
	size_t hl = (p[0] & 0x0f) * 4u, tot = get16(p + 2);
	struct ip_ctx ip = { .p = p + hl, .n = n - hl, .len = tot > hl ? tot - hl : 0 };
	if (ip.len < ip.n)
		ip.n = ip.len;   /* Ethernet padding is not the packet's */
	inet_ntop(AF_INET, p + 12, ip.src, sizeof(ip.src));
	inet_ntop(AF_INET, p + 16, ip.dst, sizeof(ip.dst));
	put_int(d, "ttl", p[8]);
	say(d, "IP ");
	/* A later fragment carries no transport header. */
	if (get16(p + 6) & 0x1fff) {
		put_str(d, "src", ip.src);
		put_str(d, "dst", ip.dst);
		put_str(d, "protocol", "ipv4");
		put_int(d, "ip_proto", p[9]);
		put(d, "fragment", json_true());
		say(d, "%s > %s: ip-proto-%u fragment, offset %u, length %zu", ip.src, ip.dst, p[9],
		    (get16(p + 6) & 0x1fff) * 8u, ip.len);
		return;
	}
	transport(d, p[9], &ip, false);
}

static void ipv6(struct dec *d, const uint8_t *p, size_t n)
{
	if (n < 40) {
		put_str(d, "protocol", "ipv6");
		say(d, "IP6 ");
		truncated(d, "ip6");
		return;
	}
	struct ip_ctx ip = { .p = p + 40, .n = n - 40, .len = get16(p + 4) };
	if (ip.len < ip.n)
		ip.n = ip.len;
	inet_ntop(AF_INET6, p + 8, ip.src, sizeof(ip.src));
	inet_ntop(AF_INET6, p + 24, ip.dst, sizeof(ip.dst));
	put_int(d, "hop_limit", p[7]);
	say(d, "IP6 ");
	unsigned next = p[6];
	/* Hop-by-hop (MLD has one), routing, fragment and destination options. */
	while (next == 0 || next == 43 || next == 44 || next == 60) {
		if (ip.n < 8) {
			put_str(d, "src", ip.src);
			put_str(d, "dst", ip.dst);
			put_str(d, "protocol", "ipv6");
			say(d, "%s > %s: ", ip.src, ip.dst);
			truncated(d, "ip6");
			return;
		}
		size_t l = next == 44 ? 8 : (ip.p[1] + 1u) * 8;
		if (next == 44 && (get16(ip.p + 2) & 0xfff8)) {
			put_str(d, "src", ip.src);
			put_str(d, "dst", ip.dst);
			put_str(d, "protocol", "ipv6");
			put(d, "fragment", json_true());
			say(d, "%s > %s: fragment, offset %u, length %zu", ip.src, ip.dst, get16(ip.p + 2) & 0xfff8u,
			    ip.len);
			return;
		}
		next = ip.p[0];
		if (l > ip.n)
			l = ip.n;
		ip.p += l;
		ip.n -= l;
		ip.len = ip.len > l ? ip.len - l : 0;
	}
	transport(d, next, &ip, true);
}

static void arp(struct dec *d, const uint8_t *p, size_t n)
{
	put_str(d, "protocol", "arp");
	say(d, "ARP, ");
	if (n < 8) {
		truncated(d, "arp");
		return;
	}
	unsigned op = get16(p + 6);
	/* Ethernet and IPv4 only: the ARP nsnet's namespaces speak. */
	if (get16(p) != 1 || get16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) {
		put_int(d, "operation", op);
		say(d, "hardware %u, protocol 0x%04x, op %u, length %zu", get16(p), get16(p + 2), op, n);
		return;
	}
	if (n < 28) {
		truncated(d, "arp");
		return;
	}
	char sha[18], tha[18], spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];
	mac_str(p + 8, sha);
	inet_ntop(AF_INET, p + 14, spa, sizeof(spa));
	mac_str(p + 18, tha);
	inet_ntop(AF_INET, p + 24, tpa, sizeof(tpa));
	put_str(d, "sender_mac", sha);
	put_str(d, "sender_ip", spa);
	put_str(d, "target_mac", tha);
	put_str(d, "target_ip", tpa);
	if (op == 1) {
		put_str(d, "operation", "request");
		say(d, "Request who-has %s tell %s", tpa, spa);
	} else if (op == 2) {
		put_str(d, "operation", "reply");
		say(d, "Reply %s is-at %s", spa, sha);
	} else {
		put_int(d, "operation", op);
		say(d, "op %u %s > %s", op, spa, tpa);
	}
	say(d, ", length 28");
}

static void network(struct dec *d, unsigned ethertype, const uint8_t *p, size_t n)
{
	switch (ethertype) {
	case 0x0800:
		ipv4(d, p, n);
		return;
	case 0x86dd:
		ipv6(d, p, n);
		return;
	case 0x0806:
		arp(d, p, n);
		return;
	}
	char t[8];
	snprintf(t, sizeof(t), "0x%04x", ethertype);
	put_str(d, "protocol", "ethertype");
	put_str(d, "ethertype", t);
	say(d, "ethertype %s, length %zu", t, n);
}

/* ---- link -------------------------------------------------------------------------- */

static void ethernet(struct dec *d, const uint8_t *p, size_t n, uint32_t len)
{
	if (n < 14) {
		put_str(d, "protocol", "ethernet");
		truncated(d, "ether");
		return;
	}
	char mac[18];
	put_str(d, "dst_mac", mac_str(p, mac));
	put_str(d, "src_mac", mac_str(p + 6, mac));
	unsigned type = get16(p + 12);
	size_t off = 14;
	/* 802.1Q and 802.1ad tags, at most two (QinQ), the outer one reported. */
	for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; tags++) {
		if (n < off + 4) {
			put_str(d, "protocol", "vlan");
			truncated(d, "vlan");
			return;
		}
		unsigned vid = get16(p + off) & 0x0fff;
		if (tags == 0)
			put_int(d, "vlan", vid);
		say(d, "vlan %u, ", vid);
		type = get16(p + off + 2);
		off += 4;
	}
	if (type < 0x0600) {
		put_str(d, "protocol", "802.3");
		say(d, "802.3, length %u", len);
		return;
	}
	network(d, type, p + off, n - off);
}

/* Raw IP: the version nibble says which. */
static void raw_ip(struct dec *d, const uint8_t *p, size_t n)
{
	if (n < 1) {
		put_str(d, "protocol", "ip");
		truncated(d, "ip");
		return;
	}
	if (p[0] >> 4 == 4) {
		ipv4(d, p, n);
		return;
	}
	if (p[0] >> 4 == 6) {
		ipv6(d, p, n);
		return;
	}
	put_str(d, "protocol", "ip");
	say(d, "IP version %u, length %zu", p[0] >> 4, n);
}

static void link_layer(struct dec *d, int linktype, const uint8_t *p, size_t n, uint32_t len)
{
	switch (linktype) {
	case DLT_EN10MB:
		ethernet(d, p, n, len);
		return;
	case DLT_LINUX_SLL:   /* 16 bytes, the protocol last */
		if (n < 16) {
			put_str(d, "protocol", "sll");
			truncated(d, "sll");
			return;
		}
		network(d, get16(p + 14), p + 16, n - 16);
		return;
	case DLT_LINUX_SLL2:  /* 20 bytes, the protocol first */
		if (n < 20) {
			put_str(d, "protocol", "sll2");
			truncated(d, "sll2");
			return;
		}
		network(d, get16(p), p + 20, n - 20);
		return;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		raw_ip(d, p, n);
		return;
	}
	const char *name = pcap_datalink_val_to_name(linktype);
	put_str(d, "protocol", "link");
	if (name)
		say(d, "link-type %s, length %u", name, len);
	else
		say(d, "link-type %d, length %u", linktype, len);
}

/* "2024-05-01T12:34:56.123456+02:00": local time with its offset, to the microsecond. */
static int timestamp(const struct timeval *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	if (!localtime_r(&t, &tm))
		return -EINVAL;
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff / 60;
	return xsnprintf(buf, len, "%s.%06ld%c%02ld:%02ld", date, (long)ts->tv_usec, off < 0 ? '-' : '+',
			 labs(off) / 60, labs(off) % 60);
}

json_t *capture_decode(int linktype, const struct timeval *ts, const char *ifname, const uint8_t *p,
		       uint32_t caplen, uint32_t len)
{
	struct dec d = { .o = json_object() };
	if (!d.o)
		return NULL;
	char when[64];
	if (timestamp(ts, when, sizeof(when)) < 0)
		snprintf(when, sizeof(when), "%lld.%06ld", (long long)ts->tv_sec, (long)ts->tv_usec);
	put_str(&d, "timestamp", when);
	put_str(&d, "interface", ifname);
	put_int(&d, "length", len);
	put_int(&d, "caplen", caplen);
	link_layer(&d, linktype, p, caplen, len);
	put_str(&d, "summary", d.sum);
	if (d.oom) {
		json_decref(d.o);
		return NULL;
	}
	return d.o;
}
