/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The labs' public entry points: up, down, list (graph: graph.c). */
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lab/lab.h"
#include "net/net.h"
#include "state/state.h"
#include "base/base.h"

#define DEFAULT_LAB "default"

static bool looks_like_file(const char *s)
{
	size_t l = strlen(s);
	return strchr(s, '/') || (l > 5 && strcmp(s + l - 5, ".yaml") == 0) || (l > 4 && strcmp(s + l - 4, ".yml") == 0);
}

/* A lab argument: a file (parsed for its name) or a lab name. */
int lab_resolve(const char *arg, char **ret_name, struct nsnet_error *e)
{
	if (!arg) {
		*ret_name = strdup(DEFAULT_LAB);
		return 0;
	}
	if (looks_like_file(arg)) {
		struct topology *t;
		int r = topo_parse_file(arg, &t, e);
		if (r < 0)
			return r;
		*ret_name = strdup(t->name);
		topo_free(t);
		return 0;
	}
	/* A lab name names a state file: checked before anything looks for it. */
	if (net_name_check(arg, NULL) < 0)
		return nsnet_errx(e, EINVAL, "invalid lab name '%s'", arg);
	*ret_name = strdup(arg);
	return 0;
}

int lab_open(const char *arg, char **ret_name, json_t **ret_state, struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	int r = lab_resolve(arg, &lab, e);
	if (r < 0 || (r = lab_state_load(lab, ret_state, e)) < 0)
		return r;
	*ret_name = TAKE_PTR(lab);
	return 0;
}

/* Recorded elements the kernel no longer has (deleted behind nsnet's back) count as
 * changed, so `up` repairs a degraded lab instead of trusting its record. */
static void mark_missing(json_t *have)
{
	json_t *ns = lab_elements_namespaces(have);
	struct lab_seen *seen = lab_seen_new(ns);
	json_decref(ns);
	/* Without the host's links nothing can be told missing: trust the record. */
	if (!lab_seen_host_read(seen)) {
		lab_seen_free(seen);
		return;
	}
	const char *k;
	json_t *v, *gone = json_array(), *drifted = json_array();
	size_t i;
	json_object_foreach(have, k, v) {
		const char *name;
		const struct lab_kind *kind = lab_kind_of(k, &name);
		if (kind && kind->is_missing(name, v, seen))
			json_array_append_new(gone, json_string(k));
		else if (kind && kind->drift)
			json_array_append_new(drifted, json_pack("[s, o*]", k, kind->drift(name, v, seen)));
	}
	/* What update can put back is updated, not replaced. */
	json_array_foreach(drifted, i, v) {
		json_t *copy = json_array_get(v, 1);
		if (json_is_object(copy))
			json_object_set(have, json_string_value(json_array_get(v, 0)), copy);
	}
	json_decref(drifted);
	/* A marked copy differs from the wanted spec but still says what to remove. */
	json_array_foreach(gone, i, v) {
		json_t *copy = json_deep_copy(json_object_get(have, json_string_value(v)));
		json_object_set_new(copy, "missing", json_true());
		json_object_set_new(have, json_string_value(v), copy);
	}
	json_decref(gone);
	lab_seen_free(seen);
}

/* `up LAB` (a name): the file recorded for LAB, so that edits to it apply, or when
 * that file is gone, the source recorded with it. *ret_file: the file to record
 * again (NULL: the default lab). */
static int recorded_source(const char *lab, char **ret_file, char **ret_src, size_t *ret_len, struct nsnet_error *e)
{
	json_t *st;
	int r = lab_state_load(lab, &st, e);
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "'%s' is neither a lab file nor a lab that is up", lab);
	if (r < 0)
		return r;
	const char *file = jstr(st, "file"), *src = jstr(st, "source");
	char *text = NULL;
	size_t len = 0;
	if (file && streq(file, "<default>")) {
		text = strdup(topo_default_yaml);
		file = NULL;
	} else if (!file || topo_read_file(file, &text, &len, NULL) < 0) {
		text = src ? strdup(src) : NULL;
	}
	if (!text) {
		json_decref(st);
		return nsnet_errx(e, ENOENT, "lab '%s' has no recorded topology", lab);
	}
	*ret_len = len ? len : strlen(text);
	*ret_src = text;
	*ret_file = file ? strdup(file) : NULL;
	json_decref(st);
	return 0;
}

/* The lab file (NULL: the default lab; a lab name: its recorded file), its source
 * kept to be recorded, parsed and its sysctls checked with the kernel. *ret_file is
 * the file to record (NULL for the default lab). */
static int read_lab(const char *arg, char **ret_file, char **ret_src, struct topology **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *src = NULL, *file = arg ? strdup(arg) : NULL;
	size_t len = 0;
	struct topology *t;
	int r = 0;
	/* A name that is no file here: the lab of that name. */
	bool by_name = arg && !looks_like_file(arg) && access(arg, F_OK) < 0;
	if (by_name) {
		free(file);
		file = NULL;
		if (net_name_check(arg, NULL) < 0)
			return nsnet_errx(e, EINVAL, "invalid lab name '%s'", arg);
		r = recorded_source(arg, &file, &src, &len, e);
	} else if (arg) {
		r = topo_read_file(arg, &src, &len, e);
	}
	if (r < 0)
		return r;
	if (!src && !(src = strdup(topo_default_yaml)))
		return nsnet_err(e, ENOMEM, "default lab");
	if (!len)
		len = strlen(src);
	if ((r = topo_parse_string(src, len, file ? file : "<default>", &t, e)) < 0)
		return r;
	if (by_name && !streq(t->name, arg)) {
		r = nsnet_errx(e, EINVAL, "lab '%s': its file %s now names lab '%s'", arg, file ? file : "<default>", t->name);
		topo_free(t);
		return r;
	}
	if ((r = lab_validate_sysctls(t, e)) < 0 || (r = lab_node_fw_check(t, e)) < 0) {
		topo_free(t);
		return r;
	}
	*ret_file = TAKE_PTR(file);
	*ret_src = TAKE_PTR(src);
	*ret = t;
	return 0;
}

/* The lab's recorded elements (none when it is not up), those the kernel lost marked
 * (lock held). A journal of a dead up must be undone by gc first. */
static int recorded(const char *lab, json_t **ret_state, json_t **ret_have, struct nsnet_error *e)
{
	json_t *st;
	if (lab_state_load(lab, &st, NULL) < 0) {
		*ret_state = NULL;
		*ret_have = json_object();
		return 0;
	}
	const char *status = json_string_value(json_object_get(st, "status"));
	pid_t pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
	if (status && streq(status, "applying") && pid > 0 && pid != getpid() && kill(pid, 0) < 0) {
		json_decref(st);
		return nsnet_errx(e, EAGAIN, "lab '%s': a previous 'up' (pid %d) died half-way; run 'nsnet gc' first", lab, pid);
	}
	*ret_have = json_incref(json_object_get(st, "elements"));
	if (!*ret_have)
		*ret_have = json_object();
	else
		mark_missing(*ret_have);
	*ret_state = st;
	return 0;
}

int nsnet_lab_up(const char *arg, const struct nsnet_up_opts *opts, json_t **ret_report, struct nsnet_error *e)
{
	static const struct nsnet_up_opts none;
	const struct nsnet_up_opts *o = opts ? opts : &none;
	struct topology *t = NULL;
	_cleanup_free_ char *src = NULL, *file = NULL;
	int r = read_lab(arg, &file, &src, &t, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *want = lab_elements(t), *have = NULL, *st = NULL;
	struct lab_plan p = { 0 };
	if ((r = fw_lock(&lock, e)) < 0 || (r = recorded(t->name, &st, &have, e)) < 0)
		goto out;
	if ((r = lab_plan_make(want, have, &p, e)) < 0 || (r = lab_validate(t->name, &p, e)) < 0)
		goto out;
	bool changed = json_array_size(p.add) || json_array_size(p.remove) || json_array_size(p.update);
	if (ret_report)
		*ret_report = json_pack("{s:s, s:b, s:b, s:o}", "lab", t->name, "changed", changed, "dry_run", o->dry_run,
					"steps", lab_plan_describe(&p, o->explain));
	/* Keep the source, so down, status and graph work without the file. */
	char abs[PATH_MAX];
	const char *fname = file ? (realpath(file, abs) ? abs : file) : "<default>";
	/* Nothing to change and the record already says this file: done. A lab with no
	 * elements yet is recorded all the same (status, down and ls know it). */
	bool recorded_same = st && streq_safe(jstr(st, "source"), src) && streq_safe(jstr(st, "file"), fname);
	if (o->dry_run || (!changed && recorded_same))
		goto out;
	p.record = json_pack("{s:s, s:s}", "file", fname, "source", src);
	struct lab_run run = { .progress = o->progress, .progress_data = o->progress_data, .cancel = o->cancel };
	r = lab_apply(t->name, &p, &run, e);
	/* Names once the whole plan is applied (or rolled back): each hosts file is
	 * written once per up, however many networks and nodes changed. */
	json_t *warnings = json_array();
	net_hosts_sync(warnings);
	if (ret_report && *ret_report && json_array_size(warnings))
		json_object_set(*ret_report, "warnings", warnings);
	json_decref(warnings);
	if (r < 0) {
		nsnet_err_wrap(e, "up %s", arg ? arg : "<default>");
		if (ret_report) {
			json_decref(*ret_report);
			*ret_report = NULL;
		}
	}
out:
	lab_plan_free(&p);
	json_decref(want);
	json_decref(have);
	json_decref(st);
	topo_free(t);
	return r;
}

int nsnet_lab_down(const char *arg, struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	int r = lab_resolve(arg, &lab, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *st;
	if ((r = fw_lock(&lock, e)) < 0 || (r = lab_state_load(lab, &st, e)) < 0)
		return r;
	/* Everything recorded, and everything a half-done up meant to make. */
	json_t *all = json_deep_copy(json_object_get(st, "elements"));
	json_object_update_missing(all, json_object_get(json_object_get(st, "journal"), "want"));
	json_t *names = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(all, k, v) json_array_append_new(names, json_string(k));
	json_t *keys = lab_keys_ordered(names, true);
	json_decref(names);
	r = lab_remove_elements(lab, all, keys, e);
	if (r == 0)
		r = lab_state_remove(lab, e);
	net_hosts_sync(NULL);
	json_decref(keys);
	json_decref(all);
	json_decref(st);
	return r;
}

/* How many elements of each kind: { plural: n }. */
static json_t *kind_counts(json_t *elements)
{
	json_t *count = json_object(), *v;
	for (const struct lab_kind *const *kind = lab_kinds; *kind; kind++)
		json_object_set_new(count, (*kind)->plural, json_integer(0));
	const char *k;
	json_object_foreach(elements, k, v) {
		const struct lab_kind *kind = lab_kind_of(k, NULL);
		json_t *n = kind ? json_object_get(count, kind->plural) : NULL;
		if (n)
			json_integer_set(n, json_integer_value(n) + 1);
	}
	return count;
}

int nsnet_lab_list(json_t **ret, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r;
	if ((r = lab_state_names(&names, &n, e)) < 0)
		return r;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *st;
		if (lab_state_load(names[i], &st, NULL) < 0)
			continue;
		json_t *count = kind_counts(json_object_get(st, "elements"));
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s?, s:O, s:O, s:O}", "name", names[i], "file",
						     json_string_value(json_object_get(st, "file")), "status",
						     json_string_value(json_object_get(st, "status")), "nodes",
						     json_object_get(count, "nodes"), "networks", json_object_get(count, "networks"),
						     "links", json_object_get(count, "links")));
		json_decref(count);
		json_decref(st);
	}
	nsnet_strv_free(names, n);
	*ret = arr;
	return 0;
}

/* A lab's topology: from its file, or from the source recorded when it came up. */
int lab_topology(const char *arg, struct topology **ret, struct nsnet_error *e)
{
	if (!arg)
		return topo_parse_string(topo_default_yaml, strlen(topo_default_yaml), "<default>", ret, e);
	if (looks_like_file(arg))
		return topo_parse_file(arg, ret, e);
	json_t *st;
	int r = lab_state_load(arg, &st, e);
	if (r < 0)
		return r;
	const char *src = json_string_value(json_object_get(st, "source"));
	const char *file = json_string_value(json_object_get(st, "file"));
	r = src ? topo_parse_string(src, strlen(src), file ? file : arg, ret, e)
		: nsnet_errx(e, ENOENT, "lab '%s' has no recorded topology", arg);
	json_decref(st);
	return r;
}
