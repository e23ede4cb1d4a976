/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnidrv: the runtime's half of the CNI exec protocol, with every plugin invocation
 * timed. Used by bench/cni.
 *
 *   cnidrv add|del FIRST LAST SPEC [SPEC...]
 *   cnidrv floor N PID
 *
 * SPEC is NAME,CONFLIST,PID,NSPREFIX,CACHEDIR,CNI_PATH[,PORTBASE]: a network and the
 * "host" it lives on, i.e. the network and mount namespaces of process PID (a holder
 * process of bench/cni), where every plugin of that SPEC runs.
 *
 * add/del: for each container I in FIRST..LAST and each SPEC (in the given order for
 * an odd I, reversed for an even I, so that no configuration always runs first), run
 * the conflist's plugins for container I as libcni does: ADD in order, each plugin
 * given its own entry of "plugins" with the list's "name" and "cniVersion" injected,
 * "prevResult" the previous plugin's result (none for the first), and "runtimeConfig"
 * holding the runtime's capability arguments that the plugin declares in
 * "capabilities"; DEL in reverse order, each plugin given the cached result of the ADD
 * as "prevResult". With PORTBASE the runtime passes the portMappings capability:
 * [{"hostPort": PORTBASE+I, "containerPort": 80, "protocol": "tcp"}]. The plugins'
 * environment is ours without CNI_* variables, plus CNI_COMMAND, CNI_CONTAINERID,
 * CNI_NETNS=/run/netns/NSPREFIXI, CNI_IFNAME=eth0 and CNI_PATH (where the plugins are
 * looked up too). ADD results are cached as CACHEDIR/ID.json for the DEL.
 *
 * Each invocation is timed with CLOCK_MONOTONIC from just before fork() to waitpid()'s
 * return: the child's setns() into PID's namespaces and execve(), writing the config
 * to the plugin's stdin and reading its result are included; building configs and
 * parsing results are not. One line per container and SPEC on stdout:
 * "NAME ADD|DEL I TOTAL_MS MS_PLUGIN1 MS_PLUGIN2 ...", plugins in the conflist's
 * order. A failing plugin stops that SPEC ("NAME FAILED I" on stdout, its error on
 * stderr), the others go on; exit 1 when every SPEC failed.
 *
 * floor: N invocations of /bin/true the same way (setns into PID's namespaces, a small
 * config on stdin, stdout read): what the driver itself costs per plugin invocation.
 * "FLOOR I MS" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "cnidrv: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A "host": the network and mount namespaces the plugins run in. */
struct host {
	int netfd, mntfd;
};

static struct host host_of(const char *pid)
{
	char p[64];
	struct host h;
	snprintf(p, sizeof(p), "/proc/%s/ns/net", pid);
	h.netfd = open(p, O_RDONLY | O_CLOEXEC);
	snprintf(p, sizeof(p), "/proc/%s/ns/mnt", pid);
	h.mntfd = open(p, O_RDONLY | O_CLOEXEC);
	if (h.netfd < 0 || h.mntfd < 0)
		die("namespaces of pid %s: %s", pid, strerror(errno));
	return h;
}

struct run {
	char *out;     /* the plugin's stdout, NUL-terminated */
	int status;    /* waitpid() status */
	double ms;
};

/* Run PATH in HOST's namespaces with CONF on stdin and ENVP as its environment; time it. */
static struct run spawn_timed(const struct host *host, const char *path, const char *conf, char **envp)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe: %s%s", strerror(errno), "");
	size_t len = strlen(conf);
	if (len > 65536)
		fcntl(in[1], F_SETPIPE_SZ, (int)len);
	char *argv[] = { (char *)path, NULL };
	struct run r = { 0 };
	size_t cap = 4096, n = 0;
	r.out = malloc(cap);

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s%s", strerror(errno), "");
	if (pid == 0) {
		if (setns(host->netfd, CLONE_NEWNET) < 0 || setns(host->mntfd, CLONE_NEWNS) < 0 || chdir("/") < 0 ||
		    dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0) {
			perror("cnidrv: child");
			_exit(127);
		}
		execve(path, argv, envp);
		perror(path);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(in[1], conf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break; /* EPIPE: the plugin did not read its config */
		off += w;
	}
	close(in[1]);
	for (;;) {
		if (cap - n < 1024)
			r.out = realloc(r.out, cap *= 2);
		ssize_t k = read(out[0], r.out + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += k;
	}
	while (waitpid(pid, &r.status, 0) < 0 && errno == EINTR)
		;
	r.ms = now_ms() - t0;

	r.out[n] = 0;
	close(out[0]);
	return r;
}

static char *find_plugin(const char *type, const char *cnipath)
{
	char *dirs = strdup(cnipath), *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p;
		if (asprintf(&p, "%s/%s", d, type) < 0)
			exit(1);
		if (access(p, X_OK) == 0) {
			free(dirs);
			return p;
		}
		free(p);
	}
	die("plugin '%s' not found in CNI_PATH %s", type ? type : "(no type)", cnipath);
	return NULL;
}

/* Our environment without CNI_*, then the five CNI variables. */
static char **make_env(const char *cmd, const char *id, const char *netns, const char *cnipath)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **e = calloc(n + 6, sizeof(*e));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_", 4) != 0)
			e[k++] = environ[i];
	if (asprintf(&e[k++], "CNI_COMMAND=%s", cmd) < 0 || asprintf(&e[k++], "CNI_CONTAINERID=%s", id) < 0 ||
	    asprintf(&e[k++], "CNI_NETNS=%s", netns) < 0 || asprintf(&e[k++], "CNI_IFNAME=eth0") < 0 ||
	    asprintf(&e[k++], "CNI_PATH=%s", cnipath) < 0)
		exit(1);
	return e;
}

static void free_env(char **e)
{
	size_t n = 0;
	while (e[n])
		n++;
	for (size_t i = n - 5; i < n; i++)
		free(e[i]);
	free(e);
}

/* libcni's buildOneConfig: the plugin's entry + name, cniVersion, prevResult and the
 * runtime's capability arguments the plugin declares. */
static char *one_config(json_t *list, json_t *plugin, json_t *prev, json_t *caps)
{
	json_t *c = json_deep_copy(plugin);
	json_object_set(c, "name", json_object_get(list, "name"));
	json_object_set(c, "cniVersion", json_object_get(list, "cniVersion"));
	if (prev)
		json_object_set(c, "prevResult", prev);
	json_t *declared = json_object_get(plugin, "capabilities"), *rc = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(caps, key, v)
		if (json_is_true(json_object_get(declared, key)))
			json_object_set(rc, key, v);
	if (json_object_size(rc))
		json_object_set(c, "runtimeConfig", rc);
	json_decref(rc);
	char *s = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	return s;
}

static bool failed(const struct run *r, const char *cmd, const char *type, const char *id)
{
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return false;
	fprintf(stderr, "cnidrv: %s %s of %s failed (%s %d): %s\n", type, cmd, id,
		WIFEXITED(r->status) ? "exit" : "signal",
		WIFEXITED(r->status) ? WEXITSTATUS(r->status) : WTERMSIG(r->status), r->out);
	return true;
}

struct spec {
	char *name, *cnipath, *prefix, *cache;
	int portbase;
	bool failed;
	struct host host;
	json_t *list, *plugins;
	size_t np;
	char **paths;
	double *ms;
};

static struct spec parse_spec(char *arg)
{
	struct spec s = { 0 };
	char *f[7] = { 0 }, *save = NULL;
	int n = 0;
	for (char *t = strtok_r(arg, ",", &save); t && n < 7; t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n < 6)
		die("SPEC %s: NAME,CONFLIST,PID,NSPREFIX,CACHEDIR,CNI_PATH[,PORTBASE]%s", arg, "");
	s.name = f[0];
	s.host = host_of(f[2]);
	s.prefix = f[3];
	s.cache = f[4];
	s.cnipath = f[5];
	s.portbase = n > 6 ? atoi(f[6]) : -1;
	json_error_t je;
	s.list = json_load_file(f[1], 0, &je);
	if (!s.list)
		die("%s: %s", f[1], je.text);
	s.plugins = json_object_get(s.list, "plugins");
	s.np = json_array_size(s.plugins);
	if (!s.np)
		die("%s: no plugins%s", f[1], "");
	s.paths = calloc(s.np, sizeof(*s.paths));
	s.ms = calloc(s.np, sizeof(*s.ms));
	for (size_t p = 0; p < s.np; p++)
		s.paths[p] = find_plugin(json_string_value(json_object_get(json_array_get(s.plugins, p), "type")),
					 s.cnipath);
	return s;
}

/* ADD or DEL of container I on S's network. */
static void one(struct spec *s, bool add, int i)
{
	char id[65], netns[256], file[512];
	json_error_t je;
	snprintf(id, sizeof(id), "c0ffee%058x", i);
	snprintf(netns, sizeof(netns), "/run/netns/%s%d", s->prefix, i);
	snprintf(file, sizeof(file), "%s/%s.json", s->cache, id);
	json_t *caps = json_object();
	if (s->portbase >= 0)
		json_object_set_new(caps, "portMappings",
				    json_pack("[{s:i, s:i, s:s}]", "hostPort", s->portbase + i, "containerPort", 80,
					      "protocol", "tcp"));
	char **env = make_env(add ? "ADD" : "DEL", id, netns, s->cnipath);
	json_t *prev = NULL;
	if (!add) {
		prev = json_load_file(file, 0, &je); /* NULL if never added: no prevResult */
		unlink(file);
	}
	double total = 0;
	for (size_t k = 0; k < s->np; k++) {
		size_t p = add ? k : s->np - 1 - k;
		const char *type = json_string_value(json_object_get(json_array_get(s->plugins, p), "type"));
		char *conf = one_config(s->list, json_array_get(s->plugins, p), prev, caps);
		struct run r = spawn_timed(&s->host, s->paths[p], conf, env);
		free(conf);
		if (failed(&r, add ? "ADD" : "DEL", type, id)) {
			printf("%s FAILED %d\n", s->name, i);
			fflush(stdout);
			s->failed = true;
			free(r.out);
			break;
		}
		s->ms[p] = r.ms;
		total += r.ms;
		if (add) {
			json_decref(prev);
			prev = json_loads(r.out, 0, &je);
			if (!prev) {
				fprintf(stderr, "cnidrv: ADD result of %s is not JSON: %s\n", type, r.out);
				printf("%s FAILED %d\n", s->name, i);
				s->failed = true;
			}
		}
		free(r.out);
		if (s->failed)
			break;
	}
	if (s->failed) {
		json_decref(prev);
		json_decref(caps);
		free_env(env);
		return;
	}
	if (add && json_dump_file(prev, file, JSON_COMPACT) < 0)
		die("%s: %s", file, strerror(errno));
	json_decref(prev);
	json_decref(caps);
	free_env(env);
	printf("%s %s %d %.3f", s->name, add ? "ADD" : "DEL", i, total);
	for (size_t p = 0; p < s->np; p++)
		printf(" %.3f", s->ms[p]);
	putchar('\n');
	fflush(stdout);
}

static int run_specs(bool add, int first, int last, int ns, char **args)
{
	struct spec *specs = calloc(ns, sizeof(*specs));
	for (int k = 0; k < ns; k++)
		specs[k] = parse_spec(args[k]);
	int left = ns;
	for (int i = first; i <= last && left; i++)
		for (int k = 0; k < ns; k++) {
			struct spec *s = &specs[i % 2 ? k : ns - 1 - k];
			if (!s->failed) {
				one(s, add, i);
				left -= s->failed;
			}
		}
	return left ? 0 : 1;
}

static int floor_run(int n, const char *pid)
{
	struct host h = host_of(pid);
	char **env = make_env("ADD", "floor", "/run/netns/none", "/bin");
	const char *conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"floor\",\"type\":\"true\"}";
	for (int i = 1; i <= n; i++) {
		struct run r = spawn_timed(&h, "/bin/true", conf, env);
		printf("FLOOR %d %.3f\n", i, r.ms);
		free(r.out);
	}
	free_env(env);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 5 && (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0))
		return run_specs(strcmp(argv[1], "add") == 0, atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
	if (argc == 4 && strcmp(argv[1], "floor") == 0)
		return floor_run(atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: cnidrv add|del FIRST LAST NAME,CONFLIST,PID,NSPREFIX,CACHEDIR,CNI_PATH[,PORTBASE]...\n"
			"       cnidrv floor N PID\n");
	return 2;
}
