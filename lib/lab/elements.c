/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A topology as canonical elements: what `up` compares to decide what to change. */
#include <netinet/in.h>
#include "lab/lab.h"
#include "base/base.h"

static json_t *addr_str(const struct nsnet_prefix *p, bool with_len)
{
	char buf[64];
	return json_string(nsnet_prefix_str(p, with_len, buf, sizeof(buf)));
}

static json_t *net_spec(const struct topo_net *n)
{
	char bridge[16];
	if (n->bridge)
		snprintf(bridge, sizeof(bridge), "%s", n->bridge);
	else
		nsnet_net_default_bridge(n->name, bridge);
	json_t *subs = json_array(), *gws = json_array();
	for (size_t i = 0; i < n->n_subnets; i++) {
		json_array_append_new(subs, addr_str(&n->subnet[i], true));
		if (n->gateway[i].family) {
			json_array_append_new(gws, addr_str(&n->gateway[i], false));
		} else {
			uint64_t first, last;
			struct nsnet_prefix g;
			nsnet_prefix_host_range(&n->subnet[i], &first, &last);
			nsnet_prefix_nth(&n->subnet[i], first, &g);
			json_array_append_new(gws, addr_str(&g, false));
		}
	}
	return json_pack("{s:s, s:o, s:o, s:b, s:i}", "bridge", bridge, "subnets", subs, "gateways", gws, "nat", n->nat,
			 "mtu", (int)n->mtu);
}

static bool has_default_route(const struct topo_node *n)
{
	for (size_t i = 0; i < n->n_routes; i++)
		if (n->routes[i].to.len == 0)
			return true;
	return false;
}

static json_t *node_spec(const struct topo_node *n)
{
	json_t *ifaces = json_array(), *routes = json_array(), *sysctls = json_object(), *pub = json_array();
	/* The first interface on a network gives the default route, unless the file
	 * names one: a node with two networks has one way out, like a host. */
	bool want_default = !has_default_route(n);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct topo_iface *f = &n->ifaces[i];
		json_t *ips = json_array();
		for (size_t k = 0; k < f->n_ip; k++)
			json_array_append_new(ips, addr_str(&f->ip[k], false));
		json_array_append_new(ifaces, json_pack("{s:s, s:s?, s:o, s:b}", "network", f->network, "ifname",
							f->ifname, "ips", ips, "default_route", want_default && i == 0));
	}
	for (size_t i = 0; i < n->n_routes; i++) {
		const struct topo_route *r = &n->routes[i];
		json_t *o = json_pack("{s:o, s:o}", "to", r->to.len == 0 ? json_string("default") : addr_str(&r->to, true),
				      "via", addr_str(&r->via, false));
		if (r->dev)
			json_object_set_new(o, "dev", json_string(r->dev));
		json_array_append_new(routes, o);
	}
	for (size_t i = 0; i < n->n_sysctls; i++)
		json_object_set_new(sysctls, n->sysctls[i].key, json_string(n->sysctls[i].value));
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct topo_publish *p = &n->publish[i];
		json_array_append_new(pub, json_pack("{s:s?, s:i, s:i, s:s}", "host_ip", p->host_ip, "host_port",
						     p->host_port, "port", p->port, "proto",
						     p->proto == IPPROTO_UDP ? "udp" : "tcp"));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o}", "forwarding", n->forwarding, "ifaces", ifaces, "routes", routes,
			 "sysctls", sysctls, "publish", pub);
}

static json_t *link_spec(const struct topo_link *l)
{
	json_t *ips = json_array();
	for (int i = 0; i < 2; i++)
		json_array_append_new(ips, l->ip[i].family ? addr_str(&l->ip[i], true) : json_null());
	return json_pack("{s:[s,s], s:[s,s], s:o, s:i}", "nodes", l->node[0], l->node[1], "ifnames", l->ifname[0],
			 l->ifname[1], "ips", ips, "mtu", (int)l->mtu);
}

json_t *lab_elements(const struct topology *t)
{
	json_t *el = json_object();
	char key[600];
	for (size_t i = 0; i < t->n_nets; i++) {
		snprintf(key, sizeof(key), "net:%s", t->nets[i].name);
		json_object_set_new(el, key, net_spec(&t->nets[i]));
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		snprintf(key, sizeof(key), "node:%s", t->nodes[i].name);
		json_object_set_new(el, key, node_spec(&t->nodes[i]));
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		snprintf(key, sizeof(key), "link:%s:%s|%s:%s", l->node[0], l->ifname[0], l->node[1], l->ifname[1]);
		json_object_set_new(el, key, link_spec(l));
	}
	return el;
}
