/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet as a CNI plugin. A runtime runs the plugin named by the configuration's
 * "type" from CNI_PATH, with CNI_COMMAND set, no arguments and the configuration on
 * stdin: that is how nsnet knows (main calls cni_main then). `nsnet cni` does the
 * same from a shell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

#define CONFIG_MAX (4 << 20)  /* a configuration with every port of a pod is far smaller */

int cni_main(void)
{
	static char buf[CONFIG_MAX + 1];
	size_t n = fread(buf, 1, sizeof(buf), stdin);
	struct nsnet_cni_request req = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
		.path = getenv("CNI_PATH"),
		.config = buf,
		.config_len = n > CONFIG_MAX ? 0 : n,
	};
	json_t *out = NULL;
	int code = nsnet_cni(&req, &out);
	if (out) {
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(out);
	}
	if (fflush(stdout) != 0)
		return EXIT_FAIL;
	return code ? EXIT_FAIL : EXIT_OK;
}

int verb_cni(int argc, char **argv)
{
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("cni: takes no arguments (the CNI_* variables and stdin are the request)");
	return cni_main();
}
