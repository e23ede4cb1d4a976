/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every network namespace on the machine, whoever made it, as `lsns -t net` finds
 * them: a namespace lives while a process is in it or a file holds it, so the
 * processes' /proc/PID/ns/net and the nsfs mounts of our mount table (names under
 * /run/netns, Docker's /run/docker/netns, any other bind mount) find each one,
 * keyed by its inode. Not found: a namespace held only by an open file descriptor
 * or by a mount in another mount namespace (lsns misses those too).
 */
#include <dirent.h>
#include <sys/stat.h>
#include "netns/netns.h"
#include "base/base.h"

/* The entry of inode ino in by_ino (made on first sight). */
static json_t *entry(json_t *by_ino, unsigned long long ino)
{
	char key[32];
	snprintf(key, sizeof(key), "%llu", ino);
	json_t *v = json_object_get(by_ino, key);
	if (!v) {
		v = json_pack("{s:I, s:b, s:[], s:[], s:[]}", "inode", (json_int_t)ino, "host", 0, "names", "mounts", "pids");
		json_object_set_new(by_ino, key, v);
	}
	return v;
}

/* The command of a process: its argv joined by spaces, else [comm] (a kernel
 * thread, or one that exited meanwhile) as ps shows it. */
static json_t *command_of(pid_t pid)
{
	char path[64], *buf = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (read_file_bounded(path, 4096, &buf, &len, NULL) == 0 && len > 0) {
		for (size_t i = 0; i + 1 < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		json_t *s = json_stringn_nocheck(buf, strnlen(buf, len));
		free(buf);
		return s;
	}
	free(buf);
	char comm[64] = "", out[80];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	(void)read_file_line(path, comm, sizeof(comm));
	snprintf(out, sizeof(out), "[%s]", comm);
	return json_string(out);
}

int netns_each_pid(void (*fn)(pid_t pid, const struct stat *st, void *data), void *data)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		char p[64];
		struct stat st;
		snprintf(p, sizeof(p), "/proc/%ld/ns/net", pid);
		if (stat(p, &st) == 0)  /* else gone, or a kernel thread of no namespace we may see */
			fn((pid_t)pid, &st, data);
	}
	closedir(d);
	return 0;
}

static void pid_into(pid_t pid, const struct stat *st, void *data)
{
	json_array_append_new(json_object_get(entry(data, st->st_ino), "pids"),
			      json_pack("{s:i, s:o}", "pid", (int)pid, "command", command_of(pid)));
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* nsfs mounts of a network namespace: "ID PARENT MAJ:MIN net:[INO] MOUNTPOINT ... - nsfs ...". */
static void scan_mounts(json_t *by_ino)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	size_t dirlen = strlen(NSNET_NETNS_DIR);
	while (getline(&line, &cap, f) > 0) {
		char root[64], point[PATH_MAX];
		unsigned long long ino;
		const char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "nsfs ", 5) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %63s %4095s", root, point) != 2 || sscanf(root, "net:[%llu]", &ino) != 1)
			continue;
		unescape(point);
		json_t *v = entry(by_ino, ino);
		/* A name is a file directly in /run/netns; anything else is a mount. */
		const char *name = point + dirlen + 1;
		bool named = strncmp(point, NSNET_NETNS_DIR "/", dirlen + 1) == 0 && !strchr(name, '/') &&
			     nsnet_ns_name_check(name, NULL) == 0;
		json_t *list = json_object_get(v, named ? "names" : "mounts");
		json_t *s = json_string(named ? name : point);
		bool dup = false;
		size_t i;
		json_t *x;
		json_array_foreach(list, i, x) dup |= json_equal(x, s);
		if (dup)
			json_decref(s);
		else
			json_array_append_new(list, s);
	}
	free(line);
	fclose(f);
}

static int by_inode(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "inode"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "inode"));
	return (x > y) - (x < y);
}

int netns_scan(json_t **ret, struct nsnet_error *e)
{
	_cleanup_json_ json_t *by_ino = json_object();
	if (!by_ino)
		return nsnet_err(e, ENOMEM, "list namespaces");
	struct stat self;
	if (stat("/proc/thread-self/ns/net", &self) < 0)
		return nsnet_err(e, errno, "stat the caller's network namespace");
	json_object_set_new(entry(by_ino, self.st_ino), "host", json_true());
	(void)netns_each_pid(pid_into, by_ino);  /* no /proc: only the mounts are known */
	scan_mounts(by_ino);
	size_t n = json_object_size(by_ino), i = 0;
	json_t **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return nsnet_err(e, ENOMEM, "list namespaces");
	const char *k;
	json_t *x;
	json_object_foreach(by_ino, k, x) v[i++] = x;
	qsort(v, n, sizeof(*v), by_inode);
	json_t *arr = json_array();
	for (i = 0; arr && i < n; i++)
		json_array_append(arr, v[i]);
	free(v);
	if (!arr)
		return nsnet_err(e, ENOMEM, "list namespaces");
	*ret = arr;
	return 0;
}
