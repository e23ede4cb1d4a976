/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Other firewalls on the host. nsnet never edits anyone else's tables, and an
 * accept in its own table cannot overrule a drop in another one (every base chain
 * on a hook must accept a packet). So when a foreign rule would certainly drop a
 * network's traffic (Docker's `iptables -P FORWARD DROP`, ufw, firewalld...), the
 * change that needs it fails, naming the rule and the one command that lets the
 * traffic through; nothing is changed. `nsnet fw status` lists the same problems,
 * and the ones that only "maybe" happen.
 */
#include <stdlib.h>
#include <net/if.h>
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

/* br_netfilter makes bridged IPv4 traffic cross the forward hook: only then can a
 * foreign forward rule drop traffic between two namespaces of one network. */
static bool br_netfilter_on(void)
{
	char v[16];
	return nsnet_sysctl_get(NSNET_HOST, "net/bridge/bridge-nf-call-iptables", v, sizeof(v), NULL) == 0 &&
	       streq(v, "1");
}

unsigned fw_net_traffic(json_t *net)
{
	return (br_netfilter_on() ? FW_PKT_BRIDGED : 0) |
	       (json_is_true(json_object_get(net, "nat")) ? FW_PKT_OUT | FW_PKT_REPLY : 0);
}

struct kind {
	unsigned bit;
	const char *what;
	bool iif_br, oif_br, established, dnat;
};

/* Bridged last: when traffic out is dropped too, its fix (-i BR) covers both. */
static const struct kind kinds[] = {
	{ FW_PKT_OUT, "its traffic out of the host (NAT)", true, false, false, false },
	{ FW_PKT_REPLY, "replies coming back to it", false, true, true, false },
	{ FW_PKT_PUBLISHED, "connections to its published ports", false, true, false, true },
	{ FW_PKT_PUBLISHED, "replies from its published ports", true, false, true, false },
	{ FW_PKT_BRIDGED, "traffic between its namespaces (bridged, seen by the forward hook through br_netfilter)",
	  true, true, false, false },
};


/* The command that lets this kind of traffic through the chain that drops it. */
static void fix_for(const struct kind *k, const char *br, const struct nft_table *t, const char *legacy_cmd,
		    char *buf, size_t len)
{
	struct nft_fix f = { .tool = legacy_cmd, .chain = "FORWARD", .iif = k->iif_br ? br : NULL,
			     .oif = k->oif_br ? br : NULL };
	if (t) {
		size_t i;
		json_t *b;
		json_array_foreach(t->bases, i, b) {
			f.chain = jstr0(b, "name");  /* the (first) forward base chain of the table */
			break;
		}
		f.family = t->family;
		f.table = t->name;
		f.tool = nft_iptables_tool(t->family, t->name, f.chain);
	}
	if (f.tool)  /* Docker's documented place for the user's own rules, jumped to first. */
		f.chain = t && nft_find_item(t->rs, "chain", t->family, t->name, "DOCKER-USER") ? "DOCKER-USER" : "FORWARD";
	nft_fix_accept(&f, buf, len);
}

struct finding {
	enum nft_verdict v;
	char where[256];
	char fix[256];
};

/* The interfaces traffic may come from or go to besides the network's bridge: the
 * interfaces of the host's default routes, the way to and from "outside"; without a
 * default route, any of the host's interfaces but lo and nsnet's bridges (br may not
 * be in state yet). */
struct others {
	char **v;
	size_t n;
};

static void add_other(struct others *o, size_t cap, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (streq(o->v[i], name))
			return;
	if (o->n < cap)
		o->v[o->n++] = strdup(name);
}

/* /proc/net/route and /proc/net/ipv6_route of the caller's namespace. */
static void default_route_ifs(struct others *o, size_t cap)
{
	char line[512], ifname[64], dst[64];
	unsigned mask;
	FILE *f = fopen("/proc/net/route", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %63s %*s %*s %*s %*s %*s %x", ifname, dst, &mask) == 3 && streq(dst, "00000000") &&
		    mask == 0)
			add_other(o, cap, ifname);
	if (f)
		fclose(f);
	f = fopen("/proc/net/ipv6_route", "re");
	unsigned plen;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %x %*s %*s %*s %*s %*s %*s %*s %63s", dst, &plen, ifname) == 3 && plen == 0 &&
		    strspn(dst, "0") == 32 && !streq(ifname, "lo"))
			add_other(o, cap, ifname);
	if (f)
		fclose(f);
}

static void others_load(struct others *o, const char *br)
{
	char **names;
	size_t n;
	*o = (struct others){ 0 };
	if (state_net_names(&names, &n, NULL) < 0)
		n = 0, names = NULL;
	json_t *bridges = json_object();
	json_object_set_new(bridges, br, json_true());
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) == 0) {
			json_object_set_new(bridges, jstr0(net, "bridge"), json_true());
			json_decref(net);
		}
	}
	nsnet_strv_free(names, n);
	struct if_nameindex *ifs = if_nameindex(), *i;
	size_t cnt = 0;
	for (i = ifs; i && i->if_index; i++)
		cnt++;
	o->v = calloc(cnt + 1, sizeof(*o->v));
	if (o->v)
		default_route_ifs(o, cnt);
	for (i = ifs; o->v && o->n == 0 && i && i->if_index; i++)
		if (!streq(i->if_name, "lo") && !json_object_get(bridges, i->if_name))
			o->v[o->n++] = strdup(i->if_name);
	if (ifs)
		if_freenameindex(ifs);
	json_decref(bridges);
}

static void others_free(struct others *o)
{
	nsnet_strv_free(o->v, o->n);
}

/* The worst verdict of every foreign forward chain for one kind of packet. */
static void judge(const struct nft_tables *tabs, const struct others *os, const struct kind *k, const char *br,
		  int family, struct finding *f)
{
	static const char *const none[] = { NULL };
	struct nft_pkt p = { .family = family, .iif = k->iif_br ? br : NULL, .oif = k->oif_br ? br : NULL,
			     .others = os->v ? (const char *const *)os->v : none, .n_others = os->n,
			     .established = k->established, .dnat = k->dnat };
	f->v = NFTV_ACCEPT;
	for (size_t i = 0; i < tabs->n && f->v != NFTV_DROP; i++) {
		const struct nft_table *t = &tabs->t[i];
		if ((streq(t->family, "ip") && family != AF_INET) || (streq(t->family, "ip6") && family != AF_INET6))
			continue;
		size_t j;
		json_t *base;
		json_array_foreach(t->bases, j, base) {
			struct nft_result res;
			nft_eval_base(t->rs, t->family, t->name, base, &p, false, &res);
			enum nft_verdict v = res.verdict != NFTV_DROP ? NFTV_ACCEPT : res.uncertain ? NFTV_MAYBE : NFTV_DROP;
			if (v == NFTV_DROP || (v == NFTV_MAYBE && f->v == NFTV_ACCEPT)) {
				f->v = v;
				nft_result_where(&res, f->where, sizeof(f->where));
				fix_for(k, br, t, NULL, f->fix, sizeof(f->fix));
			}
			if (f->v == NFTV_DROP)
				break;
		}
	}
	char where[256];
	enum nft_verdict v = f->v == NFTV_DROP ? NFTV_ACCEPT : nft_legacy_forward(&p, where, sizeof(where));
	if (v == NFTV_DROP || (v == NFTV_MAYBE && f->v == NFTV_ACCEPT)) {
		f->v = v;
		snprintf(f->where, sizeof(f->where), "%s", where);
		fix_for(k, br, NULL, family == AF_INET ? "iptables-legacy" : "ip6tables-legacy", f->fix, sizeof(f->fix));
	}
}

/* Call fn for every (kind, family) of `what` the network has. */
static void each_case(const struct nft_tables *tabs, json_t *net, unsigned what,
		      void (*fn)(void *ctx, const struct kind *k, int family, const struct finding *f), void *ctx)
{
	const char *br = jstr0(net, "bridge");
	struct others os;
	others_load(&os, br);
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!(what & kinds[i].bit))
			continue;
		for (int fam = 0; fam < 2; fam++) {
			int family = fam ? AF_INET6 : AF_INET;
			/* Published ports are IPv4 only. */
			if (!net_subnet(net, family) || (family == AF_INET6 && kinds[i].bit == FW_PKT_PUBLISHED))
				continue;
			struct finding f;
			judge(tabs, &os, &kinds[i], br, family, &f);
			fn(ctx, &kinds[i], family, &f);
		}
	}
	others_free(&os);
}

struct check_ctx {
	const struct kind *kind;
	struct finding first;
	bool out_dropped[2];
	char fixes[768];
};

static void collect_drop(void *p, const struct kind *k, int family, const struct finding *f)
{
	struct check_ctx *c = p;
	if (f->v != NFTV_DROP)
		return;
	if (!c->kind) {
		c->kind = k;
		c->first = *f;
	}
	if (k->bit == FW_PKT_OUT)
		c->out_dropped[family == AF_INET6] = true;
	if (strstr(c->fixes, f->fix) || (k->bit == FW_PKT_BRIDGED && c->out_dropped[family == AF_INET6]))
		return;
	size_t l = strlen(c->fixes);
	snprintf(c->fixes + l, sizeof(c->fixes) - l, "%s`%s`", l ? " and " : "", f->fix);
}

int fw_foreign_check(json_t *net, unsigned what, struct nsnet_error *e)
{
	if (!what || state_ignore_foreign_firewall())
		return 0;
	struct nft_tables tabs;
	int r = nft_tables_load(&tabs, e);
	if (r < 0)
		return nsnet_err_wrap(e, "read the host's other firewall rules");
	struct check_ctx c = { 0 };
	each_case(&tabs, net, what, collect_drop, &c);
	nft_tables_free(&tabs);
	if (!c.kind)
		return 0;
	return nsnet_errx(e, EPERM,
			  "%s would be dropped by %s, outside nsnet's table; allow it first with %s "
			  "(or set NSNET_IGNORE_FOREIGN_FIREWALL=1 to skip this check)",
			  c.kind->what, c.first.where, c.fixes);
}

struct report_ctx {
	json_t *arr;
	const char *net;
};

static void add_report(void *p, const struct kind *k, int family, const struct finding *f)
{
	struct report_ctx *c = p;
	if (f->v != NFTV_DROP && f->v != NFTV_MAYBE)
		return;
	json_array_append_new(c->arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "network", c->net, "family",
						family == AF_INET ? "ipv4" : "ipv6", "traffic", k->what, "verdict",
						f->v == NFTV_DROP ? "drop" : "maybe", "rule", f->where, "fix", f->fix));
}

int fw_foreign_report(json_t **ret, struct nsnet_error *e)
{
	struct nft_tables tabs;
	char **names;
	size_t n;
	json_t *st = NULL;
	int r = fw_state_load(&st, e);
	if (r < 0)
		return r;
	if ((r = state_net_names(&names, &n, e)) < 0) {
		json_decref(st);
		return r;
	}
	if ((r = nft_tables_load(&tabs, e)) < 0) {
		nsnet_strv_free(names, n);
		json_decref(st);
		return r;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if (state_net_load(names[i], &net, NULL) < 0)
			continue;
		unsigned what = fw_net_traffic(net) | (fw_published_count(st, names[i], NULL) ? FW_PKT_PUBLISHED : 0);
		struct report_ctx c = { arr, names[i] };
		each_case(&tabs, net, what, add_report, &c);
		json_decref(net);
	}
	nft_tables_free(&tabs);
	nsnet_strv_free(names, n);
	json_decref(st);
	*ret = arr;
	return 0;
}
