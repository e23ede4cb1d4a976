/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ADD's result, in the format of the configuration's version: interfaces (the
 * bridge, the host end, the container end with its sandbox, as the reference
 * bridge plugin lists them, so the tuning, bandwidth and firewall plugins chained
 * after nsnet find what they look for), ips (with "version" before 1.0.0), routes
 * and dns. A previous plugin's result is extended, never replaced.
 */
#include "cni/cni.h"
#include "rtnl/rtnl.h"
#include "state/state.h"

static json_t *iface(struct nl *nl, const char *name, const char *sandbox)
{
	struct rtnl_link l;
	json_t *o = json_pack("{s:s}", "name", name);
	if (nl && link_get(nl, name, &l) == 0 && l.mac_len == 6) {
		char mac[18];
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l.mac[0], l.mac[1], l.mac[2], l.mac[3], l.mac[4],
			 l.mac[5]);
		json_object_set_new(o, "mac", json_string(mac));
		if (l.mtu)
			json_object_set_new(o, "mtu", json_integer(l.mtu));
	}
	if (sandbox)
		json_object_set_new(o, "sandbox", json_string(sandbox));
	return o;
}

static void copy_array(json_t *to, json_t *from)
{
	if (json_is_array(from))
		json_array_extend(to, from);
}

int cni_result(struct cni_req *q, json_t *net, json_t *m, json_t **ret, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *host = NULL, *nl = NULL;
	json_t *cni = json_object_get(m, "cni");
	int r;
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = nl_open(jstr0(m, "ns"), &nl, e)) < 0)
		return r;
	json_t *res = json_pack("{s:s, s:[], s:[], s:[]}", "cniVersion", q->version, "interfaces", "ips", "routes");
	json_t *ifs = json_object_get(res, "interfaces"), *ips = json_object_get(res, "ips"),
	       *routes = json_object_get(res, "routes");
	copy_array(ifs, cni_get(q->prev, "interfaces"));
	copy_array(ips, cni_get(q->prev, "ips"));
	copy_array(routes, cni_get(q->prev, "routes"));
	size_t base = json_array_size(ifs), base_routes = json_array_size(routes);
	json_array_append_new(ifs, iface(host, jstr0(net, "bridge"), NULL));
	json_array_append_new(ifs, iface(host, jstr0(m, "host_ifname"), NULL));
	json_array_append_new(ifs, iface(nl, jstr0(m, "ifname"), jstr0(cni, "netns")));
	size_t i;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), i, ip) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(json_string_value(ip), true, &p, NULL) < 0)
			continue;
		json_t *o = json_pack("{s:O, s:I}", "address", ip, "interface", (json_int_t)(base + 2));
		json_t *sub = net_subnet(net, p.family);
		if (sub && jstr(sub, "gateway"))
			json_object_set(o, "gateway", json_object_get(sub, "gateway"));
		if (q->ver < CNI_V(1, 0, 0))
			json_object_set_new(o, "version", json_string(p.family == AF_INET ? "4" : "6"));
		json_array_append_new(ips, o);
		if (q->default_gw) {
			json_t *rt = json_pack("{s:s}", "dst", p.family == AF_INET ? "0.0.0.0/0" : "::/0");
			if (sub && jstr(sub, "gateway"))
				json_object_set(rt, "gw", json_object_get(sub, "gateway"));
			json_array_append_new(routes, rt);
		}
	}
	char buf[64];
	for (size_t k = 0; k < q->n_routes; k++) {
		/* A route isDefaultGateway listed already is listed once. */
		const char *dst = nsnet_prefix_str(&q->routes[k].dst, true, buf, sizeof(buf));
		bool dup = false;
		json_t *have;
		json_array_foreach(routes, i, have) dup |= i >= base_routes && streq(jstr0(have, "dst"), dst);
		if (dup)
			continue;
		json_t *rt = json_pack("{s:s}", "dst", dst);
		if (q->routes[k].has_gw)
			json_object_set_new(rt, "gw", json_string(nsnet_prefix_str(&q->routes[k].gw, false, buf, sizeof(buf))));
		json_array_append_new(routes, rt);
	}
	json_t *dns = q->dns ? q->dns : cni_get(q->prev, "dns");
	if (json_is_object(dns))
		json_object_set(res, "dns", dns);
	*ret = res;
	return 0;
}

int cni_take_ipam_result(struct cni_req *q, json_t *res, struct nsnet_error *e)
{
	size_t i;
	json_t *ip;
	struct nsnet_net_spec *s = &q->spec;
	bool had_subnets = s->n_subnets > 0;
	q->n_ips = 0;
	json_array_foreach(cni_get(res, "ips"), i, ip) {
		struct nsnet_prefix a, gw = { 0 };
		struct nsnet_error pe = { 0 };
		if (nsnet_prefix_parse(jstr0(ip, "address"), true, &a, &pe) < 0)
			return cni_fail(q, CNI_E_INTERNAL, EINVAL, e, "ipam plugin %s: address: %s", q->ipam_type, pe.msg);
		for (size_t k = 0; k < q->n_ips; k++)
			if (q->ips[k].family == a.family)
				return cni_fail(q, CNI_E_FIELD, EINVAL, e,
						"unsupported field ipam result: a second %s address (nsnet: one per family)",
						a.family == AF_INET ? "IPv4" : "IPv6");
		q->ips[q->n_ips++] = a;
		if (jstr(ip, "gateway") && nsnet_addr_parse(jstr(ip, "gateway"), &gw, NULL) < 0)
			gw.family = 0;
		if (!had_subnets) {
			/* The network the plugin's address lives in becomes nsnet's network. */
			nsnet_prefix_network(&a, &s->subnet[s->n_subnets]);
			s->gateway[s->n_subnets] = gw;
			s->n_subnets++;
		}
	}
	if (q->n_ips == 0)
		return cni_fail(q, CNI_E_INTERNAL, EINVAL, e, "ipam plugin %s gave no address", q->ipam_type);
	size_t k;
	json_t *rt;
	json_array_foreach(cni_get(res, "routes"), k, rt) {
		struct cni_route *cr = &q->routes[q->n_routes];
		if (q->n_routes == CNI_MAX_ROUTES || nsnet_prefix_parse(jstr0(rt, "dst"), true, &cr->dst, NULL) < 0)
			continue;
		cr->has_gw = jstr(rt, "gw") && nsnet_addr_parse(jstr(rt, "gw"), &cr->gw, NULL) == 0;
		q->n_routes++;
	}
	if (!q->dns && json_is_object(cni_get(res, "dns")))
		q->dns = cni_get(res, "dns");
	return 0;
}
