/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sysctls of a namespace, through /proc/sys. The net.* tree under /proc/sys shows
 * the network namespace of the thread that opens the file, so the files are opened
 * from a short-lived thread inside the namespace (ns_run_in); the caller's own
 * thread never changes namespace.
 *
 * nsnet runs as root, so a write must never reach a host-wide setting: a lab file
 * saying `kernel.core_pattern` or `net.core.bpf_jit_enable` would otherwise own the
 * host. A key is set only if it is one of the namespace's own, and the kernel is
 * what says so, not a list of prefixes:
 *   - it lies below /proc/sys/net, reached from a directory fd of that tree with
 *     openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), so no
 *     "..", absolute path or link can lead out of it;
 *   - the kernel registers the per-namespace tables once per network namespace
 *     (register_net_sysctl), so the same key opened from two network namespaces is
 *     two different inodes, while a table registered once for the whole host is one
 *     inode seen from everywhere. Host-wide net.* keys (net.core.bpf_jit_enable,
 *     netdev_max_backlog, net.ipv4.tcp_mem...) are registered for the initial
 *     namespace only and are absent from every other one. So with both files open at
 *     once: a different inode in a second namespace is the namespace's own; the same
 *     inode is host-wide; absent from the second one is host-wide, except a
 *     per-interface key (conf/DEV/, neigh/DEV/), which is accepted when its template
 *     (conf/default/...) passes the same test.
 * The file that passed is the one written to: nothing is looked up twice.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "netns/netns.h"
#include "base/base.h"

#define SYSCTL_VALUE_MAX 4096

static int sysctl_path(const char *key, char *buf, size_t len, struct nsnet_error *e)
{
	char rel[SYSCTL_KEY_MAX + 1];
	int r = sysctl_key_path(key, rel, sizeof(rel), e);
	if (r < 0)
		return r;
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

/* One sysctl read, run inside the namespace. */
struct sysctl_op {
	const char *path;
	char *buf;           /* out */
	size_t len;
};

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

/* ---- the namespace's own keys ------------------------------------------------ */

/* The /proc/sys/net of the calling thread's network namespace, on a real procfs. */
static int open_net_dir(void)
{
	_cleanup_close_ int fd = open("/proc/sys/net", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	if (sf.f_type != PROC_SUPER_MAGIC)
		return -EXDEV;
	return TAKE_FD(fd);
}

/* rel below dirfd, never out of it, and a regular file. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	/* Before Linux 5.6: the key's syntax already has no "..", no leading '/'. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, rel, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == EXDEV || errno == ELOOP ? -EPERM : -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EISDIR;
	return TAKE_FD(fd);
}

struct net_open {
	const char *rel;   /* below /proc/sys/net */
	int flags;
	int fd;            /* out */
};

static int net_open_in(void *p)
{
	struct net_open *o = p;
	_cleanup_close_ int dir = open_net_dir();
	if (dir < 0)
		return dir;
	int fd = open_beneath(dir, o->rel, o->flags);
	if (fd < 0)
		return fd;
	o->fd = fd;
	return 0;
}

/* A network namespace nobody uses, to compare with when the target is the caller's
 * own: made once (unshare() in a thread of its own) and kept for the process's
 * life, so a thousand keys cost one namespace. */
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_fd = -1, probe_err = EIO;

static int probe_make_in(void *p)
{
	(void)p;
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	probe_fd = fd;
	return 0;
}

static void probe_make(void)
{
	int r = ns_run_in(NS_NEW_THREAD, probe_make_in, NULL);
	if (r < 0)
		probe_err = -r;
}

static int probe_netns(void)
{
	pthread_once(&probe_once, probe_make);
	return probe_fd >= 0 ? probe_fd : -probe_err;
}

/* Is nsfd (NS_SELF: the caller's) the calling thread's own network namespace? */
static int is_own_netns(int nsfd, bool *ret)
{
	struct stat a, b;
	if (nsfd == NS_SELF) {
		*ret = true;
		return 0;
	}
	if (fstat(nsfd, &a) < 0 || stat("/proc/thread-self/ns/net", &b) < 0)
		return -errno;
	*ret = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return 0;
}

static int host_wide(struct nsnet_error *e, const char *key, const char *ns)
{
	return nsnet_errx(e, EPERM,
			  "set sysctl %s in '%s': refused: it is a host-wide setting, not one of the network namespace's own",
			  key, ns);
}

/*
 * Open rel (below /proc/sys/net) in the namespace nsfd with flags, only if it is
 * that namespace's own (see the top of this file). key and ns are for messages.
 * -ENOENT (no message) when the namespace has no such key.
 */
static int net_key_open(int nsfd, const char *ns, const char *key, const char *rel, int flags, int *ret_fd,
			struct nsnet_error *e)
{
	struct net_open t = { .rel = rel, .flags = flags, .fd = -1 };
	int r = ns_run_in(nsfd, net_open_in, &t);
	if (r == -ENOENT)
		return r;
	if (r == -EPERM || r == -EISDIR)
		return nsnet_errx(e, EPERM, "set sysctl %s in '%s': refused: not a file below /proc/sys/net", key, ns);
	if (r < 0)
		return nsnet_err(e, r, "set sysctl %s in '%s'", key, ns);
	_cleanup_close_ int fd = t.fd;

	/* The second namespace: ours, or when the target is ours, the probe. */
	bool own = false;
	if ((r = is_own_netns(nsfd, &own)) < 0)
		return nsnet_err(e, r, "set sysctl %s in '%s': compare namespaces", key, ns);
	int other = NS_SELF;
	if (own && (other = probe_netns()) < 0)
		return nsnet_err(e, -other, "set sysctl %s in '%s': make a network namespace to compare with", key, ns);
	struct net_open c = { .rel = rel, .flags = O_PATH, .fd = -1 };
	r = ns_run_in(other, net_open_in, &c);
	_cleanup_close_ int cfd = c.fd;
	if (r == -ENOENT) {
		char tmpl[SYSCTL_KEY_MAX + 16];
		_cleanup_close_ int tfd = -1;
		if (!sysctl_key_device_default(rel, tmpl, sizeof(tmpl)))
			return host_wide(e, key, ns);
		r = net_key_open(nsfd, ns, key, tmpl, O_PATH, &tfd, e);
		if (r == -ENOENT)
			return host_wide(e, key, ns);
		if (r < 0)
			return r;
	} else if (r < 0) {
		return nsnet_err(e, r, "set sysctl %s in '%s': open it in a second namespace to compare", key, ns);
	} else {
		struct stat a, b;
		if (fstat(fd, &a) < 0 || fstat(cfd, &b) < 0)
			return nsnet_err(e, errno, "set sysctl %s in '%s'", key, ns);
		if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return host_wide(e, key, ns);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

struct fd_write {
	int fd;
	const char *value;
};

static int fd_write_in(void *p)
{
	struct fd_write *w = p;
	size_t len = strlen(w->value);
	ssize_t n = write(w->fd, w->value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int nsnet_sysctl_set(const char *ns, const char *key, const char *value, struct nsnet_error *e)
{
	char rel[SYSCTL_KEY_MAX + 1];
	int r = sysctl_key_net_path(key, rel, sizeof(rel), e);
	if (r < 0)
		return r;
	r = value_check(key, value, e);
	if (r < 0)
		return r;
	_cleanup_close_ int nsfd = -1;
	r = ns_fd_for(ns, &nsfd, e);
	if (r < 0)
		return nsnet_err_wrap(e, "set sysctl %s", key);
	_cleanup_close_ int fd = -1;
	r = net_key_open(nsfd, ns, key, rel, O_WRONLY, &fd, e);
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "set sysctl %s in '%s': no such sysctl", key, ns);
	if (r < 0)
		return r;
	/* Written from inside the namespace too: some handlers look at the writer's. */
	struct fd_write w = { .fd = fd, .value = value };
	r = ns_run_in(nsfd, fd_write_in, &w);
	if (r < 0)
		return sysctl_error(e, r, "set", key, ns);
	return 0;
}

int sysctl_check_new_netns(const char *key, struct nsnet_error *e)
{
	char rel[SYSCTL_KEY_MAX + 1];
	int r = sysctl_key_net_path(key, rel, sizeof(rel), e);
	if (r < 0)
		return r;
	int probe = probe_netns();
	if (probe < 0)
		return nsnet_err(e, -probe, "check sysctl %s: make a network namespace to look in", key);
	_cleanup_close_ int fd = -1;
	r = net_key_open(probe, "a new namespace", key, rel, O_PATH, &fd, e);
	if (r != -ENOENT)
		return r;
	/* Ours has it but a new namespace does not: registered for the initial
	 * namespace only, which is what the host-wide net.* keys are. */
	struct net_open o = { .rel = rel, .flags = O_PATH, .fd = -1 };
	if (net_open_in(&o) == 0) {
		close(o.fd);
		return nsnet_errx(e, EPERM, "sysctl %s is a host-wide setting, not one of a network namespace's own", key);
	}
	return nsnet_errx(e, ENOENT, "sysctl %s: no such sysctl in a new network namespace", key);
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
