/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet graph: a lab's picture, as DOT text (the default, or --json), SVG or PNG. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

/* All of data to fd; 0 or -errno. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The picture to path (made or truncated, as any tool's -o), or to stdout. */
static int put(const char *path, const char *data, size_t len)
{
	struct nsnet_error e = { 0 };
	if (!path) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			nsnet_err(&e, errno ? errno : EIO, "write to stdout");
			print_error(e.msg);
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	int r = fd < 0 ? -errno : write_all(fd, data, len);
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		nsnet_err(&e, -r, "%s %s", fd < 0 ? "open" : "write", path);
		print_error(e.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, t = strlen(tail);
	return n > t && strcasecmp(s + n - t, tail) == 0;
}

int verb_graph(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	const char *format = NULL, *out = NULL, *out2 = NULL, *lab = NULL;
	if (take_opt(&argc, argv, "--format", &format) < 0 || take_opt(&argc, argv, "-o", &out) < 0 ||
	    take_opt(&argc, argv, "--output", &out2) < 0)
		return EXIT_USAGE;
	/* Everything the command line can get wrong is said before the lab is read. */
	if (out && out2)
		return usage_error("graph: -o and --output are the same option; give one");
	out = out ? out : out2;
	/* Without --format, -o lab.svg or lab.png says which; anything else is DOT. */
	if (!format)
		format = ends_with(out, ".svg") ? "svg" : ends_with(out, ".png") ? "png" : "dot";
	if (!streq_safe(format, "dot") && !streq_safe(format, "svg") && !streq_safe(format, "png"))
		return usage_error("graph: unknown --format '%s' (dot, svg or png)", format);
	if (json && (!streq_safe(format, "dot") || out))
		return usage_error("graph: --json prints the DOT text as JSON on stdout; it takes no --format %s or -o",
				   format);
	if (out && !*out)
		return usage_error("graph: -o needs a file name");
	if (streq_safe(format, "png") && !out && isatty(STDOUT_FILENO))
		return usage_error("graph: a PNG is binary and stdout is a terminal: give -o FILE or redirect stdout");
	int r = lab_one_arg(argc, argv, &lab);
	if (r)
		return r;

	struct nsnet_error e = { 0 };
	char *dot;
	if ((r = nsnet_lab_graph(lab, &dot, &e)) < 0)
		return lab_fail(r, &e);
	if (json) {
		r = print_result(json_pack("{s:s?, s:s}", "lab", lab, "dot", dot));
		free(dot);
		return r;
	}
	if (streq_safe(format, "dot")) {
		r = put(out, dot, strlen(dot));
		free(dot);
		return r;
	}
	char *pic;
	size_t len;
	r = nsnet_graph_render(dot, format, &pic, &len, &e);
	free(dot);
	if (r < 0) {
		print_error(e.msg);
		return EXIT_FAIL;
	}
	r = put(out, pic, len);
	free(pic);
	return r;
}
