/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host settings the firewall needs besides its table, and the record that lets
 * nsnet give them back: IPv4/IPv6 forwarding (routing for NAT and published ports),
 * route_localnet on a bridge (127.0.0.1 -> published port) and hairpin mode on a
 * bridge port (a namespace reaching its own published port).
 */
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

#define FWD4 "net/ipv4/ip_forward"
#define FWD6 "net/ipv6/conf/all/forwarding"

int fw_state_load(json_t **ret, struct nsnet_error *e)
{
	return state_load_file(NSNET_FW_FILE, state_fw_check, ret, e);
}

int fw_state_save(json_t *st, struct nsnet_error *e)
{
	json_t *pub = json_object_get(st, "published");
	if (pub && json_object_size(pub) == 0)
		json_object_del(st, "published");
	return state_save_file(NSNET_FW_FILE, st, e);
}

long fw_published_count(json_t *st, const char *net, const char *ns)
{
	json_t *per = json_object_get(json_object_get(st, "published"), net);
	if (ns)
		return (long)json_integer_value(json_object_get(per, ns));
	long n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(per, k, v) n += (long)json_integer_value(v);
	return n;
}

/* What nsnet needs now: IPv4 forwarding for any NAT network or published port,
 * IPv6 forwarding for a NAT network with an IPv6 subnet. */
static int needs(json_t *st, const char *skip, bool *v4, bool *v6, struct nsnet_error *e)
{
	*v4 = *v6 = false;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(st, "published"), k, v) {
		if ((!skip || !streq(k, skip)) && fw_published_count(st, k, NULL) > 0)
			*v4 = true;
	}
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if ((skip && streq(names[i], skip)) || state_net_load(names[i], &net, NULL) < 0)
			continue;
		if (json_is_true(json_object_get(net, "nat"))) {
			*v4 |= net_subnet(net, AF_INET) != NULL;
			*v6 |= net_subnet(net, AF_INET6) != NULL;
		}
		json_decref(net);
	}
	nsnet_strv_free(names, n);
	return 0;
}

/* Turn one sysctl on and remember what it was, or give the old value back. Only a
 * value nsnet itself changed is given back, and only if it still reads "1". */
static int sync_one(json_t *st, const char *key, const char *was_key, bool need, struct nsnet_error *e)
{
	char cur[16];
	int r = nsnet_sysctl_get(NSNET_HOST, key, cur, sizeof(cur), e);
	if (r == -ENOENT && !need)
		return 0;
	if (r < 0)
		return r;
	json_t *was = json_object_get(st, was_key);
	if (need) {
		if (streq(cur, "1"))
			return 0;
		/* The old value is on disk before the setting changes: a command killed
		 * right after the write leaves a record that gives it back. */
		if (!was) {
			json_object_set_new(st, was_key, json_string(cur));
			if ((r = fw_state_save(st, e)) < 0) {
				json_object_del(st, was_key);
				return r;
			}
		}
		return nsnet_sysctl_set(NSNET_HOST, key, "1", e);
	}
	if (!was)
		return 0;
	/* Given back first, forgotten after: a kill in between leaves a record of a
	 * value that is already back, which the next sync simply drops. */
	if (streq(cur, "1") && (r = nsnet_sysctl_set(NSNET_HOST, key, json_string_value(was), e)) < 0)
		return r;
	json_object_del(st, was_key);
	return 0;
}

int fw_forwarding_sync(json_t *st, const char *skip_net, struct nsnet_error *e)
{
	bool v4, v6;
	int r = needs(st, skip_net, &v4, &v6, e);
	if (r == 0)
		r = sync_one(st, FWD4, "ip_forward_was", v4, e);
	if (r == 0)
		r = sync_one(st, FWD6, "ipv6_forwarding_was", v6, e);
	return r;
}

int fw_localnet_set(const char *bridge, bool on, struct nsnet_error *e)
{
	char key[128];
	if (xsnprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", bridge) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "bridge name too long: %s", bridge);
	return nsnet_sysctl_set(NSNET_HOST, key, on ? "1" : "0", e);
}

int fw_hairpin_set(const char *port, bool on, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	int r = nl_open_fd(NS_SELF, &nl, e);
	if (r < 0)
		return r;
	int idx = link_index(nl, port);
	if (idx < 0)
		return nsnet_err(e, -idx, "set hairpin mode on %s", port);
	/* As `bridge link set dev PORT hairpin on`: the port's bridge attributes. */
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = idx;
	struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on ? BRIDGE_MODE_HAIRPIN : BRIDGE_MODE_VEB);
	mnl_attr_nest_end(nlh, nest);
	char what[64];
	snprintf(what, sizeof(what), "set hairpin mode %s on %s", on ? "on" : "off", port);
	return nl_request(nl, nlh, what, e);
}
