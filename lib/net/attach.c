/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Attach namespaces to a network: for each, a veth whose host end is a bridge port
 * and whose other end is born inside the namespace, an address from the pool (or a
 * static one), links up, a default route via the gateway. Many namespaces per call
 * is the fast path: the veths of a chunk go to the kernel in one sendmsg, and each
 * namespace's configuration in one more.
 */
#include <linux/if_link.h>
#include <sched.h>
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "base/base.h"
#include "net/net.h"

#define CHUNK 128  /* namespaces whose fds and sockets are open at once */

struct plan {
	const struct attach_req *req;
	const char *ns;
	char ifname[16];
	char host_if[16];
	struct nsnet_prefix ip[2];
	size_t n_ip;
	int peer_index;   /* the namespace end's ifindex, chosen by us */
	int nsfd;
	struct nl *nl;
	bool created;
};

static int check_reqs(const struct attach_req *req, size_t n, struct nsnet_error *e)
{
	int r;
	if (n == 0)
		return nsnet_errx(e, EINVAL, "no namespace given");
	json_auto_t *seen = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *ns = req[i].ns;
		if (streq(ns, NSNET_HOST))
			return nsnet_errx(e, EINVAL, "the host is on every network through the bridge; attach namespaces");
		if ((r = nsnet_ns_name_check(ns, e)) < 0)
			return r;
		if (req[i].ifname && (r = nsnet_ifname_check(req[i].ifname, e)) < 0)
			return r;
		if (json_object_get(seen, ns))
			return nsnet_errx(e, EINVAL, "namespace '%s' given twice", ns);
		json_object_set_new(seen, ns, json_true());
		if (!nsnet_ns_exists(ns))
			return nsnet_errx(e, ENOENT, "namespace '%s' not found", ns);
	}
	return 0;
}

/* Give every plan its addresses: the static ones asked for, else the pool's next. */
static int plan_addresses(json_t *net, struct plan *p, size_t n, struct nsnet_error *e)
{
	char buf[64];
	const char *name = json_string_value(json_object_get(net, "name"));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < p[i].req->n_ip; k++)
			if (!net_subnet(net, p[i].req->ip[k].family))
				return nsnet_errx(e, EINVAL, "network '%s' has no %s subnet for %s", name,
						  p[i].req->ip[k].family == AF_INET ? "IPv4" : "IPv6",
						  nsnet_prefix_str(&p[i].req->ip[k], false, buf, sizeof(buf)));
	size_t si;
	json_t *sub;
	json_array_foreach(json_object_get(net, "subnets"), si, sub) {
		struct ipam pool;
		int r = net_ipam(net, sub, &pool, e);
		if (r < 0)
			return r;
		/* Static addresses first, so the pool never hands one of them out. */
		for (size_t pass = 0; pass < 2 && r == 0; pass++) {
			for (size_t i = 0; i < n && r == 0; i++) {
				const struct nsnet_prefix *want = NULL;
				for (size_t k = 0; k < p[i].req->n_ip; k++)
					if (p[i].req->ip[k].family == pool.net.family)
						want = &p[i].req->ip[k];
				if ((pass == 0) != (want != NULL))
					continue;
				struct nsnet_prefix *a = &p[i].ip[p[i].n_ip];
				unsigned host_len = pool.net.family == AF_INET ? 32 : 128;
				if (want && want->len != host_len && want->len != pool.net.len) {
					r = nsnet_errx(e, EINVAL, "address %s: prefix length /%u differs from the subnet's /%u",
						       nsnet_prefix_str(want, true, buf, sizeof(buf)), want->len, pool.net.len);
					break;
				}
				if (want) {
					*a = *want;
					a->len = pool.net.len;
					r = ipam_mark(&pool, a);
					nsnet_prefix_str(a, false, buf, sizeof(buf));
					if (r == -ERANGE)
						r = nsnet_errx(e, EINVAL, "address %s is outside the usable range of %s", buf,
							       json_string_value(json_object_get(sub, "cidr")));
					else if (r == -EEXIST)
						r = nsnet_errx(e, EADDRINUSE, "address %s is already in use on network '%s'",
							       buf, name);
				} else {
					r = ipam_alloc(&pool, a);
					if (r == -ENOSPC)
						r = nsnet_errx(e, ENOSPC, "no free address left in %s",
							       json_string_value(json_object_get(sub, "cidr")));
				}
				if (r == 0)
					p[i].n_ip++;
			}
		}
		json_object_set_new(sub, "next", json_integer((json_int_t)pool.next));
		ipam_done(&pool);
		if (r < 0)
			return r;
	}
	return 0;
}

struct ns_links {
	struct name_set names;
	int max_index;
};

static int ns_links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ns_links *l = data;
	struct rtnl_link d;
	if (rtnl_link_decode(nlh, &d) <= 0)
		return MNL_CB_OK;
	if (d.index > l->max_index)
		l->max_index = d.index;
	if (d.name[0] && name_set_add(&l->names, d.name) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static void ns_links_reset(void *data)
{
	struct ns_links *l = data;
	l->names.n = 0;
	l->max_index = 0;
}

/* Pick the namespace end's name (the wanted one, or the first free ethN) and an
 * ifindex for it, so no lookup is needed after the veth is made. */
static int choose_ifname(struct nl *nl, const char *want, char out[16], int *ret_index, struct nsnet_error *e)
{
	struct ns_links l = { 0 };
	int r = rtnl_dump_links(nl, ns_links_cb, ns_links_reset, &l, e);
	if (r < 0)
		goto out;
	for (int i = 0; !want; i++) {
		snprintf(out, 16, "eth%d", i);
		bool taken = false;
		for (size_t k = 0; k < l.names.n && !taken; k++)
			taken = streq(l.names.names[k], out);
		if (!taken)
			break;
	}
	if (want) {
		snprintf(out, 16, "%s", want);
		for (size_t k = 0; k < l.names.n && r == 0; k++)
			if (streq(l.names.names[k], want))
				r = -EEXIST;
	}
	*ret_index = l.max_index + 1;
out:
	free(l.names.names);
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

struct chunk {
	struct plan *p;
	json_t *net;
	bool v6;
};

/* On a worker thread: enter the namespace, open its socket, choose the names. */
static int prepare_ns(size_t i, void *ctx, struct nsnet_error *e)
{
	struct chunk *c = ctx;
	struct plan *p = &c->p[i];
	int r = nsnet_ns_open(p->ns, &p->nsfd, e);
	if (r < 0)
		return r;
	if (setns(p->nsfd, CLONE_NEWNET) < 0)
		return nsnet_err(e, errno, "enter namespace '%s'", p->ns);
	if ((r = nl_open_fd(NS_SELF, &p->nl, e)) < 0)
		return r;
	r = choose_ifname(p->nl, p->req->ifname, p->ifname, &p->peer_index, e);
	if (r == -EEXIST)
		return nsnet_errx(e, EEXIST, "namespace '%s' already has an interface named %s", p->ns, p->req->ifname);
	return r;
}

/* Everything inside one namespace, in one batch. */
static int configure_ns(size_t i, void *ctx, struct nsnet_error *e)
{
	struct chunk *c = ctx;
	struct plan *p = &c->p[i];
	/* The kernel honours the peer's requested ifindex only when the host end's is
	 * requested too (veth_newlink), so p->peer_index is a guess that fails once the
	 * namespace has lost a link (the allocator moves on): look the link up. */
	int idx = link_index(p->nl, p->ifname);
	if (idx < 0)
		return nsnet_err(e, idx, "find %s in namespace '%s'", p->ifname, p->ns);
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_link_set(&b, 0, "lo", LINK_UP);
	msg_link_set(&b, idx, p->ifname, LINK_UP | (c->v6 ? 0 : LINK_NO_IPV6LL));
	for (size_t k = 0; k < p->n_ip; k++)
		msg_addr(&b, true, idx, &p->ip[k], p->ifname);
	for (size_t k = 0; k < p->n_ip && p->req->default_route; k++) {
		struct nsnet_prefix gw, def = { .family = p->ip[k].family };
		json_t *sub = net_subnet(c->net, p->ip[k].family);
		if (nsnet_addr_parse(json_string_value(json_object_get(sub, "gateway")), &gw, NULL) < 0)
			continue;
		msg_route(&b, true, &def, &gw, idx);
		/* The namespace keeps a default route it already has. */
		nl_batch_tolerate(&b, EEXIST);
	}
	int r = nl_batch_send(p->nl, &b, e);
	return r < 0 ? nsnet_err_wrap(e, "in namespace '%s'", p->ns) : 0;
}

static int attach_chunk(struct nl *host, json_t *net, struct plan *p, size_t n, int bridge, bool v6,
			struct nsnet_error *e)
{
	struct chunk c = { p, net, v6 };
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	unsigned mtu = (unsigned)json_integer_value(json_object_get(net, "mtu"));
	int r = run_parallel(n, prepare_ns, &c, e);
	/* The veths of the whole chunk in one sendmsg: RTNL serialises them anyway. */
	for (size_t i = 0; i < n && r == 0; i++) {
		struct veth_msg v = { .name = p[i].host_if, .ns_fd = -1, .peer = p[i].ifname, .peer_fd = p[i].nsfd,
				      .peer_index = p[i].peer_index, .mtu = mtu, .master = bridge,
				      .peer_mac = p[i].req->mac };
		msg_veth_add(&b, &v);
		p[i].created = true;  /* maybe: deleting one that was not made is tolerated */
	}
	/* Without IPv6 on the network, the host ends go up with IPv6 off (host.c says
	 * why): made down, switched off, then up. */
	if (r == 0 && !v6 && (r = nl_batch_send(host, &b, e)) == 0)
		for (size_t i = 0; i < n; i++)
			host_link_ipv6_off(p[i].host_if);
	for (size_t i = 0; i < n && r == 0; i++)
		msg_link_set(&b, 0, p[i].host_if, LINK_UP | (v6 ? 0 : LINK_NO_IPV6LL));
	if (r == 0)
		r = nl_batch_send(host, &b, e);
	if (r == 0)
		r = run_parallel(n, configure_ns, &c, e);
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
	if (p->req->extra)
		json_object_update(m, p->req->extra);
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

/* Fill the plan from the requests; refuse a namespace already attached, and a host
 * end name that some other link holds. */
static int plan_names(json_t *net, struct nl *host, const struct attach_req *req, struct plan *p, size_t n,
		      struct nsnet_error *e)
{
	const char *name = jstr0(net, "name");
	struct name_set links = { 0 }, taken = { 0 };
	int r = host_link_names(host, &links, e);
	for (size_t i = 0; i < n && r == 0; i++) {
		p[i].req = &req[i];
		p[i].ns = req[i].ns;
		p[i].nsfd = -1;
		if (net_member(net, p[i].ns, NULL))
			r = nsnet_errx(e, EEXIST, "namespace '%s' is already attached to network '%s'", p[i].ns, name);
		nsnet_net_host_ifname(name, p[i].ns, p[i].host_if);
		if (name_set_has(&links, p[i].host_if))
			name_set_add(&taken, p[i].host_if);
	}
	/* A host end with our name that no member owns is the veth of a namespace just
	 * deleted (a `down` right before this `up`): the kernel destroys it
	 * asynchronously. Give it a moment before calling the name taken. */
	if (r == 0 && taken.n && wait_links_gone(host, &taken, 5000) > 0)
		r = nsnet_errx(e, EEXIST, "an interface named %s exists already in the host", taken.names[0]);
	name_set_free(&taken);
	name_set_free(&links);
	return r;
}

/* An ifname already taken is a validation error: find it before any change. */
static int check_ifnames(const struct attach_req *req, const struct plan *p, size_t n, struct nsnet_error *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!req[i].ifname)
			continue;
		struct nl *nl;
		char tmp[16];
		int idx;
		int r = nl_open(p[i].ns, &nl, e);
		if (r < 0)
			return r;
		r = choose_ifname(nl, req[i].ifname, tmp, &idx, e);
		nl_close(nl);
		if (r == -EEXIST)
			return nsnet_errx(e, EEXIST, "namespace '%s' already has an interface named %s", p[i].ns,
					  req[i].ifname);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The kernel part, chunk by chunk; on failure the veths made so far are deleted. */
static int attach_all(struct nl *host, json_t *net, struct plan *p, size_t n, struct nsnet_error *e)
{
	const char *bridge = jstr0(net, "bridge");
	int bidx = link_index(host, bridge), r = 0;
	bool v6 = net_subnet(net, AF_INET6) != NULL;
	if (bidx < 0)
		r = nsnet_errx(e, ENODEV, "bridge %s of network '%s' is gone; recreate the network", bridge,
			       jstr0(net, "name"));
	for (size_t i = 0; i < n && r == 0; i += CHUNK)
		r = attach_chunk(host, net, p + i, n - i < CHUNK ? n - i : CHUNK, bidx, v6, e);
	if (r < 0) {
		_cleanup_free_ const char **ifs = calloc(n, sizeof(*ifs));
		size_t k = 0;
		for (size_t i = 0; ifs && i < n; i++)
			if (p[i].created)
				ifs[k++] = p[i].host_if;
		if (ifs)
			host_links_delete(host, ifs, k, NULL);
	}
	return r;
}

int net_attach_locked(json_t *net, const struct attach_req *req, size_t n, struct nsnet_error *e)
{
	int r = check_reqs(req, n, e);
	if (r < 0)
		return r;
	/* Each member is a port of the bridge, as is a VXLAN port: the kernel refuses the
	 * 1024th with "Exchange full", half-way through a batch. */
	size_t ports = json_array_size(json_object_get(net, "members")) + (json_object_get(net, "vxlan") ? 1 : 0);
	if (ports + n > NSNET_BRIDGE_PORTS_MAX)
		return nsnet_errx(e, ENOSPC,
				  "network '%s' would have %zu bridge ports, more than a Linux bridge holds (%d): " NSNET_BRIDGE_SPLIT_HINT,
				  jstr0(net, "name"), ports + n, NSNET_BRIDGE_PORTS_MAX);
	_cleanup_free_ struct plan *p = calloc(n, sizeof(*p));
	_cleanup_nl_ struct nl *host = NULL;
	bool changed = false;
	if (!p)
		return nsnet_err(e, ENOMEM, "attach");
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = net_reconcile(net, host, &changed, e)) < 0 ||
	    (r = plan_names(net, host, req, p, n, e)) < 0 || (r = plan_addresses(net, p, n, e)) < 0 ||
	    (r = check_ifnames(req, p, n, e)) < 0)
		return r;
	/* Record the members as pending before touching the kernel. */
	for (size_t i = 0; i < n; i++)
		member_json(net, &p[i], true);
	if ((r = state_net_save(net, e)) < 0)
		return r;
	drop_members(net, p, n);
	if ((r = attach_all(host, net, p, n, e)) < 0) {
		state_net_save(net, NULL);
		return nsnet_err_wrap(e, "attach to network '%s'", jstr0(net, "name"));
	}
	for (size_t i = 0; i < n; i++)
		member_json(net, &p[i], false);
	return state_net_save(net, e);
}

int nsnet_net_attach(const char *name, const char *const *ns, size_t n, const struct nsnet_attach_opts *opts,
		     struct nsnet_error *e)
{
	static const struct nsnet_attach_opts none;
	const struct nsnet_attach_opts *o = opts ? opts : &none;
	int r = net_name_check(name, e);
	if (r < 0)
		return r;
	if (o->ip && n > 1)
		return nsnet_errx(e, EINVAL, "a static address can be given for one namespace only");
	if (o->ifname && (r = nsnet_ifname_check(o->ifname, e)) < 0)
		return r;
	_cleanup_free_ struct attach_req *req = calloc(n ? n : 1, sizeof(*req));
	if (!req)
		return nsnet_err(e, ENOMEM, "attach");
	for (size_t i = 0; i < n; i++) {
		req[i].ns = ns[i];
		req[i].ifname = o->ifname;
		req[i].default_route = !o->no_default_route;
		if (o->ip) {
			req[i].ip[0] = *o->ip;
			req[i].n_ip = 1;
		}
	}
	if ((r = check_reqs(req, n, e)) < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *net = NULL;
	if ((r = fw_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	const char *lab = jstr(net, "lab");
	if (lab && !o->into_lab) {
		r = nsnet_errx(e, EBUSY,
			       "network '%s' belongs to lab '%s', whose up and down would not know '%s': add it to the lab's "
			       "file, or attach it anyway with --force",
			       name, lab, ns[0]);
		json_decref(net);
		return r;
	}
	r = net_attach_locked(net, req, n, e);
	json_decref(net);
	if (r == 0)
		net_hosts_sync(NULL);
	return r;
}

int net_detach_locked(json_t *net, const char *const *ns, size_t n, struct nsnet_error *e)
{
	const char *name = json_string_value(json_object_get(net, "name"));
	if (n == 0)
		return nsnet_errx(e, EINVAL, "no namespace given");
	_cleanup_nl_ struct nl *host = NULL;
	bool changed = false;
	_cleanup_free_ const char **ifs = calloc(n, sizeof(*ifs));
	int r;
	if (!ifs)
		return nsnet_err(e, ENOMEM, "detach");
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = net_reconcile(net, host, &changed, e)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		json_t *m = net_member(net, ns[i], NULL);
		if (!m)
			return nsnet_errx(e, ENOENT, "namespace '%s' is not attached to network '%s'", ns[i], name);
		ifs[i] = json_string_value(json_object_get(m, "host_ifname"));
	}
	/* Links, members, publishes: journaled, finished by the next command if killed. */
	struct journal j;
	json_t *gone = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(gone, json_pack("{s:s, s:s}", "ns", ns[i], "host_ifname", ifs[i]));
	if ((r = journal_begin(&j, json_pack("{s:s, s:s, s:o}", "op", "net-detach", "net", name, "members", gone), e)) < 0)
		return r;
	if ((r = host_links_delete(host, ifs, n, e)) < 0) {
		journal_end(&j);
		return nsnet_err_wrap(e, "detach from network '%s'", name);
	}
	for (size_t i = 0; i < n; i++) {
		size_t idx;
		if (net_member(net, ns[i], &idx))
			json_array_remove(json_object_get(net, "members"), idx);
	}
	/* The members go from state before their publishes are dropped: a publish is
	 * dropped when its namespace is no longer a member (and so its address can't be
	 * given to another before its forwarding is gone: both happen under the lock). */
	if ((r = state_net_save(net, e)) < 0)
		return r;  /* the entry stays: the next command finishes the detach */
	for (size_t i = 0; i < n && r == 0; i++)
		r = fw_member_removed(net, ns[i], e);
	if (r == 0)
		journal_end(&j);
	/* A namespace nsnet bound (a container's) goes with its last membership. */
	return r < 0 ? r : net_bindings_sweep(e);
}

int nsnet_net_detach(const char *name, const char *const *ns, size_t n, struct nsnet_error *e)
{
	int r = net_name_check(name, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *net;
	if ((r = fw_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	r = net_detach_locked(net, ns, n, e);
	json_decref(net);
	/* Even after a failure: members may have gone before it. */
	net_hosts_sync(NULL);
	return r;
}
