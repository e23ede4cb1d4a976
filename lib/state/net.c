/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network's record: its subnets, its members, the address pool they make. */
#include "state/state.h"
#include "base/base.h"

json_t *net_subnet(json_t *net, int family)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(net, "subnets"), i, s) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(json_string_value(json_object_get(s, "cidr")), true, &p, NULL) == 0 &&
		    p.family == family)
			return s;
	}
	return NULL;
}

json_t *net_member(json_t *net, const char *ns, size_t *ret_idx)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		const char *n = json_string_value(json_object_get(m, "ns"));
		if (n && streq(n, ns)) {
			if (ret_idx)
				*ret_idx = i;
			return m;
		}
	}
	return NULL;
}

int net_ipam(json_t *net, json_t *subnet, struct ipam *ret, struct nsnet_error *e)
{
	struct nsnet_prefix p, gw;
	const char *cidr = json_string_value(json_object_get(subnet, "cidr"));
	int r = nsnet_prefix_parse(cidr, true, &p, e);
	if (r < 0)
		return r;
	ipam_init(ret, &p, (uint64_t)json_integer_value(json_object_get(subnet, "next")));
	json_t *range = json_object_get(subnet, "range");
	struct nsnet_prefix a, b;
	if (nsnet_addr_parse(json_string_value(json_array_get(range, 0)), &a, NULL) == 0 &&
	    nsnet_addr_parse(json_string_value(json_array_get(range, 1)), &b, NULL) == 0)
		ipam_restrict(ret, nsnet_prefix_index(&p, &a), nsnet_prefix_index(&p, &b));
	if (nsnet_addr_parse(json_string_value(json_object_get(subnet, "gateway")), &gw, NULL) == 0)
		ipam_mark(ret, &gw);
	size_t i, j;
	json_t *m, *ip;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		json_array_foreach(json_object_get(m, "ips"), j, ip) {
			struct nsnet_prefix a;
			if (nsnet_prefix_parse(json_string_value(ip), true, &a, NULL) == 0 && a.family == p.family &&
			    ipam_mark(ret, &a) == -ENOMEM) {
				ipam_done(ret);
				return nsnet_err(e, ENOMEM, "address pool of %s", cidr);
			}
		}
	}
	return 0;
}
