/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet net set NET nat on|off
 * nsnet net set NET allow OTHER    (both ways)
 * nsnet net set NET deny OTHER     (isolated again: the default)
 * nsnet net set NET names on|off|auto   (members' names in each other's hosts files)
 * nsnet net set NET vxlan-peer add|del IP...   (a network that spans hosts: its peers)
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* vxlan-peer add|del IP...: only the forwarding entries change. */
static int set_peers(const char *net, int argc, char **argv, struct nsnet_error *e)
{
	struct nsnet_prefix ips[NSNET_VXLAN_PEERS_MAX];
	bool add = strcmp(argv[0], "add") == 0;
	if (!add && strcmp(argv[0], "del") != 0)
		return usage_error("net set: vxlan-peer: expected 'add' or 'del', not '%s'", argv[0]), -EINVAL;
	if (argc < 2)
		return usage_error("net set: vxlan-peer %s: at least one address is needed", argv[0]), -EINVAL;
	if (argc - 1 > NSNET_VXLAN_PEERS_MAX)
		return usage_error("net set: vxlan-peer: at most %d addresses", NSNET_VXLAN_PEERS_MAX), -EINVAL;
	for (int i = 1; i < argc; i++)
		if (nsnet_addr_parse(argv[i], &ips[i - 1], e) < 0)
			return usage_error("net set: vxlan-peer: %s", e->msg), -EINVAL;
	size_t n = (size_t)argc - 1;
	int r = nsnet_net_set_vxlan_peers(net, add ? ips : NULL, add ? n : 0, add ? NULL : ips, add ? 0 : n, e);
	if (r < 0)
		print_error(e->msg);
	return r;
}

int verb_net_set(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc >= 4 && strcmp(argv[2], "vxlan-peer") == 0) {
		struct nsnet_error e = { 0 };
		if ((r = set_peers(argv[1], argc - 3, argv + 3, &e)) == 0)
			return json ? net_print_info(argv[1]) : EXIT_OK;
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (argc != 4)
		return usage_error("net set: expected NET nat on|off, NET allow OTHER, NET deny OTHER or NET names on|off|auto");
	const char *net = argv[1], *what = argv[2], *arg = argv[3];
	struct nsnet_error e = { 0 };
	if (strcmp(what, "nat") == 0) {
		bool on = strcmp(arg, "on") == 0;
		if (!on && strcmp(arg, "off") != 0)
			return usage_error("net set: nat: expected 'on' or 'off', not '%s'", arg);
		r = nsnet_net_set_nat(net, on, &e);
	} else if (strcmp(what, "allow") == 0 || strcmp(what, "deny") == 0) {
		r = nsnet_net_allow(net, arg, what[0] == 'a', &e);
	} else if (strcmp(what, "names") == 0) {
		enum nsnet_names n = strcmp(arg, "on") == 0    ? NSNET_NAMES_ON
				     : strcmp(arg, "off") == 0 ? NSNET_NAMES_OFF
							       : NSNET_NAMES_AUTO;
		if (n == NSNET_NAMES_AUTO && strcmp(arg, "auto") != 0)
			return usage_error("net set: names: expected 'on', 'off' or 'auto', not '%s'", arg);
		r = nsnet_net_set_names(net, n, &e);
	} else {
		return usage_error("net set: unknown setting '%s' (expected nat, allow, deny or names)", what);
	}
	if (r == 0)
		return json ? net_print_info(net) : EXIT_OK;
	print_error(e.msg);
	return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}
