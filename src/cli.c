/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Verb dispatch, help generated from the verb tables, option helpers. */
#include <signal.h>
#include <sys/signalfd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

const struct verb *cli_current_verb;
/* The command being run, as its user typed it ("net create"): every error line
 * says it after "nsnet: ", so one line in a log says what failed. */
static char current_cmd[64];

/* Does msg already start with the whole command (the library's messages often do:
 * "up FILE: ...", "connect A and B: ...")? */
static bool names_cmd(const char *msg)
{
	size_t l = strlen(current_cmd);
	return l && strncmp(msg, current_cmd, l) == 0 && (msg[l] == ':' || msg[l] == ' ');
}

/* An error is one line whatever it quotes: a name given with a newline or an escape
 * sequence in it is shown with '?' in their place. */
void print_error(const char *msg)
{
	fputs("nsnet: ", stderr);
	if (current_cmd[0] && !names_cmd(msg))
		fprintf(stderr, "%s: ", current_cmd);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
	fputc('\n', stderr);
}

int fail(const struct nsnet_error *e)
{
	print_error(e->msg[0] ? e->msg : "failed");
	return EXIT_FAIL;
}

int usage_error(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error(msg);
	return EXIT_USAGE;
}

void verb_print_help(const char *prog, const struct verb *table, FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [ARGS...]\n\nCommands:\n", prog);
	for (const struct verb *v = table; v->name; v++) {
		char left[256];
		snprintf(left, sizeof(left), "%s %s", v->name, v->args ? v->args : "");
		/* Long synopses get their own line, so the summaries stay in one column. */
		if (strlen(left) > 34)
			fprintf(f, "  %s\n  %-34s %s\n", left, "", v->summary);
		else
			fprintf(f, "  %-34s %s\n", left, v->summary);
	}
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n", prog);
}

static void verb_help(const char *prog, const struct verb *v, FILE *f)
{
	fprintf(f, "Usage: %s %s %s\n\n%s\n", prog, v->name, v->args ? v->args : "", v->summary);
	if (v->help && *v->help)
		fprintf(f, "\n%s", v->help);
}

bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static const int deferred_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void signal_set(sigset_t *s)
{
	sigemptyset(s);
	for (size_t i = 0; i < sizeof(deferred_signals) / sizeof(deferred_signals[0]); i++)
		sigaddset(s, deferred_signals[i]);
}

void cli_block_signals(void)
{
	sigset_t s;
	signal_set(&s);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

volatile sig_atomic_t cli_interrupted;

int cli_stop_fd(void)
{
	sigset_t s;
	signal_set(&s);
	sigprocmask(SIG_BLOCK, &s, NULL);
	if (cli_interrupted)
		return -1;
	int fd = signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		print_error("signalfd failed");
		return -2;
	}
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

/* Once the verb is known: a changing verb gets the handler, then the signals are
 * let through (one that came meanwhile is delivered now, to the handler); any other
 * verb gets them back with their default action (Ctrl-C stops a doctor or a show,
 * and exec's command starts with nothing blocked). */
static void release_signals(bool defer)
{
	if (defer) {
		struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof(deferred_signals) / sizeof(deferred_signals[0]); i++)
			sigaction(deferred_signals[i], &sa, NULL);
	}
	sigset_t s;
	signal_set(&s);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int verb_dispatch(const char *prog, const struct verb *table, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		verb_print_help(prog, table, argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : EXIT_OK;
	}
	for (const struct verb *v = table; v->name; v++) {
		if (strcmp(v->name, argv[0]) != 0)
			continue;
		if (v->sub) {
			char sub[128];
			snprintf(sub, sizeof(sub), "%s %s", prog, v->name);
			return verb_dispatch(sub, v->sub, argc - 1, argv + 1);
		}
		/* For a verb that runs a command, only the arguments before the command
		 * (`nsnet exec --help`, `nsnet exec NAME --help`) ask for help. */
		bool help = false;
		for (int i = 1; v->raw_args && i < argc && i <= 2 && strcmp(argv[i], "--") != 0; i++)
			help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
		if (v->raw_args ? help : wants_help(argc, argv)) {
			verb_help(prog, v, stdout);
			return EXIT_OK;
		}
		if (v->needs_root && geteuid() != 0) {
			fprintf(stderr, "nsnet: %s%s%s: needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); run it with sudo\n",
				strncmp(prog, "nsnet ", 6) == 0 ? prog + 6 : "", strncmp(prog, "nsnet ", 6) == 0 ? " " : "",
				v->name);
			return EXIT_FAIL;
		}
		cli_current_verb = v;
		snprintf(current_cmd, sizeof(current_cmd), "%s%s%s", strncmp(prog, "nsnet ", 6) == 0 ? prog + 6 : "",
			 strncmp(prog, "nsnet ", 6) == 0 ? " " : "", v->name);
		release_signals(v->defer_signals);
		return v->fn(argc, argv);
	}
	fprintf(stderr, "nsnet: unknown command '%s' for '%s'; see '%s --help'\n", argv[0], prog, prog);
	return EXIT_USAGE;
}

static bool take_flag_plain(int *argc, char **argv, const char *flag)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], flag) == 0) {
			memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(char *));
			(*argc)--;
			return true;
		}
	}
	return false;
}

bool cli_global_json;

bool take_flag(int *argc, char **argv, const char *flag)
{
	if (cli_global_json && strcmp(flag, "--json") == 0) {
		take_flag_plain(argc, argv, flag);
		return true;
	}
	return take_flag_plain(argc, argv, flag);
}

int take_opt(int *argc, char **argv, const char *opt, const char **value)
{
	size_t ol = strlen(opt);
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strncmp(argv[i], opt, ol) == 0 && argv[i][ol] == '=') {
			*value = argv[i] + ol + 1;
			memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(char *));
			(*argc)--;
			return 1;
		}
		if (strcmp(argv[i], opt) == 0) {
			if (i + 1 >= *argc) {
				usage_error("option '%s' needs a value", opt);
				return -1;
			}
			*value = argv[i + 1];
			memmove(&argv[i], &argv[i + 2], (*argc - i - 1) * sizeof(char *));
			*argc -= 2;
			return 1;
		}
	}
	return 0;
}

int reject_unknown_opts(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (argv[i][0] == '-' && argv[i][1])
			return usage_error("unknown option '%s'", argv[i]);
	}
	return 0;
}

int print_json(json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		return -1;
	fputc('\n', stdout);
	return 0;
}

int print_result(json_t *v)
{
	if (!v) {
		print_error("cannot build the JSON answer (out of memory?)");
		return EXIT_FAIL;
	}
	int r = print_json(v);
	json_decref(v);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

json_t *json_strv(char *const *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}
