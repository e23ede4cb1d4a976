/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pieces every kind's --explain is written with: a command list and shell quoting. */
#include <ctype.h>
#include <stdarg.h>
#include "lab/lab.h"
#include "base/base.h"

/* --explain prints commands a reader may paste into a shell, and names come from the
 * lab file: every name and value is one shell word, single-quoted unless it is made
 * only of characters no shell treats specially ("x$(touch PWNED)" stays a name).
 * Placeholders ("<next free address of ...>") are quoted too: pasted, they fail
 * harmlessly instead of redirecting. */
static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_./:@%+=,-", *s))
			return false;
	return true;
}

/* s as one shell word, in one of qt's buffers (LAB_QN per command at most). */
const char *lab_q(struct lab_quoter *qt, const char *s)
{
	if (!s)
		s = "";
	if (shell_plain(s))
		return s;
	char *b = qt->buf[qt->i++ % LAB_QN], *o = b, *end = b + sizeof(qt->buf[0]) - 6;
	*o++ = '\'';
	for (; *s && o < end; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = 0;
	return b;
}

void lab_cmd(json_t *cmds, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(cmds, json_string(buf));
}

void lab_cmd_sysctl(json_t *cmds, const char *node, const char *key, const char *value)
{
	struct lab_quoter qt = { .i = 0 };
	char kv[1024];
	snprintf(kv, sizeof(kv), "%s=%s", key, value ? value : "");
	const char *n = lab_q(&qt, node);
	lab_cmd(cmds, "ip netns exec %s sysctl -w %s", n, lab_q(&qt, kv));
}

bool lab_spec_same_except(json_t *a, json_t *b, const char *const *keys)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	for (; *keys; keys++) {
		json_object_del(x, *keys);
		json_object_del(y, *keys);
	}
	bool same = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return same;
}
