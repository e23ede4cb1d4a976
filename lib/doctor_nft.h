/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside doctor's nftables evaluator (doctor_nft*.c): the packet's values at a
 * match's left side, and how a rule's right side is compared with them.
 */
#ifndef NSNET_DOCTOR_NFT_H
#define NSNET_DOCTOR_NFT_H
#include "doctor.h"

/* A match: it holds, it doesn't, or doctor can't tell. */
enum { M_NO, M_YES, M_UNKNOWN };

enum vkind { V_UNKNOWN, V_NONE, V_ADDR, V_NUM, V_STR };
/* What the packet has where a match looks; V_NONE: no such field (an icmp packet
 * has no tcp dport, an output hook no input interface): the rule never matches. */
struct val {
	enum vkind k;
	int family;
	uint8_t addr[16];
	long num;
	const char *str;
	bool glob;       /* STR: the right side may end in a '*' wildcard (interface names) */
};

struct eval {
	const json_t *rs;                /* the "nftables" array */
	const struct dr_nft_pkt *p;
	struct dr_nft_result *res;
	const char *family, *table;      /* of the chain being run */
	bool nat;
};

static inline const char *nft_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

struct val nft_left_value(const struct eval *ev, const json_t *left);
/* Whether v equals, or falls in, a right-hand side (value, prefix, range, set, @set). */
int nft_elem_matches(const struct eval *ev, const struct val *v, const json_t *r, int depth);
/* One {"match": {op, left, right}}. */
int nft_match(const struct eval *ev, const json_t *m);
/* A set, map or chain object of the table, by name. */
const json_t *nft_find_item(const json_t *rs, const char *kind, const char *family, const char *table,
			    const char *name);

#endif
