/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Outside -> inside through NAT: DST is a private address of a network the host
 * masquerades, and SRC is on none of nsnet's networks. No route SRC could add gets
 * it in (nsnet's table drops what arrives from outside for such a network, and the
 * outside world is not meant to know the private subnet): the way in is a published
 * port on the host, as `docker run -p` does. Said before the route checks, whose
 * "add a route" would lead the user the wrong way.
 */
#include <netinet/in.h>
#include "doctor/doctor.h"
#include "base/base.h"

static bool member_holds(json_t *m, const void *a)
{
	size_t i;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), i, ip) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(json_string_value(ip), true, &p, NULL) == 0 && nsnet_addr_equal(&p, a))
			return true;
	}
	return false;
}

/* The host's address SRC reaches on-link (its end of a veth to the host), or none. */
static bool host_address(struct dr_ctx *c, struct dr_ns *ns, char *buf, size_t len)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		json_t *peer = json_object_get(it, "peer");
		struct nsnet_prefix mine, far;
		size_t k = 0;
		if (!streq_safe(jstr(peer, "namespace"), NSNET_HOST) || !jstr(it, "name") ||
		    !dr_next_addr(ns, jstr(it, "name"), c->pkt.family, &k, &mine) ||
		    !dr_far_side(c, ns, jstr(it, "name"), &mine, &far))
			continue;
		dr_addr(&far, buf, len);
		return true;
	}
	return false;
}

int dr_nat_inbound(struct dr_ctx *c, struct dr_ns *ns)
{
	const char *netname = NULL;
	json_t *m = NULL;
	if (c->probe == 1 || streq(ns->name, NSNET_HOST) || dr_net_of_member(c, ns->name, NULL))
		return 0;
	json_t *net = dr_net_of_addr(c, &c->pkt.dst, &netname);
	if (!net || !json_is_true(json_object_get(net, "nat")))
		return 0;
	dr_net_find(c, "members", member_holds, &c->pkt.dst, NULL, &m);
	const char *owner = m ? jstr(m, "ns") : NULL;
	char d[64], h[64] = "", fix[1536] = "";
	dr_addr(&c->pkt.dst, d, sizeof(d));
	bool has_host = host_address(c, ns, h, sizeof(h));
	dr_check(c, DR_FAIL, "%s is %s%s%s in network %s, which the host masquerades (NAT); %s is outside it", d,
		 owner ? owner : "an address", owner ? "'s address" : "", "", netname, ns->name);
	bool l4 = c->pkt.l4 == IPPROTO_TCP || c->pkt.l4 == IPPROTO_UDP;
	if (l4 && owner)
		snprintf(fix, sizeof(fix), "nsnet publish %u %s:%u%s", c->pkt.port, owner, c->pkt.port,
			 c->pkt.l4 == IPPROTO_UDP ? " --proto udp" : "");
	dr_cause(c, fix[0] ? fix : NULL,
		 "%s is a private address behind the host's NAT: from outside, nothing reaches network %s but a published "
		 "port%s%s%s%s",
		 d, netname, l4 ? "; publish it, then connect to the host" : " (nsnet publish HOST_PORT NS:PORT, for TCP or UDP)",
		 l4 && has_host ? " (" : "", l4 && has_host ? h : "", l4 && has_host ? ")" : "");
	return -1;
}
