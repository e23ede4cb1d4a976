/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's shared pieces: the verb table type, option parsing helpers, output. */
#ifndef NSNET_CLI_H
#define NSNET_CLI_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <jansson.h>
#include "nsnet.h"

/* Exit codes: 0 ok, 1 failed, 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct verb {
	const char *name;
	const char *args;     /* "NAME..." : shown in help */
	const char *summary;  /* one line */
	const char *help;     /* options, examples: shown by `nsnet VERB --help` */
	int (*fn)(int argc, char **argv);  /* argv[0] is the verb name */
	bool needs_root;
	const struct verb *sub;  /* a table of sub-verbs (`ns add`), instead of fn */
	bool raw_args;           /* after the first argument comes a command: only `VERB --help` asks for help */
	/* It changes things: SIGINT, SIGTERM and SIGHUP, blocked from the start of the
	 * process, only ask it to stop (up rolls back; the others finish their change). */
	bool defer_signals;
};

/* Block SIGINT, SIGTERM and SIGHUP: the first thing main does, so that no signal can
 * end a changing command half-way before its handler is in place. */
void cli_block_signals(void);
/* Set by the handler of a deferring verb's signals: `up` passes it to the library as
 * its cancel flag (and rolls back); the other verbs finish their change. */
extern volatile sig_atomic_t cli_interrupted;
/* For a command that waits until stopped (monitor, fw watch): SIGINT, SIGTERM and
 * SIGHUP blocked and read through a signalfd, which the library polls with its
 * sockets, so a signal ends the wait between two steps, never inside one. The fd;
 * -1 when a signal already came (exit 0); -2 after printing why it failed. */
int cli_stop_fd(void);

/* Sub-verbs (e.g. `ns add`) use the same table type. */
int verb_dispatch(const char *prog, const struct verb *table, int argc, char **argv);
void verb_print_help(const char *prog, const struct verb *table, FILE *f);

/* Print "nsnet: <message>" on stderr and return EXIT_FAIL. */
int fail(const struct nsnet_error *e);
/* Print "nsnet: <formatted>" on stderr and return EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when argv has --help/-h; scanning stops at "--". */
bool wants_help(int argc, char **argv);
/* Remove a flag (e.g. "--json") from argv, returning whether it was there. */
bool take_flag(int *argc, char **argv, const char *flag);
/* Remove "--opt VALUE" or "--opt=VALUE"; *value points into argv. Returns 1 found,
 * 0 absent, -1 missing value (reported). */
int take_opt(int *argc, char **argv, const char *opt, const char **value);
/* Reject any remaining "-x"/"--x" argument before "--". */
int reject_unknown_opts(int argc, char **argv);

/* Print a JSON value to stdout, indented, with a newline. */
int print_json(json_t *v);
/* What a changing verb did, as its --json answer: print v and take it (json_decref).
 * v may be NULL (a json_pack that failed): reported, EXIT_FAIL. Returns EXIT_OK or
 * EXIT_FAIL, so a verb can end with it. */
int print_result(json_t *v);

/* A JSON array of the strings v[0..n-1] (the names a verb was given). */
json_t *json_strv(char *const *v, int n);

extern const struct verb *cli_current_verb;
/* --json given before the verb (nsnet --json ls): every take_flag("--json") says yes. */
extern bool cli_global_json;
/* "nsnet: COMMAND: msg" on stderr, as one line (the one way errors are printed). */
void print_error(const char *msg);

/* A string member of a JSON object: NULL (jstr) or "" (jstr0) when absent. */
static inline const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
static inline const char *jstr0(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	return s ? s : "";
}

static inline bool streq_safe(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* parse.c: each returns 0 or EXIT_USAGE after printing the problem. */
int parse_uint(const char *what, const char *s, unsigned long min, unsigned long max, unsigned long *ret);
int split_pair(const char *what, const char *s, char a[256], char b[256]);
/* publish.c: "[HOST_IP:]PORT"; ip->family stays 0 without an address. */
int parse_host(const char *verb, const char *s, struct nsnet_prefix *ip, uint16_t *port);

#endif
