/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Impairments of what an interface sends: "impair: {rate: 10mbit, loss: 1%}".
 * rate is a TBF qdisc and loss an nftables drop rule, both available on every
 * kernel nsnet runs on; delay, jitter, duplicate and corrupt need the netem qdisc,
 * and are refused here, before anything changes, with the reason.
 */
#include "topology/topology.h"
#include "link/link.h"
#include "base/base.h"

static const char *const impair_keys[] = { "rate", "loss", "delay", "jitter", "duplicate", "corrupt", NULL };

static int netem_only(struct tp *c, const struct tp_kv *kv, const char *key)
{
	int have = link_qdisc_available("netem");
	if (have == 0)
		return tp_err(c, tp_kv_pos(kv), "impair: %s needs the netem qdisc (sch_netem), which this kernel does not have",
			      key);
	if (have < 0)
		return tp_err(c, tp_kv_pos(kv),
			      "impair: %s needs the netem qdisc (sch_netem), and nsnet could not ask the kernel whether it has it (%s)",
			      key, strerror(-have));
	return tp_err(c, tp_kv_pos(kv), "impair: %s is not implemented yet (nsnet sets rate and loss only)", key);
}

int tp_parse_impair(struct tp *c, const yaml_node_t *n, struct topo_impair *ret)
{
	int r = tp_map(c, n, "impair", impair_keys);
	if (r < 0)
		return r;
	*ret = (struct topo_impair){ .set = true, .pos = tp_pos(n) };
	struct nsnet_error inner = { 0 };
	const char *s;
	struct tp_kv kv = tp_get(c, n, "rate");
	if (kv.v) {
		if ((r = tp_str(c, &kv, "rate", &s)) < 0)
			return r;
		if (rate_parse(s, &ret->rate, &inner) < 0)
			return tp_err(c, tp_kv_pos(&kv), "impair: %s", inner.msg);
	}
	kv = tp_get(c, n, "loss");
	if (kv.v) {
		if ((r = tp_str(c, &kv, "loss", &s)) < 0)
			return r;
		if (loss_parse(s, &ret->loss, &inner) < 0)
			return tp_err(c, tp_kv_pos(&kv), "impair: %s", inner.msg);
	}
	for (size_t i = 2; impair_keys[i]; i++) {
		kv = tp_get(c, n, impair_keys[i]);
		if (kv.v)
			return netem_only(c, &kv, impair_keys[i]);
	}
	return 0;
}
