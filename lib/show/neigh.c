/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the neighbour tables (ARP for IPv4, NDP for IPv6) of one namespace,
 * what the tutorials read with `arp` or `ip neigh`, from an RTM_GETNEIGH dump. */
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include "show/show.h"
#include "base/base.h"

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, NDA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

int show_neigh_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *neighs)
{
	if (nlh->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ndmsg))
		return MNL_CB_OK;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	size_t alen = ndm->ndm_family == AF_INET ? 4 : ndm->ndm_family == AF_INET6 ? 16 : 0;
	/* As `ip neigh` and `arp`: NOARP entries are the fixed multicast mappings and
	 * NONE ones are being torn down; neither is something the table learnt. */
	if (!alen || !(ndm->ndm_state & (0xff & ~NUD_NOARP)))
		return MNL_CB_OK;
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (!tb[NDA_DST] || mnl_attr_get_payload_len(tb[NDA_DST]) != alen)
		return MNL_CB_OK;
	char ab[INET6_ADDRSTRLEN], lb[64], sb[96];
	const char *addr = inet_ntop(ndm->ndm_family, mnl_attr_get_payload(tb[NDA_DST]), ab, sizeof(ab));
	/* No lladdr while the entry is INCOMPLETE or FAILED: that is the interesting case. */
	const char *ll = NULL;
	if (tb[NDA_LLADDR])
		ll = show_lladdr_str(mnl_attr_get_payload(tb[NDA_LLADDR]), mnl_attr_get_payload_len(tb[NDA_LLADDR]), lb,
				     sizeof(lb));

	json_t *o = json_object();
	if (!o || show_set(o, "family", json_string(ndm->ndm_family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "address", json_string(addr)) || show_set(o, "lladdr", show_str_or_null(ll)) ||
	    show_set(o, "dev", show_str_or_null(show_links_name(l, ndm->ndm_ifindex))) ||
	    show_set(o, "state", json_string(show_neigh_state(ndm->ndm_state, sb, sizeof(sb)))) ||
	    show_set(o, "router", json_boolean(ndm->ndm_flags & NTF_ROUTER))) {
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
