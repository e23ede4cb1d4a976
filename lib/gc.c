/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet gc: finish or undo what killed commands left behind. A dead `up` left its
 * journal: what it meant to add is removed, what it meant to remove is removed.
 * Networks of labs that no longer exist go; pending addresses of dead attaches
 * are reconciled with the kernel.
 */
#include <dirent.h>
#include <signal.h>
#include "fw.h"
#include "lab.h"
#include "net.h"
#include "state.h"
#include "util.h"

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
	snprintf(key, sizeof(key), "net:%s", json_string_value(json_object_get(net, "name")));
	bool known = json_object_get(json_object_get(st, "elements"), key) ||
		     json_object_get(json_object_get(json_object_get(st, "journal"), "want"), key);
	json_decref(st);
	return !known;
}

int nsnet_gc(json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = state_lock(&lock, e);
	if (r < 0)
		return r;
	json_t *report = json_pack("{s:[], s:[], s:[], s:[], s:b}", "journal", "labs", "networks", "reconciled",
				   "firewall_rebuilt", false);
	/* Killed commands' journal entries first: they say what the state files no
	 * longer can (a network whose file is already gone). */
	if ((r = recover_entries(json_object_get(report, "journal"), e)) < 0) {
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
	/* Last, from the kernel's side: whatever of nsnet's firewall no state backs
	 * (elements of a network or publish that is gone), and the host settings. */
	bool rebuilt = false;
	if ((r = fw_converge(&rebuilt, e)) < 0 || (r = fw_settle(e)) < 0) {
		json_decref(report);
		return nsnet_err_wrap(e, "gc");
	}
	json_object_set_new(report, "firewall_rebuilt", json_boolean(rebuilt));
	if (ret)
		*ret = report;
	else
		json_decref(report);
	return 0;
}
