/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One-line error messages, wrapped outward with context. */
#include <stdarg.h>
#include "nsnet.h"
#include "base/base.h"

/* A message is one line whatever it quotes (a name with a newline or an escape
 * sequence in it): control characters become '?'. */
static void one_line(char *msg)
{
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int verr(struct nsnet_error *e, int code, bool with_strerror, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EIO;
	if (!e)
		return -code;
	e->code = code;
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (with_strerror && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(code));
	one_line(e->msg);
	return -code;
}

int nsnet_err(struct nsnet_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = verr(e, code, true, fmt, ap);
	va_end(ap);
	return r;
}

int nsnet_errx(struct nsnet_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = verr(e, code, false, fmt, ap);
	va_end(ap);
	return r;
}

int nsnet_err_wrap(struct nsnet_error *e, const char *fmt, ...)
{
	if (!e)
		return -EIO;
	char prefix[NSNET_ERR_MAX], old[NSNET_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	size_t pl = strnlen(prefix, sizeof(e->msg) - 3);
	memcpy(e->msg, prefix, pl);
	memcpy(e->msg + pl, ": ", 2);
	size_t room = sizeof(e->msg) - pl - 3;
	size_t ol = strnlen(old, room);
	memcpy(e->msg + pl + 2, old, ol);
	e->msg[pl + 2 + ol] = 0;
	one_line(e->msg);
	if (e->code <= 0)
		e->code = EIO;
	return -e->code;
}
