/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet ns add|del|list|pids */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* After the options are taken, drop the "--" that ends them, so that a name starting
 * with '-' can be given ("nsnet ns add -- -x") and "--" is never taken for a name. */
static void drop_dashdash(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(char *));
			(*argc)--;
			return;
		}
}

/* How ns add and ns del end: the error (bad input exits 2), or with --json the
 * names, under key ("added", "deleted"). */
static int ns_done(int r, const struct nsnet_error *e, bool json, const char *key, int argc, char **argv)
{
	if (r < 0)
		return print_error(e->msg), r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	return json ? print_result(json_pack("{s:o}", key, json_strv(argv + 1, argc - 1))) : EXIT_OK;
}

static int ns_add(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	drop_dashdash(&argc, argv);
	if (argc < 2)
		return usage_error("ns add: at least one NAME is needed");
	struct nsnet_error e = { 0 };
	r = nsnet_ns_add((const char *const *)argv + 1, argc - 1, &e);
	return ns_done(r, &e, json, "added", argc, argv);
}

static int ns_del(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	bool force = take_flag(&argc, argv, "--force");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	drop_dashdash(&argc, argv);
	if (argc < 2)
		return usage_error("ns del: at least one NAME is needed");
	struct nsnet_error e = { 0 };
	r = nsnet_ns_del((const char *const *)argv + 1, argc - 1, force, &e);
	return ns_done(r, &e, json, "deleted", argc, argv);
}

/* What a --all row calls a namespace: its names, else its mounts, else "host" for
 * ours, else "-" (held by processes only). */
static void where_str(json_t *ns, char *buf, size_t len)
{
	json_t *list = json_array_size(json_object_get(ns, "names")) ? json_object_get(ns, "names")
								     : json_object_get(ns, "mounts");
	size_t i, off = 0;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(list, i, v)
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s", i ? "," : "", json_string_value(v));
	if (!buf[0])
		snprintf(buf, len, "%s", json_is_true(json_object_get(ns, "host")) ? "host" : "-");
}

/* "lab L node N; net X eth0 10.0.0.2/24 (cni ID); run R", or "-". */
static void nsnet_str(json_t *k, char *buf, size_t len)
{
	size_t off = 0;
	size_t i;
	json_t *m;
	buf[0] = '\0';
#define ADD(...) (off += off < len ? (size_t)snprintf(buf + off, len - off, __VA_ARGS__) : 0)
	json_t *lab = json_object_get(k, "lab");
	if (lab)
		ADD("lab %s node %s", json_string_value(json_object_get(lab, "name")), json_string_value(json_object_get(lab, "node")));
	json_array_foreach(json_object_get(k, "networks"), i, m) {
		ADD("%snet %s %s", off ? "; " : "", json_string_value(json_object_get(m, "network")),
		    json_string_value(json_object_get(m, "ifname")));
		size_t j;
		json_t *ip;
		json_array_foreach(json_object_get(m, "ips"), j, ip) ADD(" %s", json_string_value(ip));
		const char *c = json_string_value(json_object_get(json_object_get(m, "cni"), "container"));
		if (c)
			ADD(" (cni %.12s)", c);
	}
	if (json_object_get(k, "run"))
		ADD("%srun %s", off ? "; " : "", json_string_value(json_object_get(k, "run")));
#undef ADD
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void list_all_text(json_t *all)
{
	printf("%-12s %6s %7s  %-20s %-30s %s\n", "NS", "NPROCS", "PID", "NAME", "NSNET", "COMMAND");
	size_t i;
	json_t *ns;
	json_array_foreach(all, i, ns) {
		char where[512], known[512];
		where_str(ns, where, sizeof(where));
		nsnet_str(json_object_get(ns, "nsnet"), known, sizeof(known));
		json_t *pids = json_object_get(ns, "pids"), *first = json_array_get(pids, 0);
		char pid[16] = "-";
		if (first)
			snprintf(pid, sizeof(pid), "%lld", (long long)json_integer_value(json_object_get(first, "pid")));
		const char *cmd = first ? json_string_value(json_object_get(first, "command")) : "-";
		printf("%-12lld %6zu %7s  %-20s %-30s %s\n", (long long)json_integer_value(json_object_get(ns, "inode")),
		       json_array_size(pids), pid, where, known, cmd);
	}
}

static int ns_list(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	bool all = take_flag(&argc, argv, "--all");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	drop_dashdash(&argc, argv);
	if (argc != 1)
		return usage_error("ns list: takes no arguments");
	struct nsnet_error e = { 0 };
	if (all) {
		json_t *v;
		if (nsnet_ns_list_all(&v, &e) < 0)
			return print_error(e.msg), EXIT_FAIL;
		if (json)
			print_json(v);
		else
			list_all_text(v);
		json_decref(v);
		return EXIT_OK;
	}
	char **names;
	size_t n;
	if (nsnet_ns_list(&names, &n, &e) < 0)
		return print_error(e.msg), EXIT_FAIL;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s}", "name", names[i]));
	if (json)
		print_json(arr);
	else
		for (size_t i = 0; i < n; i++)
			puts(names[i]);
	json_decref(arr);
	nsnet_strv_free(names, n);
	return EXIT_OK;
}

static int ns_pids(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	drop_dashdash(&argc, argv);
	if (argc != 2)
		return usage_error("ns pids: exactly one namespace is needed (NAME, pid:N or a path)");
	struct nsnet_error e = { 0 };
	pid_t *pids;
	size_t n;
	r = nsnet_ns_pids(argv[1], &pids, &n, &e);
	if (r < 0)
		return print_error(e.msg), r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_integer(pids[i]));
	if (json)
		print_json(arr);
	else
		for (size_t i = 0; i < n; i++)
			printf("%d\n", pids[i]);
	json_decref(arr);
	free(pids);
	return EXIT_OK;
}

const struct verb ns_verbs[] = {
	{ "add",  "NAME... [--json]", "Create named namespaces (all or none)",
	  "  --json    print {\"added\": [NAME...]}\n", ns_add, true, .defer_signals = true },
	{ "del",  "NAME... [--force] [--json]", "Remove namespaces; --force kills processes still inside (and deletes a lab's node)",
	  "  --force   kill (SIGKILL) the processes still in the namespace first\n"
	  "  --json    print {\"deleted\": [NAME...]}\n", ns_del, true, .defer_signals = true },
	{ "list", "[--all] [--json]", "List named namespaces (those of ip netns too); --all: every one on the machine",
	  "  --all     every network namespace on the machine, named or not, once each (by inode),\n"
	  "            as lsns -t net: its names or mounts, processes, and what nsnet knows of it\n"
	  "  --json    print JSON (docs/show-json.md)\n", ns_list, true },
	{ "pids", "NS [--json]",     "List the pids of processes in a namespace (NS: NAME, pid:N or a path)", NULL, ns_pids, true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};

