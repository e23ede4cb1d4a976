/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of namespace and interface names, before anything touches the kernel. */
#include <arpa/inet.h>
#include <ctype.h>
#include "nsnet.h"
#include "base/base.h"

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

int net_name_check(const char *name, struct nsnet_error *e)
{
	size_t len = name ? strlen(name) : 0;
	for (size_t i = 0; i < len; i++)   /* before quoting it: one line, no forged output */
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return nsnet_errx(e, EINVAL, "invalid network name: contains control character 0x%02x",
					  (unsigned char)name[i]);
	if (len == 0 || len > 64)
		return nsnet_errx(e, EINVAL, "invalid network name '%s': must be 1..64 bytes", name ? name : "");
	if (name[0] == '.' || name[0] == '-')
		return nsnet_errx(e, EINVAL, "invalid network name '%s': must not start with '.' or '-'", name);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return nsnet_errx(e, EINVAL, "invalid network name '%s': only letters, digits, '_', '.' and '-'", name);
	return 0;
}

/* Written into hosts files as they are, so only what a resolver reads as one plain
 * name: no whitespace or '#' (the file's separators), nothing a resolver would take
 * for an address ("10", "0x10": inet_aton's forms), not the loopback names the file
 * starts with. */
bool hostname_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > 253 || name[0] == '-' || name[0] == '.' || name[len - 1] == '.' || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	struct in_addr a;
	if (inet_aton(name, &a))
		return false;
	return !streq(name, "localhost") && !streq(name, "ip6-localhost") && !streq(name, "ip6-loopback");
}

uint32_t nsnet_hash32(const char *s)
{
	/* FNV-1a: stable across runs and machines, so generated names are deterministic. */
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Bytes a namespace name may hold but an interface name may not. */
static bool bad_ifname_char(unsigned char c)
{
	return c == ':' || c == '/' || isspace(c) || c < 0x20 || c == 0x7f;
}

void nsnet_veth_default_name(const char *peer_ns, char buf[16])
{
	size_t len = strlen(peer_ns);
	bool clean = true;
	for (const char *p = peer_ns; *p; p++)
		clean &= !bad_ifname_char((unsigned char)*p);
	if (len <= 12 && clean) {
		snprintf(buf, 16, "to-%s", peer_ns);
		return;
	}
	/* Too long, or holding a byte an interface name can't (a space, ':'): the hash
	 * keeps names apart that the truncation or the '_' would make equal. */
	snprintf(buf, 16, "to-%.7s-%04x", peer_ns, nsnet_hash32(peer_ns) & 0xffff);
	for (size_t i = 3; i < 3 + (len < 7 ? len : 7); i++)
		if (bad_ifname_char((unsigned char)buf[i]))
			buf[i] = '_';
}
