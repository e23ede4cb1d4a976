/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nftables through libnftables: running commands as one transaction, listing as
 * JSON; packets evaluated against chains (real ones, and imagined ones through
 * chains that nsnet does not own); the fixes for someone else's drops.
 */
#ifndef NSNET_NFT_H
#define NSNET_NFT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "nsnet.h"

/* The table nsnet owns (its rules are not "foreign"). */
#define FW_FAMILY "inet"
#define FW_TABLE "nsnet"

/* ---- fw_apply.c: libnftables ---------------------------------------------------- */

/* Run nft commands (text) as one transaction: all of them or none. */
int nft_run(const char *cmds, struct nsnet_error *e);
/* The same commands checked by libnftables (dry run): nothing is sent to the kernel. */
int nft_check(const char *cmds, struct nsnet_error *e);
/* Run a list command and parse its JSON output ({"nftables": [...]}). */
int nft_list_json(const char *cmd, json_t **ret, struct nsnet_error *e);
/* Run a list command with libnftables output flags (NFT_CTX_OUTPUT_*); its text. */
int nft_list_text(const char *cmd, unsigned flags, char **ret, struct nsnet_error *e);

/* exists.c: 1 when the calling thread's network namespace has table name of
 * family nfproto (NFPROTO_INET...), 0 when not, -1 when it cannot tell. */
int nft_table_exists_here(int nfproto, const char *name);

/* A growing buffer of nft commands (open_memstream). */
struct nft_cmds {
	FILE *f;
	char *buf;
	size_t len;
	size_t n;      /* commands written */
};
int nft_cmds_open(struct nft_cmds *c, struct nsnet_error *e);
/* Close the stream; c->buf is the text (free with nft_cmds_free). */
int nft_cmds_finish(struct nft_cmds *c, struct nsnet_error *e);
void nft_cmds_free(struct nft_cmds *c);

/* ---- eval.c, match.c, value.c: a packet through nftables chains ---- */
/*
 * One evaluator for two kinds of packet: an imagined one whose fields may be
 * unknown (fw's check of foreign chains: "the traffic out of this network"), and a
 * real one with every field known (doctor's probe). A match on an unknown field
 * "maybe" holds; a rule that maybe matches is passed over, and remembered: a drop
 * is certain only when no rule passed that way could have taken the packet
 * elsewhere.
 */
struct nft_pkt {
	int family;                  /* AF_INET or AF_INET6 */
	const char *iif, *oif;       /* names at this hook; NULL: none, or with others, one of them */
	const char *const *others;   /* non-NULL: a NULL iif/oif is one of these, not known which */
	size_t n_others;
	bool established;            /* ct state established, else new */
	bool dnat;                   /* ct status dnat */
	/* Known only for a real packet: */
	struct nsnet_prefix src, dst; /* family 0: unknown */
	int l4;                      /* IPPROTO_ICMP (an echo request), _TCP, _UDP...; 0: unknown */
	unsigned port;               /* TCP/UDP destination port */
	/* One real packet (doctor's probe): no ct status bits but dnat, mark 0, ct
	 * direction original, and rate limits, quotas, queues and any statement or xt
	 * target the evaluator does not know let it on. Else they make a rule a maybe. */
	bool probe;
	/* The probe's reply (from the server back to the client): its source port is
	 * the service's (port), its destination port ephemeral, an ICMP echo reply. */
	bool reply;
};

/* NFTV_NEXT: fell off the end of a chain (iptables-legacy: no table). NFTV_MAYBE: a
 * drop behind a rule that might have let the packet go. NFTV_NONE: no base chain. */
enum nft_verdict { NFTV_ACCEPT, NFTV_DROP, NFTV_MAYBE, NFTV_NEXT, NFTV_SNAT, NFTV_NONE, NFTV_DNAT };

struct nft_result {
	enum nft_verdict verdict;    /* ACCEPT, DROP, SNAT or NONE */
	bool uncertain;              /* a rule passed on a maybe could have taken the packet elsewhere */
	char family[8], table[256], chain[256];
	long handle;                 /* the deciding rule; -1: the chain's policy */
	int position;                /* 1-based place of that rule in its chain */
	char comment[128];
	char nat_to[64];             /* SNAT/DNAT: the address given, "" for masquerade (or a map: unknown) */
	unsigned nat_port;           /* DNAT: the port given, 0: unchanged */
	bool masquerade;
	bool dnat;                   /* the NAT statement was a dnat (NFTV_DNAT) */
	unsigned unsure;             /* rules passed over for a match that can't be evaluated */
	char unsure_what[64];        /* the first such match, e.g. "xt match conntrack" */
};

/* Run p through one base chain (an object of the listing) of table family/table in
 * rs (an "nftables" array of `nft -j list`): its rules, jumps and gotos, then its
 * policy. nat: a nat chain (snat, masquerade decide; no policy). */
void nft_eval_base(const json_t *rs, const char *family, const char *table, const json_t *base,
		   const struct nft_pkt *p, bool nat, struct nft_result *ret);
/* Run the base chains of type ctype ("filter", "nat") on hook ("input", "forward",
 * "output", "postrouting") of every table of the given families ("ip", "inet",
 * "bridge"...; NULL-terminated), in priority order. filter: DROP at the first chain
 * that drops, else ACCEPT (NONE without chains). nat: SNAT at the first masquerade
 * or snat that matches, else ACCEPT/NONE. */
void nft_eval_hook(const json_t *ruleset, const char *ctype, const char *hook, const char *const *families,
		   const struct nft_pkt *p, struct nft_result *ret);
/* "rule handle 7 in chain C of table ip T", "the policy drop of chain C in table ip T". */
void nft_result_where(const struct nft_result *r, char *buf, size_t len);

/* Foreign tables with a filter chain on the forward hook, as listed. */
#define NFT_TABLES_MAX 32
struct nft_table {
	char family[8];
	char name[256];
	json_t *bases;   /* array of its base chain objects on the forward hook */
	json_t *rs;      /* its "nftables" array (`list table`): chains, rules, sets, maps */
};
struct nft_tables {
	struct nft_table t[NFT_TABLES_MAX];
	size_t n;
};
int nft_tables_load(struct nft_tables *ret, struct nsnet_error *e);
void nft_tables_free(struct nft_tables *t);

/* Inside the evaluator. A match holds, doesn't, or can't be told. */
enum { NFT_M_NO, NFT_M_YES, NFT_M_UNKNOWN };
enum nft_vkind { NFT_V_UNKNOWN, NFT_V_NONE, NFT_V_ADDR, NFT_V_NUM, NFT_V_STR };
/* What the packet has where a match looks; NFT_V_NONE: no such field (an icmp packet
 * has no tcp dport, an output hook no input interface): the rule never matches. */
struct nft_val {
	enum nft_vkind k;
	int family;
	uint8_t addr[16];
	long num;
	const char *str;                 /* STR: NULL: one of cands, not known which */
	const char *const *cands;
	size_t n_cands;
	const char *const *known;        /* STR: the only names it can be told from (NULL: any) */
	bool glob;                       /* STR: the right side may end in a '*' wildcard (interface names) */
};
struct nft_eval {
	const json_t *rs;                /* the "nftables" array */
	const struct nft_pkt *p;
	struct nft_result *res;
	const char *family, *table;      /* of the chain being run */
	bool nat;
};
/* value.c */
struct nft_val nft_left_value(const struct nft_eval *ev, const json_t *left);
/* match.c: a set, map or chain object of the table, by name. */
const json_t *nft_find_item(const json_t *rs, const char *kind, const char *family, const char *table,
			    const char *name);
/* Whether v equals, or falls in, a right-hand side (value, prefix, range, set, @set). */
int nft_elem_matches(const struct nft_eval *ev, const struct nft_val *v, const json_t *r, int depth);
/* One {"match": {op, left, right}}. */
int nft_match(const struct nft_eval *ev, const json_t *m);

/* ---- legacy.c: iptables-legacy (x_tables) FORWARD chains ---- */
/* Run pkt through the FORWARD chain of legacy table `filter` (ip or ip6). *where
 * names the rule that decided. NFTV_NEXT: no legacy table. */
enum nft_verdict nft_legacy_forward(const struct nft_pkt *pkt, char *where, size_t len);

/* ---- fix.c: the command that lets traffic through a foreign drop ---- */

/* Whether a table looks like iptables-nft's (ip/ip6 family, table filter/nat/mangle/raw/
 * security, chain names in capitals): its fixes are then written as iptables commands. */
bool nft_is_iptables(const char *family, const char *table, const char *chain);
/* "iptables" or "ip6tables" for such a table, NULL for another one (an nft command). */
const char *nft_iptables_tool(const char *family, const char *table, const char *chain);

struct nft_fix {
	const char *pre;               /* "ip netns exec red " or NULL */
	const char *tool;              /* "iptables", "ip6tables-legacy"...; NULL: nft */
	const char *family, *table, *chain;
	const char *iif, *oif;         /* NULL: any */
	const char *src, *dst;         /* iptables only; NULL: any */
	bool reply;                    /* and a second rule for the replies (iif and oif swapped, by conntrack) */
};
/* "iptables -I CHAIN -i IIF -o OIF -j ACCEPT", "nft insert rule F T C iifname "IIF" accept"... */
void nft_fix_accept(const struct nft_fix *f, char *buf, size_t len);
/* "iptables -D CHAIN POSITION" (as -L --line-numbers counts), "nft delete rule F T C handle H". */
void nft_fix_delete(const struct nft_fix *f, int position, long handle, char *buf, size_t len);

#endif
