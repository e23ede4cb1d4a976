/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lab as a Graphviz graph (`nsnet graph`): networks are boxes labelled with
 * their subnets, bridge and NAT, nodes are ellipses (routers drawn double) with
 * their published ports and services, the host is a house joined to each network
 * it is the gateway of, and edges carry the interface names and addresses. Output
 * follows the file's order only, so the same lab in the same state always gives
 * the same text (diffable, testable).
 *
 * Edges are written so that dot ranks nodes above networks and networks above the
 * host (rank follows tail -> head): the tutorials' picture of namespaces plugged
 * into a bridge that sits on the host. A link between two nodes that are both on
 * networks does not constrain the ranks, so it is drawn across, not down.
 *
 * With a running lab's live state (struct topo_live), what is not as the file
 * says is drawn red, dashed when it is down or gone, with a word in its label
 * ("DOWN", "MISSING", "STOPPED"), an SVG class of the same word in lower case and
 * a tooltip; the title says whether the picture is live or the file's only.
 *
 * Graph ids are prefixed ("net/", "node/") because a network and a node may share
 * a name; every user string is written through dot_esc, since namespace names may
 * hold quotes and backslashes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <jansson.h>
#include "topology/topology.h"
#include "base/base.h"

/* What is being written: the stream, the live state (never NULL: an empty one
 * when the lab is not up) and how many faults were drawn, for the legend. */
struct dot {
	FILE *f;
	const struct topo_live *lv;
	size_t faults;
};

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

static const char *const state_word[] = {
	[TOPO_LIVE_OK] = "ok",
	[TOPO_LIVE_DOWN] = "down",
	[TOPO_LIVE_MISSING] = "missing",
	[TOPO_LIVE_STOPPED] = "stopped",
};

static const char *const state_label[] = {
	[TOPO_LIVE_OK] = "",
	[TOPO_LIVE_DOWN] = " DOWN",
	[TOPO_LIVE_MISSING] = " MISSING",
	[TOPO_LIVE_STOPPED] = " STOPPED",
};

/* The worse of two states (missing > down > stopped > ok). */
static enum topo_live_state worst(enum topo_live_state a, enum topo_live_state b)
{
	static const int rank[] = { [TOPO_LIVE_OK] = 0, [TOPO_LIVE_STOPPED] = 1, [TOPO_LIVE_DOWN] = 2,
				    [TOPO_LIVE_MISSING] = 3 };
	return rank[b] > rank[a] ? b : a;
}

/* The state of node's namespace (ifname NULL) or interface, OK when not live. */
static enum topo_live_state st_iface(const struct dot *d, const char *node, const char *ifname)
{
	return d->lv->state ? d->lv->state(node, ifname, d->lv->data) : TOPO_LIVE_OK;
}

/* A fault's attributes, after the others of an element: red, dashed when the thing
 * itself is down or gone (not for a stopped service or a lost firewall element; an
 * element with a style of its own passes it in style, so that dashed adds to it),
 * the state as an SVG class, and what is wrong as a tooltip. */
static void dot_fault(struct dot *d, enum topo_live_state s, bool dashed, const char *style, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void dot_fault(struct dot *d, enum topo_live_state s, bool dashed, const char *style, const char *fmt, ...)
{
	if (s == TOPO_LIVE_OK)
		return;
	char tip[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tip, sizeof(tip), fmt, ap);
	va_end(ap);
	d->faults++;
	fputs(", color=red, fontcolor=red", d->f);
	if (dashed && style)
		fprintf(d->f, ", style=\"%s,dashed\"", style);
	else if (dashed)
		fputs(", style=dashed", d->f);
	fprintf(d->f, ", class=\"%s\", tooltip=\"", state_word[s]);
	dot_esc(d->f, tip);
	fputc('"', d->f);
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

static void dot_net(struct dot *d, const struct topo_net *n)
{
	FILE *f = d->f;
	char br[16];
	if (n->bridge)
		snprintf(br, sizeof(br), "%s", n->bridge);
	else
		nsnet_net_default_bridge(n->name, br);
	enum topo_live_state s = d->lv->net ? d->lv->net(n->name, d->lv->data) : TOPO_LIVE_OK;
	enum topo_live_state nat = n->nat && d->lv->nat ? d->lv->nat(n->name, d->lv->data) : TOPO_LIVE_OK;
	fputc('\t', f);
	dot_id(f, "net/", n->name);
	fputs(" [shape=box, style=rounded, label=\"", f);
	dot_esc(f, n->name);
	for (size_t i = 0; i < n->n_subnets; i++) {
		fputs("\\n", f);
		dot_addr(f, &n->subnet[i], true);
	}
	fprintf(f, "\\nbridge %s%s%s%s\"", br, state_label[s], n->nat ? ", NAT" : "", state_label[nat]);
	if (s != TOPO_LIVE_OK)
		dot_fault(d, s, true, "rounded", "bridge %s is %s", br, state_word[s]);
	else
		dot_fault(d, nat, false, NULL, "NAT (masquerade) of %s is %s in nsnet's firewall (nsnet fw restore)", br,
			  state_word[nat]);
	fputs("];\n", f);
	/* The host is on every network: the gateway address is on the bridge. */
	fputc('\t', f);
	dot_id(f, "net/", n->name);
	fputs(" -- \"host\" [style=dashed, label=\"", f);
	fputs("gateway", f);
	for (size_t i = 0; i < n->n_subnets; i++) {
		fputs(i ? "\\n" : " ", f);
		if (n->gateway[i].family)
			dot_addr(f, &n->gateway[i], false);
		else
			fputs("(the first address)", f);
	}
	fputs("\"];\n", f);
}

static void dot_iface(struct dot *d, const struct topology *t, const struct topo_node *node, const struct topo_iface *x)
{
	FILE *f = d->f;
	const struct topo_net *net = topo_find_net(t, x->network);
	struct nsnet_prefix got[4];
	size_t n_got = 0;
	if (d->lv->addrs && (!net || x->n_ip < net->n_subnets))
		n_got = d->lv->addrs(node->name, x->network, got, ARRAY_SIZE(got), d->lv->data);
	const char *ifname = x->ifname ? x->ifname : "?";
	enum topo_live_state s = st_iface(d, node->name, ifname);
	fputc('\t', f);
	dot_id(f, "node/", node->name);
	fputs(" -- ", f);
	dot_id(f, "net/", x->network);
	fputs(" [label=\"", f);
	dot_esc(f, ifname);
	fputs(state_label[s], f);
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
	fputc('"', f);
	dot_fault(d, s, true, NULL, "%s of %s is %s", ifname, node->name, state_word[s]);
	fputs("];\n", f);
}

/* A node's services, one line each, and the worst of their states. */
static enum topo_live_state dot_services(struct dot *d, const struct topo_node *n)
{
	enum topo_live_state all = TOPO_LIVE_OK;
	const char *name;
	json_t *v;
	json_object_foreach(n->services, name, v) {
		enum topo_live_state s = d->lv->service ? d->lv->service(n->name, name, d->lv->data) : TOPO_LIVE_OK;
		fputs("\\nservice ", d->f);
		dot_esc(d->f, name);
		fputs(state_label[s], d->f);
		all = worst(all, s);
	}
	return all;
}

static enum topo_live_state dot_publish(struct dot *d, const struct topo_node *n)
{
	enum topo_live_state all = TOPO_LIVE_OK;
	for (size_t i = 0; i < n->n_publish; i++) {
		const struct topo_publish *p = &n->publish[i];
		fputs("\\npublish ", d->f);
		if (p->host_ip) {
			dot_esc(d->f, p->host_ip);
			fputc(':', d->f);
		}
		fprintf(d->f, "%u -> %u/%s", p->host_port, p->port, p->proto == IPPROTO_UDP ? "udp" : "tcp");
		enum topo_live_state s = d->lv->publish ? d->lv->publish(n->name, p, d->lv->data) : TOPO_LIVE_OK;
		fputs(state_label[s], d->f);
		all = worst(all, s);
	}
	return all;
}

static void dot_node(struct dot *d, const struct topology *t, const struct topo_node *n)
{
	FILE *f = d->f;
	enum topo_live_state ns = st_iface(d, n->name, NULL);
	fputc('\t', f);
	dot_id(f, "node/", n->name);
	fputs(n->forwarding ? " [shape=ellipse, peripheries=2, label=\"" : " [shape=ellipse, label=\"", f);
	dot_esc(f, n->name);
	if (ns != TOPO_LIVE_OK)
		fputs("\\nnamespace MISSING", f);
	if (n->forwarding)
		fputs("\\nforwarding", f);
	enum topo_live_state pub = dot_publish(d, n);
	enum topo_live_state svc = dot_services(d, n);
	fputc('"', f);
	/* The namespace's fault first: its services and ports go with it. */
	if (ns != TOPO_LIVE_OK)
		dot_fault(d, TOPO_LIVE_MISSING, true, NULL, "the namespace %s is missing (nsnet up makes it again)", n->name);
	else if (svc != TOPO_LIVE_OK)
		dot_fault(d, svc, false, NULL, "a service of %s is %s (nsnet logs shows its output)", n->name, state_word[svc]);
	else
		dot_fault(d, pub, false, NULL, "a published port of %s is %s in nsnet's firewall (nsnet fw restore)", n->name,
			  state_word[pub]);
	fputs("];\n", f);
	for (size_t i = 0; i < n->n_ifaces; i++)
		dot_iface(d, t, n, &n->ifaces[i]);
}

static bool on_a_network(const struct topology *t, const char *name)
{
	const struct topo_node *n = streq(name, NSNET_HOST) ? NULL : topo_find_node(t, name);
	return n && n->n_ifaces > 0;
}

static void dot_end(FILE *f, const struct topo_link *l, int j)
{
	if (streq(l->node[j], NSNET_HOST))
		fputs("\"host\"", f);
	else
		dot_id(f, "node/", l->node[j]);
}

static void dot_link(struct dot *d, const struct topology *t, const struct topo_link *l)
{
	FILE *f = d->f;
	/* The host's end last, so that the host stays below the nodes. */
	int a = streq(l->node[0], NSNET_HOST) ? 1 : 0, b = 1 - a;
	enum topo_live_state s[2];
	for (int j = 0; j < 2; j++)
		s[j] = st_iface(d, l->node[j], l->ifname[j] ? l->ifname[j] : "?");
	fputc('\t', f);
	dot_end(f, l, a);
	fputs(" -- ", f);
	dot_end(f, l, b);
	/* One label in the middle that says which end is whose: dot makes room for it,
	 * where head and tail labels of several links at one node would overlap. */
	fputs(" [label=\"", f);
	for (int j = 0; j < 2; j++) {
		int k = j ? b : a;
		fputs(j ? "\\n" : "", f);
		dot_esc(f, l->node[k]);
		fputs(": ", f);
		dot_esc(f, l->ifname[k] ? l->ifname[k] : "?");
		fputs(state_label[s[k]], f);
		if (l->ip[k].family) {
			fputc(' ', f);
			dot_addr(f, &l->ip[k], true);
		}
	}
	if (l->mtu)
		fprintf(f, "\\nmtu %u", l->mtu);
	fputc('"', f);
	/* Between two nodes that networks already rank, the link is drawn across. */
	if (on_a_network(t, l->node[0]) && on_a_network(t, l->node[1]))
		fputs(", constraint=false", f);
	enum topo_live_state w = worst(s[0], s[1]);
	int j = s[a] == w ? a : b;
	dot_fault(d, w, true, NULL, "%s of %s is %s", l->ifname[j] ? l->ifname[j] : "?", l->node[j], state_word[w]);
	fputs("];\n", f);
}

/* The title: the lab, and whether this is what runs or only what the file asks. */
static void dot_title(FILE *f, const char *name, const struct dot *d)
{
	fputs("\tgraph [label=\"lab ", f);
	dot_esc(f, name);
	if (d->lv->status) {
		fputs(": ", f);
		dot_esc(f, d->lv->status);
		fputs(" (live state)", f);
	} else {
		fputs(": the topology file only (the lab is not up)", f);
	}
	if (d->faults)
		fputs("\\nin red: what is not as the file says; dashed: down or missing (hover for details)", f);
	fputs("\", labelloc=t, fontname=\"Helvetica\", fontsize=16, nodesep=0.5, ranksep=0.9];\n", f);
}

char *topo_dot_live(const struct topology *t, const struct topo_live *lv)
{
	static const struct topo_live none = { 0 };
	_cleanup_free_ char *body = NULL;
	size_t len = 0;
	struct dot d = { open_memstream(&body, &len), lv ? lv : &none, 0 };
	if (!d.f)
		return NULL;
	if (host_used(t))
		fputs("\t\"host\" [shape=house, style=filled, fillcolor=lightgrey, label=\"host\"];\n", d.f);
	for (size_t i = 0; i < t->n_nets; i++)
		dot_net(&d, &t->nets[i]);
	for (size_t i = 0; i < t->n_nodes; i++)
		dot_node(&d, t, &t->nodes[i]);
	for (size_t i = 0; i < t->n_links; i++)
		dot_link(&d, t, &t->links[i]);
	bool bad = ferror(d.f);
	if (fclose(d.f) != 0 || bad)
		return NULL;

	/* The title last known (it has the legend when faults were drawn), first written. */
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const char *name = t->name ? t->name : "lab";
	fputs("graph \"", f);
	dot_esc(f, name);
	fputs("\" {\n", f);
	dot_title(f, name, &d);
	fputs("\tnode [fontname=\"Helvetica\"];\n\tedge [fontname=\"Helvetica\", fontsize=10];\n", f);
	fputs(body, f);
	fputs("}\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *topo_dot(const struct topology *t)
{
	return topo_dot_live(t, NULL);
}
