/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet monitor [LAB|NS...] [--json] [--count N]
 *
 * The library reports each event as one JSON object: --json prints it as one line,
 * the text form is the library's rendering of the same object. Every line is
 * flushed at once, so a pipe sees each event as it happens.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

struct out {
	bool json;
	unsigned long count, seen;   /* count 0: no limit */
};

static int on_event(const json_t *ev, void *data)
{
	struct out *o = data;
	if (o->json) {
		if (json_dumpf(ev, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
			return -ENOMEM;
		fputc('\n', stdout);
	} else {
		struct nsnet_error e = { 0 };
		char *line;
		if (nsnet_monitor_text(ev, &line, &e) < 0)
			return -e.code;
		puts(line);
		free(line);
	}
	if (fflush(stdout) != 0)
		return errno ? -errno : -EIO;
	return o->count && ++o->seen >= o->count;
}

static void on_ready(size_t n, void *data)
{
	(void)data;
	fprintf(stderr, "nsnet: monitoring %zu namespace%s\n", n, n == 1 ? "" : "s");
}

int verb_monitor(int argc, char **argv)
{
	struct out o = { .json = take_flag(&argc, argv, "--json") };
	const char *count = NULL;
	int r = take_opt(&argc, argv, "--count", &count);
	if (r < 0)
		return EXIT_USAGE;
	if (count && (r = parse_uint("--count", count, 1, ULONG_MAX, &o.count)))
		return r;
	if ((r = reject_unknown_opts(argc, argv)))
		return r;
	int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;

	/* Three descriptors a namespace (two sockets and the namespace): a lab of a
	 * thousand nodes needs more than the usual soft limit of 1024. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	int sfd = cli_stop_fd();  /* a signal ends the watch with exit 0 */
	if (sfd < 0)
		return sfd == -1 ? EXIT_OK : EXIT_FAIL;
	struct nsnet_monitor_opts mo = {
		.targets = (const char *const *)argv + first,
		.n = (size_t)(argc - first),
		.event = on_event,
		.ready = on_ready,
		.data = &o,
		.stop_fd = sfd,
	};
	struct nsnet_error e = { 0 };
	r = nsnet_monitor(&mo, &e);
	close(sfd);
	return r < 0 ? fail(&e) : EXIT_OK;
}
