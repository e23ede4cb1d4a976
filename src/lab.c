/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsnet up|down|status|ls|pingall|gc: labs from topology files (graph: graph.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

int lab_fail(int r, struct nsnet_error *e)
{
	print_error(e->msg);
	/* A bad lab file (not text, not a regular file, too big, invalid) is bad input. */
	return r == -EINVAL || r == -EISDIR || r == -EFBIG ? EXIT_USAGE : EXIT_FAIL;
}

/* At most one positional argument: FILE or LAB. */
int lab_one_arg(int argc, char **argv, const char **ret)
{
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc > 2)
		return usage_error("%s: at most one FILE or LAB", argv[0]);
	*ret = argc == 2 ? argv[1] : NULL;
	/* A file that cannot be read is a file error (exit 2), said before anything. */
	const char *a = *ret;
	size_t l = a ? strlen(a) : 0;
	bool file = a && (strchr(a, '/') || (l > 5 && !strcmp(a + l - 5, ".yaml")) || (l > 4 && !strcmp(a + l - 4, ".yml")));
	if (file && access(a, R_OK) < 0)
		return usage_error("open %s: %s", a, strerror(errno));
	return 0;
}

static void print_steps(json_t *steps)
{
	size_t i, j;
	json_t *s, *c;
	json_array_foreach(steps, i, s) {
		bool update = streq_safe(jstr(s, "action"), "update"), explain = json_object_get(s, "commands") != NULL;
		printf("%s %s%s%s\n", jstr(s, "action"), jstr(s, "element"), update ? ": " : "", update ? jstr(s, "why") : "");
		/* --explain says why an element is replaced rather than changed in place. */
		if (explain && !update && jstr(s, "why"))
			printf("    # replaced: %s\n", jstr(s, "why"));
		json_array_foreach(json_object_get(s, "commands"), j, c) printf("    %s\n", json_string_value(c));
	}
}

/* A progress line on a terminal, for labs big enough to wait for. */
static void show_progress(const char *step, size_t done, size_t total, void *data)
{
	(void)data;
	if (total < 50)
		return;
	fprintf(stderr, "\r\033[Knsnet: %s: %zu/%zu%s", step, done, total, done == total ? "\n" : "");
}

int verb_up(int argc, char **argv)
{
	struct nsnet_up_opts o = { 0 };
	o.dry_run = take_flag(&argc, argv, "--dry-run");
	o.explain = take_flag(&argc, argv, "--explain");
	bool json = take_flag(&argc, argv, "--json");
	const char *file = NULL;
	int r = lab_one_arg(argc, argv, &file);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	json_t *rep = NULL;
	o.cancel = &cli_interrupted;
	if (!json && isatty(STDERR_FILENO) && !o.dry_run)
		o.progress = show_progress;
	if ((r = nsnet_lab_up(file, &o, &rep, &e)) < 0)
		return lab_fail(r, &e);
	const char *lab = jstr(rep, "lab");
	/* What up left undone but is no failure (a hosts file that is not nsnet's). */
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(rep, "warnings"), i, w) fprintf(stderr, "nsnet: up: warning: %s\n", json_string_value(w));
	if (json) {
		print_json(rep);
	} else if (o.dry_run) {
		if (!json_is_true(json_object_get(rep, "changed")))
			printf("lab '%s' is up to date: nothing to change\n", lab);
		else
			print_steps(json_object_get(rep, "steps"));
	} else if (!json_is_true(json_object_get(rep, "changed"))) {
		printf("lab '%s' is up to date: no change made\n", lab);
	} else {
		if (o.explain)
			print_steps(json_object_get(rep, "steps"));
		printf("lab '%s' is up (%zu change%s).\n", lab, json_array_size(json_object_get(rep, "steps")),
		       json_array_size(json_object_get(rep, "steps")) == 1 ? "" : "s");
		printf("Look at it:\n"
		       "  nsnet status %s          what runs, checked against the kernel\n"
		       "  nsnet pingall %s         every node pings every other\n"
		       "  nsnet show NODE          interfaces, addresses, routes, neighbours of a node\n"
		       "  nsnet exec NODE -- CMD   run a command in a node (or: ip netns exec NODE CMD)\n"
		       "  nsnet graph %s --format png -o lab.png   its picture\n"
		       "  nsnet down %s            remove it all\n", lab, lab, lab, lab);
	}
	json_decref(rep);
	return EXIT_OK;
}

int verb_down(int argc, char **argv)
{
	const char *lab = NULL;
	bool json = take_flag(&argc, argv, "--json");
	int r = lab_one_arg(argc, argv, &lab);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	/* The answer names the lab even when given its file: its status, read before
	 * the lab goes, resolves the argument as down does (and fails as down would). */
	json_t *st = NULL;
	if (json && (r = nsnet_lab_status(lab, &st, &e)) < 0)
		return lab_fail(r, &e);
	if ((r = nsnet_lab_down(lab, &e)) < 0) {
		json_decref(st);
		return lab_fail(r, &e);
	}
	if (!json)
		return EXIT_OK;
	r = print_result(json_pack("{s:s, s:b}", "lab", jstr0(st, "lab"), "removed", true));
	json_decref(st);
	return r;
}

/* Verbs on one lab that show a report: --json or text, exit 1 unless healthy() says so. */
static int lab_report_verb(int argc, char **argv, int (*get)(const char *, json_t **, struct nsnet_error *),
			   void (*text)(json_t *), bool (*healthy)(json_t *))
{
	bool json = take_flag(&argc, argv, "--json");
	const char *lab = NULL;
	int r = lab_one_arg(argc, argv, &lab);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	json_t *v;
	if ((r = get(lab, &v, &e)) < 0)
		return lab_fail(r, &e);
	if (json)
		print_json(v);
	else
		text(v);
	bool ok = healthy(v);
	json_decref(v);
	return ok ? EXIT_OK : EXIT_FAIL;
}

static void status_text(json_t *st)
{
	printf("lab %s: %s%s\n", jstr(st, "lab"), jstr(st, "status"),
	       json_is_true(json_object_get(st, "interrupted")) ? " (the up applying it was killed; 'nsnet gc' undoes it)" : "");
	size_t i, j;
	json_t *n, *f;
	json_array_foreach(json_object_get(st, "networks"), i, n) {
		json_t *subs = json_object_get(n, "subnets");
		printf("  network %-16s bridge %-15s %s%s%s  %s\n", jstr(n, "name"), jstr(n, "bridge"),
		       json_string_value(json_array_get(subs, 0)), json_array_size(subs) > 1 ? " " : "",
		       json_array_size(subs) > 1 ? json_string_value(json_array_get(subs, 1)) : "",
		       json_is_true(json_object_get(n, "ok")) ? "ok" : "MISSING");
	}
	json_array_foreach(json_object_get(st, "nodes"), i, n) {
		printf("  node %-20s %s\n", jstr(n, "name"), json_is_true(json_object_get(n, "exists")) ? "ok" : "MISSING");
		json_array_foreach(json_object_get(n, "interfaces"), j, f) {
			json_t *ips = json_object_get(f, "ips");
			printf("    %-8s on %-16s %-20s %s\n", jstr(f, "ifname") ? jstr(f, "ifname") : "?", jstr(f, "network"),
			       json_array_size(ips) ? json_string_value(json_array_get(ips, 0)) : "-",
			       json_is_true(json_object_get(f, "ok")) ? "ok" : "MISSING");
		}
		json_t *nfw = json_object_get(n, "firewall");
		if (nfw)
			printf("    firewall (table inet nsnet_node)  %s\n", json_is_true(nfw) ? "ok" : "MISSING");
		json_array_foreach(json_object_get(n, "publish"), j, f) {
			const char *hip = jstr(f, "host_ip");
			printf("    publish %s %s%s%lld -> port %lld\n", jstr(f, "proto"), hip ? hip : "", hip ? ":" : "",
			       json_integer_value(json_object_get(f, "host_port")), json_integer_value(json_object_get(f, "port")));
		}
	}
	json_array_foreach(json_object_get(st, "links"), i, n) {
		json_t *nodes = json_object_get(n, "nodes"), *ifs = json_object_get(n, "ifnames");
		printf("  link %s:%s -- %s:%s  %s\n", json_string_value(json_array_get(nodes, 0)),
		       json_string_value(json_array_get(ifs, 0)), json_string_value(json_array_get(nodes, 1)),
		       json_string_value(json_array_get(ifs, 1)), json_is_true(json_object_get(n, "ok")) ? "ok" : "MISSING");
	}
	json_array_foreach(json_object_get(st, "routes"), i, n) {
		const char *via = jstr(n, "via"), *dev = jstr(n, "dev");
		printf("  route %s: %s%s%s%s%s  %s\n", jstr(n, "node"), jstr(n, "to"), via ? " via " : "", via ? via : "",
		       dev ? " dev " : "", dev ? dev : "", json_is_true(json_object_get(n, "ok")) ? "ok" : "MISSING");
	}
	json_array_foreach(json_object_get(st, "impairments"), i, n) {
		const char *rate = jstr(n, "rate"), *loss = jstr(n, "loss");
		printf("  impair %s:%s sends%s%s%s%s  %s\n", jstr(n, "node"), jstr(n, "ifname"), rate ? " rate " : "",
		       rate ? rate : "", loss ? " loss " : "", loss ? loss : "", json_is_true(json_object_get(n, "ok")) ? "ok" : "DIFFERS");
	}
	json_array_foreach(json_object_get(st, "files"), i, n)
		printf("  files %s: %lld under /etc/netns/%s  %s\n", jstr(n, "node"), json_integer_value(json_object_get(n, "files")),
		       jstr(n, "node"), json_is_true(json_object_get(n, "ok")) ? "ok" : "MISSING");
	json_array_foreach(json_object_get(st, "services"), i, n) {
		char state[64];
		json_t *rc = json_object_get(n, "status");
		if (json_object_get(n, "pid"))
			snprintf(state, sizeof(state), "%s (pid %lld)", jstr(n, "state"), json_integer_value(json_object_get(n, "pid")));
		else if (rc)
			snprintf(state, sizeof(state), "%s (status %lld)", jstr(n, "state"), json_integer_value(rc));
		else
			snprintf(state, sizeof(state), "%s", jstr(n, "state"));
		printf("  service %s/%s: %s%s\n", jstr(n, "node"), jstr(n, "name"), state,
		       json_integer_value(json_object_get(n, "restarts")) ? " restarted" : "");
	}
	json_t *fw = json_object_get(st, "firewall");
	if (json_is_true(json_object_get(fw, "ok"))) {
		printf("  firewall ok\n");
	} else {
		/* e.g. after `nft flush ruleset`: isolation, NAT and published ports are gone. */
		printf("  firewall MISSING:");
		json_array_foreach(json_object_get(fw, "missing"), i, f) printf("%s %s", i ? "," : "", json_string_value(f));
		printf(" (nsnet fw restore puts it back)\n");
	}
}

static bool status_healthy(json_t *st)
{
	return streq_safe(jstr(st, "status"), "up");
}

int verb_status(int argc, char **argv)
{
	return lab_report_verb(argc, argv, nsnet_lab_status, status_text, status_healthy);
}

/* Verbs that take only --json. */
static int json_only(int *argc, char **argv, bool *json)
{
	*json = take_flag(argc, argv, "--json");
	int r = reject_unknown_opts(*argc, argv);
	if (r)
		return r;
	return *argc != 1 ? usage_error("%s: takes no arguments", argv[0]) : 0;
}

/* Verbs that take only --json and print what get returns: as JSON, or as text. */
static int json_only_verb(int argc, char **argv, int (*get)(json_t **, struct nsnet_error *), void (*text)(json_t *))
{
	bool json;
	int r = json_only(&argc, argv, &json);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	json_t *v;
	if ((r = get(&v, &e)) < 0)
		return lab_fail(r, &e);
	if (json)
		print_json(v);
	else
		text(v);
	json_decref(v);
	return EXIT_OK;
}

static void labs_text(json_t *arr)
{
	printf("%-20s %-9s %6s %9s %6s  %s\n", "LAB", "STATUS", "NODES", "NETWORKS", "LINKS", "FILE");
	size_t i;
	json_t *l;
	json_array_foreach(arr, i, l) printf("%-20s %-9s %6lld %9lld %6lld  %s\n", jstr(l, "name"), jstr(l, "status"), json_integer_value(json_object_get(l, "nodes")), json_integer_value(json_object_get(l, "networks")), json_integer_value(json_object_get(l, "links")), jstr(l, "file") ? jstr(l, "file") : "");
}

int verb_labs(int argc, char **argv)
{
	return json_only_verb(argc, argv, nsnet_lab_list, labs_text);
}

/* A Mininet-like matrix: "red -> blue X db(1/2)": X when no address of that node
 * answered, the count when only some did. */
static void print_matrix(json_t *res)
{
	json_t *pairs = json_object_get(res, "pairs");
	json_t *rows = json_object();  /* src -> { dst -> ok } keeping first-seen order */
	size_t i;
	json_t *p;
	json_array_foreach(pairs, i, p) {
		json_t *row = json_object_get(rows, jstr(p, "src"));
		if (!row) {
			row = json_object();
			json_object_set_new(rows, jstr(p, "src"), row);
		}
		/* Per destination node: how many of its addresses answered, of how many. */
		json_t *cell = json_object_get(row, jstr(p, "dst"));
		if (!cell) {
			cell = json_pack("[i,i]", 0, 0);
			json_object_set_new(row, jstr(p, "dst"), cell);
		}
		json_array_set_new(cell, 0, json_integer(json_integer_value(json_array_get(cell, 0)) +
							 json_is_true(json_object_get(p, "ok"))));
		json_array_set_new(cell, 1, json_integer(json_integer_value(json_array_get(cell, 1)) + 1));
	}
	const char *src, *dst;
	json_t *row, *cell;
	json_object_foreach(rows, src, row) {
		printf("%s ->", src);
		json_object_foreach(row, dst, cell) {
			long long got = json_integer_value(json_array_get(cell, 0)), all = json_integer_value(json_array_get(cell, 1));
			if (got == all)
				printf(" %s", dst);
			else if (got == 0)
				printf(" X");
			else
				printf(" %s(%lld/%lld)", dst, got, all);
		}
		printf("\n");
	}
	json_decref(rows);
	long long total = json_integer_value(json_object_get(res, "total")),
		  failed = json_integer_value(json_object_get(res, "failed"));
	printf("*** Results: %lld%% dropped (%lld/%lld received)", total ? failed * 100 / total : 0, total - failed, total);
	long long req = json_integer_value(json_object_get(res, "failed_required"));
	if (req)
		printf("; %lld failed between nodes that share a network or link", req);
	printf("\n");
	json_array_foreach(pairs, i, p) {
		if (!json_is_true(json_object_get(p, "ok")) && json_is_true(json_object_get(p, "required")))
			printf("    FAIL %s -> %s (%s)\n", jstr(p, "src"), jstr(p, "dst"), jstr(p, "addr"));
	}
}

static bool pingall_healthy(json_t *res)
{
	return json_integer_value(json_object_get(res, "failed_required")) == 0;
}

static struct nsnet_pingall_opts pingall_opts;

static int pingall_get(const char *lab, json_t **ret, struct nsnet_error *e)
{
	return nsnet_lab_pingall_opts(lab, &pingall_opts, ret, e);
}

int verb_pingall(int argc, char **argv)
{
	pingall_opts.arp_all = take_flag(&argc, argv, "--arp-all");
	return lab_report_verb(argc, argv, pingall_get, print_matrix, pingall_healthy);
}

static void gc_text(json_t *rep)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(rep, "corrupt"), i, v) printf("set aside corrupt state file %s (now %s.corrupt)\n", json_string_value(v), json_string_value(v));
	json_array_foreach(json_object_get(rep, "bridges"), i, v) printf("removed bridge %s of a network without state, with its ports\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "journal"), i, v) printf("finished the interrupted '%s' recorded in the journal\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "labs"), i, v) printf("undid the interrupted 'up' of lab %s\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "runs"), i, v) printf("released run %s: its supervisor is gone\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "services"), i, v) printf("stopped service %s: its node is gone\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "networks"), i, v) printf("removed orphaned network %s\n", json_string_value(v));
	json_array_foreach(json_object_get(rep, "reconciled"), i, v) printf("reconciled network %s with the kernel (members gone or half-attached)\n", json_string_value(v));
	if (json_is_true(json_object_get(rep, "firewall_rebuilt")))
		printf("rebuilt nsnet's firewall table: it held elements that state did not (or lacked some)\n");
}

int verb_gc(int argc, char **argv)
{
	return json_only_verb(argc, argv, nsnet_gc, gc_text);
}
