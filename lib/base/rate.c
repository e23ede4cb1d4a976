/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Impairment values as people write them: rates as tc does ("10mbit", "1gbit",
 * "500kbps" in bytes), losses as percentages ("1%", "0.5%"). */
#include <ctype.h>
#include <stdlib.h>
#include "base/base.h"

static const struct {
	const char *unit;
	double bits;
} rate_units[] = {
	{ "bit", 1 },      { "kbit", 1e3 },  { "mbit", 1e6 },  { "gbit", 1e9 },  { "tbit", 1e12 },
	{ "bps", 8 },      { "kbps", 8e3 },  { "mbps", 8e6 },  { "gbps", 8e9 },  { "tbps", 8e12 },
};

int rate_parse(const char *s, uint64_t *ret, struct nsnet_error *e)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return nsnet_errx(e, EINVAL, "rate '%s': write a number and a unit, e.g. 10mbit or 500kbit", s ? s : "");
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	for (size_t i = 0; errno == 0 && i < sizeof(rate_units) / sizeof(rate_units[0]); i++) {
		if (strcasecmp(end, rate_units[i].unit) != 0)
			continue;
		double bits = v * rate_units[i].bits;
		/* The kernel's TBF takes bytes per second in 64 bits; below 8 bit/s is none. */
		if (bits < 8 || bits > 8e15)
			return nsnet_errx(e, ERANGE, "rate '%s': out of range (8bit to 8000tbit)", s);
		*ret = (uint64_t)bits;
		return 0;
	}
	return nsnet_errx(e, EINVAL, "rate '%s': unknown unit (bit, kbit, mbit, gbit, tbit; bps, kbps, mbps, gbps in bytes)", s);
}

const char *rate_str(uint64_t bps, char *buf, size_t len)
{
	static const char *const u[] = { "bit", "kbit", "mbit", "gbit", "tbit" };
	size_t i = 0;
	while (i < 4 && bps % 1000 == 0 && bps >= 1000) {
		bps /= 1000;
		i++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)bps, u[i]);
	return buf;
}

int loss_parse(const char *s, uint32_t *ret_ppm, struct nsnet_error *e)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || s[n - 1] != '%' || !isdigit((unsigned char)s[0]))
		return nsnet_errx(e, EINVAL, "loss '%s': write a percentage, e.g. 1%% or 0.5%%", s ? s : "");
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end != s + n - 1)
		return nsnet_errx(e, EINVAL, "loss '%s': write a percentage, e.g. 1%% or 0.5%%", s);
	if (v > 100)
		return nsnet_errx(e, ERANGE, "loss '%s': more than 100%%", s);
	/* Parts per million: the drop rule compares a random number modulo 1000000. */
	*ret_ppm = (uint32_t)(v * 10000 + 0.5);
	return 0;
}

const char *loss_str(uint32_t ppm, char *buf, size_t len)
{
	if (ppm % 10000 == 0)
		snprintf(buf, len, "%u%%", ppm / 10000);
	else
		snprintf(buf, len, "%g%%", ppm / 10000.0);
	return buf;
}
