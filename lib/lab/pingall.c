/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingall: every node of a lab pings every address of every other node, natively.
 * One worker per source node sends all its echoes at once from inside its namespace
 * (lib/probe/: a raw ICMP and ICMPv6 socket) and collects the replies, resending the
 * missing ones (the first packet to a neighbour may wait for ARP/NDP). N nodes cost
 * N sockets and a second or two, not N² ping processes.
 */
#include "lab/pingall.h"
#include "net/net.h"
#include "base/base.h"

/* Is key one of the lab's nodes (an element that is a namespace)? Its name if so. */
static const char *node_of(const char *key)
{
	const char *name;
	const struct lab_kind *kind = lab_kind_of(key, &name);
	return kind && kind->is_namespace ? name : NULL;
}

/* Targets: every address each element gives a node (the networks' members, the
 * links' ends), grouped by the element. */
static int collect(json_t *elements, json_t *keep, struct pa_target **ret, size_t *ret_n)
{
	struct pa_target *t = NULL;
	size_t n = 0, gid = 0;
	const char *k;
	json_t *v, *nodes = json_object();
	json_object_foreach(elements, k, v) if (node_of(k)) json_object_set_new(nodes, node_of(k), json_true());
	json_object_foreach(elements, k, v) {
		const char *name;
		const struct lab_kind *kind = lab_kind_of(k, &name);
		json_t *addrs = kind && kind->addresses ? kind->addresses(name, v, nodes) : NULL, *a;
		size_t i;
		json_array_foreach(addrs, i, a) {
			struct pa_target *nt = realloc(t, (n + 1) * sizeof(*t));
			if (!nt)
				continue;
			t = nt;
			t[n].node = json_string_value(json_array_get(a, 0));
			snprintf(t[n].group, sizeof(t[n].group), "%s", k);
			t[n].gid = gid;
			if (nsnet_prefix_parse(json_string_value(json_array_get(a, 1)), true, &t[n].addr, NULL) == 0)
				n++;
		}
		/* The targets point into it: keep it until the end. */
		if (addrs)
			json_array_append_new(keep, addrs);
		gid++;
	}
	json_decref(nodes);
	*ret = t;
	*ret_n = n;
	return 0;
}

/* The report: every pair, whether it answered, and whether the lab requires it (the
 * source is on the target address's network or link). A million pairs for a
 * thousand nodes: the names, addresses and booleans are shared, not copied. */
static json_t *pingall_report(const char *lab, const struct pa_ctx *c)
{
	size_t ngid = c->nt ? c->t[c->nt - 1].gid + 1 : 0;
	_cleanup_free_ bool *member = calloc(c->ns * ngid + 1, sizeof(bool));
	_cleanup_free_ json_t **src = calloc(c->ns + 1, sizeof(*src));
	_cleanup_free_ json_t **dst = calloc(2 * c->nt + 1, sizeof(*dst));
	if (!member || !src || !dst)
		return NULL;
	json_t **addr = dst + c->nt;
	for (size_t k = 0; k < c->nt; k++) {
		char buf[64];
		if (c->t[k].slot < c->ns)
			member[c->t[k].slot * ngid + c->t[k].gid] = true;
		dst[k] = json_string(c->t[k].node);
		addr[k] = json_string(nsnet_prefix_str(&c->t[k].addr, false, buf, sizeof(buf)));
	}
	for (size_t s = 0; s < c->ns; s++)
		src[s] = json_string(c->s[s].node);
	json_t *pairs = json_array();
	size_t failed = 0, failed_req = 0, total = 0;
	for (size_t s = 0; s < c->ns; s++) {
		for (size_t k = 0; k < c->nt; k++) {
			if (c->s[s].how[k] == PA_SELF)
				continue;
			bool ok = c->s[s].ok[k], req = member[s * ngid + c->t[k].gid];
			total++;
			failed += !ok;
			failed_req += req && !ok;
			json_t *p = json_object();
			json_object_set_nocheck(p, "src", src[s]);
			json_object_set_nocheck(p, "dst", dst[k]);
			json_object_set_nocheck(p, "addr", addr[k]);
			json_object_set_new_nocheck(p, "ok", json_boolean(ok));
			json_object_set_new_nocheck(p, "required", json_boolean(req));
			json_array_append_new(pairs, p);
		}
	}
	for (size_t s = 0; s < c->ns; s++)
		json_decref(src[s]);
	for (size_t k = 0; k < 2 * c->nt; k++)
		json_decref(dst[k]);
	return json_pack("{s:s, s:i, s:i, s:i, s:o}", "lab", lab, "total", (int)total, "failed", (int)failed,
			 "failed_required", (int)failed_req, "pairs", pairs);
}

int nsnet_lab_pingall_opts(const char *arg, const struct nsnet_pingall_opts *o, json_t **ret,
			   struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	json_t *st;
	int r = lab_open(arg, &lab, &st, e);
	if (r < 0)
		return r;
	json_t *elements = json_object_get(st, "elements");
	struct pa_ctx c = { .arp_all = o && o->arp_all };
	json_t *keep = json_array();
	collect(elements, keep, &c.t, &c.nt);
	const char *k;
	json_t *v;
	json_object_foreach(elements, k, v) c.ns += node_of(k) != NULL;
	c.s = calloc(c.ns + 1, sizeof(*c.s));
	size_t i = 0;
	json_object_foreach(elements, k, v) {
		if (!c.s || !node_of(k))
			continue;
		c.s[i].node = node_of(k);
		c.s[i].ok = calloc(c.nt + 1, sizeof(bool));
		c.s[i].how = calloc(c.nt + 1, 1);
		if (!c.s[i].ok || !c.s[i].how)
			r = -ENOMEM;
		i++;
	}
	if (!c.s || r < 0)
		r = nsnet_err(e, ENOMEM, "pingall");
	else
		r = pa_run(&c, e);
	if (r >= 0 && !(*ret = pingall_report(lab, &c)))
		r = nsnet_err(e, ENOMEM, "pingall report");
	if (r >= 0) {
		json_object_set_new(*ret, "arp", json_string(c.arp_all ? "all" : "ring"));
	}
	for (size_t s = 0; c.s && s < c.ns; s++) {
		free(c.s[s].ok);
		free(c.s[s].how);
	}
	free(c.s);
	free(c.t);
	json_decref(keep);
	json_decref(st);
	return r < 0 ? r : 0;
}

int nsnet_lab_pingall(const char *arg, json_t **ret, struct nsnet_error *e)
{
	return nsnet_lab_pingall_opts(arg, NULL, ret, e);
}
