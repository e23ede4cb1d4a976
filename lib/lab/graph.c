/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet graph: a lab's picture as DOT (topology/dot.c draws it). When the lab is
 * up, the picture is of what runs: the addresses the pool gave, and what is not
 * as the file says (a namespace or interface gone, an interface down, a bridge
 * gone, a stopped service, NAT or a published port lost from the firewall), read
 * from the kernel and from the same report `nsnet status` gives.
 */
#include <net/if.h>

/* <linux/if.h> has it but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "state/state.h"
#include "base/base.h"

struct live {
	json_t *nets;    /* { network: its state record }, for the pool's addresses */
	json_t *report;  /* lab_status_report's */
	/* The netlink socket of the namespace last asked about: the callbacks come
	 * node by node, so one socket serves all of a node's interfaces. */
	struct nl *nl;
	char *nl_ns;
	bool nl_gone;    /* nl_ns could not be opened: its namespace is gone */
};

/* A running lab's addresses, from its networks' records: { net: record }. */
static size_t live_addrs(const char *node, const char *network, struct nsnet_prefix *ips, size_t n, void *data)
{
	const struct live *lv = data;
	json_t *net = json_object_get(lv->nets, network), *m;
	size_t i, got = 0;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		if (!streq_safe(jstr(m, "ns"), node))
			continue;
		size_t j;
		json_t *ip;
		json_array_foreach(json_object_get(m, "ips"), j, ip) {
			if (got < n && nsnet_prefix_parse(json_string_value(ip), true, &ips[got], NULL) == 0)
				got++;
		}
		break;
	}
	return got;
}

static void live_nl_drop(struct live *lv)
{
	if (lv->nl)
		nl_close(lv->nl);
	lv->nl = NULL;
	free(lv->nl_ns);
	lv->nl_ns = NULL;
}

/* A namespace is gone, or an interface in it is gone or down (administratively,
 * or without carrier: a veth whose peer is down). Flags, not IFLA_OPERSTATE: the
 * kernel updates the operational state later, from its link watch. */
static enum topo_live_state live_state(const char *node, const char *ifname, void *data)
{
	struct live *lv = data;
	if (!streq_safe(lv->nl_ns, node)) {
		live_nl_drop(lv);
		if (!(lv->nl_ns = strdup(node)))
			return TOPO_LIVE_OK;  /* out of memory: say nothing rather than something false */
		lv->nl_gone = !streq(node, NSNET_HOST) && !nsnet_ns_exists(node);
		if (!lv->nl_gone && nl_open(node, &lv->nl, NULL) < 0)
			lv->nl_gone = !nsnet_ns_exists(node);
	}
	if (lv->nl_gone)
		return TOPO_LIVE_MISSING;
	if (!ifname || !lv->nl)
		return TOPO_LIVE_OK;
	struct rtnl_link l;
	if (link_get(lv->nl, ifname, &l) < 0)
		return TOPO_LIVE_MISSING;
	return (l.flags & IFF_UP) && (l.flags & IFF_LOWER_UP) ? TOPO_LIVE_OK : TOPO_LIVE_DOWN;
}

/* The report's entry in list whose key is value (and key2 is value2, if given). */
static json_t *report_find(const struct live *lv, const char *list, const char *key, const char *value, const char *key2,
			   const char *value2)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(lv->report, list), i, o) {
		if (streq_safe(jstr(o, key), value) && (!key2 || streq_safe(jstr(o, key2), value2)))
			return o;
	}
	return NULL;
}

/* What status says is missing from nsnet's firewall: this line, or the whole table. */
static bool fw_lacks(const struct live *lv, const char *line)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(lv->report, "firewall"), "missing"), i, m) {
		const char *s = json_string_value(m);
		if (s && (streq(s, line) || strncmp(s, "table ", 6) == 0))
			return true;
	}
	return false;
}

static enum topo_live_state live_net(const char *network, void *data)
{
	json_t *n = report_find(data, "networks", "name", network, NULL, NULL);
	return !n || json_is_true(json_object_get(n, "ok")) ? TOPO_LIVE_OK : TOPO_LIVE_MISSING;
}

static enum topo_live_state live_nat(const char *network, void *data)
{
	json_t *n = report_find(data, "networks", "name", network, NULL, NULL);
	char line[64];
	snprintf(line, sizeof(line), "nat_bridges: %s", jstr0(n, "bridge"));
	return n && fw_lacks(data, line) ? TOPO_LIVE_MISSING : TOPO_LIVE_OK;
}

static enum topo_live_state live_publish(const char *node, const struct topo_publish *p, void *data)
{
	char line[128];
	const char *proto = p->proto == IPPROTO_UDP ? "udp" : "tcp";
	/* As status's fw_missing writes them (kind_node.c). */
	if (p->host_ip)
		snprintf(line, sizeof(line), "pub4: %s %s %u", proto, p->host_ip, p->host_port);
	else
		snprintf(line, sizeof(line), "pubany4: %s %u", proto, p->host_port);
	return report_find(data, "nodes", "name", node, NULL, NULL) && fw_lacks(data, line) ? TOPO_LIVE_MISSING
											     : TOPO_LIVE_OK;
}

static enum topo_live_state live_service(const char *node, const char *service, void *data)
{
	json_t *s = report_find(data, "services", "node", node, "name", service);
	return !s || json_is_true(json_object_get(s, "ok")) ? TOPO_LIVE_OK : TOPO_LIVE_STOPPED;
}

int nsnet_lab_graph(const char *arg, char **ret_dot, struct nsnet_error *e)
{
	struct topology *t;
	int r = lab_topology(arg, &t, e);
	if (r < 0)
		return r;
	/* Only when the lab is up: a file's graph shows what it asks for. */
	_cleanup_json_ json_t *st = NULL;
	char *dot;
	if (lab_state_load(t->name, &st, NULL) == 0) {
		struct live lv = { .nets = json_object(), .report = lab_status_report(t->name, st) };
		for (size_t i = 0; i < t->n_nets; i++) {
			json_t *n;
			if (state_net_load(t->nets[i].name, &n, NULL) == 0)
				json_object_set_new(lv.nets, t->nets[i].name, n);
		}
		const struct topo_live tl = {
			.status = jstr(lv.report, "status"),
			.addrs = live_addrs,
			.state = live_state,
			.net = live_net,
			.nat = live_nat,
			.publish = live_publish,
			.service = live_service,
			.data = &lv,
		};
		dot = topo_dot_live(t, &tl);
		live_nl_drop(&lv);
		json_decref(lv.nets);
		json_decref(lv.report);
	} else {
		dot = topo_dot(t);
	}
	topo_free(t);
	if (!dot)
		return nsnet_err(e, ENOMEM, "graph");
	*ret_dot = dot;
	return 0;
}
