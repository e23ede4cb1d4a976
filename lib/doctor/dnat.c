/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A packet that arrives for one of the host's own addresses on a port nsnet has
 * published does not end there: nsnet's prerouting DNAT sends it on to the
 * namespace that serves the port. The walk follows it (from the publish records, the
 * same ones nsnet's maps are built from), so a published port that answers is never
 * reported as "nothing listens in host". Anywhere else (or for a port nsnet did not
 * publish), the namespace's own nat prerouting rules are run through the evaluator:
 * a `dnat to ADDR[:PORT]` with a literal address is followed the same way.
 */
#include <netinet/in.h>
#include "doctor/doctor.h"
#include "state/state.h"
#include "base/base.h"

/* The publish record for the packet, if it arrives in the host for one. */
static json_t *published(struct dr_ctx *c, json_t *pubs)
{
	const char *proto = c->pkt.l4 == IPPROTO_TCP ? "tcp" : c->pkt.l4 == IPPROTO_UDP ? "udp" : NULL;
	char d[64];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		const char *hip = jstr(p, "host_ip");
		if (proto && streq_safe(jstr(p, "proto"), proto) &&
		    json_integer_value(json_object_get(p, "host_port")) == (json_int_t)c->pkt.port && (!hip || streq(hip, d)))
			return p;
	}
	return NULL;
}

/* Rewrite the packet toward to:port (port 0: unchanged), serving namespace ns_name
 * when known. */
static void rewrite(struct dr_ctx *c, const struct nsnet_prefix *to, unsigned port, const char *ns_name)
{
	snprintf(c->dnat_ns, sizeof(c->dnat_ns), "%s", ns_name ? ns_name : "");
	c->dst_ns = ns_name ? c->dnat_ns : NULL;
	c->pkt.dst = *to;
	c->pkt.dst.len = to->family == AF_INET ? 32 : 128;
	if (port)
		c->pkt.port = port;
	c->dnat_done = true;
	c->pkt.dnat = true;
}

/* A foreign rule: `dnat to ADDR[:PORT]` at ns's nat prerouting. */
static bool foreign_dnat(struct dr_ctx *c, struct dr_ns *ns, const char *iif)
{
	struct nft_result res;
	struct nsnet_prefix to;
	if (!dr_fw_dnat(c, ns, iif, &res))
		return false;
	char desc[700], d[64];
	dr_fw_describe(ns, &res, desc, sizeof(desc));
	dr_addr(&c->pkt.dst, d, sizeof(d));
	if (nsnet_addr_parse(res.nat_to, &to, NULL) < 0 || to.family != c->pkt.family) {
		dr_check(c, DR_WARN, "%s: %s is rewritten by %s, to an address doctor cannot tell (a map?)", ns->name, d, desc);
		return false;
	}
	char t[64], port[16] = "";
	if (res.nat_port)
		snprintf(port, sizeof(port), ":%u", res.nat_port);
	dr_check(c, DR_OK, "%s: destination NAT: %s becomes %s%s (%s)", ns->name, d, dr_addr(&to, t, sizeof(t)), port, desc);
	rewrite(c, &to, res.nat_port, NULL);
	return true;
}

bool dr_dnat(struct dr_ctx *c, struct dr_ns *ns, const char *iif)
{
	if (c->dnat_done)
		return false;
	if (!streq(ns->name, NSNET_HOST) || c->pkt.family != AF_INET || !c->pkt.port)
		return foreign_dnat(c, ns, iif);
	_cleanup_json_ json_t *pubs = NULL;
	if (publish_load_all(&pubs, NULL) < 0)
		return foreign_dnat(c, ns, iif);
	json_t *p = published(c, pubs);
	struct nsnet_prefix to;
	if (!p || nsnet_addr_parse(jstr(p, "ip"), &to, NULL) < 0)
		return foreign_dnat(c, ns, iif);
	char d[64], t[64];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&to, t, sizeof(t));
	unsigned port = (unsigned)json_integer_value(json_object_get(p, "port"));
	dr_check(c, DR_OK, "host: %s port %u of %s is published by nsnet: DNAT to %s:%u (%s on network %s)", jstr(p, "proto"),
		 c->pkt.port, d, t, port, jstr(p, "ns"), jstr(p, "net"));
	rewrite(c, &to, port, jstr(p, "ns"));
	return true;
}
