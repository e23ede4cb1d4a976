/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which namespaces monitor watches, and following them by name. Targets are labs
 * (their nodes, read from the labs' records: a node's name is its namespace's) and
 * namespace references. Names under /run/netns are followed: watching every name,
 * a lab's nodes or a name given, a namespace that appears under such a name is
 * picked up and one whose name goes is dropped. /run/netns is watched with inotify,
 * and the labs' records too, so a node added to a lab is seen.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <time.h>
#include <sys/inotify.h>
#include "observe/observe.h"
#include "netns/netns.h"
#include "state/state.h"
#include "base/base.h"

/* `ip netns add` makes the file, then mounts the namespace over it; a name seen in
 * between is looked at again this often, for this long. */
#define PENDING_RETRY_MS 20
#define PENDING_GIVE_UP_MS 10000

struct target {
	char *label;
	int fd;
	bool followed;
};

struct pending {
	char *name;
	long long since;   /* ms, CLOCK_MONOTONIC */
};

struct mon_watch {
	bool all;                 /* every name under /run/netns */
	struct target *targets;   /* namespaces given (and host, watching all) */
	size_t n_targets;
	char **labs;
	size_t n_labs;
	int ino;                  /* inotify; -1 when nothing is followed */
	int wd_dir, wd_run, wd_labs;
	struct pending *pending;
	size_t n_pending;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

void mon_watch_free(struct mon_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_targets; i++) {
		free(w->targets[i].label);
		if (w->targets[i].fd >= 0)
			close(w->targets[i].fd);
	}
	free(w->targets);
	nsnet_strv_free(w->labs, w->n_labs);
	for (size_t i = 0; i < w->n_pending; i++)
		free(w->pending[i].name);
	free(w->pending);
	if (w->ino >= 0)
		close(w->ino);
	free(w);
}

/* ---- targets ------------------------------------------------------------------------ */

static bool is_lab(const char *s)
{
	json_t *st;
	if (streq(s, NSNET_HOST) || lab_state_load(s, &st, NULL) < 0)
		return false;
	json_decref(st);
	return true;
}

/* A reference that opens the namespace named s under /run/netns is followed by that
 * name; any other ("host", a path, a pid) stays as it is for as long as we run. */
static bool named(const char *s, dev_t dev, ino_t ino)
{
	char path[PATH_MAX];
	dev_t d;
	ino_t i;
	if (streq(s, NSNET_HOST) || strchr(s, '/') || netns_path(s, path, sizeof(path)) < 0)
		return false;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && mon_ns_identity(fd, &d, &i) == 0 && d == dev && i == ino;
}

static int add_target(struct mon_watch *w, const char *ref, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(ref, &fd, e);
	if (r < 0)
		return r;
	dev_t dev;
	ino_t ino;
	if ((r = mon_ns_identity(fd, &dev, &ino)) < 0)
		return r == -ENOTTY ? nsnet_errx(e, ENOTTY, "'%s' is not a network namespace", ref)
				    : nsnet_err(e, -r, "namespace '%s'", ref);
	struct target *t = realloc(w->targets, (w->n_targets + 1) * sizeof(*t));
	if (!t)
		return nsnet_err(e, ENOMEM, "monitor");
	w->targets = t;
	t = &w->targets[w->n_targets];
	if (!(t->label = strdup(ref)))
		return nsnet_err(e, ENOMEM, "monitor");
	t->followed = named(ref, dev, ino);
	t->fd = TAKE_FD(fd);
	w->n_targets++;
	return 0;
}

static void watch_dirs(struct mon_watch *w)
{
	const uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB;
	w->wd_dir = inotify_add_watch(w->ino, NSNET_NETNS_DIR, mask | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
	/* No /run/netns yet (no namespace was ever named): its parent says when it comes. */
	if (w->wd_dir < 0 && w->wd_run < 0)
		w->wd_run = inotify_add_watch(w->ino, "/run", IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	if (w->n_labs && w->wd_labs < 0)
		w->wd_labs = inotify_add_watch(w->ino, NSNET_LAB_DIR, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_ONLYDIR);
}

int mon_watch_new(const char *const *targets, size_t n, struct mon_watch **ret, struct nsnet_error *e)
{
	struct mon_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return nsnet_err(e, ENOMEM, "monitor");
	w->ino = w->wd_dir = w->wd_run = w->wd_labs = -1;
	w->all = n == 0;
	int r = 0;
	if (w->all)
		r = add_target(w, NSNET_HOST, e);
	/* A lab's name wins over a namespace of the same name: the namespace can still
	 * be named by its path. */
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (is_lab(targets[i]))
			r = strv_has(w->labs, w->n_labs, targets[i]) ? 0 : strv_add(&w->labs, &w->n_labs, targets[i]) < 0 ? nsnet_err(e, ENOMEM, "monitor") : 0;
		else
			r = add_target(w, targets[i], e);
	}
	bool follow = w->all || w->n_labs;
	for (size_t i = 0; i < w->n_targets; i++)
		follow |= w->targets[i].followed;
	if (r >= 0 && follow) {
		w->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (w->ino < 0)
			r = nsnet_err(e, errno, "watch " NSNET_NETNS_DIR);
		else
			watch_dirs(w);
	}
	if (r < 0) {
		mon_watch_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

int mon_watch_fd(const struct mon_watch *w)
{
	return w->ino;
}

int mon_watch_timeout(const struct mon_watch *w)
{
	long long now = now_ms();
	for (size_t i = 0; i < w->n_pending; i++)
		if (now - w->pending[i].since < PENDING_GIVE_UP_MS)
			return PENDING_RETRY_MS;
	return -1;
}

int mon_watch_static(struct mon_watch *w, struct monitor *m, struct nsnet_error *e)
{
	for (size_t i = 0; i < w->n_targets; i++) {
		const struct target *t = &w->targets[i];
		dev_t dev;
		ino_t ino;
		/* The same namespace given twice (or by two references) is watched once. */
		if (mon_ns_identity(t->fd, &dev, &ino) == 0 && mon_has(m, dev, ino))
			continue;
		int r = mon_add(m, t->fd, t->label, t->followed, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- following names ---------------------------------------------------------------------- */

/* Empty the inotify queue; what it said does not matter, only that something moved.
 * /run/netns made or removed: watch it (again). */
static void drain(struct mon_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool rewatch = false;
	ssize_t n;
	while ((n = read(w->ino, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->wd == w->wd_dir && ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				rewatch = true;
			if (ev->wd == w->wd_run || (ev->wd == w->wd_labs && ev->mask & IN_IGNORED))
				rewatch = true;
			p += sizeof(*ev) + ev->len;
		}
	if (rewatch) {
		if (w->wd_dir >= 0)
			inotify_rm_watch(w->ino, w->wd_dir);
		w->wd_dir = -1;
		if (w->wd_labs >= 0 && access(NSNET_LAB_DIR, F_OK) < 0)
			w->wd_labs = -1;
		watch_dirs(w);
		if (w->wd_dir >= 0 && w->wd_run >= 0) {
			inotify_rm_watch(w->ino, w->wd_run);
			w->wd_run = -1;
		}
	}
}

/* Nodes of the labs watched, as their records say now (including those an `up`
 * under way means to make). */
static int lab_nodes(const struct mon_watch *w, char ***ret, size_t *ret_n)
{
	for (size_t i = 0; i < w->n_labs; i++) {
		json_t *st;
		if (lab_state_load(w->labs[i], &st, NULL) < 0)
			continue;
		json_t *maps[] = { json_object_get(st, "elements"), json_object_get(json_object_get(st, "journal"), "want") };
		for (size_t j = 0; j < ARRAY_SIZE(maps); j++) {
			const char *k;
			json_t *v;
			json_object_foreach(maps[j], k, v) if (strncmp(k, "node:", 5) == 0 &&
							       !strv_has(*ret, *ret_n, k + 5) && strv_add(ret, ret_n, k + 5) < 0) {
				json_decref(st);
				return -ENOMEM;
			}
		}
		json_decref(st);
	}
	return 0;
}

static bool wanted(const struct mon_watch *w, char *const *nodes, size_t n_nodes, const char *name)
{
	if (w->all || strv_has(nodes, n_nodes, name))
		return true;
	for (size_t i = 0; i < w->n_targets; i++)
		if (w->targets[i].followed && streq(w->targets[i].label, name))
			return true;
	return false;
}

static int names_now(char ***ret, size_t *ret_n)
{
	struct dirent **d;
	int n = scandir(NSNET_NETNS_DIR, &d, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = 0;
	for (int i = 0; i < n; i++) {
		if (r == 0 && d[i]->d_name[0] != '.')
			r = strv_add(ret, ret_n, d[i]->d_name);
		free(d[i]);
	}
	free(d);
	return r;
}

static void pending_set(struct mon_watch *w, const char *name, bool half_made)
{
	size_t i;
	for (i = 0; i < w->n_pending && !streq(w->pending[i].name, name); i++)
		;
	if (!half_made && i < w->n_pending) {
		free(w->pending[i].name);
		w->pending[i] = w->pending[--w->n_pending];
	} else if (half_made && i == w->n_pending) {
		struct pending *p = realloc(w->pending, (w->n_pending + 1) * sizeof(*p));
		if (!p)
			return;   /* looked at again at the next event anyway */
		w->pending = p;
		if ((p[w->n_pending].name = strdup(name))) {
			p[w->n_pending].since = now_ms();
			w->n_pending++;
		}
	}
}

/* The namespace under /run/netns/NAME now: 0 with an fd, -ENOTTY while half-made.
 * By its path: a file's name is a name, whatever a reference spelled so would mean. */
static int open_name(const char *name, int *ret_fd, dev_t *dev, ino_t *ino)
{
	char path[PATH_MAX];
	int r = netns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((r = mon_ns_identity(fd, dev, ino)) < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int mon_watch_scan(struct mon_watch *w, struct monitor *m, struct nsnet_error *e)
{
	if (w->ino < 0)
		return 0;
	drain(w);
	char **names = NULL, **nodes = NULL;
	size_t n_names = 0, n_nodes = 0;
	int r = names_now(&names, &n_names);
	if (r < 0 || (r = lab_nodes(w, &nodes, &n_nodes)) < 0) {
		r = nsnet_err(e, -r, "read " NSNET_NETNS_DIR);
		goto out;
	}
	/* Gone, no longer wanted, or another namespace under the same name now. */
	for (size_t i = mon_count(m); i-- > 0;) {
		struct mon_ns *ns = mon_at(m, i);
		if (!ns->followed)
			continue;
		dev_t dev;
		ino_t ino;
		int fd = -1;
		bool same = strv_has(names, n_names, ns->label) && wanted(w, nodes, n_nodes, ns->label) &&
			    open_name(ns->label, &fd, &dev, &ino) == 0 && dev == ns->dev && ino == ns->ino;
		if (fd >= 0)
			close(fd);
		if (!same && (r = mon_drop(m, i, NULL)) != 0)
			goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		bool watched = false;
		for (size_t j = 0; j < mon_count(m) && !watched; j++)
			watched = mon_at(m, j)->followed && streq(mon_at(m, j)->label, names[i]);
		if (watched || !wanted(w, nodes, n_nodes, names[i]))
			continue;
		_cleanup_close_ int fd = -1;
		dev_t dev;
		ino_t ino;
		int q = open_name(names[i], &fd, &dev, &ino);
		pending_set(w, names[i], q == -ENOTTY);
		/* Gone again, or a second name of a namespace watched already. */
		if (q < 0 || mon_has(m, dev, ino))
			continue;
		if ((r = mon_add(m, fd, names[i], true, e)) != 0)
			goto out;
	}
	/* Names that went while half-made are not waited for. */
	for (size_t i = w->n_pending; i-- > 0;)
		if (!strv_has(names, n_names, w->pending[i].name))
			pending_set(w, w->pending[i].name, false);
out:
	nsnet_strv_free(names, n_names);
	nsnet_strv_free(nodes, n_nodes);
	return r;
}
