/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Networks: create and remove the bridge, list and describe networks. */
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

void nsnet_net_default_bridge(const char *net, char buf[16])
{
	if (nsnet_ifname_check(net, NULL) == 0) {
		snprintf(buf, 16, "%s", net);
		return;
	}
	snprintf(buf, 16, "nsbr-%08x", nsnet_hash32(net));
}

void nsnet_net_host_ifname(const char *net, const char *ns, char buf[16])
{
	char key[512];
	snprintf(key, sizeof(key), "%s/%s", net, ns);
	char head[6];
	size_t k = 0;
	/* Keep only characters that read well in `ip link`. */
	for (const char *p = ns; *p && k < 5; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			head[k++] = *p;
	head[k] = 0;
	snprintf(buf, 16, "nv%s-%07x", head, nsnet_hash32(key) & 0xfffffff);
}

static int check_subnets(const struct nsnet_net_spec *s, struct nsnet_prefix gw[2], struct nsnet_error *e)
{
	char buf[64];
	if (s->n_subnets < 1 || s->n_subnets > 2)
		return nsnet_errx(e, EINVAL, "a network needs one IPv4 and/or one IPv6 subnet");
	if (s->n_subnets == 2 && s->subnet[0].family == s->subnet[1].family)
		return nsnet_errx(e, EINVAL, "at most one subnet per address family");
	for (size_t i = 0; i < s->n_subnets; i++) {
		const struct nsnet_prefix *p = &s->subnet[i];
		struct nsnet_prefix netw;
		nsnet_prefix_network(p, &netw);
		nsnet_prefix_str(p, true, buf, sizeof(buf));
		if (!nsnet_addr_equal(&netw, p)) {
			char want[64];
			return nsnet_errx(e, EINVAL, "subnet %s has host bits set; did you mean %s?", buf,
					  nsnet_prefix_str(&netw, true, want, sizeof(want)));
		}
		unsigned max = p->family == AF_INET ? 30 : 126;
		if (p->len > max || p->len < (p->family == AF_INET ? 8 : 48))
			return nsnet_errx(e, EINVAL, "subnet %s: prefix length must be %u..%u", buf,
					  p->family == AF_INET ? 8 : 48, max);
		uint64_t first, last;
		nsnet_prefix_host_range(p, &first, &last);
		gw[i] = s->gateway[i];
		if (!gw[i].family) {
			nsnet_prefix_nth(p, first, &gw[i]);
			continue;
		}
		if (gw[i].family != p->family || !nsnet_prefix_contains(p, &gw[i])) {
			char g[64];
			return nsnet_errx(e, EINVAL, "gateway %s is not inside subnet %s",
					  nsnet_prefix_str(&gw[i], false, g, sizeof(g)), buf);
		}
		uint64_t idx = nsnet_prefix_index(p, &gw[i]);
		if (idx < first || idx > last)
			return nsnet_errx(e, EINVAL, "gateway %s is the network or broadcast address of its subnet",
					  nsnet_prefix_str(&gw[i], false, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < s->n_subnets; i++) {
		const struct nsnet_prefix *p = &s->subnet[i], *a = &s->range_start[i], *b = &s->range_end[i];
		uint64_t first, last;
		char x[64], y[64];
		if (!a->family && !b->family)
			continue;
		nsnet_prefix_host_range(p, &first, &last);
		nsnet_prefix_str(p, true, buf, sizeof(buf));
		if (!a->family || !b->family || !nsnet_prefix_contains(p, a) || !nsnet_prefix_contains(p, b) ||
		    nsnet_prefix_index(p, a) < first || nsnet_prefix_index(p, b) > last ||
		    nsnet_prefix_index(p, a) > nsnet_prefix_index(p, b))
			return nsnet_errx(e, EINVAL, "range %s-%s is not a range of usable addresses of %s",
					  a->family ? nsnet_prefix_str(a, false, x, sizeof(x)) : "?",
					  b->family ? nsnet_prefix_str(b, false, y, sizeof(y)) : "?", buf);
	}
	return 0;
}

/* No overlap with any other nsnet network; the bridge not some other network's. */
static int check_others(const struct nsnet_net_spec *s, const char *bridge, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *o;
		if (state_net_load(names[i], &o, NULL) < 0)
			continue;
		if (streq(json_string_value(json_object_get(o, "bridge")), bridge))
			r = nsnet_errx(e, EEXIST, "bridge %s already belongs to network '%s'", bridge, names[i]);
		size_t j;
		json_t *sub;
		json_array_foreach(json_object_get(o, "subnets"), j, sub) {
			struct nsnet_prefix p;
			const char *cidr = json_string_value(json_object_get(sub, "cidr"));
			if (r || nsnet_prefix_parse(cidr, true, &p, NULL) < 0)
				continue;
			for (size_t k = 0; k < s->n_subnets && !r; k++)
				if (nsnet_prefix_overlaps(&p, &s->subnet[k])) {
					char buf[64];
					r = nsnet_errx(e, EEXIST, "subnet %s overlaps %s of network '%s'",
						       nsnet_prefix_str(&s->subnet[k], true, buf, sizeof(buf)), cidr, names[i]);
				}
		}
		json_decref(o);
	}
	nsnet_strv_free(names, n);
	return r;
}

static int make_bridge(struct nl *host, const struct nsnet_net_spec *s, const char *bridge,
		       const struct nsnet_prefix gw[2], int *ret_idx, struct nsnet_error *e)
{
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	msg_bridge_add(&b, bridge, s->mtu);
	int r = nl_batch_send(host, &b, e);
	if (r < 0)
		return r;
	int idx = link_index(host, bridge);
	if (idx < 0)
		return nsnet_err(e, idx, "find bridge %s", bridge);
	bool v6 = false;
	for (size_t i = 0; i < s->n_subnets; i++)
		v6 |= s->subnet[i].family == AF_INET6;
	/* The bridge says whose it is, so that gc can find it from the kernel's side
	 * when its state file is lost or corrupt (NSNET_BRIDGE_ALIAS). */
	char alias[128];
	snprintf(alias, sizeof(alias), NSNET_BRIDGE_ALIAS "%s", s->name);
	msg_link_alias(&b, idx, bridge, alias);
	if (!v6)
		msg_link_set(&b, idx, bridge, LINK_NO_IPV6LL);
	for (size_t i = 0; i < s->n_subnets; i++) {
		struct nsnet_prefix a = gw[i];
		a.len = s->subnet[i].len;
		msg_addr(&b, true, idx, &a, bridge);
	}
	msg_link_set(&b, idx, bridge, LINK_UP);
	*ret_idx = idx;
	return nl_batch_send(host, &b, e);
}

static bool has_v6(const struct nsnet_net_spec *s)
{
	for (size_t i = 0; i < s->n_subnets; i++)
		if (s->subnet[i].family == AF_INET6)
			return true;
	return false;
}

static int spec_check(const struct nsnet_net_spec *s, struct nsnet_prefix gw[2], char bridge[16],
		      struct nsnet_error *e)
{
	int r = net_name_check(s->name, e);
	if (r < 0 || (r = check_subnets(s, gw, e)) < 0)
		return r;
	if (s->bridge) {
		/* Refused here, before the bridge exists: nsnet's rules name it. */
		if ((r = nsnet_ifname_check(s->bridge, e)) < 0 || (r = fw_ifname_ok(s->bridge, e)) < 0)
			return r;
		snprintf(bridge, 16, "%s", s->bridge);
	} else {
		nsnet_net_default_bridge(s->name, bridge);
	}
	if (s->mtu && (s->mtu < 68 || s->mtu > 65535))
		return nsnet_errx(e, EINVAL, "invalid MTU %u: must be 68..65535", s->mtu);
	return net_vxlan_spec_check(s, e);
}

/* The name is free: no record, and not a damaged one (never written over). */
static int check_name_free(const char *name, struct nsnet_error *e)
{
	json_t *old;
	struct nsnet_error le = { 0 };
	int r = state_net_load(name, &old, &le);
	if (r == 0) {
		json_decref(old);
		return nsnet_errx(e, EEXIST, "network '%s' already exists", name);
	}
	if (r != -ENOENT) {
		if (e)
			*e = le;
		return r;
	}
	return 0;
}

/* The network's record, as its state file holds it. */
static json_t *net_record(const struct nsnet_net_spec *s, const struct nsnet_prefix gw[2], const char *bridge,
			  const char *lab, const struct vxlan_plan *vx)
{
	json_t *subnets = json_array();
	for (size_t i = 0; i < s->n_subnets; i++) {
		char c[64], g[64], a[64], b[64];
		json_t *sub = json_pack("{s:s, s:s, s:i}", "cidr", nsnet_prefix_str(&s->subnet[i], true, c, sizeof(c)),
					"gateway", nsnet_prefix_str(&gw[i], false, g, sizeof(g)), "next", 0);
		if (s->range_start[i].family)
			json_object_set_new(sub, "range",
					    json_pack("[s, s]", nsnet_prefix_str(&s->range_start[i], false, a, sizeof(a)),
						      nsnet_prefix_str(&s->range_end[i], false, b, sizeof(b))));
		json_array_append_new(subnets, sub);
	}
	json_t *net = json_pack("{s:s, s:s, s:i, s:b, s:o, s:[]}", "name", s->name, "bridge", bridge, "mtu",
				(int)s->mtu, "nat", s->nat, "subnets", subnets, "members");
	if (lab)
		json_object_set_new(net, "lab", json_string(lab));
	if (s->names != NSNET_NAMES_AUTO)
		json_object_set_new(net, "names", json_boolean(s->names == NSNET_NAMES_ON));
	if (vx)
		json_object_set_new(net, "vxlan", net_vxlan_record(s, vx));
	return net;
}

int net_create_locked(const struct nsnet_net_spec *s, const char *lab, struct nsnet_error *e)
{
	struct nsnet_prefix gw[2] = { 0 };
	char bridge[16];
	int r = spec_check(s, gw, bridge, e);
	if (r < 0 || (r = check_name_free(s->name, e)) < 0 || (r = check_others(s, bridge, e)) < 0)
		return r;
	_cleanup_nl_ struct nl *host = NULL;
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0)
		return r;
	if (link_index(host, bridge) > 0)
		return nsnet_errx(e, EEXIST, "an interface named %s exists already and is not nsnet's; choose another with --bridge",
				  bridge);
	/* A network that spans hosts: its VXLAN port, and its members' MTU (the
	 * underlay's less the encapsulation, unless the spec says). */
	struct vxlan_plan vx;
	struct nsnet_net_spec eff = *s;
	if (s->vxlan.vni) {
		if ((r = net_vxlan_plan(host, s, &vx, e)) < 0)
			return nsnet_err_wrap(e, "create network '%s'", s->name);
		eff.mtu = vx.mtu;
	}
	_cleanup_json_ json_t *net = net_record(&eff, gw, bridge, lab, s->vxlan.vni ? &vx : NULL);
	/* Bridge, VXLAN port, state file, nftables, forwarding: a kill before the state
	 * file is written leaves links only the journal knows (the create is undone),
	 * after it a network the next command settles (the create is finished). */
	struct journal j;
	json_t *entry = json_pack("{s:s, s:s, s:s}", "op", "net-create", "net", s->name, "bridge", bridge);
	if (s->vxlan.vni)
		json_object_set_new(entry, "vxlan", json_string(vx.ifname));
	r = journal_begin(&j, entry, e);
	int br_idx = 0;
	if (r == 0)
		r = make_bridge(host, &eff, bridge, gw, &br_idx, e);
	if (r == 0 && s->vxlan.vni)
		r = net_vxlan_make(host, s, &vx, br_idx, !has_v6(s), e);
	if (r == 0)
		r = state_net_save(net, e);
	if (r == 0)
		r = fw_net_added(net, e);  /* isolation, NAT: all or nothing */
	if (r < 0) {
		const char *links[2] = { s->vxlan.vni ? vx.ifname : bridge, bridge };
		host_links_delete(host, links + !s->vxlan.vni, s->vxlan.vni ? 2 : 1, NULL);
		state_net_remove(s->name, NULL);
	}
	journal_end(&j);
	return r < 0 ? nsnet_err_wrap(e, "create network '%s'", s->name) : 0;
}

int nsnet_net_create(const struct nsnet_net_spec *s, struct nsnet_error *e)
{
	struct nsnet_prefix gw[2];
	char bridge[16];
	_cleanup_close_ int lock = -1;
	int r = spec_check(s, gw, bridge, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0)
		return r;
	return net_create_locked(s, NULL, e);
}

int net_rm_locked(const char *name, bool force, struct nsnet_error *e)
{
	return net_rm_locked_ex(name, force, NULL, e);
}

/* -EBUSY naming the members, when there are members and no --force. */
static int refuse_busy(const char *name, json_t *members, struct nsnet_error *e)
{
	size_t n = json_array_size(members), off = 0, i;
	char list[512] = "";
	json_t *m;
	json_array_foreach(members, i, m) {
		if (off < sizeof(list) - 64)
			off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", jstr0(m, "ns"));
	}
	return nsnet_errx(e, EBUSY, "network '%s' still has %zu attached namespace%s (%s); detach them or use --force",
			  name, n, n == 1 ? "" : "s", list);
}

/* The links to delete: the members' host ends (but those of namespaces dying, whose
 * veths go with them) and the bridge, last. Deleting the bridge is enough for the
 * kernel; the members' veths would stay behind as orphans. */
static json_t *doomed_links(json_t *net, json_t *dying)
{
	json_t *links = json_array(), *m;
	size_t i;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		if (!json_object_get(dying, jstr0(m, "ns")))
			json_array_append(links, json_object_get(m, "host_ifname"));
	}
	json_t *vx = json_object_get(json_object_get(net, "vxlan"), "ifname");
	if (vx)
		json_array_append(links, vx);  /* not a bridge's member: it would stay */
	json_array_append(links, json_object_get(net, "bridge"));
	return links;
}

int net_rm_locked_ex(const char *name, bool force, json_t *dying, struct nsnet_error *e)
{
	json_t *net;
	int r = state_net_load(name, &net, e);
	if (r < 0)
		return r;
	_cleanup_nl_ struct nl *host = NULL;
	_cleanup_free_ const char **ifs = NULL;
	bool changed = false;
	/* With members about to die there is nothing to reconcile: every member goes. */
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (!dying && (r = net_reconcile(net, host, &changed, e)) < 0))
		goto out;
	json_t *members = json_object_get(net, "members");
	if (json_array_size(members) && !force) {
		r = refuse_busy(name, members, e);
		goto out;
	}
	json_t *links = doomed_links(net, dying);
	size_t k = json_array_size(links);
	if (!(ifs = calloc(k, sizeof(*ifs)))) {
		json_decref(links);
		r = nsnet_err(e, ENOMEM, "remove network '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < k; i++)
		ifs[i] = json_string_value(json_array_get(links, i));
	/* Four changes (links, state file, publishes, nftables): the journal says what
	 * is going, so that a kill anywhere in between is finished by the next command
	 * (fw/recover.c) instead of leaving forwarding to an address nobody owns. */
	struct journal j;
	r = journal_begin(&j, json_pack("{s:s, s:O, s:o}", "op", "net-rm", "net", net, "links", links), e);
	if (r == 0 && (r = host_links_delete(host, ifs, k, e)) < 0)
		journal_end(&j);  /* nothing recorded changed: the members that lost a veth are reconciled */
	if (r == 0 && (r = state_net_remove(name, e)) < 0)
		journal_end(&j);
	/* Its elements, publishes; the table if last. When this fails the entry stays:
	 * the next command (or gc) settles the firewall with state. */
	if (r == 0 && (r = fw_net_removed(net, e)) == 0)
		journal_end(&j);
	if (r < 0)
		nsnet_err_wrap(e, "remove network '%s'", name);
	else
		r = net_bindings_sweep(e);
out:
	json_decref(net);
	return r;
}

int nsnet_net_rm(const char *name, bool force, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = net_name_check(name, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0)
		return r;
	json_t *net;
	if ((r = state_net_load(name, &net, e)) < 0)
		return r;
	const char *lab = json_string_value(json_object_get(net, "lab"));
	if (lab) {
		r = nsnet_errx(e, EBUSY, "network '%s' belongs to lab '%s'; remove it with 'nsnet down %s'", name, lab, lab);
		json_decref(net);
		return r;
	}
	json_decref(net);
	r = net_rm_locked(name, force, e);
	net_hosts_sync(NULL);  /* its members' names go, even if the removal stopped half-way */
	return r;
}

/* Add the pool's view (used and free counts) to a copy of the state. */
json_t *net_describe(json_t *net)
{
	json_t *d = json_deep_copy(net);
	size_t i;
	json_t *sub;
	json_array_foreach(json_object_get(d, "subnets"), i, sub) {
		struct ipam p;
		json_object_del(sub, "next");
		if (net_ipam(net, sub, &p, NULL) < 0)
			continue;
		json_object_set_new(sub, "used", json_integer((json_int_t)p.used));
		json_object_set_new(sub, "free", json_integer((json_int_t)ipam_free_count(&p)));
		ipam_done(&p);
	}
	json_t *m;
	json_array_foreach(json_object_get(d, "members"), i, m) json_object_del(m, "pid");
	return d;
}

int nsnet_net_info(const char *name, json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_t *net;
	int r = net_name_check(name, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0 || (r = state_net_load(name, &net, e)) < 0)
		return r;
	_cleanup_nl_ struct nl *host = NULL;
	bool changed = false;
	if (nl_open_fd(NS_SELF, &host, NULL) == 0 && net_reconcile(net, host, &changed, NULL) == 0 && changed)
		state_net_save(net, NULL);
	*ret = net_describe(net);
	json_decref(net);
	return 0;
}

int nsnet_net_list(json_t **ret, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *d;
		struct nsnet_error e2;
		/* A network removed meanwhile is skipped; not being allowed to look is an
		 * error, not an empty list. */
		r = nsnet_net_info(names[i], &d, &e2);
		if (r == -EACCES || r == -EPERM) {
			json_decref(arr);
			nsnet_strv_free(names, n);
			if (e)
				*e = e2;
			return r;
		}
		if (r == 0)
			json_array_append_new(arr, d);
	}
	nsnet_strv_free(names, n);
	*ret = arr;
	return 0;
}
