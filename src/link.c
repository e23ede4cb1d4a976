/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet link set LAB NODE:IF [rate R] [loss P%] [--clear] [--json]
 * A running lab's link impairment, changed in place (docs/impairments.md).
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static int link_set(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	struct nsnet_impair im = { .clear = take_flag(&argc, argv, "--clear") };
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 3)
		return usage_error("link set: expected LAB NODE:IF [rate R] [loss P%%] [--clear]");
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("link set: '%s' needs a value", argv[i]);
		if (strcmp(argv[i], "rate") == 0)
			im.rate = argv[i + 1];
		else if (strcmp(argv[i], "loss") == 0)
			im.loss = argv[i + 1];
		else
			return usage_error("link set: unknown setting '%s' (rate, loss; delay, jitter, duplicate and corrupt need netem)",
					   argv[i]);
	}
	if (!im.rate && !im.loss && !im.clear)
		return usage_error("link set: nothing to set (rate R, loss P%%, or --clear)");
	struct nsnet_error e = { 0 };
	json_t *rep = NULL;
	r = nsnet_lab_link_set(argv[1], argv[2], &im, &rep, &e);
	if (r < 0) {
		print_error(e.msg);
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (json)
		return print_result(rep);
	json_decref(rep);
	return EXIT_OK;
}

const struct verb link_verbs[] = {
	{ "set", "LAB NODE:IF [rate R] [loss P%] [--clear] [--json]",
	  "Change what a running lab's link end sends, in place (the link stays)",
	  "  rate R     a TBF rate limit: 10mbit, 500kbit, 1gbit (0: none)\n"
	  "  loss P%    drop P percent of what it sends, e.g. 1% or 0.5% (0: none)\n"
	  "  --clear    start from no impairment (then add what is given)\n"
	  "  --json     print {\"lab\", \"node\", \"ifname\", \"rate\", \"loss\"}\n"
	  "Unset values stay as they are. The next `up` of the lab file puts the file's back.\n"
	  "Example: nsnet link set imp ia:p0 rate 8mbit loss 1%\n", link_set, true, .defer_signals = true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
