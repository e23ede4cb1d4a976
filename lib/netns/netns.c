/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Named network namespaces, bound at /run/netns/NAME exactly as `ip netns add`
 * makes them, so iproute2 and nsnet see and use each other's namespaces.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <pthread.h>
#include "netns/netns.h"
#include "base/base.h"

/* Make /run/netns a shared mount point, as iproute2 does, so a namespace bound
 * there propagates into (and is unbound from) every mount namespace that has
 * a copy: without it, `ip netns del` in one leaves a live namespace in others. */
static int netns_dir_prepare(struct nsnet_error *e)
{
	int r = mkdir_p(NSNET_NETNS_DIR, 0755);
	if (r < 0)
		return nsnet_err(e, r, "create %s", NSNET_NETNS_DIR);
	bool bound = false;
	while (mount("", NSNET_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return nsnet_err(e, errno, "make %s a shared mount", NSNET_NETNS_DIR);
		if (mount(NSNET_NETNS_DIR, NSNET_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return nsnet_err(e, errno, "bind-mount %s", NSNET_NETNS_DIR);
		bound = true;
	}
	return 0;
}

static void netns_unbind(const char *path)
{
	/* A namespace can be bound more than once on the same file; peel every layer. */
	for (int i = 0; i < 16 && umount2(path, MNT_DETACH) == 0; i++)
		;
	unlink(path);
}

/* The empty file /run/netns/NAME that a namespace is bound on; -EEXIST: the name
 * is taken. */
static int mount_point(const char *name, char path[PATH_MAX], struct nsnet_error *e)
{
	if (netns_path(name, path, PATH_MAX) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "namespace '%s': path too long", name);
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return nsnet_errx(e, EEXIST, "namespace '%s' already exists", name);
		return nsnet_err(e, errno, "create %s", path);
	}
	close(fd);
	return 0;
}

/* Must run on a disposable thread: unshare() moves the calling thread into the new
 * namespace, and the caller's own thread must never change namespace. */
int netns_create_here(const char *name, int *ret_fd, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = mount_point(name, path, e);
	if (r < 0)
		return r;
	if (unshare(CLONE_NEWNET) < 0 || mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		netns_unbind(path);
		return nsnet_err(e, r, "create namespace '%s'", name);
	}
	if (ret_fd) {
		*ret_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (*ret_fd < 0) {
			r = -errno;
			netns_unbind(path);
			return nsnet_err(e, r, "open namespace '%s'", name);
		}
	}
	return 0;
}

int netns_bind(const char *src, const char *name, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = nsnet_ns_name_check(name, e);
	if (r < 0 || (r = netns_dir_prepare(e)) < 0)
		return r;
	if ((r = mount_point(name, path, e)) < 0)
		return r;
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		netns_unbind(path);
		return nsnet_err(e, r, "bind %s at %s", src, path);
	}
	return 0;
}

int netns_remove(const char *name, struct nsnet_error *e)
{
	char path[PATH_MAX];
	if (netns_path(name, path, sizeof(path)) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "namespace '%s': path too long", name);
	for (int i = 0; i < 16 && umount2(path, MNT_DETACH) == 0; i++)
		;
	/* unlink() only fails with EBUSY while the file is still a mount point in our
	 * own mount namespace; copies leaked into other mount namespaces are detached
	 * by the kernel when the name goes. Retry the unmount once more, then give up. */
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return nsnet_errx(e, ENOENT, "namespace '%s' not found", name);
		if (errno == EBUSY && umount2(path, MNT_DETACH) == 0 && unlink(path) == 0)
			return 0;
		return nsnet_err(e, errno, "remove %s", path);
	}
	return 0;
}

struct remove_many {
	const char *const *names;
	pthread_mutex_t lock;
	size_t first;               /* the first failed index so far (n: none) */
	struct nsnet_error err;     /* its error */
	int r;
};

static int remove_one(size_t i, void *p, struct nsnet_error *e)
{
	struct remove_many *m = p;
	struct nsnet_error mine = { 0 };
	int r = netns_remove(m->names[i], &mine);
	if (r < 0) {
		pthread_mutex_lock(&m->lock);
		if (i < m->first) {
			m->first = i;
			m->err = mine;
			m->r = r;
		}
		pthread_mutex_unlock(&m->lock);
	}
	return 0;
}

/*
 * Each unmount ends with an RCU grace period (the kernel's namespace_unlock), a
 * millisecond or more of waiting, not of work: 10,000 of them in a row are 10-30 s.
 * Unmounted from many threads at once, the waits overlap. Stops at nothing; the
 * first failure (in names' order) is said.
 */
int netns_remove_many(const char *const *names, size_t n, struct nsnet_error *e)
{
	struct remove_many m = { .names = names, .lock = PTHREAD_MUTEX_INITIALIZER, .first = n };
	int r = run_parallel_threads(n, remove_one, &m, n < 8 ? 1 : 32, e);
	if (r == 0 && m.r < 0) {
		if (e)
			*e = m.err;
		r = m.r;
	}
	return r;
}

static int cmpstrp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_names(const char *const *names, size_t n, bool must_exist, struct nsnet_error *e)
{
	/* Duplicates: sort a copy (O(n log n): a thousand names are common here). */
	_cleanup_free_ const char **sorted = calloc(n + 1, sizeof(*sorted));
	if (!sorted)
		return nsnet_err(e, ENOMEM, "check names");
	memcpy(sorted, names, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmpstrp);
	for (size_t i = 1; i < n; i++)
		if (streq(sorted[i], sorted[i - 1]))
			return nsnet_errx(e, EINVAL, "namespace '%s' given twice", sorted[i]);
	for (size_t i = 0; i < n; i++) {
		int r = nsnet_ns_name_check(names[i], e);
		if (r < 0)
			return r;
		if (streq(names[i], NSNET_HOST))
			return nsnet_errx(e, EINVAL, "namespace name '%s' is reserved for the caller's own namespace",
					  names[i]);
		bool exists = nsnet_ns_exists(names[i]);
		if (must_exist && !exists)
			return nsnet_errx(e, ENOENT, "namespace '%s' not found", names[i]);
		if (!must_exist && exists)
			return nsnet_errx(e, EEXIST, "namespace '%s' already exists", names[i]);
	}
	return 0;
}

struct add_ctx {
	const char *const *names;
	bool *made;
};

static int add_one(size_t i, void *p, struct nsnet_error *e)
{
	struct add_ctx *c = p;
	int r = netns_create_here(c->names[i], NULL, e);
	if (r == 0)
		c->made[i] = true;
	return r;
}

int nsnet_ns_add(const char *const *names, size_t n, struct nsnet_error *e)
{
	int r = check_names(names, n, false, e);
	if (r < 0)
		return r;
	r = netns_dir_prepare(e);
	if (r < 0)
		return r;
	_cleanup_free_ bool *made = calloc(n, sizeof(*made));
	if (!made)
		return nsnet_err(e, ENOMEM, "add namespaces");
	struct add_ctx c = { names, made };
	r = run_parallel(n, add_one, &c, e);
	if (r < 0)
		for (size_t i = 0; i < n; i++)
			if (made[i])
				netns_remove(names[i], NULL);
	return r;
}

struct pids_of {
	struct stat target;
	pid_t *v;
	size_t n, cap;
	bool nomem;
};

static void pid_seen(pid_t pid, const struct stat *st, void *data)
{
	struct pids_of *p = data;
	if (p->nomem || st->st_ino != p->target.st_ino || st->st_dev != p->target.st_dev)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		pid_t *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			p->nomem = true;
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = pid;
}

int nsnet_ns_pids(const char *name, pid_t **ret_pids, size_t *ret_n, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(name, &fd, e);
	if (r < 0)
		return r;
	struct pids_of p = { 0 };
	if (fstat(fd, &p.target) < 0)
		return nsnet_err(e, errno, "stat namespace '%s'", name);
	if ((r = netns_each_pid(pid_seen, &p)) < 0 || p.nomem) {
		free(p.v);
		return r < 0 ? nsnet_err(e, r, "open /proc") : nsnet_err(e, ENOMEM, "list pids of '%s'", name);
	}
	*ret_pids = p.v;
	*ret_n = p.n;
	return 0;
}

static int kill_and_wait(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	/* Wait until each is gone from the namespace: a killed process leaves it when
	 * it exits, before its parent reaps it. */
	for (int tries = 0; tries < 500; tries++) {
		bool alive = false;
		for (size_t i = 0; i < n && !alive; i++) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/%d/ns/net", pids[i]);
			alive = access(p, F_OK) == 0;
		}
		if (!alive)
			return 0;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

int netns_del(const char *const *names, size_t n, bool force, struct nsnet_error *e)
{
	int r = check_names(names, n, true, e);
	if (r < 0)
		return r;
	/* Check every namespace for processes before removing any. */
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t np = 0;
		r = nsnet_ns_pids(names[i], &pids, &np, e);
		if (r < 0)
			return r;
		if (np == 0)
			continue;
		if (force) {
			if (kill_and_wait(pids, np) < 0)
				return nsnet_errx(e, EBUSY, "namespace '%s': processes did not exit after SIGKILL", names[i]);
			continue;
		}
		char list[512] = "";
		size_t off = 0;
		for (size_t k = 0; k < np && off < sizeof(list) - 16; k++)
			off += snprintf(list + off, sizeof(list) - off, "%s%d", k ? " " : "", pids[k]);
		return nsnet_errx(e, EBUSY, "namespace '%s' still has processes (pids %s); use --force to kill them",
				  names[i], list);
	}
	return netns_remove_many(names, n, e);
}

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;
	return x < y ? -1 : x > y;
}

int netns_kill_all(const char *const *names, size_t n)
{
	if (n == 0)
		return 0;
	_cleanup_free_ ino_t *inos = calloc(n, sizeof(*inos));
	if (!inos)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		if (netns_path(names[i], path, sizeof(path)) == 0 && stat(path, &st) == 0)
			inos[k++] = st.st_ino;
	}
	qsort(inos, k, sizeof(*inos), cmp_ino);
	/* One pass over /proc for all namespaces, not one per namespace. */
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	pid_t *pids = NULL;
	size_t np = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end, p[64];
		long pid = strtol(de->d_name, &end, 10);
		struct stat st;
		if (*end || pid <= 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%ld/ns/net", pid);
		if (stat(p, &st) < 0 || !bsearch(&st.st_ino, inos, k, sizeof(*inos), cmp_ino))
			continue;
		pid_t *nn = realloc(pids, (np + 1) * sizeof(*nn));
		if (!nn)
			break;
		pids = nn;
		pids[np++] = (pid_t)pid;
	}
	closedir(d);
	int r = np ? kill_and_wait(pids, np) : 0;
	free(pids);
	return r;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nsnet_ns_list(char ***ret_names, size_t *ret_n, struct nsnet_error *e)
{
	DIR *d = opendir(NSNET_NETNS_DIR);
	if (!d) {
		if (errno == ENOENT) {
			*ret_names = NULL;
			*ret_n = 0;
			return 0;
		}
		return nsnet_err(e, errno, "open %s", NSNET_NETNS_DIR);
	}
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*nv));
			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmpstr);
	*ret_names = v;
	*ret_n = n;
	return 0;
oom:
	closedir(d);
	nsnet_strv_free(v, n);
	return nsnet_err(e, ENOMEM, "list namespaces");
}
