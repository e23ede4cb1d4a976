/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lab node's service: a daemon supervises one command inside the node's
 * namespace (entered as `ip netns exec` does, so the node's /etc/netns files are its
 * /etc), restarts it as its policy says, and appends its output to the node's log.
 * The daemon outlives the `up` that started it (double fork, a session of its own)
 * and records itself (STATE/svc/NODE/NAME.json):
 *   { "daemon": PID, "daemon_start": TICKS, "pid": PID (the command), "restarts": N,
 *     "state": "running" | "restarting" | "exited", "status": N }
 * SIGTERM to the daemon stops the command (SIGTERM, SIGKILL 10 s later) and ends it.
 * The command dies with its daemon (PR_SET_PDEATHSIG).
 *
 * It is forked without exec: the caller is single-threaded by then (the worker pool
 * joins its threads before returning), so the daemon may allocate.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include "netns/netns.h"
#include "proc/proc.h"
#include "state/state.h"

#define STOP_KILL_S 10

static void service_record(const struct proc_service *s, pid_t pid, const char *state, int status, int restarts)
{
	json_t *rec = json_pack("{s:i, s:I, s:i, s:s, s:i}", "daemon", (int)getpid(), "daemon_start",
				(json_int_t)proc_start_time(getpid()), "pid", (int)pid, "state", state, "restarts", restarts);
	if (status >= 0)
		json_object_set_new(rec, "status", json_integer(status));
	json_write_atomic(s->record, rec, NULL);
	json_decref(rec);
}

__attribute__((noreturn)) static void child(const struct proc_service *s)
{
	struct nsnet_error e = { 0 };
	json_t *argv_j = json_object_get(s->spec, "command"), *v;
	size_t n = json_array_size(argv_j), i;
	char **argv = calloc(n + 1, sizeof(*argv));
	const char *k;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A process group of its own: stopping the service stops what it started too
	 * (a shell's children), even when its namespace is already gone. */
	setpgid(0, 0);
	if (!argv || netns_enter(s->ns, &e) < 0) {
		dprintf(2, "nsnet: service: %s\n", e.msg[0] ? e.msg : "out of memory");
		_exit(127);
	}
	json_array_foreach(argv_j, i, v) argv[i] = (char *)json_string_value(v);
	json_object_foreach(json_object_get(s->spec, "env"), k, v) setenv(k, json_string_value(v), 1);
	const char *wd = jstr(s->spec, "workdir");
	if (wd && chdir(wd) < 0) {
		dprintf(2, "nsnet: service: chdir %s: %s\n", wd, strerror(errno));
		_exit(127);
	}
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	dprintf(2, "nsnet: service: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Wait for sig set or timeout; true when told to stop. */
static bool stop_requested(const sigset_t *set, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	int sig = sigtimedwait(set, NULL, &ts);
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
}

__attribute__((noreturn)) static void daemon_main(const struct proc_service *s, int ready)
{
	const char *name = jstr0(s->spec, "name"), *policy = jstr0(s->spec, "restart");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int restarts = 0, backoff_ms = 1000;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0)
			child(s);
		if (pid < 0) {
			printf("nsnet: service %s: fork: %s\n", name, strerror(errno));
			service_record(s, 0, "exited", 127, restarts);
			_exit(1);
		}
		printf("nsnet: service %s started (pid %d)\n", name, (int)pid);
		fflush(stdout);
		service_record(s, pid, "running", -1, restarts);
		if (ready >= 0) {
			if (write(ready, "ok", 2) < 0)
				_exit(1);
			close(ready);
			ready = -1;
		}
		int st = 0;
		bool stopping = false;
		time_t kill_at = 0;
		for (;;) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;
			if (stop_requested(&set, 200) && !stopping) {
				stopping = true;
				kill(-pid, SIGTERM);
				kill_at = time(NULL) + STOP_KILL_S;
			}
			if (kill_at && time(NULL) >= kill_at)
				kill(-pid, SIGKILL);
		}
		/* What it left behind in its group goes with it. */
		kill(-pid, SIGKILL);
		int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		printf("nsnet: service %s exited with status %d\n", name, status);
		fflush(stdout);
		bool again = !stopping && (streq(policy, "always") || (streq(policy, "on-failure") && status != 0));
		if (!again) {
			service_record(s, pid, "exited", status, restarts);
			_exit(0);
		}
		service_record(s, 0, "restarting", status, ++restarts);
		if (stop_requested(&set, backoff_ms)) {
			service_record(s, 0, "exited", status, restarts);
			_exit(0);
		}
		backoff_ms = backoff_ms < 30000 ? backoff_ms * 2 : 30000;
	}
}

int proc_service_start(const struct proc_service *s, struct nsnet_error *e)
{
	int ready[2];
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", s->record);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	int r = mkdir_p(dir, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	int log = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, NSNET_STATE_FILE_MODE);
	if (log < 0)
		return nsnet_err(e, errno, "open %s", s->log);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(log);
		return nsnet_err(e, errno, "service: pipe");
	}
	fflush(NULL);
	pid_t mid = fork();
	if (mid == 0) {
		/* The middle child: a new session, then the daemon, then gone, so the
		 * daemon belongs to no one's process tree but init's. */
		close(ready[0]);
		setsid();
		pid_t d = fork();
		if (d != 0)
			_exit(d < 0);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		/* Nothing else of the caller's: above all not the state lock, which an
		 * inherited descriptor would hold for as long as the daemon lives. */
		dup2(ready[1], 3);
		close_range(4, ~0U, 0);
		daemon_main(s, 3);
	}
	close(ready[1]);
	close(log);
	if (mid < 0) {
		close(ready[0]);
		return nsnet_err(e, errno, "service: fork");
	}
	waitpid(mid, NULL, 0);
	char ok[3] = "";
	ssize_t n = read(ready[0], ok, 2);
	close(ready[0]);
	if (n != 2)
		return nsnet_errx(e, EIO, "service %s in '%s' did not start (see its log %s)", jstr0(s->spec, "name"), s->ns,
				  s->log);
	return 0;
}

json_t *proc_service_state(const char *record)
{
	json_t *rec;
	if (json_read(record, &rec, NULL) < 0)
		return NULL;
	pid_t d = (pid_t)json_integer_value(json_object_get(rec, "daemon"));
	unsigned long long t = d > 0 ? proc_start_time(d) : 0;
	bool alive = t && t == (unsigned long long)json_integer_value(json_object_get(rec, "daemon_start"));
	if (!alive && !streq_safe(jstr(rec, "state"), "exited"))
		json_object_set_new(rec, "state", json_string("dead"));  /* its daemon was killed */
	return rec;
}

int proc_service_stop(const char *record, struct nsnet_error *e)
{
	json_t *rec = proc_service_state(record);
	if (rec && (streq_safe(jstr(rec, "state"), "running") || streq_safe(jstr(rec, "state"), "restarting"))) {
		pid_t d = (pid_t)json_integer_value(json_object_get(rec, "daemon"));
		unsigned long long t = proc_start_time(d);
		kill(d, SIGTERM);
		for (int i = 0; i < (STOP_KILL_S + 5) * 50 && t && proc_start_time(d) == t; i++)
			usleep(20 * 1000);
		if (t && proc_start_time(d) == t) {
			kill(d, SIGKILL);  /* its command dies with it */
			usleep(20 * 1000);
		}
	}
	json_decref(rec);
	if (unlink(record) < 0 && errno != ENOENT)
		return nsnet_err(e, errno, "remove %s", record);
	return 0;
}

void proc_service_paths(const char *node, const char *name, char *record, char *log, size_t len)
{
	if (record)
		snprintf(record, len, "%s/svc/%s/%s.json", NSNET_STATE_DIR, node, name);
	if (log)
		snprintf(log, len, "%s/svc/%s.log", NSNET_STATE_DIR, node);
}

int proc_services_gc(json_t *report, struct nsnet_error *e)
{
	char dir[PATH_MAX], sub[PATH_MAX * 2], rec[PATH_MAX * 3];
	char **nodes = NULL;
	size_t n = 0;
	snprintf(dir, sizeof(dir), "%s/svc", NSNET_STATE_DIR);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR || nsnet_ns_exists(de->d_name))
			continue;
		char **nv = realloc(nodes, (n + 1) * sizeof(*nv));
		if (!nv || !(nv[n] = strdup(de->d_name)))
			break;
		nodes = nv;
		n++;
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++) {
		char **names;
		size_t k;
		snprintf(sub, sizeof(sub), "%s/%s", dir, nodes[i]);
		if (state_dir_names(sub, &names, &k, e) == 0) {
			for (size_t j = 0; j < k; j++) {
				snprintf(rec, sizeof(rec), "%s/%s.json", sub, names[j]);
				proc_service_stop(rec, NULL);
				if (report)
					json_array_append_new(report, json_pack("s++", nodes[i], "/", names[j]));
			}
			nsnet_strv_free(names, k);
		}
		rmdir(sub);
		snprintf(rec, sizeof(rec), "%s.log", sub);
		unlink(rec);
	}
	nsnet_strv_free(nodes, n);
	return 0;
}
