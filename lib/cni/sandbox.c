/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's network namespace. A runtime names it by a path: podman and
 * Kubernetes' containerd make /run/netns/NAME, which nsnet uses as the namespace's
 * name; ctr gives /proc/PID/ns/net, which nsnet binds at /run/netns/cni-ID (as
 * `ip netns attach` would) so that show, exec, doctor and ip netns see the container
 * by a name. The binding itself, and its removal with the last member that uses
 * it, are the network layer's (lib/net/binding.c): net detach and net rm take
 * it away too.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "cni/cni.h"
#include "netns/netns.h"
#include "state/state.h"

int cni_netns_verify(struct cni_req *q, const char *path, int *ret_fd, uint64_t *ret_ino, struct nsnet_error *e)
{
	struct statfs sfs;
	struct stat st;
	if (!path || path[0] != '/')
		return cni_fail(q, CNI_E_ENV, EINVAL, e, "CNI_NETNS '%s' is not an absolute path", path ? path : "");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return cni_fail(q, CNI_E_ENV, errno == ENOENT ? ENOENT : EINVAL, e, "CNI_NETNS %s: %s", path,
				strerror(errno));
	int ty;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC || (ty = ioctl(fd, NS_GET_NSTYPE)) < 0 ||
	    ty != CLONE_NEWNET || fstat(fd, &st) < 0) {
		close(fd);
		return cni_fail(q, CNI_E_ENV, EINVAL, e, "CNI_NETNS %s is not a network namespace", path);
	}
	*ret_ino = st.st_ino;
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	return 0;
}

uint64_t cni_ns_ino(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	if (netns_path(name, path, sizeof(path)) < 0 || stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

int cni_netns_name(struct cni_req *q, const char *path, uint64_t ino, char name[64], bool *ret_bind,
		   struct nsnet_error *e)
{
	char real[PATH_MAX];
	size_t dl = strlen(NSNET_NETNS_DIR);
	*ret_bind = false;
	/* A runtime's own name under /run/netns (podman's netns-UUID, CRI's cni-UUID). */
	if (realpath(path, real) && strncmp(real, NSNET_NETNS_DIR "/", dl + 1) == 0 && !strchr(real + dl + 1, '/') &&
	    strlen(real + dl + 1) < 64 && nsnet_ns_name_check(real + dl + 1, NULL) == 0 &&
	    cni_ns_ino(real + dl + 1) == ino) {
		snprintf(name, 64, "%s", real + dl + 1);
		return 0;
	}
	/* Else "cni-" and the container id's first 12 bytes, as docker ps shows ids; a
	 * name some other namespace holds falls back to a hash of the whole id. */
	const char *id = q->env->container_id;
	snprintf(name, 64, "cni-%.12s", id);
	uint64_t cur = cni_ns_ino(name);
	if (cur && cur != ino) {
		snprintf(name, 64, "cni-%08x", nsnet_hash32(id));
		cur = cni_ns_ino(name);
		if (cur && cur != ino)
			return cni_fail(q, CNI_E_CONFIG, EEXIST, e,
					"cannot name the container's namespace: %s/%s and cni-%.12s are other namespaces",
					NSNET_NETNS_DIR, name, id);
	}
	*ret_bind = cur == 0;  /* bound already: the same container on another network */
	return 0;
}
