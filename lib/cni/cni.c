/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One CNI request: which command, what it needs from the environment, from which
 * version on, and its answer (a result, nothing, or the spec's error object).
 */
#include <ctype.h>
#include "cni/cni.h"

enum { NEED_ID = 1, NEED_NETNS = 2, NEED_IFNAME = 4, NEED_PATH = 8 };

static const struct cni_op {
	const char *command;
	int min_ver;
	unsigned needs;
	bool full;   /* the whole configuration must be valid (else only its name) */
	int (*fn)(struct cni_req *q, json_t **ret, struct nsnet_error *e);
} ops[] = {
	{ "ADD", CNI_V(0, 3, 0), NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH, true, cni_add },
	{ "DEL", CNI_V(0, 3, 0), NEED_ID | NEED_IFNAME | NEED_PATH, false, cni_del },
	{ "CHECK", CNI_V(0, 4, 0), NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH, true, cni_check },
	{ "GC", CNI_V(1, 1, 0), NEED_PATH, false, cni_gc },
	{ "STATUS", CNI_V(1, 1, 0), NEED_PATH, true, cni_status },
	{ "VERSION", 0, 0, false, cni_version },
};

/* The spec's container id: alphanumerics, then also '_', '.', '-'. */
static bool container_id_ok(const char *s)
{
	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static int check_env(struct cni_req *q, const struct cni_op *op, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	static const struct {
		unsigned bit;
		const char *var;
		size_t off;
	} vars[] = {
		{ NEED_ID, "CNI_CONTAINERID", offsetof(struct nsnet_cni_request, container_id) },
		{ NEED_NETNS, "CNI_NETNS", offsetof(struct nsnet_cni_request, netns) },
		{ NEED_IFNAME, "CNI_IFNAME", offsetof(struct nsnet_cni_request, ifname) },
		{ NEED_PATH, "CNI_PATH", offsetof(struct nsnet_cni_request, path) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = *(const char *const *)((const char *)env + vars[i].off);
		if ((op->needs & vars[i].bit) && (!v || !*v))
			return cni_fail(q, CNI_E_ENV, EINVAL, e, "%s needs %s", op->command, vars[i].var);
	}
	if ((op->needs & NEED_ID) && (!container_id_ok(env->container_id) || strlen(env->container_id) > 255))
		return cni_fail(q, CNI_E_ENV, EINVAL, e,
				"CNI_CONTAINERID '%.64s' is not a container id (letters, digits, '_', '.', '-')",
				env->container_id);
	struct nsnet_error ie = { 0 };
	if ((op->needs & NEED_IFNAME) && (nsnet_ifname_check(env->ifname, &ie) < 0 || strpbrk(env->ifname, "/: \t")))
		return cni_fail(q, CNI_E_ENV, EINVAL, e, "CNI_IFNAME: %s", ie.msg[0] ? ie.msg : "not an interface name");
	return 0;
}

static int code_of(int r)
{
	switch (-r) {
	case EAGAIN:
	case EINTR:
	case ETIMEDOUT:
		return CNI_E_AGAIN;
	case EIO:
		return CNI_E_IO;
	case EINVAL:
		return CNI_E_CONFIG;
	default:
		return CNI_E_INTERNAL;
	}
}

int nsnet_cni(const struct nsnet_cni_request *env, json_t **ret)
{
	struct cni_req q = { .env = env };
	struct nsnet_error e = { 0 };
	const struct cni_op *op = NULL;
	json_t *res = NULL;
	int r;
	for (size_t i = 0; env->command && i < ARRAY_SIZE(ops); i++)
		if (streq(env->command, ops[i].command))
			op = &ops[i];
	if (!op)
		r = cni_fail(&q, CNI_E_ENV, EINVAL, &e, env->command ? "unknown CNI_COMMAND '%.32s'" : "CNI_COMMAND is not set",
			     env->command);
	else if (op->fn == cni_version) {
		/* VERSION answers whatever it is sent, even nothing (runtimes probe with
		 * CNI_NETNS=dummy and an empty container id). */
		json_t *c = env->config ? json_loadb(env->config, env->config_len, 0, NULL) : NULL;
		q.version = jstr(c, "cniVersion");
		q.ver = cni_version_parse(q.version);
		r = cni_version(&q, &res, &e);
		json_decref(c);
		q.version = NULL;
	} else if ((r = cni_conf_parse(&q, op->full, &e)) == 0 && q.ver < op->min_ver)
		r = cni_fail(&q, CNI_E_VERSION, EINVAL, &e, "%s needs cniVersion %s or later; the configuration has %s",
			     op->command, op->min_ver == CNI_V(0, 4, 0) ? "0.4.0" : "1.1.0", q.version);
	else if (r == 0 && (r = check_env(&q, op, &e)) == 0)
		r = op->fn(&q, &res, &e);
	if (r < 0) {
		json_decref(res);
		int code = q.code ? q.code : code_of(r);
		res = json_pack("{s:s, s:i, s:s}", "cniVersion", q.ver > 0 ? q.version : CNI_LATEST, "code", code, "msg",
				e.msg[0] ? e.msg : strerror(-r));
		cni_req_free(&q);
		*ret = res;
		return code;
	}
	cni_req_free(&q);
	*ret = res;
	return 0;
}
