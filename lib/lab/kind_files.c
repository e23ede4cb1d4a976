/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The files kind, "files:NODE": the files a lab file places in a node's private
 * /etc (under /etc/netns/NODE/, which nsnet exec, ip netns exec and the node's
 * services see as /etc). Changed in place; a change restarts the node's services
 * (update_replaces_users), as a daemon reads its configuration when it starts.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include "lab/lab.h"
#include "base/base.h"

static void wanted(const struct topology *t, json_t *elements)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		if (!n->files || !json_object_size(n->files))
			continue;
		char key[300];
		snprintf(key, sizeof(key), "%s%s", lab_kind_files.prefix, n->name);
		json_object_set_new(elements, key, json_pack("{s:s, s:O}", "node", n->name, "files", n->files));
	}
}

static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	return k == &lab_kind_node && streq_safe(jstr(spec, "node"), name);
}

static void file_path(const char *node, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", NSNET_ETC_NETNS_DIR, node, rel);
}

/* Whole or not at all, and never through a symlink at the end. */
static int put(const char *node, const char *rel, const char *content, struct nsnet_error *e)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX];
	file_path(node, rel, path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = 0;
	int r = mkdir_p(dir, 0755);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return nsnet_err(e, errno, "write %s", tmp);
	size_t len = strlen(content);
	ssize_t n = write(fd, content, len);
	r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return nsnet_err(e, -r, "write %s", path);
	}
	return 0;
}

/* Remove a file and the directories it leaves empty, up to /etc/netns/NODE. */
static void drop(const char *node, const char *rel)
{
	char path[PATH_MAX], top[PATH_MAX];
	file_path(node, rel, path, sizeof(path));
	snprintf(top, sizeof(top), "%s/%s", NSNET_ETC_NETNS_DIR, node);
	unlink(path);
	for (char *s = strrchr(path, '/'); s && strlen(path) > strlen(top); s = strrchr(path, '/')) {
		*s = 0;
		if (strlen(path) < strlen(top) || rmdir(path) < 0)
			break;
	}
}

static int put_all(const char *node, json_t *files, struct nsnet_error *e)
{
	const char *rel;
	json_t *v;
	json_object_foreach(files, rel, v) {
		int r = put(node, rel, json_string_value(v), e);
		if (r < 0)
			return nsnet_err_wrap(e, "node '%s'", node);
	}
	return 0;
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		json_array_append_new(done, json_string(els->v[i].key));
		int r = put_all(els->v[i].name, json_object_get(els->v[i].spec, "files"), e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int remove_files(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		const char *rel;
		json_t *v;
		json_object_foreach(json_object_get(els->v[i].spec, "files"), rel, v) drop(els->v[i].name, rel);
	}
	return 0;
}

static bool updatable(json_t *have, json_t *want)
{
	return streq_safe(jstr(have, "node"), jstr(want, "node"));
}

static int update(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	const char *rel;
	json_t *v, *wf = json_object_get(want, "files");
	json_object_foreach(json_object_get(have, "files"), rel, v) if (!json_object_get(wf, rel)) drop(name, rel);
	return put_all(name, wf, e);
}

static void describe_update(json_t *have, json_t *want, char *buf, size_t len)
{
	snprintf(buf, len, "files %zu -> %zu", json_object_size(json_object_get(have, "files")),
		 json_object_size(json_object_get(want, "files")));
}

/* Is every file there with its content? */
static bool present(const char *node, json_t *spec)
{
	const char *rel;
	json_t *v;
	json_object_foreach(json_object_get(spec, "files"), rel, v) {
		char path[PATH_MAX];
		file_path(node, rel, path, sizeof(path));
		_cleanup_free_ char *have = NULL;
		size_t len;
		const char *want = json_string_value(v);
		if (read_file_bounded(path, (1 << 20) + 1, &have, &len, NULL) < 0 || len != strlen(want) ||
		    memcmp(have, want, len) != 0)
			return false;
	}
	return true;
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	return !present(name, spec);
}

static void explain(json_t *cmds, const char *name, json_t *spec, json_t *specs, bool add)
{
	const char *rel;
	json_t *v;
	json_object_foreach(json_object_get(spec, "files"), rel, v) {
		struct lab_quoter qt = { .i = 0 };
		char path[PATH_MAX];
		file_path(name, rel, path, sizeof(path));
		if (add)
			lab_cmd(cmds, "install -D -m 0644 /dev/stdin %s  # %zu bytes", lab_q(&qt, path),
				strlen(json_string_value(v)));
		else
			lab_cmd(cmds, "rm -f %s", lab_q(&qt, path));
	}
}

static void explain_update(json_t *cmds, const char *name, json_t *have, json_t *want, json_t *specs)
{
	explain(cmds, name, want, specs, true);
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	bool here = present(name, spec);
	*ok &= here;
	return json_pack("{s:s, s:i, s:b}", "node", name, "files", (int)json_object_size(json_object_get(spec, "files")),
			 "ok", here);
}

const struct lab_kind lab_kind_files = {
	.prefix = "files:",
	.plural = "files",
	.wanted = wanted,
	.uses = uses,
	.create = create,
	.remove = remove_files,
	.updatable = updatable,
	.update_replaces_users = true,
	.update = update,
	.describe_update = describe_update,
	.explain_update = explain_update,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
};
