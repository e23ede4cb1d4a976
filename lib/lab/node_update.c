/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Changing a node in place: its forwarding switch, its sysctls (changed or new
 * ones) and its published ports. The namespace, its interfaces and whatever runs in
 * it stay; anything else (an interface, a network, a sysctl dropped from the file,
 * whose old value nobody kept) replaces the node.
 */
#include <netinet/in.h>
#include "fw/fw.h"
#include "lab/lab.h"
#include "net/net.h"
#include "base/base.h"

/* The interfaces are the same but for static addresses that change to other static
 * ones (from or to the pool would need the pool's choice: replaced). */
static bool ifaces_readdressed(json_t *have, json_t *want)
{
	json_t *a = json_object_get(have, "ifaces"), *b = json_object_get(want, "ifaces");
	if (json_array_size(a) != json_array_size(b))
		return false;
	static const char *const addr[] = { "ips", NULL };
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		if (!lab_spec_same_except(x, y, addr))
			return false;
		bool sx = json_array_size(json_object_get(x, "ips")) > 0, sy = json_array_size(json_object_get(y, "ips")) > 0;
		if (!json_equal(json_object_get(x, "ips"), json_object_get(y, "ips")) && !(sx && sy))
			return false;
	}
	return true;
}

bool lab_node_updatable(json_t *have, json_t *want)
{
	static const char *const in_place[] = { "forwarding", "sysctls", "publish", "firewall", "ifaces", NULL };
	if (!lab_spec_same_except(have, want, in_place) || !ifaces_readdressed(have, want))
		return false;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(have, "sysctls"), k, v) if (!json_object_get(json_object_get(want, "sysctls"), k)) return false;
	return true;
}

/* p's publish in nsnet's terms (host_ip into *hip). */
static int pub_spec(const char *node, json_t *p, struct nsnet_publish_spec *s, struct nsnet_prefix *hip,
		    struct nsnet_error *e)
{
	*s = (struct nsnet_publish_spec){
		.proto = streq_safe(jstr(p, "proto"), "udp") ? IPPROTO_UDP : IPPROTO_TCP,
		.host_port = (uint16_t)json_integer_value(json_object_get(p, "host_port")),
		.port = (uint16_t)json_integer_value(json_object_get(p, "port")),
		.ns = node,
	};
	if (jstr(p, "host_ip")) {
		if (nsnet_addr_parse(jstr(p, "host_ip"), hip, e) < 0)
			return -EINVAL;
		s->host_ip = hip;
	}
	return 0;
}

/* json_equal, with two absent values equal. */
static bool same(json_t *a, json_t *b)
{
	return a == b || (a && b && json_equal(a, b));
}

static bool listed(json_t *arr, json_t *x)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (json_equal(v, x)) return true;
	return false;
}

int lab_node_publish_one(const char *node, json_t *p, struct nsnet_error *e)
{
	struct nsnet_publish_spec s;
	struct nsnet_prefix hip;
	int r = pub_spec(node, p, &s, &hip, e);
	if (r == 0)
		r = publish_add_locked(&s, e);
	return r < 0 ? nsnet_err_wrap(e, "node '%s': publish %s/%u", node, jstr(p, "proto"), s.host_port) : 0;
}

/* Each interface whose static addresses changed, readdressed on its network. */
static int readdress(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	json_t *a = json_object_get(have, "ifaces"), *b = json_object_get(want, "ifaces");
	for (size_t i = 0; i < json_array_size(b); i++) {
		json_t *x = json_array_get(a, i), *y = json_array_get(b, i), *ip;
		if (json_equal(json_object_get(x, "ips"), json_object_get(y, "ips")))
			continue;
		struct nsnet_prefix ips[2];
		size_t n = 0, k;
		json_array_foreach(json_object_get(y, "ips"), k, ip) {
			if (n < 2 && nsnet_addr_parse(json_string_value(ip), &ips[n], e) < 0)
				return -EINVAL;
			n += n < 2;
		}
		int r = net_member_readdress_locked(jstr0(y, "network"), name, ips, n, e);
		if (r < 0)
			return nsnet_err_wrap(e, "readdress on network '%s'", jstr0(y, "network"));
	}
	return 0;
}

int lab_node_update(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	int r = readdress(name, have, want, e);
	bool fwd = json_is_true(json_object_get(want, "forwarding"));
	if (fwd != json_is_true(json_object_get(have, "forwarding")))
		r = nsnet_forwarding_set(name, fwd, e);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(want, "sysctls"), k, v) {
		if (r == 0 && !json_equal(v, json_object_get(json_object_get(have, "sysctls"), k)))
			r = nsnet_sysctl_set(name, k, json_string_value(v), e);
	}
	if (r == 0 && !same(json_object_get(have, "firewall"), json_object_get(want, "firewall")))
		r = lab_node_fw_apply(name, json_object_get(want, "firewall"), e);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(have, "publish"), i, p) {
		struct nsnet_publish_spec s;
		struct nsnet_prefix hip;
		if (r == 0 && !listed(json_object_get(want, "publish"), p) && (r = pub_spec(name, p, &s, &hip, e)) == 0) {
			r = publish_del_locked(s.proto, s.host_ip, s.host_port, e);
			r = r == -ENOENT ? 0 : r;
		}
	}
	json_array_foreach(json_object_get(want, "publish"), i, p) {
		if (r == 0 && !listed(json_object_get(have, "publish"), p))
			r = lab_node_publish_one(name, p, e);
	}
	return r < 0 ? nsnet_err_wrap(e, "node '%s'", name) : 0;
}

void lab_node_describe_update(json_t *have, json_t *want, char *buf, size_t len)
{
	static const char *const parts[] = { "ifaces", "forwarding", "sysctls", "publish", "firewall" };
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (!same(json_object_get(have, parts[i]), json_object_get(want, parts[i])) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", parts[i]);
	if (off < len)
		snprintf(buf + off, len - off, " changed in place");
}

void lab_node_explain_update(json_t *c, const char *name, json_t *have, json_t *want, json_t *specs)
{
	struct lab_quoter qt = { .i = 0 };
	const char *n = lab_q(&qt, name);
	json_t *fa = json_object_get(have, "ifaces"), *fb = json_object_get(want, "ifaces");
	for (size_t i = 0; i < json_array_size(fb); i++) {
		json_t *x = json_array_get(fa, i), *y = json_array_get(fb, i);
		const char *ifn = jstr(y, "ifname") ? jstr(y, "ifname") : "eth0";
		if (json_equal(json_object_get(x, "ips"), json_object_get(y, "ips")))
			continue;
		/* With the network's prefix length, as attach gives it. */
		json_t *subs = json_object_get(lab_spec_of(specs, &lab_kind_net, jstr(y, "network")), "subnets");
		const char *len = strchr(json_string_value(json_array_get(subs, 0)) ?: "", '/');
		for (size_t k = 0; k < json_array_size(json_object_get(x, "ips")); k++)
			lab_cmd(c, "ip -n %s addr del %s%s dev %s", n, json_string_value(json_array_get(json_object_get(x, "ips"), k)),
				len ? len : "", ifn);
		for (size_t k = 0; k < json_array_size(json_object_get(y, "ips")); k++)
			lab_cmd(c, "ip -n %s addr add %s%s dev %s", n, json_string_value(json_array_get(json_object_get(y, "ips"), k)),
				len ? len : "", ifn);
	}
	bool fwd = json_is_true(json_object_get(want, "forwarding"));
	if (fwd != json_is_true(json_object_get(have, "forwarding")))
		lab_cmd(c, "ip netns exec %s sysctl -w net.ipv4.ip_forward=%d", n, fwd);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(want, "sysctls"), k, v) {
		if (!json_equal(v, json_object_get(json_object_get(have, "sysctls"), k)))
			lab_cmd_sysctl(c, name, k, json_string_value(v));
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(have, "publish"), i, p) if (!listed(json_object_get(want, "publish"), p))
		lab_cmd(c, "nsnet unpublish %lld --proto %s", json_integer_value(json_object_get(p, "host_port")), jstr0(p, "proto"));
	json_array_foreach(json_object_get(want, "publish"), i, p) if (!listed(json_object_get(have, "publish"), p))
		lab_cmd(c, "nsnet publish %lld %s:%lld --proto %s", json_integer_value(json_object_get(p, "host_port")), n,
			json_integer_value(json_object_get(p, "port")), jstr0(p, "proto"));
	if (!same(json_object_get(have, "firewall"), json_object_get(want, "firewall"))) {
		lab_cmd(c, "ip netns exec %s nft delete table inet nsnet_node", n);
		if (json_object_get(want, "firewall"))
			lab_node_fw_explain(c, name, json_object_get(want, "firewall"));
	}
}
