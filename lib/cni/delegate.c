/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An "ipam" of another type (host-local, dhcp, static) is that plugin's job: nsnet
 * runs it as a runtime would (found in CNI_PATH, the same CNI_* variables with this
 * command, the same configuration on stdin) and takes its addresses as static ones.
 * This is the CNI protocol itself, not a shell: execve of one plugin, no shell,
 * and the environment is built from the request, not inherited.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cni/cni.h"

#define OUT_MAX (1 << 20)

static int find_plugin(struct cni_req *q, char *path, size_t len, struct nsnet_error *e)
{
	const char *dirs = q->env->path ? q->env->path : "";
	const char *p = dirs;
	while (*p) {
		size_t n = strcspn(p, ":");
		struct stat st;
		if (n && (size_t)snprintf(path, len, "%.*s/%s", (int)n, p, q->ipam_type) < len && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return 0;
		p += n + (p[n] == ':');
	}
	return cni_fail(q, CNI_E_CONFIG, ENOENT, e, "ipam plugin '%s' not found in CNI_PATH (%s)", q->ipam_type, dirs);
}

/* Feed stdin and collect stdout at once (either may fill a pipe first). */
static int talk(int in, int out, const char *data, size_t len, char *buf, size_t *got)
{
	size_t sent = 0;
	*got = 0;
	if (len == 0) {
		close(in);
		in = -1;
	}
	while (out >= 0) {
		struct pollfd p[2] = { { out, POLLIN, 0 }, { in, POLLOUT, 0 } };
		if (poll(p, in >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in >= 0 && p[1].revents) {
			ssize_t w = write(in, data + sent, len - sent);
			if (w > 0)
				sent += (size_t)w;
			if (w < 0 || sent == len) {
				close(in);
				in = -1;
			}
		}
		if (p[0].revents) {
			ssize_t r = read(out, buf + *got, OUT_MAX - *got);
			if (r <= 0)
				break;
			*got += (size_t)r;
			if (*got == OUT_MAX)
				break;
		}
	}
	if (in >= 0)
		close(in);
	return 0;
}

int cni_delegate(struct cni_req *q, const char *command, json_t **ret, struct nsnet_error *e)
{
	const struct nsnet_cni_request *r = q->env;
	char plugin[PATH_MAX];
	int rc = find_plugin(q, plugin, sizeof(plugin), e);
	if (rc < 0)
		return rc;
	char *env[8];
	size_t n = 0;
	if (asprintf(&env[n++], "CNI_COMMAND=%s", command) < 0 ||
	    asprintf(&env[n++], "CNI_CONTAINERID=%s", r->container_id ? r->container_id : "") < 0 ||
	    asprintf(&env[n++], "CNI_NETNS=%s", r->netns ? r->netns : "") < 0 ||
	    asprintf(&env[n++], "CNI_IFNAME=%s", r->ifname ? r->ifname : "") < 0 ||
	    asprintf(&env[n++], "CNI_ARGS=%s", r->args ? r->args : "") < 0 ||
	    asprintf(&env[n++], "CNI_PATH=%s", r->path ? r->path : "") < 0)
		return cni_fail(q, CNI_E_INTERNAL, ENOMEM, e, "out of memory");
	env[n] = NULL;
	char *argv[] = { plugin, NULL };
	int in[2], out[2];
	_cleanup_free_ char *buf = malloc(OUT_MAX + 1);
	pid_t pid = -1;
	if (buf && pipe2(in, O_CLOEXEC) == 0) {
		if (pipe2(out, O_CLOEXEC) == 0) {
			pid = fork();
			if (pid == 0) {
				dup2(in[0], 0);
				dup2(out[1], 1);
				execve(plugin, argv, env);
				_exit(127);
			}
			close(out[1]);
		}
		close(in[0]);
	}
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	if (pid < 0)
		return cni_fail(q, CNI_E_INTERNAL, errno ? errno : ENOMEM, e, "run ipam plugin %s", plugin);
	size_t got = 0;
	talk(in[1], out[0], r->config, r->config_len, buf, &got);
	close(out[0]);
	buf[got] = 0;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	json_t *res = got ? json_loads(buf, 0, NULL) : NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		json_t *code = json_object_get(res, "code");
		int c = json_is_integer(code) ? (int)json_integer_value(code) : CNI_E_INTERNAL;
		rc = cni_fail(q, c, EIO, e, "ipam plugin %s %s: %s", q->ipam_type, command,
			      jstr(res, "msg") ? jstr(res, "msg") : "failed");
		json_decref(res);
		return rc;
	}
	if (ret)
		*ret = res;
	else
		json_decref(res);
	return 0;
}
