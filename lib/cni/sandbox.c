/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's network namespace. A runtime names it by a path: podman and
 * Kubernetes' containerd make /run/netns/NAME, which nsnet uses as the namespace's
 * name; ctr gives /proc/PID/ns/net, which nsnet binds at /run/netns/cni-ID (as
 * `ip netns attach` would) so that show, exec, doctor and ip netns see the container
 * by a name. A binding nsnet made is recorded first (STATE/cni-ns/NAME.json) and
 * removed with the last member that uses it; whatever a killed command left is
 * swept by the next CNI command.
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

static void marker_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/cni-ns", NSNET_STATE_DIR);
}

static void marker_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/cni-ns/%s.json", NSNET_STATE_DIR, name);
}

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

int cni_netns_bind(const char *path, const char *name, struct nsnet_error *e)
{
	char dir[PATH_MAX], marker[PATH_MAX];
	marker_dir(dir, sizeof(dir));
	marker_path(name, marker, sizeof(marker));
	int r = mkdir_p(dir, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	/* The record first: a kill between the two leaves a record the sweep removes. */
	json_t *m = json_pack("{s:s, s:s}", "name", name, "netns", path);
	r = json_write_atomic(marker, m, e);
	json_decref(m);
	if (r < 0)
		return r;
	if ((r = netns_bind(path, name, e)) < 0)
		unlink(marker);
	return r;
}

int cni_sweep(struct nsnet_error *e)
{
	char dir[PATH_MAX], marker[PATH_MAX];
	char **bound = NULL, **nets = NULL;
	size_t n_bound = 0, n_nets = 0;
	marker_dir(dir, sizeof(dir));
	int r = state_dir_names(dir, &bound, &n_bound, e);
	if (r < 0 || n_bound == 0)
		return r;
	json_auto_t *used = json_object();
	if ((r = state_net_names(&nets, &n_nets, e)) < 0)
		goto out;
	for (size_t i = 0; i < n_nets; i++) {
		json_t *net, *m;
		size_t k;
		if (state_net_load(nets[i], &net, NULL) < 0)
			continue;
		json_array_foreach(json_object_get(net, "members"), k, m) json_object_set(used, jstr0(m, "ns"), json_true());
		json_decref(net);
	}
	for (size_t i = 0; i < n_bound; i++) {
		if (json_object_get(used, bound[i]))
			continue;
		struct nsnet_error ignored;
		if (nsnet_ns_name_check(bound[i], NULL) == 0)
			netns_remove(bound[i], &ignored);
		marker_path(bound[i], marker, sizeof(marker));
		unlink(marker);
	}
out:
	nsnet_strv_free(bound, n_bound);
	nsnet_strv_free(nets, n_nets);
	return r;
}
