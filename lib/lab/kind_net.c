/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network kind, "net:NAME": a bridge with its subnets, gateways and NAT. */
#include "fw/fw.h"
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

static json_t *net_spec(const struct topo_net *n)
{
	char bridge[16];
	if (n->bridge)
		snprintf(bridge, sizeof(bridge), "%s", n->bridge);
	else
		nsnet_net_default_bridge(n->name, bridge);
	json_t *subs = json_array(), *gws = json_array();
	for (size_t i = 0; i < n->n_subnets; i++) {
		json_array_append_new(subs, lab_addr_json(&n->subnet[i], true));
		if (n->gateway[i].family) {
			json_array_append_new(gws, lab_addr_json(&n->gateway[i], false));
		} else {
			uint64_t first, last;
			struct nsnet_prefix g;
			nsnet_prefix_host_range(&n->subnet[i], &first, &last);
			nsnet_prefix_nth(&n->subnet[i], first, &g);
			json_array_append_new(gws, lab_addr_json(&g, false));
		}
	}
	json_t *o = json_pack("{s:s, s:o, s:o, s:b, s:i}", "bridge", bridge, "subnets", subs, "gateways", gws, "nat", n->nat,
			      "mtu", (int)n->mtu);
	/* Only when the file says: records made before names: existed stay equal. */
	if (n->names != NSNET_NAMES_AUTO)
		json_object_set_new(o, "names", json_boolean(n->names == NSNET_NAMES_ON));
	/* range: and vxlan: only when the file has them, for the same reason. The
	 * peers are a key of their own: they change in place (only FDB entries). */
	json_t *ranges = json_array();
	for (size_t i = 0; i < n->n_subnets; i++)
		if (n->range_start[i].family)
			json_array_append_new(ranges, json_pack("[o, o]", lab_addr_json(&n->range_start[i], false),
								lab_addr_json(&n->range_end[i], false)));
	if (json_array_size(ranges))
		json_object_set(o, "range", ranges);
	json_decref(ranges);
	if (n->vxlan.vni) {
		const struct topo_vxlan *v = &n->vxlan;
		json_t *vx = json_pack("{s:I, s:i}", "vni", (json_int_t)v->vni, "port",
				       (int)(v->port ? v->port : NSNET_VXLAN_PORT)), *peers = json_array();
		if (v->local.family)
			json_object_set_new(vx, "local", lab_addr_json(&v->local, false));
		if (v->dev[0])
			json_object_set_new(vx, "dev", json_string(v->dev));
		for (size_t i = 0; i < v->n_peers; i++)
			json_array_append_new(peers, lab_addr_json(&v->peers[i], false));
		json_object_set_new(o, "vxlan", vx);
		json_object_set_new(o, "vxlan_peers", peers);
	}
	/* Only when there is one: records made before allow: existed stay equal. */
	if (n->n_allow) {
		json_t *allow = json_array();
		for (size_t i = 0; i < n->n_allow; i++)
			json_array_append_new(allow, json_string(n->allow[i]));
		json_object_set_new(o, "allow", allow);
	}
	return o;
}

static bool lists(json_t *spec, const char *other)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(spec, "allow"), i, v) if (streq_safe(json_string_value(v), other)) return true;
	return false;
}

/* The allow pairs of have that want lacks are denied, want's new ones allowed. A
 * network already gone (removed by the same up) has nothing left to deny. */
static int sync_allow(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(have, "allow"), i, v) {
		const char *o = json_string_value(v);
		json_t *st;
		if (!o || lists(want, o) || state_net_load(o, &st, NULL) < 0)
			continue;
		json_decref(st);
		int r = fw_net_allow_locked(name, o, false, e);
		if (r < 0)
			return r;
	}
	json_array_foreach(json_object_get(want, "allow"), i, v) {
		const char *o = json_string_value(v);
		if (!o || lists(have, o))
			continue;
		int r = fw_net_allow_locked(name, o, true, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* NAT, allow, MTU, names and VXLAN peers change in place; anything else (subnets,
 * bridge, range, VNI) replaces. */
static bool updatable(json_t *have, json_t *want)
{
	static const char *const in_place[] = { "nat", "allow", "mtu", "names", "vxlan_peers", NULL };
	return lab_spec_same_except(have, want, in_place);
}

/* A spec's names: key, as the network records it. */
static enum nsnet_names names_of(json_t *spec)
{
	json_t *v = json_object_get(spec, "names");
	return !json_is_boolean(v) ? NSNET_NAMES_AUTO : json_is_true(v) ? NSNET_NAMES_ON : NSNET_NAMES_OFF;
}

static const char *names_word(json_t *spec)
{
	enum nsnet_names n = names_of(spec);
	return n == NSNET_NAMES_AUTO ? "auto" : n == NSNET_NAMES_ON ? "on" : "off";
}

/* The addresses of a (array of strings) that b lacks, at most NSNET_VXLAN_PEERS_MAX. */
static size_t peers_minus(json_t *a, json_t *b, struct nsnet_prefix *out)
{
	size_t i, j, k = 0;
	json_t *x, *y;
	json_array_foreach(a, i, x) {
		bool found = false;
		json_array_foreach(b, j, y) found |= json_equal(x, y);
		if (!found && k < NSNET_VXLAN_PEERS_MAX && nsnet_addr_parse(json_string_value(x), &out[k], NULL) == 0)
			k++;
	}
	return k;
}

/* Peers added and removed: only the VXLAN port's forwarding entries change. */
static int sync_peers(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	json_t *h = json_object_get(have, "vxlan_peers"), *w = json_object_get(want, "vxlan_peers");
	struct nsnet_prefix add[NSNET_VXLAN_PEERS_MAX], del[NSNET_VXLAN_PEERS_MAX];
	size_t n_add = peers_minus(w, h, add), n_del = peers_minus(h, w, del);
	return n_add + n_del ? net_vxlan_peers_locked(name, add, n_add, del, n_del, e) : 0;
}

static bool has_peer(json_t *spec, json_t *peer)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(spec, "vxlan_peers"), i, v) if (json_equal(v, peer)) return true;
	return false;
}

static void peers_text(json_t *spec, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *v;
	buf[0] = 0;
	json_array_foreach(json_object_get(spec, "vxlan_peers"), i, v) if (off < len) off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", json_string_value(v));
	if (!off)
		snprintf(buf, len, "-");
}

static int update(const char *name, json_t *have, json_t *want, struct nsnet_error *e)
{
	bool nat = json_is_true(json_object_get(want, "nat"));
	int r = sync_peers(name, have, want, e);
	if (r < 0)
		return r;
	json_int_t mtu = json_integer_value(json_object_get(want, "mtu"));
	if (mtu != json_integer_value(json_object_get(have, "mtu")))
		r = net_set_mtu_locked(name, (unsigned)mtu, e);
	/* Recorded only: the files follow when up ends (net_hosts_sync). */
	if (r == 0 && names_of(want) != names_of(have))
		r = net_set_names_locked(name, names_of(want), e);
	if (r == 0 && nat != json_is_true(json_object_get(have, "nat")))
		r = fw_net_set_nat_locked(name, nat, e);
	return r < 0 ? r : sync_allow(name, have, want, e);
}

static void allow_list(json_t *spec, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *v;
	buf[0] = 0;
	json_array_foreach(json_object_get(spec, "allow"), i, v) if (off < len) off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", json_string_value(v));
	if (!off)
		snprintf(buf, len, "-");
}

static void describe_update(json_t *have, json_t *want, char *buf, size_t len)
{
	bool n0 = json_is_true(json_object_get(have, "nat")), n1 = json_is_true(json_object_get(want, "nat"));
	char a0[200], a1[200];
	allow_list(have, a0, sizeof(a0));
	allow_list(want, a1, sizeof(a1));
	json_int_t m0 = json_integer_value(json_object_get(have, "mtu")), m1 = json_integer_value(json_object_get(want, "mtu"));
	int off = 0;
	buf[0] = 0;
	if (m0 != m1)
		off = snprintf(buf, len, "mtu %lld -> %lld", m0 ? m0 : 1500, m1 ? m1 : 1500);
	if (n0 != n1 && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - (size_t)off, "%snat %s -> %s", off ? ", " : "", n0 ? "on" : "off",
				n1 ? "on" : "off");
	if (!streq(a0, a1) && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - (size_t)off, "%sallow %s -> %s", off ? ", " : "", a0, a1);
	if (names_of(have) != names_of(want) && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - (size_t)off, "%snames %s -> %s", off ? ", " : "", names_word(have),
				names_word(want));
	char p0[600], p1[600];
	peers_text(have, p0, sizeof(p0));
	peers_text(want, p1, sizeof(p1));
	if (!streq(p0, p1) && off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - (size_t)off, "%svxlan peers %s -> %s", off ? ", " : "", p0, p1);
}

static void explain_update(json_t *c, const char *name, json_t *have, json_t *want, json_t *specs)
{
	struct lab_quoter qt = { .i = 0 };
	bool nat = json_is_true(json_object_get(want, "nat"));
	json_int_t mtu = json_integer_value(json_object_get(want, "mtu"));
	if (mtu != json_integer_value(json_object_get(have, "mtu")))
		lab_cmd(c, "ip link set %s mtu %lld  # and every member's veth, both ends", lab_q(&qt, jstr(want, "bridge")),
			mtu ? mtu : 1500);
	if (nat != json_is_true(json_object_get(have, "nat")))
		lab_cmd(c, "nsnet net set %s nat %s", lab_q(&qt, name), nat ? "on" : "off");
	if (names_of(have) != names_of(want))
		lab_cmd(c, "nsnet net set %s names %s", lab_q(&qt, name), names_word(want));
	size_t i;
	json_t *v;
	char vx[16];
	net_vxlan_ifname(name, vx);
	json_array_foreach(json_object_get(have, "vxlan_peers"), i, v) if (!has_peer(want, v)) {
		qt.i = 1;
		lab_cmd(c, "bridge fdb del 00:00:00:00:00:00 dev %s dst %s", lab_q(&qt, vx), json_string_value(v));
	}
	json_array_foreach(json_object_get(want, "vxlan_peers"), i, v) if (!has_peer(have, v)) {
		qt.i = 1;
		lab_cmd(c, "bridge fdb append 00:00:00:00:00:00 dev %s dst %s", lab_q(&qt, vx), json_string_value(v));
	}
	json_array_foreach(json_object_get(have, "allow"), i, v) if (!lists(want, json_string_value(v))) {
		qt.i = 1;
		lab_cmd(c, "nsnet net set %s deny %s", lab_q(&qt, name), lab_q(&qt, json_string_value(v)));
	}
	json_array_foreach(json_object_get(want, "allow"), i, v) if (!lists(have, json_string_value(v))) {
		qt.i = 1;
		lab_cmd(c, "nsnet net set %s allow %s", lab_q(&qt, name), lab_q(&qt, json_string_value(v)));
	}
}

static void wanted(const struct topology *t, json_t *elements)
{
	char key[600];
	for (size_t i = 0; i < t->n_nets; i++)
		json_object_set_new(elements, lab_key(&lab_kind_net, t->nets[i].name, key, sizeof(key)), net_spec(&t->nets[i]));
}

/* Do the subnets of spec overlap those of a recorded network that stays? */
static int check_overlap(const struct lab_check *c, const char *name, json_t *spec, struct nsnet_error *e)
{
	char **names;
	size_t n;
	json_t *st;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		char k[128];
		lab_key(&lab_kind_net, names[i], k, sizeof(k));
		if (streq(names[i], name) || lab_keys_have(c->plan->remove, k) || state_net_load(names[i], &st, NULL) < 0)
			continue;
		size_t a, b;
		json_t *x, *y;
		json_array_foreach(json_object_get(st, "subnets"), a, x) {
			json_array_foreach(json_object_get(spec, "subnets"), b, y) {
				struct nsnet_prefix px, py;
				if (r || nsnet_prefix_parse(jstr(x, "cidr"), true, &px, NULL) < 0 ||
				    nsnet_prefix_parse(json_string_value(y), true, &py, NULL) < 0)
					continue;
				if (nsnet_prefix_overlaps(&px, &py))
					r = nsnet_errx(e, EEXIST, "network '%s': subnet %s overlaps %s of network '%s'", name,
						       json_string_value(y), jstr(x, "cidr"), names[i]);
			}
		}
		json_decref(st);
	}
	nsnet_strv_free(names, n);
	return r;
}

static int check(const struct lab_check *c, const char *key, const char *name, struct nsnet_error *e)
{
	json_t *spec = json_object_get(c->plan->want, key), *st;
	const char *owner = json_string_value(json_object_get(c->owners, key));
	if (owner)
		return nsnet_errx(e, EEXIST, "network '%s' belongs to lab '%s'", name, owner);
	json_t *old = json_object_get(c->plan->have, key);
	if (!old && state_net_load(name, &st, NULL) == 0) {
		json_decref(st);
		return nsnet_errx(e, EEXIST, "network '%s' already exists and is not part of lab '%s'", name, c->lab);
	}
	const char *br = jstr(spec, "bridge");
	bool our_bridge = old && streq(jstr(old, "bridge"), br);
	if (!our_bridge && link_index(c->host, br) > 0)
		return nsnet_errx(e, EEXIST, "network '%s': an interface named %s already exists in the host", name, br);
	/* Overlap with networks that stay (ours being replaced are going away). */
	return check_overlap(c, name, spec, e);
}

static int make_net(const char *lab, const char *name, json_t *spec, struct nsnet_error *e)
{
	struct nsnet_net_spec s = { .name = name, .bridge = jstr(spec, "bridge"),
				    .mtu = (unsigned)json_integer_value(json_object_get(spec, "mtu")),
				    .nat = json_is_true(json_object_get(spec, "nat")), .names = names_of(spec) };
	json_t *subs = json_object_get(spec, "subnets"), *gws = json_object_get(spec, "gateways");
	for (size_t i = 0; i < json_array_size(subs) && i < 2; i++) {
		if (nsnet_prefix_parse(json_string_value(json_array_get(subs, i)), true, &s.subnet[i], e) < 0 ||
		    nsnet_addr_parse(json_string_value(json_array_get(gws, i)), &s.gateway[i], e) < 0)
			return -EINVAL;
		s.n_subnets++;
	}
	size_t i;
	json_t *rg;
	json_array_foreach(json_object_get(spec, "range"), i, rg) {
		struct nsnet_prefix a, b;
		if (nsnet_addr_parse(json_string_value(json_array_get(rg, 0)), &a, e) < 0 ||
		    nsnet_addr_parse(json_string_value(json_array_get(rg, 1)), &b, e) < 0)
			return -EINVAL;
		for (size_t k = 0; k < s.n_subnets; k++)
			if (s.subnet[k].family == a.family) {
				s.range_start[k] = a;
				s.range_end[k] = b;
			}
	}
	json_t *vx = json_object_get(spec, "vxlan"), *p;
	struct nsnet_prefix peers[NSNET_VXLAN_PEERS_MAX];
	if (vx) {
		s.vxlan.vni = (uint32_t)json_integer_value(json_object_get(vx, "vni"));
		s.vxlan.port = (uint16_t)json_integer_value(json_object_get(vx, "port"));
		s.vxlan.dev = jstr(vx, "dev");
		if (jstr(vx, "local") && nsnet_addr_parse(jstr(vx, "local"), &s.vxlan.local, e) < 0)
			return -EINVAL;
		json_array_foreach(json_object_get(spec, "vxlan_peers"), i, p) {
			if (i < NSNET_VXLAN_PEERS_MAX && nsnet_addr_parse(json_string_value(p), &peers[s.vxlan.n_peers], e) == 0)
				s.vxlan.n_peers++;
		}
		s.vxlan.peers = peers;
	}
	int r = net_create_locked(&s, lab, e);
	return r < 0 ? nsnet_err_wrap(e, "network '%s'", name) : 0;
}

static int create(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e)
{
	int r;
	for (size_t i = 0; i < els->n; i++) {
		json_array_append_new(done, json_string(els->v[i].key));
		if ((r = make_net(c->lab, els->v[i].name, els->v[i].spec, e)) < 0 || (r = lab_check_cancel(c->run, e)) < 0)
			return r;
	}
	/* Then the exceptions to isolation, once both ends of each exist. */
	for (size_t i = 0; i < els->n; i++)
		if ((r = sync_allow(els->v[i].name, NULL, els->v[i].spec, e)) < 0)
			return nsnet_err_wrap(e, "network '%s'", els->v[i].name);
	return 0;
}

static int remove_net(const char *name, json_t *spec, json_t *dying, struct nsnet_error *e)
{
	struct nsnet_error tmp = { 0 };
	int r = net_rm_locked_ex(name, true, dying, &tmp);
	if (r == -ENOENT)
		r = 0;  /* never recorded, or removed already */
	else if (r < 0 && e)
		*e = tmp;
	/* A crash between making the bridge and recording the network leaves a bridge
	 * that only the lab's journal knows about. */
	const char *br = jstr(spec, "bridge");
	_cleanup_nl_ struct nl *host = NULL;
	if (br && nl_open_fd(NS_SELF, &host, NULL) == 0 && link_index(host, br) > 0)
		host_links_delete(host, &br, 1, NULL);
	char vxn[16];
	const char *vx = vxn;
	net_vxlan_ifname(name, vxn);
	if (json_object_get(spec, "vxlan") && host && link_index(host, vx) > 0)
		host_links_delete(host, &vx, 1, NULL);
	return r;
}

/* Every network is tried whatever failed before it; the first failure is said. The
 * members among the namespaces that go need no detach. */
static int remove_nets(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e)
{
	int err = 0, r;
	for (size_t i = 0; i < els->n; i++) {
		if ((r = remove_net(els->v[i].name, els->v[i].spec, c->dying, err ? NULL : e)) < 0)
			err = err ?: r;
	}
	return err;
}

static bool is_missing(const char *name, json_t *spec, struct lab_seen *seen)
{
	json_t *st = lab_seen_net(seen, name);
	if (!st)
		return true;
	/* A network that spans hosts is whole with its VXLAN port only. */
	const char *vx = jstr(json_object_get(st, "vxlan"), "ifname");
	bool gone = vx && !lab_seen_link(seen, NSNET_HOST, vx);
	json_decref(st);
	return gone || !lab_seen_link(seen, NSNET_HOST, jstr(spec, "bridge"));
}

static void explain(json_t *c, const char *name, json_t *n, json_t *specs, bool add)
{
	struct lab_quoter qt = { .i = 0 };
	const char *br = lab_q(&qt, jstr(n, "bridge"));
	json_t *vx = json_object_get(n, "vxlan");
	char vxn[16];
	net_vxlan_ifname(name, vxn);
	if (!add) {
		if (vx)
			lab_cmd(c, "ip link del %s", vxn);
		lab_cmd(c, "ip link del %s", br);
		return;
	}
	lab_cmd(c, "ip link add %s type bridge", br);
	if (vx) {
		char local[80] = "", dev[40] = "";
		if (jstr(vx, "local"))
			snprintf(local, sizeof(local), " local %s", jstr(vx, "local"));
		if (jstr(vx, "dev"))
			snprintf(dev, sizeof(dev), " dev %s", jstr(vx, "dev"));
		lab_cmd(c, "ip link add %s type vxlan id %lld dstport %lld%s%s nolearning", vxn,
			json_integer_value(json_object_get(vx, "vni")), json_integer_value(json_object_get(vx, "port")), local,
			dev);
		lab_cmd(c, "ip link set %s master %s up", vxn, br);
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(n, "vxlan_peers"), i, p)
			lab_cmd(c, "bridge fdb append 00:00:00:00:00:00 dev %s dst %s", vxn, json_string_value(p));
	}
	for (size_t i = 0; i < json_array_size(json_object_get(n, "subnets")); i++) {
		const char *sub = json_string_value(json_array_get(json_object_get(n, "subnets"), i));
		const char *slash = strchr(sub, '/');
		char a[128];
		snprintf(a, sizeof(a), "%s%s", json_string_value(json_array_get(json_object_get(n, "gateways"), i)), slash ? slash : "");
		lab_cmd(c, "ip addr add %s dev %s", lab_q(&qt, a), br);
	}
	lab_cmd(c, "ip link set %s up", br);
	if (json_is_true(json_object_get(n, "nat"))) {
		char set[600];
		lab_cmd(c, "sysctl -w net.ipv4.ip_forward=1");
		snprintf(set, sizeof(set), "{ \"%s\" }", jstr(n, "bridge"));
		lab_cmd(c, "nft add element inet nsnet nat_bridges %s", lab_q(&qt, set));
		snprintf(set, sizeof(set), "{ %s }", json_string_value(json_array_get(json_object_get(n, "subnets"), 0)));
		lab_cmd(c, "nft add element inet nsnet nat4 %s", lab_q(&qt, set));
	}
}

static json_t *status(const char *name, json_t *spec, struct lab_seen *seen, bool *ok)
{
	json_t *net = lab_seen_net(seen, name);
	bool exists = net != NULL;
	bool br = lab_seen_link(seen, NSNET_HOST, jstr(spec, "bridge"));
	*ok &= exists && br;
	json_decref(net);
	return json_pack("{s:s, s:s, s:O, s:b}", "name", name, "bridge", jstr(spec, "bridge"), "subnets",
			 json_object_get(spec, "subnets"), "ok", exists && br);
}

static bool set_has(json_t *elems, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(elems, i, x) if (json_is_string(x) && streq(json_string_value(x), s)) return true;
	return false;
}

/* Its bridge in the isolation set, and with NAT in the NAT set. */
static void fw_missing(json_t *spec, const struct lab_fw *fw, json_t *missing)
{
	const char *br = jstr(spec, "bridge");
	if (!set_has(fw->bridges, br))
		json_array_append_new(missing, json_sprintf("bridges: %s", br));
	if (json_is_true(json_object_get(spec, "nat")) && !set_has(fw->nat_bridges, br))
		json_array_append_new(missing, json_sprintf("nat_bridges: %s", br));
}

/* Its members' addresses, from its state (where attach recorded them). */
static json_t *addresses(const char *name, json_t *spec, json_t *nodes)
{
	json_t *net, *out = json_array();
	if (state_net_load(name, &net, NULL) < 0)
		return out;
	size_t i, j;
	json_t *m, *ip;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		if (!json_object_get(nodes, jstr0(m, "ns")))
			continue;
		json_array_foreach(json_object_get(m, "ips"), j, ip) json_array_append_new(out, json_pack("[O, O]", json_object_get(m, "ns"), ip));
	}
	json_decref(net);
	return out;
}

const struct lab_kind lab_kind_net = {
	.prefix = "net:",
	.plural = "networks",
	.needs_fw_table = true,
	.wanted = wanted,
	.check = check,
	.create = create,
	.remove = remove_nets,
	.updatable = updatable,
	.update = update,
	.describe_update = describe_update,
	.explain_update = explain_update,
	.is_missing = is_missing,
	.explain = explain,
	.status = status,
	.fw_missing = fw_missing,
	.addresses = addresses,
};
