/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The service kind, "svc:NODE/NAME": a process a lab node runs while the lab is up,
 * supervised by a daemon of its own (proc/service.c) inside the node's namespace,
 * with the node's files as its /etc and its output in the node's log (nsnet logs
 * LAB NODE). Made after everything else (a routing daemon needs its interfaces),
 * removed before everything else. A changed service, or a change of its node's files,
 * restarts that service alone; an unchanged one is left running. One that is not
 * running (it exited, or its daemon was killed) is missing: status says so, and up
 * starts it again.
 */
#include <limits.h>
#include "lab/lab.h"
#include "proc/proc.h"
#include "state/state.h"
#include "base/base.h"

/* "NODE/NAME" to its parts; a node name never holds '/'. */
static int split(const char *name, char node[256], const char **svc)
{
	const char *slash = strchr(name, '/');
	if (!slash || (size_t)(slash - name) >= 256)
		return -EINVAL;
	memcpy(node, name, slash - name);
	node[slash - name] = 0;
	*svc = slash + 1;
	return 0;
}

static void wanted(const struct topology *t, json_t *elements)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		const char *name;
		json_t *svc;
		json_object_foreach(n->services, name, svc) {
			char key[400];
			snprintf(key, sizeof(key), "%s%s/%s", lab_kind_service.prefix, n->name, name);
			json_t *spec = json_deep_copy(svc);
			json_object_set_new(spec, "node", json_string(n->name));
			json_object_set_new(spec, "name", json_string(name));
			json_object_set_new(elements, key, spec);
		}
	}
}

/* Replaced with its node, and with its node's files (their update replaces users). */
static bool uses(json_t *spec, const struct lab_kind *k, const char *name, json_t *used)
{
	return (k == &lab_kind_node || k == &lab_kind_files) && streq_safe(jstr(spec, "node"), name);
}

static void paths(const char *key_name, char *record, char *log, size_t len)
{
	char node[256];
	const char *svc = "?";
	if (split(key_name, node, &svc) < 0)
		snprintf(node, sizeof(node), "?");
	proc_service_paths(node, svc, record, log, len);
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		char record[PATH_MAX], log[PATH_MAX];
		json_t *spec = els->v[i].spec;
		paths(els->v[i].name, record, log, sizeof(record));
		json_array_append_new(done, json_string(els->v[i].key));
		struct proc_service s = { .ns = jstr0(spec, "node"), .spec = spec, .record = record, .log = log };
		int r = proc_service_start(&s, e);
		if (r < 0)
			return nsnet_err_wrap(e, "node '%s': service '%s'", jstr0(spec, "node"), jstr0(spec, "name"));
		if ((r = lab_check_cancel(c->run, e)) < 0)
			return r;
	}
	return 0;
}

static int remove_services(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	for (size_t i = 0; i < els->n; i++) {
		char record[PATH_MAX];
		paths(els->v[i].name, record, NULL, sizeof(record));
		proc_service_stop(record, NULL);
	}
	return 0;
}

/* The node's log goes with the node's last service. */
static void reap(const struct lab_removal *c, const struct lab_els *els)
{
	for (size_t i = 0; i < els->n; i++) {
		char node[256], log[PATH_MAX], dir[PATH_MAX];
		const char *svc;
		if (split(els->v[i].name, node, &svc) < 0 || !json_object_get(c->dying, node))
			continue;
		proc_service_paths(node, svc, NULL, log, sizeof(log));
		unlink(log);
		snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(log) - 4), log);
		rmdir(dir);
	}
}

static bool running(json_t *st)
{
	return st && (streq_safe(jstr(st, "state"), "running") || streq_safe(jstr(st, "state"), "restarting"));
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	char record[PATH_MAX];
	paths(name, record, NULL, sizeof(record));
	json_t *st = proc_service_state(record);
	bool up = running(st);
	json_decref(st);
	return !up;
}

static void explain(json_t *cmds, const char *name, json_t *spec, json_t *specs, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	char argv[4096] = "";
	size_t off = 0, i;
	json_t *a;
	json_array_foreach(json_object_get(spec, "command"), i, a) {
		struct lab_quoter q1 = { .i = 0 };
		off += snprintf(argv + off, off < sizeof(argv) ? sizeof(argv) - off : 0, "%s%s", i ? " " : "",
				lab_q(&q1, json_string_value(a)));
	}
	if (add)
		lab_cmd(cmds, "ip netns exec %s %s &  # service %s, restart %s", lab_q(&qt, jstr0(spec, "node")), argv,
			jstr0(spec, "name"), jstr0(spec, "restart"));
	else
		lab_cmd(cmds, "kill %%  # service %s of %s", jstr0(spec, "name"), jstr0(spec, "node"));
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	char record[PATH_MAX];
	paths(name, record, NULL, sizeof(record));
	json_t *st = proc_service_state(record);
	bool up = running(st);
	*ok &= up;
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "node", jstr0(spec, "node"), "name", jstr0(spec, "name"), "state",
			      st ? jstr0(st, "state") : "stopped", "ok", up);
	if (st && json_integer_value(json_object_get(st, "pid")) > 0 && up)
		json_object_set(o, "pid", json_object_get(st, "pid"));
	if (st && json_object_get(st, "status"))
		json_object_set(o, "status", json_object_get(st, "status"));
	if (st)
		json_object_set(o, "restarts", json_object_get(st, "restarts"));
	json_decref(st);
	return o;
}

const struct lab_kind lab_kind_service = {
	.prefix = "svc:",
	.plural = "services",
	.wanted = wanted,
	.uses = uses,
	.create = create,
	.remove = remove_services,
	.reap = reap,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
};

int nsnet_lab_log_path(const char *lab, const char *node, char *buf, size_t len, struct nsnet_error *e)
{
	json_t *st;
	int r = nsnet_ns_name_check(node, e);
	if (r < 0 || (r = lab_state_load(lab, &st, e)) < 0)
		return r;
	char key[300];
	snprintf(key, sizeof(key), "%s%s", lab_kind_node.prefix, node);
	bool has = json_object_get(json_object_get(st, "elements"), key) != NULL;
	json_decref(st);
	if (!has)
		return nsnet_errx(e, ENOENT, "lab '%s' has no node '%s'", lab, node);
	proc_service_paths(node, "", NULL, buf, len);
	if (access(buf, F_OK) < 0)
		return nsnet_errx(e, ENOENT, "node '%s' of lab '%s' has no service output (no services, or none started)",
				  node, lab);
	return 0;
}
