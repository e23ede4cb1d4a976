/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet: the verb table. Every verb lives in its own file; help is generated here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static const struct verb verbs[] = {
	{ "up",         "[FILE] [--dry-run] [--explain] [--json]", "Bring a lab up from a topology file (no FILE: the embedded default lab)",
	  "  --dry-run   print the plan, change nothing\n"
	  "  --explain   print each step with the equivalent ip/nft commands\n"
	  "  --json      print the plan/report as JSON\n"
	  "Running up again on a running lab changes only what differs from the file.\n"
	  "SIGINT or SIGTERM at any moment rolls back: the lab stays as it was.\n", verb_up, true, .defer_signals = true },
	{ "down",       "[FILE|LAB] [--json]",   "Remove a lab and everything it made (works without the file)",
	  "  --json   say what was removed: {\"lab\": NAME, \"removed\": true}\n", verb_down, true, .defer_signals = true },
	{ "status",     "[FILE|LAB] [--json]",   "Show a lab, checked against the kernel (exit 1 when degraded)", NULL, verb_status, true },
	{ "ls",         "[--json]",              "List labs", NULL, verb_labs, true },
	{ "graph",      "[FILE|LAB] [--format dot|svg|png] [-o FILE] [--json]", "Draw a lab: Graphviz DOT, or an SVG/PNG picture (live state when it is up)",
	  "  --format F   dot (DOT text), svg or png (rendered with libgvc); the default is\n"
	  "               dot, or svg/png when -o names a .svg/.png file\n"
	  "  -o FILE      write to FILE instead of stdout (a PNG is not written to a terminal)\n"
	  "  --json       {\"lab\", \"dot\"}: the DOT text as JSON\n"
	  "While the lab is up the picture is live: what is down, missing or stopped is red\n"
	  "(dashed when down or gone); otherwise it is the file's, and its title says so.\n", verb_graph, true },
	{ "pingall",    "[FILE|LAB] [--arp-all] [--json]", "Every node pings every address of every other node (exit 1 if neighbours fail)",
	  "Every pair gets an ICMP echo. Each node resolves one neighbour per network by\n"
	  "ARP/NDP (the next node, round a ring), so every node both asks and answers; the\n"
	  "other pairs on a shared network are pinged with both ends' neighbour entries put\n"
	  "in beforehand (permanent, exempt from the machine-wide limit) and deleted after.\n"
	  "  --arp-all  every pair on a shared network resolves by ARP/NDP itself (slow: waves\n"
	  "             of a few hundred pairs; minutes past some 200 nodes, docs/labs.md)\n"
	  "  --json     every pair: {src, dst, addr, ok, required}, and the counts\n", verb_pingall, true },
	{ "gc",         "[--json]",              "Undo what killed commands left behind (interrupted ups, stale addresses)", NULL, verb_gc, true, .defer_signals = true },
	{ "ns",         "add|del|list|pids ...", "Manage named network namespaces (compatible with ip netns)", NULL, NULL, false, ns_verbs },
	{ "exec",       "NS -- CMD [ARG...]",    "Run a command inside a namespace (NS: NAME, pid:N or a namespace file), as ip netns exec does", NULL, verb_exec, true, NULL, true },
	{ "show",       "[NS...] [--json]",      "Show interfaces, addresses, routes, neighbours of namespaces",
	  "  NS       a named namespace, pid:N, a namespace file, or host for this one\n"
	  "           (default: every named namespace)\n"
	  "  --json   the same model as JSON (keys: docs/show-json.md)\n", verb_show, true },
	{ "capture",    "NODE[:IF] [-w FILE|-] [--count N] [-s SNAPLEN] [-p] [--json] [FILTER...]",
	  "Capture packets on an interface of a namespace, or on all of them (pcap, or a line each)",
	  "  NODE       a namespace (or host); NODE:IF one interface of it. Without :IF every\n"
	  "             interface that is up, except lo (NODE:lo captures lo)\n"
	  "  FILTER     a BPF filter in tcpdump syntax (the remaining arguments, joined)\n"
	  "  -w FILE    write standard pcap to FILE (created 0600) instead of printing;\n"
	  "             -w - streams it to stdout: | tcpdump -r -  or  | wireshark -k -i -\n"
	  "  --count N  stop after N packets (-c N too); else at SIGINT/SIGTERM\n"
	  "  -s N       keep at most N bytes of each packet (default and maximum 262144)\n"
	  "  -p         do not put the interfaces in promiscuous mode\n"
	  "  --json     one JSON object a line per packet (keys: docs/capture.md)\n"
	  "Status goes to stderr: 'capturing on ...' once it listens, the counts at the end.\n"
	  "A bad filter is exit 2, and nothing is written.\n", verb_capture, true, .defer_signals = true },
	{ "monitor",    "[LAB|NS...] [--json] [--count N]", "Print live events: links, addresses, routes, neighbours, nsnet's firewall",
	  "  LAB       a lab's name: its nodes (a lab's name wins over a namespace's)\n"
	  "  NS        a namespace, or host (default: every named namespace, and host)\n"
	  "  --json    one JSON object per line (keys: docs/monitor.md)\n"
	  "  --count N exit 0 after N events\n"
	  "One line per event, tagged with the time and the namespace, worded as ip monitor:\n"
	  "  12:00:01.123456 [red] addr add 10.0.0.1/24 dev eth0\n"
	  "Namespaces named later (every name, a lab's nodes, or a name given) are picked up\n"
	  "(netns add), and dropped when their name goes (netns del). Changes of nsnet's own\n"
	  "nftables table are reported too (nft add|del). Runs until SIGINT or SIGTERM (exit 0);\n"
	  "'nsnet: monitoring N namespaces' on stderr says every socket is subscribed.\n",
	  verb_monitor, true, .defer_signals = true },
	{ "net",        "create|attach|detach|rm|ls|show ...", "Networks: a bridge as the switch, with address management",
	  NULL, NULL, false, net_verbs },
	{ "connect",    "A B [--ip CIDR_A,CIDR_B | --subnet CIDR] [--ifnames IF_A,IF_B] [--mtu N] [--json]",
	  "Cable two namespaces (or host) with a veth pair, both ends up and addressed",
	  "  --ip CIDR_A,CIDR_B    addresses of A's and B's ends (with prefix length)\n"
	  "  --subnet CIDR         give the ends the first two usable addresses of CIDR\n"
	  "  --ifnames IF_A,IF_B   interface names (default: to-B in A, to-A in B)\n"
	  "  --mtu N               MTU of both ends\n"
	  "  --json                say what was made: {\"a\": {ns, ifname, ip}, \"b\": {...}, \"mtu\"}\n",
	  verb_connect, true, .defer_signals = true },
	{ "disconnect", "A B [--ifname IF_A] [--json]", "Remove the veth pair between A and B",
	  "  --ifname IF_A   A's end, when it is not the default to-B\n"
	  "  --json          say what was removed: {\"a\", \"b\", \"ifname\", \"removed\": true}\n",
	  verb_disconnect, true, .defer_signals = true },
	{ "link",       "set ...",               "Change a running lab's link impairments (rate, loss) in place", NULL, NULL, false, link_verbs },
	{ "route",      "add|del|ls ...",        "Add, remove or list static routes in a namespace (IPv4 and IPv6)", NULL, NULL, false, route_verbs },
	{ "router",     "NS [on|off] [--json]",  "Turn IPv4+IPv6 forwarding on or off in a namespace (no argument: show it)",
	  "  --json   {\"namespace\", \"ipv4_forwarding\", \"ipv6_forwarding\"} as booleans (after on|off: as it now is)\n",
	  verb_router, true, .defer_signals = true },
	{ "doctor",     "SRC DST [--port N] [--proto icmp|tcp|udp] [--size BYTES] [--timeout MS] [--json]", "Say why SRC cannot reach DST, and how to fix it",
	  "  SRC              a namespace, or host\n"
	  "  DST              a namespace or lab node (its first global address), host, or an address\n"
	  "  --port N         probe TCP port N (or UDP with --proto udp) and check that something listens\n"
	  "  --proto P        icmp (default), tcp or udp\n"
	  "  --size BYTES     an ICMP probe of that many bytes (IP packet), don't-fragment set,\n"
	  "                   and every MTU on the path checked against it\n"
	  "  --timeout MS     how long the probe waits (default 1000)\n"
	  "  --json           the report as JSON (keys: docs/doctor.md)\n"
	  "Exit 0 when DST is reachable, 1 when not.\n", verb_doctor, true },
	{ "publish",    "[HOST_IP:]HOST_PORT NS:PORT [--proto tcp|udp] [--net NET] [--json] | ls [--json]",
	  "Publish a namespace's port on the host (outside, host, 127.0.0.1, every network)",
	  "  HOST_IP          only this address of the host (default: every address)\n"
	  "  --proto P        tcp (default) or udp\n"
	  "  --net NET        the network to reach NS on, when it is on several\n"
	  "  --json           print the published port as 'publish ls --json' lists it\n"
	  "  ls [--json]      list published ports\n", verb_publish, true, .defer_signals = true },
	{ "unpublish",  "[HOST_IP:]HOST_PORT [--proto tcp|udp] [--json]", "Remove a published port",
	  "  --proto P   tcp (default) or udp\n"
	  "  --json      print {\"proto\", \"host_ip\" (null: every address), \"host_port\", \"removed\": true}\n",
	  verb_unpublish, true, .defer_signals = true },
	{ "fw",         "status|restore|watch ...", "nsnet's nftables table: status, restore (or watch) after a firewall reload", NULL, NULL, false, fw_verbs },
	{ "run",        "[--net NET] [--ip IP] [-p [HOST_IP:]HOST_PORT:PORT[/udp]]... [--name NAME] [--hostname H] [-d [--json]] [--rm] -- CMD [ARG...]",
	  "Run a command as PID 1 of its own namespaces, on a network, with ports published",
	  "  --net NET         attach to network NET (default route via its gateway)\n"
	  "  --ip IP           a static address on NET (default: the pool's next)\n"
	  "  -p, --publish P   publish [HOST_IP:]HOST_PORT:PORT[/udp] (repeatable)\n"
	  "  --name NAME       the namespace's name, seen by show, exec, doctor, net show (default: run-XXXXXX)\n"
	  "  --hostname H      its hostname (default: NAME)\n"
	  "  -d, --detach      run in the background: print NAME; output in 'nsnet logs NAME'\n"
	  "  --rm              with -d: forget the run when it exits (else ps shows it until 'nsnet stop')\n"
	  "New network, PID, UTS, IPC and mount namespaces: CMD is PID 1, ps inside sees only\n"
	  "its tree. Signals are forwarded; SIGKILL 10 s after SIGINT/SIGTERM/SIGHUP. The exit\n"
	  "status is CMD's (128+N when killed by signal N). Everything is released when CMD\n"
	  "ends; if nsnet is killed, CMD dies too and 'nsnet gc' releases the rest.\n", verb_run, true },
	{ "ps",         "[--json]",              "List runs (nsnet run): running, exited (-d), orphaned", NULL, verb_ps, true },
	{ "logs",       "NAME | LAB NODE",       "Print the output of a detached run, or of a lab node's services", NULL, verb_logs, true },
	{ "stop",       "NAME... [--json]",      "Stop runs (SIGTERM, SIGKILL after 10 s) and forget them", NULL, verb_stop, true, .defer_signals = true },
	{ "cni",        "",                      "Serve one CNI plugin request (CNI_* variables, configuration on stdin)",
	  "nsnet is a CNI plugin: a runtime runs it with CNI_COMMAND set and no arguments\n"
	  "(type \"nsnet\" in a network configuration, nsnet in CNI_PATH). See docs/cni.md.\n",
	  verb_cni, true, .defer_signals = true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};

/* The library reads no environment: the program's settings are the CLI's to take
 * (docs/security.md says who may set them). */
static int configure(void)
{
	const char *v = getenv("NSNET_IGNORE_FOREIGN_FIREWALL");
	struct nsnet_config c = {
		.state_root = getenv("NSNET_STATE_ROOT"),
		.ignore_foreign_firewall = v && *v && strcmp(v, "0") != 0,
	};
	if (c.state_root && !*c.state_root)
		c.state_root = NULL;
	struct nsnet_error e = { 0 };
	if (nsnet_configure(&c, &e) < 0) {
		fprintf(stderr, "nsnet: NSNET_STATE_ROOT: %s\n", e.msg);
		return EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	cli_block_signals();
	int r = configure();
	if (r)
		return r;
	/* A runtime running its CNI plugin: no arguments, CNI_COMMAND set. */
	if (argc == 1 && getenv("CNI_COMMAND"))
		return cni_main();
	/* Global options before the verb: `nsnet --json ls` is `nsnet ls --json`. */
	while (argc >= 2 && strcmp(argv[1], "--json") == 0) {
		cli_global_json = true;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		puts("nsnet " NSNET_VERSION);
		return EXIT_OK;
	}
	r = verb_dispatch("nsnet", verbs, argc - 1, argv + 1);
	if (fflush(stdout) != 0 && r == 0)
		return EXIT_FAIL;
	return r;
}
