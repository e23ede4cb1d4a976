/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Removing a lab's nodes, in two steps around the networks' removal: first they are
 * detached from the networks that stay, then (after the networks went) their
 * namespaces go. Both tolerate what is already gone.
 */
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

/* Detach nodes from network net (one batch, so their veths go with one RCU wait and
 * their addresses are freed). ns: room for every node. */
static int detach_from(json_t *net, struct nl *host, const struct lab_els *nodes, const char **ns,
		       struct nsnet_error *e)
{
	/* Reconcile first: a member whose veth a killed command already deleted
	 * must not make the detach of the others fail. */
	bool changed = false;
	if (net_reconcile(net, host, &changed, NULL) == 0 && changed)
		state_net_save(net, NULL);
	size_t k = 0;
	for (size_t j = 0; j < nodes->n; j++)
		if (net_member(net, nodes->v[j].name, NULL))
			ns[k++] = nodes->v[j].name;
	return k ? net_detach_locked(net, ns, k, e) : 0;
}

/* Every recorded network is reconciled and the nodes leave it, whether or not any
 * node goes; the first failure is said. */
int lab_nodes_detach(const struct lab_removal *c, const struct lab_els *nodes, struct nsnet_error *e)
{
	char **nets;
	size_t n;
	int r = state_net_names(&nets, &n, e), err = 0;
	if (r < 0)
		return r;
	const char **ns = calloc(nodes->n + 1, sizeof(*ns));
	_cleanup_nl_ struct nl *host = NULL;
	nl_open_fd(NS_SELF, &host, NULL);
	for (size_t i = 0; ns && host && i < n; i++) {
		json_t *net;
		char nk[128];
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
		if (!lab_keys_have(c->keys, lab_key(&lab_kind_net, nets[i], nk, sizeof(nk))) &&
		    (r = detach_from(net, host, nodes, ns, err ? NULL : e)) < 0)
			err = err ?: r;
		json_decref(net);
	}
	free(ns);
	nsnet_strv_free(nets, n);
	return err;
}

/* A lab's namespaces go with whatever runs in them, as a container's would. */
void lab_nodes_reap(const struct lab_removal *c, const struct lab_els *nodes)
{
	size_t k = 0;
	const char **names = calloc(nodes->n + 1, sizeof(*names));
	if (!names)
		return;
	for (size_t i = 0; i < nodes->n; i++)
		if (nsnet_ns_exists(nodes->v[i].name))
			names[k++] = nodes->v[i].name;
	netns_kill_all(names, k);
	netns_remove_many(names, k, NULL);
	free(names);
}
