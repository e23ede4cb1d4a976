/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What doctor reads of one namespace, each read once per run: the nsnet_show() model
 * (links, addresses, routes, neighbours), FIB lookups, sysctls, listening sockets,
 * and the firewall. Everything that must be read from inside the namespace (/proc/sys,
 * /proc/net, sock_diag and libnftables sockets) is read from a short-lived thread
 * that enters it (ns_run_in); the caller's thread never moves.
 */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <nftables/libnftables.h>
#include "doctor/doctor.h"
#include "show/show.h"
#include "base/base.h"

static struct dr_ns *ns_find(struct dr_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_ns; i++)
		if (streq(c->ns[i]->name, name))
			return c->ns[i];
	return NULL;
}

static struct dr_ns *ns_add(struct dr_ctx *c, const char *name, json_t *model)
{
	if (!model)
		return NULL;
	if (c->n_ns == c->cap_ns) {
		size_t cap = c->cap_ns ? c->cap_ns * 2 : 16;
		struct dr_ns **v = realloc(c->ns, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->ns = v;
		c->cap_ns = cap;
	}
	struct dr_ns *ns = calloc(1, sizeof(*ns));
	if (!ns || !(ns->name = strdup(name))) {
		free(ns);
		return NULL;
	}
	ns->fd = -1;
	ns->brnf = -1;
	ns->model = json_incref(model);
	c->ns[c->n_ns++] = ns;
	return ns;
}

/* The namespace's fd for entering it, opened on first use: a bridge's thousand ports
 * are only read through their models and must not hold a thousand fds. -1 for the
 * host (the caller's own namespace: NS_SELF), -2 when it can't be opened. */
static int ns_fd(struct dr_ns *ns)
{
	if (streq(ns->name, NSNET_HOST))
		return NS_SELF;
	if (ns->fd < 0 && nsnet_ns_open(ns->name, &ns->fd, NULL) < 0)
		return -2;
	return ns->fd;
}

struct dr_ns *dr_ns_get(struct dr_ctx *c, const char *name)
{
	if (!name)
		return NULL;
	struct dr_ns *ns = ns_find(c, name);
	if (ns)
		return ns;
	json_t *arr = NULL;
	if (nsnet_show(&name, 1, &arr, NULL) < 0)
		return NULL;
	ns = ns_add(c, name, json_array_get(arr, 0));
	json_decref(arr);
	return ns;
}

void dr_ns_preload(struct dr_ctx *c, const char *const *names, size_t n)
{
	const char **want = calloc(n ? n : 1, sizeof(*want));
	size_t k = 0;
	if (!want)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || ns_find(c, names[i]))
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = streq(want[j], names[i]);
		if (!dup && (streq(names[i], NSNET_HOST) || nsnet_ns_exists(names[i])))
			want[k++] = names[i];
	}
	json_t *arr = NULL;
	if (k && nsnet_show(want, k, &arr, NULL) == 0)
		for (size_t i = 0; i < k; i++)
			ns_add(c, want[i], json_array_get(arr, i));
	json_decref(arr);
	free(want);
}

void dr_ns_free_all(struct dr_ctx *c)
{
	for (size_t i = 0; i < c->n_ns; i++) {
		struct dr_ns *ns = c->ns[i];
		if (ns->fd >= 0)
			close(ns->fd);
		nl_close(ns->nl);
		json_decref(ns->model);
		json_decref(ns->ruleset);
		free(ns->listing);
		free(ns->name);
		free(ns);
	}
	free(c->ns);
	c->ns = NULL;
	c->n_ns = c->cap_ns = 0;
}

json_t *dr_ns_iface(const struct dr_ns *ns, const char *ifname)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it) {
		const char *n = json_string_value(json_object_get(it, "name"));
		if (n && streq(n, ifname))
			return it;
	}
	return NULL;
}

json_t *dr_ns_iface_by_index(const struct dr_ns *ns, int index)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ns->model, "interfaces"), i, it)
		if (json_integer_value(json_object_get(it, "index")) == index)
			return it;
	return NULL;
}

void dr_ns_iface_summary(const struct dr_ns *ns, const char *ifname, int family, char *buf, size_t len)
{
	json_t *it = dr_ns_iface(ns, ifname);
	bool up = json_is_true(json_object_get(it, "admin_up")), carrier = json_is_true(json_object_get(it, "lower_up"));
	size_t off = (size_t)snprintf(buf, len, "%s %s", ifname,
				      !it ? "(gone)" : !up ? "DOWN" : carrier ? "UP" : "UP NO-CARRIER");
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(ns->model, "addresses"), i, a) {
		const char *dev = json_string_value(json_object_get(a, "dev"));
		const char *fam = json_string_value(json_object_get(a, "family"));
		const char *scope = json_string_value(json_object_get(a, "scope"));
		if (!dev || !streq(dev, ifname) || !fam || (scope && streq(scope, "link")))
			continue;
		if (family && streq(fam, "inet") != (family == AF_INET))
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, " %s/%lld",
						json_string_value(json_object_get(a, "address")),
						json_integer_value(json_object_get(a, "prefixlen")));
	}
}

bool dr_ns_has_addr(const struct dr_ns *ns, const char *ifname, const struct nsnet_prefix *want, int *ret_len)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(ns->model, "addresses"), i, a) {
		const char *dev = json_string_value(json_object_get(a, "dev"));
		struct nsnet_prefix p;
		if (!dev || (ifname && !streq(dev, ifname)) ||
		    nsnet_addr_parse(json_string_value(json_object_get(a, "address")), &p, NULL) < 0 ||
		    !nsnet_addr_equal(&p, want))
			continue;
		if (ret_len)
			*ret_len = (int)json_integer_value(json_object_get(a, "prefixlen"));
		return true;
	}
	return false;
}

static struct nl *ns_nl(struct dr_ns *ns)
{
	if (!ns->nl)
		if (ns_fd(ns) != -2)
			nl_open_fd(ns_fd(ns), &ns->nl, NULL);
	return ns->nl;
}

struct nl *dr_ns_nl(struct dr_ns *ns)
{
	return ns_nl(ns);
}

struct route_reply {
	struct dr_route *r;
	int family;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_reply *rr = data;
	struct rtnl_route d;
	if (rtnl_route_decode(nlh, &d) <= 0)
		return MNL_CB_OK;
	rr->r->type = d.type;
	rr->r->oif = d.oif;
	/* A next hop of the packet's own family (not an RTA_VIA of the other). */
	if (d.gw.family == rr->family) {
		rr->r->gw = d.gw;
		rr->r->has_gw = true;
	}
	if (d.prefsrc.family == rr->family) {
		rr->r->prefsrc = d.prefsrc;
		rr->r->has_prefsrc = true;
	}
	return MNL_CB_OK;
}

int dr_route_get(struct dr_ns *ns, const struct nsnet_prefix *dst, const struct nsnet_prefix *src, int iif,
		 struct dr_route *ret)
{
	struct nl *nl = ns_nl(ns);
	if (!nl)
		return -EIO;
	char buf[1024];
	size_t alen = dst->family == AF_INET ? 4 : 16;
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst->addr);
	if (src && src->family == dst->family) {
		rtm->rtm_src_len = (unsigned char)(alen * 8);
		mnl_attr_put(nlh, RTA_SRC, alen, src->addr);
	}
	if (iif > 0)
		mnl_attr_put_u32(nlh, RTA_IIF, (uint32_t)iif);
	struct dr_route r = { 0 };
	struct route_reply rr = { &r, dst->family };
	int err = show_nl_get(nl, nlh, route_cb, &rr);
	if (err < 0)
		return err;
	json_t *it = dr_ns_iface_by_index(ns, r.oif);
	snprintf(r.dev, sizeof(r.dev), "%s", it ? json_string_value(json_object_get(it, "name")) : "?");
	*ret = r;
	return 0;
}

/* IFLA_LINKINFO > IFLA_INFO_SLAVE_DATA > IFLA_BRPORT_STATE, as `ip -d link` shows it;
 * or a bridge's IFLA_BR_STP_STATE (get_stp). */
struct link_attr {
	bool get_stp;
	int value;
};

static int link_attr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_attr *a = data;
	struct rtnl_link l;
	if (rtnl_link_decode(nlh, &l) > 0)
		a->value = a->get_stp ? l.stp_state : l.brport_state;
	return MNL_CB_OK;
}

static int link_attr(struct dr_ns *ns, const char *ifname, bool get_stp)
{
	struct nl *nl = ns_nl(ns);
	json_t *it = dr_ns_iface(ns, ifname);
	if (!nl || !it)
		return -1;
	char buf[512];
	struct nlmsghdr *nlh = nl_msg(buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)json_integer_value(json_object_get(it, "index"));
	struct link_attr a = { get_stp, -1 };
	if (show_nl_get(nl, nlh, link_attr_cb, &a) < 0)
		return -1;
	return a.value;
}

int dr_port_state(struct dr_ns *ns, const char *ifname)
{
	return link_attr(ns, ifname, false);
}

int dr_bridge_stp(struct dr_ns *ns, const char *bridge)
{
	return link_attr(ns, bridge, true);
}

int dr_sysctl_int(struct dr_ns *ns, const char *key)
{
	char buf[64];
	if (nsnet_sysctl_get(ns->name, key, buf, sizeof(buf), NULL) < 0)
		return -1;
	return atoi(buf);
}

/* ---- listening sockets: sock_diag from inside the namespace -------------------------- */

struct listen_op {
	int l4;
	unsigned port;
	char *buf;
	size_t len, off;
	int count;
};

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	struct listen_op *op = data;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return MNL_CB_OK;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	if (ntohs(m->id.idiag_sport) != op->port)
		return MNL_CB_OK;
	/* TCP: listeners; UDP: bound and unconnected (TCP_CLOSE in diag's words). */
	if ((op->l4 == IPPROTO_TCP && m->idiag_state != TCP_LISTEN) ||
	    (op->l4 == IPPROTO_UDP && m->idiag_state != TCP_CLOSE))
		return MNL_CB_OK;
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(m->idiag_family, m->id.idiag_src, a, sizeof(a));
	if (op->off < op->len)
		op->off += (size_t)snprintf(op->buf + op->off, op->len - op->off, "%s%s%s%s:%u", op->count ? " " : "",
					    m->idiag_family == AF_INET6 ? "[" : "", a,
					    m->idiag_family == AF_INET6 ? "]" : "", op->port);
	op->count++;
	return MNL_CB_OK;
}

static int listeners_in(void *arg)
{
	struct listen_op *op = arg;
	struct mnl_socket *s = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!s)
		return -errno;
	int r = 0;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	static const int families[] = { AF_INET, AF_INET6 };
	for (size_t f = 0; f < ARRAY_SIZE(families) && r == 0; f++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (uint32_t)f + 1;
		struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		req->sdiag_family = (uint8_t)families[f];
		req->sdiag_protocol = (uint8_t)op->l4;
		req->idiag_states = op->l4 == IPPROTO_TCP ? 1u << TCP_LISTEN : 1u << TCP_CLOSE;
		if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0) {
			r = -errno;
			break;
		}
		for (;;) {
			ssize_t n = mnl_socket_recvfrom(s, buf, sizeof(buf));
			if (n < 0) {
				r = -errno;
				break;
			}
			int k = nl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(s), diag_cb, op);
			if (k <= MNL_CB_STOP) {
				/* No IPv6 in the kernel: nothing to list there. */
				if (k < 0 && errno != ENOENT && errno != EAFNOSUPPORT)
					r = -errno;
				break;
			}
		}
	}
out:
	mnl_socket_close(s);
	return r;
}

int dr_listeners(struct dr_ns *ns, int l4, unsigned port, char *buf, size_t len)
{
	struct listen_op op = { .l4 = l4, .port = port, .buf = buf, .len = len };
	buf[0] = 0;
	int fd = ns_fd(ns);
	int r = fd == -2 ? -ENOENT : ns_run_in(fd, listeners_in, &op);
	return r < 0 ? r : op.count;
}

/* ---- the firewall: libnftables's listing, legacy iptables, br_netfilter ---------------- */

struct fw_op {
	char *json, *listing;
	char legacy[128];
	int brnf;
};

static int fw_in(void *arg)
{
	struct fw_op *op = arg;
	/* In the namespace's own thread: libnftables's socket is made in the caller's namespace. */
	if (nft_list_text("list ruleset", NFT_CTX_OUTPUT_JSON, &op->json, NULL) < 0)
		op->json = NULL;
	if (nft_list_text("list ruleset", NFT_CTX_OUTPUT_HANDLE | NFT_CTX_OUTPUT_STATELESS, &op->listing, NULL) < 0)
		op->listing = NULL;
	/* /proc/net is the *process's* namespace; thread-self is this thread's. */
	_cleanup_fclose_ FILE *f = fopen("/proc/thread-self/net/ip_tables_names", "re");
	char line[64];
	size_t off = 0;
	while (f && fgets(line, sizeof(line), f) && off < sizeof(op->legacy)) {
		line[strcspn(line, "\n")] = 0;
		off += (size_t)snprintf(op->legacy + off, sizeof(op->legacy) - off, "%s%s", off ? "," : "", line);
	}
	char v[16];
	op->brnf = read_file_line("/proc/sys/net/bridge/bridge-nf-call-iptables", v, sizeof(v)) == 0 ? atoi(v) : -1;
	return op->json ? 0 : -EIO;
}

int dr_ns_fw(struct dr_ns *ns)
{
	if (ns->fw_loaded)
		return ns->fw_err;
	ns->fw_loaded = true;
	struct fw_op op = { .brnf = -1 };
	int fd = ns_fd(ns);
	int r = fd == -2 ? -ENOENT : ns_run_in(fd, fw_in, &op);
	ns->listing = op.listing;
	snprintf(ns->legacy, sizeof(ns->legacy), "%s", op.legacy);
	ns->brnf = op.brnf;
	if (r == 0) {
		ns->ruleset = json_loads(op.json, 0, NULL);
		if (!ns->ruleset)
			r = -EBADMSG;
	}
	free(op.json);
	ns->fw_err = r;
	return r;
}
