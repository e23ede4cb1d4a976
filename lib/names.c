/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of namespace and interface names, before anything touches the kernel. */
#include <ctype.h>
#include "nsnet.h"
#include "util.h"

/* A name is quoted in error messages only once it is known to hold no control
 * character: an error stays one line, and a name cannot forge terminal output. */
static int control_char(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return *p;
	return -1;
}

int nsnet_ns_name_check(const char *name, struct nsnet_error *e)
{
	if (!name || !*name)
		return nsnet_errx(e, EINVAL, "invalid namespace name '': must not be empty");
	int c = control_char(name);
	if (c >= 0)
		return nsnet_errx(e, EINVAL, "invalid namespace name: contains control character 0x%02x", c);
	size_t len = strlen(name);
	if (len > 255)
		return nsnet_errx(e, EINVAL, "invalid namespace name '%.32s...': longer than 255 bytes", name);
	if (streq(name, ".") || streq(name, ".."))
		return nsnet_errx(e, EINVAL, "invalid namespace name '%s': '.' and '..' are reserved", name);
	if (strchr(name, '/'))
		return nsnet_errx(e, EINVAL, "invalid namespace name '%s': must not contain '/'", name);
	return 0;
}

int nsnet_ifname_check(const char *name, struct nsnet_error *e)
{
	if (!name || !*name)
		return nsnet_errx(e, EINVAL, "invalid interface name '': must not be empty");
	int c = control_char(name);
	if (c >= 0)
		return nsnet_errx(e, EINVAL, "invalid interface name: contains control character 0x%02x", c);
	if (strlen(name) > 15)
		return nsnet_errx(e, EINVAL, "invalid interface name '%s': longer than 15 bytes", name);
	if (streq(name, ".") || streq(name, ".."))
		return nsnet_errx(e, EINVAL, "invalid interface name '%s'", name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p == ':' || isspace(*p))
			return nsnet_errx(e, EINVAL, "invalid interface name '%s': must not contain '/', ':', whitespace or control characters", name);
	return 0;
}
