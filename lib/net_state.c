/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network's state in memory: subnets, members, pools, and reconciliation with the kernel. */
#include <signal.h>
#include <time.h>
#include <linux/if_link.h>
#include "fw.h"
#include "link.h"
#include "net.h"
#include "util.h"

json_t *net_subnet(json_t *net, int family)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(net, "subnets"), i, s) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(json_string_value(json_object_get(s, "cidr")), true, &p, NULL) == 0 &&
		    p.family == family)
			return s;
	}
	return NULL;
}

json_t *net_member(json_t *net, const char *ns, size_t *ret_idx)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		const char *n = json_string_value(json_object_get(m, "ns"));
		if (n && streq(n, ns)) {
			if (ret_idx)
				*ret_idx = i;
			return m;
		}
	}
	return NULL;
}

int net_ipam(json_t *net, json_t *subnet, struct ipam *ret, struct nsnet_error *e)
{
	struct nsnet_prefix p, gw;
	const char *cidr = json_string_value(json_object_get(subnet, "cidr"));
	int r = nsnet_prefix_parse(cidr, true, &p, e);
	if (r < 0)
		return r;
	ipam_init(ret, &p, (uint64_t)json_integer_value(json_object_get(subnet, "next")));
	if (nsnet_addr_parse(json_string_value(json_object_get(subnet, "gateway")), &gw, NULL) == 0)
		ipam_mark(ret, &gw);
	size_t i, j;
	json_t *m, *ip;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		json_array_foreach(json_object_get(m, "ips"), j, ip) {
			struct nsnet_prefix a;
			if (nsnet_prefix_parse(json_string_value(ip), true, &a, NULL) == 0 && a.family == p.family &&
			    ipam_mark(ret, &a) == -ENOMEM) {
				ipam_done(ret);
				return nsnet_err(e, ENOMEM, "address pool of %s", cidr);
			}
		}
	}
	return 0;
}

static int names_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			return name_set_add(data, mnl_attr_get_str(a)) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	}
	return MNL_CB_OK;
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
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	struct name_set s = { 0 };
	int r = nl_dump(nl, nlh, names_cb, names_reset, &s, e);
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

int net_reconcile(json_t *net, struct nl *host, bool *changed, struct nsnet_error *e)
{
	struct name_set links;
	int r = host_link_names(host, &links, e);
	if (r < 0)
		return r;
	json_t *members = json_object_get(net, "members");
	struct name_set undo = { 0 };
	for (size_t i = json_array_size(members); i-- > 0;) {
		json_t *m = json_array_get(members, i);
		const char *state = json_string_value(json_object_get(m, "state"));
		const char *host_if = json_string_value(json_object_get(m, "host_ifname"));
		bool exists = host_if && name_set_has(&links, host_if);
		if (state && streq(state, "pending")) {
			pid_t pid = (pid_t)json_integer_value(json_object_get(m, "pid"));
			if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
				continue;  /* its attach is still running */
			/* Its attach died: the veth it may have made may lack its address, its
			 * route or even its name inside; undo it rather than guess (the pending
			 * record is the attach's journal). */
			if (exists && nsnet_ifname_check(host_if, NULL) == 0 && name_set_add(&undo, host_if) < 0) {
				name_set_free(&undo);
				name_set_free(&links);
				return nsnet_err(e, ENOMEM, "reconcile");
			}
			json_array_remove(members, i);
			*changed = true;
		} else if (!exists) {
			/* Its namespace is gone: so are its published ports. */
			char ns[256];
			snprintf(ns, sizeof(ns), "%s", json_string_value(json_object_get(m, "ns")));
			json_array_remove(members, i);
			fw_member_removed(net, ns, NULL);
			*changed = true;
		}
	}
	name_set_free(&links);
	r = 0;
	if (undo.n) {
		_cleanup_free_ const char **ifs = calloc(undo.n, sizeof(*ifs));
		for (size_t i = 0; ifs && i < undo.n; i++)
			ifs[i] = undo.names[i];
		r = ifs ? net_delete_host_links(host, ifs, undo.n, e) : nsnet_err(e, ENOMEM, "reconcile");
	}
	name_set_free(&undo);
	return r;
}

int net_delete_host_links(struct nl *host, const char *const *ifnames, size_t n, struct nsnet_error *e)
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
