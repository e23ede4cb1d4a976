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
