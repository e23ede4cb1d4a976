/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network configuration a runtime hands the plugin, with the reference bridge
 * plugin's keys meaning what they mean there (docs/cni.md lists them), plus the
 * runtime config (portMappings, ips, mac), "args" and CNI_ARGS. Keys are matched
 * case-insensitively, as Go's encoding/json (and so every reference plugin) does:
 * containerd sends "HostPort". Everything is checked before the kernel is touched.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <strings.h>
#include "cni/cni.h"

int cni_fail(struct cni_req *q, int code, int err, struct nsnet_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (e) {
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		e->code = err;
	}
	va_end(ap);
	q->code = code;
	return -err;
}

json_t *cni_get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (v || !json_is_object(obj))
		return v;
	const char *k;
	json_object_foreach(obj, k, v)
		if (strcasecmp(k, key) == 0)
			return v;
	return NULL;
}

static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };

int cni_version_parse(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(versions); i++)
		if (streq(s, versions[i]))
			return CNI_V(versions[i][0] - '0', versions[i][2] - '0', versions[i][4] - '0');
	return -1;
}

void cni_req_free(struct cni_req *q)
{
	json_decref(q->conf);
	free(q->ports);
	q->conf = NULL;
	q->ports = NULL;
}

/* ---- typed getters: a wrong type is an invalid configuration naming the key ---- */

static int get_bool(struct cni_req *q, json_t *obj, const char *key, bool *v, struct nsnet_error *e)
{
	json_t *j = cni_get(obj, key);
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_boolean(j))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key '%s' must be true or false", key);
	*v = json_is_true(j);
	return 1;
}

static int get_str(struct cni_req *q, json_t *obj, const char *key, const char **v, struct nsnet_error *e)
{
	json_t *j = cni_get(obj, key);
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_string(j))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key '%s' must be a string", key);
	*v = json_string_value(j);
	return 1;
}

static int get_prefix(struct cni_req *q, json_t *obj, const char *key, bool net, struct nsnet_prefix *p,
		      struct nsnet_error *e)
{
	const char *s = NULL;
	int r = get_str(q, obj, key, &s, e);
	if (r <= 0)
		return r;
	struct nsnet_error pe = { 0 };
	r = net ? nsnet_prefix_parse(s, true, p, &pe) : nsnet_addr_parse(s, p, &pe);
	if (r < 0)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key '%s': %s", key, pe.msg);
	return 1;
}

static int parse_mac(struct cni_req *q, const char *where, const char *s, struct nsnet_error *e)
{
	unsigned b[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
	    strlen(s) != 17)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", where, s);
	if (b[0] & 1)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s: %s is a multicast address", where, s);
	for (int i = 0; i < 6; i++)
		q->mac[i] = (uint8_t)b[i];
	q->has_mac = true;
	return 0;
}

/* An address the runtime asks for ("10.1.2.3/24" or "10.1.2.3"); one per family. */
static int add_ip(struct cni_req *q, const char *where, const char *s, struct nsnet_error *e)
{
	struct nsnet_prefix p;
	struct nsnet_error pe = { 0 };
	if (nsnet_prefix_parse(s, false, &p, &pe) < 0 && nsnet_addr_parse(s, &p, &pe) < 0)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s: %s", where, pe.msg);
	for (size_t i = 0; i < q->n_ips; i++)
		if (q->ips[i].family == p.family)
			return cni_fail(q, CNI_E_FIELD, EINVAL, e, "%s: %s: one address per family is supported", where, s);
	q->ips[q->n_ips++] = p;
	return 0;
}

/* ---- ipam ------------------------------------------------------------------------ */

static int add_subnet(struct cni_req *q, json_t *range, struct nsnet_error *e)
{
	struct nsnet_net_spec *s = &q->spec;
	struct nsnet_prefix sub, gw = { 0 };
	int r;
	struct nsnet_prefix a = { 0 }, b = { 0 };
	if ((r = get_prefix(q, range, "subnet", true, &sub, e)) < 0)
		return r;
	if (r == 0)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam range without 'subnet'");
	if ((r = get_prefix(q, range, "gateway", false, &gw, e)) < 0 ||
	    (r = get_prefix(q, range, "rangeStart", false, &a, e)) < 0 ||
	    (r = get_prefix(q, range, "rangeEnd", false, &b, e)) < 0)
		return r;
	/* host-local's defaults: from the first usable address, to the last. */
	if (a.family || b.family) {
		uint64_t first, last;
		nsnet_prefix_host_range(&sub, &first, &last);
		if (!a.family)
			nsnet_prefix_nth(&sub, first, &a);
		if (!b.family)
			nsnet_prefix_nth(&sub, last, &b);
	}
	char buf[64];
	for (size_t i = 0; i < s->n_subnets; i++)
		if (s->subnet[i].family == sub.family)
			return cni_fail(q, CNI_E_FIELD, EINVAL, e,
					"unsupported field ipam subnet: %s: a second %s subnet (nsnet: one IPv4 and one IPv6)",
					nsnet_prefix_str(&sub, true, buf, sizeof(buf)), sub.family == AF_INET ? "IPv4" : "IPv6");
	if (gw.family && !nsnet_prefix_contains(&sub, &gw))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam gateway %s is not in subnet %s",
				nsnet_prefix_str(&gw, false, buf, sizeof(buf)), json_string_value(cni_get(range, "subnet")));
	s->subnet[s->n_subnets] = sub;
	s->gateway[s->n_subnets] = gw;
	s->range_start[s->n_subnets] = a;
	s->range_end[s->n_subnets] = b;
	s->n_subnets++;
	return 0;
}

static int parse_routes(struct cni_req *q, json_t *routes, const char *where, struct nsnet_error *e)
{
	size_t i;
	json_t *rt;
	if (!routes || json_is_null(routes))
		return 0;
	if (!json_is_array(routes))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s 'routes' must be an array", where);
	json_array_foreach(routes, i, rt) {
		if (q->n_routes == CNI_MAX_ROUTES)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "more than %d routes", CNI_MAX_ROUTES);
		struct cni_route *r = &q->routes[q->n_routes];
		memset(r, 0, sizeof(*r));
		int k = get_prefix(q, rt, "dst", true, &r->dst, e);
		if (k < 0)
			return k;
		if (k == 0)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s route without 'dst'", where);
		if ((k = get_prefix(q, rt, "gw", false, &r->gw, e)) < 0)
			return k;
		r->has_gw = k == 1;
		if (r->has_gw && r->gw.family != r->dst.family)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s route to %s: gateway of the other family", where,
					jstr0(rt, "dst"));
		q->n_routes++;
	}
	return 0;
}

static int parse_ipam(struct cni_req *q, struct nsnet_error *e)
{
	json_t *ipam = q->ipam;
	int r;
	if (!ipam || json_is_null(ipam))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config has no 'ipam' (a subnet is needed)");
	if (q->ipam_type)
		return 0;  /* the delegated plugin's own configuration: it says what it accepts */
	json_t *ranges = cni_get(ipam, "ranges"), *set, *range;
	size_t i, k;
	if (ranges && !json_is_array(ranges))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam 'ranges' must be an array of arrays");
	json_array_foreach(ranges, i, set) {
		if (!json_is_array(set))
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam 'ranges' must be an array of arrays");
		if (json_array_size(set) > 1)
			return cni_fail(q, CNI_E_FIELD, EINVAL, e,
					"unsupported field ipam ranges[%zu]: %zu ranges in one set (nsnet: one subnet per family)",
					i, json_array_size(set));
		json_array_foreach(set, k, range)
			if ((r = add_subnet(q, range, e)) < 0)
				return r;
	}
	if (cni_get(ipam, "subnet") && (r = add_subnet(q, ipam, e)) < 0)
		return r;
	if (q->spec.n_subnets == 0)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam has no subnet ('ranges' or 'subnet')");
	return parse_routes(q, cni_get(ipam, "routes"), "ipam", e);
}

/* ---- the runtime's wishes --------------------------------------------------------- */

static int parse_ports(struct cni_req *q, json_t *pm, struct nsnet_error *e)
{
	size_t i;
	json_t *m;
	if (!pm || json_is_null(pm))
		return 0;
	if (!json_is_array(pm))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "runtimeConfig 'portMappings' must be an array");
	if (json_array_size(pm) > CNI_MAX_PORTS)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "more than %d port mappings", CNI_MAX_PORTS);
	if (!(q->ports = calloc(json_array_size(pm) + 1, sizeof(*q->ports))))
		return cni_fail(q, CNI_E_INTERNAL, ENOMEM, e, "out of memory");
	json_array_foreach(pm, i, m) {
		struct cni_port *p = &q->ports[q->n_ports];
		json_t *hp = cni_get(m, "hostPort"), *cp = cni_get(m, "containerPort");
		if (!json_is_integer(hp) || json_integer_value(hp) < 1 || json_integer_value(hp) > 65535 ||
		    !json_is_integer(cp) || json_integer_value(cp) < 1 || json_integer_value(cp) > 65535)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e,
					"portMappings[%zu]: hostPort and containerPort must be numbers 1..65535", i);
		p->host_port = (uint16_t)json_integer_value(hp);
		p->port = (uint16_t)json_integer_value(cp);
		const char *proto = "tcp", *hip = NULL;
		int r;
		if ((r = get_str(q, m, "protocol", &proto, e)) < 0 || (r = get_str(q, m, "hostIP", &hip, e)) < 0)
			return r;
		if (strcasecmp(proto, "tcp") == 0 || !*proto)
			p->proto = IPPROTO_TCP;
		else if (strcasecmp(proto, "udp") == 0)
			p->proto = IPPROTO_UDP;
		else
			return cni_fail(q, CNI_E_FIELD, EINVAL, e, "unsupported field portMappings[%zu] protocol: %s (tcp, udp)",
					i, proto);
		if (hip && *hip && !streq(hip, "0.0.0.0") && !streq(hip, "::")) {
			struct nsnet_error pe = { 0 };
			if (nsnet_addr_parse(hip, &p->host_ip, &pe) < 0)
				return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "portMappings[%zu] hostIP: %s", i, pe.msg);
			p->has_host_ip = true;
		}
		/* One publish per host port and protocol: the same mapping twice (podman lists
		 * a port once per address family it binds) is one. */
		bool dup = false;
		for (size_t k = 0; k < q->n_ports; k++)
			if (q->ports[k].proto == p->proto && q->ports[k].host_port == p->host_port) {
				if (q->ports[k].port != p->port)
					return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "host port %u/%s is mapped twice",
							p->host_port, proto);
				dup = true;
			}
		if (!dup)
			q->n_ports++;
	}
	return 0;
}

static int parse_runtime(struct cni_req *q, struct nsnet_error *e)
{
	json_t *rc = cni_get(q->conf, "runtimeConfig"), *v;
	int r;
	if (rc && !json_is_object(rc))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "'runtimeConfig' must be an object");
	if ((r = parse_ports(q, cni_get(rc, "portMappings"), e)) < 0)
		return r;
	if ((v = cni_get(rc, "bandwidth")) && !json_is_null(v) && json_object_size(v))
		return cni_fail(q, CNI_E_FIELD, EINVAL, e,
				"unsupported field runtimeConfig 'bandwidth': %s (chain the bandwidth plugin after nsnet)",
				"limits given");
	/* Addresses and MAC: runtimeConfig, then args.cni (the older convention). */
	json_t *args_cni = cni_get(cni_get(q->conf, "args"), "cni");
	json_t *srcs[2] = { rc, args_cni };
	for (size_t s = 0; s < 2; s++) {
		const char *where = s ? "args.cni" : "runtimeConfig";
		json_t *ips = cni_get(srcs[s], "ips"), *ip;
		size_t i;
		if (ips && !json_is_null(ips) && !json_is_array(ips))
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s 'ips' must be an array", where);
		if (q->n_ips == 0)
			json_array_foreach(ips, i, ip) {
				if (!json_is_string(ip))
					return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "%s 'ips' must hold strings", where);
				if ((r = add_ip(q, where, json_string_value(ip), e)) < 0)
					return r;
			}
		const char *mac = NULL;
		if ((r = get_str(q, srcs[s], "mac", &mac, e)) < 0)
			return r;
		if (mac && !q->has_mac && (r = parse_mac(q, where, mac, e)) < 0)
			return r;
	}
	return 0;
}

/* CNI_ARGS: "K=V;K=V". Unknown keys fail (2) unless IgnoreUnknown is set. */
static int parse_cni_args(struct cni_req *q, bool use, struct nsnet_error *e)
{
	const char *a = q->env->args;
	if (!a || !*a)
		return 0;
	_cleanup_free_ char *copy = strdup(a);
	if (!copy)
		return cni_fail(q, CNI_E_INTERNAL, ENOMEM, e, "out of memory");
	bool ignore = false;
	char *save = NULL, *unknown = NULL, *unknown_v = NULL;
	for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			return cni_fail(q, CNI_E_ENV, EINVAL, e, "CNI_ARGS: '%s' is not KEY=VALUE", kv);
		*eq = 0;
		const char *k = kv, *v = eq + 1;
		int r = 0;
		if (streq(k, "IgnoreUnknown"))
			ignore = strcasecmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
		else if (streq(k, "IP") && use) {
			char *save2 = NULL;
			for (char *ip = strtok_r((char *)v, ",", &save2); ip && r == 0; ip = strtok_r(NULL, ",", &save2))
				if (q->n_ips < 2)
					r = add_ip(q, "CNI_ARGS IP", ip, e);
		} else if (streq(k, "MAC") && use && !q->has_mac)
			r = parse_mac(q, "CNI_ARGS MAC", v, e);
		else if (!streq(k, "IP") && !streq(k, "MAC") && strncmp(k, "K8S_POD_", 8) != 0 && !unknown) {
			unknown = (char *)k;
			unknown_v = (char *)v;
		}
		if (r < 0)
			return r;
	}
	if (unknown && !ignore)
		return cni_fail(q, CNI_E_FIELD, EINVAL, e, "unsupported field CNI_ARGS '%s': %s (or set IgnoreUnknown=1)",
				unknown, unknown_v);
	return 0;
}

/* Keys of the reference bridge plugin that nsnet does not do: accepted at their
 * default, refused (2, naming key and value) otherwise, never silently ignored. */
static int refuse_unsupported(struct cni_req *q, struct nsnet_error *e)
{
	static const char *const flags[] = { "promiscMode", "enabledad", "macspoofchk", "disableContainerInterface",
					     "portIsolation", "preserveDefaultVlan", "forceAddress" };
	bool on = false;
	int r;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if ((r = get_bool(q, q->conf, flags[i], &on, e)) < 0)
			return r;
		/* preserveDefaultVlan defaults to true, and only means something with vlan. */
		if (r == 1 && on && !streq(flags[i], "preserveDefaultVlan") && !streq(flags[i], "forceAddress"))
			return cni_fail(q, CNI_E_FIELD, EINVAL, e, "unsupported field '%s': true", flags[i]);
	}
	json_t *v = cni_get(q->conf, "vlan");
	if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) == 0))
		return cni_fail(q, CNI_E_FIELD, EINVAL, e, "unsupported field 'vlan': %lld (this kernel has no 802.1Q)",
				(long long)json_integer_value(v));
	v = cni_get(q->conf, "vlanTrunk");
	if (v && !json_is_null(v) && json_array_size(v))
		return cni_fail(q, CNI_E_FIELD, EINVAL, e, "unsupported field 'vlanTrunk': %zu entries", json_array_size(v));
	if (get_bool(q, q->conf, "isGateway", &on, e) == 1 && !on)
		return cni_fail(q, CNI_E_FIELD, EINVAL, e,
				"unsupported field 'isGateway': false (an nsnet network's bridge always holds the gateway)");
	return 0;
}

static int parse_network(struct cni_req *q, struct nsnet_error *e)
{
	struct nsnet_net_spec *s = &q->spec;
	const char *bridge = NULL;
	int r;
	if ((r = refuse_unsupported(q, e)) < 0 || (r = get_str(q, q->conf, "bridge", &bridge, e)) < 0)
		return r;
	if (bridge) {
		struct nsnet_error ie = { 0 };
		if (nsnet_ifname_check(bridge, &ie) < 0)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key 'bridge': %s", ie.msg);
		snprintf(q->bridge, sizeof(q->bridge), "%s", bridge);
	} else {
		nsnet_net_default_bridge(q->name, q->bridge);
	}
	s->bridge = q->bridge;
	/* nsnet's own names first, the reference plugin's as aliases. */
	if ((r = get_bool(q, q->conf, "isDefaultGateway", &q->default_gw, e)) < 0 ||
	    (r = get_bool(q, q->conf, "defaultRoute", &q->default_gw, e)) < 0 ||
	    (r = get_bool(q, q->conf, "ipMasq", &s->nat, e)) < 0 || (r = get_bool(q, q->conf, "nat", &s->nat, e)) < 0 ||
	    (r = get_bool(q, q->conf, "hairpinMode", &q->hairpin, e)) < 0 ||
	    (r = get_bool(q, q->conf, "hairpin", &q->hairpin, e)) < 0)
		return r;
	json_t *mtu = cni_get(q->conf, "mtu");
	if (mtu && !json_is_null(mtu)) {
		if (!json_is_integer(mtu) || (json_integer_value(mtu) != 0 &&
					      (json_integer_value(mtu) < 68 || json_integer_value(mtu) > 65535)))
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key 'mtu' must be a number 68..65535");
		s->mtu = (unsigned)json_integer_value(mtu);
	}
	q->allow = cni_get(q->conf, "allow");
	size_t i;
	json_t *a;
	if (q->allow && !json_is_null(q->allow) && !json_is_array(q->allow))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key 'allow' must be an array of network names");
	json_array_foreach(q->allow, i, a) {
		struct nsnet_error ne = { 0 };
		if (!json_is_string(a) || net_name_check(json_string_value(a), &ne) < 0)
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key 'allow': %s",
					json_is_string(a) ? ne.msg : "not a string");
	}
	q->dns = cni_get(q->conf, "dns");
	if (q->dns && !json_is_object(q->dns))
		q->dns = NULL;
	return parse_ipam(q, e);
}

int cni_conf_parse(struct cni_req *q, bool full, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	json_error_t je;
	if (!env->config || !env->config_len)
		return cni_fail(q, CNI_E_DECODE, EINVAL, e, "no network configuration on stdin");
	q->conf = json_loadb(env->config, env->config_len, 0, &je);
	if (!q->conf)
		return cni_fail(q, CNI_E_DECODE, EINVAL, e, "network configuration: %s (line %d)", je.text, je.line);
	if (!json_is_object(q->conf))
		return cni_fail(q, CNI_E_DECODE, EINVAL, e, "network configuration is not a JSON object");
	int r = get_str(q, q->conf, "cniVersion", &q->version, e);
	if (r < 0)
		return r;
	if (r == 0)
		return cni_fail(q, CNI_E_VERSION, EINVAL, e, "config has no 'cniVersion'");
	if ((q->ver = cni_version_parse(q->version)) < 0)
		return cni_fail(q, CNI_E_VERSION, EINVAL, e,
				"incompatible CNI version %s (supported: 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0)", q->version);
	if ((r = get_str(q, q->conf, "name", &q->name, e)) < 0)
		return r;
	struct nsnet_error ne = { 0 };
	if (!q->name || net_name_check(q->name, &ne) < 0)
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "config key 'name': %s",
				q->name ? ne.msg : "missing (the network's name)");
	q->spec.name = q->name;
	q->ipam = cni_get(q->conf, "ipam");
	const char *type = NULL;
	if (json_is_object(q->ipam) && (r = get_str(q, q->ipam, "type", &type, e)) < 0)
		return r;
	if (type && *type && !streq(type, "nsnet")) {
		if (strchr(type, '/') || streq(type, ".") || streq(type, ".."))
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "ipam type '%s' is not a plugin name", type);
		q->ipam_type = type;
	}
	q->prev = cni_get(q->conf, "prevResult");
	if (q->prev && !json_is_object(q->prev))
		q->prev = NULL;
	if (!full) {
		/* DEL and GC must release what ADD made even when the rest of the
		 * configuration changed meanwhile: the network's name is all they need. */
		struct nsnet_error ignored;
		parse_network(q, &ignored);
		q->code = 0;
		return 0;
	}
	if ((r = parse_network(q, e)) < 0 || (r = parse_runtime(q, e)) < 0 || (r = parse_cni_args(q, true, e)) < 0)
		return r;
	return 0;
}
