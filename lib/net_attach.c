/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attach namespaces to a network: for each, a veth whose host end is a bridge port
 * and whose other end is born inside the namespace, an address from the pool (or a
 * static one), links up, a default route via the gateway. Many namespaces per call
 * is the fast path: the veths of a chunk go to the kernel in one sendmsg, and each
 * namespace's configuration in one more.
 */
#include <linux/if_link.h>
#include "link.h"
#include "net.h"
#include "util.h"

#define CHUNK 128  /* namespaces whose fds and sockets are open at once */

struct plan {
	const char *ns;
	char ifname[16];
	char host_if[16];
	struct nsnet_prefix ip[2];
	size_t n_ip;
	int nsfd;
	struct nl *nl;
	bool created;
};

static int check_args(const char *net, const char *const *ns, size_t n, const struct nsnet_attach_opts *o,
		      struct nsnet_error *e)
{
	int r = nsnet_net_name_check(net, e);
	if (r < 0)
		return r;
	if (n == 0)
		return nsnet_errx(e, EINVAL, "no namespace given");
	if (o->ip && n > 1)
		return nsnet_errx(e, EINVAL, "a static address can be given for one namespace only");
	if (o->ifname && (r = nsnet_ifname_check(o->ifname, e)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (streq(ns[i], NSNET_HOST))
			return nsnet_errx(e, EINVAL, "the host is on every network through the bridge; attach namespaces");
		if ((r = nsnet_ns_name_check(ns[i], e)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (streq(ns[i], ns[j]))
				return nsnet_errx(e, EINVAL, "namespace '%s' given twice", ns[i]);
		if (!nsnet_ns_exists(ns[i]))
			return nsnet_errx(e, ENOENT, "namespace '%s' not found", ns[i]);
	}
	return 0;
}

/* Give every plan its addresses: the static one if asked, else the pool's next. */
static int plan_addresses(json_t *net, struct plan *p, size_t n, const struct nsnet_attach_opts *o,
			  struct nsnet_error *e)
{
	char buf[64];
	if (o->ip && !net_subnet(net, o->ip->family))
		return nsnet_errx(e, EINVAL, "network '%s' has no %s subnet for %s",
				  json_string_value(json_object_get(net, "name")), o->ip->family == AF_INET ? "IPv4" : "IPv6",
				  nsnet_prefix_str(o->ip, false, buf, sizeof(buf)));
	size_t si;
	json_t *sub;
	json_array_foreach(json_object_get(net, "subnets"), si, sub) {
		struct ipam pool;
		int r = net_ipam(net, sub, &pool, e);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n && r == 0; i++) {
			struct nsnet_prefix *a = &p[i].ip[p[i].n_ip];
			if (o->ip && o->ip->family == pool.net.family) {
				*a = *o->ip;
				a->len = pool.net.len;
				r = ipam_mark(&pool, a);
				nsnet_prefix_str(a, false, buf, sizeof(buf));
				if (r == -ERANGE)
					r = nsnet_errx(e, EINVAL, "address %s is outside the usable range of %s", buf,
						       json_string_value(json_object_get(sub, "cidr")));
				else if (r == -EEXIST)
					r = nsnet_errx(e, EADDRINUSE, "address %s is already in use on network '%s'", buf,
						       json_string_value(json_object_get(net, "name")));
			} else {
				r = ipam_alloc(&pool, a);
				if (r == -ENOSPC)
					r = nsnet_errx(e, ENOSPC, "no free address left in %s",
						       json_string_value(json_object_get(sub, "cidr")));
			}
			if (r == 0)
				p[i].n_ip++;
		}
		json_object_set_new(sub, "next", json_integer((json_int_t)pool.next));
		ipam_done(&pool);
		if (r < 0)
			return r;
	}
	return 0;
}

static int first_free_eth(struct nl *nl, const char *want, char out[16], struct nsnet_error *e)
{
	struct name_set names;
	int r = host_link_names(nl, &names, e);
	if (r < 0)
		return r;
	if (want) {
		snprintf(out, 16, "%s", want);
		r = name_set_has(&names, want) ? -EEXIST : 0;
	} else {
		for (int i = 0;; i++) {
			snprintf(out, 16, "eth%d", i);
			if (!name_set_has(&names, out))
				break;
		}
	}
	name_set_free(&names);
	return r;
}

static void plan_close(struct plan *p)
{
	if (p->nl)
		nl_close(p->nl);
	if (p->nsfd >= 0)
		close(p->nsfd);
	p->nl = NULL;
	p->nsfd = -1;
}

/* Everything inside one namespace, in one batch. */
static int configure_ns(struct plan *p, json_t *net, bool v6, const struct nsnet_attach_opts *o,
			struct nsnet_error *e)
{
	int idx = link_index(p->nl, p->ifname);
	if (idx < 0)
		return nsnet_err(e, idx, "find %s", p->ifname);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_set(&b, 0, "lo", LINK_UP);
	msg_link_set(&b, idx, p->ifname, LINK_UP | (v6 ? 0 : LINK_NO_IPV6LL));
	for (size_t i = 0; i < p->n_ip; i++)
		msg_addr(&b, true, idx, &p->ip[i], p->ifname);
	for (size_t i = 0; i < p->n_ip && !o->no_default_route; i++) {
		struct nsnet_prefix gw, def = { .family = p->ip[i].family };
		json_t *sub = net_subnet(net, p->ip[i].family);
		if (nsnet_addr_parse(json_string_value(json_object_get(sub, "gateway")), &gw, NULL) < 0)
			continue;
		msg_route(&b, true, &def, &gw, idx);
		/* The namespace keeps a default route it already has. */
		nl_batch_tolerate(&b, EEXIST);
	}
	return nl_batch_send(p->nl, &b, e);
}

static int attach_chunk(struct nl *host, json_t *net, struct plan *p, size_t n, int bridge, bool v6,
			const struct nsnet_attach_opts *o, struct nsnet_error *e)
{
	int r = 0;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	unsigned mtu = (unsigned)json_integer_value(json_object_get(net, "mtu"));
	for (size_t i = 0; i < n && r == 0; i++) {
		if ((r = nsnet_ns_open(p[i].ns, &p[i].nsfd, e)) < 0 || (r = nl_open_fd(p[i].nsfd, &p[i].nl, e)) < 0)
			break;
		r = first_free_eth(p[i].nl, o->ifname, p[i].ifname, e);
		if (r == -EEXIST)
			r = nsnet_errx(e, EEXIST, "namespace '%s' already has an interface named %s", p[i].ns, o->ifname);
		if (r < 0)
			break;
		struct veth_msg v = { .name = p[i].host_if, .ns_fd = -1, .peer = p[i].ifname, .peer_fd = p[i].nsfd,
				      .mtu = mtu, .master = bridge };
		msg_veth_add(&b, &v);
		p[i].created = true;  /* maybe: a failed create is tolerated on undo */
	}
	for (size_t i = 0; i < n && r == 0; i++)
		msg_link_set(&b, 0, p[i].host_if, LINK_UP | (v6 ? 0 : LINK_NO_IPV6LL));
	if (r == 0)
		r = nl_batch_send(host, &b, e);
	for (size_t i = 0; i < n && r == 0; i++) {
		r = configure_ns(&p[i], net, v6, o, e);
		if (r < 0)
			nsnet_err_wrap(e, "in namespace '%s'", p[i].ns);
	}
	for (size_t i = 0; i < n; i++)
		plan_close(&p[i]);
	return r;
}

static void member_json(json_t *net, const struct plan *p, bool pending)
{
	json_t *ips = json_array();
	char buf[64];
	for (size_t i = 0; i < p->n_ip; i++)
		json_array_append_new(ips, json_string(nsnet_prefix_str(&p->ip[i], true, buf, sizeof(buf))));
	json_t *m = json_pack("{s:s, s:s, s:s, s:o, s:s}", "ns", p->ns, "ifname", p->ifname, "host_ifname", p->host_if,
			      "ips", ips, "state", pending ? "pending" : "up");
	if (pending)
		json_object_set_new(m, "pid", json_integer(getpid()));
	json_array_append_new(json_object_get(net, "members"), m);
}

static void drop_members(json_t *net, const struct plan *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t idx;
		if (net_member(net, p[i].ns, &idx))
			json_array_remove(json_object_get(net, "members"), idx);
	}
}

int nsnet_net_attach(const char *name, const char *const *ns, size_t n, const struct nsnet_attach_opts *opts,
		     struct nsnet_error *e)
{
	static const struct nsnet_attach_opts none;
	const struct nsnet_attach_opts *o = opts ? opts : &none;
	int r = check_args(name, ns, n, o, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *net = NULL;
	if ((r = state_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	_cleanup_free_ struct plan *p = calloc(n, sizeof(*p));
	_cleanup_nl_ struct nl *host = NULL;
	struct name_set links = { 0 };
	bool changed = false;
	if (!p) {
		r = nsnet_err(e, ENOMEM, "attach");
		goto out;
	}
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = net_reconcile(net, host, &changed, e)) < 0 ||
	    (r = host_link_names(host, &links, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		p[i].ns = ns[i];
		p[i].nsfd = -1;
		if (net_member(net, ns[i], NULL)) {
			r = nsnet_errx(e, EEXIST, "namespace '%s' is already attached to network '%s'", ns[i], name);
			goto out;
		}
		nsnet_net_host_ifname(name, ns[i], p[i].host_if);
		if (name_set_has(&links, p[i].host_if)) {
			r = nsnet_errx(e, EEXIST, "an interface named %s exists already in the host", p[i].host_if);
			goto out;
		}
	}
	if ((r = plan_addresses(net, p, n, o, e)) < 0)
		goto out;
	/* An --ifname already taken is a validation error: find it before any change. */
	for (size_t i = 0; o->ifname && i < n && r == 0; i++) {
		struct nl *nl;
		char tmp[16];
		if ((r = nl_open(ns[i], &nl, e)) < 0)
			goto out;
		r = first_free_eth(nl, o->ifname, tmp, e);
		nl_close(nl);
		if (r == -EEXIST)
			r = nsnet_errx(e, EEXIST, "namespace '%s' already has an interface named %s", ns[i], o->ifname);
		if (r < 0)
			goto out;
	}

	/* Record the members as pending before touching the kernel. */
	for (size_t i = 0; i < n; i++)
		member_json(net, &p[i], true);
	if ((r = state_net_save(net, e)) < 0)
		goto out;
	drop_members(net, p, n);

	const char *bridge = json_string_value(json_object_get(net, "bridge"));
	int bidx = link_index(host, bridge);
	bool v6 = net_subnet(net, AF_INET6) != NULL;
	if (bidx < 0)
		r = nsnet_errx(e, ENODEV, "bridge %s of network '%s' is gone; recreate the network", bridge, name);
	for (size_t i = 0; i < n && r == 0; i += CHUNK)
		r = attach_chunk(host, net, p + i, n - i < CHUNK ? n - i : CHUNK, bidx, v6, o, e);
	if (r < 0) {
		const char **ifs = calloc(n, sizeof(*ifs));
		size_t k = 0;
		for (size_t i = 0; ifs && i < n; i++)
			if (p[i].created)
				ifs[k++] = p[i].host_if;
		if (ifs)
			net_delete_host_links(host, ifs, k, NULL);
		free(ifs);
		state_net_save(net, NULL);
		nsnet_err_wrap(e, "attach to network '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		member_json(net, &p[i], false);
	r = state_net_save(net, e);
out:
	name_set_free(&links);
	json_decref(net);
	return r;
}

int nsnet_net_detach(const char *name, const char *const *ns, size_t n, struct nsnet_error *e)
{
	int r = nsnet_net_name_check(name, e);
	if (r < 0)
		return r;
	if (n == 0)
		return nsnet_errx(e, EINVAL, "no namespace given");
	_cleanup_close_ int lock = -1;
	json_t *net;
	if ((r = state_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	_cleanup_nl_ struct nl *host = NULL;
	bool changed = false;
	_cleanup_free_ const char **ifs = calloc(n, sizeof(*ifs));
	if (!ifs) {
		r = nsnet_err(e, ENOMEM, "detach");
		goto out;
	}
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = net_reconcile(net, host, &changed, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *m = net_member(net, ns[i], NULL);
		if (!m) {
			r = nsnet_errx(e, ENOENT, "namespace '%s' is not attached to network '%s'", ns[i], name);
			goto out;
		}
		ifs[i] = json_string_value(json_object_get(m, "host_ifname"));
	}
	if ((r = net_delete_host_links(host, ifs, n, e)) < 0) {
		nsnet_err_wrap(e, "detach from network '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t idx;
		if (net_member(net, ns[i], &idx))
			json_array_remove(json_object_get(net, "members"), idx);
	}
	r = state_net_save(net, e);
out:
	json_decref(net);
	return r;
}
