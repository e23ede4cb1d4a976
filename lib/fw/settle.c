/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Settling what is derived from state after a killed command: the state files
 * (networks, publishes) are the truth, and from them follow the publish counts in
 * fw.json, route_localnet on bridges with a publish, hairpin mode on ports of
 * namespaces with a publish, nsnet's nftables elements and the host's forwarding.
 * Counts are recomputed rather than adjusted, so a count a killed command bumped
 * (or did not) cannot drift; elements are compared one by one (fw_diff.c).
 */
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

/* {"NET": {"NS": count}} from the publish files of existing networks. */
static int recount(json_t **ret, struct nsnet_error *e)
{
	json_t *pubs;
	int r = publish_load_all(&pubs, e);
	if (r < 0)
		return r;
	json_t *out = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		json_t *per = json_object_get(out, jstr0(p, "net"));
		if (!per)
			json_object_set_new(out, jstr0(p, "net"), per = json_object());
		json_int_t v = json_integer_value(json_object_get(per, jstr0(p, "ns")));
		json_object_set_new(per, jstr0(p, "ns"), json_integer(v + 1));
	}
	json_decref(pubs);
	*ret = out;
	return 0;
}

/* route_localnet and hairpin as the counts say, for every network and namespace
 * that has or had a publish. */
static int host_settings(json_t *was, json_t *now, struct nsnet_error *e)
{
	json_t *nets = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(was, k, v) json_object_set_new(nets, k, json_true());
	json_object_foreach(now, k, v) json_object_set_new(nets, k, json_true());
	int r = 0;
	json_object_foreach(nets, k, v) {
		json_t *net;
		if (state_net_load(k, &net, NULL) < 0)
			continue;  /* its bridge is gone with it */
		json_t *per_now = json_object_get(now, k), *per_was = json_object_get(was, k);
		int r2 = fw_localnet_set(jstr0(net, "bridge"), json_object_size(per_now) > 0, r < 0 ? NULL : e);
		if (r2 != -ENOENT)  /* a bridge deleted by hand: the network's own problem */
			r = r < 0 ? r : r2;
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(net, "members"), i, m) {
			const char *ns = jstr0(m, "ns");
			bool on = json_object_get(per_now, ns) != NULL;
			if (!on && !json_object_get(per_was, ns))
				continue;
			r2 = fw_hairpin_set(jstr0(m, "host_ifname"), on, r < 0 ? NULL : e);
			if (r2 != -ENODEV)
				r = r < 0 ? r : r2;
		}
		json_decref(net);
	}
	json_decref(nets);
	return r;
}

int fw_settle(bool *ret_rebuilt, struct nsnet_error *e)
{
	json_t *st = NULL, *now = NULL;
	int r = publish_drop_stale(e);
	if (r < 0 || (r = fw_state_load(&st, e)) < 0 || (r = recount(&now, e)) < 0)
		goto out;
	/* Held across the replacement of "published" below. */
	json_t *was = json_object_get(st, "published");
	was = was ? json_incref(was) : json_object();
	r = host_settings(was, now, e);
	json_decref(was);
	json_object_set(st, "published", now);
	if (r == 0)
		r = fw_converge(ret_rebuilt, e);
	if (r == 0)
		r = fw_forwarding_sync(st, NULL, e);
	if (r == 0)
		r = fw_state_save(st, e);
out:
	json_decref(now);
	json_decref(st);
	return r < 0 ? nsnet_err_wrap(e, "settle the firewall with state") : 0;
}
