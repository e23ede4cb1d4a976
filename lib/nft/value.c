/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The packet's side of a match: what it has where a rule looks (its addresses,
 * protocol, port, the interfaces of the hook, its conntrack state), or that this is
 * not known (NFT_V_UNKNOWN), or that the packet has no such field at all (NFT_V_NONE).
 */
#include <netinet/in.h>
#include "nft/nft.h"
#include "base/base.h"

static const char *const ct_states[] = { "new", "established", "related", "invalid", "untracked", NULL };
/* An imagined packet's ct status: only whether it was DNATed is known. */
static const char *const ct_status_dnat[] = { "dnat", NULL };

static struct nft_val payload(const struct nft_pkt *pk, const json_t *pl)
{
	struct nft_val v = { .k = NFT_V_UNKNOWN };
	const char *proto = jstr(pl, "protocol"), *field = jstr(pl, "field");
	if (!proto || !field)
		return v;
	bool is_ip = streq(proto, "ip"), is_ip6 = streq(proto, "ip6");
	if (is_ip || is_ip6) {
		if ((is_ip && pk->family != AF_INET) || (is_ip6 && pk->family != AF_INET6))
			return (struct nft_val){ .k = NFT_V_NONE };
		if (streq(field, "saddr") || streq(field, "daddr")) {
			const struct nsnet_prefix *a = field[0] == 's' ? &pk->src : &pk->dst;
			if (!a->family)
				return v;
			v.k = NFT_V_ADDR;
			v.family = a->family;
			memcpy(v.addr, a->addr, 16);
		} else if ((streq(field, "protocol") || streq(field, "nexthdr")) && pk->l4) {
			v.k = NFT_V_NUM;
			v.num = pk->l4;
		}
		return v;
	}
	if (!pk->l4)
		return v;
	bool tcp = streq(proto, "tcp"), udp = streq(proto, "udp"), th = streq(proto, "th");
	if (tcp || udp || th) {
		bool has = (tcp && pk->l4 == IPPROTO_TCP) || (udp && pk->l4 == IPPROTO_UDP) ||
			   (th && (pk->l4 == IPPROTO_TCP || pk->l4 == IPPROTO_UDP));
		if (!has)
			return (struct nft_val){ .k = NFT_V_NONE };
		/* The client's port is ephemeral: unknown. */
		if (streq(field, pk->reply ? "sport" : "dport")) {
			v.k = NFT_V_NUM;
			v.num = pk->port;
		}
		return v;
	}
	if (streq(proto, "icmp") || streq(proto, "icmpv6")) {
		int want = proto[4] ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		if (pk->l4 != want)
			return (struct nft_val){ .k = NFT_V_NONE };
		if (streq(field, "type")) {
			v.k = NFT_V_NUM;
			/* the probe is an echo request, its reply an echo reply */
			v.num = want == IPPROTO_ICMP ? (pk->reply ? 0 : 8) : (pk->reply ? 129 : 128);
			v.family = pk->family;
		}
		return v;
	}
	return v;
}

static struct nft_val iface(const struct nft_pkt *pk, const char *key)
{
	const char *name = key[0] == 'i' ? pk->iif : pk->oif;
	bool glob = key[3] == 'n';
	if (name)
		return (struct nft_val){ .k = NFT_V_STR, .str = name, .glob = glob };
	if (pk->others)
		return (struct nft_val){ .k = NFT_V_STR, .cands = pk->others, .n_cands = pk->n_others, .glob = glob };
	return (struct nft_val){ .k = NFT_V_NONE };
}

struct nft_val nft_left_value(const struct nft_eval *ev, const json_t *left)
{
	const struct nft_pkt *pk = ev->p;
	struct nft_val v = { .k = NFT_V_UNKNOWN };
	const json_t *pl = json_object_get(left, "payload"), *meta = json_object_get(left, "meta"),
		     *ct = json_object_get(left, "ct");
	if (pl)
		return payload(pk, pl);
	if (meta) {
		const char *key = jstr(meta, "key");
		if (!key)
			return v;
		if (streq(key, "iifname") || streq(key, "oifname") || streq(key, "iif") || streq(key, "oif"))
			return iface(pk, key);
		if (streq(key, "l4proto") && pk->l4)
			return (struct nft_val){ .k = NFT_V_NUM, .num = pk->l4 };
		if (streq(key, "nfproto"))
			return (struct nft_val){ .k = NFT_V_NUM, .num = pk->family };
		if (streq(key, "protocol"))
			return (struct nft_val){ .k = NFT_V_STR, .str = pk->family == AF_INET ? "ip" : "ip6" };
		if (streq(key, "mark") && pk->probe)
			return (struct nft_val){ .k = NFT_V_NUM, .num = 0 };
		return v;
	}
	if (ct) {
		const char *key = jstr(ct, "key");
		if (key && streq(key, "state"))
			return (struct nft_val){ .k = NFT_V_STR, .str = pk->established ? "established" : "new",
						 .known = ct_states };
		if (key && streq(key, "status"))   /* a probe: no dnat, snat, ...: nothing was done to it yet */
			return (struct nft_val){ .k = NFT_V_STR, .str = pk->dnat ? "dnat" : "",
						 .known = pk->probe ? NULL : ct_status_dnat };
		if (key && streq(key, "direction") && pk->probe)
			return (struct nft_val){ .k = NFT_V_STR, .str = "original" };
		if (key && streq(key, "mark") && pk->probe)
			return (struct nft_val){ .k = NFT_V_NUM, .num = 0 };
	}
	return v;
}
