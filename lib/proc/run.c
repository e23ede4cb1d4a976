/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `nsnet run`: the supervisor's side. Everything is checked before anything is
 * made; the record is written first (proc/record.c), then the namespace, its
 * membership and ports, its /etc/netns files, and last the child (clone with new
 * PID, mount, UTS and IPC namespaces; child.c). When the command ends, wait
 * releases everything. The caller forwards signals in between (the library does
 * not handle signals).
 */
#include <ctype.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "fw/fw.h"
#include "net/net.h"
#include "netns/netns.h"
#include "proc/proc.h"
#include "state/state.h"

struct nsnet_run {
	char name[64];
	pid_t pid;
	json_t *rec;
};

static int check_opts(const struct nsnet_run_opts *o, struct nsnet_error *e)
{
	int r;
	if (!o->argv || !o->argv[0] || !*o->argv[0])
		return nsnet_errx(e, EINVAL, "run: no command given (nsnet run [OPTIONS] -- CMD [ARG...])");
	if (o->name && ((r = nsnet_ns_name_check(o->name, e)) < 0))
		return r;
	if (o->name && strlen(o->name) > 63)
		return nsnet_errx(e, EINVAL, "run: name '%.32s...' is longer than 63 bytes", o->name);
	if (o->net && (r = net_name_check(o->net, e)) < 0)
		return r;
	if ((o->ip || o->n_ports) && !o->net)
		return nsnet_errx(e, EINVAL, "run: --%s needs --net NET", o->ip ? "ip" : "publish");
	const char *h = o->hostname;
	if (h) {
		size_t len = strlen(h);
		bool ok = len > 0 && len <= 64 && h[0] != '-' && h[len - 1] != '-';
		for (const char *p = h; ok && *p; p++)
			ok = isalnum((unsigned char)*p) || *p == '-' || *p == '.';
		if (!ok)
			return nsnet_errx(e, EINVAL, "run: hostname '%.64s' is not a host name (letters, digits, '-', '.'; 1..64)", h);
	}
	for (size_t i = 0; i < o->n_ports; i++) {
		const struct nsnet_run_port *p = &o->ports[i];
		if (!p->host_port || !p->port || (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP))
			return nsnet_errx(e, EINVAL, "run: --publish: ports must be 1..65535, protocol tcp or udp");
		for (size_t k = 0; k < i; k++)
			if (o->ports[k].host_port == p->host_port && o->ports[k].proto == p->proto)
				return nsnet_errx(e, EINVAL, "run: host port %u is published twice", p->host_port);
	}
	return 0;
}

/* A new file (never through a symlink someone left there), whole or not at all. */
static int put_file(const char *path, const char *content)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(content);
	ssize_t n = write(fd, content, len);
	int r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* hostname, resolv.conf (the host's, less the loopback servers that mean nothing
 * inside) and, when none is there, a hosts file naming the run. */
static int write_etc(const char *name, const char *hostname, json_t *rec, struct nsnet_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], line[512];
	snprintf(dir, sizeof(dir), "%s/%s", NSNET_ETC_NETNS_DIR, name);
	int r = mkdir_p(dir, 0755);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	snprintf(path, sizeof(path), "%s/hostname", dir);
	snprintf(line, sizeof(line), "%s\n", hostname);
	if ((r = put_file(path, line)) < 0)
		return nsnet_err(e, r, "write %s", path);
	_cleanup_free_ char *resolv = NULL;
	size_t len = 0;
	FILE *in = fopen("/etc/resolv.conf", "re"), *out = open_memstream(&resolv, &len);
	while (in && out && fgets(line, sizeof(line), in))
		if (strncmp(line, "nameserver 127.", 15) != 0 && strncmp(line, "nameserver ::1", 14) != 0)
			fputs(line, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	if ((r = put_file(path, resolv ? resolv : "")) < 0)
		return nsnet_err(e, r, "write %s", path);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	if (access(path, F_OK) == 0)
		return 0;  /* names (net/hosts) keep it, or someone else's */
	_cleanup_free_ char *hosts = NULL;
	if (asprintf(&hosts, "# nsnet: generated for run '%s'\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			     "127.0.1.1\t%s\n", name, hostname) < 0)
		return nsnet_err(e, ENOMEM, "write %s", path);
	if ((r = put_file(path, hosts)) < 0)
		return nsnet_err(e, r, "write %s", path);
	json_object_set_new(rec, "wrote_hosts", json_true());
	return 0;
}

/* Namespace, membership, ports, files: the kernel side, lock held. */
static int make_locked(const struct nsnet_run_opts *o, const char *name, json_t *rec, struct nsnet_error *e)
{
	const char *names[] = { name };
	int r = nsnet_ns_add(names, 1, e);
	if (r < 0)
		return r;
	if (o->net) {
		json_t *net;
		if ((r = state_net_load(o->net, &net, e)) < 0)
			return r;
		struct attach_req req = { .ns = name, .default_route = true };
		if (o->ip) {
			req.ip[0] = *o->ip;
			req.n_ip = 1;
		}
		r = net_attach_locked(net, &req, 1, e);
		json_t *m = r == 0 ? net_member(net, name, NULL) : NULL;
		if (m)
			json_object_set(rec, "ips", json_object_get(m, "ips"));
		json_decref(net);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < o->n_ports; i++) {
		const struct nsnet_run_port *p = &o->ports[i];
		struct nsnet_publish_spec s = { .proto = p->proto, .host_ip = p->host_ip, .host_port = p->host_port,
						 .ns = name, .port = p->port, .net = o->net };
		if ((r = publish_add_locked(&s, e)) < 0)
			return r;
	}
	/* Names first (net/hosts.c writes the members' hosts files, this one's and its
	 * neighbours'), so write_etc only fills in a hosts file when there is none. */
	if (o->net)
		net_hosts_sync(NULL);
	return write_etc(name, o->hostname ? o->hostname : name, rec, e);
}

static json_t *record(const struct nsnet_run_opts *o, const char *name)
{
	json_t *cmd = json_array(), *ports = json_array();
	for (char *const *a = o->argv; *a; a++)
		json_array_append_new(cmd, json_string(*a));
	char buf[64];
	for (size_t i = 0; i < o->n_ports; i++) {
		const struct nsnet_run_port *p = &o->ports[i];
		json_t *j = json_pack("{s:s, s:i, s:i}", "proto", p->proto == IPPROTO_UDP ? "udp" : "tcp", "host_port",
				      p->host_port, "port", p->port);
		if (p->host_ip)
			json_object_set_new(j, "host_ip", json_string(nsnet_prefix_str(p->host_ip, false, buf, sizeof(buf))));
		json_array_append_new(ports, j);
	}
	return json_pack("{s:s, s:i, s:I, s:o, s:o, s:s, s:o, s:b, s:b, s:I, s:s}", "name", name, "supervisor", (int)getpid(),
			 "supervisor_start", (json_int_t)proc_start_time(getpid()), "net",
			 o->net ? json_string(o->net) : json_null(), "publish", ports, "hostname",
			 o->hostname ? o->hostname : name, "cmd", cmd, "detached", o->detached, "rm", o->rm, "started",
			 (json_int_t)time(NULL), "state", "starting");
}

int nsnet_run_start(const struct nsnet_run_opts *o, struct nsnet_run **ret, struct nsnet_error *e)
{
	int r = check_opts(o, e);
	if (r < 0)
		return r;
	struct nsnet_run *run = calloc(1, sizeof(*run));
	if (!run)
		return nsnet_err(e, ENOMEM, "run");
	if (o->name)
		snprintf(run->name, sizeof(run->name), "%s", o->name);
	else
		snprintf(run->name, sizeof(run->name), "run-%06x", (unsigned)(getpid() ^ time(NULL) * 2654435761u) & 0xffffff);
	const char *name = run->name;
	_cleanup_close_ int lock = -1;
	json_t *probe;
	if ((r = fw_lock(&lock, e)) < 0)
		goto fail;
	if (nsnet_ns_exists(name)) {
		r = nsnet_errx(e, EEXIST, "run: namespace '%s' exists already", name);
		goto fail;
	}
	if (run_record_load(name, &probe, NULL) == 0) {
		json_decref(probe);
		r = nsnet_errx(e, EEXIST, "run: a run named '%s' exists (nsnet stop %s forgets it)", name, name);
		goto fail;
	}
	if (o->net && (r = state_net_load(o->net, &probe, e)) < 0)
		goto fail;
	if (o->net)
		json_decref(probe);
	/* The record before anything it stands for: a kill from here on leaves
	 * something gc releases. */
	run->rec = record(o, name);
	if ((r = run_record_save(run->rec, e)) < 0)
		goto fail;
	if ((r = make_locked(o, name, run->rec, e)) < 0 || (r = run_record_save(run->rec, e)) < 0)
		goto undo;
	close(lock);
	lock = -1;
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0) {
		r = nsnet_err(e, errno, "run: pipe");
		goto undo;
	}
	struct run_child c = { .name = name, .hostname = o->hostname ? o->hostname : name, .argv = o->argv,
			       .go_fd = go[0] };
	fflush(NULL);
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL,
				   NULL, NULL, 0);
	if (pid == 0) {
		close(go[1]);
		run_child_exec(&c);
	}
	close(go[0]);
	if (pid < 0) {
		r = nsnet_err(e, errno, "run: clone");
		close(go[1]);
		goto undo;
	}
	run->pid = pid;
	json_object_set_new(run->rec, "pid", json_integer(pid));
	json_object_set_new(run->rec, "state", json_string("running"));
	r = run_record_save(run->rec, e);
	if (r < 0 || write(go[1], "g", 1) != 1) {
		close(go[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (r == 0)
			r = nsnet_err(e, EPIPE, "run: start the command");
		goto undo;
	}
	close(go[1]);
	*ret = run;
	return 0;
undo:
	if (lock < 0 && fw_lock(&lock, NULL) < 0)
		goto fail;  /* the record stays: gc releases it */
	run_release_locked(run->rec, false, NULL);
fail:
	json_decref(run->rec);
	free(run);
	return r;
}

pid_t nsnet_run_pid(const struct nsnet_run *run)
{
	return run->pid;
}

const char *nsnet_run_name(const struct nsnet_run *run)
{
	return run->name;
}

int nsnet_run_wait(struct nsnet_run *run, bool nohang, int *ret_status, struct nsnet_error *e)
{
	int st;
	pid_t p;
	while ((p = waitpid(run->pid, &st, nohang ? WNOHANG : 0)) < 0 && errno == EINTR)
		;
	if (p == 0)
		return -EAGAIN;
	if (p < 0)
		return nsnet_err(e, errno, "run: wait for the command");
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
	*ret_status = status;
	_cleanup_close_ int lock = -1;
	int r = fw_lock(&lock, e);
	if (r == 0) {
		bool keep = json_is_true(json_object_get(run->rec, "detached")) &&
			    !json_is_true(json_object_get(run->rec, "rm"));
		json_object_set_new(run->rec, "state", json_string("exited"));
		json_object_set_new(run->rec, "status", json_integer(status));
		r = run_release_locked(run->rec, keep, e);
	}
	json_decref(run->rec);
	free(run);
	return r;
}

int nsnet_run_stop(const char *name, unsigned timeout_ms, struct nsnet_error *e)
{
	json_t *rec;
	int r = nsnet_ns_name_check(name, e);
	if (r < 0 || (r = run_record_load(name, &rec, e)) < 0)
		return r;
	bool exited = streq_safe(jstr(rec, "state"), "exited");
	pid_t sup = (pid_t)json_integer_value(json_object_get(rec, "supervisor"));
	/* A live supervisor is asked (it forwards the signal and releases); a dead one's
	 * run is released here, as gc would. */
	if (!exited && run_supervisor_alive(rec)) {
		kill(sup, SIGTERM);
		for (unsigned waited = 0; run_supervisor_alive(rec) && waited < timeout_ms + 15000; waited += 20)
			usleep(20 * 1000);
		if (run_supervisor_alive(rec)) {
			json_decref(rec);
			return nsnet_errx(e, ETIMEDOUT, "stop '%s': its supervisor (pid %d) did not end", name, (int)sup);
		}
	}
	json_decref(rec);
	_cleanup_close_ int lock = -1;
	if ((r = fw_lock(&lock, e)) < 0)
		return r;
	if (run_record_load(name, &rec, NULL) < 0)
		return 0;  /* released by its supervisor, record and all */
	r = run_release_locked(rec, false, e);
	json_decref(rec);
	return r;
}
