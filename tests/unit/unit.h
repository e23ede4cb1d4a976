/* Minimal unit-test harness: CHECK() counts, main() returns non-zero on failure.
 * Prints "N passed, N failed" so the runner can add the counts up. */
#ifndef NSNET_UNIT_H
#define NSNET_UNIT_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do { \
	if (cond) unit_pass++; \
	else { unit_fail++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)
#define CHECK_STR(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (_a && _b && strcmp(_a, _b) == 0) unit_pass++; \
	else { unit_fail++; fprintf(stderr, "%s:%d: CHECK_STR failed: '%s' != '%s'\n", __FILE__, __LINE__, _a ? _a : "(null)", _b ? _b : "(null)"); } \
} while (0)

#define UNIT_DONE() ({ printf("%d passed, %d failed\n", unit_pass, unit_fail); unit_fail ? 1 : 0; })
#endif
