/* Unit tests for lab topology files (lib/topology_*.c): the issue's file parses to
 * the right model, every refusal points at the right line:col with the right
 * message, the embedded default and every examples/ file parse, and topo_dot
 * draws what it should. No root needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "topology/topology.h"
#include "unit.h"

/* The file of issue 5, byte for byte: it must work as written. */
static const char tutorial[] =
	"name: tutorial\n"
	"networks:\n"
	"  v-net-0:\n"
	"    subnet: 192.168.15.0/24\n"
	"    gateway: 192.168.15.5\n"
	"    nat: true\n"
	"  backend:\n"
	"    subnet: 10.20.0.0/24\n"
	"nodes:\n"
	"  red:\n"
	"    interfaces:\n"
	"      - network: v-net-0\n"
	"        ip: 192.168.15.1\n"
	"    routes:\n"
	"      - to: 10.20.0.0/24\n"
	"        via: 192.168.15.254\n"
	"  blue:\n"
	"    interfaces:\n"
	"      - network: v-net-0\n"
	"    publish:\n"
	"      - host_port: 8080\n"
	"        port: 80\n"
	"  router:\n"
	"    forwarding: true\n"
	"    interfaces:\n"
	"      - network: v-net-0\n"
	"        ip: 192.168.15.254\n"
	"      - network: backend\n"
	"        ip: 10.20.0.254\n"
	"  db:\n"
	"    interfaces:\n"
	"      - network: backend\n"
	"    routes:\n"
	"      - to: 192.168.15.0/24\n"
	"        via: 10.20.0.254\n"
	"links:\n"
	"  - endpoints: [red:veth-red, blue:veth-blue]\n"
	"    ips: [10.0.0.1/24, 10.0.0.2/24]\n"
	"  - endpoints: [host:pair-host, db:pair-db]\n"
	"    ips: [10.30.0.1/30, 10.30.0.2/30]\n";

static const char *S(const struct nsnet_prefix *p, bool len)
{
	static char buf[8][64];
	static int i;
	i = (i + 1) % 8;
	return nsnet_prefix_str(p, len, buf[i], sizeof(buf[i]));
}

static struct topology *parse(const char *text)
{
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	if (topo_parse_string(text, strlen(text), "lab.yaml", &t, &e) < 0) {
		fprintf(stderr, "  unexpected refusal: %s\n", e.msg);
		unit_fail++;
		return NULL;
	}
	return t;
}

/* Refused with EINVAL and exactly this message. */
static void bad(const char *text, const char *want)
{
	struct topology *t = (struct topology *)1;
	struct nsnet_error e = { 0 };
	int r = topo_parse_string(text, strlen(text), "lab.yaml", &t, &e);
	CHECK(r == -EINVAL && e.code == EINVAL);
	CHECK(t == (struct topology *)1);   /* no output on failure */
	if (r == 0)
		topo_free(t);
	CHECK_STR(e.msg, want);
}

static void test_tutorial_model(void)
{
	struct topology *t = parse(tutorial);
	if (!t)
		return;
	CHECK_STR(t->name, "tutorial");
	CHECK_STR(t->file, "lab.yaml");
	CHECK(t->n_nets == 2 && t->n_nodes == 4 && t->n_links == 2);

	const struct topo_net *v = topo_find_net(t, "v-net-0"), *b = topo_find_net(t, "backend");
	CHECK(v == &t->nets[0] && b == &t->nets[1]);
	CHECK(v->n_subnets == 1 && v->nat && !v->bridge && v->mtu == 0);
	CHECK_STR(S(&v->subnet[0], true), "192.168.15.0/24");
	CHECK_STR(S(&v->gateway[0], true), "192.168.15.5/24");
	CHECK(v->pos.line == 3 && v->pos.col == 3);
	/* No gateway written: the first usable address, filled in. */
	CHECK(!b->nat && b->n_subnets == 1);
	CHECK_STR(S(&b->gateway[0], false), "10.20.0.1");

	const struct topo_node *red = topo_find_node(t, "red");
	CHECK(red == &t->nodes[0] && red->pos.line == 10 && red->pos.col == 3);
	CHECK(red->n_ifaces == 1 && red->n_routes == 1 && !red->forwarding && red->n_publish == 0);
	CHECK_STR(red->ifaces[0].network, "v-net-0");
	CHECK_STR(red->ifaces[0].ifname, "eth0");
	CHECK(red->ifaces[0].n_ip == 1);
	CHECK_STR(S(&red->ifaces[0].ip[0], true), "192.168.15.1/24");
	CHECK(red->ifaces[0].pos.line == 12 && red->ifaces[0].pos.col == 9);
	CHECK_STR(S(&red->routes[0].to, true), "10.20.0.0/24");
	CHECK_STR(S(&red->routes[0].via, false), "192.168.15.254");
	CHECK(!red->routes[0].dev && red->routes[0].pos.line == 15);

	const struct topo_node *blue = topo_find_node(t, "blue");
	CHECK(blue && blue->n_ifaces == 1 && blue->ifaces[0].n_ip == 0);
	CHECK_STR(blue->ifaces[0].ifname, "eth0");
	CHECK(blue->n_publish == 1);
	CHECK(blue->publish[0].host_port == 8080 && blue->publish[0].port == 80);
	CHECK(blue->publish[0].proto == IPPROTO_TCP && !blue->publish[0].host_ip);

	const struct topo_node *router = topo_find_node(t, "router");
	CHECK(router && router->forwarding && router->n_ifaces == 2);
	CHECK_STR(router->ifaces[0].ifname, "eth0");
	CHECK_STR(router->ifaces[1].ifname, "eth1");
	CHECK_STR(router->ifaces[1].network, "backend");
	CHECK_STR(S(&router->ifaces[1].ip[0], true), "10.20.0.254/24");

	const struct topo_node *db = topo_find_node(t, "db");
	CHECK(db && db->n_routes == 1 && db->ifaces[0].n_ip == 0);
	CHECK_STR(S(&db->routes[0].via, false), "10.20.0.254");

	const struct topo_link *l = &t->links[0];
	CHECK_STR(l->node[0], "red");
	CHECK_STR(l->ifname[0], "veth-red");
	CHECK_STR(l->node[1], "blue");
	CHECK_STR(l->ifname[1], "veth-blue");
	CHECK_STR(S(&l->ip[0], true), "10.0.0.1/24");
	CHECK_STR(S(&l->ip[1], true), "10.0.0.2/24");
	CHECK(l->mtu == 0 && l->pos.line == 37 && l->pos.col == 5);
	l = &t->links[1];
	CHECK_STR(l->node[0], "host");
	CHECK_STR(l->ifname[0], "pair-host");
	CHECK_STR(l->node[1], "db");
	CHECK_STR(S(&l->ip[1], true), "10.30.0.2/30");

	CHECK(!topo_find_node(t, "host") && !topo_find_node(t, "nope") && !topo_find_net(t, "red"));
	topo_free(t);
}

/* The error the issue shows, on the issue's own file with one typo. */
static void test_issue_error(void)
{
	char text[sizeof(tutorial)];
	memcpy(text, tutorial, sizeof(text));
	char *p = strstr(text, "      - network: v-net-0\n        ip: 192.168.15.1");
	CHECK(p != NULL);
	if (p)
		p[strlen("      - network: v-net-")] = '1';
	bad(text, "lab.yaml:12:9: unknown network 'v-net-1'; did you mean 'v-net-0'?");
}

static void test_structure_errors(void)
{
	bad("nme: x\n", "lab.yaml:1:1: unknown key 'nme' in the lab file; did you mean 'name'?");
	bad("name: x\nfoo: 1\n", "lab.yaml:2:1: unknown key 'foo' in the lab file (known: name, networks, nodes, links)");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, subnets: x}\n",
	    "lab.yaml:2:29: unknown key 'subnets' in network 'n1'; did you mean 'subnet'?");
	bad("a: [1, 2\n", "lab.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence (line 1)");
	bad("name: a\n---\nname: b\n", "lab.yaml:3:1: a lab file holds one YAML document; this is a second one");
	bad("", "lab.yaml: the file is empty (see docs/lab-format.md)");
	bad("# only a comment\n", "lab.yaml: the file is empty (see docs/lab-format.md)");
	bad("- a\n- b\n", "lab.yaml:1:1: the lab file must be a mapping (key: value), not a list");
	bad("name: \"a\\0b\"\n", "lab.yaml:1:7: name contains a NUL byte");
	bad("name: [a]\n", "lab.yaml:1:1: name must be a single value, not a list");
	bad("name:\n", "lab.yaml:1:1: name needs a value");
	bad("name: bad/name\n", "lab.yaml:1:1: lab name: invalid network name 'bad/name': only letters, digits, '_', '.' and '-'");
	bad("networks: [a]\n", "lab.yaml:1:11: networks must be a mapping (key: value), not a list");
	bad("nodes:\n  red:\n    interfaces: eth0\n", "lab.yaml:3:5: interfaces must be a list, not a scalar");
	bad("nodes:\n  red:\n    forwarding: maybe\n", "lab.yaml:3:5: forwarding must be true or false, not 'maybe'");
	bad("nodes:\n  red:\n    forwarding: \"true\"\n", "lab.yaml:3:5: forwarding must be true or false, not 'true'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, mtu: 9x}\n", "lab.yaml:2:29: mtu must be a number 68..65535, not '9x'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, mtu: 67}\n", "lab.yaml:2:29: mtu must be 68..65535, not 67");
	bad("networks:\n  n1: {subnet: fd00::/64, mtu: 1279}\n", "lab.yaml:2:27: mtu must be 1280..65535, not 1279");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, nat: [true]}\n", "lab.yaml:2:29: nat must be a single value, not a list");
	bad("links:\n  a: b\n", "lab.yaml:1:1: links must be a list, not a mapping");
	/* A recursive alias and a "billion laughs" alias bomb are refused. */
	bad("a: &a [*a]\n", "lab.yaml:1:4: recursive alias: this node contains itself");
	bad("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
	    "lab.yaml:6:4: the document is too large once its aliases are expanded (more than 1000000 nodes)");
}

static void test_name_errors(void)
{
	bad("networks:\n  n1: {subnet: 10.0.0.0/24}\n  n1: {subnet: 10.1.0.0/24}\n",
	    "lab.yaml:3:3: 'n1' appears twice in networks (first at line 2)");
	bad("nodes:\n  red: {}\n  blue: {}\n  red: {}\n", "lab.yaml:4:3: 'red' appears twice in nodes (first at line 2)");
	bad("nodes:\n  red:\n    forwarding: true\n    forwarding: false\n",
	    "lab.yaml:4:5: 'forwarding' appears twice in node 'red' (first at line 3)");
	bad("nodes:\n  host: {}\n",
	    "lab.yaml:2:3: 'host' is the host's own namespace, not a node; use it as a link endpoint (host:IFNAME)");
	bad("nodes:\n  \"a/b\": {}\n", "lab.yaml:2:3: invalid namespace name 'a/b': must not contain '/'");
	bad("nodes:\n  [a]: {}\n", "lab.yaml:2:3: the keys of nodes must be names, not a list");
	bad("networks:\n  \"bad name\": {subnet: 10.0.0.0/24}\n",
	    "lab.yaml:2:3: invalid network name '(not shown)': only letters, digits, '_', '.' and '-'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24}\nnodes:\n  red:\n    interfaces:\n      - {network: n1, ifname: a-very-long-ifname}\n",
	    "lab.yaml:6:23: invalid interface name 'a-very-long-ifname': longer than 15 bytes");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24}\nnodes:\n  red:\n    interfaces:\n      - {network: n1, ifname: lo}\n",
	    "lab.yaml:6:23: interface name 'lo' is the namespace's loopback");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, bridge: \"br 0\"}\n",
	    "lab.yaml:2:29: bridge: invalid interface name '(not shown)': must not contain '/', ':', whitespace or control characters");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, bridge: br0}\n  n2: {subnet: 10.1.0.0/24, bridge: br0}\n",
	    "lab.yaml:3:29: bridge 'br0' is also the bridge of network 'n1' (line 2)");
	bad("networks:\n  br0: {subnet: 10.0.0.0/24}\n  n2: {subnet: 10.1.0.0/24, bridge: br0}\n",
	    "lab.yaml:3:29: bridge 'br0' is also the bridge of network 'br0' (line 2)");
}

static void test_network_errors(void)
{
	bad("networks:\n  n1: {}\n", "lab.yaml:2:3: network 'n1' needs a subnet (e.g. 'subnet: 10.0.0.0/24')");
	bad("networks:\n  n1:\n", "lab.yaml:2:3: network 'n1' needs a subnet (e.g. 'subnet: 10.0.0.0/24')");
	bad("networks:\n  n1: {subnet: 10.0.0.1/24}\n",
	    "lab.yaml:2:16: subnet 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?");
	bad("networks:\n  n1: {subnet: 10.0.0.0}\n",
	    "lab.yaml:2:16: subnet: invalid CIDR '10.0.0.0': prefix length missing (e.g. '10.0.0.0/24')");
	bad("networks:\n  n1: {subnet: 10.0.0.0/31}\n", "lab.yaml:2:16: subnet 10.0.0.0/31: the prefix length must be 8..30");
	bad("networks:\n  n1: {subnet: 10.0.0.0/7}\n", "lab.yaml:2:16: subnet 10.0.0.0/7: the prefix length must be 8..30");
	bad("networks:\n  n1: {subnet: fd00::/127}\n", "lab.yaml:2:16: subnet fd00::/127: the prefix length must be 48..126");
	bad("networks:\n  n1: {subnet: [10.0.0.0/24, 10.1.0.0/24]}\n",
	    "lab.yaml:2:30: a network has at most one IPv4 and one IPv6 subnet");
	bad("networks:\n  n1: {subnet: [10.0.0.0/24, fd00::/64, 10.1.0.0/24]}\n",
	    "lab.yaml:2:16: subnet takes 1 to 2 values, not 3");
	bad("networks:\n  n1: {subnet: 10.0.0.0/16}\n  n2: {subnet: 10.0.5.0/24}\n",
	    "lab.yaml:3:16: subnet 10.0.5.0/24 overlaps 10.0.0.0/16 of network 'n1' (line 2)");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, gateway: 10.0.1.1}\n",
	    "lab.yaml:2:38: gateway 10.0.1.1 is outside network 'n1' (10.0.0.0/24)");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, gateway: 10.0.0.255}\n",
	    "lab.yaml:2:38: gateway 10.0.0.255 is the broadcast address of 10.0.0.0/24");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, gateway: 10.0.0.0}\n",
	    "lab.yaml:2:38: gateway 10.0.0.0 is the network address of 10.0.0.0/24");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, gateway: fd00::1}\n",
	    "lab.yaml:2:38: gateway fd00::1 is IPv6 but network 'n1' has no IPv6 subnet");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, gateway: [10.0.0.2, 10.0.0.3]}\n",
	    "lab.yaml:2:49: a second IPv4 gateway for network 'n1'");

	bad("networks:\n  n1: {subnet: 10.0.0.0/24, names: maybe}\n", "lab.yaml:2:29: names must be true or false, not 'maybe'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, names: \"true\"}\n", "lab.yaml:2:29: names must be true or false, not 'true'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, name: true}\n",
	    "lab.yaml:2:29: unknown key 'name' in network 'n1'; did you mean 'names'?");

	struct topology *t = parse("networks:\n  n1:\n    subnet: [10.0.0.0/24, fd00:1::/64]\n"
				   "    gateway: [fd00:1::9, 10.0.0.9/24]\n    nat: yes\n    mtu: 1400\n    bridge: brx\n"
				   "  n2: {subnet: 10.2.0.0/24, names: false}\n  n3: {subnet: 10.3.0.0/24, names: on}\n");
	if (t) {
		/* names: absent is AUTO (by the network's size), else what the file says. */
		CHECK(t->nets[0].names == NSNET_NAMES_AUTO && t->nets[1].names == NSNET_NAMES_OFF &&
		      t->nets[2].names == NSNET_NAMES_ON);
		CHECK(t->nets[0].n_subnets == 2 && t->nets[0].nat && t->nets[0].mtu == 1400);
		CHECK_STR(t->nets[0].bridge, "brx");
		/* Gateways line up with the subnet of their family, whatever order they're written in. */
		CHECK_STR(S(&t->nets[0].gateway[0], true), "10.0.0.9/24");
		CHECK_STR(S(&t->nets[0].gateway[1], true), "fd00:1::9/64");
		topo_free(t);
	}
}

static void test_iface_errors(void)
{
	const char *head = "networks:\n  n1: {subnet: 10.0.0.0/24}\n  n2: {subnet: 10.1.0.0/24}\nnodes:\n  red:\n    interfaces:\n";
	char buf[1024];
#define IF(tail) (snprintf(buf, sizeof(buf), "%s%s", head, tail), buf)
	bad(IF("      - network: n1\n        ip: 10.0.1.1\n"), "lab.yaml:8:13: ip 10.0.1.1 is outside network 'n1' (10.0.0.0/24)");
	bad(IF("      - network: n1\n        ip: 10.0.0.7/16\n"),
	    "lab.yaml:8:13: ip 10.0.0.7/16: the length must be the subnet's (/24, from 10.0.0.0/24), or left out");
	bad(IF("      - network: n1\n        ip: 10.0.0.255\n"), "lab.yaml:8:13: ip 10.0.0.255 is the broadcast address of 10.0.0.0/24");
	bad(IF("      - network: n1\n        ip: 10.0.0.1\n"),
	    "lab.yaml:8:13: address 10.0.0.1 is already used by the gateway of network 'n1' (line 2)");
	bad(IF("      - network: n1\n        ip: 10.0.0.x\n"),
	    "lab.yaml:8:13: ip: invalid CIDR '10.0.0.x': '10.0.0.x' is not a valid IPv4 address");
	bad(IF("      - network: n1\n        ip: [10.0.0.2, 10.0.0.3]\n"),
	    "lab.yaml:8:24: at most one IPv4 and one IPv6 address per interface");
	bad(IF("      - network: n1\n      - network: n1\n"),
	    "lab.yaml:8:9: node 'red' is already on network 'n1' (line 7); one interface per network");
	bad(IF("      - {network: n1, ifname: x}\n      - {network: n2, ifname: x}\n"),
	    "lab.yaml:8:23: node 'red' already has an interface 'x' (line 7)");
	bad(IF("      - ip: 10.0.0.2\n"), "lab.yaml:7:9: an interface needs 'network:' (one of the lab's networks)");
	bad(IF("      - network: n1\n        adress: 10.0.0.2\n"),
	    "lab.yaml:8:9: unknown key 'adress' in an interface (known: network, ip, ifname, impair)");
	bad(IF("      - network: nope\n"), "lab.yaml:7:9: unknown network 'nope'");
	bad(IF("      - n3\n"), "lab.yaml:7:9: unknown network 'n3'; did you mean 'n1'?");
	/* Static addresses must differ across the whole lab. */
	bad(IF("      - {network: n1, ip: 10.0.0.9}\n  blue:\n    interfaces:\n      - {network: n1, ip: 10.0.0.9}\n"),
	    "lab.yaml:10:27: address 10.0.0.9 is already used by node 'red' (line 7)");
	/* The pool of a /30 holds one interface besides the gateway. */
	bad("networks:\n  n1: {subnet: 10.0.0.0/30}\nnodes:\n  a: {interfaces: [n1]}\n  b: {interfaces: [n1]}\n",
	    "lab.yaml:5:20: network 'n1' is full: 10.0.0.0/30 has room for 1 interface besides the gateway");
#undef IF
}

static void test_link_errors(void)
{
	const char *nodes = "nodes:\n  red: {}\n  blue: {}\nlinks:\n";
	char buf[1024];
#define LK(tail) (snprintf(buf, sizeof(buf), "%s%s", nodes, tail), buf)
	bad(LK("  - endpoints: [red:a, bleu:b]\n"), "lab.yaml:5:24: unknown node 'bleu' in link endpoint; did you mean 'blue'?");
	bad(LK("  - endpoints: [red:a, zzz:b]\n"),
	    "lab.yaml:5:24: unknown node 'zzz' in link endpoint (nodes are declared under 'nodes:'; 'host' is the host)");
	bad(LK("  - endpoints: [\"red:\", blue:b]\n"),
	    "lab.yaml:5:17: link endpoint 'red:': the interface name is missing after ':'");
	bad(LK("  - endpoints: [\":a\", blue:b]\n"), "lab.yaml:5:17: link endpoint ':a': the node is missing (write NODE:IFNAME)");
	bad(LK("  - endpoints: [red:a]\n"), "lab.yaml:5:5: endpoints: a link has exactly two ends, [NODE:IFNAME, NODE:IFNAME]");
	bad(LK("  - endpoints: [red:a, red:b]\n"), "lab.yaml:5:24: both ends of the link are on 'red'; a link joins two different nodes");
	bad(LK("  - endpoints: [red:a/b, blue:b]\n"),
	    "lab.yaml:5:17: link endpoint 'red:a/b': invalid interface name 'a/b': must not contain '/', ':', whitespace or control characters");
	bad(LK("  - ips: [10.0.0.1/24, 10.0.0.2/24]\n"), "lab.yaml:5:5: a link needs 'endpoints: [NODE:IFNAME, NODE:IFNAME]'");
	bad(LK("  - endpoints: [red:a, blue:b]\n  - endpoints: [red:a, blue:c]\n"),
	    "lab.yaml:6:17: node 'red' already has an interface 'a' (link at line 5)");
	bad(LK("  - endpoints: [host:x, red:a]\n  - endpoints: [blue:b, host:x]\n"),
	    "lab.yaml:6:25: the host already has an interface 'x' (link at line 5)");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, fd00::2/64]\n"),
	    "lab.yaml:6:24: ips: the two ends' addresses are of different families");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, 10.0.0.1/24]\n"), "lab.yaml:6:24: ips: both ends have the same address");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, 10.0.1.2/24]\n"),
	    "lab.yaml:6:24: ips: 10.0.0.1/24 and 10.0.1.2/24 are not in one subnet, so the ends could not reach each other");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1, 10.0.0.2]\n"),
	    "lab.yaml:6:11: ips: invalid CIDR '10.0.0.1': prefix length missing (e.g. '10.0.0.1/24')");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.0/24, 10.0.0.2/24]\n"),
	    "lab.yaml:6:11: 10.0.0.0/24 is the network address of its subnet");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, 10.0.0.2/24, 10.0.0.3/24]\n"),
	    "lab.yaml:6:10: ips takes 1 to 2 values, not 3");
	bad(LK("  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, 10.0.0.2/24]\n"
	       "  - endpoints: [red:c, blue:d]\n    ips: [10.0.0.3/24, 10.0.0.2/24]\n"),
	    "lab.yaml:8:24: address 10.0.0.2 is already used by link end blue:b (line 6)");
	bad(LK("  - endpoints: [red:a, blue:b]\n    mtu: 0\n"), "lab.yaml:6:5: mtu must be 68..65535, not 0");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24, bridge: br0}\nnodes:\n  a: {}\nlinks:\n  - endpoints: [host:br0, a:x]\n",
	    "lab.yaml:6:17: host interface 'br0' is the bridge of network 'n1' (line 2)");
	bad("networks:\n  n1: {subnet: 10.0.0.0/24}\nnodes:\n  a: {}\nlinks:\n  - endpoints: [host:x, a:x]\n"
	    "    ips: [10.0.0.1/24, 10.0.0.2/24]\n",
	    "lab.yaml:7:11: address 10.0.0.1 is already used by the gateway of network 'n1' (line 2)");
#undef LK
}

static void test_route_errors(void)
{
	const char *tail = "  blue: {}\nlinks:\n  - endpoints: [red:a, blue:b]\n    ips: [10.0.0.1/24, 10.0.0.2/24]\n";
	char buf[1024];
#define RT(routes) (snprintf(buf, sizeof(buf), "nodes:\n  red:\n    routes:\n%s%s", routes, tail), buf)
	bad(RT("      - {to: 10.1.0.0/24, via: fd00::1}\n"), "lab.yaml:4:27: via fd00::1 is IPv6 but the destination 10.1.0.0/24 is IPv4");
	bad(RT("      - {to: 10.1.0.0/33, via: 10.0.0.2}\n"),
	    "lab.yaml:4:10: to: invalid CIDR '10.1.0.0/33': prefix length must be 0..32");
	bad(RT("      - {to: 10.1.0.1/24, via: 10.0.0.2}\n"),
	    "lab.yaml:4:10: route to 10.1.0.1/24 has host bits set; did you mean 10.1.0.0/24?");
	bad(RT("      - {to: 10.1.0.0/24, via: 10.9.0.2}\n"), "lab.yaml:4:27: via 10.9.0.2 is not in a subnet of node 'red'");
	bad(RT("      - {to: 10.1.0.0/24, via: 10.0.0.2/24}\n"),
	    "lab.yaml:4:27: via: invalid address '10.0.0.2/24': a bare address is expected, without '/length'");
	bad(RT("      - {to: 10.1.0.0/24, dev: eth3}\n"), "lab.yaml:4:27: node 'red' has no interface 'eth3'");
	bad(RT("      - {to: 10.1.0.0/24}\n"), "lab.yaml:4:9: a route needs 'via:' (a gateway) or 'dev:' (an interface)");
	bad(RT("      - {via: 10.0.0.2}\n"), "lab.yaml:4:9: a route needs 'to:' (a CIDR or 'default')");
	bad(RT("      - {to: fd00:9::/64, via: fe80::1}\n"), "lab.yaml:4:27: via fe80::1 is link-local: say which interface with 'dev:'");
	bad(RT("      - {to: default, via: 10.0.0.2}\n      - {to: 0.0.0.0/0, dev: a}\n"),
	    "lab.yaml:5:9: node 'red' already has a route to default (line 4)");
	bad(RT("      - {to: 10.1.0.0/24, gw: 10.0.0.2}\n"),
	    "lab.yaml:4:27: unknown key 'gw' in a route (known: to, via, dev)");
	bad(RT("      - {to: 10.1.0.0/24, veia: 10.0.0.2}\n"),
	    "lab.yaml:4:27: unknown key 'veia' in a route; did you mean 'via'?");

	struct topology *t = parse(RT("      - {to: default, via: 10.0.0.2}\n      - {to: 10.5.0.0/16, dev: a}\n"
				      "      - {to: 10.6.0.0/16, via: 10.0.0.2, dev: a}\n      - {to: 10.7.0.9, dev: a}\n"));
	if (t) {
		const struct topo_node *red = &t->nodes[0];
		CHECK(red->n_routes == 4);
		CHECK(red->routes[0].to.family == AF_INET && red->routes[0].to.len == 0);
		CHECK_STR(S(&red->routes[0].via, false), "10.0.0.2");
		CHECK_STR(red->routes[1].dev, "a");
		CHECK(red->routes[1].via.family == 0);
		CHECK_STR(S(&red->routes[3].to, true), "10.7.0.9/32");
		topo_free(t);
	}
#undef RT
}

static void test_publish_sysctl_errors(void)
{
	const char *head = "networks:\n  n1: {subnet: 10.0.0.0/24}\n  n6: {subnet: fd00::/64}\nnodes:\n  red:\n    interfaces: [n1]\n";
	char buf[1024];
#define PB(tail) (snprintf(buf, sizeof(buf), "%s%s", head, tail), buf)
	bad(PB("    publish:\n      - {host_port: 0}\n"), "lab.yaml:8:10: host_port must be 1..65535, not 0");
	bad(PB("    publish:\n      - {host_port: 65536}\n"), "lab.yaml:8:10: host_port must be 1..65535, not 65536");
	bad(PB("    publish:\n      - {host_port: -1}\n"), "lab.yaml:8:10: host_port must be a number 1..65535, not '-1'");
	bad(PB("    publish:\n      - {port: 80}\n"), "lab.yaml:8:9: a publish entry needs 'host_port:'");
	bad(PB("    publish:\n      - {host_port: 80, proto: sctp}\n"), "lab.yaml:8:25: proto must be tcp or udp, not 'sctp'");
	bad(PB("    publish:\n      - {host_port: 80, host_ip: fd00::1}\n"),
	    "lab.yaml:8:25: host_ip fd00::1: published ports are IPv4 (the node's address is reached by DNAT)");
	bad(PB("    publish:\n      - {host_port: 80}\n  blue:\n    interfaces: [n1]\n    publish:\n      - {host_port: 80, port: 8080}\n"),
	    "lab.yaml:12:9: host port 80/tcp is already published by node 'red' (line 8)");
	bad(PB("    publish:\n      - {host_port: 80, host_ip: 192.0.2.1}\n      - {host_port: 80}\n"),
	    "lab.yaml:9:9: host port 80/tcp is already published by node 'red' (line 8)");
	bad(PB("  blue:\n    interfaces: [n6]\n    publish:\n      - {host_port: 80}\n"),
	    "lab.yaml:10:9: node 'blue' publishes port 80 but has no interface on a network with an IPv4 subnet");
	bad(PB("    sysctls:\n      net.ipv4.ip_forward: 1\n      ../etc/passwd: 1\n"),
	    "lab.yaml:9:7: node 'red': invalid sysctl key '../etc/passwd': must be relative to /proc/sys (e.g. net.ipv4.ip_forward)");
	bad(PB("    sysctls:\n      net..ipv4: 1\n"),
	    "lab.yaml:8:7: node 'red': invalid sysctl key 'net..ipv4': empty component");
	/* Only network settings: the keys of other namespaces and of the host, and any
	 * climb out of net/, are refused by the parser already (issue 10). */
	bad(PB("    sysctls:\n      kernel.hostname: x\n"),
	    "lab.yaml:8:7: node 'red': sysctl kernel.hostname is not a network namespace setting: only keys under net. can be set");
	bad(PB("    sysctls:\n      kernel.domainname: '|/tmp/x'\n"),
	    "lab.yaml:8:7: node 'red': sysctl kernel.domainname is not a network namespace setting: only keys under net. can be set");
	bad(PB("    sysctls:\n      net/../kernel/hostname: x\n"),
	    "lab.yaml:8:7: node 'red': invalid sysctl key 'net/../kernel/hostname': '.' and '..' are not allowed");
	bad(PB("    sysctls:\n      net: 1\n"),
	    "lab.yaml:8:7: node 'red': sysctl net is not a network namespace setting: only keys under net. can be set");
	bad(PB("    sysctls:\n      net.ipv4.ip_forward:\n"), "lab.yaml:8:7: a sysctl needs a value");
	bad(PB("    sysctls: [a]\n"), "lab.yaml:7:14: the sysctls of node 'red' must be a mapping (key: value), not a list");

	struct topology *t = parse(PB("    publish:\n      - {host_port: 53, proto: udp, host_ip: 192.0.2.1}\n"
				      "      - {host_port: 53, port: 5353}\n      - {host_port: 54, proto: udp, host_ip: 192.0.2.2}\n"
				      "      - {host_port: 54, proto: udp, host_ip: 192.0.2.3}\n"
				      "    sysctls:\n      net.ipv4.conf.all.rp_filter: 0\n      net/ipv4/tcp_rmem: \"4096\t87380 6291456\"\n"));
	if (t) {
		const struct topo_node *red = &t->nodes[0];
		CHECK(red->n_publish == 4 && red->n_sysctls == 2);
		CHECK(red->publish[0].proto == IPPROTO_UDP && red->publish[0].port == 53);
		CHECK_STR(red->publish[0].host_ip, "192.0.2.1");
		CHECK(red->publish[1].proto == IPPROTO_TCP && red->publish[1].port == 5353 && !red->publish[1].host_ip);
		CHECK_STR(red->sysctls[0].key, "net.ipv4.conf.all.rp_filter");
		CHECK_STR(red->sysctls[0].value, "0");
		CHECK_STR(red->sysctls[1].value, "4096\t87380 6291456");
		CHECK(red->sysctls[1].pos.line == 14 && red->sysctls[1].pos.col == 7);
		topo_free(t);
	}
#undef PB
}

/* eth0, eth1... in list order, skipping names written elsewhere for the node. */
static void test_default_ifnames(void)
{
	struct topology *t = parse("networks:\n  a: {subnet: 10.0.0.0/24}\n  b: {subnet: 10.1.0.0/24}\n"
				   "  c: {subnet: 10.2.0.0/24}\n  d: {subnet: 10.3.0.0/24}\n"
				   "nodes:\n  x:\n    interfaces:\n      - a\n      - {network: b, ifname: eth1}\n      - c\n      - d\n"
				   "  y: {}\nlinks:\n  - endpoints: [x:eth2, y]\n");
	if (!t)
		return;
	const struct topo_node *x = &t->nodes[0];
	CHECK_STR(x->ifaces[0].ifname, "eth0");
	CHECK_STR(x->ifaces[1].ifname, "eth1");
	CHECK_STR(x->ifaces[2].ifname, "eth3");
	CHECK_STR(x->ifaces[3].ifname, "eth4");
	/* An endpoint without an interface name gets `nsnet connect`'s default. */
	CHECK_STR(t->links[0].ifname[1], "to-x");
	CHECK(t->links[0].ip[0].family == 0);
	topo_free(t);
}

static void test_aliases_and_defaults(void)
{
	/* Anchors let routes be shared; the name comes from the file name. */
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	const char *text = "networks:\n  n: {subnet: 10.0.0.0/24}\n  m: {subnet: 10.9.0.0/24}\nnodes:\n"
			   "  a:\n    interfaces: [n]\n    routes: &r\n      - {to: 10.8.0.0/16, via: 10.0.0.200}\n"
			   "  b:\n    interfaces: [n]\n    routes: *r\n";
	int r = topo_parse_string(text, strlen(text), "/some/dir/my-lab.yml", &t, &e);
	CHECK(r == 0);
	if (r < 0) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK_STR(t->name, "my-lab");
	CHECK(t->nodes[1].n_routes == 1);
	CHECK_STR(S(&t->nodes[1].routes[0].to, true), "10.8.0.0/16");
	topo_free(t);

	/* A file name that is no valid lab name needs a 'name:'. */
	text = "nodes: {}\n";
	r = topo_parse_string(text, strlen(text), "my lab.yaml", &t, &e);
	CHECK(r == -EINVAL);
	CHECK_STR(e.msg, "my lab.yaml: the lab's name comes from the file name and is not valid (invalid network name "
			 "'my lab': only letters, digits, '_', '.' and '-'); add a 'name:' line");

	/* An empty lab is a lab. */
	t = parse("name: empty\n");
	CHECK(t && t->n_nets == 0 && t->n_nodes == 0 && t->n_links == 0);
	topo_free(t);
}

static void test_default_lab(void)
{
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	int r = topo_parse_string(topo_default_yaml, strlen(topo_default_yaml), "<embedded>", &t, &e);
	CHECK(r == 0);
	if (r < 0) {
		fprintf(stderr, "  default lab: %s\n", e.msg);
		return;
	}
	CHECK_STR(t->name, "default");
	const struct topo_net *v = topo_find_net(t, "v-net-0");
	CHECK(v && v->nat && t->n_nets == 1);
	if (v) {
		CHECK_STR(S(&v->subnet[0], true), "192.168.15.0/24");
		CHECK_STR(S(&v->gateway[0], false), "192.168.15.5");
	}
	const struct topo_node *red = topo_find_node(t, "red"), *blue = topo_find_node(t, "blue");
	CHECK(red && blue && t->n_nodes == 2 && t->n_links == 0);
	if (red && blue) {
		CHECK_STR(red->ifaces[0].network, "v-net-0");
		CHECK_STR(S(&red->ifaces[0].ip[0], false), "192.168.15.1");
		CHECK_STR(S(&blue->ifaces[0].ip[0], false), "192.168.15.2");
	}
	topo_free(t);
}

/* The repository's examples/ directory: from the working directory, or upwards
 * from the test binary (BUILD/tests/test_topology). */
static bool find_examples(char *buf, size_t len)
{
	if (getenv("NSNET_SRCDIR")) {
		snprintf(buf, len, "%s/examples", getenv("NSNET_SRCDIR"));
		return true;
	}
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	if (access("examples/tutorial.yaml", R_OK) == 0) {
		snprintf(buf, len, "examples");
		return true;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return false;
	exe[n] = 0;
	for (int up = 0; up < 4; up++) {
		dirname(exe);
		snprintf(probe, sizeof(probe), "%s/examples/tutorial.yaml", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(buf, len, "%s/examples", exe);
			return true;
		}
	}
	return false;
}

static void test_examples(void)
{
	char dir[PATH_MAX + 32], pat[PATH_MAX + 64];
	bool found = find_examples(dir, sizeof(dir));
	CHECK(found);
	if (!found) {
		fprintf(stderr, "  examples/ not found (set NSNET_SRCDIR)\n");
		return;
	}
	static const char *const want[] = { "veth-pair", "bridge", "host-connected", "nat", "port-forward", "tutorial" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(pat, sizeof(pat), "%s/%s.yaml", dir, want[i]);
		CHECK(access(pat, R_OK) == 0);
	}
	snprintf(pat, sizeof(pat), "%s/*.yaml", dir);
	glob_t g;
	CHECK(glob(pat, 0, NULL, &g) == 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct topology *t = NULL;
		struct nsnet_error e = { 0 };
		int r = topo_parse_file(g.gl_pathv[i], &t, &e);
		CHECK(r == 0);
		if (r < 0) {
			fprintf(stderr, "  %s\n", e.msg);
			continue;
		}
		/* Each example is named after its file, so `nsnet down NAME` is obvious. */
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "%s", basename(g.gl_pathv[i]));
		*strrchr(base, '.') = 0;
		CHECK_STR(t->name, base);
		char *dot = topo_dot(t);
		CHECK(dot && strstr(dot, "graph \""));
		free(dot);
		topo_free(t);
	}
	globfree(&g);

	/* examples/tutorial.yaml is the issue's file, byte for byte. */
	snprintf(pat, sizeof(pat), "%s/tutorial.yaml", dir);
	FILE *f = fopen(pat, "re");
	char text[sizeof(tutorial) + 16] = "";
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	CHECK(n == strlen(tutorial) && memcmp(text, tutorial, n) == 0);
}

/* A NUL byte would end the text for libyaml: refused where it is. Nesting is
 * refused at the limit while reading, whatever follows (100,000 '[' took minutes). */
static void test_nul_and_depth(void)
{
	static const char nul[] = "name: a\nnodes:\n  r\0ed: {}\n";
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	CHECK(topo_parse_string(nul, sizeof(nul) - 1, "lab.yaml", &t, &e) == -EINVAL);
	CHECK_STR(e.msg, "lab.yaml:3:4: a NUL byte: a lab file is text");
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	if (!deep)
		return;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = 0;
	CHECK(topo_parse_string(deep, 2 * n, "lab.yaml", &t, &e) == -EINVAL);
	CHECK_STR(e.msg, "lab.yaml:1:66: nested more than 64 levels deep");
	/* 65 levels (the root at 0, a scalar at 64) still get to the lab checks. */
	memmove(deep + 65, deep + n, 64);
	deep[64] = '1';
	deep[129] = 0;
	CHECK(topo_parse_string(deep, strlen(deep), "lab.yaml", &t, &e) == -EINVAL);
	CHECK_STR(e.msg, "lab.yaml:1:1: the lab file must be a mapping (key: value), not a list");
	free(deep);
}

/* Errors never quote what the file holds beyond safe short tokens: a lab path may be
 * a symlink to /etc/shadow. */
static void test_redaction(void)
{
	bad("root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
	    "lab.yaml:1:1: unknown key '(not shown)' in the lab file (known: name, networks, nodes, links)");
	bad("name: 'secret password here'\n", "lab.yaml:1:1: lab name: invalid network name '(not shown)': only letters, digits, '_', '.' and '-'");
	/* Safe tokens stay: they are what the reader needs to fix the file. */
	bad("nodes:\n  red:\n    interfaces: [v-net-1]\n", "lab.yaml:3:18: unknown network 'v-net-1'");
	bad("networks:\n  n1: {subnet: 10.0.0.0/33}\n", "lab.yaml:2:16: subnet: invalid CIDR '10.0.0.0/33': prefix length must be 0..32");
}

static void test_parse_file_errors(void)
{
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	CHECK(topo_parse_file("/nonexistent/lab.yaml", &t, &e) == -ENOENT);
	CHECK_STR(e.msg, "open /nonexistent/lab.yaml: No such file or directory");
	CHECK(topo_parse_file("/", &t, &e) == -EISDIR);
	CHECK_STR(e.msg, "/: is a directory");
	/* Refused from stat alone: /dev/zero would never end, a FIFO would hang. */
	CHECK(topo_parse_file("/dev/zero", &t, &e) == -EINVAL);
	CHECK_STR(e.msg, "/dev/zero: is not a regular file (a character device)");

	char dir[] = "/tmp/test_topology.XXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/lab-1.yaml", dir);
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("nodes:\n  solo: {}\n", f);
	fclose(f);
	CHECK(topo_parse_file(path, &t, &e) == 0);
	if (t) {
		CHECK_STR(t->name, "lab-1");
		CHECK_STR(t->file, path);
		topo_free(t);
	}
	unlink(path);
	CHECK(mkfifo(path, 0600) == 0);
	char want[128];
	snprintf(want, sizeof(want), "%s: is not a regular file (a FIFO)", path);
	CHECK(topo_parse_file(path, &t, &e) == -EINVAL);
	CHECK_STR(e.msg, want);
	unlink(path);
	/* One byte over the limit: refused, and never read whole. */
	f = fopen(path, "we");
	CHECK(f && ftruncate(fileno(f), (off_t)TOPO_FILE_MAX + 1) == 0);
	if (f)
		fclose(f);
	snprintf(want, sizeof(want), "%s: is larger than the limit of 16 MiB", path);
	CHECK(topo_parse_file(path, &t, &e) == -EFBIG);
	CHECK_STR(e.msg, want);
	unlink(path);
	rmdir(dir);
}

static void contains(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle)) {
		unit_pass++;
		return;
	}
	unit_fail++;
	fprintf(stderr, "  DOT lacks: %s\n", needle);
}

static void test_dot(void)
{
	struct topology *t = parse(tutorial);
	if (!t)
		return;
	char *d = topo_dot(t), *d2 = topo_dot(t);
	CHECK(d && d2 && strcmp(d, d2) == 0);
	contains(d, "graph \"tutorial\" {\n");
	contains(d, "\"host\" [shape=house");
	contains(d, "\"net/v-net-0\" [shape=box, style=rounded, label=\"v-net-0\\n192.168.15.0/24\\nbridge v-net-0, NAT\"];");
	contains(d, "\"net/backend\" [shape=box, style=rounded, label=\"backend\\n10.20.0.0/24\\nbridge backend\"];");
	contains(d, "\"net/v-net-0\" -- \"host\" [style=dashed, label=\"gateway 192.168.15.5\"];");
	contains(d, "\"net/backend\" -- \"host\" [style=dashed, label=\"gateway 10.20.0.1\"];");
	contains(d, "\"node/red\" -- \"net/v-net-0\" [label=\"eth0\\n192.168.15.1\"];");
	contains(d, "\"node/blue\" -- \"net/v-net-0\" [label=\"eth0\\n(from the pool)\"];");
	contains(d, "\"node/blue\" [shape=ellipse, label=\"blue\\npublish 8080 -> 80/tcp\"];");
	contains(d, "\"node/router\" [shape=ellipse, peripheries=2, label=\"router\\nforwarding\"];");
	contains(d, "\"node/router\" -- \"net/backend\" [label=\"eth1\\n10.20.0.254\"];");
	contains(d, "\"node/red\" -- \"node/blue\" [label=\"red: veth-red 10.0.0.1/24\\nblue: veth-blue 10.0.0.2/24\", "
		    "constraint=false];");
	contains(d, "\"node/db\" -- \"host\" [label=\"db: pair-db 10.30.0.2/30\\nhost: pair-host 10.30.0.1/30\"];");
	contains(d, "label=\"lab tutorial: the topology file only (the lab is not up)\"");
	CHECK(d && !strstr(d, "color=red"));
	CHECK(d && d[strlen(d) - 2] == '}');
	free(d);
	free(d2);
	topo_free(t);

	/* Names are quoted and escaped; a lab without networks or host links has no host. */
	t = parse("nodes:\n  'say \"hi\" \\ there': {}\n  b: {}\nlinks:\n  - endpoints: ['say \"hi\" \\ there:x', b:y]\n    mtu: 1400\n");
	if (!t)
		return;
	d = topo_dot(t);
	contains(d, "\"node/say \\\"hi\\\" \\\\ there\" [shape=ellipse, label=\"say \\\"hi\\\" \\\\ there\"];");
	contains(d, "\\nmtu 1400\"");
	CHECK(d && !strstr(d, "\"host\""));
	free(d);
	topo_free(t);
}

/* A fake live state: red's namespace is gone, blue's eth0 is down, the host's end
 * of the db link is down, backend's bridge is gone, v-net-0's NAT is lost, www's
 * service "web" stopped; the rest is as the file says. */
static enum topo_live_state fake_state(const char *node, const char *ifname, void *data)
{
	if (!strcmp(node, "red"))
		return TOPO_LIVE_MISSING;
	if (ifname && ((!strcmp(node, "blue") && !strcmp(ifname, "eth0")) || !strcmp(ifname, "pair-host")))
		return TOPO_LIVE_DOWN;
	return TOPO_LIVE_OK;
}
static enum topo_live_state fake_net(const char *network, void *data)
{
	return !strcmp(network, "backend") ? TOPO_LIVE_MISSING : TOPO_LIVE_OK;
}
static enum topo_live_state fake_nat(const char *network, void *data)
{
	return TOPO_LIVE_MISSING;
}
static enum topo_live_state fake_service(const char *node, const char *service, void *data)
{
	return !strcmp(service, "web") ? TOPO_LIVE_STOPPED : TOPO_LIVE_OK;
}

static void test_dot_live(void)
{
	char text[sizeof(tutorial) + 128];
	/* The tutorial with one more node, www, that runs a service (before links:). */
	snprintf(text, sizeof(text), "%s", tutorial);
	char *links = strstr(text, "links:");
	if (!links) {
		unit_fail++;
		return;
	}
	char tail[512];
	snprintf(tail, sizeof(tail), "%s", links);
	snprintf(links, sizeof(text) - (size_t)(links - text),
		 "  www:\n    services:\n      web:\n        command: [sleep, '1']\n%s", tail);
	struct topology *t = parse(text);
	if (!t)
		return;
	const struct topo_live lv = { .status = "degraded", .state = fake_state, .net = fake_net, .nat = fake_nat,
				      .service = fake_service };
	char *d = topo_dot_live(t, &lv), *d2 = topo_dot_live(t, &lv);
	CHECK(d && d2 && strcmp(d, d2) == 0);
	contains(d, "label=\"lab tutorial: degraded (live state)\\nin red: what is not as the file says; dashed: down or missing");
	contains(d, "\"node/red\" [shape=ellipse, label=\"red\\nnamespace MISSING\", color=red, fontcolor=red, style=dashed, "
		    "class=\"missing\", tooltip=\"the namespace red is missing (nsnet up makes it again)\"];");
	contains(d, "\"node/red\" -- \"net/v-net-0\" [label=\"eth0 MISSING\\n192.168.15.1\", color=red");
	contains(d, "\"node/blue\" -- \"net/v-net-0\" [label=\"eth0 DOWN\\n(from the pool)\", color=red, fontcolor=red, "
		    "style=dashed, class=\"down\", tooltip=\"eth0 of blue is down\"];");
	contains(d, "label=\"backend\\n10.20.0.0/24\\nbridge backend MISSING\", color=red, fontcolor=red, "
		    "style=\"rounded,dashed\", "
		    "class=\"missing\"");
	contains(d, "label=\"v-net-0\\n192.168.15.0/24\\nbridge v-net-0, NAT MISSING\", color=red, fontcolor=red, "
		    "class=\"missing\"");
	contains(d, "\"node/www\" [shape=ellipse, label=\"www\\nservice web STOPPED\", color=red, fontcolor=red, "
		    "class=\"stopped\"");
	contains(d, "\"node/db\" -- \"host\" [label=\"db: pair-db 10.30.0.2/30\\nhost: pair-host DOWN 10.30.0.1/30\", "
		    "color=red, fontcolor=red, style=dashed, class=\"down\", tooltip=\"pair-host of host is down\"];");
	/* red's link to blue: red's end is gone with its namespace. */
	contains(d, "red: veth-red MISSING 10.0.0.1/24");
	/* What is fine stays as the file-only picture draws it. */
	contains(d, "\"node/router\" -- \"net/backend\" [label=\"eth1\\n10.20.0.254\"];");
	free(d);
	free(d2);

	/* Live and whole: no legend, no red. */
	const struct topo_live ok = { .status = "up" };
	d = topo_dot_live(t, &ok);
	contains(d, "label=\"lab tutorial: up (live state)\"");
	CHECK(d && !strstr(d, "color=red") && !strstr(d, "dashed: down"));
	free(d);
	topo_free(t);
}

int main(void)
{
	test_tutorial_model();
	test_issue_error();
	test_structure_errors();
	test_name_errors();
	test_network_errors();
	test_iface_errors();
	test_link_errors();
	test_route_errors();
	test_publish_sysctl_errors();
	test_default_ifnames();
	test_aliases_and_defaults();
	test_default_lab();
	test_examples();
	test_parse_file_errors();
	test_nul_and_depth();
	test_redaction();
	test_dot();
	test_dot_live();
	return UNIT_DONE();
}
