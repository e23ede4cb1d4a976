/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A packet that arrives for one of the host's own addresses on a port nsnet has
 * published does not end there: nsnet's prerouting DNAT sends it on to the
 * namespace that serves the port. The walk follows it (from the publish records, the
 * same ones nsnet's maps are built from), so a published port that answers is never
 * reported as "nothing listens in host". Foreign DNAT rules are not followed yet.
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

bool dr_dnat(struct dr_ctx *c, struct dr_ns *ns)
{
	if (!streq(ns->name, NSNET_HOST) || c->pkt.family != AF_INET || c->dnat_done || !c->pkt.port)
		return false;
	_cleanup_json_ json_t *pubs = NULL;
	if (publish_load_all(&pubs, NULL) < 0)
		return false;
	json_t *p = published(c, pubs);
	struct nsnet_prefix to;
	if (!p || nsnet_addr_parse(jstr(p, "ip"), &to, NULL) < 0)
		return false;
	char d[64], t[64];
	dr_addr(&c->pkt.dst, d, sizeof(d));
	dr_addr(&to, t, sizeof(t));
	unsigned port = (unsigned)json_integer_value(json_object_get(p, "port"));
	dr_check(c, DR_OK, "host: %s port %u of %s is published by nsnet: DNAT to %s:%u (%s on network %s)", jstr(p, "proto"),
		 c->pkt.port, d, t, port, jstr(p, "ns"), jstr(p, "net"));
	snprintf(c->dnat_ns, sizeof(c->dnat_ns), "%s", jstr(p, "ns"));
	c->dst_ns = c->dnat_ns;
	c->pkt.dst = to;
	c->pkt.dst.len = 32;
	c->pkt.port = port;
	c->dnat_done = true;
	c->pkt.dnat = true;
	return true;
}
