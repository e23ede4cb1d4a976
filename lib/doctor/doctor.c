/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet_doctor(): why SRC cannot reach DST, and how to fix it. First the real thing
 * (a probe from inside SRC), then the walk along the path with evidence for every
 * step (doctor_path.c), then the report (doctor_report.c). Read-only throughout.
 */
#include <arpa/inet.h>
#include <unistd.h>
#include "doctor/doctor.h"
#include "probe/probe.h"
#include "state/state.h"
#include "base/base.h"

static json_t *load_nets(void)
{
	json_t *all = json_object();
	char **names = NULL;
	size_t n = 0;
	if (!all || state_net_names(&names, &n, NULL) < 0)
		return all;
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) == 0)
			json_object_set_new(all, names[i], net);
	}
	nsnet_strv_free(names, n);
	return all;
}

/* Whether a shares a subnet with one of ns's addresses. */
static bool on_link_with(const struct dr_ns *ns, const struct nsnet_prefix *a)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ns->model, "addresses"), i, o) {
		struct nsnet_prefix p;
		if (nsnet_addr_parse(json_string_value(json_object_get(o, "address")), &p, NULL) < 0 || p.family != a->family)
			continue;
		p.len = (uint8_t)json_integer_value(json_object_get(o, "prefixlen"));
		if (!nsnet_addr_equal(&p, a) && nsnet_prefix_contains(&p, a))
			return true;
	}
	return false;
}

/* DST given as a namespace: one of its global addresses, IPv4 first, one on a subnet
 * SRC shares first of all; note says which was picked and why. */
static int pick_address(struct dr_ctx *c, const char *dst, struct nsnet_prefix *ret, char *note, size_t len,
			struct nsnet_error *e)
{
	struct dr_ns *d = dr_ns_get(c, dst), *s = dr_ns_get(c, c->src);
	if (!d)
		return nsnet_errx(e, EIO, "cannot read namespace '%s'", dst);
	static const int fams[] = { AF_INET, AF_INET6 };
	for (size_t f = 0; f < ARRAY_SIZE(fams); f++) {
		for (int pass = 0; pass < 2; pass++) {
			size_t i;
			json_t *o;
			json_array_foreach(json_object_get(d->model, "addresses"), i, o) {
				const char *scope = json_string_value(json_object_get(o, "scope"));
				const char *dev = json_string_value(json_object_get(o, "dev"));
				struct nsnet_prefix p;
				if (!scope || !streq(scope, "global") ||
				    nsnet_addr_parse(json_string_value(json_object_get(o, "address")), &p, NULL) < 0 ||
				    p.family != fams[f] || (pass == 0 && (!s || !on_link_with(s, &p))))
					continue;
				snprintf(note, len, "%s's %s, its %s global %s address", dst, dev ? dev : "?",
					 pass == 0 ? "on-link" : "first", fams[f] == AF_INET ? "IPv4" : "IPv6");
				*ret = p;
				return 0;
			}
		}
	}
	return nsnet_errx(e, EADDRNOTAVAIL, "namespace '%s' has no global address to aim at; give DST as an address", dst);
}

/* The real thing, sent from inside SRC (lib/probe/): ICMP echo (three tries within the
 * timeout, an ICMP error ends it), TCP connect, or UDP send-and-wait.
 * *ret_result 1 reached, 0 not, -1 inconclusive; detail says how. */
static int send_probe(const char *src, const struct dr_pkt *p, unsigned timeout_ms, int *ret_result, char *detail,
		      size_t len, struct nsnet_error *e)
{
	if (p->l4 == IPPROTO_TCP)
		return probe_tcp_from(src, &p->dst, p->port, timeout_ms, ret_result, detail, len, e);
	if (p->l4 == IPPROTO_UDP)
		return probe_udp_from(src, &p->dst, p->port, timeout_ms, ret_result, detail, len, e);
	struct probe_echo v = { .dst = p->dst };
	/* --size is the IP packet's: the ICMP message is what the IP header leaves. */
	size_t ip_hdr = p->family == AF_INET6 ? 40 : 20;
	struct probe_echo_opts o = { .timeout_ms = timeout_ms, .resend_ms = timeout_ms / 3, .tries = 3, .faults = true,
				     .id = (uint16_t)(getpid() ^ (probe_now_ms() << 4)),
				     .size = p->size > ip_hdr ? p->size - ip_hdr : 64, .dont_fragment = p->size != 0,
				     .tag = "nsnet doctor" };
	int r = probe_echo_from(src, &v, 1, &o, e);
	if (r < 0)
		return r;
	*ret_result = v.state == PROBE_REPLY;
	probe_echo_str(&v, timeout_ms, detail, len);
	return 0;
}

static int check_ns(const char *name, const char *what, struct nsnet_error *e)
{
	if (streq(name, NSNET_HOST))
		return 0;
	int r = nsnet_ns_ref_check(name, e);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = -1;
	if ((r = nsnet_ns_open(name, &fd, NULL)) == -ENOENT)
		return nsnet_errx(e, ENOENT, "%s namespace '%s' not found", what, name);
	return r < 0 ? nsnet_ns_open(name, &fd, e) : 0;
}

int nsnet_doctor(const struct nsnet_doctor_opts *o, json_t **ret, struct nsnet_error *e)
{
	if (!o || !o->src || !o->dst)
		return nsnet_errx(e, EINVAL, "SRC and DST are needed");
	int proto = o->proto ? o->proto : IPPROTO_ICMP;
	if (proto != IPPROTO_ICMP && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return nsnet_errx(e, EINVAL, "protocol must be icmp, tcp or udp");
	if (proto != IPPROTO_ICMP && (o->port < 1 || o->port > 65535))
		return nsnet_errx(e, EINVAL, "%s needs a port (1..65535)", proto == IPPROTO_TCP ? "tcp" : "udp");
	if (proto == IPPROTO_ICMP && o->port)
		return nsnet_errx(e, EINVAL, "a port needs tcp or udp, not icmp");
	if (o->size && (proto != IPPROTO_ICMP || o->size < 48 || o->size > 65535))
		return nsnet_errx(e, EINVAL, "a size is for an ICMP probe, 48..65535 bytes");
	int r = check_ns(o->src, "source", e);
	if (r < 0)
		return r;

	struct dr_ctx c = { .o = o, .src = o->src, .e = e };
	c.checks = json_array();
	c.path = json_array();
	c.nets = load_nets();
	char note[256] = "";
	if (!c.checks || !c.path || !c.nets) {
		r = nsnet_err(e, ENOMEM, "doctor");
		goto out;
	}
	if (nsnet_addr_parse(o->dst, &c.pkt.dst, NULL) == 0) {
		c.pkt.dst.len = c.pkt.dst.family == AF_INET ? 32 : 128;
	} else if (streq(o->dst, NSNET_HOST) || (nsnet_ns_ref_check(o->dst, NULL) == 0 && nsnet_ns_exists(o->dst))) {
		c.dst_ns = o->dst;
		if ((r = pick_address(&c, o->dst, &c.pkt.dst, note, sizeof(note), e)) < 0)
			goto out;
		c.pkt.dst.len = c.pkt.dst.family == AF_INET ? 32 : 128;
	} else {
		r = nsnet_errx(e, EINVAL, "DST '%s' is neither an address nor a namespace", o->dst);
		goto out;
	}
	c.pkt.family = c.pkt.dst.family;
	c.pkt.l4 = proto == IPPROTO_ICMP && c.pkt.family == AF_INET6 ? IPPROTO_ICMPV6 : proto;
	c.pkt.port = o->port;
	c.pkt.size = o->size;

	char detail[512];
	int probe = 0;
	r = send_probe(o->src, &c.pkt, o->timeout_ms ? o->timeout_ms : 1000, &probe, detail, sizeof(detail), e);
	if (r < 0)
		goto out;
	c.probe = probe;
	/* Read the namespaces again: the probe's neighbour entries are evidence. */
	dr_ns_free_all(&c);
	const struct dr_pkt asked = c.pkt;
	const char *asked_ns = c.dst_ns;
	dr_walk(&c);
	/* The report speaks of what was asked, whatever a published port rewrote. */
	c.pkt.dst = asked.dst;
	c.pkt.port = asked.port;
	c.dst_ns = asked_ns;
	json_t *rep = dr_report(&c, note[0] ? note : NULL, detail, probe);
	if (!rep) {
		r = nsnet_err(e, ENOMEM, "doctor");
		goto out;
	}
	*ret = rep;
	r = 0;
out:
	dr_ns_free_all(&c);
	json_decref(c.checks);
	json_decref(c.path);
	json_decref(c.nets);
	return r;
}
