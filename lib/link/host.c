/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's links by name: listing them, waiting for them to go, deleting many at once. */
#include <time.h>
#include <linux/if_link.h>
#include "link/link.h"
#include "base/base.h"

static int names_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link l;
	if (rtnl_link_decode(nlh, &l) <= 0 || !l.name[0])
		return MNL_CB_OK;
	return name_set_add(data, l.name) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void names_reset(void *data)
{
	((struct name_set *)data)->n = 0;  /* keep the buffer, refill from scratch */
}

static int cmpname(const void *a, const void *b)
{
	return strcmp(a, b);
}

int host_link_names(struct nl *nl, struct name_set *ret, struct nsnet_error *e)
{
	struct name_set s = { 0 };
	int r = rtnl_dump_links(nl, names_cb, names_reset, &s, e);
	if (r < 0) {
		free(s.names);
		return r;
	}
	if (s.n)
		qsort(s.names, s.n, sizeof(*s.names), cmpname);
	*ret = s;
	return 0;
}

bool name_set_has(const struct name_set *s, const char *name)
{
	return s->n && bsearch(name, s->names, s->n, sizeof(*s->names), cmpname) != NULL;
}

int name_set_add(struct name_set *s, const char *name)
{
	if (!name)
		return -EINVAL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char(*nn)[16] = realloc(s->names, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		s->names = nn;
		s->cap = cap;
	}
	snprintf(s->names[s->n++], 16, "%s", name);
	return 0;
}

void name_set_sort(struct name_set *s)
{
	if (s->n)
		qsort(s->names, s->n, sizeof(*s->names), cmpname);
}

void name_set_free(struct name_set *s)
{
	free(s->names);
	s->names = NULL;
	s->n = s->cap = 0;
}

int wait_links_gone(struct nl *nl, struct name_set *names, int max_ms)
{
	for (int waited = 0;; waited += 10) {
		struct name_set now;
		if (host_link_names(nl, &now, NULL) < 0)
			return (int)names->n;
		size_t k = 0;
		for (size_t i = 0; i < names->n; i++)
			if (name_set_has(&now, names->names[i]))
				memmove(names->names[k++], names->names[i], 16);
		names->n = k;
		name_set_free(&now);
		if (k == 0 || waited >= max_ms)
			return (int)k;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int host_links_delete(struct nl *host, const char *const *ifnames, size_t n, struct nsnet_error *e)
{
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	if (n == 1) {
		msg_link_del(&b, 0, ifnames[0]);
		nl_batch_tolerate(&b, ENODEV);  /* gone with its namespace already */
		return nl_batch_send(host, &b, e);
	}
	/* Many links: gather them in a group of their own and delete the group, so
	 * the kernel unregisters them together with one RCU wait instead of one each.
	 * The group number is ours alone while we hold the state lock. */
	uint32_t group = NSNET_DELETE_GROUP;
	for (size_t i = 0; i < n; i++) {
		msg_link_group(&b, ifnames[i], group);
		nl_batch_tolerate(&b, ENODEV);
	}
	msg_link_del_group(&b, group);
	nl_batch_tolerate(&b, ENODEV);
	return nl_batch_send(host, &b, e);
}
