/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet: the verb table. Every verb lives in its own file; help is generated here. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static const struct verb verbs[] = {
	{ "ns",         "add|del|list|pids ...", "Manage named network namespaces (compatible with ip netns)", NULL, NULL, false, ns_verbs },
	{ "exec",       "NAME -- CMD [ARG...]",  "Run a command inside a namespace, as ip netns exec does", NULL, verb_exec, true },
	{ "show",       "[NAME...] [--json]",    "Show interfaces, addresses, routes, neighbours of namespaces", NULL, verb_show, true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		puts("nsnet " NSNET_VERSION);
		return EXIT_OK;
	}
	int r = verb_dispatch("nsnet", verbs, argc - 1, argv + 1);
	if (fflush(stdout) != 0 && r == 0)
		return EXIT_FAIL;
	return r;
}
