/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet_monitor(): live events of many namespaces in one poll loop. Each watched
 * namespace has its own sockets (monitor_ns.c), which say what changed in it
 * (monitor_rtnl.c, monitor_nft.c); monitor_watch.c decides which namespaces are
 * watched as names come and go, monitor_set.c keeps them and makes the events.
 */
#include <poll.h>
#include <linux/netlink.h>
#include "observe/observe.h"
#include "rtnl/rtnl.h"
#include "base/base.h"

static ssize_t index_of(const struct monitor *m, const struct mon_ns *ns)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i] == ns)
			return (ssize_t)i;
	return -1;
}

/* ---- reading --------------------------------------------------------------------------- */

/* The receive queue overflowed: events were lost, so what we know may be wrong.
 * Read the namespace again and say so. */
static int lost(struct monitor *m, size_t i)
{
	struct mon_ns *ns = m->v[i];
	struct nsnet_error e;
	if (mon_ns_resync(ns, &e) < 0)
		return mon_drop(m, i, e.msg);
	return mon_emit(m, ns, "netns", "change", json_pack("{s:b}", "lost", true));
}

/* Everything queued on one socket. Returns nonzero to stop. */
static int drain(struct monitor *m, struct mon_ns *ns, bool nf)
{
	/* On the stack, not static: two monitors may run in two threads of one program. */
	char buf[64 * 1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t i = index_of(m, ns);
		if (i < 0)
			return 0;   /* dropped meanwhile */
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(mnl_socket_get_fd(nf ? ns->nf : ns->rt), buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				if (nf)
					continue;   /* nftables objects are not tracked: nothing to correct */
				int r = lost(m, (size_t)i);
				if (r)
					return r;
				continue;
			}
			char why[128];
			snprintf(why, sizeof(why), "reading its events: %s", strerror(errno));
			return mon_drop(m, (size_t)i, why);
		}
		/* Only the kernel speaks here; a message cut short is not read at all. */
		if (from.nl_pid != 0 || (size_t)n > sizeof(buf))
			continue;
		int len = (int)n;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			struct mon_event ev;
			int r = nf ? mon_nft_event(nlh, &ev) : mon_rtnl_event(ns, nlh, &ev);
			if (r > 0)
				r = mon_emit(m, ns, ev.object, ev.action, ev.fields);
			if (r)
				return r;
		}
	}
}

/* ---- the loop ---------------------------------------------------------------------------- */

struct slot {
	struct mon_ns *ns;
	bool nf;
};

static int run(struct monitor *m, struct mon_watch *w, struct nsnet_error *e)
{
	struct pollfd *pfd = NULL;
	struct slot *slots = NULL;
	int r = 0;
	while (r == 0) {
		size_t k = 0, cap = 2 + 2 * m->n;
		struct pollfd *np = realloc(pfd, cap * sizeof(*np));
		struct slot *ns = np ? realloc(slots, cap * sizeof(*ns)) : NULL;
		if (np)
			pfd = np;
		if (ns)
			slots = ns;
		if (!np || !ns) {
			r = nsnet_err(e, ENOMEM, "monitor");
			break;
		}
		int stop = m->o->stop_fd > 0 ? m->o->stop_fd : -1;
		pfd[k++] = (struct pollfd){ .fd = stop, .events = POLLIN };
		pfd[k++] = (struct pollfd){ .fd = mon_watch_fd(w), .events = POLLIN };
		for (size_t i = 0; i < m->n; i++) {
			slots[k] = (struct slot){ m->v[i], false };
			pfd[k++] = (struct pollfd){ .fd = mnl_socket_get_fd(m->v[i]->rt), .events = POLLIN };
			if (m->v[i]->nf) {
				slots[k] = (struct slot){ m->v[i], true };
				pfd[k++] = (struct pollfd){ .fd = mnl_socket_get_fd(m->v[i]->nf), .events = POLLIN };
			}
		}
		int timeout = mon_watch_timeout(w);
		int n = poll(pfd, k, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = nsnet_err(e, errno, "monitor: poll");
			break;
		}
		if (pfd[0].revents)
			break;
		/* Sockets first: what happened in a namespace before its name went is told
		 * before its "netns del". */
		for (size_t i = 2; r == 0 && i < k; i++)
			if (pfd[i].revents)
				r = drain(m, slots[i].ns, slots[i].nf);
		if (r == 0 && (pfd[1].revents || (n == 0 && timeout >= 0)))
			r = mon_watch_scan(w, m, e);
	}
	free(pfd);
	free(slots);
	return r;
}

int nsnet_monitor(const struct nsnet_monitor_opts *o, struct nsnet_error *e)
{
	if (!o || !o->event)
		return nsnet_errx(e, EINVAL, "monitor: no event callback");
	struct mon_watch *w;
	int r = mon_watch_new(o->targets, o->n, &w, e);
	if (r < 0)
		return r;
	struct monitor m = { .o = o };
	if ((r = mon_watch_static(w, &m, e)) == 0 && (r = mon_watch_scan(w, &m, e)) == 0) {
		m.running = true;
		if (o->ready)
			o->ready(m.n, o->data);
		r = run(&m, w, e);
	}
	for (size_t i = 0; i < m.n; i++)
		mon_ns_free(m.v[i]);
	free(m.v);
	mon_watch_free(w);
	/* The caller asked to stop (its callback's nonzero): that is not a failure,
	 * unless it said why with a negative errno. */
	if (r > 0)
		return 0;
	if (r < 0 && m.failed)
		return nsnet_err(e, -r, "monitor: report an event");
	return r;
}
