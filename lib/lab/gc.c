/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet gc: finish or undo what killed commands left behind. A dead `up` left its
 * journal: what it meant to add is removed, what it meant to remove is removed.
 * Networks of labs that no longer exist go; pending addresses of dead attaches
 * are reconciled with the kernel.
 */
#include <dirent.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include "fw/fw.h"
#include "lab/lab.h"
#include "net/net.h"
#include "proc/proc.h"
#include "state/state.h"
#include "base/base.h"

static bool pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

static void gc_lab(const char *name, json_t *report)
{
	json_t *st;
	if (lab_state_load(name, &st, NULL) < 0)
		return;
	const char *status = json_string_value(json_object_get(st, "status"));
	if (!status || !streq(status, "applying") || pid_alive((pid_t)json_integer_value(json_object_get(st, "pid")))) {
		json_decref(st);
		return;
	}
	json_t *j = json_object_get(st, "journal"), *elements = json_object_get(st, "elements");
	lab_remove_elements(name, json_object_get(j, "want"), json_object_get(j, "add"), NULL);
	lab_remove_elements(name, elements, json_object_get(j, "remove"), NULL);
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(j, "add"), i, k) json_object_del(elements, json_string_value(k));
	json_array_foreach(json_object_get(j, "remove"), i, k) json_object_del(elements, json_string_value(k));
	if (json_object_size(elements) == 0) {
		lab_state_remove(name, NULL);
	} else {
		json_object_del(st, "journal");
		json_object_del(st, "pid");
		json_object_set_new(st, "status", json_string("up"));
		lab_state_save(st, NULL);
	}
	json_array_append_new(json_object_get(report, "labs"), json_string(name));
	json_decref(st);
}

/* A network that claims a lab which does not record it: left by a dead up. */
static bool orphan(json_t *net)
{
	const char *lab = json_string_value(json_object_get(net, "lab"));
	if (!lab)
		return false;
	json_t *st;
	if (lab_state_load(lab, &st, NULL) < 0)
		return true;
	char key[128];
	lab_key(&lab_kind_net, json_string_value(json_object_get(net, "name")), key, sizeof(key));
	bool known = json_object_get(json_object_get(st, "elements"), key) ||
		     json_object_get(json_object_get(json_object_get(st, "journal"), "want"), key);
	json_decref(st);
	return !known;
}

/* A state file that does not parse is set aside as FILE.corrupt (kept to be looked
 * at, no longer read); what it described is then found from the kernel's side. */
static void set_aside(const char *path, json_t *report)
{
	char to[PATH_MAX];
	if (xsnprintf(to, sizeof(to), "%s.corrupt", path) == 0 && rename(path, to) == 0)
		json_array_append_new(json_object_get(report, "corrupt"), json_string(path));
}

static void corrupt_files(json_t *report)
{
	char **names;
	size_t n;
	if (state_net_names(&names, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++) {
			json_t *net = NULL;
			char path[PATH_MAX];
			int r = state_net_load(names[i], &net, NULL);
			if (r == -EIO && xsnprintf(path, sizeof(path), "%s/%s.json", NSNET_NET_DIR, names[i]) == 0)
				set_aside(path, report);
			else if (r == 0)
				json_decref(net);
		}
		nsnet_strv_free(names, n);
	}
	json_t *st = NULL;
	int r = fw_state_load(&st, NULL);
	if (r == -EIO)
		set_aside(NSNET_FW_FILE, report);
	else if (r == 0)
		json_decref(st);
}

struct host_link {
	int index, master;
	char name[16];
	char alias[128];
};
struct host_links {
	struct host_link *v;
	size_t n;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct host_links *l = data;
	struct rtnl_link d;
	if (rtnl_link_decode(nlh, &d) <= 0)
		return MNL_CB_OK;
	struct host_link h = { .index = d.index, .master = d.master };
	snprintf(h.name, sizeof(h.name), "%s", d.name);
	snprintf(h.alias, sizeof(h.alias), "%.*s", (int)sizeof(h.alias) - 1, d.alias);
	struct host_link *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	v[l->n++] = h;
	l->v = v;
	return MNL_CB_OK;
}

static void links_reset(void *data)
{
	((struct host_links *)data)->n = 0;
}

/* Bridges that say they are a network's (their alias) but whose network has no
 * state (a corrupt file set aside, a create killed before it recorded): deleted
 * with their ports, as `net rm --force` would. */
static int orphan_bridges(struct nl *host, json_t *report, struct nsnet_error *e)
{
	struct host_links l = { 0 };
	int r = rtnl_dump_links(host, links_cb, links_reset, &l, e);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		const char *net = l.v[i].alias;
		if (strncmp(net, NSNET_BRIDGE_ALIAS, strlen(NSNET_BRIDGE_ALIAS)) != 0)
			continue;
		net += strlen(NSNET_BRIDGE_ALIAS);
		json_t *st;
		if (net_name_check(net, NULL) == 0 && state_net_load(net, &st, NULL) == 0) {
			bool ours = streq(json_string_value(json_object_get(st, "bridge")) ?: "", l.v[i].name);
			json_decref(st);
			if (ours)
				continue;
		}
		const char **ifs = calloc(l.n + 1, sizeof(*ifs));
		if (!ifs) {
			r = nsnet_err(e, ENOMEM, "gc");
			break;
		}
		size_t k = 0;
		for (size_t j = 0; j < l.n; j++)
			if (l.v[j].master == l.v[i].index)
				ifs[k++] = l.v[j].name;
		ifs[k++] = l.v[i].name;
		r = host_links_delete(host, ifs, k, e);
		free(ifs);
		if (r == 0)
			json_array_append_new(json_object_get(report, "bridges"), json_string(l.v[i].name));
	}
	free(l.v);
	return r;
}

int nsnet_gc(json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = state_lock(&lock, e);
	if (r < 0)
		return r;
	json_t *report = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:b}", "journal", "corrupt", "labs",
				   "networks", "bridges", "reconciled", "runs", "services", "firewall_rebuilt", false);
	corrupt_files(report);
	/* Killed commands' journal entries first: they say what the state files no
	 * longer can (a network whose file is already gone). */
	if ((r = recover_entries(json_object_get(report, "journal"), e)) < 0 ||
	    (r = run_gc_locked(json_object_get(report, "runs"), e)) < 0 ||
	    (r = proc_services_gc(json_object_get(report, "services"), e)) < 0) {
		json_decref(report);
		return nsnet_err_wrap(e, "gc");
	}
	char **names;
	size_t n;
	if (lab_state_names(&names, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			gc_lab(names[i], report);
		nsnet_strv_free(names, n);
	}
	_cleanup_nl_ struct nl *host = NULL;
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0) {
		json_decref(report);
		return r;
	}
	if (state_net_names(&names, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++) {
			json_t *net;
			if (state_net_load(names[i], &net, NULL) < 0)
				continue;
			bool changed = false;
			if (orphan(net)) {
				net_rm_locked(names[i], true, NULL);
				json_array_append_new(json_object_get(report, "networks"), json_string(names[i]));
			} else if (net_reconcile(net, host, &changed, NULL) == 0 && changed) {
				state_net_save(net, NULL);
				json_array_append_new(json_object_get(report, "reconciled"), json_string(names[i]));
			}
			json_decref(net);
		}
		nsnet_strv_free(names, n);
	}
	/* Last, from the kernel's side: bridges no state backs, whatever of nsnet's
	 * firewall no state backs (elements of a network or publish that is gone), and
	 * the host settings. */
	bool rebuilt = false;
	if ((r = orphan_bridges(host, report, e)) < 0 || (r = fw_settle(&rebuilt, e)) < 0 ||
	    (r = net_bindings_sweep(e)) < 0) {
		json_decref(report);
		return nsnet_err_wrap(e, "gc");
	}
	/* Names as the networks now say: what a killed command left half-written. */
	net_hosts_sync(NULL);
	json_object_set_new(report, "firewall_rebuilt", json_boolean(rebuilt));
	if (ret)
		*ret = report;
	else
		json_decref(report);
	return 0;
}
