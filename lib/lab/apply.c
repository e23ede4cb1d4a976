/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Carrying out a plan: removals first (a replaced element goes before its new
 * version comes), then networks, namespaces, their interfaces, links, routes.
 * Namespaces are made together and attached per network in batches, so a
 * thousand-node lab costs about what the kernel needs.
 */
#include <netinet/in.h>
#include "fw/fw.h"
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

static int make_net(const char *lab, const char *name, json_t *spec, struct nsnet_error *e)
{
	struct nsnet_net_spec s = { .name = name, .bridge = jstr(spec, "bridge"),
				    .mtu = (unsigned)json_integer_value(json_object_get(spec, "mtu")),
				    .nat = json_is_true(json_object_get(spec, "nat")) };
	json_t *subs = json_object_get(spec, "subnets"), *gws = json_object_get(spec, "gateways");
	for (size_t i = 0; i < json_array_size(subs) && i < 2; i++) {
		if (nsnet_prefix_parse(json_string_value(json_array_get(subs, i)), true, &s.subnet[i], e) < 0 ||
		    nsnet_addr_parse(json_string_value(json_array_get(gws, i)), &s.gateway[i], e) < 0)
			return -EINVAL;
		s.n_subnets++;
	}
	int r = net_create_locked(&s, lab, e);
	return r < 0 ? nsnet_err_wrap(e, "network '%s'", name) : 0;
}

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
	return r < 0 ? nsnet_err_wrap(e, "node '%s'", name) : 0;
}

static int node_routes(const char *name, json_t *spec, struct nsnet_error *e)
{
	size_t i;
	json_t *rt;
	json_array_foreach(json_object_get(spec, "routes"), i, rt) {
		struct nsnet_route_spec r = { .ns = name, .has_via = true, .dev = jstr(rt, "dev") };
		const char *to = jstr(rt, "to");
		int ret = nsnet_addr_parse(jstr(rt, "via"), &r.via, e);
		if (ret == 0 && streq(to, "default"))
			r.dst.family = r.via.family;
		else if (ret == 0)
			ret = nsnet_prefix_parse(to, true, &r.dst, e);
		if (ret == 0)
			ret = nsnet_route_add(&r, e);
		if (ret < 0)
			return nsnet_err_wrap(e, "node '%s': route to %s", name, to);
	}
	return 0;
}

static int node_publish(const char *name, json_t *spec, struct nsnet_error *e)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(spec, "publish"), i, p) {
		struct nsnet_prefix hip;
		struct nsnet_publish_spec s = {
			.proto = streq(jstr(p, "proto"), "udp") ? IPPROTO_UDP : IPPROTO_TCP,
			.host_port = (uint16_t)json_integer_value(json_object_get(p, "host_port")),
			.port = (uint16_t)json_integer_value(json_object_get(p, "port")),
			.ns = name,
		};
		if (jstr(p, "host_ip")) {
			if (nsnet_addr_parse(jstr(p, "host_ip"), &hip, e) < 0)
				return -EINVAL;
			s.host_ip = &hip;
		}
		int r = publish_add_locked(&s, e);
		if (r < 0)
			return nsnet_err_wrap(e, "node '%s': publish %s/%u", name, jstr(p, "proto"), s.host_port);
	}
	return 0;
}

/* Attach the new nodes network by network, each network in one batch. */
static int attach_nodes(const struct lab_run *run, json_t *want, json_t *nodes, struct nsnet_error *e)
{
	const char *nk;
	json_t *nv;
	json_object_foreach(want, nk, nv) {
		if (strncmp(nk, "net:", 4) != 0)
			continue;
		const char *net = nk + 4;
		size_t n = 0, i;
		json_t *node;
		struct attach_req *req = calloc(json_array_size(nodes) + 1, sizeof(*req));
		if (!req)
			return nsnet_err(e, ENOMEM, "attach");
		int r = 0;
		json_array_foreach(nodes, i, node) {
			const char *name = json_string_value(node) + 5;
			size_t j;
			json_t *f;
			json_array_foreach(json_object_get(json_object_get(want, json_string_value(node)), "ifaces"), j, f) {
				if (!streq(jstr(f, "network"), net))
					continue;
				struct attach_req *q = &req[n++];
				q->ns = name;
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
		json_t *st = NULL;
		if (n)
			lab_progress(run, net, 0, n);
		if (n && (r = state_net_load(net, &st, e)) == 0)
			r = net_attach_locked(st, req, n, e);
		if (n && r == 0)
			lab_progress(run, net, n, n);
		json_decref(st);
		free(req);
		if (r < 0)
			return r;
		if ((r = lab_check_cancel(run, e)) < 0)
			return r;
	}
	return 0;
}

static int make_link(json_t *l, struct nsnet_error *e)
{
	json_t *nodes = json_object_get(l, "nodes"), *ifs = json_object_get(l, "ifnames"), *ips = json_object_get(l, "ips");
	struct nsnet_prefix ip[2];
	struct nsnet_veth_spec s = {
		.ns_a = json_string_value(json_array_get(nodes, 0)), .ns_b = json_string_value(json_array_get(nodes, 1)),
		.if_a = json_string_value(json_array_get(ifs, 0)), .if_b = json_string_value(json_array_get(ifs, 1)),
		.mtu = (unsigned)json_integer_value(json_object_get(l, "mtu")),
	};
	for (int i = 0; i < 2; i++) {
		const char *a = json_string_value(json_array_get(ips, i));
		if (a && nsnet_prefix_parse(a, true, &ip[i], e) < 0)
			return -EINVAL;
		if (a)
			*(i ? &s.ip_b : &s.ip_a) = &ip[i];
	}
	int r = nsnet_veth_add(&s, e);
	return r < 0 ? nsnet_err_wrap(e, "link %s:%s - %s:%s", s.ns_a, s.if_a, s.ns_b, s.if_b) : 0;
}

static int add_all(const char *lab, const struct lab_plan *p, const struct lab_run *run, json_t *done,
		   struct nsnet_error *e)
{
	size_t i;
	json_t *k;
	int r = 0;
	json_t *nodes = json_array();
	json_array_foreach(p->add, i, k) {
		const char *key = json_string_value(k);
		if (strncmp(key, "net:", 4) == 0) {
			json_array_append(done, k);
			if ((r = make_net(lab, key + 4, json_object_get(p->want, key), e)) < 0 || (r = lab_check_cancel(run, e)) < 0)
				goto out;
		} else if (strncmp(key, "node:", 5) == 0) {
			json_array_append(nodes, k);
		}
	}
	if (json_array_size(nodes)) {
		size_t n = json_array_size(nodes);
		const char **names = calloc(n, sizeof(*names));
		if (!names) {
			r = nsnet_err(e, ENOMEM, "add nodes");
			goto out;
		}
		json_array_foreach(nodes, i, k) names[i] = json_string_value(k) + 5;
		json_array_extend(done, nodes);
		lab_progress(run, "namespaces", 0, n);
		r = nsnet_ns_add(names, n, e);
		free(names);
		lab_progress(run, "namespaces", n, n);
		if (r < 0 || (r = lab_check_cancel(run, e)) < 0)
			goto out;
		json_array_foreach(nodes, i, k) {
			if ((r = node_settings(json_string_value(k) + 5, json_object_get(p->want, json_string_value(k)), e)) < 0)
				goto out;
		}
		if ((r = attach_nodes(run, p->want, nodes, e)) < 0)
			goto out;
		json_array_foreach(nodes, i, k) {
			if ((r = node_routes(json_string_value(k) + 5, json_object_get(p->want, json_string_value(k)), e)) < 0)
				goto out;
		}
		json_array_foreach(nodes, i, k) {
			if ((r = node_publish(json_string_value(k) + 5, json_object_get(p->want, json_string_value(k)), e)) < 0)
				goto out;
		}
	}
	json_array_foreach(p->add, i, k) {
		const char *key = json_string_value(k);
		if (strncmp(key, "link:", 5) != 0)
			continue;
		json_array_append(done, k);
		if ((r = make_link(json_object_get(p->want, key), e)) < 0 || (r = lab_check_cancel(run, e)) < 0)
			goto out;
	}
out:
	json_decref(nodes);
	return r;
}

int lab_apply(const char *lab, const struct lab_plan *p, const struct lab_run *run, struct nsnet_error *e)
{
	/* Cancelled while reading or planning: nothing was changed, nothing to undo. */
	int r = lab_check_cancel(run, e);
	if (r < 0)
		return r;
	json_t *st;
	if (lab_state_load(lab, &st, NULL) < 0)
		st = json_pack("{s:s, s:{}}", "name", lab, "elements");
	/* The journal first: from here on a crash is undone by `nsnet gc`. */
	json_object_set_new(st, "status", json_string("applying"));
	json_object_set_new(st, "pid", json_integer(getpid()));
	json_object_set_new(st, "journal", json_pack("{s:O, s:O, s:O}", "add", p->add, "remove", p->remove, "want", p->want));
	r = lab_state_save(st, e);
	if (r < 0) {
		json_decref(st);
		return r;
	}
	json_t *elements = json_object_get(st, "elements");
	lab_remove_elements(lab, p->have, p->remove, NULL);
	size_t i;
	json_t *k;
	json_array_foreach(p->remove, i, k) json_object_del(elements, json_string_value(k));

	json_t *done = json_array();
	r = add_all(lab, p, run, done, e);
	if (r < 0) {
		/* Undo what this run created; what it removed stays removed. */
		lab_remove_elements(lab, p->want, done, NULL);
	} else {
		json_array_foreach(p->add, i, k) json_object_set(elements, json_string_value(k), json_object_get(p->want, json_string_value(k)));
		/* In the same write as the elements: a kill between two writes would
		 * leave a lab up without the source that graph and status read. */
		if (p->record)
			json_object_update(st, p->record);
	}
	json_decref(done);
	json_object_del(st, "journal");
	json_object_del(st, "pid");
	json_object_set_new(st, "status", json_string("up"));
	struct nsnet_error e2;
	if (json_object_size(elements) == 0 && r < 0)
		lab_state_remove(lab, &e2);
	else
		lab_state_save(st, r < 0 ? &e2 : e);
	json_decref(st);
	return r;
}
