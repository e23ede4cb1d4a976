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

static int ns_list(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	drop_dashdash(&argc, argv);
	if (argc != 1)
		return usage_error("ns list: takes no arguments");
	struct nsnet_error e = { 0 };
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
		return usage_error("ns pids: exactly one NAME is needed");
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
	{ "list", "[--json]",        "List named namespaces (those of ip netns too)", NULL, ns_list, true },
	{ "pids", "NAME [--json]",   "List the pids of processes in a namespace", NULL, ns_pids, true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};

