/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The node kind, "node:NAME": a namespace with its interfaces on networks, sysctls
 * and published ports (its routes are elements of their own, kind_route.c). Making and removing nodes goes in batches, in
 * node_create.c and node_remove.c. */
#include <netinet/in.h>
#include "lab/lab.h"
#include "net/net.h"
#include "base/base.h"

static bool has_default_route(const struct topo_node *n)
{
	for (size_t i = 0; i < n->n_routes; i++)
		if (n->routes[i].to.len == 0)
			return true;
	return false;
}

static json_t *ifaces_spec(const struct topo_node *n)
{
	json_t *ifaces = json_array();
	/* The first interface on a network gives the default route, unless the file
	 * names one: a node with two networks has one way out, like a host. */
	bool want_default = n->gateway && !has_default_route(n);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct topo_iface *f = &n->ifaces[i];
		json_t *ips = json_array();
		for (size_t k = 0; k < f->n_ip; k++)
			json_array_append_new(ips, lab_addr_json(&f->ip[k], false));
		json_array_append_new(ifaces, json_pack("{s:s, s:s?, s:o, s:b}", "network", f->network, "ifname",
							f->ifname, "ips", ips, "default_route", want_default && i == 0));
	}
	return ifaces;
}

static json_t *node_spec(const struct topo_node *n)
{
	json_t *sysctls = json_object(), *pub = json_array();
	for (size_t i = 0; i < n->n_sysctls; i++)
		json_object_set_new(sysctls, n->sysctls[i].key, json_string(n->sysctls[i].value));
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct topo_publish *p = &n->publish[i];
		json_array_append_new(pub, json_pack("{s:s?, s:i, s:i, s:s}", "host_ip", p->host_ip, "host_port",
						     p->host_port, "port", p->port, "proto",
						     p->proto == IPPROTO_UDP ? "udp" : "tcp"));
	}
	json_t *o = json_pack("{s:b, s:o, s:o, s:o}", "forwarding", n->forwarding, "ifaces", ifaces_spec(n), "sysctls",
			      sysctls, "publish", pub);
	json_t *fw = lab_node_fw_spec(n);
	if (fw)
		json_object_set_new(o, "firewall", fw);
	return o;
}

static void wanted(const struct topology *t, json_t *elements)
{
	char key[600];
	for (size_t i = 0; i < t->n_nodes; i++)
		json_object_set_new(elements, lab_key(&lab_kind_node, t->nodes[i].name, key, sizeof(key)),
				    node_spec(&t->nodes[i]));
}

/* A replaced network takes its nodes with it. */
static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	size_t i;
	json_t *f;
	if (k != &lab_kind_net)
		return false;
	json_array_foreach(json_object_get(spec, "ifaces"), i, f) if (streq(jstr(f, "network"), name)) return true;
	return false;
}

static int check(const struct lab_check *c, const char *key, const char *name, struct nsnet_error *e)
{
	const char *owner = json_string_value(json_object_get(c->owners, key));
	if (owner)
		return nsnet_errx(e, EEXIST, "node '%s': namespace '%s' belongs to lab '%s'", name, name, owner);
	/* Ours already (being replaced) is fine; anyone else's is not. */
	if (!json_object_get(c->plan->have, key) && nsnet_ns_exists(name))
		return nsnet_errx(e, EEXIST, "node '%s': a namespace named '%s' already exists and is not part of lab '%s'",
				  name, name, c->lab);
	return 0;
}

static void namespaces(const char *name, json_t *spec, json_t *set)
{
	json_object_set_new(set, name, json_true());
}

/* Its interfaces too: a deleted veth end leaves the namespace but not the node. */
static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	return !lab_node_present(name, spec, seen);
}

/* Its firewall table deleted behind nsnet's back: up puts it back in place. */
static json_t *drift(const char *name, json_t *spec, struct lab_seen *seen)
{
	if (!json_object_get(spec, "firewall") || lab_node_fw_present(name))
		return NULL;
	json_t *copy = json_deep_copy(spec);
	json_object_del(copy, "firewall");
	return copy;
}

static void explain_iface(json_t *c, const char *name_raw, json_t *f, json_t *specs)
{
	struct lab_quoter qt = { .i = 0 };
	const char *name = lab_q(&qt, name_raw);
	char host_if[16], what[300];
	json_t *net = lab_spec_of(specs, &lab_kind_net, jstr(f, "network"));
	nsnet_net_host_ifname(jstr(f, "network"), name_raw, host_if);
	const char *ifn = lab_q(&qt, jstr(f, "ifname") ? jstr(f, "ifname") : "eth0"), *hif = lab_q(&qt, host_if);
	lab_cmd(c, "ip link add %s master %s type veth peer name %s netns %s", hif, lab_q(&qt, jstr(net, "bridge")), ifn,
		name);
	lab_cmd(c, "ip link set %s up", hif);
	lab_cmd(c, "ip -n %s link set %s up", name, ifn);
	json_t *ips = json_object_get(f, "ips");
	const char *sub = json_string_value(json_array_get(json_object_get(net, "subnets"), 0));
	const char *slash = sub ? strchr(sub, '/') : NULL;
	if (json_array_size(ips))
		snprintf(what, sizeof(what), "%s%s", json_string_value(json_array_get(ips, 0)), slash ? slash : "");
	else
		snprintf(what, sizeof(what), "<next free address of %s>", sub ? sub : "?");
	lab_cmd(c, "ip -n %s addr add %s dev %s", name, lab_q(&qt, what), ifn);
	if (json_is_true(json_object_get(f, "default_route")))
		lab_cmd(c, "ip -n %s route add default via %s", name,
			lab_q(&qt, json_string_value(json_array_get(json_object_get(net, "gateways"), 0))));
}

static void explain_publish(json_t *c, const char *name_raw, json_t *n)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(n, "publish"), i, f) {
		struct lab_quoter qt = { .i = 0 };
		char el[600];
		snprintf(el, sizeof(el), "{ %s . %lld : <%s's address> . %lld }", jstr(f, "proto"),
			 json_integer_value(json_object_get(f, "host_port")), name_raw, json_integer_value(json_object_get(f, "port")));
		lab_cmd(c, "nft add element inet nsnet pubany4 %s", lab_q(&qt, el));
	}
}

static void explain(json_t *c, const char *name_raw, json_t *n, json_t *specs, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	const char *name = lab_q(&qt, name_raw);
	if (!add) {
		lab_cmd(c, "ip netns del %s", name);
		return;
	}
	lab_cmd(c, "ip netns add %s", name);
	lab_cmd(c, "ip -n %s link set lo up", name);
	if (json_is_true(json_object_get(n, "forwarding")))
		lab_cmd(c, "ip netns exec %s sysctl -w net.ipv4.ip_forward=1", name);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(n, "sysctls"), k, v) lab_cmd_sysctl(c, name_raw, k, json_string_value(v));
	size_t i;
	json_t *f;
	if (json_object_get(n, "firewall"))
		lab_node_fw_explain(c, name_raw, json_object_get(n, "firewall"));
	json_array_foreach(json_object_get(n, "ifaces"), i, f) explain_iface(c, name_raw, f, specs);
	explain_publish(c, name_raw, n);
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	bool exists = lab_seen_ns(seen, name);
	json_t *ifaces = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(spec, "ifaces"), i, f) {
		json_t *o = json_pack("{s:s}", "network", jstr(f, "network"));
		bool up = exists && lab_iface_present(name, f, seen, o);
		json_object_set_new(o, "ok", json_boolean(up));
		*ok &= up;
		json_array_append_new(ifaces, o);
	}
	*ok &= exists;
	json_t *o = json_pack("{s:s, s:b, s:o, s:o}", "name", name, "exists", exists, "interfaces", ifaces, "publish",
			      json_object_get(spec, "publish") ? json_incref(json_object_get(spec, "publish")) : json_array());
	if (json_object_get(spec, "firewall")) {
		bool fw = exists && lab_node_fw_present(name);
		*ok &= fw;
		json_object_set_new(o, "firewall", json_boolean(fw));
	}
	return o;
}

/* A map element whose key is the concatenation key[0..n). */
static bool map_has(json_t *elems, json_t *key)
{
	size_t i;
	json_t *x;
	json_array_foreach(elems, i, x) {
		json_t *k = json_object_get(json_array_get(x, 0), "concat");
		if (k && json_equal(k, key))
			return true;
	}
	return false;
}

/* Its published ports, in the map of their kind. */
static void fw_missing(json_t *spec, const struct lab_fw *fw, json_t *missing)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(spec, "publish"), i, p) {
		const char *hip = jstr(p, "host_ip");
		json_t *port = json_object_get(p, "host_port");
		json_t *key = hip ? json_pack("[s, s, O]", jstr(p, "proto"), hip, port) : json_pack("[s, O]", jstr(p, "proto"), port);
		if (!map_has(hip ? fw->pub4 : fw->pubany4, key))
			json_array_append_new(missing, json_sprintf("%s: %s%s%s %lld", hip ? "pub4" : "pubany4", jstr(p, "proto"),
								    hip ? " " : "", hip ? hip : "", json_integer_value(port)));
		json_decref(key);
	}
}

const struct lab_kind lab_kind_node = {
	.prefix = "node:",
	.plural = "nodes",
	.is_namespace = true,
	.wanted = wanted,
	.uses = uses,
	.check = check,
	.create = lab_nodes_create,
	.remove = lab_nodes_detach,
	.reap = lab_nodes_reap,
	.updatable = lab_node_updatable,
	.update = lab_node_update,
	.describe_update = lab_node_describe_update,
	.explain_update = lab_node_explain_update,
	.namespaces = namespaces,
	.is_missing = is_missing,
	.drift = drift,
	.explain = explain,
	.status = status,
	.fw_missing = fw_missing,
};
