/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the interfaces of one namespace, from an RTM_GETLINK dump. */
#include <net/if.h>
#include <linux/if_link.h>

/* <linux/if.h> has it but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#include "show/show.h"
#include "base/base.h"

void show_links_clear(struct show_links *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_decref(l->v[i].obj);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_index(const void *a, const void *b)
{
	const struct show_link *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

void show_links_sort(struct show_links *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_index);
}

const struct show_link *show_links_find(const struct show_links *l, int index)
{
	struct show_link key = { .index = index };
	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_index) : NULL;
}

const char *show_links_name(const struct show_links *l, int index)
{
	const struct show_link *k = show_links_find(l, index);
	return k ? k->name : NULL;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFLA_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int info_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFLA_INFO_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static bool valid(const struct nlattr *a, enum mnl_attr_data_type t)
{
	return a && mnl_attr_validate(a, t) >= 0;
}

/* The kind as `ip -d link` names it: IFLA_INFO_KIND when the driver reports one. */
static const char *link_kind(const struct nlattr *linkinfo, unsigned short type)
{
	if (linkinfo) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = { 0 };
		if (mnl_attr_parse_nested(linkinfo, info_cb, info) >= 0 && valid(info[IFLA_INFO_KIND], MNL_TYPE_STRING))
			return mnl_attr_get_str(info[IFLA_INFO_KIND]);
	}
	return show_kind_from_type(type);
}

static int add_link(struct show_links *l, struct show_link *k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct show_link *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *k;
	return 0;
}

int show_link_parse(const struct nlmsghdr *nlh, struct show_links *l)
{
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (!valid(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING))
		return MNL_CB_OK;

	struct show_link k = { .index = ifi->ifi_index, .link_nsid = -1 };
	snprintf(k.name, sizeof(k.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	const char *kind = link_kind(tb[IFLA_LINKINFO], ifi->ifi_type);
	k.veth = streq(kind, "veth");
	if (valid(tb[IFLA_MASTER], MNL_TYPE_U32))
		k.master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (valid(tb[IFLA_LINK], MNL_TYPE_U32))
		k.link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (valid(tb[IFLA_LINK_NETNSID], MNL_TYPE_U32))
		k.link_nsid = (int32_t)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	unsigned oper = valid(tb[IFLA_OPERSTATE], MNL_TYPE_U8) ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : 0;
	unsigned mtu = valid(tb[IFLA_MTU], MNL_TYPE_U32) ? mnl_attr_get_u32(tb[IFLA_MTU]) : 0;
	char mac[64];
	const char *macs = NULL;
	if (tb[IFLA_ADDRESS])
		macs = show_lladdr_str(mnl_attr_get_payload(tb[IFLA_ADDRESS]), mnl_attr_get_payload_len(tb[IFLA_ADDRESS]),
				       mac, sizeof(mac));

	/* master and peer are filled in once every interface is known; their keys are
	 * set now so the order of keys is the same in every object. */
	k.obj = json_object();
	if (!k.obj || show_set(k.obj, "name", json_string(k.name)) || show_set(k.obj, "index", json_integer(k.index)) ||
	    show_set(k.obj, "kind", json_string(kind)) ||
	    show_set(k.obj, "operstate", json_string(show_operstate_name(oper))) ||
	    show_set(k.obj, "admin_up", json_boolean(ifi->ifi_flags & IFF_UP)) ||
	    show_set(k.obj, "lower_up", json_boolean(ifi->ifi_flags & IFF_LOWER_UP)) ||
	    show_set(k.obj, "mtu", json_integer(mtu)) || show_set(k.obj, "mac", show_str_or_null(macs)) ||
	    show_set(k.obj, "master", json_null()) || show_set(k.obj, "peer", json_null()) || add_link(l, &k) < 0) {
		json_decref(k.obj);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return show_link_parse(nlh, data);
}

static void link_reset(void *data)
{
	show_links_clear(data);
}

int show_links_dump(struct nl *nl, struct show_links *l, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Statistics are most of a link message and nobody here reads them. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	int r = nl_dump(nl, nlh, link_cb, link_reset, l, e);
	if (r < 0)
		return nsnet_err_wrap(e, "list interfaces");
	show_links_sort(l);
	for (size_t i = 0; i < l->n; i++) {
		struct show_link *k = &l->v[i];
		if (k->master && show_set(k->obj, "master", show_str_or_null(show_links_name(l, k->master))))
			return nsnet_err(e, ENOMEM, "list interfaces");
	}
	return 0;
}
