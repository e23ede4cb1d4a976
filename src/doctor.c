/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet doctor SRC DST [--port N] [--proto icmp|tcp|udp] [--size BYTES] [--timeout MS] [--json]
 *
 * The library does the work and returns one report; --json prints it, and the text
 * is rendered from the same report. Exit 0 when DST is reachable, 1 when not.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* ASCII marks, fixed width, so the evidence lines up. */
static const char *mark(const char *m)
{
	if (!strcmp(m, "ok"))
		return "[ok]  ";
	if (!strcmp(m, "fail"))
		return "[FAIL]";
	if (!strcmp(m, "skip"))
		return "[skip]";
	return "[warn]";
}

static void print_text(json_t *rep)
{
	json_t *probe = json_object_get(rep, "probe"), *port = json_object_get(rep, "port"), *size = json_object_get(rep, "size");
	char pb[64] = "";
	if (json_is_integer(port))
		snprintf(pb, sizeof(pb), " port %lld", json_integer_value(port));
	else if (json_is_integer(size))
		snprintf(pb, sizeof(pb), ", %lld bytes, don't fragment", json_integer_value(size));
	if (strcmp(jstr0(rep, "dst"), jstr0(rep, "address")) != 0)
		printf("doctor: %s -> %s (%s%s%s), %s%s\n", jstr0(rep, "src"), jstr0(rep, "dst"), jstr0(rep, "address"),
		       *jstr0(rep, "address_note") ? ": " : "", jstr0(rep, "address_note"), jstr0(rep, "proto"), pb);
	else
		printf("doctor: %s -> %s, %s%s\n", jstr0(rep, "src"), jstr0(rep, "dst"), jstr0(rep, "proto"), pb);
	const char *pr = jstr0(probe, "result");
	printf("%s probe: %s %s -> %s%s: %s\n", !strcmp(pr, "ok") ? "[ok]  " : !strcmp(pr, "fail") ? "[FAIL]" : "[warn]",
	       jstr0(rep, "proto"), jstr0(rep, "src"), jstr0(rep, "address"), pb, jstr0(probe, "detail"));
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rep, "checks"), i, c)
		printf("%s %s\n", mark(jstr0(c, "mark")), jstr0(c, "evidence"));
	if (json_is_string(json_object_get(rep, "cause")))
		printf("cause: %s\n", jstr0(rep, "cause"));
	if (json_is_string(json_object_get(rep, "fix")))
		printf("fix:   %s\n", jstr0(rep, "fix"));
	bool ok = json_is_true(json_object_get(rep, "reachable"));
	if (ok && json_array_size(json_object_get(rep, "path"))) {
		fputs("path:  ", stdout);
		json_t *h;
		json_array_foreach(json_object_get(rep, "path"), i, h)
			printf("%s%s", i ? " -> " : "", json_string_value(h));
		putchar('\n');
	}
	printf("%s\n", ok ? "reachable" : "NOT reachable");
}

int verb_doctor(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	const char *port_s = NULL, *proto_s = NULL, *timeout_s = NULL, *size_s = NULL;
	if (take_opt(&argc, argv, "--port", &port_s) < 0 || take_opt(&argc, argv, "--proto", &proto_s) < 0 ||
	    take_opt(&argc, argv, "--timeout", &timeout_s) < 0 || take_opt(&argc, argv, "--size", &size_s) < 0)
		return EXIT_USAGE;
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 3)
		return usage_error("doctor: exactly SRC and DST are needed");
	struct nsnet_doctor_opts o = { .src = argv[1], .dst = argv[2] };
	unsigned long v;
	if (port_s) {
		if (parse_uint("port", port_s, 1, 65535, &v))
			return EXIT_USAGE;
		o.port = (unsigned)v;
		o.proto = IPPROTO_TCP;   /* a port alone means TCP */
	}
	if (proto_s) {
		if (!strcmp(proto_s, "icmp"))
			o.proto = IPPROTO_ICMP;
		else if (!strcmp(proto_s, "tcp"))
			o.proto = IPPROTO_TCP;
		else if (!strcmp(proto_s, "udp"))
			o.proto = IPPROTO_UDP;
		else
			return usage_error("doctor: --proto must be icmp, tcp or udp, not '%s'", proto_s);
		if (o.proto != IPPROTO_ICMP && !port_s)
			return usage_error("doctor: --proto %s needs --port N", proto_s);
		if (o.proto == IPPROTO_ICMP && port_s)
			return usage_error("doctor: --port goes with --proto tcp or udp, not icmp");
	}
	if (timeout_s) {
		if (parse_uint("timeout", timeout_s, 10, 60000, &v))
			return EXIT_USAGE;
		o.timeout_ms = (unsigned)v;
	}
	if (size_s) {
		if (port_s)
			return usage_error("doctor: --size goes with an ICMP probe, not --port");
		/* An IPv6 header and an echo header: the smallest packet that says anything. */
		if (parse_uint("size", size_s, 48, 65535, &v))
			return EXIT_USAGE;
		o.size = (unsigned)v;
	}
	struct nsnet_error e = { 0 };
	for (int i = 1; i <= 2; i++)
		if (strcmp(argv[i], NSNET_HOST) != 0 && strchr(argv[i], '/'))
			return usage_error("doctor: '%s' is neither a namespace nor an address", argv[i]);
	json_t *rep = NULL;
	r = nsnet_doctor(&o, &rep, &e);
	if (r < 0) {
		fprintf(stderr, "nsnet: doctor %s %s: %s\n", o.src, o.dst, e.msg);
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	if (json)
		print_json(rep);
	else
		print_text(rep);
	bool ok = json_is_true(json_object_get(rep, "reachable"));
	json_decref(rep);
	return ok ? EXIT_OK : EXIT_FAIL;
}
