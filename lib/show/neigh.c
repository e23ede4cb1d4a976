/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the neighbour tables (ARP for IPv4, NDP for IPv6) of one namespace,
 * what the tutorials read with `arp` or `ip neigh`, from an RTM_GETNEIGH dump. */
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include "show/show.h"
#include "base/base.h"

int show_neigh_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *neighs)
{
	struct rtnl_neigh d;
	int r = rtnl_neigh_decode(nlh, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	/* As `ip neigh` and `arp`: NOARP entries are the fixed multicast mappings and
	 * NONE ones are being torn down; neither is something the table learnt. */
	if (r == 0 || !(d.state & (0xff & ~NUD_NOARP)))
		return MNL_CB_OK;
	int family = d.dst.family;
	char addr[INET6_ADDRSTRLEN], lb[64], sb[96];
	inet_ntop(family, d.dst.addr, addr, sizeof(addr));
	/* No lladdr while the entry is INCOMPLETE or FAILED: that is the interesting case. */
	const char *ll = rtnl_lladdr_str(d.lladdr, d.lladdr_len, lb, sizeof(lb));

	json_t *o = json_object();
	if (!o || show_set(o, "family", json_string(family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "address", json_string(addr)) || show_set(o, "lladdr", show_str_or_null(ll)) ||
	    show_set(o, "dev", show_str_or_null(show_links_name(l, d.index))) ||
	    show_set(o, "state", json_string(rtnl_neigh_state(d.state, sb, sizeof(sb)))) ||
	    show_set(o, "router", json_boolean(d.flags & NTF_ROUTER))) {
		json_decref(o);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (json_array_append_new(neighs, o) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

struct neigh_dump {
	const struct show_links *l;
	json_t *neighs;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *d = data;
	return show_neigh_parse(nlh, d->l, d->neighs);
}

static void neigh_reset(void *data)
{
	json_array_clear(((struct neigh_dump *)data)->neighs);
}

int show_neighs_dump(struct nl *nl, const struct show_links *l, json_t *neighs, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_UNSPEC;   /* every table: ARP and NDP */
	struct neigh_dump d = { l, neighs };
	if (nl_dump(nl, nlh, neigh_cb, neigh_reset, &d, e) < 0)
		return nsnet_err_wrap(e, "list neighbours");
	return 0;
}
