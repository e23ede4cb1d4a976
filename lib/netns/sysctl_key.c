/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sysctl key syntax: pure string checks, shared by the lab parser and lib/netns/sysctl.c. */
#include <ctype.h>
#include "netns/netns.h"
#include "base/base.h"

int sysctl_key_path(const char *key, char *buf, size_t len, struct nsnet_error *e)
{
	if (!key || !*key)
		return nsnet_errx(e, EINVAL, "invalid sysctl key '': empty");
	size_t kl = strlen(key);
	if (kl > SYSCTL_KEY_MAX)
		return nsnet_errx(e, EINVAL, "invalid sysctl key '%.40s...': longer than %d bytes", key, SYSCTL_KEY_MAX);
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (!isalnum(*p) && !strchr("._-/@+", *p))
			return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': character '%c' not allowed", key,
					  isprint(*p) ? *p : '?');
	if (key[0] == '/' || key[0] == '.')
		return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': must be relative to /proc/sys (e.g. net.ipv4.ip_forward)",
				  key);
	if (kl + 1 > len)
		return nsnet_errx(e, ENAMETOOLONG, "invalid sysctl key '%s': too long", key);
	bool slashes = strchr(key, '/') != NULL;
	char sep = slashes ? '/' : '.';
	memcpy(buf, key, kl + 1);
	/* Every component: none empty, none "." or "..". */
	for (char *c = buf;;) {
		char *end = strchr(c, sep);
		size_t cl = end ? (size_t)(end - c) : strlen(c);
		if (cl == 0)
			return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': empty component", key);
		if ((cl == 1 && c[0] == '.') || (cl == 2 && c[0] == '.' && c[1] == '.'))
			return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': '.' and '..' are not allowed", key);
		if (!end)
			return 0;
		if (!slashes)
			*end = '/';
		c = end + 1;
	}
}

int sysctl_key_net_path(const char *key, char *buf, size_t len, struct nsnet_error *e)
{
	char path[SYSCTL_KEY_MAX + 1];
	int r = sysctl_key_path(key, path, sizeof(path), e);
	if (r < 0)
		return r;
	/* Everything outside net/ is shared by the whole host (kernel.*, vm.*, fs.*) or
	 * belongs to other namespaces (kernel.hostname: UTS; kernel.shm*: IPC). */
	if (strncmp(path, "net/", 4) != 0)
		return nsnet_errx(e, EPERM,
				  "sysctl %s is not a network namespace setting: only keys under net. can be set", key);
	if (xsnprintf(buf, len, "%s", path + 4) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "invalid sysctl key '%s': too long", key);
	return 0;
}

/* Directories whose entries are one per interface, each a copy of "default". */
static const char *const device_dirs[] = { "ipv4/conf/", "ipv6/conf/", "ipv4/neigh/", "ipv6/neigh/", "mpls/conf/" };

bool sysctl_key_device_default(const char *p, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_dirs); i++) {
		size_t dl = strlen(device_dirs[i]);
		if (strncmp(p, device_dirs[i], dl) != 0)
			continue;
		const char *dev = p + dl, *leaf = strchr(dev, '/');
		if (!leaf || leaf == dev || !leaf[1] || strchr(leaf + 1, '/'))
			return false;
		size_t devl = (size_t)(leaf - dev);
		if ((devl == 3 && !strncmp(dev, "all", 3)) || (devl == 7 && !strncmp(dev, "default", 7)))
			return false;
		return xsnprintf(buf, len, "%.*sdefault%s", (int)dl, p, leaf) == 0;
	}
	return false;
}
