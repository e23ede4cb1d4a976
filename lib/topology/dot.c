/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lab as a Graphviz graph (`nsnet graph`): networks are boxes labelled with
 * their subnets, nodes are ellipses (routers drawn double), the host is a house
 * joined to each network it is the gateway of, and edges carry the interface
 * names and addresses. Output follows the file's order only, so the same lab
 * always gives the same text (diffable, testable).
 *
 * Graph ids are prefixed ("net/", "node/") because a network and a node may share
 * a name; every user string is written through dot_esc, since namespace names may
 * hold quotes and backslashes.
 */
#include <stdio.h>
#include <sys/socket.h>
#include "topology/topology.h"
#include "base/base.h"

static void dot_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void dot_id(FILE *f, const char *kind, const char *name)
{
	fputc('"', f);
	fputs(kind, f);
	dot_esc(f, name);
	fputc('"', f);
}

static void dot_addr(FILE *f, const struct nsnet_prefix *p, bool with_len)
{
	char buf[64];
	fputs(nsnet_prefix_str(p, with_len, buf, sizeof(buf)), f);
}

static bool host_used(const struct topology *t)
{
	if (t->n_nets)
		return true;
	for (size_t i = 0; i < t->n_links; i++)
		if (streq(t->links[i].node[0], NSNET_HOST) || streq(t->links[i].node[1], NSNET_HOST))
			return true;
	return false;
}

static void dot_net(FILE *f, const struct topo_net *n)
{
	char br[16];
	if (n->bridge)
		snprintf(br, sizeof(br), "%s", n->bridge);
	else
		nsnet_net_default_bridge(n->name, br);
	fputc('\t', f);
	dot_id(f, "net/", n->name);
	fputs(" [shape=box, style=rounded, label=\"", f);
	dot_esc(f, n->name);
	for (size_t i = 0; i < n->n_subnets; i++) {
		fputs("\\n", f);
		dot_addr(f, &n->subnet[i], true);
	}
	fprintf(f, "\\nbridge %s%s\"];\n", br, n->nat ? ", NAT" : "");
	/* The host is on every network: the gateway address is on the bridge. */
	fputs("\t\"host\" -- ", f);
	dot_id(f, "net/", n->name);
	fputs(" [style=dashed, label=\"", f);
	for (size_t i = 0; i < n->n_subnets; i++) {
		if (i)
			fputs("\\n", f);
		if (n->gateway[i].family)
			dot_addr(f, &n->gateway[i], false);
		else
			fputs("gateway", f);
	}
	fputs("\"];\n", f);
}

struct live {
	topo_addrs_fn fn;
	void *data;
};

static void dot_iface(FILE *f, const struct topology *t, const struct topo_node *node, const struct topo_iface *x,
		      const struct live *lv)
{
	const struct topo_net *net = topo_find_net(t, x->network);
	struct nsnet_prefix got[4];
	size_t n_got = 0;
	if (lv->fn && (!net || x->n_ip < net->n_subnets))
		n_got = lv->fn(node->name, x->network, got, ARRAY_SIZE(got), lv->data);
	fputc('\t', f);
	dot_id(f, "node/", node->name);
	fputs(" -- ", f);
	dot_id(f, "net/", x->network);
	fputs(" [label=\"", f);
	dot_esc(f, x->ifname ? x->ifname : "?");
	/* Running: what the interface really got, the pool's choice included. */
	for (size_t i = 0; i < n_got; i++) {
		fputs("\\n", f);
		dot_addr(f, &got[i], false);
	}
	for (size_t i = 0; !n_got && i < x->n_ip; i++) {
		fputs("\\n", f);
		dot_addr(f, &x->ip[i], false);
	}
	if (!n_got && (!net || x->n_ip < net->n_subnets))
		fputs("\\n(from the pool)", f);
	fputs("\"];\n", f);
}

static void dot_node(FILE *f, const struct topology *t, const struct topo_node *n, const struct live *lv)
{
	fputc('\t', f);
	dot_id(f, "node/", n->name);
	fputs(n->forwarding ? " [shape=ellipse, peripheries=2, label=\"" : " [shape=ellipse, label=\"", f);
	dot_esc(f, n->name);
	if (n->forwarding)
		fputs("\\nforwarding", f);
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct topo_publish *p = &n->publish[i];
		fputs("\\npublish ", f);
		if (p->host_ip) {
			dot_esc(f, p->host_ip);
			fputc(':', f);
		}
		fprintf(f, "%u -> %u/%s", p->host_port, p->port, p->proto == IPPROTO_UDP ? "udp" : "tcp");
	}
	fputs("\"];\n", f);
	for (size_t i = 0; i < n->n_ifaces; i++)
		dot_iface(f, t, n, &n->ifaces[i], lv);
}

static void dot_end(FILE *f, const struct topo_link *l, int j)
{
	if (streq(l->node[j], NSNET_HOST))
		fputs("\"host\"", f);
	else
		dot_id(f, "node/", l->node[j]);
}

static void dot_end_label(FILE *f, const struct topo_link *l, int j)
{
	dot_esc(f, l->ifname[j] ? l->ifname[j] : "?");
	if (l->ip[j].family) {
		fputs("\\n", f);
		dot_addr(f, &l->ip[j], true);
	}
}

static void dot_link(FILE *f, const struct topo_link *l)
{
	fputc('\t', f);
	dot_end(f, l, 0);
	fputs(" -- ", f);
	dot_end(f, l, 1);
	fputs(" [taillabel=\"", f);
	dot_end_label(f, l, 0);
	fputs("\", headlabel=\"", f);
	dot_end_label(f, l, 1);
	fputs("\"", f);
	if (l->mtu)
		fprintf(f, ", label=\"mtu %u\"", l->mtu);
	fputs("];\n", f);
}

char *topo_dot_live(const struct topology *t, topo_addrs_fn fn, void *data)
{
	const struct live lv = { fn, data };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const char *name = t->name ? t->name : "lab";
	fputs("graph \"", f);
	dot_esc(f, name);
	fputs("\" {\n\tgraph [label=\"lab ", f);
	dot_esc(f, name);
	fputs("\", labelloc=t, fontname=\"Helvetica\"];\n", f);
	fputs("\tnode [fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\", fontsize=10];\n", f);
	if (host_used(t))
		fputs("\t\"host\" [shape=house, style=filled, fillcolor=lightgrey, label=\"host\"];\n", f);
	for (size_t i = 0; i < t->n_nets; i++)
		dot_net(f, &t->nets[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		dot_node(f, t, &t->nodes[i], &lv);
	for (size_t i = 0; i < t->n_links; i++)
		dot_link(f, &t->links[i]);
	fputs("}\n", f);
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *topo_dot(const struct topology *t)
{
	return topo_dot_live(t, NULL, NULL);
}
