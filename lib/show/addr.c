/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the IPv4 and IPv6 addresses of one namespace, from RTM_GETADDR. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include "show/show.h"
#include "base/base.h"

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* An address attribute as text, or NULL when its length does not fit the family. */
static const char *addr_str(int family, const struct nlattr *a, char *buf, size_t len)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	if (!a || !want || mnl_attr_get_payload_len(a) != want)
		return NULL;
	return inet_ntop(family, mnl_attr_get_payload(a), buf, len);
}

int show_addr_parse(const struct nlmsghdr *nlh, const struct show_links *l, json_t *addrs)
{
	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifaddrmsg))
		return MNL_CB_OK;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	char ab[INET6_ADDRSTRLEN], sb[16];
	/* On point-to-point links IFA_ADDRESS is the far end; IFA_LOCAL is ours. */
	const char *a = addr_str(ifa->ifa_family, tb[IFA_LOCAL], ab, sizeof(ab));
	if (!a)
		a = addr_str(ifa->ifa_family, tb[IFA_ADDRESS], ab, sizeof(ab));
	if (!a)
		return MNL_CB_OK;
	uint32_t flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS] && mnl_attr_validate(tb[IFA_FLAGS], MNL_TYPE_U32) >= 0)
		flags = mnl_attr_get_u32(tb[IFA_FLAGS]);

	json_t *o = json_object();
	if (!o || show_set(o, "dev", show_str_or_null(show_links_name(l, (int)ifa->ifa_index))) ||
	    show_set(o, "family", json_string(ifa->ifa_family == AF_INET ? "inet" : "inet6")) ||
	    show_set(o, "address", json_string(a)) || show_set(o, "prefixlen", json_integer(ifa->ifa_prefixlen)) ||
	    show_set(o, "scope", json_string(show_scope_name(ifa->ifa_scope, sb, sizeof(sb)))) ||
	    show_set(o, "flags", show_addr_flags(flags, ifa->ifa_family))) {
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
