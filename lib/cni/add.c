/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ADD: the container's namespace becomes a member of the network the configuration
 * names (created on first use, from the configuration), exactly as `nsnet net attach`
 * makes one, plus what the runtime asked for: routes, hairpin, published ports.
 * Journaled as "cni-add" before the first change: a kill anywhere is undone by the
 * next command (fw/recover.c), since the runtime was never told of it. CHECK
 * compares an attachment with the kernel.
 */
#include <net/if.h>
#include <linux/rtnetlink.h>
#include "cni/cni.h"
#include "fw/fw.h"
#include "net/net.h"
#include "rtnl/rtnl.h"
#include "state/state.h"

json_t *cni_member(json_t *net, const char *container, const char *ifname, size_t *ret_idx)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		json_t *c = json_object_get(m, "cni");
		if (c && streq_safe(jstr(c, "container"), container) && streq_safe(jstr(c, "ifname"), ifname)) {
			if (ret_idx)
				*ret_idx = i;
			return m;
		}
	}
	return NULL;
}

/* An existing network must be the one the configuration describes. */
static int same_network(struct cni_req *q, json_t *net, struct nsnet_error *e)
{
	char buf[64];
	if (jstr(net, "lab"))
		return cni_fail(q, CNI_E_CONFIG, EBUSY, e, "network '%s' belongs to lab '%s'; give the CNI network another name",
				q->name, jstr0(net, "lab"));
	if (!streq(jstr0(net, "bridge"), q->bridge))
		return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists with bridge %s, the configuration says %s",
				q->name, jstr0(net, "bridge"), q->bridge);
	for (size_t i = 0; i < q->spec.n_subnets; i++) {
		json_t *sub = net_subnet(net, q->spec.subnet[i].family);
		nsnet_prefix_str(&q->spec.subnet[i], true, buf, sizeof(buf));
		if (!sub || !streq(jstr0(sub, "cidr"), buf))
			return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists without subnet %s (nsnet net show %s)",
					q->name, buf, q->name);
		struct nsnet_prefix gw;
		if (q->spec.gateway[i].family && (nsnet_addr_parse(jstr0(sub, "gateway"), &gw, NULL) < 0 ||
						  !nsnet_addr_equal(&gw, &q->spec.gateway[i])))
			return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists with gateway %s, the configuration says %s",
					q->name, jstr0(sub, "gateway"),
					nsnet_prefix_str(&q->spec.gateway[i], false, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < q->spec.n_subnets; i++) {
		char a[64] = "", b[64] = "", want[140] = "", have[140] = "";
		json_t *range = json_object_get(net_subnet(net, q->spec.subnet[i].family), "range");
		if (q->spec.range_start[i].family)
			snprintf(want, sizeof(want), "%s-%s", nsnet_prefix_str(&q->spec.range_start[i], false, a, sizeof(a)),
				 nsnet_prefix_str(&q->spec.range_end[i], false, b, sizeof(b)));
		if (range)
			snprintf(have, sizeof(have), "%s-%s", json_string_value(json_array_get(range, 0)),
				 json_string_value(json_array_get(range, 1)));
		if (!streq(want, have))
			return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists with range %s, the configuration says %s",
					q->name, *have ? have : "(the whole subnet)", *want ? want : "the whole subnet");
	}
	if (json_is_true(json_object_get(net, "nat")) != q->spec.nat)
		return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists with NAT %s, the configuration says ipMasq %s",
				q->name, q->spec.nat ? "off" : "on", q->spec.nat ? "true" : "false");
	if ((unsigned)json_integer_value(json_object_get(net, "mtu")) != q->spec.mtu)
		return cni_fail(q, CNI_E_CONFIG, EEXIST, e, "network '%s' exists with MTU %lld, the configuration says %u",
				q->name, json_integer_value(json_object_get(net, "mtu")), q->spec.mtu);
	return 0;
}

/* The network, made from the configuration on first use. */
static int ensure_network(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	int r = state_net_load(q->name, ret, e);
	if (r == 0) {
		if ((r = same_network(q, *ret, e)) < 0) {
			json_decref(*ret);
			*ret = NULL;
		}
		return r;
	}
	if (r != -ENOENT)
		return r;
	if ((r = net_create_locked(&q->spec, NULL, e)) < 0)
		return r;
	size_t i;
	json_t *a;
	json_array_foreach(q->allow, i, a) {
		json_t *other;
		if (state_net_load(json_string_value(a), &other, NULL) < 0)
			continue;  /* allowed once it exists and is made with this in its own 'allow' */
		json_decref(other);
		if ((r = fw_net_allow_locked(q->name, json_string_value(a), true, e)) < 0)
			return r;
	}
	return state_net_load(q->name, ret, e);
}

static const struct nsnet_prefix *gateway_of(json_t *net, int family, struct nsnet_prefix *buf)
{
	json_t *sub = net_subnet(net, family);
	return sub && nsnet_addr_parse(jstr0(sub, "gateway"), buf, NULL) == 0 ? buf : NULL;
}

/* isDefaultGateway's default routes and the ipam routes, inside the container. */
static int add_routes(struct cni_req *q, json_t *net, json_t *m, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	bool fam[2] = { false, false };  /* the container has an IPv4, IPv6 address */
	size_t i;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), i, ip) {
		struct nsnet_prefix p;
		if (nsnet_prefix_parse(json_string_value(ip), true, &p, NULL) == 0)
			fam[p.family == AF_INET6] = true;
	}
	struct cni_route all[CNI_MAX_ROUTES + 2];
	size_t n = 0;
	for (int f = 0; f < 2 && q->default_gw; f++)
		if (fam[f])
			all[n++] = (struct cni_route){ .dst = { .family = f ? AF_INET6 : AF_INET } };
	for (size_t k = 0; k < q->n_routes; k++)
		all[n++] = q->routes[k];
	if (n == 0)
		return 0;
	int r = nl_open(jstr0(m, "ns"), &nl, e);
	if (r < 0)
		return r;
	int idx = link_index(nl, jstr0(m, "ifname"));
	if (idx < 0)
		return nsnet_err(e, idx, "find %s in the container", jstr0(m, "ifname"));
	for (size_t k = 0; k < n; k++) {
		struct nsnet_prefix gwbuf;
		const struct nsnet_prefix *gw = all[k].has_gw ? &all[k].gw : gateway_of(net, all[k].dst.family, &gwbuf);
		if (!fam[all[k].dst.family == AF_INET6] || !gw)
			continue;  /* no address of that family here: the route could not be used */
		msg_route(&b, true, &all[k].dst, gw, idx);
		nl_batch_tolerate(&b, EEXIST);
	}
	return nl_batch_send(nl, &b, e);
}

static int publish_ports(struct cni_req *q, const char *ns, struct nsnet_error *e)
{
	for (size_t i = 0; i < q->n_ports; i++) {
		const struct cni_port *p = &q->ports[i];
		struct nsnet_publish_spec s = { .proto = p->proto, .host_ip = p->has_host_ip ? &p->host_ip : NULL,
						 .host_port = p->host_port, .ns = ns, .port = p->port, .net = q->name };
		int r = publish_add_locked(&s, e);
		if (r < 0)
			return nsnet_err_wrap(e, "port mapping %u -> %u", p->host_port, p->port);
	}
	return 0;
}

/* The kernel part of an ADD, journaled; undone on failure. */
static int attach(struct cni_req *q, json_t *net, const char *ns, bool bind, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	char host_if[16];
	nsnet_net_host_ifname(q->name, ns, host_if);
	json_auto_t *extra = json_pack("{s:{s:s, s:s, s:s}}", "cni", "container", env->container_id, "ifname",
				       env->ifname, "netns", env->netns);
	struct attach_req req = { .ns = ns, .ifname = env->ifname, .n_ip = q->n_ips, .mac = q->has_mac ? q->mac : NULL,
				  .extra = extra };
	memcpy(req.ip, q->ips, sizeof(req.ip));
	struct journal j;
	int r = journal_begin(&j, json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "op", "cni-add", "net", q->name, "members", "ns",
					    ns, "host_ifname", host_if), e);
	if (r < 0)
		return r;
	if (bind && (r = net_bind(env->netns, ns, e)) < 0)
		goto out;
	if ((r = net_attach_locked(net, &req, 1, e)) < 0)
		goto out;
	json_t *m = net_member(net, ns, NULL);
	if ((r = add_routes(q, net, m, e)) < 0 || (q->hairpin && (r = fw_hairpin_set(host_if, true, e)) < 0) ||
	    (r = publish_ports(q, ns, e)) < 0) {
		/* The error is the cause; the undo is best effort and the journal finishes it. */
		if (net_detach_locked(net, &ns, 1, NULL) < 0)
			return r;  /* the entry stays: the next command undoes it */
	}
out:
	if (r < 0 && bind)
		net_bindings_sweep(NULL);
	journal_end(&j);
	return r;
}

int cni_add(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	uint64_t ino;
	_cleanup_close_ int lock = -1;
	json_auto_t *net = NULL, *ipam = NULL;
	int r = cni_netns_verify(q, env->netns, NULL, &ino, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0 || (r = net_bindings_sweep(e)) < 0)
		return r;
	if (q->ipam_type && ((r = cni_delegate(q, "ADD", &ipam, e)) < 0 || (r = cni_take_ipam_result(q, ipam, e)) < 0))
		return r;
	if ((r = ensure_network(q, &net, e)) < 0)
		goto fail;
	/* Asked again for what it has: the same result (a runtime retrying). */
	json_t *m = cni_member(net, env->container_id, env->ifname, NULL);
	if (m && cni_ns_ino(jstr0(m, "ns")) == ino)
		return cni_result(q, net, m, ret, e);
	if (m) {
		r = cni_fail(q, CNI_E_CONFIG, EEXIST, e, "container %s already has %s on network '%s', in another namespace",
			     env->container_id, env->ifname, q->name);
		goto fail;
	}
	char ns[64];
	bool bind;
	if ((r = cni_netns_name(q, env->netns, ino, ns, &bind, e)) < 0)
		goto fail;
	if ((m = net_member(net, ns, NULL))) {
		r = cni_fail(q, CNI_E_CONFIG, EEXIST, e, "the container's namespace is on network '%s' already, as %s",
			     q->name, jstr0(m, "ifname"));
		goto fail;
	}
	if ((r = attach(q, net, ns, bind, e)) < 0)
		goto fail;
	net_hosts_sync(NULL);
	return cni_result(q, net, net_member(net, ns, NULL), ret, e);
fail:
	if (ipam)
		cni_delegate(q, "DEL", NULL, NULL);
	return r;
}

/* ---- CHECK ----------------------------------------------------------------------- */

struct addrs {
	int index;
	json_t *have;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrs *a = data;
	struct rtnl_addr d;
	char buf[64];
	if (rtnl_addr_decode(nlh, &d) > 0 && d.index == a->index)
		json_object_set_new(a->have, nsnet_prefix_str(&d.addr, true, buf, sizeof(buf)), json_true());
	return MNL_CB_OK;
}

static void addr_reset(void *data)
{
	json_object_clear(((struct addrs *)data)->have);
}

static int check_kernel(struct cni_req *q, json_t *net, json_t *m, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *host = NULL, *nl = NULL;
	struct rtnl_link br, port, cif;
	const char *ns = jstr0(m, "ns"), *ifname = jstr0(m, "ifname"), *host_if = jstr0(m, "host_ifname");
	int r;
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0)
		return r;
	if (link_get(host, jstr0(net, "bridge"), &br) < 0)
		return cni_fail(q, CNI_E_CHECK, ENODEV, e, "bridge %s of network '%s' is gone", jstr0(net, "bridge"), q->name);
	if (link_get(host, host_if, &port) < 0 || port.master != br.index || !(port.flags & IFF_UP))
		return cni_fail(q, CNI_E_CHECK, ENODEV, e, "the container's veth %s is %s", host_if,
				port.index <= 0 ? "gone" : port.master != br.index ? "not a port of the bridge" : "down");
	if ((r = nl_open(ns, &nl, e)) < 0)
		return r;
	if (link_get(nl, ifname, &cif) < 0 || !(cif.flags & IFF_UP))
		return cni_fail(q, CNI_E_CHECK, ENODEV, e, "%s in the container is %s", ifname,
				cif.index <= 0 ? "gone" : "down");
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	struct addrs a = { cif.index, json_object() };
	r = nl_dump(nl, nlh, addr_cb, addr_reset, &a, e);
	size_t i;
	json_t *ip;
	json_array_foreach(json_object_get(m, "ips"), i, ip) {
		if (r == 0 && !json_object_get(a.have, json_string_value(ip)))
			r = cni_fail(q, CNI_E_CHECK, EADDRNOTAVAIL, e, "%s in the container lacks its address %s", ifname,
				     json_string_value(ip));
	}
	json_decref(a.have);
	return r;
}

int cni_check(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	uint64_t ino;
	_cleanup_close_ int lock = -1;
	json_auto_t *net = NULL;
	int r = cni_netns_verify(q, env->netns, NULL, &ino, e);
	*ret = NULL;
	if (r < 0 || (r = fw_lock(&lock, e)) < 0)
		return r;
	if ((r = state_net_load(q->name, &net, e)) == -ENOENT)
		return cni_fail(q, CNI_E_CHECK, ENOENT, e, "network '%s' does not exist", q->name);
	if (r < 0)
		return r;
	json_t *m = cni_member(net, env->container_id, env->ifname, NULL);
	if (!m)
		return cni_fail(q, CNI_E_CHECK, ENOENT, e, "container %s has no %s on network '%s'", env->container_id,
				env->ifname, q->name);
	if (cni_ns_ino(jstr0(m, "ns")) != ino)
		return cni_fail(q, CNI_E_CHECK, ENOENT, e, "container %s's %s on network '%s' is in another namespace",
				env->container_id, env->ifname, q->name);
	/* What the runtime was told must still be true: prevResult's addresses are ours. */
	size_t i;
	json_t *ip;
	json_t *ifs = cni_get(q->prev, "interfaces");
	json_array_foreach(cni_get(q->prev, "ips"), i, ip) {
		const char *addr = jstr0(ip, "address");
		json_t *idx = cni_get(ip, "interface");
		json_t *itf = json_is_integer(idx) ? json_array_get(ifs, (size_t)json_integer_value(idx)) : NULL;
		if (!itf || !streq_safe(jstr(itf, "name"), env->ifname) || !jstr(itf, "sandbox"))
			continue;  /* another plugin's interface */
		json_t *have;
		bool found = false;
		size_t k;
		json_array_foreach(json_object_get(m, "ips"), k, have) found |= streq(json_string_value(have), addr);
		if (!found)
			return cni_fail(q, CNI_E_CHECK, EADDRNOTAVAIL, e, "prevResult's address %s is not the container's", addr);
	}
	return check_kernel(q, net, m, e);
}
