/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsnet status: what a lab is meant to be, checked against what the kernel has. */
#include "fw/fw.h"
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

static json_t *node_status(const char *name, json_t *spec, bool *ok)
{
	bool exists = nsnet_ns_exists(name);
	json_t *ifaces = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(spec, "ifaces"), i, f) {
		json_t *o = json_pack("{s:s}", "network", jstr(f, "network"));
		bool up = exists && lab_iface_present(name, f, NULL, o);
		json_object_set_new(o, "ok", json_boolean(up));
		*ok &= up;
		json_array_append_new(ifaces, o);
	}
	*ok &= exists;
	return json_pack("{s:s, s:b, s:o}", "name", name, "exists", exists, "interfaces", ifaces);
}

static json_t *link_status(json_t *spec, bool *ok)
{
	json_t *nodes = json_object_get(spec, "nodes"), *ifs = json_object_get(spec, "ifnames");
	bool up = true;
	for (int i = 0; i < 2; i++) {
		const char *ns = json_string_value(json_array_get(nodes, i));
		up &= nsnet_ns_exists(ns) && nsnet_link_index(ns, json_string_value(json_array_get(ifs, i)), NULL) > 0;
	}
	*ok &= up;
	return json_pack("{s:O, s:O, s:O, s:b}", "nodes", nodes, "ifnames", ifs, "ips", json_object_get(spec, "ips"), "ok", up);
}

/* The elements of one of nsnet's sets or maps, or NULL when it cannot be read. */
static json_t *fw_elems(const char *kind, const char *name)
{
	char cmd[128];
	json_t *v, *elems = NULL;
	snprintf(cmd, sizeof(cmd), "list %s " FW_FAMILY " " FW_TABLE " %s", kind, name);
	if (nft_list_json(cmd, &v, NULL) < 0)
		return NULL;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(v, "nftables"), i, o) {
		json_t *s = json_object_get(o, kind);
		if (s) {
			elems = json_object_get(s, "elem");
			elems = elems ? json_incref(elems) : json_array();
		}
	}
	json_decref(v);
	return elems;
}

static bool set_has(json_t *elems, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(elems, i, x) if (json_is_string(x) && streq(json_string_value(x), s)) return true;
	return false;
}

/* A map element whose key is the concatenation key[0..n). */
static bool map_has(json_t *elems, json_t *key)
{
	size_t i;
	json_t *x;
	json_array_foreach(elems, i, x) {
		json_t *k = json_object_get(json_array_get(x, 0), "concat");
		if (k && json_equal(k, key))
			return true;
	}
	return false;
}

/* What the lab needs from nsnet's nftables table (isolation, NAT, published ports)
 * and does not find there, e.g. after `nft flush ruleset`: "table inet nsnet",
 * "bridges: v-net-0", "nat_bridges: v-net-0", "pubany4: tcp 8080". */
static json_t *fw_missing(json_t *elements)
{
	json_t *missing = json_array();
	const char *k;
	json_t *v;
	bool any_net = false;
	json_object_foreach(elements, k, v) any_net |= strncmp(k, "net:", 4) == 0;
	if (!any_net)
		return missing;
	if (!fw_table_exists()) {
		json_array_append_new(missing, json_string("table " FW_FAMILY " " FW_TABLE));
		return missing;
	}
	json_t *bridges = fw_elems("set", "bridges"), *nat = fw_elems("set", "nat_bridges");
	json_t *pubany = fw_elems("map", "pubany4"), *pub = fw_elems("map", "pub4");
	json_object_foreach(elements, k, v) {
		if (strncmp(k, "net:", 4) == 0) {
			const char *br = jstr(v, "bridge");
			if (!set_has(bridges, br))
				json_array_append_new(missing, json_sprintf("bridges: %s", br));
			if (json_is_true(json_object_get(v, "nat")) && !set_has(nat, br))
				json_array_append_new(missing, json_sprintf("nat_bridges: %s", br));
		} else if (strncmp(k, "node:", 5) == 0) {
			size_t i;
			json_t *p;
			json_array_foreach(json_object_get(v, "publish"), i, p) {
				const char *hip = jstr(p, "host_ip");
				json_t *port = json_object_get(p, "host_port");
				json_t *key = hip ? json_pack("[s, s, O]", jstr(p, "proto"), hip, port)
						  : json_pack("[s, O]", jstr(p, "proto"), port);
				if (!map_has(hip ? pub : pubany, key))
					json_array_append_new(missing, json_sprintf("%s: %s%s%s %lld", hip ? "pub4" : "pubany4",
										    jstr(p, "proto"), hip ? " " : "", hip ? hip : "",
										    json_integer_value(port)));
				json_decref(key);
			}
		}
	}
	json_decref(bridges);
	json_decref(nat);
	json_decref(pubany);
	json_decref(pub);
	return missing;
}

int nsnet_lab_status(const char *arg, json_t **ret, struct nsnet_error *e)
{
	_cleanup_free_ char *lab = NULL;
	json_t *st;
	int r = lab_open(arg, &lab, &st, e);
	if (r < 0)
		return r;
	bool ok = true;
	json_t *nodes = json_array(), *nets = json_array(), *links = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(st, "elements"), k, v) {
		if (strncmp(k, "node:", 5) == 0) {
			json_array_append_new(nodes, node_status(k + 5, v, &ok));
		} else if (strncmp(k, "net:", 4) == 0) {
			json_t *net;
			bool exists = state_net_load(k + 4, &net, NULL) == 0;
			bool br = nsnet_link_index(NSNET_HOST, jstr(v, "bridge"), NULL) > 0;
			ok &= exists && br;
			json_array_append_new(nets, json_pack("{s:s, s:s, s:O, s:b}", "name", k + 4, "bridge", jstr(v, "bridge"),
							      "subnets", json_object_get(v, "subnets"), "ok", exists && br));
			if (exists)
				json_decref(net);
		} else {
			json_array_append_new(links, link_status(v, &ok));
		}
	}
	json_t *missing = fw_missing(json_object_get(st, "elements"));
	ok &= json_array_size(missing) == 0;
	const char *status = jstr(st, "status");
	*ret = json_pack("{s:s, s:s?, s:s, s:o, s:o, s:o, s:{s:b, s:o}}", "lab", lab, "file", jstr(st, "file"), "status",
			 status && streq(status, "applying") ? "applying" : ok ? "up" : "degraded", "networks", nets,
			 "nodes", nodes, "links", links, "firewall", "ok", json_array_size(missing) == 0, "missing", missing);
	json_decref(st);
	return 0;
}
