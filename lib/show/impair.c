/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The impairments of a namespace's interfaces, as nsnet sets them
 * (docs/impairments.md): the rate of nsnet's TBF root qdisc (handle 4e53:) and the
 * loss of its drop rule in table inet nsnet_impair. Read from the kernel, so that a
 * qdisc or rule taken away by hand is seen gone.
 */
#include <stdlib.h>
#include <netinet/in.h>  /* before linux/netfilter.h: libc-compat then skips linux/in.h */
#include <linux/netfilter.h>
#include "show/show.h"
#include "link/link.h"
#include "nft/nft.h"
#include "base/base.h"

struct loss_list {
	char *text;
};

static int list_in(void *arg)
{
	struct loss_list *l = arg;
	/* Most namespaces have no such table: asked first, in one message. */
	if (nft_table_exists_here(NFPROTO_INET, "nsnet_impair") == 0)
		return 0;
	if (nft_list_text("list table inet nsnet_impair", 0, &l->text, NULL) < 0)
		l->text = NULL;
	return 0;
}

/* The entry of dev in arr, made when missing. */
static json_t *entry(json_t *arr, const char *dev)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) if (streq(jstr0(o, "dev"), dev)) return o;
	o = json_pack("{s:s, s:n, s:n}", "dev", dev, "rate", "loss");
	json_array_append_new(arr, o);
	return o;
}

int show_impairs_dump(struct nl *nl, int nsfd, const struct show_links *l, json_t *arr, struct nsnet_error *e)
{
	_cleanup_free_ struct link_rate *rates = NULL;
	size_t n = 0;
	int r = link_rates(nl, &rates, &n, e);
	if (r < 0)
		return nsnet_err_wrap(e, "list qdiscs");
	for (size_t i = 0; i < n; i++) {
		const char *dev = show_links_name(l, rates[i].index);
		char buf[32];
		if (dev)
			json_object_set_new(entry(arr, dev), "rate", json_string(rate_str(rates[i].rate, buf, sizeof(buf))));
	}
	struct loss_list ll = { 0 };
	if (ns_run_in(nsfd, list_in, &ll) < 0 || !ll.text)
		return 0;
	_cleanup_free_ char *text = ll.text;
	/* One rule per chain: oifname "IF" numgen random mod 1000000 < PPM drop */
	for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[IF_NAMESIZE + 1];
		unsigned ppm;
		const char *p = strstr(line, "oifname \"");
		if (p && sscanf(p, "oifname \"%16[^\"]\" numgen random mod 1000000 < %u drop", dev, &ppm) == 2) {
			char buf[32];
			json_object_set_new(entry(arr, dev), "loss", json_string(loss_str(ppm, buf, sizeof(buf))));
		}
	}
	return 0;
}
