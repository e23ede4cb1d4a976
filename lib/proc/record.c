/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A run's record, STATE/run/NAME.json, written before its namespace is made:
 *   { "name", "supervisor": PID, "supervisor_start": TICKS, "pid": PID (the
 *     command, as the host sees it), "net": NET|null, "ip", "publish": [...],
 *     "cmd": [...], "hostname", "detached": bool, "rm": bool, "started": EPOCH,
 *     "state": "starting"|"running"|"exited", "status": N }
 * The supervisor (the nsnet process that started the run) releases everything when
 * the command ends. If the supervisor dies instead (kill -9), its command dies with
 * it (PR_SET_PDEATHSIG) and the record is what `nsnet gc` releases: a record whose
 * supervisor is gone (or is another process by now: the start time differs).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "fw/fw.h"
#include "net/net.h"
#include "netns/netns.h"
#include "proc/proc.h"
#include "state/state.h"

void run_record_path(const char *name, const char *ext, char *buf, size_t len)
{
	snprintf(buf, len, "%s/run/%s.%s", NSNET_STATE_DIR, name, ext);
}

int run_record_load(const char *name, json_t **ret, struct nsnet_error *e)
{
	char path[PATH_MAX];
	run_record_path(name, "json", path, sizeof(path));
	int r = json_read(path, ret, e);
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "no run named '%s' (nsnet ps lists them)", name);
	if (r == 0 && (!json_is_object(*ret) || !jstr(*ret, "name") || !streq(jstr(*ret, "name"), name))) {
		json_decref(*ret);
		return nsnet_errx(e, EINVAL, "%s: corrupt state: not a run record", path);
	}
	return r;
}

int run_record_save(json_t *rec, struct nsnet_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/run", NSNET_STATE_DIR);
	int r = mkdir_p(dir, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	run_record_path(jstr0(rec, "name"), "json", path, sizeof(path));
	return json_write_atomic(path, rec, e);
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	char *p = strrchr(buf, ')');
	unsigned long long t = 0;
	for (int field = 2; p && *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (p)
		sscanf(p, "%llu", &t);
	return t;
}

bool run_supervisor_alive(json_t *rec)
{
	json_int_t pid = json_integer_value(json_object_get(rec, "supervisor"));
	if (pid <= 0)
		return false;
	unsigned long long t = proc_start_time((pid_t)pid);
	return t && t == (unsigned long long)json_integer_value(json_object_get(rec, "supervisor_start"));
}

/* The files nsnet put under /etc/netns/NAME for the run (hosts only when it made it). */
static void remove_etc(const char *name, json_t *rec)
{
	char path[PATH_MAX];
	static const char *const files[] = { "hostname", "resolv.conf", "hosts" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (streq(files[i], "hosts") && !json_is_true(json_object_get(rec, "wrote_hosts")))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", NSNET_ETC_NETNS_DIR, name, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", NSNET_ETC_NETNS_DIR, name);
	rmdir(path);  /* only when empty: what others put there stays */
}

int run_release_locked(json_t *rec, bool keep, struct nsnet_error *e)
{
	const char *name = jstr0(rec, "name"), *netname = jstr(rec, "net");
	json_t *net;
	int r = 0;
	/* The membership, and with it the publishes to it. */
	if (netname && state_net_load(netname, &net, NULL) == 0) {
		if (net_member(net, name, NULL))
			r = net_detach_locked(net, &name, 1, e);
		json_decref(net);
		net_hosts_sync(NULL);  /* its neighbours forget its name */
	}
	if (r == 0 && nsnet_ns_exists(name)) {
		const char *names[] = { name };
		r = netns_del(names, 1, true, e);  /* whatever still runs in it goes with it */
	}
	if (r < 0)
		return nsnet_err_wrap(e, "release run '%s'", name);
	remove_etc(name, rec);
	char path[PATH_MAX];
	if (keep)
		return run_record_save(rec, e);
	run_record_path(name, "log", path, sizeof(path));
	unlink(path);
	run_record_path(name, "json", path, sizeof(path));
	unlink(path);
	return 0;
}

int run_gc_locked(json_t *report, struct nsnet_error *e)
{
	char dir[PATH_MAX];
	char **names;
	size_t n;
	snprintf(dir, sizeof(dir), "%s/run", NSNET_STATE_DIR);
	int r = state_dir_names(dir, &names, &n, e);
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *rec;
		if (run_record_load(names[i], &rec, NULL) < 0)
			continue;
		/* An exited detached run is kept for `ps` and `logs` until `stop`. */
		if (!streq_safe(jstr(rec, "state"), "exited") && !run_supervisor_alive(rec)) {
			if ((r = run_release_locked(rec, false, e)) == 0 && report)
				json_array_append_new(report, json_string(names[i]));
		}
		json_decref(rec);
	}
	nsnet_strv_free(names, n);
	return r;
}

int nsnet_run_list(json_t **ret, struct nsnet_error *e)
{
	char dir[PATH_MAX];
	char **names;
	size_t n;
	snprintf(dir, sizeof(dir), "%s/run", NSNET_STATE_DIR);
	int r = state_dir_names(dir, &names, &n, e);
	if (r < 0)
		return r;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *rec;
		if (run_record_load(names[i], &rec, NULL) < 0)
			continue;
		if (!streq_safe(jstr(rec, "state"), "exited") && !run_supervisor_alive(rec))
			json_object_set_new(rec, "state", json_string("orphaned"));  /* gc releases it */
		json_object_del(rec, "supervisor_start");
		json_object_del(rec, "wrote_hosts");
		json_array_append_new(arr, rec);
	}
	nsnet_strv_free(names, n);
	*ret = arr;
	return 0;
}

int nsnet_run_log_open(const char *name, struct nsnet_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int r = nsnet_ns_name_check(name, e);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/run", NSNET_STATE_DIR);
	if ((r = mkdir_p(dir, NSNET_STATE_DIR_MODE)) < 0)
		return nsnet_err(e, r, "create %s", dir);
	run_record_path(name, "log", path, sizeof(path));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, NSNET_STATE_FILE_MODE);
	return fd < 0 ? nsnet_err(e, errno, "open %s", path) : fd;
}

int nsnet_run_log_path(const char *name, char *buf, size_t len, struct nsnet_error *e)
{
	json_t *rec;
	int r = nsnet_ns_name_check(name, e);
	if (r < 0 || (r = run_record_load(name, &rec, e)) < 0)
		return r;
	bool detached = json_is_true(json_object_get(rec, "detached"));
	json_decref(rec);
	if (!detached)
		return nsnet_errx(e, ENOENT, "run '%s' is in the foreground: its output goes to its terminal", name);
	run_record_path(name, "log", buf, len);
	return 0;
}
