/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet show [NAME...] [--json]
 *
 * The library builds one JSON model per namespace; --json prints it and the text
 * form is rendered from the very same model, so the two cannot disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* ---- aligned tables ------------------------------------------------------------ */

#define MAX_COLS 9

struct table {
	size_t ncol;
	char **cells;   /* rows * ncol, row 0 the header */
	size_t rows, cap;
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->rows * t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* Add a row of ncol strings; NULL cells print as "-". */
static int table_row(struct table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->cells, cap * t->ncol * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->cells = v;
		t->cap = cap;
	}
	char **row = t->cells + t->rows * t->ncol;
	for (size_t c = 0; c < t->ncol; c++) {
		row[c] = strdup(cells[c] ? cells[c] : "-");
		if (!row[c]) {
			while (c-- > 0)
				free(row[c]);
			return -ENOMEM;
		}
	}
	t->rows++;
	return 0;
}

static void table_print(const struct table *t, FILE *f)
{
	size_t w[MAX_COLS] = { 0 };
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->ncol; c++) {
			size_t l = strlen(t->cells[r * t->ncol + c]);
			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r < t->rows; r++) {
		fputs("  ", f);
		for (size_t c = 0; c < t->ncol; c++) {
			const char *s = t->cells[r * t->ncol + c];
			/* The last column is not padded: no trailing blanks. */
			if (c + 1 == t->ncol)
				fputs(s, f);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
		fputc('\n', f);
	}
}

/* ---- reading the model ----------------------------------------------------------- */

static const char *num(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* ---- sections ----------------------------------------------------------------------- */

static int print_section(struct table *t, json_t *arr, const char *empty, FILE *f)
{
	if (json_array_size(arr) == 0)
		fprintf(f, "  %s\n", empty);
	else
		table_print(t, f);
	table_free(t);
	return 0;
}

/* "veth1 in blue": where the other end of a veth is. */
static const char *peer_text(json_t *peer, char *buf, size_t len)
{
	if (!json_is_object(peer))
		return NULL;
	const char *name = jstr(peer, "name"), *pns = jstr(peer, "namespace");
	char idx[32];
	if (!name) {
		snprintf(idx, sizeof(idx), "ifindex %lld", (long long)json_integer_value(json_object_get(peer, "index")));
		name = idx;
	}
	snprintf(buf, len, "%s in %s", name, pns ? pns : "an unnamed namespace");
	return buf;
}

static int interfaces(json_t *ns, FILE *f)
{
	static const char *const head[] = { "INTERFACE", "INDEX", "KIND",   "STATE", "ADMIN",
					    "MTU",       "MAC",   "MASTER", "PEER" };
	struct table t = { .ncol = 9 };
	json_t *arr = json_object_get(ns, "interfaces"), *o;
	size_t i;
	int r = table_row(&t, head);
	json_array_foreach(arr, i, o) {
		char ib[24], mb[24], pb[512];
		const char *cols[] = { jstr(o, "name"),
				       num(o, "index", ib, sizeof(ib)),
				       jstr(o, "kind"),
				       jstr(o, "operstate"),
				       json_is_true(json_object_get(o, "admin_up")) ? "up" : "down",
				       num(o, "mtu", mb, sizeof(mb)),
				       jstr(o, "mac"),
				       jstr(o, "master"),
				       peer_text(json_object_get(o, "peer"), pb, sizeof(pb)) };
		if (r == 0)
			r = table_row(&t, cols);
	}
	if (r < 0)
		return table_free(&t), r;
	return print_section(&t, arr, "no interfaces", f);
}

static int addresses(json_t *ns, FILE *f)
{
	static const char *const head[] = { "ADDRESS", "DEV", "SCOPE", "FLAGS" };
	struct table t = { .ncol = 4 };
	json_t *arr = json_object_get(ns, "addresses"), *o;
	size_t i;
	int r = table_row(&t, head);
	json_array_foreach(arr, i, o) {
		char ab[80], fb[256] = "";
		snprintf(ab, sizeof(ab), "%s/%lld", jstr(o, "address"),
			 (long long)json_integer_value(json_object_get(o, "prefixlen")));
		json_t *fl;
		size_t k;
		json_array_foreach(json_object_get(o, "flags"), k, fl)
			snprintf(fb + strlen(fb), sizeof(fb) - strlen(fb), "%s%s", k ? "," : "", json_string_value(fl));
		const char *cols[] = { ab, jstr(o, "dev"), jstr(o, "scope"), *fb ? fb : NULL };
		if (r == 0)
			r = table_row(&t, cols);
	}
	if (r < 0)
		return table_free(&t), r;
	return print_section(&t, arr, "no addresses", f);
}

/* Gateways and devices of a route; for a multipath route those of each next hop. */
static void route_hops(json_t *o, char *via, size_t vl, char *dev, size_t dl)
{
	json_t *hops = json_object_get(o, "nexthops"), *h;
	size_t i;
	*via = *dev = 0;
	if (json_array_size(hops) == 0) {
		snprintf(via, vl, "%s", jstr(o, "gateway") ? jstr(o, "gateway") : "-");
		snprintf(dev, dl, "%s", jstr(o, "dev") ? jstr(o, "dev") : "-");
		return;
	}
	json_array_foreach(hops, i, h) {
		snprintf(via + strlen(via), vl - strlen(via), "%s%s", i ? "," : "", jstr(h, "gateway") ? jstr(h, "gateway") : "-");
		snprintf(dev + strlen(dev), dl - strlen(dev), "%s%s", i ? "," : "", jstr(h, "dev") ? jstr(h, "dev") : "-");
	}
}

static int routes(json_t *ns, FILE *f)
{
	static const char *const head[] = { "ROUTE", "VIA", "DEV", "PROTO", "SCOPE", "METRIC", "SRC" };
	struct table t = { .ncol = 7 };
	json_t *arr = json_object_get(ns, "routes"), *o;
	size_t i;
	int r = table_row(&t, head);
	json_array_foreach(arr, i, o) {
		char db[128], via[512], dev[256], mb[24];
		const char *type = jstr(o, "type");
		/* As ip does: the type is named only when it is not a plain unicast route. */
		if (type && strcmp(type, "unicast") != 0)
			snprintf(db, sizeof(db), "%s %s", type, jstr(o, "dst"));
		else
			snprintf(db, sizeof(db), "%s", jstr(o, "dst"));
		route_hops(o, via, sizeof(via), dev, sizeof(dev));
		const char *cols[] = { db, via, dev, jstr(o, "protocol"), jstr(o, "scope"), num(o, "metric", mb, sizeof(mb)),
				       jstr(o, "prefsrc") };
		if (r == 0)
			r = table_row(&t, cols);
	}
	if (r < 0)
		return table_free(&t), r;
	return print_section(&t, arr, "no routes", f);
}

static int neighbours(json_t *ns, FILE *f)
{
	static const char *const head[] = { "NEIGHBOUR", "LLADDR", "DEV", "STATE" };
	struct table t = { .ncol = 4 };
	json_t *arr = json_object_get(ns, "neighbours"), *o;
	size_t i;
	int r = table_row(&t, head);
	json_array_foreach(arr, i, o) {
		char sb[128];
		snprintf(sb, sizeof(sb), "%s%s", jstr(o, "state"),
			 json_is_true(json_object_get(o, "router")) ? ",router" : "");
		const char *cols[] = { jstr(o, "address"), jstr(o, "lladdr"), jstr(o, "dev"), sb };
		if (r == 0)
			r = table_row(&t, cols);
	}
	if (r < 0)
		return table_free(&t), r;
	return print_section(&t, arr, "no neighbours", f);
}

static const char *onoff(json_t *v)
{
	return json_is_true(v) ? "on" : json_is_false(v) ? "off" : "unknown";
}

static int print_ns(json_t *ns, FILE *f)
{
	fprintf(f, "namespace %s\n", jstr(ns, "namespace"));
	int r;
	if ((r = interfaces(ns, f)) < 0 || (r = addresses(ns, f)) < 0 || (r = routes(ns, f)) < 0 ||
	    (r = neighbours(ns, f)) < 0)
		return r;
	json_t *fw = json_object_get(ns, "forwarding");
	fprintf(f, "  forwarding: ipv4 %s, ipv6 %s\n", onoff(json_object_get(fw, "ipv4")),
		onoff(json_object_get(fw, "ipv6")));
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ns, "impairments"), i, o) {
		const char *rate = jstr(o, "rate"), *loss = jstr(o, "loss");
		fprintf(f, "  impairment: %s sends%s%s%s%s\n", jstr(o, "dev"), rate ? " rate " : "", rate ? rate : "",
			loss ? " loss " : "", loss ? loss : "");
	}
	return 0;
}

int verb_show(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	for (int i = 1; i < argc; i++)
		if (nsnet_ns_ref_check(argv[i], &e) < 0)
			return usage_error("show: %s", e.msg);
	json_t *model = NULL;
	/* -EINVAL: a file that is not a network namespace, a usage error as a bad name is. */
	if ((r = nsnet_show((const char *const *)argv + 1, argc - 1, &model, &e)) < 0)
		return print_error(e.msg), r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	if (json) {
		r = print_json(model);
	} else if (json_array_size(model) == 0) {
		print_error("no named namespaces ('nsnet show host' shows this one)");
	} else {
		json_t *ns;
		size_t i;
		json_array_foreach(model, i, ns) {
			if (i)
				putchar('\n');
			if ((r = print_ns(ns, stdout)) < 0)
				break;
		}
	}
	json_decref(model);
	if (r < 0)
		return print_error("out of memory"), EXIT_FAIL;
	return EXIT_OK;
}
