/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nftables through libnftables: running commands as one transaction, listing as
 * JSON, and imagined packets evaluated against chains that nsnet does not own.
 */
#ifndef NSNET_NFT_H
#define NSNET_NFT_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "nsnet.h"

/* The table nsnet owns (its rules are not "foreign"). */
#define FW_FAMILY "inet"
#define FW_TABLE "nsnet"

/* ---- fw_apply.c: libnftables ---------------------------------------------------- */

/* Run nft commands (text) as one transaction: all of them or none. */
int nft_run(const char *cmds, struct nsnet_error *e);
/* Run a list command and parse its JSON output ({"nftables": [...]}). */
int nft_list_json(const char *cmd, json_t **ret, struct nsnet_error *e);

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

/* ---- forward.c: an imagined packet through foreign nftables chains ---- */

struct nft_pkt {
	int family;            /* AF_INET or AF_INET6 */
	const char *iif, *oif; /* NULL: one of `others` */
	const char *const *others;  /* the host's interfaces but lo and nsnet's bridges */
	size_t n_others;
	bool established;      /* else new */
	bool dnat;
};
/* Result of running a packet through a chain: NFTV_NEXT = fell off its end. */
enum nft_verdict { NFTV_ACCEPT, NFTV_DROP, NFTV_MAYBE, NFTV_NEXT };

#define NFT_TABLES_MAX 32
/* Foreign tables with a filter chain on the forward hook. */
struct nft_table {
	char family[8];
	char name[256];
	json_t *bases;   /* array of base chain objects (JSON listing) */
	json_t *chains;  /* chain name -> array of rule objects, in order */
};
struct nft_tables {
	struct nft_table t[NFT_TABLES_MAX];
	size_t n;
};
int nft_tables_load(struct nft_tables *ret, struct nsnet_error *e);
void nft_tables_free(struct nft_tables *t);
/* NFTV_ACCEPT, NFTV_DROP (certain) or NFTV_MAYBE; *where names the rule or policy. */
enum nft_verdict nft_eval_base(const struct nft_table *t, json_t *base, const struct nft_pkt *p, char *where, size_t len);

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
