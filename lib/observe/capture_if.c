/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The interfaces a capture listens on: which ones (an rtnetlink dump of the
 * namespace, not pcap_findalldevs(), which reads /sys and so sees the namespace
 * /sys was mounted in, not the target's), and their libpcap handles, activated
 * by a short-lived thread inside the namespace: a packet socket belongs to the
 * namespace of the thread that creates it and stays there, so the caller's
 * thread reads it afterwards without ever entering the namespace itself.
 */
#include <net/if_arp.h>
#include "observe/observe.h"
#include "rtnl/rtnl.h"
#include "netns/netns.h"
#include "base/base.h"

struct link_list {
	struct rtnl_link *v;
	size_t n, cap;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_list *l = data;
	struct rtnl_link k;
	int r = rtnl_link_decode(nlh, &k);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	if (r == 0 || !k.name[0])
		return MNL_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rtnl_link *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = k;
	return MNL_CB_OK;
}

static void link_reset(void *data)
{
	((struct link_list *)data)->n = 0;
}

static int by_index(const void *a, const void *b)
{
	const struct rtnl_link *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static int skip(json_t *skipped, const char *name, const char *reason)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "reason", reason);
	if (!o || json_array_append_new(skipped, o) < 0)
		return -ENOMEM;
	return 0;
}

/* Pick the interfaces into s->v (names and indexes; no handles yet). */
static int pick(int nsfd, const char *ns, const char *ifname, struct capture_set *s, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *nl = NULL;
	struct link_list l = { 0 };
	int r = nl_open_fd(nsfd, &nl, e);
	if (r == 0)
		r = rtnl_dump_links(nl, link_cb, link_reset, &l, e);
	if (r < 0) {
		free(l.v);
		return nsnet_err_wrap(e, "list the interfaces of '%s'", ns);
	}
	qsort(l.v, l.n, sizeof(*l.v), by_index);
	s->v = calloc(l.n ? l.n : 1, sizeof(*s->v));
	if (!s->v) {
		free(l.v);
		return nsnet_err(e, ENOMEM, "capture in '%s'", ns);
	}
	for (size_t i = 0; i < l.n && r == 0; i++) {
		const struct rtnl_link *k = &l.v[i];
		if (ifname && !streq(k->name, ifname))
			continue;
		bool up = k->flags & IFF_UP;
		if (ifname && !up)
			r = nsnet_errx(e, ENETDOWN, "interface '%s' in namespace '%s' is down", ifname, ns);
		/* lo only when asked for by name: every namespace has one, and what goes
		 * over it is rarely what a look at the network is after. */
		else if (!ifname && (k->type == ARPHRD_LOOPBACK || streq(k->name, "lo")))
			continue;
		/* A down interface has no traffic, and libpcap refuses to bind to it. */
		else if (!up)
			r = skip(s->skipped, k->name, "down") < 0 ? nsnet_err(e, ENOMEM, "capture in '%s'", ns) : 0;
		else {
			struct capture_if *c = &s->v[s->n++];
			snprintf(c->name, sizeof(c->name), "%s", k->name);
			c->index = k->index;
			c->fd = -1;
		}
	}
	free(l.v);
	if (r < 0)
		return r;
	if (s->n == 0 && ifname)
		return nsnet_errx(e, ENODEV, "interface '%s' not found in namespace '%s'", ifname, ns);
	if (s->n == 0)
		return nsnet_errx(e, ENODEV, "namespace '%s' has no interface that is up besides lo (capture %s:lo for it)",
				  ns, ns);
	return 0;
}

struct activate_ctx {
	struct capture_set *s;
	const char *ns;
	unsigned snaplen;
	bool promisc;
	bool entered;   /* activate_in_ns ran: any failure after it is in e */
	struct nsnet_error *e;
};

static int activate_one(struct capture_if *c, const struct activate_ctx *a)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	c->pcap = pcap_create(c->name, err);
	if (!c->pcap)
		return nsnet_errx(a->e, EIO, "capture on '%s' in '%s': %s", c->name, a->ns, err);
	/* Immediate mode: each packet is handed over as it comes, not when a ring block
	 * fills or times out, so one ping shows at once. */
	if (pcap_set_snaplen(c->pcap, (int)a->snaplen) || pcap_set_promisc(c->pcap, a->promisc) ||
	    pcap_set_immediate_mode(c->pcap, 1))
		return nsnet_errx(a->e, EIO, "capture on '%s' in '%s': cannot set its options", c->name, a->ns);
	int r = pcap_activate(c->pcap);
	if (r < 0) {
		int code = r == PCAP_ERROR_NO_SUCH_DEVICE ? ENODEV : r == PCAP_ERROR_PERM_DENIED ? EPERM :
			   r == PCAP_ERROR_IFACE_NOT_UP ? ENETDOWN : EIO;
		const char *why = pcap_geterr(c->pcap);
		return nsnet_errx(a->e, code, "capture on '%s' in '%s': %s", c->name, a->ns,
				  why && *why ? why : pcap_statustostr(r));
	}
	/* Warnings (promiscuous mode unsupported, a timestamp type not available) leave
	 * a working handle. */
	if (pcap_setnonblock(c->pcap, 1, err) < 0)
		return nsnet_errx(a->e, EIO, "capture on '%s' in '%s': %s", c->name, a->ns, err);
	c->linktype = pcap_datalink(c->pcap);
	c->fd = pcap_get_selectable_fd(c->pcap);
	if (c->fd < 0)
		return nsnet_errx(a->e, EIO, "capture on '%s' in '%s': no descriptor to wait on", c->name, a->ns);
	return 0;
}

static int activate_in_ns(void *p)
{
	struct activate_ctx *a = p;
	a->entered = true;
	for (size_t i = 0; i < a->s->n; i++) {
		int r = activate_one(&a->s->v[i], a);
		if (r < 0)
			return r;
	}
	return 0;
}

int capture_set_open(int nsfd, const char *ns, const char *ifname, unsigned snaplen, bool promisc,
		     struct capture_set *ret, struct nsnet_error *e)
{
	struct capture_set s = { .skipped = json_array() };
	if (!s.skipped)
		return nsnet_err(e, ENOMEM, "capture in '%s'", ns);
	int r = pick(nsfd, ns, ifname, &s, e);
	if (r == 0) {
		struct activate_ctx a = { .s = &s, .ns = ns, .snaplen = snaplen, .promisc = promisc, .e = e };
		r = ns_run_in(nsfd, activate_in_ns, &a);
		/* ns_run_in's own failures (no thread, setns refused) come without a message. */
		if (r < 0 && !a.entered)
			r = nsnet_err(e, -r, "enter namespace '%s'", ns);
	}
	if (r < 0) {
		capture_set_close(&s);
		return r;
	}
	*ret = s;
	return 0;
}

void capture_set_close(struct capture_set *s)
{
	for (size_t i = 0; s->v && i < s->n; i++)
		if (s->v[i].pcap)
			pcap_close(s->v[i].pcap);
	free(s->v);
	json_decref(s->skipped);
	*s = (struct capture_set){ 0 };
}
