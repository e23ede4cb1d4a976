/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet connect A B / nsnet disconnect A B: a veth cable between two namespaces. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* One end of the cable, as connect --json says it: {ns, ifname, ip or null}. */
static json_t *end_json(const char *ns, const char *ifname, const struct nsnet_prefix *ip)
{
	char buf[64];
	return json_pack("{s:s, s:s, s:s?}", "ns", ns, "ifname", ifname, "ip",
			 ip ? nsnet_prefix_str(ip, true, buf, sizeof(buf)) : NULL);
}

int verb_connect(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	const char *ip = NULL, *subnet = NULL, *ifnames = NULL, *mtu_s = NULL;
	if (take_opt(&argc, argv, "--ip", &ip) < 0 || take_opt(&argc, argv, "--subnet", &subnet) < 0 ||
	    take_opt(&argc, argv, "--ifnames", &ifnames) < 0 || take_opt(&argc, argv, "--mtu", &mtu_s) < 0)
		return EXIT_USAGE;
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 3)
		return usage_error("connect: two namespaces are needed: nsnet connect A B");
	if (ip && subnet)
		return usage_error("connect: --ip and --subnet exclude each other");
	struct nsnet_error e = { 0 };
	struct nsnet_veth_spec s = { .ns_a = argv[1], .ns_b = argv[2] };
	char if_a[256], if_b[256];
	if (ifnames) {
		if (split_pair("--ifnames", ifnames, if_a, if_b))
			return EXIT_USAGE;
	} else {
		nsnet_veth_default_name(s.ns_b, if_a);
		nsnet_veth_default_name(s.ns_a, if_b);
	}
	s.if_a = if_a;
	s.if_b = if_b;
	struct nsnet_prefix pa, pb;
	if (ip) {
		char a[256], b[256];
		if (split_pair("--ip", ip, a, b))
			return EXIT_USAGE;
		if (nsnet_prefix_parse(a, true, &pa, &e) < 0 || nsnet_prefix_parse(b, true, &pb, &e) < 0)
			return usage_error("connect: %s", e.msg);
		s.ip_a = &pa;
		s.ip_b = &pb;
	} else if (subnet) {
		struct nsnet_prefix net;
		uint64_t first, last;
		if (nsnet_prefix_parse(subnet, true, &net, &e) < 0)
			return usage_error("connect: %s", e.msg);
		nsnet_prefix_network(&net, &net);
		nsnet_prefix_host_range(&net, &first, &last);
		if (last < first + 1 || nsnet_prefix_nth(&net, first, &pa) < 0 || nsnet_prefix_nth(&net, first + 1, &pb) < 0)
			return usage_error("connect: subnet %s has fewer than two usable addresses", subnet);
		pa.len = pb.len = net.len;
		s.ip_a = &pa;
		s.ip_b = &pb;
	}
	if (mtu_s) {
		unsigned long m;
		if (parse_uint("MTU", mtu_s, 68, 65535, &m))
			return EXIT_USAGE;
		s.mtu = (unsigned)m;
	}
	r = nsnet_veth_add(&s, &e);
	if (r == -EINVAL)
		return usage_error("connect: %s", e.msg);
	if (r < 0)
		return fail(&e);
	if (!json)
		return EXIT_OK;
	return print_result(json_pack("{s:o, s:o, s:o}", "a", end_json(s.ns_a, s.if_a, s.ip_a), "b",
				      end_json(s.ns_b, s.if_b, s.ip_b), "mtu", s.mtu ? json_integer(s.mtu) : json_null()));
}

int verb_disconnect(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	const char *ifname = NULL;
	if (take_opt(&argc, argv, "--ifname", &ifname) < 0)
		return EXIT_USAGE;
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 3)
		return usage_error("disconnect: two namespaces are needed: nsnet disconnect A B");
	struct nsnet_error e = { 0 };
	for (int i = 1; i <= 2; i++)
		if (strcmp(argv[i], NSNET_HOST) != 0 && nsnet_ns_name_check(argv[i], &e) < 0)
			return usage_error("disconnect: %s", e.msg);
	char def[16];
	if (!ifname) {
		nsnet_veth_default_name(argv[2], def);
		ifname = def;
	} else if (nsnet_ifname_check(ifname, &e) < 0) {
		return usage_error("disconnect: %s", e.msg);
	}
	if (!nsnet_ns_exists(argv[1]) || !nsnet_ns_exists(argv[2])) {
		nsnet_errx(&e, ENOENT, "disconnect: namespace '%s' not found", nsnet_ns_exists(argv[1]) ? argv[2] : argv[1]);
		return fail(&e);
	}
	if (nsnet_link_del(argv[1], ifname, &e) < 0) {
		nsnet_err_wrap(&e, "disconnect %s %s", argv[1], argv[2]);
		return fail(&e);
	}
	if (!json)
		return EXIT_OK;
	return print_result(json_pack("{s:s, s:s, s:s, s:b}", "a", argv[1], "b", argv[2], "ifname", ifname, "removed", true));
}
