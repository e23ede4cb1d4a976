/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor's firewall checks: the verdict of each hook the packet passes (output in
 * SRC, forward in every router, forward again for bridged traffic when
 * br_netfilter hands it to the IP hooks, input in DST), and source NAT where it
 * leaves a router. Rules come from libnftables's listing of each namespace, which
 * shows iptables-nft's rules too; iptables-legacy's tables can only be detected
 * (/proc/net/ip_tables_names), and the report says so.
 *
 * In the host, iptables-legacy's filter FORWARD chain is read too, by fw_legacy.c
 * (the firewall's reader of x_tables); elsewhere legacy tables are only detected.
 *
 * The fix for a drop is written in the tool that made the rule: an iptables command
 * for iptables-nft's tables (rule numbers as `iptables -L --line-numbers` counts
 * them), an nft command (by handle) for the others.
 */
#include "doctor/doctor.h"
#include "fw/fw.h"
#include "base/base.h"

/* What a hook sees of doctor's probe: every field known. */
static struct nft_pkt probe_pkt(const struct dr_pkt *p, const char *iif, const char *oif)
{
	return (struct nft_pkt){ .family = p->family, .iif = iif, .oif = oif, .src = p->src, .dst = p->dst,
				 .l4 = p->l4, .port = p->port, .probe = true, .dnat = p->dnat, .reply = p->reply,
				 .established = p->reply };
}

static const char *const fam_v4[] = { "ip", "inet", NULL };
static const char *const fam_v6[] = { "ip6", "inet", NULL };
static const char *const fam_bridge[] = { "bridge", NULL };

void dr_fw_describe(struct dr_ns *ns, const struct nft_result *r, char *buf, size_t len)
{
	if (r->handle < 0) {
		snprintf(buf, len, "table %s %s chain %s: policy drop", r->family, r->table, r->chain);
		return;
	}
	char text[512];
	dr_nft_rule_text(ns->listing, r->family, r->table, r->chain, r->handle, text, sizeof(text));
	snprintf(buf, len, "table %s %s chain %s: rule %d '%s' (handle %ld)", r->family, r->table, r->chain, r->position,
		 text[0] ? text : "?", r->handle);
}

/* The command that lets the packet through: delete the rule, or accept it ahead of the policy. */
static void fix_for(struct dr_ctx *c, struct dr_ns *ns, const struct nft_result *r, const char *hook,
		    const char *iif, const char *oif, char *buf, size_t len)
{
	char ex[300], s[64], d[64];
	struct nft_fix f = { .pre = dr_exec_in(ns->name, ex, sizeof(ex)), .family = r->family, .table = r->table,
			     .chain = r->chain, .tool = nft_iptables_tool(r->family, r->table, r->chain) };
	if (r->handle >= 0) {
		nft_fix_delete(&f, r->position, r->handle, buf, len);
		return;
	}
	/* A drop policy: accept this traffic ahead of it. Forwarded replies need their
	 * own way back, which conntrack gives. */
	bool fwd = streq(hook, "forward") && iif && oif;
	if (fwd || !f.tool) {
		f.iif = iif;
		f.oif = oif;
		f.reply = fwd && !streq(iif, oif);
	} else if (iif) {
		f.iif = iif;
		f.src = dr_addr(&c->pkt.src, s, sizeof(s));
	} else {
		f.oif = oif;
		f.dst = dr_addr(&c->pkt.dst, d, sizeof(d));
	}
	nft_fix_accept(&f, buf, len);
}

/* iptables-legacy's FORWARD chain in the host: -1 when it drops (check failed, cause set). */
static int legacy_forward(struct dr_ctx *c, struct dr_ns *ns, const char *iif, const char *oif, const char *what)
{
	if (!streq(ns->name, NSNET_HOST) || c->pkt.family != AF_INET || !strstr(ns->legacy, "filter"))
		return 0;
	/* fw_legacy reads /proc/net: the process's namespace, which is the host's. */
	struct nft_pkt p = { .family = AF_INET, .iif = iif, .oif = oif };
	char where[256] = "", fix[600];
	enum nft_verdict v = nft_legacy_forward(&p, where, sizeof(where));
	if (v == NFTV_NEXT || v == NFTV_ACCEPT) {
		dr_check(c, DR_OK, "host: iptables-legacy FORWARD: %s accepted", what);
		return 0;
	}
	if (v == NFTV_MAYBE) {
		dr_check(c, DR_WARN, "host: iptables-legacy FORWARD: %s may be dropped by %s", what, where);
		return 0;
	}
	dr_check(c, DR_FAIL, "host: iptables-legacy FORWARD: %s dropped by %s", what, where);
	unsigned n;
	char chain[64];
	struct nft_fix f = { .tool = "iptables-legacy", .family = "ip", .table = "filter", .chain = "FORWARD",
			     .iif = iif, .oif = oif, .reply = !streq(iif, oif) };
	if (sscanf(where, "rule %u of chain %63s", &n, chain) == 2) {
		f.chain = chain;
		nft_fix_delete(&f, (int)n, 0, fix, sizeof(fix));
	} else {
		nft_fix_accept(&f, fix, sizeof(fix));
	}
	if (strstr(where, "policy"))
		dr_cause(c, fix, "host: the iptables-legacy FORWARD policy DROP (as Docker sets it) drops %s", what);
	else
		dr_cause(c, fix, "host: %s drops %s", where, what);
	return -1;
}

/* Note, once per namespace, what doctor can't see there. */
static void legacy_note(struct dr_ctx *c, struct dr_ns *ns)
{
	if (!ns->legacy[0] || strstr(c->legacy_ns, ns->name))
		return;
	/* The host's FORWARD chain is read (legacy_forward); its other chains are not. */
	char ex[300];
	dr_check(c, DR_WARN, "%s: iptables-legacy tables are loaded (%s); doctor cannot read their rules%s (%siptables-legacy -S)",
		 ns->name, ns->legacy, streq(ns->name, NSNET_HOST) ? " but the filter table's FORWARD chain" : "",
		 dr_exec_in(ns->name, ex, sizeof(ex)));
	size_t l = strlen(c->legacy_ns);
	snprintf(c->legacy_ns + l, sizeof(c->legacy_ns) - l, "%s%s", l ? ", " : "", ns->name);
}

static void unsure_note(struct dr_ctx *c, const struct nft_result *r, char *buf, size_t len)
{
	buf[0] = 0;
	c->unsure += r->unsure;
	if (r->unsure)
		snprintf(buf, len, " (passed over %u rule%s doctor cannot evaluate, e.g. %s)", r->unsure,
			 r->unsure == 1 ? "" : "s", r->unsure_what);
}

static const char *net_name(struct dr_ctx *c, const char *bridge)
{
	return bridge ? json_string_value(json_object_get(dr_net_by_bridge(c, bridge), "name")) : NULL;
}

/* A drop by nsnet's own table is one of nsnet's policies: isolation between
 * networks, or nothing from outside into a NAT network. The fix is nsnet's. */
static bool nsnet_policy(struct dr_ctx *c, struct dr_ns *ns, const struct nft_result *r, const char *iif,
			 const char *oif)
{
	if (!streq(r->family, "inet") || !streq(r->table, "nsnet") || !streq(ns->name, NSNET_HOST))
		return false;
	char text[512], fix[600] = "";
	dr_nft_rule_text(ns->listing, r->family, r->table, r->chain, r->handle, text, sizeof(text));
	const char *a = net_name(c, iif), *b = net_name(c, oif);
	if (strstr(text, "@bridges") && strstr(text, "oifname @bridges") && a && b) {
		snprintf(fix, sizeof(fix), "nsnet net set %s allow %s", a, b);
		dr_cause(c, fix, "nsnet isolates network %s from network %s (networks cannot reach each other until allowed)",
			 a, b);
		return true;
	}
	if (strstr(text, "@nat_bridges") && b) {
		if (a)
			snprintf(fix, sizeof(fix), "nsnet net set %s allow %s", a, b);
		else if (c->dst_ns && c->pkt.port)
			snprintf(fix, sizeof(fix), "nsnet publish %u %s:%u%s", c->pkt.port, c->dst_ns, c->pkt.port,
				 c->pkt.l4 == IPPROTO_UDP ? " --proto udp" : "");
		dr_cause(c, fix[0] ? fix : NULL, "network %s uses NAT: nsnet lets nothing in from %s but published ports", b,
			 a ? a : "outside");
		return true;
	}
	return false;
}

/* Cause of a drop, and who made the rule. */
static void drop_cause(struct dr_ctx *c, struct dr_ns *ns, const struct nft_result *r, const char *what,
		       const char *desc, const char *fix, const char *iif, const char *oif)
{
	if (nsnet_policy(c, ns, r, iif, oif))
		return;
	bool ipt = nft_is_iptables(r->family, r->table, r->chain);
	const char *by = r->handle < 0 ? (ipt ? "the iptables policy" : "the nftables chain policy")
				       : (ipt ? "an iptables rule" : "an nftables rule");
	if (r->handle < 0 && ipt && streq(r->chain, "FORWARD"))
		by = "the iptables FORWARD policy DROP (as Docker sets it)";
	dr_cause(c, fix, "%s: %s drops %s (%s)", ns->name, by, what, desc);
}

int dr_fw_hook(struct dr_ctx *c, struct dr_ns *ns, const char *hook, const char *iif, const char *oif,
	       const char *what)
{
	int r = dr_ns_fw(ns);
	if (r < 0) {
		dr_check(c, DR_SKIP, "%s: firewall %s: cannot read the nftables ruleset: %s", ns->name, hook, strerror(-r));
		return 0;
	}
	legacy_note(c, ns);
	if (streq(hook, "forward") && legacy_forward(c, ns, iif, oif, what) < 0)
		return -1;
	struct nft_pkt np = probe_pkt(&c->pkt, iif, oif);
	struct nft_result res;
	nft_eval_hook(ns->ruleset, "filter", hook, c->pkt.family == AF_INET ? fam_v4 : fam_v6, &np, &res);
	char unsure[160], desc[700];
	unsure_note(c, &res, unsure, sizeof(unsure));
	if (res.verdict == NFTV_NONE) {
		dr_check(c, DR_OK, "%s: firewall %s: no nftables/iptables rules on this hook", ns->name, hook);
		return 0;
	}
	if (res.verdict == NFTV_ACCEPT) {
		dr_check(c, DR_OK, "%s: firewall %s: %s accepted%s", ns->name, hook, what, unsure);
		return 0;
	}
	dr_fw_describe(ns, &res, desc, sizeof(desc));
	dr_check(c, DR_FAIL, "%s: firewall %s: %s dropped by %s%s", ns->name, hook, what, desc, unsure);
	char fix[1536];
	fix_for(c, ns, &res, hook, iif, oif, fix, sizeof(fix));
	drop_cause(c, ns, &res, what, desc, fix, iif, oif);
	return -1;
}

int dr_fw_bridged(struct dr_ctx *c, struct dr_ns *ns, const char *bridge, const char *in_port, const char *out_port)
{
	int r = dr_ns_fw(ns);
	if (r < 0) {
		dr_check(c, DR_SKIP, "%s: firewall for bridge %s: cannot read the nftables ruleset: %s", ns->name, bridge,
			 strerror(-r));
		return 0;
	}
	legacy_note(c, ns);
	char unsure[160], desc[700], fix[1536], what[160];
	struct nft_result res;
	/* The bridge family's own hooks see ports; they always apply. */
	if (in_port && out_port) {
		struct nft_pkt bp = probe_pkt(&c->pkt, in_port, out_port);
		nft_eval_hook(ns->ruleset, "filter", "forward", fam_bridge, &bp, &res);
		unsure_note(c, &res, unsure, sizeof(unsure));
		if (res.verdict == NFTV_DROP) {
			dr_fw_describe(ns, &res, desc, sizeof(desc));
			snprintf(what, sizeof(what), "traffic bridged from %s to %s", in_port, out_port);
			dr_check(c, DR_FAIL, "%s: bridge firewall forward on %s: %s dropped by %s%s", ns->name, bridge, what,
				 desc, unsure);
			fix_for(c, ns, &res, "forward", in_port, out_port, fix, sizeof(fix));
			drop_cause(c, ns, &res, what, desc, fix, in_port, out_port);
			return -1;
		}
	}
	if (ns->brnf != 1) {
		dr_check(c, DR_OK, "%s: bridged traffic on %s skips the IP firewall (net.bridge.bridge-nf-call-iptables=%s)",
			 ns->name, bridge, ns->brnf == 0 ? "0" : "absent");
		return 0;
	}
	/* br_netfilter runs the IP forward hook with the bridge as both interfaces. */
	snprintf(what, sizeof(what), "traffic bridged on %s (bridge-nf-call-iptables=1)", bridge);
	if (legacy_forward(c, ns, bridge, bridge, what) < 0)
		return -1;
	struct nft_pkt np = probe_pkt(&c->pkt, bridge, bridge);
	nft_eval_hook(ns->ruleset, "filter", "forward", c->pkt.family == AF_INET ? fam_v4 : fam_v6, &np, &res);
	unsure_note(c, &res, unsure, sizeof(unsure));
	if (res.verdict != NFTV_DROP) {
		dr_check(c, DR_OK, "%s: firewall forward for traffic bridged on %s (bridge-nf-call-iptables=1): %s%s",
			 ns->name, bridge, res.verdict == NFTV_NONE ? "no rules" : "accepted", unsure);
		return 0;
	}
	dr_fw_describe(ns, &res, desc, sizeof(desc));
	snprintf(what, sizeof(what), "traffic bridged on %s, which net.bridge.bridge-nf-call-iptables=1 hands to the "
		 "IP forward hook", bridge);
	dr_check(c, DR_FAIL, "%s: firewall forward: traffic bridged on %s (bridge-nf-call-iptables=1) dropped by %s%s",
		 ns->name, bridge, desc, unsure);
	fix_for(c, ns, &res, "forward", bridge, bridge, fix, sizeof(fix));
	drop_cause(c, ns, &res, what, desc, fix, bridge, bridge);
	return -1;
}

int dr_fw_snat(struct dr_ctx *c, struct dr_ns *ns, const char *iif, const char *oif, struct nft_result *res)
{
	if (dr_ns_fw(ns) < 0)
		return 0;
	struct nft_pkt np = probe_pkt(&c->pkt, iif, oif);
	nft_eval_hook(ns->ruleset, "nat", "postrouting", c->pkt.family == AF_INET ? fam_v4 : fam_v6, &np, res);
	c->unsure += res->unsure;
	return res->verdict == NFTV_SNAT;
}

int dr_fw_dnat(struct dr_ctx *c, struct dr_ns *ns, const char *iif, struct nft_result *res)
{
	if (dr_ns_fw(ns) < 0)
		return 0;
	struct nft_pkt np = probe_pkt(&c->pkt, iif, NULL);
	nft_eval_hook(ns->ruleset, "nat", "prerouting", c->pkt.family == AF_INET ? fam_v4 : fam_v6, &np, res);
	c->unsure += res->unsure;
	return res->verdict == NFTV_DNAT;
}
