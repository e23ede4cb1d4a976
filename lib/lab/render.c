/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DOT text to a picture (SVG or PNG) through Graphviz's own library, libgvc: lay it
 * out with the dot engine and render in memory. No `dot` program is run.
 *
 * Plugins: gvContext() loads the renderers that the installed Graphviz lists in its
 * plugin configuration: svg from the core plugin, png from cairo (pango). Debian's
 * libgvc6 ships both and writes the list on install
 * (/usr/lib/x86_64-linux-gnu/graphviz/config6a, `libgvc6-config-update -c`, as
 * `dot -c` does). Without it libgvc knows no renderer; the error says so and how to
 * make it.
 *
 * libgvc reports errors by printing them (agerr) unless a handler is set; a library
 * must not print, so while it works its messages are collected (thread-local: the
 * handler takes no context) and the last one becomes the error's text.
 *
 * One context serves the process, made on first use and kept: libgvc 2.43's
 * gvContext() reads the plugin configuration into a buffer that gvFreeContext()
 * never frees (gvconfig keeps pointers into it), so a context per picture would
 * leak that much each time; kept, it stays reachable, and plugins are loaded once.
 * libgvc keeps process-wide state of its own and is not thread-safe: render from
 * one thread at a time.
 *
 * fontconfig, which pango (libgvc's text layout and cairo renderer) uses, caches
 * font patterns for the life of the process without a reference LeakSanitizer can
 * see; it is the same amount after one picture or twenty. tests/lsan.supp names
 * that library, and only it, for the ASan build.
 */
#include <gvc.h>
#include <pthread.h>
#include "lab/lab.h"
#include "base/base.h"

static __thread char gv_msg[512];

/* libgvc's message, in the pieces it writes ("Error", ": ", the text). */
static int gv_collect(char *piece)
{
	size_t have = strlen(gv_msg);
	snprintf(gv_msg + have, sizeof(gv_msg) - have, "%s", piece);
	return 0;
}

/* The last line libgvc wrote, without "Error: " and the newline. */
static const char *gv_last(void)
{
	char *s = gv_msg;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
	char *nl = strrchr(s, '\n');
	if (nl)
		s = nl + 1;
	if (strncmp(s, "Error: ", 7) == 0)
		s += 7;
	return *s ? s : "no reason given";
}

static GVC_t *gv_context;
static pthread_once_t gv_once = PTHREAD_ONCE_INIT;

static void gv_make_context(void)
{
	gv_context = gvContext();
}

int nsnet_graph_render(const char *dot, const char *format, char **ret_data, size_t *ret_len, struct nsnet_error *e)
{
	if (!format || (!streq(format, "svg") && !streq(format, "png")))
		return nsnet_errx(e, EINVAL, "unknown picture format '%s' (svg or png)", format ? format : "");
	gv_msg[0] = 0;
	agusererrf old = agseterrf(gv_collect);
	Agraph_t *g = NULL;
	bool laid_out = false;
	int r = 0;
	pthread_once(&gv_once, gv_make_context);
	GVC_t *gvc = gv_context;
	if (!gvc) {
		r = nsnet_errx(e, ENOMEM, "graphviz: cannot make a context");
		goto out;
	}
	if (!(g = agmemread(dot))) {
		r = nsnet_errx(e, EINVAL, "graphviz: the DOT text does not parse: %s", gv_last());
		goto out;
	}
	if (gvLayout(gvc, g, "dot") != 0) {
		r = nsnet_errx(e, EIO, "graphviz: layout: %s (is the dot layout plugin installed? dot -c registers plugins)",
			       gv_last());
		goto out;
	}
	laid_out = true;
	char *data = NULL;
	unsigned int len = 0;
	if (gvRenderData(gvc, g, format, &data, &len) != 0 || !data) {
		r = nsnet_errx(e, EIO, "graphviz: render %s: %s (is its plugin installed? dot -c registers plugins)", format,
			       gv_last());
		goto out;
	}
	/* libgvc's buffer is freed by libgvc (gvFreeRenderData); the caller's by free(). */
	char *copy = malloc(len ? len : 1);
	if (copy)
		memcpy(copy, data, len);
	gvFreeRenderData(data);
	if (!copy) {
		r = nsnet_err(e, ENOMEM, "graphviz: render %s", format);
		goto out;
	}
	*ret_data = copy;
	*ret_len = len;
out:
	if (laid_out)
		gvFreeLayout(gvc, g);
	if (g)
		agclose(g);
	agseterrf(old);
	return r;
}
