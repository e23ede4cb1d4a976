/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Doctor quotes rules as nft prints them: the text listing (`nft -a -s list ruleset`)
 * is searched for the rule's handle.
 */
#include "doctor/doctor.h"
#include "base/base.h"

/* "table ip filter {" -> family and name; quotes around names are dropped. */
static bool block_head(const char *line, const char *word, char *a, size_t alen, char *b, size_t blen)
{
	size_t wl = strlen(word);
	if (strncmp(line, word, wl) || line[wl] != ' ')
		return false;
	char x[80] = "", y[80] = "";
	if (sscanf(line + wl + 1, "%79s %79s", x, y) < 1)
		return false;
	if (b) {
		snprintf(a, alen, "%s", x);
		snprintf(b, blen, "%s", y);
	} else {
		snprintf(a, alen, "%s", x);
	}
	for (char *s = a; *s; s++)
		if (*s == '"')
			memmove(s, s + 1, strlen(s));
	if (b)
		for (char *s = b; *s; s++)
			if (*s == '"')
				memmove(s, s + 1, strlen(s));
	return true;
}

void dr_nft_rule_text(const char *listing, const char *family, const char *table, const char *chain, long handle,
		      char *buf, size_t len)
{
	buf[0] = 0;
	if (!listing)
		return;
	char fam[80] = "", tab[80] = "", ch[80] = "", want[32];
	snprintf(want, sizeof(want), " # handle %ld", handle);
	for (const char *l = listing; *l;) {
		const char *end = strchrnul(l, '\n');
		char line[1024];
		size_t n = (size_t)(end - l) < sizeof(line) - 1 ? (size_t)(end - l) : sizeof(line) - 1;
		memcpy(line, l, n);
		line[n] = 0;
		l = *end ? end + 1 : end;
		char *s = line;
		while (*s == '\t' || *s == ' ')
			s++;
		if (block_head(s, "table", fam, sizeof(fam), tab, sizeof(tab))) {
			ch[0] = 0;
			continue;
		}
		if (block_head(s, "chain", ch, sizeof(ch), NULL, 0))
			continue;
		size_t sl = strlen(s), wl = strlen(want);
		if (sl > wl && streq(s + sl - wl, want) && streq(fam, family) && streq(tab, table) && streq(ch, chain)) {
			s[sl - wl] = 0;
			snprintf(buf, len, "%s", s);
			return;
		}
	}
}
