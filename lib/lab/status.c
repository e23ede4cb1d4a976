/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsnet status: what a lab is meant to be, checked against what the kernel has. */
#include "fw/fw.h"
#include <signal.h>
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

/* The elements of one of nsnet's sets or maps, or NULL when it cannot be read. */
static json_t *fw_elems(const char *kind, const char *name)
{
	char cmd[128];
	json_t *v, *elems = NULL;
	snprintf(cmd, sizeof(cmd), "list %s " FW_FAMILY " " FW_TABLE " %s", kind, name);
	if (nft_list_json(cmd, &v, NULL) < 0)
		return NULL;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(v, "nftables"), i, o) {
		json_t *s = json_object_get(o, kind);
		if (s) {
			elems = json_object_get(s, "elem");
			elems = elems ? json_incref(elems) : json_array();
		}
	}
	json_decref(v);
	return elems;
}

/* What the lab needs from nsnet's nftables table (isolation, NAT, published ports)
 * and does not find there, e.g. after `nft flush ruleset`: "table inet nsnet",
 * "bridges: v-net-0", "nat_bridges: v-net-0", "pubany4: tcp 8080". */
static json_t *fw_missing(json_t *elements)
{
	json_t *missing = json_array();
	const char *k;
	json_t *v;
	bool need_table = false;
	json_object_foreach(elements, k, v) {
		const struct lab_kind *kind = lab_kind_of(k, NULL);
		need_table |= kind && kind->needs_fw_table;
	}
	if (!need_table)
		return missing;
	if (!fw_table_exists()) {
		json_array_append_new(missing, json_string("table " FW_FAMILY " " FW_TABLE));
		return missing;
	}
	struct lab_fw fw = { fw_elems("set", "bridges"), fw_elems("set", "nat_bridges"), fw_elems("map", "pubany4"),
			     fw_elems("map", "pub4") };
	json_object_foreach(elements, k, v) {
		const struct lab_kind *kind = lab_kind_of(k, NULL);
		if (kind && kind->fw_missing)
			kind->fw_missing(v, &fw, missing);
	}
	json_decref(fw.bridges);
	json_decref(fw.nat_bridges);
	json_decref(fw.pubany4);
	json_decref(fw.pub4);
	return missing;
}

/* Each kind's list ("networks", "nodes", "links"), in creation order. */
static json_t *elements_status(json_t *elements, bool *ok)
{
	json_t *ns = lab_elements_namespaces(elements);
	struct lab_seen *seen = lab_seen_new(ns);  /* NULL: each kind asks the kernel */
	json_decref(ns);
	json_t *lists = json_object();
	for (const struct lab_kind *const *k = lab_kinds; *k; k++)
		json_object_set_new(lists, (*k)->plural, json_array());
	const char *key;
	json_t *v;
	json_object_foreach(elements, key, v) {
		const char *name;
		const struct lab_kind *kind = lab_kind_of(key, &name);
		if (kind)
			json_array_append_new(json_object_get(lists, kind->plural), kind->status(name, v, seen, ok));
	}
	lab_seen_free(seen);
	return lists;
}

json_t *lab_status_report(const char *lab, json_t *st)
{
	bool ok = true;  /* until an element or the firewall says otherwise */
	json_t *lists = elements_status(json_object_get(st, "elements"), &ok);
	json_t *missing = fw_missing(json_object_get(st, "elements"));
	ok &= json_array_size(missing) == 0;
	const char *status = jstr(st, "status");
	json_t *o = json_pack("{s:s, s:s?, s:s}", "lab", lab, "file", jstr(st, "file"), "status",
			      status && streq(status, "applying") ? "applying" : ok ? "up" : "degraded");
	json_object_update(o, lists);
	json_object_set_new(o, "firewall", json_pack("{s:b, s:o}", "ok", json_array_size(missing) == 0, "missing", missing));
	/* An up that died half-way leaves "applying" behind: say so, gc undoes it. */
	pid_t pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
	if (status && streq(status, "applying") && pid > 0)
		json_object_set_new(o, "interrupted", json_boolean(kill(pid, 0) < 0 && errno == ESRCH));
	json_decref(lists);
	return o;
}

int nsnet_lab_status(const char *arg, json_t **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	json_t *st;
	int r = lab_open(arg, &lab, &st, e);
	if (r < 0)
		return r;
	*ret = lab_status_report(lab, st);
	json_decref(st);
	return 0;
}
