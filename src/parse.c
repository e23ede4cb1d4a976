/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Argument parsers shared by verbs: numbers, "a,b" pairs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int parse_uint(const char *what, const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+')
		return usage_error("invalid %s '%s': not a number", what, s ? s : "");
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end)
		return usage_error("invalid %s '%s': not a number", what, s);
	if (v < min || v > max)
		return usage_error("invalid %s '%s': must be %lu..%lu", what, s, min, max);
	*ret = v;
	return 0;
}

int split_pair(const char *what, const char *s, char a[256], char b[256])
{
	const char *comma = strchr(s, ',');
	if (!comma || strchr(comma + 1, ',') || comma == s || !comma[1] || (size_t)(comma - s) >= 256 ||
	    strlen(comma + 1) >= 256)
		return usage_error("invalid %s '%s': expected two values separated by a comma", what, s);
	memcpy(a, s, comma - s);
	a[comma - s] = 0;
	strcpy(b, comma + 1);
	return 0;
}
