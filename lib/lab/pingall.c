/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pingall: every node of a lab pings every address of every other node, natively.
 * One worker per source node sends all its echoes at once from inside its namespace
 * (lib/probe/: a raw ICMP and ICMPv6 socket) and collects the replies, resending the
 * missing ones (the first packet to a neighbour may wait for ARP/NDP). N nodes cost
 * N sockets and a second or two, not N² ping processes.
 */
#include <unistd.h>
#include "lab/lab.h"
#include "probe/probe.h"
#include "link/link.h"
#include "net/net.h"
#include "base/base.h"

#define TIMEOUT_MS 1500
#define RESEND_MS 400

struct target {
	const char *node;
	struct nsnet_prefix addr;
	char group[160];   /* the key of the network or link: shared groups make a pair required */
};

struct src {
	const char *node;
	bool *ok;          /* per target */
};

struct ctx {
	struct target *t;
	size_t nt;
	struct src *s;
	size_t ns;
	size_t first;   /* of the current wave */
};

static int ping_from(size_t w, void *p, struct nsnet_error *e)
{
	struct ctx *c = p;
	size_t i = c->first + w;
	struct src *s = &c->s[i];
	_cleanup_free_ struct probe_echo *v = calloc(c->nt + 1, sizeof(*v));
	if (!v)
		return nsnet_err(e, ENOMEM, "pingall");
	for (size_t k = 0; k < c->nt; k++) {
		v[k].dst = c->t[k].addr;
		v[k].skip = streq(c->t[k].node, s->node);
	}
	/* Root's raw sockets; the sequence number of each echo is its target's index. */
	struct probe_echo_opts o = { .timeout_ms = TIMEOUT_MS, .resend_ms = RESEND_MS, .raw = true,
				     .id = (uint16_t)(0x4e00 ^ (getpid() << 4) ^ i), .size = 16 };
	/* A missing node simply reaches nothing. */
	probe_echo_from(s->node, v, c->nt, &o, NULL);
	for (size_t k = 0; k < c->nt; k++)
		s->ok[k] = v[k].state == PROBE_REPLY;
	return 0;
}

/* Is key one of the lab's nodes (an element that is a namespace)? Its name if so. */
static const char *node_of(const char *key)
{
	const char *name;
	const struct lab_kind *kind = lab_kind_of(key, &name);
	return kind && kind->is_namespace ? name : NULL;
}

/* Targets: every address each element gives a node (the networks' members, the
 * links' ends), grouped by the element. */
static int collect(json_t *elements, json_t *keep, struct target **ret, size_t *ret_n)
{
	struct target *t = NULL;
	size_t n = 0;
	const char *k;
	json_t *v, *nodes = json_object();
	json_object_foreach(elements, k, v) if (node_of(k)) json_object_set_new(nodes, node_of(k), json_true());
	json_object_foreach(elements, k, v) {
		const char *name;
		const struct lab_kind *kind = lab_kind_of(k, &name);
		json_t *addrs = kind && kind->addresses ? kind->addresses(name, v, nodes) : NULL, *a;
		size_t i;
		json_array_foreach(addrs, i, a) {
			struct target *nt = realloc(t, (n + 1) * sizeof(*t));
			if (!nt)
				continue;
			t = nt;
			t[n].node = json_string_value(json_array_get(a, 0));
			snprintf(t[n].group, sizeof(t[n].group), "%s", k);
			if (nsnet_prefix_parse(json_string_value(json_array_get(a, 1)), true, &t[n].addr, NULL) == 0)
				n++;
		}
		/* The targets point into it: keep it until the end. */
		if (addrs)
			json_array_append_new(keep, addrs);
	}
	json_decref(nodes);
	*ret = t;
	*ret_n = n;
	return 0;
}

/* { node: { group: true } }: which networks and links each node is on. */
static json_t *groups_of(const struct target *t, size_t n)
{
	json_t *g = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *set = json_object_get(g, t[i].node);
		if (!set) {
			set = json_object();
			json_object_set_new(g, t[i].node, set);
		}
		json_object_set_new(set, t[i].group, json_true());
	}
	return g;
}

/* Ping from every source in waves small enough for the neighbour tables; the
 * entries a wave makes are removed before the next (many sources at once would
 * overflow the machine's budget). */
static int ping_waves(struct ctx *c, struct nsnet_error *e)
{
	/* Each source creates about two neighbour entries per target (its own and the
	 * target's reply entry); keep a wave within the machine's budget. */
	size_t wave = neigh_budget() / (2 * (c->nt ? c->nt : 1));
	if (wave < 1)
		wave = 1;
	struct neigh_guard *g = NULL;
	if (wave < c->ns) {
		const char **names = calloc(c->ns + 1, sizeof(*names));
		for (size_t j = 0; names && j < c->ns; j++)
			names[j] = c->s[j].node;
		if (names)
			neigh_guard_open(names, c->ns, &g, NULL);
		free(names);
	}
	int r = 0;
	for (c->first = 0; c->first < c->ns; c->first += wave) {
		size_t n = c->ns - c->first < wave ? c->ns - c->first : wave;
		r = run_parallel_threads(n, ping_from, c, 64, e);
		if (g)
			neigh_guard_restore(g);
	}
	neigh_guard_free(g);
	return r;
}

/* The report: every pair, whether it answered, and whether the lab requires it. */
static json_t *pingall_report(const char *lab, const struct ctx *c)
{
	json_t *pairs = json_array(), *groups = groups_of(c->t, c->nt);
	size_t failed = 0, failed_req = 0, total = 0;
	for (size_t s = 0; s < c->ns; s++) {
		for (size_t tt = 0; tt < c->nt; tt++) {
			if (streq(c->t[tt].node, c->s[s].node))
				continue;
			char buf[64];
			bool req = json_object_get(json_object_get(groups, c->s[s].node), c->t[tt].group) != NULL;
			total++;
			failed += !c->s[s].ok[tt];
			failed_req += req && !c->s[s].ok[tt];
			json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:b, s:b}", "src", c->s[s].node, "dst",
							       c->t[tt].node, "addr",
							       nsnet_prefix_str(&c->t[tt].addr, false, buf, sizeof(buf)),
							       "ok", c->s[s].ok[tt], "required", req));
		}
	}
	json_decref(groups);
	return json_pack("{s:s, s:i, s:i, s:i, s:o}", "lab", lab, "total", (int)total, "failed", (int)failed,
			 "failed_required", (int)failed_req, "pairs", pairs);
}

int nsnet_lab_pingall(const char *arg, json_t **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	json_t *st;
	int r = lab_open(arg, &lab, &st, e);
	if (r < 0)
		return r;
	json_t *elements = json_object_get(st, "elements");
	struct ctx c = { 0 };
	json_t *keep = json_array();
	collect(elements, keep, &c.t, &c.nt);
	const char *k;
	json_t *v;
	json_object_foreach(elements, k, v) c.ns += node_of(k) != NULL;
	c.s = calloc(c.ns + 1, sizeof(*c.s));
	size_t i = 0;
	json_object_foreach(elements, k, v) {
		if (!node_of(k))
			continue;
		c.s[i].node = node_of(k);
		c.s[i].ok = calloc(c.nt + 1, sizeof(bool));
		i++;
	}
	r = ping_waves(&c, e);
	*ret = pingall_report(lab, &c);
	for (size_t s = 0; s < c.ns; s++)
		free(c.s[s].ok);
	free(c.s);
	free(c.t);
	json_decref(keep);
	json_decref(st);
	return r < 0 ? r : 0;
}
