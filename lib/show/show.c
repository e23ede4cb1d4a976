/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet_show(): what is in each namespace, read through rtnetlink dumps into one
 * jansson model per namespace. The CLI renders both its text and its --json from
 * this model, so the two cannot drift; the keys are documented in docs/show-json.md.
 */
#include <linux/netconf.h>
#include <unistd.h>
#include "show/show.h"
#include "base/base.h"

static int netconf_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWNETCONF)
		return MNL_CB_OK;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct netconfmsg))
		if (mnl_attr_get_type(a) == NETCONFA_FORWARDING && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*(int *)data = mnl_attr_get_u32(a) != 0;
	return MNL_CB_OK;
}

/*
 * Whether the namespace forwards family: 1, 0, or -1 when it cannot say (IPv6
 * disabled). net.ipv4.ip_forward and net.ipv6.conf.all.forwarding are the "all"
 * devconf, which RTM_GETNETCONF reports. Reading them from /proc/sys inside the
 * namespace instead makes `show` quadratic: opening a /proc/sys/net file costs time
 * in proportion to the number of namespaces (measured on kernel 6.18: 70 us with 10
 * namespaces, 1 ms with 1000; every namespace's sysctl entries share the same
 * directories), and it needs a thread per namespace to be inside.
 */
static int forwarding(struct nl *nl, int family, int *ret, struct nsnet_error *e)
{
	char buf[256];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETNETCONF, 0);
	struct netconfmsg *ncm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ncm));
	ncm->ncm_family = family;
	mnl_attr_put_u32(nlh, NETCONFA_IFINDEX, (uint32_t)NETCONFA_IFINDEX_ALL);
	*ret = -1;
	int r = show_nl_get(nl, nlh, netconf_cb, ret);
	if (r == -EAFNOSUPPORT || r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return nsnet_err(e, r, "read %s forwarding", family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

static json_t *tristate(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

/* The model of one namespace; nsfd is the caller's own for "host". */
static int show_one(struct show_peers *peers, const char *name, json_t **ret, struct nsnet_error *e)
{
	bool host = streq(name, NSNET_HOST);
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(name, &fd, e);
	if (r < 0)
		return r;
	_cleanup_nl_ struct nl *nl = NULL;
	r = nl_open_fd(host ? NS_SELF : fd, &nl, e);
	if (r < 0)
		return nsnet_err_wrap(e, "namespace '%s'", name);

	_cleanup_(show_links_clear) struct show_links links = { 0 };
	json_t *ifaces = json_array(), *addrs = json_array(), *routes = json_array(), *neighs = json_array();
	json_t *fwd = json_object(), *o = json_object(), *imp = json_array();
	if (!ifaces || !addrs || !routes || !neighs || !fwd || !o || !imp) {
		r = nsnet_err(e, ENOMEM, "show");
		goto out;
	}
	show_peers_enter(peers, nl, name);
	if ((r = show_links_dump(nl, &links, e)) < 0 || (r = show_peers_resolve(peers, &links, e)) < 0 ||
	    (r = show_addrs_dump(nl, &links, addrs, e)) < 0 || (r = show_routes_dump(nl, &links, routes, e)) < 0 ||
	    (r = show_neighs_dump(nl, &links, neighs, e)) < 0 ||
	    (r = show_impairs_dump(nl, host ? NS_SELF : fd, &links, imp, e)) < 0)
		goto out;
	for (size_t i = 0; i < links.n; i++)
		if (json_array_append(ifaces, links.v[i].obj) < 0) {
			r = nsnet_err(e, ENOMEM, "show");
			goto out;
		}
	int v4, v6;
	if ((r = forwarding(nl, AF_INET, &v4, e)) < 0 || (r = forwarding(nl, AF_INET6, &v6, e)) < 0)
		goto out;
	if (show_set(fwd, "ipv4", tristate(v4)) || show_set(fwd, "ipv6", tristate(v6)) ||
	    show_set(o, "namespace", json_string(name)) || show_set(o, "interfaces", TAKE_PTR(ifaces)) ||
	    show_set(o, "addresses", TAKE_PTR(addrs)) || show_set(o, "routes", TAKE_PTR(routes)) ||
	    show_set(o, "neighbours", TAKE_PTR(neighs)) || show_set(o, "forwarding", TAKE_PTR(fwd)) ||
	    show_set(o, "impairments", TAKE_PTR(imp))) {
		r = nsnet_err(e, ENOMEM, "show");
		goto out;
	}
	*ret = TAKE_PTR(o);
	r = 0;
out:
	if (r < 0)
		nsnet_err_wrap(e, "namespace '%s'", name);
	json_decref(ifaces);
	json_decref(addrs);
	json_decref(routes);
	json_decref(neighs);
	json_decref(fwd);
	json_decref(imp);
	json_decref(o);
	return r;
}

/*
 * Many namespaces are shown in parallel: worker w takes the w-th contiguous slice
 * of the names, with a peer resolver of its own (its answers are per namespace
 * anyway), and each namespace's model lands in its slot, so the order is the
 * names' order. A failure stops its worker; the first failure in the names' order
 * is the one reported, as when they were shown one after the other.
 */
struct show_all {
	const char *const *names;
	size_t n, k;
	bool listed;
	json_t **out;       /* per name; NULL: failed, or vanished since the listing */
	size_t *failed_at;  /* per worker: the index of its failure, or n */
	int *ret;           /* per worker */
	struct nsnet_error *err;  /* per worker */
};

static int show_slice(size_t w, void *ctx, struct nsnet_error *unused)
{
	struct show_all *a = ctx;
	size_t from = w * a->n / a->k, to = (w + 1) * a->n / a->k;
	struct show_peers *peers = NULL;
	a->failed_at[w] = a->n;
	int r = show_peers_new(&peers, &a->err[w]);
	for (size_t i = from; i < to; i++) {
		if (r >= 0)
			r = show_one(peers, a->names[i], &a->out[i], &a->err[w]);
		/* A namespace removed since the listing is simply not there any more. */
		if (r == -ENOENT && a->listed && !nsnet_ns_exists(a->names[i])) {
			r = 0;
			continue;
		}
		if (r < 0) {
			a->failed_at[w] = i;
			a->ret[w] = r;
			break;
		}
	}
	show_peers_free(peers);
	(void)unused;
	return 0;
}

int nsnet_show(const char *const *names, size_t n, json_t **ret, struct nsnet_error *e)
{
	char **all = NULL;
	size_t n_all = 0;
	bool listed = !names || n == 0;
	int r;
	if (listed) {
		r = nsnet_ns_list(&all, &n_all, e);
		if (r < 0)
			return nsnet_err_wrap(e, "show");
		names = (const char *const *)all;
		n = n_all;
	} else {
		/* Every name is checked before anything is read. */
		for (size_t i = 0; i < n; i++) {
			if (streq(names[i], NSNET_HOST))
				continue;
			_cleanup_close_ int fd = -1;
			if ((r = nsnet_ns_open(names[i], &fd, e)) < 0)
				return r;
		}
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k = n / 32 + 1;  /* below that a second thread costs more than it saves */
	if (k > (size_t)(cpus > 0 ? cpus : 1))
		k = (size_t)(cpus > 0 ? cpus : 1);
	struct show_all a = { .names = names, .n = n, .k = k, .listed = listed, .out = calloc(n + 1, sizeof(*a.out)),
			      .failed_at = calloc(k, sizeof(size_t)), .ret = calloc(k, sizeof(int)),
			      .err = calloc(k, sizeof(struct nsnet_error)) };
	json_t *arr = json_array();
	if (!arr || !a.out || !a.failed_at || !a.ret || !a.err)
		r = nsnet_err(e, ENOMEM, "show");
	else
		r = run_parallel_threads(k, show_slice, &a, k, e);
	/* The first failure in the names' order, as a serial walk would have met it. */
	size_t first = n;
	for (size_t w = 0; r >= 0 && w < k; w++)
		if (a.failed_at[w] < first) {
			first = a.failed_at[w];
			r = a.ret[w];
			if (e)
				*e = a.err[w];
		}
	for (size_t i = 0; a.out && i < n; i++) {
		if (r >= 0 && a.out[i] && json_array_append_new(arr, a.out[i]) < 0)
			r = nsnet_err(e, ENOMEM, "show");
		else if (r < 0)
			json_decref(a.out[i]);
	}
	free(a.out);
	free(a.failed_at);
	free(a.ret);
	free(a.err);
	nsnet_strv_free(all, n_all);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return 0;
}
