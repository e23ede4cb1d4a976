/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet capture NODE[:IF] [-w FILE|-] [--count N] [-s SNAPLEN] [-p] [--json] [FILTER...]
 *
 * The library captures and decodes; this prints. Without -w every packet is one
 * line, rendered from the same JSON object --json prints (NDJSON, one a line).
 * Status (what is captured on, the counts at the end) goes to stderr, so stdout
 * carries only packets: pcap with `-w -`, lines otherwise.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

struct out {
	bool json;
};

static void on_ready(json_t *info, void *data)
{
	json_t *ifs = json_object_get(info, "interfaces"), *i0 = json_array_get(ifs, 0), *o;
	size_t i;
	bool same = true;
	json_array_foreach(ifs, i, o)
		same &= streq_safe(jstr(o, "linktype"), jstr(i0, "linktype"));
	fprintf(stderr, "capturing on %s:", jstr0(info, "namespace"));
	json_array_foreach(ifs, i, o) {
		fprintf(stderr, "%s %s", i ? "," : "", jstr0(o, "name"));
		if (!same)
			fprintf(stderr, " (%s)", jstr0(o, "linktype"));
	}
	if (same)
		fprintf(stderr, ", link-type %s (%s)", jstr0(i0, "linktype"), jstr0(i0, "description"));
	fprintf(stderr, ", snapshot length %lld bytes", json_integer_value(json_object_get(info, "snaplen")));
	json_array_foreach(json_object_get(info, "skipped"), i, o)
		fprintf(stderr, "%s %s (%s)", i ? "," : "; skipped", jstr0(o, "name"), jstr0(o, "reason"));
	fputc('\n', stderr);
}

/* "12:34:56.123456 to-b IP 10.0.0.1 > ...": the time of day out of the timestamp. */
static int on_packet(json_t *pkt, void *data)
{
	const struct out *out = data;
	if (out->json) {
		if (json_dumpf(pkt, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0)
			fputc('\n', stdout);
	} else {
		const char *ts = jstr0(pkt, "timestamp");
		printf("%.15s %s %s\n", strlen(ts) >= 26 ? ts + 11 : ts, jstr0(pkt, "interface"), jstr0(pkt, "summary"));
	}
	/* A line as it comes, also into a pipe (| grep, | jq). */
	if (fflush(stdout) != 0 || ferror(stdout))
		return -(errno ? errno : EIO);
	return 0;
}

/* NODE or NODE:IF. A namespace reference may hold ':' itself (pid:N, a name), an
 * interface name never does: the whole argument is the namespace when it is one,
 * else what follows the last ':' is the interface. */
static int split_node(char *arg, const char **ns, const char **ifname)
{
	*ns = arg;
	*ifname = NULL;
	char *colon = strrchr(arg, ':');
	if (!colon || nsnet_ns_exists(arg))
		return 0;
	if (!colon[1])
		return usage_error("capture: '%s': no interface after ':'", arg);
	*colon = 0;
	*ifname = colon + 1;
	return 0;
}

/* The filter is the rest of the arguments joined with spaces, as tcpdump takes it. */
static char *join(char **v, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = calloc(1, len);
	for (int i = 0; s && i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

int verb_capture(int argc, char **argv)
{
	struct out out = { .json = take_flag(&argc, argv, "--json") };
	struct nsnet_capture_opts o = { .no_promisc = take_flag(&argc, argv, "-p"), .packet = on_packet,
					.ready = on_ready, .data = &out, .cancel = &cli_interrupted };
	const char *w = NULL, *count = NULL, *snap = NULL;
	int r;
	if (take_opt(&argc, argv, "-w", &w) < 0 || take_opt(&argc, argv, "--count", &count) < 0 ||
	    (!count && take_opt(&argc, argv, "-c", &count) < 0) || take_opt(&argc, argv, "-s", &snap) < 0)
		return EXIT_USAGE;
	if ((r = reject_unknown_opts(argc, argv)))
		return r;
	/* The positional arguments: NODE, then the filter; one "--" may stand anywhere before them end. */
	char **pos = argv + 1;
	int npos = argc - 1;
	for (int i = 0; i < npos; i++)
		if (strcmp(pos[i], "--") == 0) {
			memmove(&pos[i], &pos[i + 1], (npos - i - 1) * sizeof(*pos));
			npos--;
			break;
		}
	if (npos < 1)
		return usage_error("capture: which namespace? nsnet capture NODE[:IF] [FILTER...]");
	unsigned long v;
	if (count) {
		if (parse_uint("count", count, 1, UINT32_MAX, &v))
			return EXIT_USAGE;
		o.count = v;
	}
	if (snap) {
		if (parse_uint("snapshot length", snap, 1, 262144, &v))
			return EXIT_USAGE;
		o.snaplen = (unsigned)v;
	}
	if (w && out.json)
		return usage_error("capture: --json prints packets as lines; -w writes pcap: one or the other");
	if (w && !*w)
		return usage_error("capture: -w needs a file name (or - for stdout)");
	if (w && strcmp(w, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return usage_error("capture: -w -: stdout is a terminal; pipe it into 'tcpdump -r -' or "
					   "'wireshark -k -i -'");
		o.write_stream = stdout;
	} else if (w) {
		o.write_path = w;
	}
	if (w)
		o.packet = NULL;   /* pcap only: nothing to decode */
	if ((r = split_node(pos[0], &o.ns, &o.ifname)))
		return r;
	char *filter = npos > 1 ? join(pos + 1, npos - 1) : NULL;
	if (npos > 1 && !filter)
		return print_error("out of memory"), EXIT_FAIL;
	o.filter = filter;
	struct nsnet_capture_stats st;
	struct nsnet_error e = { 0 };
	r = nsnet_capture(&o, &st, &e);
	free(filter);
	if (r < 0) {
		print_error(e.msg);
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	fprintf(stderr, "%llu packet%s captured, %llu received by filter, %llu dropped by kernel\n",
		(unsigned long long)st.captured, st.captured == 1 ? "" : "s", (unsigned long long)st.received,
		(unsigned long long)st.dropped);
	return EXIT_OK;
}
