/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * updown: bring a lab up, print its status, bring it down again, with libnsnet only
 * (no nsnet binary is run). The library's results are jansson values, so the program
 * reads them with jansson; errors are a negative errno plus one human line in
 * struct nsnet_error (see nsnet.h and docs/library.md).
 *
 *   make                        # pkg-config --cflags --libs libnsnet jansson
 *   sudo ./updown [--pause] [LAB.yaml]
 *
 * No file: the embedded default lab (red and blue on v-net-0). --pause waits for a
 * line on stdin before bringing the lab down, so it can be looked at meanwhile.
 */
#include <nsnet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library never prints: the message it left in e says what failed and why. */
static int fail(const char *what, int r, const struct nsnet_error *e)
{
	fprintf(stderr, "updown: %s: %s (error %d)\n", what, e->msg, -r);
	return EXIT_FAILURE;
}

/* One line per element of a kind ("networks", "nodes", "links") of a status report:
 * its name (a link: its two nodes) and whether the kernel has it as it should be. */
static void print_kind(const json_t *status, const char *kind)
{
	size_t i;
	json_t *el;
	json_array_foreach(json_object_get(status, kind), i, el) {
		char name[160];
		json_t *nodes = json_object_get(el, "nodes");
		if (nodes)
			snprintf(name, sizeof(name), "%s -- %s", json_string_value(json_array_get(nodes, 0)),
				 json_string_value(json_array_get(nodes, 1)));
		else if (json_is_string(json_object_get(el, "name")))
			snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(el, "name")));
		else
			snprintf(name, sizeof(name), "?");
		json_t *ok = json_object_get(el, json_object_get(el, "exists") ? "exists" : "ok");
		printf("  %-8s %-24s %s\n", kind, name, json_is_true(ok) ? "ok" : "MISSING");
	}
}

int main(int argc, char **argv)
{
	bool wait_enter = argc > 1 && !strcmp(argv[1], "--pause");
	if (argc - wait_enter > 2 || (argc - wait_enter == 2 && argv[1 + wait_enter][0] == '-')) {
		fprintf(stderr, "usage: %s [--pause] [LAB.yaml]\n", argv[0]);
		return 2;
	}
	const char *file = argc - wait_enter == 2 ? argv[1 + wait_enter] : NULL;
	struct nsnet_error e = { 0 };
	json_t *report = NULL, *status = NULL;
	int r;

	/* Optional (NULL: /run/nsnet); shown because a program sets it once, first. */
	if ((r = nsnet_configure(NULL, &e)) < 0)
		return fail("configure", r, &e);
	if ((r = nsnet_lab_up(file, NULL, &report, &e)) < 0)
		return fail("up", r, &e);
	/* Down by the lab's name, which the report gives (a file would do as well);
	 * the report owns the string, so it is kept until then. */
	const char *lab = json_string_value(json_object_get(report, "lab"));
	printf("lab '%s' is up (%zu changes)\n", lab, json_array_size(json_object_get(report, "steps")));

	if ((r = nsnet_lab_status(lab, &status, &e)) < 0) {
		fail("status", r, &e);
	} else {
		printf("status: %s\n", json_string_value(json_object_get(status, "status")));
		print_kind(status, "networks");
		print_kind(status, "nodes");
		print_kind(status, "links");
		json_decref(status);
	}
	fflush(stdout);

	if (wait_enter) {
		char line[64];
		printf("press Enter to bring '%s' down\n", lab);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			fprintf(stderr, "updown: end of input: bringing '%s' down\n", lab);
	}
	/* Whatever happened above, leave nothing behind. */
	int down = nsnet_lab_down(lab, &e);
	if (down < 0)
		fail("down", down, &e);
	else
		printf("lab '%s' is down\n", lab);
	json_decref(report);
	return r < 0 || down < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
