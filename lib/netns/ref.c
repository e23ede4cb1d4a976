/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Namespace references: how a user names a network namespace to the verbs that
 * only look at or enter one (show, exec, doctor, capture, monitor, ns pids):
 *   NAME         a namespace under /run/netns (ip netns's), or "host": our own;
 *   pid:N        the network namespace of process N, as `nsenter -t N -n`;
 *   /PATH        a namespace file: /proc/N/ns/net, a bind mount anywhere
 *                (/run/docker/netns/ID, a CNI runtime's), checked to be one.
 * Verbs that create or remove namespaces take names only.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include "netns/netns.h"
#include "base/base.h"

int netns_path(const char *name, char *buf, size_t len)
{
	return xsnprintf(buf, len, "%s/%s", NSNET_NETNS_DIR, name);
}

enum netns_ref_kind netns_ref_parse(const char *ref, pid_t *ret_pid)
{
	if (!ref || !*ref)
		return NETNS_REF_BAD;
	if (streq(ref, NSNET_HOST))
		return NETNS_REF_HOST;
	if (ref[0] == '/')
		return NETNS_REF_PATH;
	if (strncmp(ref, "pid:", 4) == 0) {
		const char *s = ref + 4;
		char *end;
		errno = 0;
		long pid = (*s >= '0' && *s <= '9') ? strtol(s, &end, 10) : 0;
		if (pid <= 0 || pid > INT32_MAX || errno || *end)
			return NETNS_REF_BAD;
		if (ret_pid)
			*ret_pid = (pid_t)pid;
		return NETNS_REF_PID;
	}
	return nsnet_ns_name_check(ref, NULL) == 0 ? NETNS_REF_NAME : NETNS_REF_BAD;
}

int nsnet_ns_ref_check(const char *ref, struct nsnet_error *e)
{
	if (ref && strncmp(ref, "pid:", 4) == 0 && netns_ref_parse(ref, NULL) == NETNS_REF_BAD)
		return nsnet_errx(e, EINVAL, "invalid namespace '%s': pid:N needs a process id", ref);
	if (ref && ref[0] == '/' && strlen(ref) >= PATH_MAX)
		return nsnet_errx(e, EINVAL, "invalid namespace path '%.32s...': too long", ref);
	if (netns_ref_parse(ref, NULL) == NETNS_REF_BAD)
		return nsnet_ns_name_check(ref, e);
	return 0;
}

/* A namespace file given by pid or path must really be a network namespace: a
 * mount or a pid namespace would otherwise be setns()'d with the wrong meaning. */
static int check_net(int fd, const char *ref, struct nsnet_error *e)
{
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0) {
		if (errno == ENOTTY || errno == EINVAL)
			return nsnet_errx(e, EINVAL, "'%s' is not a namespace file", ref);
		return nsnet_err(e, errno, "inspect '%s'", ref);
	}
	if (type != CLONE_NEWNET)
		return nsnet_errx(e, EINVAL, "'%s' is not a network namespace", ref);
	return 0;
}

int nsnet_ns_open(const char *ref, int *ret_fd, struct nsnet_error *e)
{
	pid_t pid = 0;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	switch (netns_ref_parse(ref, &pid)) {
	case NETNS_REF_HOST:
		fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nsnet_err(e, errno, "open the caller's network namespace");
		break;
	case NETNS_REF_NAME:
		netns_path(ref, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return nsnet_errx(e, ENOENT, "namespace '%s' not found", ref);
			return nsnet_err(e, errno, "open namespace '%s'", ref);
		}
		break;
	case NETNS_REF_PID:
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return nsnet_errx(e, ENOENT, "namespace '%s' not found: no process %d", ref, (int)pid);
			return nsnet_err(e, errno, "open the network namespace of process %d", (int)pid);
		}
		break;
	case NETNS_REF_PATH:
		if (strlen(ref) >= PATH_MAX)
			return nsnet_errx(e, EINVAL, "invalid namespace path '%.32s...': too long", ref);
		fd = open(ref, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			if (errno == ENOENT)
				return nsnet_errx(e, ENOENT, "namespace '%s' not found", ref);
			return nsnet_err(e, errno, "open namespace file '%s'", ref);
		}
		break;
	default:
		return nsnet_ns_ref_check(ref, e);
	}
	int r = check_net(fd, ref, e);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int nsnet_ns_exists(const char *ref)
{
	char path[PATH_MAX];
	switch (netns_ref_parse(ref, NULL)) {
	case NETNS_REF_HOST:
		return 1;
	case NETNS_REF_NAME:
		return netns_path(ref, path, sizeof(path)) >= 0 && access(path, F_OK) == 0;
	case NETNS_REF_PID:
	case NETNS_REF_PATH: {
		int fd = -1;
		if (nsnet_ns_open(ref, &fd, NULL) < 0)
			return 0;
		close(fd);
		return 1;
	}
	default:
		return 0;
	}
}
