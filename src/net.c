/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet net create|attach|detach|rm|ls|show */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "cli.h"
#include "verbs.h"

/* EINVAL from the library means the input was wrong: a usage error. */
static int done(int r, struct nsnet_error *e)
{
	if (r == 0)
		return EXIT_OK;
	print_error(e->msg);
	return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

int net_print_info(const char *net)
{
	struct nsnet_error e = { 0 };
	json_t *n;
	int r = nsnet_net_info(net, &n, &e);
	return r < 0 ? done(r, &e) : print_result(n);
}

/* --range FIRST-LAST: the addresses this host hands out, in the subnet of their family. */
static int take_ranges(int *argc, char **argv, struct nsnet_net_spec *s)
{
	const char *v;
	int r;
	struct nsnet_error e = { 0 };
	while ((r = take_opt(argc, argv, "--range", &v)) == 1) {
		char a[256], b[256];
		struct nsnet_prefix x, y;
		const char *dash = strchr(v, '-');
		if (!dash || (size_t)(dash - v) >= sizeof(a) || strlen(dash + 1) >= sizeof(b))
			return usage_error("net create: --range: expected FIRST-LAST, not '%s'", v);
		snprintf(a, sizeof(a), "%.*s", (int)(dash - v), v);
		snprintf(b, sizeof(b), "%s", dash + 1);
		if (nsnet_addr_parse(a, &x, &e) < 0 || nsnet_addr_parse(b, &y, &e) < 0)
			return usage_error("net create: --range: %s", e.msg);
		size_t k = 0;
		while (k < s->n_subnets && s->subnet[k].family != x.family)
			k++;
		if (k == s->n_subnets)
			return usage_error("net create: range %s has no subnet of its family", v);
		if (s->range_start[k].family)
			return usage_error("net create: a second --range for %s", x.family == AF_INET ? "IPv4" : "IPv6");
		s->range_start[k] = x;
		s->range_end[k] = y;
	}
	return r < 0 ? EXIT_USAGE : 0;
}

/* --vni N [--vxlan-local IP] [--vxlan-dev IF] [--vxlan-peer IP]... [--vxlan-port N] */
static int take_vxlan(int *argc, char **argv, struct nsnet_vxlan_spec *v, struct nsnet_prefix *peers)
{
	const char *vni = NULL, *local = NULL, *port = NULL, *p;
	struct nsnet_error e = { 0 };
	unsigned long n;
	int r;
	if (take_opt(argc, argv, "--vni", &vni) < 0 || take_opt(argc, argv, "--vxlan-local", &local) < 0 ||
	    take_opt(argc, argv, "--vxlan-dev", &v->dev) < 0 || take_opt(argc, argv, "--vxlan-port", &port) < 0)
		return EXIT_USAGE;
	while ((r = take_opt(argc, argv, "--vxlan-peer", &p)) == 1) {
		if (v->n_peers == NSNET_VXLAN_PEERS_MAX)
			return usage_error("net create: at most %d --vxlan-peer", NSNET_VXLAN_PEERS_MAX);
		if (nsnet_addr_parse(p, &peers[v->n_peers], &e) < 0)
			return usage_error("net create: --vxlan-peer: %s", e.msg);
		v->n_peers++;
	}
	if (r < 0)
		return EXIT_USAGE;
	v->peers = peers;
	if (vni) {
		if (parse_uint("VNI", vni, 1, 16777215, &n))
			return EXIT_USAGE;
		v->vni = (uint32_t)n;
	}
	if (port) {
		if (parse_uint("VXLAN port", port, 1, 65535, &n))
			return EXIT_USAGE;
		v->port = (uint16_t)n;
	}
	if (local && nsnet_addr_parse(local, &v->local, &e) < 0)
		return usage_error("net create: --vxlan-local: %s", e.msg);
	if (!vni && (local || v->dev || v->n_peers || port))
		return usage_error("net create: --vxlan-local, --vxlan-dev, --vxlan-peer and --vxlan-port need --vni");
	return 0;
}

static int net_create(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	struct nsnet_net_spec s = { 0 };
	struct nsnet_error e = { 0 };
	const char *v, *gws[2] = { NULL, NULL };
	size_t n_gw = 0;
	int r;
	while ((r = take_opt(&argc, argv, "--subnet", &v)) == 1) {
		if (s.n_subnets == 2)
			return usage_error("net create: at most two --subnet (one IPv4, one IPv6)");
		if (nsnet_prefix_parse(v, true, &s.subnet[s.n_subnets], &e) < 0)
			return usage_error("net create: %s", e.msg);
		s.n_subnets++;
	}
	while (r == 0 && (r = take_opt(&argc, argv, "--gateway", &v)) == 1) {
		if (n_gw == 2)
			return usage_error("net create: at most two --gateway (one per subnet)");
		gws[n_gw++] = v;
	}
	const char *mtu = NULL;
	if (r < 0 || take_opt(&argc, argv, "--bridge", &s.bridge) < 0 || take_opt(&argc, argv, "--mtu", &mtu) < 0)
		return EXIT_USAGE;
	s.nat = take_flag(&argc, argv, "--nat");
	struct nsnet_prefix peers[NSNET_VXLAN_PEERS_MAX];
	if ((r = take_ranges(&argc, argv, &s)) || (r = take_vxlan(&argc, argv, &s.vxlan, peers)))
		return r;
	if ((r = reject_unknown_opts(argc, argv)))
		return r;
	if (argc != 2)
		return usage_error("net create: exactly one network NAME is needed");
	if (s.n_subnets == 0)
		return usage_error("net create: --subnet CIDR is required");
	for (size_t i = 0; i < n_gw; i++) {
		struct nsnet_prefix g;
		if (nsnet_addr_parse(gws[i], &g, &e) < 0)
			return usage_error("net create: --gateway: %s", e.msg);
		size_t k = 0;
		while (k < s.n_subnets && s.subnet[k].family != g.family)
			k++;
		if (k == s.n_subnets)
			return usage_error("net create: gateway %s has no subnet of its family", gws[i]);
		s.gateway[k] = g;
	}
	if (mtu) {
		unsigned long m;
		if (parse_uint("MTU", mtu, 68, 65535, &m))
			return EXIT_USAGE;
		s.mtu = (unsigned)m;
	}
	s.name = argv[1];
	if ((r = done(nsnet_net_create(&s, &e), &e)) || !json)
		return r;
	return net_print_info(s.name);
}

static void raise_nofile(void)
{
	/* Attaching many namespaces keeps a chunk of namespace fds and sockets open. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* net attach --json: the members the namespaces became, as net show has them. */
static int print_attached(const char *net, char *const *ns, int n)
{
	struct nsnet_error e = { 0 };
	json_t *info, *m, *attached = json_array();
	int r = nsnet_net_info(net, &info, &e);
	if (r < 0) {
		json_decref(attached);
		return done(r, &e);
	}
	size_t i;
	json_array_foreach(json_object_get(info, "members"), i, m) {
		for (int k = 0; k < n; k++)
			if (streq_safe(jstr(m, "ns"), ns[k]))
				json_array_append(attached, m);
	}
	json_decref(info);
	return print_result(json_pack("{s:s, s:o}", "network", net, "attached", attached));
}

static int net_attach(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	struct nsnet_attach_opts o = { 0 };
	struct nsnet_error e = { 0 };
	struct nsnet_prefix ip;
	const char *ip_s = NULL;
	if (take_opt(&argc, argv, "--ip", &ip_s) < 0 || take_opt(&argc, argv, "--ifname", &o.ifname) < 0)
		return EXIT_USAGE;
	o.no_default_route = take_flag(&argc, argv, "--no-default-route");
	o.into_lab = take_flag(&argc, argv, "--force");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 3)
		return usage_error("net attach: a network and at least one namespace are needed");
	if (ip_s) {
		if (nsnet_prefix_parse(ip_s, false, &ip, &e) < 0)
			return usage_error("net attach: --ip: %s", e.msg);
		o.ip = &ip;
	}
	raise_nofile();
	if ((r = done(nsnet_net_attach(argv[1], (const char *const *)argv + 2, argc - 2, &o, &e), &e)) || !json)
		return r;
	return print_attached(argv[1], argv + 2, argc - 2);
}

static int net_detach(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 3)
		return usage_error("net detach: a network and at least one namespace are needed");
	struct nsnet_error e = { 0 };
	if ((r = done(nsnet_net_detach(argv[1], (const char *const *)argv + 2, argc - 2, &e), &e)) || !json)
		return r;
	return print_result(json_pack("{s:s, s:o}", "network", argv[1], "detached", json_strv(argv + 2, argc - 2)));
}

static int net_rm(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	bool force = take_flag(&argc, argv, "--force");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 2)
		return usage_error("net rm: at least one network NAME is needed");
	struct nsnet_error e = { 0 };
	/* All or none, as ns add and ns del: every network must exist, be nobody's
	 * lab's and (without --force) be empty before the first one goes. */
	for (int i = 1; i < argc; i++) {
		json_t *d;
		if ((r = done(nsnet_net_info(argv[i], &d, &e), &e)))
			return r;
		const char *lab = json_string_value(json_object_get(d, "lab"));
		json_t *members = json_object_get(d, "members"), *m;
		size_t n = json_array_size(members), j, off = 0;
		char list[512] = "";
		json_array_foreach(members, j, m) {
			if (off < sizeof(list) - 64)
				off += snprintf(list + off, sizeof(list) - off, "%s%s", j ? ", " : "",
						json_string_value(json_object_get(m, "ns")));
		}
		if (lab)
			nsnet_errx(&e, EBUSY, "network '%s' belongs to lab '%s'; remove it with 'nsnet down %s'", argv[i], lab, lab);
		else if (n && !force)
			nsnet_errx(&e, EBUSY, "network '%s' still has %zu attached namespace%s (%s); detach them or use --force",
				   argv[i], n, n == 1 ? "" : "s", list);
		bool busy = lab || (n && !force);
		json_decref(d);
		if (busy)
			return done(-EBUSY, &e);
	}
	for (int i = 1; i < argc; i++)
		if ((r = done(nsnet_net_rm(argv[i], force, &e), &e)))
			return r;
	return json ? print_result(json_pack("{s:o}", "removed", json_strv(argv + 1, argc - 1))) : EXIT_OK;
}

static const char *subnets_str(json_t *net, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *s;
	buf[0] = 0;
	json_array_foreach(json_object_get(net, "subnets"), i, s) off +=
		snprintf(buf + off, off < len ? len - off : 0, "%s%s", i ? "," : "",
			 json_string_value(json_object_get(s, "cidr")));
	return buf;
}

static int net_ls(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("net ls: takes no arguments");
	struct nsnet_error e = { 0 };
	json_t *arr;
	if ((r = nsnet_net_list(&arr, &e)) < 0)
		return done(r, &e);
	if (json) {
		print_json(arr);
	} else {
		printf("%-16s %-15s %-36s %-4s %s\n", "NAME", "BRIDGE", "SUBNETS", "NAT", "MEMBERS");
		size_t i;
		json_t *n;
		json_array_foreach(arr, i, n) {
			char buf[256];
			printf("%-16s %-15s %-36s %-4s %zu\n", json_string_value(json_object_get(n, "name")),
			       json_string_value(json_object_get(n, "bridge")), subnets_str(n, buf, sizeof(buf)),
			       json_is_true(json_object_get(n, "nat")) ? "yes" : "no",
			       json_array_size(json_object_get(n, "members")));
		}
	}
	json_decref(arr);
	return EXIT_OK;
}

static int net_show(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 2)
		return usage_error("net show: exactly one network NAME is needed");
	struct nsnet_error e = { 0 };
	json_t *n;
	if ((r = nsnet_net_info(argv[1], &n, &e)) < 0)
		return done(r, &e);
	if (json) {
		print_json(n);
		json_decref(n);
		return EXIT_OK;
	}
	printf("network %s  bridge %s  nat %s\n", json_string_value(json_object_get(n, "name")),
	       json_string_value(json_object_get(n, "bridge")), json_is_true(json_object_get(n, "nat")) ? "on" : "off");
	size_t i;
	json_t *s, *m;
	json_array_foreach(json_object_get(n, "subnets"), i, s) {
		printf("  subnet %-24s gateway %-20s used %lld  free %lld", json_string_value(json_object_get(s, "cidr")),
		       json_string_value(json_object_get(s, "gateway")), json_integer_value(json_object_get(s, "used")),
		       json_integer_value(json_object_get(s, "free")));
		json_t *range = json_object_get(s, "range");
		if (range)  /* addresses are handed out from this range only */
			printf("  range %s-%s", json_string_value(json_array_get(range, 0)),
			       json_string_value(json_array_get(range, 1)));
		printf("\n");
	}
	json_t *vx = json_object_get(n, "vxlan");
	if (vx) {  /* a network that spans hosts */
		char peers[1024] = "";
		size_t j, off = 0;
		json_t *p;
		json_array_foreach(json_object_get(vx, "peers"), j, p) off +=
			snprintf(peers + off, off < sizeof(peers) ? sizeof(peers) - off : 0, "%s%s", j ? "," : "",
				 json_string_value(p));
		printf("  vxlan %s  vni %lld  port %lld  local %s  dev %s  mtu %lld  peers %s\n", jstr0(vx, "ifname"),
		       json_integer_value(json_object_get(vx, "vni")), json_integer_value(json_object_get(vx, "port")),
		       jstr(vx, "local") ? jstr(vx, "local") : "-", jstr(vx, "dev") ? jstr(vx, "dev") : "-",
		       json_integer_value(json_object_get(n, "mtu")), off ? peers : "-");
	}
	printf("  %-20s %-8s %-16s %s\n", "NAMESPACE", "IFNAME", "HOST IFNAME", "ADDRESSES");
	json_array_foreach(json_object_get(n, "members"), i, m) {
		char ips[256] = "";
		size_t j, off = 0;
		json_t *ip;
		json_array_foreach(json_object_get(m, "ips"), j, ip) off +=
			snprintf(ips + off, off < sizeof(ips) ? sizeof(ips) - off : 0, "%s%s", j ? " " : "",
				 json_string_value(ip));
		json_t *cni = json_object_get(m, "cni");
		printf("  %-20s %-8s %-16s %s", json_string_value(json_object_get(m, "ns")),
		       json_string_value(json_object_get(m, "ifname")), json_string_value(json_object_get(m, "host_ifname")),
		       ips);
		if (cni)  /* a container a runtime attached through CNI */
			printf("  (container %.12s)", jstr0(cni, "container"));
		printf("\n");
	}
	json_decref(n);
	return EXIT_OK;
}

const struct verb net_verbs[] = {
	{ "create", "NET --subnet CIDR [--subnet CIDR6] [--gateway IP] [--range FIRST-LAST] [--bridge IFNAME] [--mtu N] [--nat] "
		    "[--vni N [--vxlan-local IP] [--vxlan-dev IF] [--vxlan-peer IP]... [--vxlan-port N]] [--json]",
	  "Create a network: a bridge, up, with the gateway address on it; with --vni, spanning hosts",
	  "  --subnet CIDR     IPv4 and/or IPv6 subnet (one of each at most)\n"
	  "  --gateway IP      the bridge's address in a subnet (default: its first usable address)\n"
	  "  --range A-B       hand out addresses from A to B only (one per subnet)\n"
	  "  --bridge IFNAME   the bridge's name (default: NET, or nsbr-HASH when NET is not a valid interface name)\n"
	  "  --mtu N           MTU of the bridge and of every member's veth\n"
	  "  --nat             masquerade traffic leaving the host from this network\n"
	  "  --vni N           span hosts over VXLAN with this VNI, 1..16777215 (needs --range; docs/vxlan.md)\n"
	  "  --vxlan-local IP  this host's underlay address\n"
	  "  --vxlan-dev IF    the underlay interface\n"
	  "  --vxlan-peer IP   another host's underlay address (repeat for each)\n"
	  "  --vxlan-port N    UDP port (default 4789)\n"
	  "  --json            print the new network as 'net show NET --json' does\n",
	  net_create, true, .defer_signals = true },
	{ "attach", "NET NS... [--ip IP] [--ifname IF] [--no-default-route] [--force] [--json]",
	  "Plug namespaces into a network: veth, address, default route",
	  "  --ip IP              a static address (one namespace only; default: the pool's next)\n"
	  "  --ifname IF          the namespace end's name (default: eth0, or the next free ethN)\n"
	  "  --no-default-route   do not add a default route via the gateway\n"
	  "  --force              attach into a network a lab made (its up and down will not know it)\n"
	  "  --json               print {\"network\", \"attached\": [the new members, as net show --json has them]}\n",
	  net_attach, true, .defer_signals = true },
	{ "detach", "NET NS... [--json]", "Unplug namespaces from a network",
	  "  --json   print {\"network\": NET, \"detached\": [NS...]}\n", net_detach, true, .defer_signals = true },
	{ "rm", "NET... [--force] [--json]", "Remove networks; --force detaches their namespaces first",
	  "  --force   detach attached namespaces instead of refusing\n"
	  "  --json    print {\"removed\": [NET...]}\n", net_rm, true, .defer_signals = true },
	{ "set", "NET nat on|off | NET allow|deny OTHER | NET names on|off|auto | NET vxlan-peer add|del IP... [--json]",
	  "NAT on or off; let two networks reach each other, or isolate them; members' names; VXLAN peers",
	  "  nat on|off       masquerade traffic leaving the host from NET (and forward it)\n"
	  "  allow OTHER      NET and OTHER may reach each other (both ways); networks are isolated by default\n"
	  "  deny OTHER       isolate them again\n"
	  "  names on|off|auto\n"
	  "                   members find each other by name in /etc/netns/NS/hosts; auto: up to 256 members\n"
	  "  vxlan-peer add|del IP...\n"
	  "                   add or remove other hosts of a network that spans hosts (only its forwarding entries change)\n"
	  "  --json           print NET afterwards, as 'net show NET --json' does\n", verb_net_set, true, .defer_signals = true },
	/* Both reconcile the record with the kernel under the state lock: without root
	 * they could only show an empty or stale picture. */
	{ "ls", "[--json]", "List networks", NULL, net_ls, true },
	{ "show", "NET [--json]", "Show a network: subnets, members, addresses, free addresses", NULL, net_show, true },
	{ NULL },
};
