/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet exec NAME -- CMD [ARG...]: the command replaces nsnet, so its exit status,
 * stdio and signals are its own. 127: command not found, 126: not executable. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

int verb_exec(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("exec: NAME and a command are needed: nsnet exec NAME -- CMD [ARG...]");
	const char *name = argv[1];
	int cmd = 2;
	if (cmd < argc && strcmp(argv[cmd], "--") == 0)
		cmd++;
	if (cmd >= argc)
		return usage_error("exec %s: no command given", name);
	struct nsnet_error e = { 0 };
	int r = nsnet_exec(name, argv + cmd, &e);
	print_error(e.msg);
	if (r == -ENOENT && nsnet_ns_exists(name))
		return 127;
	if (r == -EACCES || r == -ENOEXEC)
		return 126;
	return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}
