/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /run/nsnet: the lock and the per-network JSON files. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "state/state.h"
#include "base/base.h"

/* State files are written to NAME.tmp and renamed: a command killed in between
 * leaves the .tmp behind. Every writer holds the lock, so a .tmp found by the
 * holder of the lock is a dead writer's. */
static void remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && streq(de->d_name + l - 4, ".tmp"))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int state_lock(int *ret_fd, struct nsnet_error *e)
{
	int r = mkdir_p(NSNET_NET_DIR, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", NSNET_NET_DIR);
	/* A /run/nsnet made by an older nsnet was world-readable: close it. */
	if (chmod(NSNET_STATE_DIR, NSNET_STATE_DIR_MODE) < 0)
		return nsnet_err(e, errno, "chmod %s", NSNET_STATE_DIR);
	int fd = open(state_paths.lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, NSNET_STATE_FILE_MODE);
	if (fd < 0)
		return nsnet_err(e, errno, "open %s", state_paths.lock);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return nsnet_err(e, r, "lock %s", NSNET_STATE_DIR);
		}
	}
	const char *const dirs[] = { NSNET_STATE_DIR, NSNET_NET_DIR, NSNET_LAB_DIR, NSNET_PUBLISH_DIR, NSNET_JOURNAL_DIR };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		remove_stale_tmp(dirs[i]);
	*ret_fd = fd;
	return 0;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Write all of buf to fd; -errno (a full disk is ENOSPC, or a short write). */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int json_write_atomic(const char *path, json_t *v, struct nsnet_error *e)
{
	char tmp[PATH_MAX];
	if (xsnprintf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "%s: path too long", path);
	_cleanup_free_ char *text = json_dumps(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return nsnet_err(e, ENOMEM, "write %s", tmp);
	/* Never world-readable, even for a moment: made 0600, not chmod'ed after (and
	 * fchmod'ed in case an old .tmp of another mode was there). */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, NSNET_STATE_FILE_MODE);
	if (fd < 0)
		return nsnet_err(e, errno, "write %s", tmp);
	/* Say why a write failed ("No space left on device"): close reports the
	 * errors of a delayed write too. One write(2) for the whole text. */
	int r = fchmod(fd, NSNET_STATE_FILE_MODE) < 0 ? -errno : write_all(fd, text, strlen(text));
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return nsnet_err(e, r, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return nsnet_err(e, r, "rename %s", tmp);
	}
	return 0;
}

int json_read(const char *path, json_t **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct nsnet_error re;
	int r = read_file_bounded(path, NSNET_STATE_FILE_MAX, &buf, &len, &re);
	if (r == -ENOENT)
		return r;
	if (r == -EISDIR || r == -EINVAL || r == -EFBIG)
		return nsnet_errx(e, EIO, "corrupt state: %s", re.msg);
	if (r < 0) {
		if (e)
			*e = re;
		return r;
	}
	json_error_t je;
	json_t *v = json_loadb(buf, len, 0, &je);
	if (!v) {
		/* jansson quotes the text near the error: a state path may be a symlink to
		 * anything, so say where and what, never what the file holds. */
		char *near = strstr(je.text, " near '");
		if (near)
			*near = 0;
		return nsnet_errx(e, EIO, "%s:%d: corrupt state: %s", path, je.line, je.text);
	}
	*ret = v;
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_dir_names(const char *dir, char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	DIR *d = opendir(dir);
	*ret = NULL;
	*ret_n = 0;
	if (!d)
		return errno == ENOENT ? 0 : nsnet_err(e, errno, "open %s", dir);
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv || !(nv[n] = strndup(de->d_name, l - 5))) {
			closedir(d);
			nsnet_strv_free(nv ? nv : v, n);
			return nsnet_err(e, ENOMEM, "list %s", dir);
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmpstr);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- records: one file a named record in a directory of its kind ---------------- */

const struct state_kind state_networks = {
	.dir = state_paths.net, .what = "network", .check = state_net_check,
};
const struct state_kind state_labs = {
	.dir = state_paths.lab, .what = "lab", .check = state_lab_check, .bad_name = "invalid lab name '%s'",
};

static int record_path(const struct state_kind *k, const char *name, char *buf, size_t len)
{
	return xsnprintf(buf, len, "%s/%s.json", k->dir, name);
}

int state_load(const struct state_kind *k, const char *name, json_t **ret, struct nsnet_error *e)
{
	char path[PATH_MAX];
	/* Names are checked before they become paths: no '/', no '..', no control bytes. */
	int r = net_name_check(name, k->bad_name ? NULL : e);
	if (r < 0)
		return k->bad_name ? nsnet_errx(e, EINVAL, k->bad_name, name) : r;
	record_path(k, name, path, sizeof(path));
	json_t *v;
	r = json_read(path, &v, e);
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "%s '%s' not found", k->what, name);
	if (r < 0)
		return r;
	if ((r = k->check(v, name, path, e)) < 0) {
		json_decref(v);
		return r;
	}
	*ret = v;
	return 0;
}

int state_save(const struct state_kind *k, json_t *v, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = mkdir_p(k->dir, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", k->dir);
	record_path(k, jstr(v, "name"), path, sizeof(path));
	return json_write_atomic(path, v, e);
}

int state_remove(const struct state_kind *k, const char *name, struct nsnet_error *e)
{
	char path[PATH_MAX];
	record_path(k, name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return nsnet_err(e, errno, "remove %s", path);
	return 0;
}

int state_names(const struct state_kind *k, char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	return state_dir_names(k->dir, ret, ret_n, e);
}

int state_net_load(const char *name, json_t **ret, struct nsnet_error *e)
{
	return state_load(&state_networks, name, ret, e);
}

int state_net_save(json_t *net, struct nsnet_error *e)
{
	return state_save(&state_networks, net, e);
}

int state_net_remove(const char *name, struct nsnet_error *e)
{
	return state_remove(&state_networks, name, e);
}

int state_net_names(char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	return state_names(&state_networks, ret, ret_n, e);
}

/* A single file (fw.json): missing is an empty object. */
int state_load_file(const char *path, int (*check)(json_t *, const char *, struct nsnet_error *), json_t **ret,
		    struct nsnet_error *e)
{
	int r = json_read(path, ret, e);
	if (r == -ENOENT) {
		*ret = json_object();
		return 0;
	}
	if (r == 0 && (r = check(*ret, path, e)) < 0)
		json_decref(*ret);
	return r;
}

/* Saving an empty object removes the file: no state is no file. */
int state_save_file(const char *path, json_t *v, struct nsnet_error *e)
{
	if (json_object_size(v) == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return nsnet_err(e, errno, "remove %s", path);
		return 0;
	}
	int r = mkdir_p(NSNET_STATE_DIR, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", NSNET_STATE_DIR);
	return json_write_atomic(path, v, e);
}
