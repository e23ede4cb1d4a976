/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet fw status [--json]
 * nsnet fw restore [--json]
 * nsnet fw watch [--json] [--once]
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

static void print_foreign(json_t *arr, FILE *f, const char *prefix)
{
	size_t i;
	json_t *p;
	json_array_foreach(arr, i, p) {
		fprintf(f, "%snetwork '%s' (%s): %s %s by %s; fix: %s\n", prefix,
			json_string_value(json_object_get(p, "network")), json_string_value(json_object_get(p, "family")),
			json_string_value(json_object_get(p, "traffic")),
			strcmp(json_string_value(json_object_get(p, "verdict")), "drop") == 0 ? "is dropped" : "may be dropped",
			json_string_value(json_object_get(p, "rule")), json_string_value(json_object_get(p, "fix")));
	}
}

static int fw_status(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("fw status: takes no arguments");
	struct nsnet_error e = { 0 };
	json_t *s;
	if (nsnet_fw_status(&s, &e) < 0)
		return fail(&e);
	/* Healthy: the kernel holds what state says (0); else 1, as `status` does. */
	int rc = json_is_true(json_object_get(s, "in_sync")) ? EXIT_OK : EXIT_FAIL;
	if (json) {
		print_json(s);
		json_decref(s);
		return rc;
	}
	bool present = json_is_true(json_object_get(s, "present"));
	long long nets = json_integer_value(json_object_get(s, "networks"));
	printf("table %s: %s\n", json_string_value(json_object_get(s, "table")),
	       present ? (json_is_true(json_object_get(s, "in_sync")) ? "present, in sync with state"
								      : "present, NOT in sync with state: run 'nsnet fw restore'")
		       : nets ? "MISSING (flushed?): run 'nsnet fw restore'" : "absent (no networks)");
	static const char *const diffs[] = { "missing", "extra" };
	for (size_t k = 0; present && k < 2; k++) {
		json_t *arr = json_object_get(s, diffs[k]);
		size_t i, n = json_array_size(arr);
		json_t *v;
		json_array_foreach(arr, i, v) {
			if (i == 10) {
				printf("  ... and %zu more\n", n - 10);
				break;
			}
			printf("  %s element: %s\n", diffs[k], json_string_value(v));
		}
	}
	printf("networks: %lld (%lld with NAT), published ports: %lld\n", nets,
	       json_integer_value(json_object_get(s, "nat_networks")), json_integer_value(json_object_get(s, "published")));
	json_t *f4 = json_object_get(s, "ip_forward"), *f6 = json_object_get(s, "ipv6_forwarding");
	printf("ip_forward: %s, ipv6 forwarding: %s\n", json_is_null(f4) ? "?" : json_is_true(f4) ? "1" : "0",
	       json_is_null(f6) ? "?" : json_is_true(f6) ? "1" : "0");
	json_t *foreign = json_object_get(s, "foreign");
	if (json_array_size(foreign)) {
		printf("foreign firewall rules:\n");
		print_foreign(foreign, stdout, "  ");
	} else {
		printf("foreign firewall rules: none in the way\n");
	}
	json_decref(s);
	return rc;
}

static int fw_restore(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("fw restore: takes no arguments");
	struct nsnet_error e = { 0 };
	json_t *problems;
	if (nsnet_fw_restore(&problems, &e) < 0)
		return fail(&e);
	/* Restored: what a foreign firewall still does is a warning, not a failure. */
	print_foreign(problems, stderr, "nsnet: fw restore: warning: ");
	/* The library's answer is the foreign rules (an array): the object around it
	 * says that the table was restored, with them under fw status's key. */
	if (json)
		return print_result(json_pack("{s:b, s:o}", "restored", true, "foreign", problems));
	json_decref(problems);
	return EXIT_OK;
}

/* One line a restore, on stdout (a service's journal): the event as JSON, or as text. */
static int on_watch_event(const json_t *ev, void *data)
{
	bool json = *(bool *)data;
	if (json) {
		if (json_dumpf(ev, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
			return -ENOMEM;
		fputc('\n', stdout);
	} else {
		const char *err = json_string_value(json_object_get(ev, "error"));
		long long nets = json_integer_value(json_object_get(ev, "networks"));
		printf("%s %s table %s (%s; %lld network%s) in %.0f ms%s%s\n", json_string_value(json_object_get(ev, "time")),
		       err ? "FAILED to restore" : "restored", json_string_value(json_object_get(ev, "table")),
		       json_string_value(json_object_get(ev, "reason")), nets, nets == 1 ? "" : "s",
		       json_real_value(json_object_get(ev, "ms")),
		       err ? ": " : json_is_true(json_object_get(ev, "in_sync")) ? ", in sync" : ", still NOT in sync",
		       err ? err : "");
	}
	return fflush(stdout) != 0 ? (errno ? -errno : -EIO) : 0;
}

static void on_watch_ready(void *data)
{
	(void)data;
	fprintf(stderr, "nsnet: watching table " "inet nsnet" " for firewall reloads\n");
}

static int fw_watch(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	bool once = take_flag(&argc, argv, "--once");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("fw watch: takes no arguments");
	int sfd = cli_stop_fd();  /* a signal ends the watch with exit 0 */
	if (sfd < 0)
		return sfd == -1 ? EXIT_OK : EXIT_FAIL;
	struct nsnet_fw_watch_opts o = {
		.once = once, .event = on_watch_event, .ready = on_watch_ready, .data = &json, .stop_fd = sfd,
	};
	struct nsnet_error e = { 0 };
	r = nsnet_fw_watch(&o, &e);
	close(sfd);
	return r < 0 ? fail(&e) : EXIT_OK;
}

const struct verb fw_verbs[] = {
	{ "status", "[--json]", "nsnet's nftables table, forwarding, and foreign rules that drop nsnet's traffic", NULL,
	  fw_status, true },
	{ "restore", "[--json]", "Rebuild nsnet's nftables table and host settings from state (after 'nft flush ruleset')",
	  "  --json   print {\"restored\": true, \"foreign\": [rules in the way, as in fw status --json]}\n",
	  fw_restore, true, .defer_signals = true },
	{ "watch", "[--json] [--once]", "Restore nsnet's table whenever a firewall reload wipes it (nsnet-fw-watch.service)",
	  "Listens for nftables changes (no polling); after a burst that deleted or changed\n"
	  "any of table inet nsnet, rebuilds it from state as 'fw restore' does, once.\n"
	  "One line per restore on stdout. SIGINT or SIGTERM end it (exit 0).\n"
	  "  --json   each restore as one JSON object: {time, action, table, reason,\n"
	  "           networks, in_sync, ms, error?} (docs/firewall.md)\n"
	  "  --once   exit after the first restore (exit 1 if it failed)\n",
	  fw_watch, true, .defer_signals = true },
	{ NULL },
};
