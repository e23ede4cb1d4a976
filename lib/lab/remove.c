/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Removing lab elements: used by `down`, by reconciliation, by rollback and by `gc`.
 * Every step tolerates objects that are already gone, so it can finish a removal
 * that a crash interrupted, or undo an `up` that was killed at any moment.
 */
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

static void remove_link(json_t *l)
{
	json_t *nodes = json_object_get(l, "nodes"), *ifs = json_object_get(l, "ifnames");
	/* Deleting one end removes the pair; try the other if the first is gone. */
	for (int i = 0; i < 2; i++) {
		const char *ns = json_string_value(json_array_get(nodes, i));
		if (nsnet_ns_exists(ns) && nsnet_link_del(ns, json_string_value(json_array_get(ifs, i)), NULL) == 0)
			return;
	}
}

/* Detach the nodes being removed from each network, one batch per network, so
 * their veths go with one RCU wait per network and their addresses are freed. */
static int detach_nodes(json_t *specs, json_t *keys, struct nsnet_error *e)
{
	char **nets;
	size_t n;
	int r = state_net_names(&nets, &n, e), err = 0;
	if (r < 0)
		return r;
	const char **ns = calloc(json_array_size(keys) + 1, sizeof(*ns));
	_cleanup_nl_ struct nl *host = NULL;
	nl_open_fd(NS_SELF, &host, NULL);
	for (size_t i = 0; ns && host && i < n; i++) {
		json_t *net;
		/* A file that can't be read may hold members being removed: say so (gc
		 * sets it aside and cleans up from the kernel's side). */
		if ((r = state_net_load(nets[i], &net, err ? NULL : e)) < 0) {
			err = err ?: r;
			continue;
		}
		/* A network that goes too needs no detach: its members' veths die with
		 * their namespaces (asynchronously, as with `ip netns del`; an `up` right
		 * after waits for names still being destroyed), and its state and
		 * firewall elements go with the network. */
		char nk[128];
		snprintf(nk, sizeof(nk), "net:%s", nets[i]);
		bool net_goes = false;
		size_t j;
		json_t *key;
		json_array_foreach(keys, j, key) net_goes |= streq(json_string_value(key), nk);
		if (net_goes) {
			json_decref(net);
			continue;
		}
		/* Reconcile first: a member whose veth a killed command already deleted
		 * must not make the detach of the others fail. */
		bool changed = false;
		if (net_reconcile(net, host, &changed, NULL) == 0 && changed)
			state_net_save(net, NULL);
		size_t k = 0;
		json_array_foreach(keys, j, key) {
			const char *name = json_string_value(key);
			if (strncmp(name, "node:", 5) == 0 && net_member(net, name + 5, NULL))
				ns[k++] = name + 5;
		}
		if (k && (r = net_detach_locked(net, ns, k, err ? NULL : e)) < 0)
			err = err ?: r;
		json_decref(net);
	}
	free(ns);
	nsnet_strv_free(nets, n);
	(void)specs;
	return err;
}

static void remove_nodes(json_t *keys)
{
	size_t i, k = 0;
	json_t *key;
	const char **names = calloc(json_array_size(keys) + 1, sizeof(*names));
	if (!names)
		return;
	json_array_foreach(keys, i, key) {
		const char *name = json_string_value(key);
		if (strncmp(name, "node:", 5) == 0 && nsnet_ns_exists(name + 5))
			names[k++] = name + 5;
	}
	/* A lab's namespaces go with whatever runs in them, as a container's would. */
	netns_kill_all(names, k);
	for (size_t j = 0; j < k; j++)
		netns_remove(names[j], NULL);
	free(names);
}

static int remove_net(const char *name, json_t *spec, json_t *dying, struct nsnet_error *e)
{
	struct nsnet_error tmp = { 0 };
	int r = net_rm_locked_ex(name, true, dying, &tmp);
	if (r == -ENOENT)
		r = 0;  /* never recorded, or removed already */
	else if (r < 0 && e)
		*e = tmp;
	/* A crash between making the bridge and recording the network leaves a bridge
	 * that only the lab's journal knows about. */
	const char *br = jstr(spec, "bridge");
	_cleanup_nl_ struct nl *host = NULL;
	if (br && nl_open_fd(NS_SELF, &host, NULL) == 0 && link_index(host, br) > 0)
		host_links_delete(host, &br, 1, NULL);
	return r;
}

int lab_remove_elements(const char *lab, json_t *specs, json_t *keys, struct nsnet_error *e)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		if (strncmp(key, "link:", 5) == 0 && json_object_get(specs, key))
			remove_link(json_object_get(specs, key));
	}
	/* Every step is tried whatever failed before it; the first failure is said. */
	int err = detach_nodes(specs, keys, e), r;
	/* Networks before namespaces: deleting a bridge is quick while no namespace
	 * destruction holds RTNL, and a network's members among the nodes being
	 * removed need no detach (their veths go with their namespaces). */
	json_t *dying = json_object();
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		if (strncmp(key, "node:", 5) == 0)
			json_object_set_new(dying, key + 5, json_true());
	}
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		if (strncmp(key, "net:", 4) == 0 &&
		    (r = remove_net(key + 4, json_object_get(specs, key), dying, err ? NULL : e)) < 0)
			err = err ?: r;
	}
	json_decref(dying);
	remove_nodes(keys);
	(void)lab;
	return err;
}
