/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the IPv4 and IPv6 addresses of one namespace, from RTM_GETADDR. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include "show/show.h"
#include "base/base.h"

int show_addr_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *addrs)
{
	struct rtnl_addr d;
	int r = rtnl_addr_decode(nlh, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	if (r == 0)
		return MNL_CB_OK;
	char a[INET6_ADDRSTRLEN], sb[16];
	inet_ntop(d.addr.family, d.addr.addr, a, sizeof(a));
	int family = d.addr.family;

	json_t *o = json_object();
	if (!o || show_set(o, "dev", show_str_or_null(show_links_name(l, d.index))) ||
	    show_set(o, "family", json_string(family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "address", json_string(a)) || show_set(o, "prefixlen", json_integer(d.addr.len)) ||
	    show_set(o, "scope", json_string(rtnl_scope_name(d.scope, sb, sizeof(sb)))) ||
	    show_set(o, "flags", rtnl_addr_flags(d.flags, family))) {
		json_decref(o);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (json_array_append_new(addrs, o) < 0) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

struct addr_dump {
	const struct show_links *l;
	json_t *addrs;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *d = data;
	return show_addr_parse(nlh, d->l, d->addrs);
}

static void addr_reset(void *data)
{
	json_array_clear(((struct addr_dump *)data)->addrs);
}

int show_addrs_dump(struct nl *nl, const struct show_links *l, json_t *addrs, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	struct addr_dump d = { l, addrs };
	if (nl_dump(nl, nlh, addr_cb, addr_reset, &d, e) < 0)
		return nsnet_err_wrap(e, "list addresses");
	return 0;
}
