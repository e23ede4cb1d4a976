/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Making a lab's new nodes: their namespaces together, then their settings, then
 * their interfaces attached network by network in batches, then published
 * ports. (Routes are elements of their own: kind_route.c.) A thousand-node lab costs about what the kernel needs.
 */
#include <netinet/in.h>
#include "fw/fw.h"
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

/* Namespace-level settings, before interfaces exist (so e.g. disable_ipv6 applies). */
static int node_settings(const char *name, json_t *spec, struct nsnet_error *e)
{
	int r = 0;
	if (json_is_true(json_object_get(spec, "forwarding")))
		r = nsnet_forwarding_set(name, true, e);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(spec, "sysctls"), k, v) {
		if (r < 0)
			break;
		r = nsnet_sysctl_set(name, k, json_string_value(v), e);
	}
	if (r == 0 && json_object_get(spec, "firewall"))
		return lab_node_fw_apply(name, json_object_get(spec, "firewall"), e);
	return r < 0 ? nsnet_err_wrap(e, "node '%s'", name) : 0;
}

static int node_publish(const char *name, json_t *spec, struct nsnet_error *e)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(spec, "publish"), i, p) {
		int r = lab_node_publish_one(name, p, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The attach requests of the nodes' interfaces on network net, into req; their count. */
static size_t attach_reqs(const struct lab_els *nodes, const char *net, struct attach_req *req, struct nsnet_error *e)
{
	size_t n = 0;
	for (size_t i = 0; i < nodes->n; i++) {
		size_t j;
		json_t *f;
		json_array_foreach(json_object_get(nodes->v[i].spec, "ifaces"), j, f) {
			if (!streq(jstr(f, "network"), net))
				continue;
			struct attach_req *q = &req[n++];
			q->ns = nodes->v[i].name;
			q->ifname = jstr(f, "ifname");
			q->default_route = json_is_true(json_object_get(f, "default_route"));
			json_t *ip;
			size_t k;
			json_array_foreach(json_object_get(f, "ips"), k, ip) {
				if (q->n_ip < 2 && nsnet_addr_parse(json_string_value(ip), &q->ip[q->n_ip], e) == 0)
					q->n_ip++;
			}
		}
	}
	return n;
}

/* Attach the new nodes network by network, each network in one batch. */
static int attach_nodes(const struct lab_ctx *c, const struct lab_els *nodes, struct nsnet_error *e)
{
	const char *nk;
	json_t *nv;
	json_object_foreach(c->want, nk, nv) {
		const char *net = lab_key_name(&lab_kind_net, nk);
		if (!net)
			continue;
		struct attach_req *req = calloc(nodes->n + 1, sizeof(*req));
		if (!req)
			return nsnet_err(e, ENOMEM, "attach");
		size_t n = attach_reqs(nodes, net, req, e);
		int r = 0;
		json_t *st = NULL;
		if (n)
			lab_progress(c->run, net, 0, n);
		if (n && (r = state_net_load(net, &st, e)) == 0)
			r = net_attach_locked(st, req, n, e);
		if (n && r == 0)
			lab_progress(c->run, net, n, n);
		json_decref(st);
		free(req);
		if (r < 0 || (r = lab_check_cancel(c->run, e)) < 0)
			return r;
	}
	return 0;
}

/* The namespaces together. The nodes go into done before the first is made:
 * rollback removes whichever exist. */
static int add_namespaces(const struct lab_ctx *c, const struct lab_els *nodes, json_t *done, struct nsnet_error *e)
{
	size_t n = nodes->n;
	const char **names = calloc(n, sizeof(*names));
	if (!names)
		return nsnet_err(e, ENOMEM, "add nodes");
	for (size_t i = 0; i < n; i++) {
		names[i] = nodes->v[i].name;
		json_array_append_new(done, json_string(nodes->v[i].key));
	}
	lab_progress(c->run, "namespaces", 0, n);
	int r = nsnet_ns_add(names, n, e);
	free(names);
	lab_progress(c->run, "namespaces", n, n);
	return r < 0 ? r : lab_check_cancel(c->run, e);
}

/* Each step for every node, in order; the first failure stops. */
static int each_node(const struct lab_els *nodes, int (*step)(const char *, json_t *, struct nsnet_error *),
		     struct nsnet_error *e)
{
	int r;
	for (size_t i = 0; i < nodes->n; i++)
		if ((r = step(nodes->v[i].name, nodes->v[i].spec, e)) < 0)
			return r;
	return 0;
}

int lab_nodes_create(const struct lab_ctx *c, const struct lab_els *nodes, json_t *done, struct nsnet_error *e)
{
	int r;
	if ((r = add_namespaces(c, nodes, done, e)) < 0 || (r = each_node(nodes, node_settings, e)) < 0 ||
	    (r = attach_nodes(c, nodes, e)) < 0)
		return r;
	return each_node(nodes, node_publish, e);
}
