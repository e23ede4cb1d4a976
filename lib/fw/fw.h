/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The firewall's internals: nsnet's own nftables table (`table inet nsnet`), built
 * from nsnet's state and changed one atomic transaction at a time. See
 * docs/firewall.md for the ruleset and for what each piece is for.
 *
 * Every function that changes the kernel is called with the state lock held
 * (state_lock); none of them takes it.
 */
#ifndef NSNET_FW_H
#define NSNET_FW_H
#include <stdio.h>
#include <jansson.h>
#include "nsnet.h"

#include <libmnl/libmnl.h>
#include "nft/nft.h"

/* Whether nsnet's table exists. */
bool fw_table_exists(void);
/* Apply an incremental change; when it fails (someone flushed or edited nsnet's
 * table), rebuild the whole table from state. */
int fw_commit(struct nft_cmds *c, struct nsnet_error *e);

/* ---- fw_ruleset.c: the text of nsnet's table and of its elements ---------------- */

/* A bridge name that can be quoted in nft text (no '"', '\\', '*', control chars). */
int fw_ifname_ok(const char *ifname, struct nsnet_error *e);
/* "add table; delete table; table inet nsnet { sets, maps, chains }": the
 * skeleton, replacing whatever nsnet table there was. */
void fw_skeleton(struct nft_cmds *c);
/* op is "add" or "delete". A network's own elements: its bridge, the bridge to
 * itself as an allowed pair, its subnets. */
void fw_elems_net(struct nft_cmds *c, const char *op, json_t *net);
/* The NAT elements of a network: its bridge and subnets in the nat sets. */
void fw_elems_nat(struct nft_cmds *c, const char *op, json_t *net);
/* Both directions between two bridges. */
void fw_elems_pair(struct nft_cmds *c, const char *op, const char *br_a, const char *br_b);
/* One published port's DNAT element. */
void fw_elems_publish(struct nft_cmds *c, const char *op, json_t *pub);
/* Everything from state: the skeleton and every element, or only the deletion
 * of the table when there is no network. */
int fw_ruleset_full(struct nft_cmds *c, struct nsnet_error *e);
/* The skeleton's chains with their number of rules: {"forward": 5, ...}. */
json_t *fw_skeleton_shape(void);

/* ---- fw_state.c: fw.json, forwarding and route_localnet ------------------------- */

/*
 * /run/nsnet/fw.json: { "ip_forward_was": "0", "ipv6_forwarding_was": "0",
 *                       "published": { "NET": { "NS": 2 } } }
 * "*_was" exist only while nsnet holds a sysctl on that was off before;
 * "published" counts published ports per network and namespace (route_localnet on
 * the bridge, hairpin on the member's port). Removed when it holds nothing.
 */
int fw_state_load(json_t **ret, struct nsnet_error *e);
int fw_state_save(json_t *st, struct nsnet_error *e);
/* Forwarding as nsnet's networks and publishes need it now (skip_net: a network
 * being removed). Turns it on (remembering the old value) or gives it back. */
int fw_forwarding_sync(json_t *st, const char *skip_net, struct nsnet_error *e);
/* Count of published ports to a network (NULL ns: all of its namespaces). */
long fw_published_count(json_t *st, const char *net, const char *ns);
/* route_localnet on a bridge (for 127.0.0.1 -> published port). */
int fw_localnet_set(const char *bridge, bool on, struct nsnet_error *e);
/* Hairpin mode on a bridge port (a namespace reaching its own published port). */
int fw_hairpin_set(const char *port, bool on, struct nsnet_error *e);

/* ---- fw_foreign.c: rules in other tables that would drop our traffic ----------- */

enum {
	FW_PKT_BRIDGED = 1 << 0,  /* between two namespaces of one network (br_netfilter) */
	FW_PKT_OUT = 1 << 1,      /* from the network out to another interface (NAT) */
	FW_PKT_REPLY = 1 << 2,    /* replies coming back to the network */
	FW_PKT_PUBLISHED = 1 << 3,/* new connections to a published port */
};
/* Fails (-EPERM) when a rule or policy outside nsnet's table would certainly drop
 * one of the kinds of traffic in `what` for this network, naming the rule and the
 * fix. NSNET_IGNORE_FOREIGN_FIREWALL=1 in the environment skips the check. */
int fw_foreign_check(json_t *net, unsigned what, struct nsnet_error *e);
/* Every problem for every network, as an array of {network, traffic, verdict
 * ("drop"|"maybe"), rule, fix}, for `fw status` and `fw restore`. */
int fw_foreign_report(json_t **ret, struct nsnet_error *e);

/* Which kinds of traffic a network has (br_netfilter on: bridged; NAT: out, reply). */
unsigned fw_net_traffic(json_t *net);

/* ---- hooks for networks (fw_net.c) ---------------------------------------------- */

/* A network was created (its state saved): its elements, NAT, forwarding. On
 * failure nothing of it is left in the firewall. */
int fw_net_added(json_t *net, struct nsnet_error *e);
/* A network was removed (state and bridge gone): its elements, its pairs with
 * other networks, its published ports; the table itself when it was the last. */
int fw_net_removed(json_t *net, struct nsnet_error *e);

/* Drop `name` from the allow list of every other network (their pairs' deletion
 * into c, when given). */
void fw_forget_allows(const char *name, struct nft_cmds *c, const char *bridge);

/* ---- fw_diff.c: state's elements against the kernel's ---------------------------- */

/* Elements as "SET ELEMENT" keys of an object; *ret_table: whether a table is
 * wanted / present at all. */
int fw_desired_elements(json_t **ret, bool *ret_table, struct nsnet_error *e);
int fw_kernel_elements(json_t **ret, bool *ret_table, struct nsnet_error *e);
/* {in_sync, table_wanted, table_present, missing: [...], extra: [...]} */
int fw_diff(json_t **ret, struct nsnet_error *e);
/* Whether the kernel's table has the skeleton's chains, each with its number of
 * rules: fw_diff compares elements only, and `nft flush table inet nsnet` or a
 * deleted rule leaves the elements in place. No table: false. */
int fw_shape_ok(bool *ret_ok, struct nsnet_error *e);
/* Rebuild the table from state when it differs (*ret_rebuilt says whether). */
int fw_converge(bool *ret_rebuilt, struct nsnet_error *e);

/* ---- fw_settle.c ------------------------------------------------------------------ */

/* Make everything derived from state match it: stale publishes dropped, publish
 * counts recomputed, route_localnet and hairpin, the table (*ret_rebuilt, when
 * given: whether it had to be rebuilt), forwarding. */
int fw_settle(bool *ret_rebuilt, struct nsnet_error *e);

/* ---- restore.c ---- */
/* nsnet_fw_restore for a caller that holds the state lock (the watcher). */
int fw_restore_locked(json_t **ret, struct nsnet_error *e);

/* ---- watch_nl.c: nftables events for the watcher (watch.c) ---- */
/* What a batch of nftables events did to nsnet's table. */
enum {
	FW_EV_TABLE_DEL = 1 << 0,   /* table inet nsnet deleted (flush ruleset, delete table) */
	FW_EV_RULES_DEL = 1 << 1,   /* chains or rules of it deleted (flush table, delete rule) */
	FW_EV_ELEMS_DEL = 1 << 2,   /* sets, maps or elements of it deleted */
	FW_EV_CHANGED = 1 << 3,     /* anything else added to or changed in it */
	FW_EV_LOST = 1 << 4,        /* the socket overran (ENOBUFS): events were lost */
	FW_EV_START = 1 << 5,       /* the watcher's first look */
};
/* A socket of the caller's network namespace subscribed to NFNLGRP_NFTABLES. */
int fw_watch_open(struct mnl_socket **ret, struct nsnet_error *e);
/* One message: its FW_EV_* bits for nsnet's table (0: not about it). A NEWGEN
 * message (the end of a transaction's events) sets *ret_gen and returns -1; -2
 * when it carries no generation id (then it cannot be told whose it was). */
int fw_watch_classify(const struct nlmsghdr *nlh, uint32_t *ret_gen);
/* The ruleset's current generation id (NFT_MSG_GETGEN), in the caller's namespace. */
int fw_genid(uint32_t *ret, struct nsnet_error *e);
/* "table deleted" ... for the strongest FW_EV_* bit. */
const char *fw_watch_reason(unsigned ev);

/* ---- recover.c: journal entries of dead commands ---- */
/* state_lock, then finish or undo what dead commands left in the journal
 * (recover.c). Every command that changes state takes the lock this way. It lives
 * here, not in state/, because recovery ends in fw_settle(); fw_ and not nsnet_,
 * because only nsnet.h's functions carry the public prefix (lib/libnsnet.map). */
int fw_lock(int *ret_fd, struct nsnet_error *e);

/* Finish or undo each entry left by a dead command (the caller holds the lock);
 * the ops handled are appended to report (an array) when given. */
int recover_entries(json_t *report, struct nsnet_error *e);

/* ---- publish.c ------------------------------------------------------------------ */

/* Remove every publish to network `net` (state files and counts; not the kernel:
 * the caller's transaction deletes the elements, given in c). */
int publish_drop_net(const char *net, json_t *fwst, struct nft_cmds *c, struct nsnet_error *e);
/* A namespace left network `net` (detach, or its namespace is gone): its published
 * ports go with it, before its address can be given to another namespace. For
 * lib/net/attach.c's detach and reconcile (not called there yet). */
int fw_member_removed(json_t *net, const char *ns, struct nsnet_error *e);
/* nsnet_publish and nsnet_unpublish for a caller that holds the state lock (labs). */
int publish_add_locked(const struct nsnet_publish_spec *s, struct nsnet_error *e);
int publish_del_locked(int proto, const struct nsnet_prefix *host_ip, uint16_t host_port, struct nsnet_error *e);
/* A spec's own checks (before the lock), and the context every publish error gets. */
int publish_check(const struct nsnet_publish_spec *s, struct nsnet_error *e);
int publish_error(const struct nsnet_publish_spec *s, struct nsnet_error *e);
/* Whether a publish's namespace is still on its network with the published address. */
bool publish_is_current(json_t *p);
/* Remove every publish whose namespace is no longer on its network with its address. */
int publish_drop_stale(struct nsnet_error *e);

/* ---- policy.c, for callers holding fw_lock ---- */
int fw_net_set_nat_locked(const char *name, bool on, struct nsnet_error *e);
int fw_net_allow_locked(const char *a, const char *b, bool allow, struct nsnet_error *e);

#endif
