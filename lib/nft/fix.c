/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exact fix for a foreign drop, written in the tool that made the rule: an
 * iptables command for iptables-nft's (and iptables-legacy's) tables, an nft
 * command for the others. One writer, so `nsnet net create`'s refusal, `nsnet fw
 * status` and `nsnet doctor` can't tell a user two different things.
 */
#include "nft/nft.h"
#include "base/base.h"

bool nft_is_iptables(const char *family, const char *table, const char *chain)
{
	static const char *const tables[] = { "filter", "nat", "mangle", "raw", "security" };
	if (!streq(family, "ip") && !streq(family, "ip6"))
		return false;
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		known |= streq(table, tables[i]);
	if (!known || !*chain)
		return false;
	for (const char *s = chain; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return false;
	return true;
}

const char *nft_iptables_tool(const char *family, const char *table, const char *chain)
{
	if (!nft_is_iptables(family, table, chain))
		return NULL;
	return streq(family, "ip6") ? "ip6tables" : "iptables";
}

/* One accept rule: iif/oif (either may be NULL), with src/dst for iptables. */
static void accept_one(const struct nft_fix *f, const char *iif, const char *oif, bool reply, char *buf, size_t len)
{
	const char *pre = f->pre ?: "";
	if (f->tool) {
		snprintf(buf, len, "%s%s -I %s%s%s%s%s%s%s%s%s%s -j ACCEPT", pre, f->tool, f->chain, iif ? " -i " : "",
			 iif ?: "", oif ? " -o " : "", oif ?: "", f->src && !reply ? " -s " : "", f->src && !reply ? f->src : "",
			 f->dst && !reply ? " -d " : "", f->dst && !reply ? f->dst : "",
			 reply ? " -m conntrack --ctstate RELATED,ESTABLISHED" : "");
		return;
	}
	snprintf(buf, len, "%snft insert rule %s %s %s%s%s%s%s%s%s%s accept", pre, f->family, f->table, f->chain,
		 iif ? " iifname \"" : "", iif ?: "", iif ? "\"" : "", oif ? " oifname \"" : "", oif ?: "", oif ? "\"" : "",
		 reply ? " ct state established,related" : "");
}

void nft_fix_accept(const struct nft_fix *f, char *buf, size_t len)
{
	accept_one(f, f->iif, f->oif, false, buf, len);
	if (!f->reply)
		return;
	size_t l = strlen(buf);
	snprintf(buf + l, len - l, " && ");
	l = strlen(buf);
	accept_one(f, f->oif, f->iif, true, buf + l, len - l);
}

void nft_fix_delete(const struct nft_fix *f, int position, long handle, char *buf, size_t len)
{
	const char *pre = f->pre ?: "";
	if (f->tool && streq(f->table, "filter"))
		snprintf(buf, len, "%s%s -D %s %d", pre, f->tool, f->chain, position);
	else if (f->tool)
		snprintf(buf, len, "%s%s -t %s -D %s %d", pre, f->tool, f->table, f->chain, position);
	else
		snprintf(buf, len, "%snft delete rule %s %s %s handle %ld", pre, f->family, f->table, f->chain, handle);
}
