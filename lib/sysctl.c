/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sysctls of a namespace, through /proc/sys. The net.* tree under /proc/sys shows
 * the network namespace of the thread that opens the file, so the files are opened
 * from a short-lived thread inside the namespace (ns_run_in); the caller's own
 * thread never changes namespace.
 */
#include <ctype.h>
#include <limits.h>
#include "nl.h"
#include "util.h"

#define SYSCTL_KEY_MAX 256
#define SYSCTL_VALUE_MAX 4096

/*
 * "net.ipv4.ip_forward" or "net/ipv4/ip_forward" to "/proc/sys/net/ipv4/ip_forward".
 * A key with a '/' is taken as slash-separated and its dots are kept, as sysctl(8)
 * does, so an interface name with a dot can be written: "net/ipv4/conf/eth0.5/rp_filter".
 * Only a plain relative path below /proc/sys is accepted: no "..", no leading '/',
 * no empty component, a small charset.
 */
static int sysctl_path(const char *key, char *buf, size_t len, struct nsnet_error *e)
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
	bool slashes = strchr(key, '/') != NULL;
	char sep = slashes ? '/' : '.';
	char rel[SYSCTL_KEY_MAX + 1];
	memcpy(rel, key, kl + 1);
	/* Check every component: none empty, none "." or "..". */
	for (char *c = rel;;) {
		char *end = strchr(c, sep);
		size_t cl = end ? (size_t)(end - c) : strlen(c);
		if (cl == 0)
			return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': empty component", key);
		if ((cl == 1 && c[0] == '.') || (cl == 2 && c[0] == '.' && c[1] == '.'))
			return nsnet_errx(e, EINVAL, "invalid sysctl key '%s': '.' and '..' are not allowed", key);
		if (!end)
			break;
		if (!slashes)
			*end = '/';
		c = end + 1;
	}
	if (xsnprintf(buf, len, "/proc/sys/%s", rel) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "invalid sysctl key '%s': too long", key);
	return 0;
}

static int value_check(const char *key, const char *value, struct nsnet_error *e)
{
	if (!value || !*value)
		return nsnet_errx(e, EINVAL, "invalid value for sysctl %s: empty", key);
	if (strlen(value) > SYSCTL_VALUE_MAX)
		return nsnet_errx(e, EINVAL, "invalid value for sysctl %s: longer than %d bytes", key, SYSCTL_VALUE_MAX);
	/* Multi-number sysctls (tcp_rmem) take spaces or tabs; nothing else below 0x20. */
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return nsnet_errx(e, EINVAL, "invalid value for sysctl %s: contains control character 0x%02x",
					  key, *p);
	return 0;
}

/* One sysctl access, run inside the namespace. */
struct sysctl_op {
	const char *path;
	const char *value;   /* set: this; get: NULL */
	char *buf;           /* get: out */
	size_t len;
};

static int sysctl_write_in(void *p)
{
	struct sysctl_op *op = p;
	return write_file(op->path, op->value);
}

static int sysctl_read_in(void *p)
{
	struct sysctl_op *op = p;
	char tmp[SYSCTL_VALUE_MAX + 2];
	int r = read_file_line(op->path, tmp, sizeof(tmp));
	if (r < 0)
		return r;
	/* Multi-value sysctls separate with tabs; keep them, drop only the newline. */
	if (strlen(tmp) >= op->len)
		return -ENOBUFS;
	strcpy(op->buf, tmp);
	return 0;
}

static int ns_fd_for(const char *ns, int *ret_fd, struct nsnet_error *e)
{
	if (!ns)
		return nsnet_errx(e, EINVAL, "no namespace given");
	if (streq(ns, NSNET_HOST)) {
		*ret_fd = -1;
		return 0;
	}
	return nsnet_ns_open(ns, ret_fd, e);
}

static int sysctl_error(struct nsnet_error *e, int r, const char *verb, const char *key, const char *ns)
{
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "%s sysctl %s in '%s': no such sysctl", verb, key, ns);
	return nsnet_err(e, r, "%s sysctl %s in '%s'", verb, key, ns);
}

int nsnet_sysctl_set(const char *ns, const char *key, const char *value, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = sysctl_path(key, path, sizeof(path), e);
	if (r < 0)
		return r;
	r = value_check(key, value, e);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = -1;
	r = ns_fd_for(ns, &fd, e);
	if (r < 0)
		return nsnet_err_wrap(e, "set sysctl %s", key);
	struct sysctl_op op = { .path = path, .value = value };
	r = ns_run_in(fd, sysctl_write_in, &op);
	if (r < 0)
		return sysctl_error(e, r, "set", key, ns);
	return 0;
}

int nsnet_sysctl_get(const char *ns, const char *key, char *buf, size_t len, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = sysctl_path(key, path, sizeof(path), e);
	if (r < 0)
		return r;
	if (!buf || len == 0)
		return nsnet_errx(e, EINVAL, "read sysctl %s: no buffer", key);
	_cleanup_close_ int fd = -1;
	r = ns_fd_for(ns, &fd, e);
	if (r < 0)
		return nsnet_err_wrap(e, "read sysctl %s", key);
	struct sysctl_op op = { .path = path, .buf = buf, .len = len };
	r = ns_run_in(fd, sysctl_read_in, &op);
	if (r == -ENOBUFS)
		return nsnet_errx(e, ENOBUFS, "read sysctl %s in '%s': value longer than the %zu-byte buffer", key, ns,
				  len);
	if (r < 0)
		return sysctl_error(e, r, "read", key, ns);
	return 0;
}

#define FWD_V4 "/proc/sys/net/ipv4/ip_forward"
#define FWD_V6 "/proc/sys/net/ipv6/conf/all/forwarding"

struct forwarding_op {
	const char *value;
	int err_v6;        /* out: why IPv6 failed, when IPv4 was rolled back */
};

/* Both in one trip into the namespace. If IPv6 fails for a reason other than being
 * absent (ipv6.disable=1 or no IPv6 in the kernel: the file does not exist), the
 * IPv4 setting is put back so the call is all or nothing. */
static int forwarding_in(void *p)
{
	struct forwarding_op *op = p;
	char old[16];
	int r = read_file_line(FWD_V4, old, sizeof(old));
	if (r < 0)
		return r;
	r = write_file(FWD_V4, op->value);
	if (r < 0)
		return r;
	r = write_file(FWD_V6, op->value);
	if (r < 0 && r != -ENOENT) {
		op->err_v6 = r;
		write_file(FWD_V4, old);
		return r;
	}
	return 0;
}

int nsnet_forwarding_set(const char *ns, bool on, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = ns_fd_for(ns, &fd, e);
	if (r < 0)
		return nsnet_err_wrap(e, "turn forwarding %s", on ? "on" : "off");
	struct forwarding_op op = { .value = on ? "1" : "0" };
	r = ns_run_in(fd, forwarding_in, &op);
	if (r < 0 && op.err_v6)
		return nsnet_err(e, r, "turn IPv6 forwarding %s in '%s' (IPv4 left as it was)", on ? "on" : "off", ns);
	if (r < 0)
		return nsnet_err(e, r, "turn IPv4 forwarding %s in '%s'", on ? "on" : "off", ns);
	return 0;
}
