/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks of state documents as they are read back from /run/nsnet. The code that
 * uses a network's state trusts its shape (strings where names go, prefixes that
 * parse, counters that are integers); a file damaged by hand, by a full disk or by
 * a bug must be refused here, naming the file and the key, rather than acted on.
 * Keys a check does not know are left alone, so that newer fields stay readable.
 */
#include "state/state.h"
#include "base/base.h"

int state_parse(const char *buf, size_t len, const char *path, json_t **ret, struct nsnet_error *e)
{
	json_error_t je;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		/* jansson quotes the text near the error: say where and what, never what
		 * the file holds (it may be anything, newlines included). */
		char *near = strstr(je.text, " near '");
		if (near)
			*near = 0;
		return nsnet_errx(e, EIO, "%s:%d: corrupt state: %s", path, je.line, je.text);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return nsnet_errx(e, EIO, "%s: corrupt state: not a JSON object", path);
	}
	*ret = v;
	return 0;
}

#define corrupt(e, path, fmt, ...) nsnet_errx(e, EIO, "%s: corrupt state: " fmt, path, ##__VA_ARGS__)

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* The value of key in o must have type t (absent is allowed only when optional). */
static int want(json_t *o, const char *key, json_type t, bool optional, const char *where, const char *path,
		struct nsnet_error *e)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return optional ? 0 : corrupt(e, path, "%s'%s' is missing", where, key);
	bool ok = json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v));
	if (!ok)
		return corrupt(e, path, "%s'%s' is %s", where, key, type_name(v));
	return 0;
}

static int want_int(json_t *o, const char *key, json_int_t min, json_int_t max, bool optional, const char *where,
		    const char *path, struct nsnet_error *e)
{
	int r = want(o, key, JSON_INTEGER, optional, where, path, e);
	if (r < 0 || !json_object_get(o, key))
		return r;
	json_int_t v = json_integer_value(json_object_get(o, key));
	if (v < min || v > max)
		return corrupt(e, path, "%s'%s' is out of range: %" JSON_INTEGER_FORMAT, where, key, v);
	return 0;
}

static int check_subnet(json_t *s, size_t i, const char *path, struct nsnet_error *e)
{
	char where[64];
	snprintf(where, sizeof(where), "subnets[%zu]: ", i);
	if (!json_is_object(s))
		return corrupt(e, path, "subnets[%zu] is %s", i, type_name(s));
	int r;
	if ((r = want(s, "cidr", JSON_STRING, false, where, path, e)) < 0 ||
	    (r = want(s, "gateway", JSON_STRING, true, where, path, e)) < 0 ||
	    (r = want_int(s, "next", 0, INT64_MAX, true, where, path, e)) < 0)
		return r;
	struct nsnet_prefix p, gw, net;
	const char *cidr = json_string_value(json_object_get(s, "cidr"));
	if (nsnet_prefix_parse(cidr, true, &p, NULL) < 0)
		return corrupt(e, path, "%s'cidr' is not a prefix", where);
	nsnet_prefix_network(&p, &net);
	if (memcmp(&net, &p, sizeof(p)) != 0)
		return corrupt(e, path, "%s'cidr' has host bits set", where);
	const char *g = json_string_value(json_object_get(s, "gateway"));
	if (g && (nsnet_addr_parse(g, &gw, NULL) < 0 || !nsnet_prefix_contains(&p, &gw)))
		return corrupt(e, path, "%s'gateway' is not an address of %s", where, cidr);
	json_t *range = json_object_get(s, "range");
	struct nsnet_prefix a, b;
	if (range && (json_array_size(range) != 2 ||
		      nsnet_addr_parse(json_string_value(json_array_get(range, 0)), &a, NULL) < 0 ||
		      nsnet_addr_parse(json_string_value(json_array_get(range, 1)), &b, NULL) < 0 ||
		      !nsnet_prefix_contains(&p, &a) || !nsnet_prefix_contains(&p, &b)))
		return corrupt(e, path, "%s'range' is not [first, last] addresses of %s", where, cidr);
	return 0;
}

static int check_member(json_t *m, size_t i, const char *path, struct nsnet_error *e)
{
	char where[64];
	snprintf(where, sizeof(where), "members[%zu]: ", i);
	if (!json_is_object(m))
		return corrupt(e, path, "members[%zu] is %s", i, type_name(m));
	int r;
	if ((r = want(m, "ns", JSON_STRING, false, where, path, e)) < 0 ||
	    (r = want(m, "ifname", JSON_STRING, true, where, path, e)) < 0 ||
	    (r = want(m, "host_ifname", JSON_STRING, true, where, path, e)) < 0 ||
	    (r = want(m, "ips", JSON_ARRAY, true, where, path, e)) < 0 ||
	    (r = want(m, "state", JSON_STRING, true, where, path, e)) < 0 ||
	    (r = want_int(m, "pid", 0, INT32_MAX, true, where, path, e)) < 0)
		return r;
	if (nsnet_ns_name_check(json_string_value(json_object_get(m, "ns")), NULL) < 0)
		return corrupt(e, path, "%s'ns' is not a namespace name", where);
	/* A container attached through CNI (lib/cni): whose it is, by the runtime's ids. */
	json_t *cni = json_object_get(m, "cni");
	if (cni && (!json_is_object(cni) || !json_is_string(json_object_get(cni, "container")) ||
		    !json_is_string(json_object_get(cni, "ifname")) || !json_is_string(json_object_get(cni, "netns"))))
		return corrupt(e, path, "%s'cni' is not {container, ifname, netns}", where);
	size_t j;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), j, ip) {
		struct nsnet_prefix p;
		if (!json_is_string(ip) || nsnet_prefix_parse(json_string_value(ip), true, &p, NULL) < 0)
			return corrupt(e, path, "%s'ips'[%zu] is not an address with a prefix length", where, j);
	}
	return 0;
}

/* A network that spans hosts (lib/net/vxlan.c): its port's name and peers are
 * used as they are, so they must be what they claim. */
static int check_vxlan(json_t *vx, const char *path, struct nsnet_error *e)
{
	const char *w = "vxlan: ";
	int r;
	if (!json_is_object(vx))
		return corrupt(e, path, "'vxlan' is %s", type_name(vx));
	if ((r = want_int(vx, "vni", 1, 16777215, false, w, path, e)) < 0 ||
	    (r = want(vx, "ifname", JSON_STRING, false, w, path, e)) < 0 ||
	    (r = want_int(vx, "port", 1, 65535, false, w, path, e)) < 0 ||
	    (r = want(vx, "peers", JSON_ARRAY, false, w, path, e)) < 0 ||
	    (r = want_int(vx, "mtu", 68, 65535, false, w, path, e)) < 0 ||
	    (r = want(vx, "local", JSON_STRING, true, w, path, e)) < 0 ||
	    (r = want(vx, "dev", JSON_STRING, true, w, path, e)) < 0)
		return r;
	struct nsnet_prefix a;
	if (nsnet_ifname_check(json_string_value(json_object_get(vx, "ifname")), NULL) < 0)
		return corrupt(e, path, "%s'ifname' is not an interface name", w);
	if (json_object_get(vx, "dev") && nsnet_ifname_check(json_string_value(json_object_get(vx, "dev")), NULL) < 0)
		return corrupt(e, path, "%s'dev' is not an interface name", w);
	if (json_object_get(vx, "local") && nsnet_addr_parse(json_string_value(json_object_get(vx, "local")), &a, NULL) < 0)
		return corrupt(e, path, "%s'local' is not an address", w);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(vx, "peers"), i, p) {
		if (!json_is_string(p) || nsnet_addr_parse(json_string_value(p), &a, NULL) < 0)
			return corrupt(e, path, "%s'peers'[%zu] is not an address", w, i);
	}
	if (json_array_size(json_object_get(vx, "peers")) > NSNET_VXLAN_PEERS_MAX)
		return corrupt(e, path, "%s'peers' has more than %d entries", w, NSNET_VXLAN_PEERS_MAX);
	return 0;
}

int state_net_check(json_t *net, const char *name, const char *path, struct nsnet_error *e)
{
	int r;
	if (!json_is_object(net))
		return corrupt(e, path, "not a JSON object");
	if ((r = want(net, "name", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want(net, "bridge", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want_int(net, "mtu", 0, 65535, true, "", path, e)) < 0 ||
	    (r = want(net, "nat", JSON_TRUE, true, "", path, e)) < 0 ||
	    (r = want(net, "lab", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(net, "subnets", JSON_ARRAY, false, "", path, e)) < 0 ||
	    (r = want(net, "members", JSON_ARRAY, true, "", path, e)) < 0 ||
	    (r = want(net, "allow", JSON_ARRAY, true, "", path, e)) < 0 ||
	    (r = want(net, "names", JSON_TRUE, true, "", path, e)) < 0)
		return r;
	const char *n = json_string_value(json_object_get(net, "name"));
	if (name && !streq(n, name))
		return corrupt(e, path, "'name' is not '%s'", name);
	if (net_name_check(n, NULL) < 0)
		return corrupt(e, path, "'name' is not a network name");
	if (nsnet_ifname_check(json_string_value(json_object_get(net, "bridge")), NULL) < 0)
		return corrupt(e, path, "'bridge' is not an interface name");
	json_t *subnets = json_object_get(net, "subnets");
	if (json_array_size(subnets) < 1 || json_array_size(subnets) > 2)
		return corrupt(e, path, "'subnets' has %zu entries, not 1 or 2", json_array_size(subnets));
	size_t i;
	json_t *v;
	json_array_foreach(subnets, i, v) {
		if ((r = check_subnet(v, i, path, e)) < 0)
			return r;
	}
	json_array_foreach(json_object_get(net, "members"), i, v) {
		if ((r = check_member(v, i, path, e)) < 0)
			return r;
	}
	json_array_foreach(json_object_get(net, "allow"), i, v) {
		if (!json_is_string(v) || net_name_check(json_string_value(v), NULL) < 0)
			return corrupt(e, path, "'allow'[%zu] is not a network name", i);
	}
	if (json_object_get(net, "vxlan") && (r = check_vxlan(json_object_get(net, "vxlan"), path, e)) < 0)
		return r;
	return 0;
}

int state_net_parse(const char *buf, size_t len, const char *name, const char *path, json_t **ret,
		    struct nsnet_error *e)
{
	json_t *v;
	int r = state_parse(buf, len, path, &v, e);
	if (r < 0)
		return r;
	if ((r = state_net_check(v, name, path, e)) < 0) {
		json_decref(v);
		return r;
	}
	*ret = v;
	return 0;
}

int state_lab_check(json_t *st, const char *name, const char *path, struct nsnet_error *e)
{
	int r;
	if (!json_is_object(st))
		return corrupt(e, path, "not a JSON object");
	if ((r = want(st, "name", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want(st, "elements", JSON_OBJECT, false, "", path, e)) < 0 ||
	    (r = want(st, "status", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(st, "file", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(st, "source", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(st, "journal", JSON_OBJECT, true, "", path, e)) < 0 ||
	    (r = want_int(st, "pid", 0, INT32_MAX, true, "", path, e)) < 0)
		return r;
	if (name && !streq(json_string_value(json_object_get(st, "name")), name))
		return corrupt(e, path, "'name' is not '%s'", name);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(st, "elements"), k, v) {
		if (!json_is_object(v))
			return corrupt(e, path, "'elements': an element is %s", type_name(v));
	}
	return 0;
}

int state_fw_check(json_t *st, const char *path, struct nsnet_error *e)
{
	int r;
	if (!json_is_object(st))
		return corrupt(e, path, "not a JSON object");
	if ((r = want(st, "published", JSON_OBJECT, true, "", path, e)) < 0 ||
	    (r = want(st, "ip_forward_was", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(st, "ipv6_forwarding_was", JSON_STRING, true, "", path, e)) < 0)
		return r;
	const char *net, *ns;
	json_t *per, *n;
	json_object_foreach(json_object_get(st, "published"), net, per) {
		if (!json_is_object(per))
			return corrupt(e, path, "'published': a network's counts are %s", type_name(per));
		json_object_foreach(per, ns, n) {
			if (!json_is_integer(n) || json_integer_value(n) < 0)
				return corrupt(e, path, "'published': a count is not a non-negative integer");
		}
	}
	return 0;
}

int state_publish_check(json_t *p, const char *path, struct nsnet_error *e)
{
	int r;
	if (!json_is_object(p))
		return corrupt(e, path, "not a JSON object");
	if ((r = want(p, "proto", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want_int(p, "host_port", 1, 65535, false, "", path, e)) < 0 ||
	    (r = want(p, "host_ip", JSON_STRING, true, "", path, e)) < 0 ||
	    (r = want(p, "ns", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want_int(p, "port", 1, 65535, false, "", path, e)) < 0 ||
	    (r = want(p, "net", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want(p, "ip", JSON_STRING, false, "", path, e)) < 0 ||
	    (r = want(p, "host_ifname", JSON_STRING, false, "", path, e)) < 0)
		return r;
	return 0;
}
