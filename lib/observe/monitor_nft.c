/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nftables events: the kernel tells every NFNLGRP_NFTABLES listener of each table,
 * chain, rule, set, element, object and flowtable added or deleted, in every table.
 * Only those of nsnet's own table are reported; that is read straight from the
 * message's attributes with libmnl (the table's name is attribute 1 of each kind),
 * without libnftnl.
 */
#include <endian.h>
/* nsnet.h (through observe.h) brings netinet/in.h, which must come before linux/in.h. */
#include "observe/observe.h"
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "nft/nft.h"
#include "base/base.h"

struct nft_kind {
	uint16_t new, del;
	const char *kind;     /* as nft names it: "add rule inet nsnet ..." */
	uint16_t table_attr;  /* NFTA_*_TABLE: the table's name */
	uint16_t name_attr;   /* the object's own name (0: none) */
	uint16_t max;
};

static const struct nft_kind kinds[] = {
	{ NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, "table", NFTA_TABLE_NAME, 0, NFTA_TABLE_MAX },
	{ NFT_MSG_NEWCHAIN, NFT_MSG_DELCHAIN, "chain", NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME, NFTA_CHAIN_MAX },
	{ NFT_MSG_NEWRULE, NFT_MSG_DELRULE, "rule", NFTA_RULE_TABLE, NFTA_RULE_CHAIN, NFTA_RULE_MAX },
	{ NFT_MSG_NEWSET, NFT_MSG_DELSET, "set", NFTA_SET_TABLE, NFTA_SET_NAME, NFTA_SET_MAX },
	{ NFT_MSG_NEWSETELEM, NFT_MSG_DELSETELEM, "element", NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET,
	  NFTA_SET_ELEM_LIST_MAX },
	{ NFT_MSG_NEWOBJ, NFT_MSG_DELOBJ, "object", NFTA_OBJ_TABLE, NFTA_OBJ_NAME, NFTA_OBJ_MAX },
	{ NFT_MSG_NEWFLOWTABLE, NFT_MSG_DELFLOWTABLE, "flowtable", NFTA_FLOWTABLE_TABLE, NFTA_FLOWTABLE_NAME,
	  NFTA_FLOWTABLE_MAX },
};

/* The largest NFTA_*_MAX above, for one attribute table that fits them all. */
#define NFT_ATTR_MAX 32

struct attrs {
	const struct nlattr **tb;
	uint16_t max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

/* A string attribute, or NULL when absent or not NUL-terminated. */
static const char *str_attr(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(a) : NULL;
}

/* The elements of an element message (each notification usually carries one). */
static int count_elements(const struct nlattr *list)
{
	int n = 0;
	const struct nlattr *a;
	if (list)
		mnl_attr_for_each_nested(a, list) n++;
	return n;
}

int mon_nft_event(const struct nlmsghdr *nlh, struct mon_event *ret)
{
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return 0;
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const struct nft_kind *k = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (type == kinds[i].new || type == kinds[i].del)
			k = &kinds[i];
	/* NEWGEN closes each transaction; the others are requests, not news. */
	if (!k)
		return 0;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NFT_ATTR_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, &(struct attrs){ tb, k->max < NFT_ATTR_MAX ? k->max : NFT_ATTR_MAX }) < 0)
		return 0;
	const char *table = str_attr(tb[k->table_attr]);
	if (g->nfgen_family != NFPROTO_INET || !table || !streq(table, FW_TABLE))
		return 0;

	json_t *f = json_pack("{s:s, s:s, s:s}", "kind", k->kind, "family", FW_FAMILY, "table", table);
	if (!f)
		return -ENOMEM;
	int r = 0;
	const char *name = k->name_attr ? str_attr(tb[k->name_attr]) : NULL;
	if (type == NFT_MSG_NEWRULE || type == NFT_MSG_DELRULE) {
		r |= json_object_set_new(f, "chain", name ? json_string(name) : json_null());
		r |= json_object_set_new(f, "handle", tb[NFTA_RULE_HANDLE] && mnl_attr_validate(tb[NFTA_RULE_HANDLE], MNL_TYPE_U64) == 0
							   ? json_integer((json_int_t)be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE])))
							   : json_null());
	} else if (type == NFT_MSG_NEWSETELEM || type == NFT_MSG_DELSETELEM) {
		r |= json_object_set_new(f, "set", name ? json_string(name) : json_null());
		r |= json_object_set_new(f, "elements", json_integer(count_elements(tb[NFTA_SET_ELEM_LIST_ELEMENTS])));
	} else if (k->name_attr) {
		r |= json_object_set_new(f, "name", name ? json_string(name) : json_null());
	}
	if (r) {
		json_decref(f);
		return -ENOMEM;
	}
	*ret = (struct mon_event){ "nft", type == k->new ? "add" : "del", f };
	return 1;
}
