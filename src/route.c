/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet route add|del NS DEST [via GW] [dev IF] [--json]
 * nsnet route ls NS [-4|-6] [--json]
 * nsnet router NS [on|off] [--json]
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

/* The words after DEST, in any order, each at most once. */
struct route_args {
	const char *via;
	const char *dev;
};

static int parse_words(const char *verb, int argc, char **argv, struct route_args *a)
{
	for (int i = 0; i < argc; i += 2) {
		const char **slot = strcmp(argv[i], "via") == 0 ? &a->via : strcmp(argv[i], "dev") == 0 ? &a->dev : NULL;
		if (!slot)
			return usage_error("route %s: unexpected '%s' (expected 'via GW' or 'dev IF')", verb, argv[i]);
		if (i + 1 >= argc)
			return usage_error("route %s: '%s' needs a value", verb, argv[i]);
		if (*slot)
			return usage_error("route %s: '%s' given twice", verb, argv[i]);
		*slot = argv[i + 1];
	}
	return 0;
}

/* Build the spec from NS DEST [via GW] [dev IF]; every check the library would
 * make on the input is made here too, so it is reported as a usage error (2). */
static int route_spec(const char *verb, int argc, char **argv, struct nsnet_route_spec *s)
{
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 3)
		return usage_error("route %s: NS and DEST are needed: nsnet route %s NS DEST %s", verb, verb,
				  strcmp(verb, "add") == 0 ? "via GW [dev IF]" : "[via GW] [dev IF]");
	struct route_args a = { 0 };
	r = parse_words(verb, argc - 3, argv + 3, &a);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	*s = (struct nsnet_route_spec){ .ns = argv[1], .dev = a.dev };
	if (nsnet_ns_name_check(s->ns, &e) < 0)
		return usage_error("route %s: %s", verb, e.msg);
	if (a.via) {
		if (nsnet_addr_parse(a.via, &s->via, &e) < 0)
			return usage_error("route %s: gateway: %s", verb, e.msg);
		s->has_via = true;
	}
	const char *dest = argv[2];
	if (strcmp(dest, "default") == 0) {
		/* The family follows the gateway; with only a device, IPv4 (say ::/0 for IPv6). */
		s->dst = (struct nsnet_prefix){ .family = a.via ? s->via.family : AF_INET, .len = 0 };
	} else if (nsnet_prefix_parse(dest, false, &s->dst, &e) < 0) {
		return usage_error("route %s: %s", verb, e.msg);
	}
	if (a.dev && nsnet_ifname_check(a.dev, &e) < 0)
		return usage_error("route %s: %s", verb, e.msg);
	return 0;
}

/* route add and route del: the change, then with --json what it was. */
static int route_change(const char *verb, int (*change)(const struct nsnet_route_spec *, struct nsnet_error *),
			int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	struct nsnet_route_spec s;
	int r = route_spec(verb, argc, argv, &s);
	if (r)
		return r;
	struct nsnet_error e = { 0 };
	r = change(&s, &e);
	if (r == -EINVAL)
		return usage_error("%s", e.msg);
	if (r < 0)
		return fail(&e);
	if (!json)
		return EXIT_OK;
	char to[64], via[64];
	return print_result(json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "namespace", s.ns, "action", verb, "to",
				      s.dst.len ? nsnet_prefix_str(&s.dst, true, to, sizeof(to)) : "default", "via",
				      s.has_via ? nsnet_prefix_str(&s.via, false, via, sizeof(via)) : NULL, "dev", s.dev));
}

static int route_add(int argc, char **argv)
{
	return route_change("add", nsnet_route_add, argc, argv);
}

static int route_del(int argc, char **argv)
{
	return route_change("del", nsnet_route_del, argc, argv);
}

/* One route per line, in ip's words: "[TYPE] DST [via GW] [dev IF] proto P ...". */
static void route_print(json_t *o)
{
	const char *type = jstr(o, "type"), *scope = jstr(o, "scope");
	if (type && strcmp(type, "unicast") != 0)
		printf("%s ", type);
	printf("%s", jstr(o, "dst") ? jstr(o, "dst") : "?");
	json_t *hops = json_object_get(o, "nexthops"), *h;
	if (json_array_size(hops) == 0) {
		if (jstr(o, "gateway"))
			printf(" via %s", jstr(o, "gateway"));
		if (jstr(o, "dev"))
			printf(" dev %s", jstr(o, "dev"));
	}
	if (jstr(o, "protocol"))
		printf(" proto %s", jstr(o, "protocol"));
	if (scope && strcmp(scope, "global") != 0 && strcmp(scope, "universe") != 0)
		printf(" scope %s", scope);
	if (jstr(o, "prefsrc"))
		printf(" src %s", jstr(o, "prefsrc"));
	json_int_t metric = json_integer_value(json_object_get(o, "metric"));
	if (metric)
		printf(" metric %lld", (long long)metric);
	size_t i;
	json_array_foreach(hops, i, h) {
		printf("\n\tnexthop");
		if (jstr(h, "gateway"))
			printf(" via %s", jstr(h, "gateway"));
		if (jstr(h, "dev"))
			printf(" dev %s", jstr(h, "dev"));
	}
	putchar('\n');
}

/* The routes of the main table, read with the same dumps as `nsnet show`, so the
 * two agree (keys: docs/show-json.md). */
static int route_ls(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	bool v4 = take_flag(&argc, argv, "-4"), v6 = take_flag(&argc, argv, "-6");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 2)
		return usage_error("route ls: exactly one NS is needed: nsnet route ls NS [-4|-6] [--json]");
	if (v4 && v6)
		return usage_error("route ls: -4 and -6 exclude each other");
	struct nsnet_error e = { 0 };
	const char *ns = argv[1];
	if (nsnet_ns_name_check(ns, &e) < 0)
		return usage_error("route ls: %s", e.msg);
	json_t *all = NULL;
	if (nsnet_show(&ns, 1, &all, &e) < 0) {
		nsnet_err_wrap(&e, "route ls");
		return fail(&e);
	}
	json_t *routes = json_array(), *o;
	size_t i;
	json_array_foreach(json_object_get(json_array_get(all, 0), "routes"), i, o) {
		const char *fam = jstr(o, "family");
		if ((v4 && (!fam || strcmp(fam, "inet") != 0)) || (v6 && (!fam || strcmp(fam, "inet6") != 0)))
			continue;
		json_array_append(routes, o);
	}
	r = EXIT_OK;
	if (json) {
		if (print_json(routes) < 0)
			r = EXIT_FAIL;
	} else {
		json_array_foreach(routes, i, o)
			route_print(o);
	}
	json_decref(routes);
	json_decref(all);
	return r;
}

const struct verb route_verbs[] = {
	{ "add", "NS DEST via GW [dev IF] [--json]", "Add a static route in a namespace (IPv4 or IPv6)",
	  "  DEST      CIDR (10.1.0.0/24, fd00:1::/64), a bare address (a host route) or 'default'\n"
	  "  via GW    next hop, same family as DEST\n"
	  "  dev IF    outgoing interface (required for a link-local IPv6 gateway; alone: an on-link route)\n"
	  "  --json    print {\"namespace\", \"action\": \"add\", \"to\", \"via\", \"dev\"}\n"
	  "Fails if a route to DEST already exists. NS may be 'host'.\n"
	  "Example: nsnet route add left 10.0.2.0/24 via 10.0.1.1\n", route_add, true, .defer_signals = true },
	{ "del", "NS DEST [via GW] [dev IF] [--json]", "Remove a route from a namespace",
	  "  The route to DEST is removed; via and dev narrow the match when several exist.\n"
	  "  --json    print {\"namespace\", \"action\": \"del\", \"to\", \"via\", \"dev\"}\n"
	  "Example: nsnet route del left 10.0.2.0/24\n", route_del, true, .defer_signals = true },
	{ "ls", "NS [-4|-6] [--json]", "List the routes of a namespace's main table",
	  "  -4, -6    only IPv4 or only IPv6 routes\n"
	  "  --json    the routes as `nsnet show --json` has them (docs/show-json.md)\n", route_ls, true },
	{ NULL, NULL, NULL, NULL, NULL, false },
};

/* ---- router ------------------------------------------------------------------ */

#define FWD_V4 "net.ipv4.ip_forward"
#define FWD_V6 "net.ipv6.conf.all.forwarding"

static int router_show(const char *ns, bool json)
{
	struct nsnet_error e = { 0 };
	char v4[32], v6[32];
	if (nsnet_sysctl_get(ns, FWD_V4, v4, sizeof(v4), &e) < 0)
		return fail(&e);
	/* No IPv6 in the namespace (ipv6.disable=1): report it as absent, not as an error. */
	int r6 = nsnet_sysctl_get(ns, FWD_V6, v6, sizeof(v6), &e);
	if (r6 < 0 && r6 != -ENOENT)
		return fail(&e);
	bool on4 = strcmp(v4, "0") != 0, on6 = r6 == 0 && strcmp(v6, "0") != 0;
	if (json)
		return print_result(json_pack("{s:s, s:b, s:o}", "namespace", ns, "ipv4_forwarding", on4,
					      "ipv6_forwarding", r6 == 0 ? json_boolean(on6) : json_null()));
	printf("%s: ipv4 forwarding %s, ipv6 forwarding %s\n", ns, on4 ? "on" : "off",
	       r6 == 0 ? (on6 ? "on" : "off") : "n/a (no IPv6)");
	return EXIT_OK;
}

int verb_router(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 2 || argc > 3)
		return usage_error("router: nsnet router NS on|off (or just NS to show the state)");
	const char *ns = argv[1];
	struct nsnet_error e = { 0 };
	if (nsnet_ns_name_check(ns, &e) < 0)
		return usage_error("router: %s", e.msg);
	if (argc == 2)
		return router_show(ns, json);
	bool on;
	if (strcmp(argv[2], "on") == 0)
		on = true;
	else if (strcmp(argv[2], "off") == 0)
		on = false;
	else
		return usage_error("router: expected 'on' or 'off', not '%s'", argv[2]);
	if (nsnet_forwarding_set(ns, on, &e) < 0)
		return fail(&e);
	/* The answer is the state read back, as `router NS --json` shows it. */
	return json ? router_show(ns, true) : EXIT_OK;
}
