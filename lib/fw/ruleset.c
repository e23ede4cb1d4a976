/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The text of nsnet's nftables table. The rules never change after the table is
 * made: everything that varies (bridges, subnets, allowed pairs, published ports)
 * is an element of a set or map, so a change is one `add element`/`delete element`,
 * whose cost does not grow with the number of elements already there.
 */
#include <ctype.h>
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

/* Sets and maps, then chains. Why each rule is there: docs/firewall.md. */
static const char skeleton[] =
	"table inet nsnet {\n"
	/* every nsnet bridge; bridges of NAT networks */
	"	set bridges { type ifname; }\n"
	"	set nat_bridges { type ifname; }\n"
	/* input . output bridge pairs that may talk: each bridge with itself (bridged
	 * traffic, br_netfilter) and the pairs of networks allowed to each other */
	"	set pairs { type ifname . ifname; }\n"
	"	set nat4 { type ipv4_addr; flags interval; }\n"
	"	set nat6 { type ipv6_addr; flags interval; }\n"
	"	set subnets4 { type ipv4_addr; flags interval; }\n"
	/* published ports: on one host address, and on every host address */
	"	map pub4 { type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service; }\n"
	"	map pubany4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	/* route_localnet on a bridge lets 127.0.0.1 through it for the host's own
	 * connections to published ports: nothing else may use that from outside */
	"	chain guard {\n"
	"		type filter hook prerouting priority raw; policy accept;\n"
	"		iifname @bridges ip daddr 127.0.0.0/8 drop\n"
	"	}\n"
	"	chain prerouting {\n"
	"		type nat hook prerouting priority dstnat; policy accept;\n"
	"		fib daddr type local dnat ip to meta l4proto . ip daddr . th dport map @pub4\n"
	"		fib daddr type local dnat ip to meta l4proto . th dport map @pubany4\n"
	"	}\n"
	"	chain output {\n"
	"		type nat hook output priority -100; policy accept;\n"
	"		fib daddr type local dnat ip to meta l4proto . ip daddr . th dport map @pub4\n"
	"		fib daddr type local dnat ip to meta l4proto . th dport map @pubany4\n"
	"	}\n"
	"	chain forward {\n"
	"		type filter hook forward priority filter; policy accept;\n"
	"		ct state established,related accept\n"
	"		ct status dnat accept\n"
	"		iifname . oifname @pairs accept\n"
	"		iifname @bridges oifname @bridges drop\n"
	"		oifname @nat_bridges drop\n"
	"	}\n"
	"	chain postrouting {\n"
	"		type nat hook postrouting priority srcnat; policy accept;\n"
	"		oifname @bridges ip saddr 127.0.0.0/8 masquerade\n"
	"		oifname @bridges ct status dnat ip saddr @subnets4 masquerade\n"
	"		oifname != @bridges ip saddr @nat4 masquerade\n"
	"		oifname != @bridges ip6 saddr @nat6 masquerade\n"
	"	}\n"
	"}\n";

int fw_ifname_ok(const char *ifname, struct nsnet_error *e)
{
	/* Inside nft's double quotes only '"' ends the string; a trailing '*' would
	 * be a wildcard and '\\' an escape: refuse them rather than quote them. */
	for (const unsigned char *p = (const unsigned char *)ifname; *p; p++)
		if (*p == '"' || *p == '\\' || *p == '*' || !isgraph(*p))
			return nsnet_errx(e, EINVAL, "bridge name '%s' cannot be used in nftables rules (it contains '%c')",
					  ifname, isgraph(*p) ? *p : '?');
	return 0;
}

json_t *fw_skeleton_shape(void)
{
	json_t *out = json_object();
	const char *chain = NULL;
	size_t chain_len = 0;
	long rules = 0;
	/* One rule a line, each chain's first line its type: the skeleton's own layout. */
	for (const char *l = skeleton; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (strncmp(l, "\tchain ", 7) == 0) {
			chain = l + 7;
			chain_len = strcspn(chain, " ");
			rules = 0;
		} else if (chain && strncmp(l, "\t}", 2) == 0) {
			char name[64];
			xsnprintf(name, sizeof(name), "%.*s", (int)chain_len, chain);
			json_object_set_new(out, name, json_integer(rules));
			chain = NULL;
		} else if (chain && strncmp(l, "\t\ttype ", 7) != 0) {
			rules++;
		}
		l += len + (nl != NULL);
	}
	return out;
}

void fw_skeleton(struct nft_cmds *c)
{
	fprintf(c->f, "add table " FW_FAMILY " " FW_TABLE "\ndelete table " FW_FAMILY " " FW_TABLE "\n%s", skeleton);
	c->n++;
}

static void elem(struct nft_cmds *c, const char *op, const char *set, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void elem(struct nft_cmds *c, const char *op, const char *set, const char *fmt, ...)
{
	va_list ap;
	fprintf(c->f, "%s element " FW_FAMILY " " FW_TABLE " %s { ", op, set);
	va_start(ap, fmt);
	vfprintf(c->f, fmt, ap);
	va_end(ap);
	fputs(" }\n", c->f);
	c->n++;
}

/* A subnet's network address, as nft prints it (the state keeps it normalised). */
static const char *subnet_of(json_t *net, int family)
{
	json_t *s = net_subnet(net, family);
	return s ? jstr0(s, "cidr") : NULL;
}

void fw_elems_net(struct nft_cmds *c, const char *op, json_t *net)
{
	const char *br = jstr0(net, "bridge");
	elem(c, op, "bridges", "\"%s\"", br);
	elem(c, op, "pairs", "\"%s\" . \"%s\"", br, br);
	const char *s4 = subnet_of(net, AF_INET);
	if (s4)
		elem(c, op, "subnets4", "%s", s4);
}

void fw_elems_nat(struct nft_cmds *c, const char *op, json_t *net)
{
	elem(c, op, "nat_bridges", "\"%s\"", jstr0(net, "bridge"));
	const char *s4 = subnet_of(net, AF_INET), *s6 = subnet_of(net, AF_INET6);
	if (s4)
		elem(c, op, "nat4", "%s", s4);
	if (s6)
		elem(c, op, "nat6", "%s", s6);
}

void fw_elems_pair(struct nft_cmds *c, const char *op, const char *a, const char *b)
{
	elem(c, op, "pairs", "\"%s\" . \"%s\", \"%s\" . \"%s\"", a, b, b, a);
}

void fw_elems_publish(struct nft_cmds *c, const char *op, json_t *pub)
{
	const char *hip = json_string_value(json_object_get(pub, "host_ip"));
	long long hport = json_integer_value(json_object_get(pub, "host_port"));
	long long port = json_integer_value(json_object_get(pub, "port"));
	if (hip)
		elem(c, op, "pub4", "%s . %s . %lld : %s . %lld", jstr0(pub, "proto"), hip, hport, jstr0(pub, "ip"), port);
	else
		elem(c, op, "pubany4", "%s . %lld : %s . %lld", jstr0(pub, "proto"), hport, jstr0(pub, "ip"), port);
}

int fw_ruleset_full(struct nft_cmds *c, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	json_t *nets = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) == 0 && fw_ifname_ok(jstr0(net, "bridge"), NULL) == 0)
			json_object_set_new(nets, names[i], net);
	}
	nsnet_strv_free(names, n);
	if (json_object_size(nets) == 0) {
		/* Nothing of nsnet's left: no table at all. */
		fprintf(c->f, "add table " FW_FAMILY " " FW_TABLE "\ndelete table " FW_FAMILY " " FW_TABLE "\n");
		c->n++;
		json_decref(nets);
		return 0;
	}
	fw_skeleton(c);
	const char *name;
	json_t *net;
	json_object_foreach(nets, name, net) {
		fw_elems_net(c, "add", net);
		if (json_is_true(json_object_get(net, "nat")))
			fw_elems_nat(c, "add", net);
		size_t i;
		json_t *other;
		/* Each allowed pair once: from the side whose name sorts first. */
		json_array_foreach(json_object_get(net, "allow"), i, other) {
			json_t *o = json_object_get(nets, json_string_value(other));
			if (o && strcmp(name, json_string_value(other)) < 0)
				fw_elems_pair(c, "add", jstr0(net, "bridge"), jstr0(o, "bridge"));
		}
	}
	json_t *pubs;
	if ((r = publish_load_all(&pubs, e)) < 0) {
		json_decref(nets);
		return r;
	}
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		if (json_object_get(nets, jstr0(p, "net")))
			fw_elems_publish(c, "add", p);
	}
	json_decref(pubs);
	json_decref(nets);
	return 0;
}
