/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet run|ps|logs|stop. `run` is the supervisor: it starts the command through
 * the library, forwards the signals it gets to it (the library handles none), and
 * ends with the command's exit status once everything is released. -d makes the
 * supervisor a daemon whose output goes to the run's log.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "verbs.h"

#define MAX_PORTS 64
#define KILL_AFTER_S 10  /* after SIGINT/SIGTERM/SIGHUP, then SIGKILL (as docker stop) */

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static void supervised_set(sigset_t *s)
{
	sigemptyset(s);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(s, forwarded[i]);
	sigaddset(s, SIGCHLD);
}

/* Forward signals until the command ends; its status, everything released. */
static int supervise(struct nsnet_run *run)
{
	sigset_t s;
	supervised_set(&s);
	pid_t pid = nsnet_run_pid(run);
	time_t kill_at = 0;
	struct nsnet_error e = { 0 };
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		siginfo_t si;
		int sig = sigtimedwait(&s, &si, &ts);
		int status, r = nsnet_run_wait(run, true, &status, &e);
		if (r != -EAGAIN) {
			if (r < 0)
				print_error(e.msg);
			return r < 0 ? EXIT_FAIL : status;
		}
		if (sig > 0 && sig != SIGCHLD) {
			kill(pid, sig);
			if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && !kill_at)
				kill_at = time(NULL) + KILL_AFTER_S;
		}
		if (kill_at && time(NULL) >= kill_at)
			kill(pid, SIGKILL);
	}
}

static int parse_publish(const char *s, struct nsnet_run_port *p, struct nsnet_prefix *ip)
{
	char buf[128];
	unsigned long port;
	snprintf(buf, sizeof(buf), "%s", s);
	p->proto = IPPROTO_TCP;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash++ = 0;
		if (strcmp(slash, "udp") == 0)
			p->proto = IPPROTO_UDP;
		else if (strcmp(slash, "tcp") != 0)
			return usage_error("run: --publish %s: protocol must be tcp or udp", s);
	}
	char *last = strrchr(buf, ':');
	if (!last)
		return usage_error("run: --publish %s: expected [HOST_IP:]HOST_PORT:PORT[/udp]", s);
	*last++ = 0;
	if (parse_uint("container port", last, 1, 65535, &port) || parse_host("run: --publish", buf, ip, &p->host_port))
		return EXIT_USAGE;
	p->port = (uint16_t)port;
	p->host_ip = ip->family ? ip : NULL;
	return 0;
}

int verb_run(int argc, char **argv)
{
	int dash = 1;
	while (dash < argc && strcmp(argv[dash], "--") != 0)
		dash++;
	if (dash >= argc - 1)
		return usage_error("run: no command: nsnet run [OPTIONS] -- CMD [ARG...]");
	argv[dash] = NULL;  /* options end here; the command follows */
	int n = dash;
	struct nsnet_run_opts o = { .argv = argv + dash + 1 };
	static struct nsnet_run_port ports[MAX_PORTS];
	static struct nsnet_prefix host_ips[MAX_PORTS];
	struct nsnet_prefix ip;
	const char *ip_s = NULL, *v;
	int r;
	while ((r = take_opt(&n, argv, "--publish", &v)) == 1 || (r == 0 && (r = take_opt(&n, argv, "-p", &v)) == 1)) {
		if (o.n_ports == MAX_PORTS)
			return usage_error("run: at most %d --publish", MAX_PORTS);
		if (parse_publish(v, &ports[o.n_ports], &host_ips[o.n_ports]))
			return EXIT_USAGE;
		o.n_ports++;
	}
	if (r < 0 || take_opt(&n, argv, "--net", &o.net) < 0 || take_opt(&n, argv, "--ip", &ip_s) < 0 ||
	    take_opt(&n, argv, "--name", &o.name) < 0 || take_opt(&n, argv, "--hostname", &o.hostname) < 0)
		return EXIT_USAGE;
	o.ports = ports;
	o.rm = take_flag(&n, argv, "--rm");
	bool json = take_flag(&n, argv, "--json");
	o.detached = take_flag(&n, argv, "--detach") | take_flag(&n, argv, "-d");
	if ((r = reject_unknown_opts(n, argv)))
		return r;
	if (n != 1)
		return usage_error("run: unexpected argument '%s' before --", argv[1]);
	struct nsnet_error e = { 0 };
	if (ip_s) {
		if (nsnet_prefix_parse(ip_s, false, &ip, &e) < 0)
			return usage_error("run: --ip: %s", e.msg);
		o.ip = &ip;
	}
	char name[64];
	if (o.detached && !o.name) {
		/* The log is named before the run starts: choose the name here. */
		unsigned rnd = 0;
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read(fd, &rnd, sizeof(rnd)) < 0)
			rnd = (unsigned)getpid();
		if (fd >= 0)
			close(fd);
		snprintf(name, sizeof(name), "run-%06x", rnd & 0xffffff);
		o.name = name;
	}
	sigset_t s;
	supervised_set(&s);
	sigprocmask(SIG_BLOCK, &s, NULL);
	struct nsnet_run *run;
	if (!o.detached) {
		if (nsnet_run_start(&o, &run, &e) < 0)
			return e.code == EINVAL ? (print_error(e.msg), EXIT_USAGE) : fail(&e);
		return supervise(run);
	}
	/* -d: a daemon supervises; it says over a pipe whether the run started. */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(&(struct nsnet_error){ .code = errno, .msg = "run: pipe" });
	fflush(NULL);
	pid_t d = fork();
	if (d < 0)
		return fail(&(struct nsnet_error){ .code = errno, .msg = "run: fork" });
	if (d > 0) {
		close(p[1]);
		char msg[sizeof(e.msg) + 2] = "";
		ssize_t got = read(p[0], msg, sizeof(msg) - 1);
		close(p[0]);
		if (got <= 0 || strcmp(msg, "ok") != 0) {
			if (got > 0)
				print_error(msg + 1);
			return got > 0 && msg[0] == '2' ? EXIT_USAGE : EXIT_FAIL;
		}
		if (json)
			return print_result(json_pack("{s:s}", "name", o.name));
		printf("%s\n", o.name);
		return EXIT_OK;
	}
	close(p[0]);
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), log = nsnet_run_log_open(o.name, &e);
	if (log >= 0 && null >= 0) {
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
	}
	if (log < 0 || nsnet_run_start(&o, &run, &e) < 0) {
		dprintf(p[1], "%c%s", e.code == EINVAL ? '2' : '1', e.msg);
		_exit(EXIT_FAIL);
	}
	if (write(p[1], "ok", 2) != 2)
		_exit(EXIT_FAIL);
	close(p[1]);
	_exit(supervise(run));
}

static int run_ps(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("ps: takes no arguments");
	struct nsnet_error e = { 0 };
	json_t *arr, *x;
	if (nsnet_run_list(&arr, &e) < 0)
		return fail(&e);
	if (json)
		return print_result(arr);
	printf("%-16s %-8s %-12s %-12s %-18s %-16s %s\n", "NAME", "PID", "STATE", "NETWORK", "ADDRESS", "PORTS", "COMMAND");
	size_t i, j;
	json_array_foreach(arr, i, x) {
		char state[32], ports[128] = "", cmd[256] = "";
		size_t off = 0;
		json_t *p;
		if (streq_safe(jstr(x, "state"), "exited"))
			snprintf(state, sizeof(state), "exited(%lld)", json_integer_value(json_object_get(x, "status")));
		else
			snprintf(state, sizeof(state), "%s", jstr0(x, "state"));
		json_array_foreach(json_object_get(x, "publish"), j, p) off +=
			snprintf(ports + off, off < sizeof(ports) ? sizeof(ports) - off : 0, "%s%lld->%lld/%s", j ? "," : "",
				 json_integer_value(json_object_get(p, "host_port")), json_integer_value(json_object_get(p, "port")),
				 jstr0(p, "proto"));
		off = 0;
		json_array_foreach(json_object_get(x, "cmd"), j, p) off +=
			snprintf(cmd + off, off < sizeof(cmd) ? sizeof(cmd) - off : 0, "%s%s", j ? " " : "", json_string_value(p));
		printf("%-16s %-8lld %-12s %-12s %-18s %-16s %s\n", jstr0(x, "name"), json_integer_value(json_object_get(x, "pid")),
		       state, jstr(x, "net") ? jstr(x, "net") : "-",
		       json_array_size(json_object_get(x, "ips")) ? json_string_value(json_array_get(json_object_get(x, "ips"), 0)) : "-",
		       *ports ? ports : "-", cmd);
	}
	json_decref(arr);
	return EXIT_OK;
}

int verb_ps(int argc, char **argv)
{
	return run_ps(argc, argv);
}

int verb_logs(int argc, char **argv)
{
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 2)
		return usage_error("logs: exactly one run NAME is needed");
	struct nsnet_error e = { 0 };
	char path[512], buf[65536];
	if (nsnet_run_log_path(argv[1], path, sizeof(path), &e) < 0)
		return fail(&e);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		e.code = errno;
		snprintf(e.msg, sizeof(e.msg), "logs: open %s: %s", path, strerror(errno));
		return fail(&e);
	}
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	close(fd);
	return EXIT_OK;
}

int verb_stop(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc < 2)
		return usage_error("stop: at least one run NAME is needed");
	struct nsnet_error e = { 0 };
	for (int i = 1; i < argc; i++)
		if (nsnet_run_stop(argv[i], KILL_AFTER_S * 1000, &e) < 0)
			return fail(&e);
	return json ? print_result(json_pack("{s:o}", "stopped", json_strv(argv + 1, argc - 1))) : EXIT_OK;
}
