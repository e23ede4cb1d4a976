/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iptables-legacy keeps its rules in x_tables, invisible to nftables: read the
 * filter table's FORWARD chain the way iptables-legacy-save does (getsockopt
 * IPT_SO_GET_INFO / IPT_SO_GET_ENTRIES on a raw socket) and run the imagined
 * packet through it, with the same rules of certainty as eval.c. Only the
 * interface names of a rule are understood; a rule with any other match "maybe"
 * matches.
 *
 * /proc/net/ip_tables_names is read first: it lists only the tables that exist in
 * this namespace, and asking the kernel about a table that does not would create
 * it.
 */
#include <limits.h>
#include <net/if.h>
#include <sys/socket.h>
#include "nft/nft.h"
#include "base/base.h"
/* After netinet/in.h (through fw.h), which makes the kernel's in.h stand down. */
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

/* One rule, the same for IPv4 and IPv6. */
struct lrule {
	unsigned off, next;
	const char *iif, *oif;                       /* '\0'-padded IFNAMSIZ */
	const unsigned char *iif_mask, *oif_mask;
	bool inv_in, inv_out, other, is_goto, error_target;
	int verdict;                                 /* standard target; INT_MIN: another target */
	char target[XT_EXTENSION_MAXNAMELEN];
};

struct ltable {
	unsigned char *blob;
	size_t size;
	unsigned hook, underflow;
	struct lrule *r;
	size_t n, cap;
};

static bool table_exists(const char *names_file)
{
	char buf[512];
	FILE *f = fopen(names_file, "re");
	bool found = false;
	while (f && fgets(buf, sizeof(buf), f))
		found |= strncmp(buf, "filter\n", 7) == 0 || streq(buf, "filter");
	if (f)
		fclose(f);
	return found;
}

#define PARSE_ENTRIES(ENTRY, IPF, GOTO_FLAG, OTHER)                                                      \
	for (unsigned off = 0; off + sizeof(struct ENTRY) <= t->size && t->n < t->cap;) {                                  \
		struct ENTRY *e = (struct ENTRY *)(t->blob + off);                                        \
		if (e->next_offset < sizeof(*e) || e->target_offset < sizeof(*e) ||                       \
		    e->target_offset + sizeof(struct xt_entry_target) > e->next_offset ||                 \
		    off + e->next_offset > t->size)                                                       \
			return -EBADMSG;                                                                  \
		struct xt_entry_target *tg = (struct xt_entry_target *)((char *)e + e->target_offset);    \
		struct lrule *r = &t->r[t->n++];                                                          \
		*r = (struct lrule){ .off = off, .next = off + e->next_offset,                             \
				     .iif = e->IPF.iniface, .oif = e->IPF.outiface,                        \
				     .iif_mask = e->IPF.iniface_mask, .oif_mask = e->IPF.outiface_mask,    \
				     .inv_in = e->IPF.invflags & 0x01, .inv_out = e->IPF.invflags & 0x02,  \
				     .is_goto = e->IPF.flags & GOTO_FLAG,                                  \
				     .other = (OTHER) || e->target_offset != sizeof(*e),                   \
				     .verdict = INT_MIN };                                                 \
		snprintf(r->target, sizeof(r->target), "%s", tg->u.user.name);                           \
		if (!r->target[0] && (size_t)(e->next_offset - e->target_offset) >= sizeof(struct xt_standard_target)) \
			r->verdict = ((struct xt_standard_target *)tg)->verdict;                           \
		r->error_target = streq(r->target, XT_ERROR_TARGET);                                       \
		off += e->next_offset;                                                                    \
	}

static bool zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static int load(int family, struct ltable *t)
{
	const char *names = family == AF_INET ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names";
	if (!table_exists(names))
		return -ENOENT;
	_cleanup_close_ int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	struct ipt_getinfo info = { .name = "filter" };  /* same layout as ip6t_getinfo */
	socklen_t len = sizeof(info);
	if (getsockopt(fd, level, family == AF_INET ? IPT_SO_GET_INFO : IP6T_SO_GET_INFO, &info, &len) < 0)
		return -errno;
	if (!(info.valid_hooks & (1 << NF_INET_FORWARD)))
		return -ENOENT;
	size_t hdr = family == AF_INET ? sizeof(struct ipt_get_entries) : sizeof(struct ip6t_get_entries);
	_cleanup_free_ unsigned char *buf = calloc(1, hdr + info.size);
	if (!buf)
		return -ENOMEM;
	struct ipt_get_entries *ge = (struct ipt_get_entries *)buf;  /* name, size: same in both */
	snprintf(ge->name, sizeof(ge->name), "filter");
	ge->size = info.size;
	len = (socklen_t)(hdr + info.size);
	if (getsockopt(fd, level, family == AF_INET ? IPT_SO_GET_ENTRIES : IP6T_SO_GET_ENTRIES, buf, &len) < 0)
		return -errno;
	t->size = info.size;
	t->hook = info.hook_entry[NF_INET_FORWARD];
	t->underflow = info.underflow[NF_INET_FORWARD];
	t->blob = malloc(info.size ? info.size : 1);
	t->r = calloc(info.num_entries + 1, sizeof(*t->r));
	if (!t->blob || !t->r)
		return -ENOMEM;
	memcpy(t->blob, buf + hdr, info.size);
	t->n = 0;
	t->cap = info.num_entries + 1;
	if (family == AF_INET) {
		PARSE_ENTRIES(ipt_entry, ip, IPT_F_GOTO,
			      e->ip.smsk.s_addr || e->ip.dmsk.s_addr || e->ip.proto || (e->ip.flags & IPT_F_FRAG) ||
				      (e->ip.invflags & ~0x03));
	} else {
		PARSE_ENTRIES(ip6t_entry, ipv6, IP6T_F_GOTO,
			      !zero(&e->ipv6.smsk, 16) || !zero(&e->ipv6.dmsk, 16) || (e->ipv6.flags & IP6T_F_PROTO) ||
				      (e->ipv6.flags & IP6T_F_TOS) || (e->ipv6.invflags & ~0x03));
	}
	return 0;
}

static void ltable_free(struct ltable *t)
{
	free(t->blob);
	free(t->r);
}

static int index_of(const struct ltable *t, unsigned off)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].off == off)
			return (int)i;
	return -1;
}

static bool iface_eq(const char *iface, const unsigned char *mask, const char *name)
{
	char padded[IFNAMSIZ] = { 0 };
	snprintf(padded, sizeof(padded), "%s", name);
	for (int i = 0; i < IFNAMSIZ; i++)
		if ((padded[i] ^ iface[i]) & mask[i])
			return false;
	return true;
}

/* 1 match, 0 no match, -1 unknown. name NULL: one of p->others, not known which. */
static int iface_match(const char *iface, const unsigned char *mask, bool inv, const char *name,
		       const struct nft_pkt *p)
{
	if (zero(mask, IFNAMSIZ))
		return 1;  /* any interface: inversion of "any" does not exist in iptables */
	if (name)
		return iface_eq(iface, mask, name) != inv;
	for (size_t i = 0; i < p->n_others; i++)
		if (iface_eq(iface, mask, p->others[i]))
			return -1;
	return inv;
}

static const char *chain_name(const struct ltable *t, int idx)
{
	/* A user chain starts after an ERROR target that carries its name. */
	for (int i = idx - 1; i >= 0; i--)
		if (t->r[i].error_target) {
			const struct xt_error_target *et =
				(const struct xt_error_target *)(t->blob + t->r[i].next - sizeof(struct xt_error_target));
			return et->errorname;
		}
	return "FORWARD";
}

static enum nft_verdict walk(const struct ltable *t, int idx, const struct nft_pkt *p, int depth, bool *uncertain,
			    char *where, size_t len, const char *cmd)
{
	if (idx < 0 || depth > 16) {
		*uncertain = true;
		return NFTV_NEXT;
	}
	for (size_t i = (size_t)idx; i < t->n; i++) {
		const struct lrule *r = &t->r[i];
		if (r->error_target)
			return NFTV_NEXT;
		int mi = iface_match(r->iif, r->iif_mask, r->inv_in, p->iif, p);
		int mo = iface_match(r->oif, r->oif_mask, r->inv_out, p->oif, p);
		if (mi == 0 || mo == 0)
			continue;
		bool unknown = mi < 0 || mo < 0 || r->other;
		int v = r->verdict;
		bool drop = v == -NF_DROP - 1 || streq(r->target, "REJECT") || streq(r->target, "DROP");
		bool policy = depth == 0 && r->off == t->underflow;
		if (!drop && v == INT_MIN)
			continue;  /* LOG, MARK...: not a verdict (or not one we know: see below) */
		if (unknown) {
			if (!drop)
				*uncertain = true;
			continue;
		}
		if (drop) {
			if (policy)
				snprintf(where, len, "the policy DROP of chain FORWARD in %s table filter", cmd);
			else
				snprintf(where, len, "rule %zu of chain %s in %s table filter", i - (size_t)idx + 1,
					 chain_name(t, (int)i), cmd);
			return *uncertain ? NFTV_MAYBE : NFTV_DROP;
		}
		if (v == -NF_ACCEPT - 1)
			return NFTV_ACCEPT;
		if (v == XT_RETURN)
			return NFTV_NEXT;
		if (v < 0) {
			*uncertain = true;  /* QUEUE and the like */
			continue;
		}
		if ((unsigned)v == r->next)
			continue;  /* a jump to the next rule: iptables' "continue" */
		enum nft_verdict s = walk(t, index_of(t, (unsigned)v), p, depth + 1, uncertain, where, len, cmd);
		if (s != NFTV_NEXT || r->is_goto)
			return s;
	}
	return NFTV_NEXT;
}

enum nft_verdict nft_legacy_forward(const struct nft_pkt *p, char *where, size_t len)
{
	struct ltable t = { 0 };
	const char *cmd = p->family == AF_INET ? "iptables-legacy" : "ip6tables-legacy";
	int r = load(p->family, &t);
	if (r < 0) {
		ltable_free(&t);
		if (r == -ENOENT)
			return NFTV_NEXT;
		snprintf(where, len, "%s table filter (unreadable: %s)", cmd, strerror(-r));
		return NFTV_MAYBE;
	}
	bool uncertain = false;
	enum nft_verdict v = walk(&t, index_of(&t, t.hook), p, 0, &uncertain, where, len, cmd);
	ltable_free(&t);
	return v == NFTV_NEXT ? NFTV_ACCEPT : v;
}
