/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `nsnet show`: the interfaces of one namespace, from an RTM_GETLINK dump. */
#include <net/if.h>

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
	struct rtnl_link d;
	int r = rtnl_link_decode(nlh, &d);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	if (r == 0 || !d.name[0])
		return MNL_CB_OK;

	struct show_link k = { .index = d.index, .master = d.master, .link = d.link, .link_nsid = d.link_netnsid };
	snprintf(k.name, sizeof(k.name), "%s", d.name);
	/* The kind as `ip -d link` names it: IFLA_INFO_KIND when the driver reports one. */
	const char *kind = d.kind[0] ? d.kind : rtnl_kind_from_type(d.type);
	k.veth = streq(kind, "veth");
	char mac[64];
	const char *macs = rtnl_lladdr_str(d.mac, d.mac_len, mac, sizeof(mac));

	/* master and peer are filled in once every interface is known; their keys are
	 * set now so the order of keys is the same in every object. */
	k.obj = json_object();
	if (!k.obj || show_set(k.obj, "name", json_string(k.name)) || show_set(k.obj, "index", json_integer(k.index)) ||
	    show_set(k.obj, "kind", json_string(kind)) ||
	    show_set(k.obj, "operstate", json_string(rtnl_operstate_name(d.operstate))) ||
	    show_set(k.obj, "admin_up", json_boolean(d.flags & IFF_UP)) ||
	    show_set(k.obj, "lower_up", json_boolean(d.flags & IFF_LOWER_UP)) ||
	    show_set(k.obj, "arp", json_boolean(!(d.flags & IFF_NOARP))) ||
	    show_set(k.obj, "mtu", json_integer(d.mtu)) || show_set(k.obj, "mac", show_str_or_null(macs)) ||
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
	int r = rtnl_dump_links(nl, link_cb, link_reset, l, e);
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
