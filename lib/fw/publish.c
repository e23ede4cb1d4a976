/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Published ports: HOST_PORT on the host (every address, or one) to NS:PORT, by
 * DNAT through nsnet's maps. One file per publish, /run/nsnet/publish/PROTO-PORT.json,
 * so the duplicate check and the state write cost the same for the 1000th publish
 * as for the first; the kernel side is one map element.
 */
#include <dirent.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

static const char *proto_name(int proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : NULL;
}

/* HOST_IP must be one of the host's addresses: a DNAT on any other would never see
 * a packet, and the user meant something else. */
static int check_host_ip(const struct nsnet_prefix *ip, struct nsnet_error *e)
{
	char buf[64];
	nsnet_prefix_str(ip, false, buf, sizeof(buf));
	if (ip->family != AF_INET)
		return nsnet_errx(e, EINVAL, "host address %s: published ports are IPv4 only", buf);
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa) < 0)
		return nsnet_err(e, errno, "list the host's addresses");
	bool found = false;
	for (i = ifa; i && !found; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip->addr, 4) == 0)
			found = true;
	freeifaddrs(ifa);
	if (!found)
		return nsnet_errx(e, EADDRNOTAVAIL, "host address %s is not an address of this host", buf);
	return 0;
}

/* The network ns is on, its IPv4 address there and its bridge port. */
static int resolve(const char *ns, const char *want_net, json_t **ret_net, char ip[64], char port[16],
		   struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	json_t *found = NULL;
	char others[256] = "";
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		if ((want_net && !streq(names[i], want_net)) || state_net_load(names[i], &net, NULL) < 0)
			continue;
		json_t *m = net_member(net, ns, NULL);
		if (!m || !streq(jstr0(m, "state"), "up")) {
			json_decref(net);
			continue;
		}
		if (found) {
			size_t l = strlen(others);
			snprintf(others + l, sizeof(others) - l, "%s'%s'", l ? ", " : "", names[i]);
			json_decref(net);
			continue;
		}
		found = net;
		snprintf(others, sizeof(others), "'%s'", names[i]);
	}
	nsnet_strv_free(names, n);
	if (!found) {
		if (want_net)
			return nsnet_errx(e, ENOENT, "namespace '%s' is not attached to network '%s'", ns, want_net);
		return nsnet_errx(e, ENOENT, "namespace '%s' is not attached to any nsnet network", ns);
	}
	if (strchr(others, ',')) {
		json_decref(found);
		return nsnet_errx(e, EINVAL, "namespace '%s' is on several networks (%s): choose one with --net", ns, others);
	}
	json_t *m = net_member(found, ns, NULL);
	size_t i;
	json_t *a;
	ip[0] = 0;
	json_array_foreach(json_object_get(m, "ips"), i, a) {
		struct nsnet_prefix p;
		if (!ip[0] && nsnet_prefix_parse(json_string_value(a), true, &p, NULL) == 0 && p.family == AF_INET)
			nsnet_prefix_str(&p, false, ip, 64);
	}
	snprintf(port, 16, "%s", jstr0(m, "host_ifname"));
	if (!ip[0]) {
		r = nsnet_errx(e, EINVAL, "namespace '%s' has no IPv4 address on network '%s': published ports are IPv4 only",
			       ns, jstr0(found, "name"));
		json_decref(found);
		return r;
	}
	*ret_net = found;
	return 0;
}

static void count_add(json_t *st, const char *net, const char *ns, int d)
{
	json_t *pub = json_object_get(st, "published");
	if (!pub)
		json_object_set_new(st, "published", pub = json_object());
	json_t *per = json_object_get(pub, net);
	if (!per)
		json_object_set_new(pub, net, per = json_object());
	json_int_t v = json_integer_value(json_object_get(per, ns)) + d;
	if (v > 0)
		json_object_set_new(per, ns, json_integer(v));
	else
		json_object_del(per, ns);
	if (json_object_size(per) == 0)
		json_object_del(pub, net);
}

/* 0 when PROTO/HOST_PORT is free; -EEXIST naming its owner; the read error when its
 * file is damaged (never written over). */
static int check_free(const char *path, const char *proto, unsigned host_port, struct nsnet_error *e)
{
	json_t *old;
	struct nsnet_error re = { 0 };
	int r = json_read(path, &old, &re);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (e)
			*e = re;
		return r;
	}
	r = nsnet_errx(e, EEXIST, "%s port %u is already published to %s:%lld", proto, host_port, jstr0(old, "ns"),
		       json_integer_value(json_object_get(old, "port")));
	json_decref(old);
	return r;
}

/* The publish's record, as its file holds it. */
static json_t *pub_record(const struct nsnet_publish_spec *s, const char *net_name, const char *ip, const char *port_if)
{
	char hip[64] = "";
	json_t *pub = json_pack("{s:s}", "proto", proto_name(s->proto));
	if (s->host_ip)
		json_object_set_new(pub, "host_ip", json_string(nsnet_prefix_str(s->host_ip, false, hip, sizeof(hip))));
	json_object_set_new(pub, "host_port", json_integer(s->host_port));
	json_object_set_new(pub, "ns", json_string(s->ns));
	json_object_set_new(pub, "port", json_integer(s->port));
	json_object_set_new(pub, "net", json_string(net_name));
	json_object_set_new(pub, "ip", json_string(ip));
	json_object_set_new(pub, "host_ifname", json_string(port_if));
	return pub;
}

/* A file, a count, host settings and a map element: journaled, so that a kill
 * anywhere in between is undone by the next command (fw/recover.c). */
static int publish_apply(const char *path, json_t *pub, json_t *st, const char *bridge, struct nsnet_error *e)
{
	const char *net_name = jstr0(pub, "net"), *ns = jstr0(pub, "ns"), *port_if = jstr0(pub, "host_ifname");
	bool first_net = fw_published_count(st, net_name, NULL) == 0;
	bool first_ns = fw_published_count(st, net_name, ns) == 0;
	/* State first: if the transaction below has to fall back to a rebuild, the
	 * rebuild reads this publish from disk. */
	int r = mkdir_p(NSNET_PUBLISH_DIR, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, -r, "create %s", NSNET_PUBLISH_DIR);
	struct journal j;
	if ((r = journal_begin(&j, json_pack("{s:s, s:s, s:O}", "op", "publish", "path", path, "pub", pub), e)) < 0)
		return r;
	if ((r = json_write_atomic(path, pub, e)) < 0) {
		journal_end(&j);
		return r;
	}
	count_add(st, net_name, ns, 1);
	bool lnet = false, hairpin = false;
	/* The count before the settings it stands for: settling after a kill turns off
	 * what the counts no longer need. */
	if ((r = fw_state_save(st, e)) < 0 || (r = fw_forwarding_sync(st, NULL, e)) < 0)
		goto undo;
	if (first_net && (r = fw_localnet_set(bridge, true, e)) < 0)
		goto undo;
	lnet = first_net;
	if (first_ns && (r = fw_hairpin_set(port_if, true, e)) < 0)
		goto undo;
	hairpin = first_ns;
	struct nft_cmds c;
	if ((r = nft_cmds_open(&c, e)) < 0)
		goto undo;
	fw_elems_publish(&c, "add", pub);
	r = fw_commit(&c, e);
	nft_cmds_free(&c);
	if (r == 0 && (r = fw_state_save(st, e)) == 0) {
		journal_end(&j);
		return 0;
	}
undo:
	unlink(path);
	if (hairpin)
		fw_hairpin_set(port_if, false, NULL);
	if (lnet)
		fw_localnet_set(bridge, false, NULL);
	count_add(st, net_name, ns, -1);
	fw_forwarding_sync(st, NULL, NULL);
	fw_state_save(st, NULL);
	journal_end(&j);
	return r;
}

static int publish_locked(const struct nsnet_publish_spec *s, struct nsnet_error *e)
{
	const char *proto = proto_name(s->proto);
	char path[PATH_MAX], ip[64], port_if[16];
	state_publish_path(proto, s->host_port, path, sizeof(path));
	int r = check_free(path, proto, s->host_port, e);
	if (r < 0)
		return r;
	json_t *net = NULL, *st = NULL, *pub = NULL;
	if ((r = resolve(s->ns, s->net, &net, ip, port_if, e)) < 0)
		return r;
	if ((r = fw_foreign_check(net, FW_PKT_PUBLISHED, e)) == 0 && (r = fw_state_load(&st, e)) == 0) {
		pub = pub_record(s, jstr0(net, "name"), ip, port_if);
		r = publish_apply(path, pub, st, jstr0(net, "bridge"), e);
	}
	json_decref(pub);
	json_decref(st);
	json_decref(net);
	return r;
}

int publish_check(const struct nsnet_publish_spec *s, struct nsnet_error *e)
{
	if (!proto_name(s->proto))
		return nsnet_errx(e, EINVAL, "protocol must be tcp or udp");
	if (s->host_port == 0 || s->port == 0)
		return nsnet_errx(e, EINVAL, "ports must be 1..65535");
	int r = nsnet_ns_name_check(s->ns, e);
	if (r < 0 || (s->net && (r = net_name_check(s->net, e)) < 0) ||
	    (s->host_ip && (r = check_host_ip(s->host_ip, e)) < 0))
		return r;
	return 0;
}

int publish_error(const struct nsnet_publish_spec *s, struct nsnet_error *e)
{
	char hip[64] = "", where[80] = "";
	if (s->host_ip)
		snprintf(where, sizeof(where), "%s:", nsnet_prefix_str(s->host_ip, false, hip, sizeof(hip)));
	return nsnet_err_wrap(e, "publish %s%u/%s to %s:%u", where, s->host_port, proto_name(s->proto), s->ns, s->port);
}

int publish_add_locked(const struct nsnet_publish_spec *s, struct nsnet_error *e)
{
	int r = publish_check(s, e);
	if (r == 0)
		r = publish_locked(s, e);
	return r < 0 ? publish_error(s, e) : r;
}

/* Close the port (file, then map element, journaled) and give back the host
 * settings it needed; a failure of the latter reports but does not undo. */
static int unpublish_apply(const char *path, json_t *pub, json_t *st, struct nsnet_error *e)
{
	struct journal j;
	int r = journal_begin(&j, json_pack("{s:s, s:s, s:O}", "op", "unpublish", "path", path, "pub", pub), e);
	if (r < 0)
		return r;
	if (unlink(path) < 0) {
		r = nsnet_err(e, errno, "remove %s", path);
		journal_end(&j);
		return r;
	}
	struct nft_cmds c;
	if ((r = nft_cmds_open(&c, e)) == 0) {
		fw_elems_publish(&c, "delete", pub);
		r = fw_commit(&c, e);
		nft_cmds_free(&c);
	}
	if (r < 0) {
		json_write_atomic(path, pub, NULL);
		journal_end(&j);
		return r;
	}
	const char *net = jstr0(pub, "net"), *ns = jstr0(pub, "ns");
	count_add(st, net, ns, -1);
	json_t *n;
	if (fw_published_count(st, net, NULL) == 0 && state_net_load(net, &n, NULL) == 0) {
		fw_localnet_set(jstr0(n, "bridge"), false, NULL);
		json_decref(n);
	}
	if (fw_published_count(st, net, ns) == 0)
		fw_hairpin_set(jstr0(pub, "host_ifname"), false, NULL);
	r = fw_forwarding_sync(st, NULL, e);
	int r2 = fw_state_save(st, r < 0 ? NULL : e);
	journal_end(&j);
	return r < 0 ? r : r2;
}

int publish_del_locked(int proto_num, const struct nsnet_prefix *host_ip, uint16_t host_port, struct nsnet_error *e)
{
	const char *proto = proto_name(proto_num);
	if (!proto)
		return nsnet_errx(e, EINVAL, "protocol must be tcp or udp");
	if (host_port == 0)
		return nsnet_errx(e, EINVAL, "ports must be 1..65535");
	char path[PATH_MAX], hip[64] = "";
	if (host_ip)
		nsnet_prefix_str(host_ip, false, hip, sizeof(hip));
	state_publish_path(proto, host_port, path, sizeof(path));
	json_t *pub = NULL, *st = NULL;
	int r;
	if ((r = json_read(path, &pub, e)) == -ENOENT)
		return nsnet_errx(e, ENOENT, "unpublish %u/%s: not published", host_port, proto);
	if (r < 0)
		return r;
	const char *pub_hip = jstr(pub, "host_ip");
	r = state_publish_check(pub, path, e);
	if (r == 0 && host_ip && (!pub_hip || !streq(pub_hip, hip)))
		r = nsnet_errx(e, ENOENT, "unpublish %s:%u/%s: %u/%s is published on %s, not on %s", hip, host_port, proto,
			       host_port, proto, pub_hip ? pub_hip : "every host address", hip);
	if (r == 0 && (r = fw_state_load(&st, e)) == 0)
		r = unpublish_apply(path, pub, st, e);
	if (r < 0 && !strstr(e ? e->msg : "", "unpublish"))
		nsnet_err_wrap(e, "unpublish %u/%s", host_port, proto);
	json_decref(st);
	json_decref(pub);
	return r;
}

int publish_drop_net(const char *net, json_t *st, struct nft_cmds *c, struct nsnet_error *e)
{
	json_t *pubs;
	int r = publish_load_all(&pubs, e);
	if (r < 0)
		return r;
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		char path[PATH_MAX];
		if (!streq(jstr0(p, "net"), net))
			continue;
		if (c)
			fw_elems_publish(c, "delete", p);
		state_publish_path(jstr0(p, "proto"), (unsigned)json_integer_value(json_object_get(p, "host_port")), path, sizeof(path));
		unlink(path);
	}
	json_decref(pubs);
	json_object_del(json_object_get(st, "published"), net);
	return 0;
}

/* Whether a publish still points at its namespace: a member of its network with
 * that address. A publish outlives a `net detach` of its namespace (until
 * fw_member_removed is called there) and must not follow its address elsewhere. */
bool publish_is_current(json_t *p)
{
	json_t *net;
	bool ok = false;
	if (state_net_load(jstr0(p, "net"), &net, NULL) < 0)
		return false;
	json_t *m = net_member(net, jstr0(p, "ns"), NULL);
	size_t j, l = strlen(jstr0(p, "ip"));
	json_t *a;
	json_array_foreach(m ? json_object_get(m, "ips") : NULL, j, a) {
		const char *s = json_string_value(a);
		ok |= s && strncmp(s, jstr0(p, "ip"), l) == 0 && s[l] == '/';
	}
	json_decref(net);
	return ok;
}

/* Remove these publishes: state, elements (one transaction), counts, host settings. */
static int drop_pubs(json_t *drop, struct nsnet_error *e)
{
	if (json_array_size(drop) == 0)
		return 0;
	json_t *st = NULL;
	struct nft_cmds c;
	int r = fw_state_load(&st, e);
	if (r < 0)
		return r;
	if ((r = nft_cmds_open(&c, e)) < 0) {
		json_decref(st);
		return r;
	}
	size_t i;
	json_t *p;
	json_array_foreach(drop, i, p) {
		char path[PATH_MAX];
		state_publish_path(jstr0(p, "proto"), (unsigned)json_integer_value(json_object_get(p, "host_port")), path, sizeof(path));
		unlink(path);
		fw_elems_publish(&c, "delete", p);
	}
	r = fw_commit(&c, e);
	nft_cmds_free(&c);
	json_array_foreach(drop, i, p) {
		const char *net = jstr0(p, "net"), *ns = jstr0(p, "ns");
		json_t *n;
		count_add(st, net, ns, -1);
		if (fw_published_count(st, net, ns) == 0)
			fw_hairpin_set(jstr0(p, "host_ifname"), false, NULL);  /* if the port is still there */
		if (fw_published_count(st, net, NULL) == 0 && state_net_load(net, &n, NULL) == 0) {
			fw_localnet_set(jstr0(n, "bridge"), false, NULL);
			json_decref(n);
		}
	}
	int r2 = fw_forwarding_sync(st, NULL, r < 0 ? NULL : e);
	r = r < 0 ? r : r2;
	r2 = fw_state_save(st, r < 0 ? NULL : e);
	json_decref(st);
	return r < 0 ? r : r2;
}

int fw_member_removed(json_t *net, const char *ns, struct nsnet_error *e)
{
	json_t *st, *pubs;
	int r = fw_state_load(&st, e);
	if (r < 0)
		return r;
	long n = fw_published_count(st, jstr0(net, "name"), ns);
	json_decref(st);
	if (n == 0 || (r = publish_load_all(&pubs, e)) < 0)
		return r;  /* the common case ends here, without reading any publish */
	json_t *drop = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		if (streq(jstr0(p, "net"), jstr0(net, "name")) && streq(jstr0(p, "ns"), ns))
			json_array_append(drop, p);
	}
	r = drop_pubs(drop, e);
	json_decref(drop);
	json_decref(pubs);
	return r;
}

static bool is_stale(json_t *p)
{
	return !publish_is_current(p);
}

int publish_drop_stale(struct nsnet_error *e)
{
	json_t *drop;
	int r = publish_load_where(is_stale, &drop, e);
	if (r < 0)
		return r;
	r = drop_pubs(drop, e);
	json_decref(drop);
	return r;
}

