/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor's report: every check with its mark and evidence, in the order the packet
 * meets them; the first broken step's cause and fix (later failures are symptoms of
 * it, or can wait until it is fixed); the path when there is one. One JSON model, so
 * the CLI's text and --json come from the same data.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include "doctor/doctor.h"
#include "base/base.h"

static const char *const mark_names[] = { [DR_OK] = "ok", [DR_FAIL] = "fail", [DR_SKIP] = "skip", [DR_WARN] = "warn" };

void dr_check(struct dr_ctx *c, enum dr_mark m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* The way back repeats the way there: only what is wrong on it is said. */
	if (c->back && m == DR_OK)
		return;
	json_array_append_new(c->checks, json_pack("{s:s, s:s}", "mark", mark_names[m], "evidence", buf));
	if (m == DR_FAIL && !c->failed) {
		c->failed = true;
		c->cause[0] = c->fix[0] = 0;
	}
}

void dr_cause(struct dr_ctx *c, const char *fix, const char *fmt, ...)
{
	if (c->cause[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->cause, sizeof(c->cause), fmt, ap);
	va_end(ap);
	snprintf(c->fix, sizeof(c->fix), "%s", fix ? fix : "");
	c->failed = true;
}

void dr_path_add(struct dr_ctx *c, const char *fmt, ...)
{
	if (c->back)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(c->path, json_string(buf));
}

static const char *proto_name(int l4)
{
	return l4 == IPPROTO_TCP ? "tcp" : l4 == IPPROTO_UDP ? "udp" : "icmp";
}

/* probe: 1 reached, 0 not, -1 inconclusive (UDP without an answer). */
json_t *dr_report(struct dr_ctx *c, const char *dst_note, const char *probe_detail, int probe)
{
	char a[INET6_ADDRSTRLEN];
	/* The real thing decides, unless a check found a fault the probe got past by luck
	 * (a duplicate address answers half of the time). */
	bool reachable = probe != 0 && !c->failed;
	if (probe == 0 && !c->failed) {
		char why[512] = "";
		if (c->legacy_ns[0])
			snprintf(why, sizeof(why), "; iptables-legacy rules doctor cannot read are loaded in %s", c->legacy_ns);
		else if (c->unsure)
			snprintf(why, sizeof(why), "; %u firewall rule%s on the path could not be evaluated", c->unsure,
				 c->unsure == 1 ? "" : "s");
		dr_cause(c, NULL, "the probe failed but every step doctor can check looks right%s", why);
	}
	json_t *r = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:o, s:o, s:b}", "src", c->o->src, "dst", c->o->dst,
			      "address", dr_addr(&c->pkt.dst, a, sizeof(a)), "address_note", dst_note,
			      "dst_namespace", c->dst_ns, "proto", json_string(proto_name(c->pkt.l4)), "port",
			      c->pkt.port ? json_integer(c->pkt.port) : json_null(), "reachable", reachable);
	if (!r)
		return NULL;
	json_object_set_new(r, "size", c->pkt.size ? json_integer(c->pkt.size) : json_null());
	json_object_set_new(r, "probe", json_pack("{s:s, s:s}", "result", probe > 0 ? "ok" : probe == 0 ? "fail" : "inconclusive",
						  "detail", probe_detail));
	json_object_set(r, "checks", c->checks);
	json_object_set_new(r, "cause", c->cause[0] ? json_string(c->cause) : json_null());
	json_object_set_new(r, "fix", c->fix[0] ? json_string(c->fix) : json_null());
	json_object_set_new(r, "path", reachable ? json_incref(c->path) : json_array());
	return r;
}

/* ---- shared helpers ------------------------------------------------------------------ */

const char *dr_addr(const struct nsnet_prefix *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *dr_ip_n(const char *ns, char *buf, size_t len)
{
	if (streq(ns, NSNET_HOST))
		snprintf(buf, len, "ip ");
	else
		snprintf(buf, len, "ip -n %s ", ns);
	return buf;
}

const char *dr_exec_in(const char *ns, char *buf, size_t len)
{
	if (streq(ns, NSNET_HOST))
		buf[0] = 0;
	else
		snprintf(buf, len, "ip netns exec %s ", ns);
	return buf;
}

json_t *dr_net_by_bridge(struct dr_ctx *c, const char *bridge)
{
	const char *k;
	json_t *net;
	json_object_foreach(c->nets, k, net) {
		const char *b = json_string_value(json_object_get(net, "bridge"));
		if (b && streq(b, bridge))
			return net;
	}
	return NULL;
}

json_t *dr_net_find(struct dr_ctx *c, const char *list, bool (*match)(json_t *item, const void *arg),
		    const void *arg, const char **ret_name, json_t **ret_item)
{
	const char *k;
	json_t *net;
	json_object_foreach(c->nets, k, net) {
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(net, list), i, item) {
			if (!match(item, arg))
				continue;
			if (ret_name)
				*ret_name = k;
			if (ret_item)
				*ret_item = item;
			return net;
		}
	}
	return NULL;
}

static bool member_is(json_t *m, const void *ns)
{
	const char *n = json_string_value(json_object_get(m, "ns"));
	return n && streq(n, ns);
}

json_t *dr_net_of_member(struct dr_ctx *c, const char *ns, json_t **ret_member)
{
	return dr_net_find(c, "members", member_is, ns, NULL, ret_member);
}

static bool subnet_holds(json_t *sub, const void *a)
{
	struct nsnet_prefix p;
	return nsnet_prefix_parse(jstr(sub, "cidr"), true, &p, NULL) == 0 && nsnet_prefix_contains(&p, a);
}

json_t *dr_net_of_addr(struct dr_ctx *c, const struct nsnet_prefix *a, const char **ret_name)
{
	return dr_net_find(c, "subnets", subnet_holds, a, ret_name, NULL);
}

bool dr_addr_private(const struct nsnet_prefix *a)
{
	static const char *const priv[] = { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
					    "169.254.0.0/16", "fc00::/7", "fe80::/10" };
	for (size_t i = 0; i < ARRAY_SIZE(priv); i++) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(priv[i], true, &p, NULL) == 0 && p.family == a->family &&
		    nsnet_prefix_contains(&p, a))
			return true;
	}
	return false;
}
