/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet ns list --all: every network namespace on the machine (netns_scan()), each
 * with what nsnet knows of it by its names: the lab whose node it is, the networks
 * it is a member of (with a CNI container's id and interface), the run it is.
 */
#include <sys/stat.h>
#include "netns/netns.h"
#include "state/state.h"
#include "show/show.h"
#include "base/base.h"

/* What nsnet knows, read once for all namespaces. */
struct known {
	json_t *owners;   /* { "node:NAME": lab } */
	json_t *nets;     /* [ network record ] */
};

static void known_load(struct known *k)
{
	k->owners = lab_owners(NULL);
	k->nets = json_array();
	char **names;
	size_t n;
	if (state_net_names(&names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) == 0)
			json_array_append_new(k->nets, net);
	}
	nsnet_strv_free(names, n);
}

static bool is_run(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	return xsnprintf(path, sizeof(path), "%s/run/%s.json", NSNET_STATE_DIR, name) == 0 && stat(path, &st) == 0;
}

/* {lab, node, networks: [{network, ifname, ips, cni?}], run} for one name; NULL: nothing. */
static json_t *nsnet_of(const struct known *k, const char *name)
{
	json_t *o = json_object();
	char key[300];  /* "node:" and a name of at most 255 bytes */
	snprintf(key, sizeof(key), "node:%s", name);
	const char *lab = json_string_value(json_object_get(k->owners, key));
	if (lab)
		json_object_set_new(o, "lab", json_pack("{s:s, s:s}", "name", lab, "node", name));
	json_t *nets = json_array();
	size_t i;
	json_t *net;
	json_array_foreach(k->nets, i, net) {
		json_t *m = net_member(net, name, NULL);
		if (!m)
			continue;
		json_t *one = json_pack("{s:O, s:O, s:O}", "network", json_object_get(net, "name"),
					"ifname", json_object_get(m, "ifname"), "ips", json_object_get(m, "ips"));
		if (json_object_get(m, "cni"))
			json_object_set(one, "cni", json_object_get(m, "cni"));
		json_array_append_new(nets, one);
	}
	if (json_array_size(nets))
		json_object_set_new(o, "networks", nets);
	else
		json_decref(nets);
	if (is_run(name))
		json_object_set_new(o, "run", json_string(name));
	if (json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int nsnet_ns_list_all(json_t **ret, struct nsnet_error *e)
{
	json_t *all;
	int r = netns_scan(&all, e);
	if (r < 0)
		return nsnet_err_wrap(e, "ns list --all");
	struct known k = { 0 };
	known_load(&k);
	size_t i;
	json_t *ns;
	json_array_foreach(all, i, ns) {
		size_t j;
		json_t *name;
		json_t *what = json_object();
		json_array_foreach(json_object_get(ns, "names"), j, name) {
			json_t *one = nsnet_of(&k, json_string_value(name));
			if (one)
				json_object_update(what, one);
			json_decref(one);
		}
		json_object_set_new(ns, "nsnet", json_object_size(what) ? what : json_null());
		if (!json_object_size(what))
			json_decref(what);
	}
	json_decref(k.owners);
	json_decref(k.nets);
	*ret = all;
	return 0;
}
