/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `nsnet fw watch`: put nsnet's table back whenever something else wipes it (`nft
 * flush ruleset`, a firewalld reload, `nft delete table inet nsnet`): the most
 * reported complaint about Docker's, podman's and the CNI plugins' rules.
 *
 * It sleeps in poll() on an NFNLGRP_NFTABLES socket (no timer while nothing
 * happens). The kernel ends each transaction's events with NFT_MSG_NEWGEN, which
 * carries the ruleset's new generation id. A transaction that touched nsnet's table
 * starts a short quiet window, so that a reload made of several transactions is
 * restored once, at its end; then, under the state lock, the table is compared with
 * state (elements, and the skeleton's chains and rules) and rebuilt when it differs.
 *
 * Its own rebuild comes back as events too, as do the changes of every other nsnet
 * command. Neither is restored again: the generation id is read after the rebuild
 * and before the check that follows it, so every transaction up to that id is
 * already accounted for by that check, and its events are skipped.
 */
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "fw/fw.h"
#include "rtnl/rtnl.h"
#include "state/state.h"
#include "base/base.h"

/* A reload is often several transactions in a row (firewalld: its own tables, then
 * the rest); wait for this much quiet after the last, but never longer than
 * QUIET_MAX_MS after the first, before acting. */
#define QUIET_MS 50
#define QUIET_MAX_MS 400

struct watch {
	const struct nsnet_fw_watch_opts *o;
	struct mnl_socket *sock;
	bool have_gen;
	uint32_t done_gen;   /* transactions up to this one are accounted for */
	unsigned batch;      /* FW_EV_* of the transaction whose events are being read */
	unsigned pending;    /* FW_EV_* of finished transactions not yet acted on */
	int64_t first_ms;    /* when pending last became nonzero */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_ms_f(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* In sync: the elements state says (fw_diff), and the skeleton's chains and rules. */
static int in_sync(bool *ret, struct nsnet_error *e)
{
	json_t *d;
	int r = fw_diff(&d, e);
	if (r < 0)
		return r;
	bool ok = json_is_true(json_object_get(d, "in_sync"));
	bool wanted = json_is_true(json_object_get(d, "table_wanted"));
	json_decref(d);
	if (ok && wanted && (r = fw_shape_ok(&ok, e)) < 0)
		return r;
	*ret = ok;
	return 0;
}

static int report(struct watch *w, const char *action, unsigned why, size_t nets, bool sync, double ms,
		  const struct nsnet_error *err)
{
	char when[40];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + k, sizeof(when) - k, ".%03ldZ", ts.tv_nsec / 1000000);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:f}", "time", when, "action", action, "table",
			       FW_FAMILY " " FW_TABLE, "reason", fw_watch_reason(why), "networks", (json_int_t)nets,
			       "in_sync", sync, "ms", ms);
	if (!ev)
		return -ENOMEM;
	if (err)
		json_object_set_new(ev, "error", json_string(err->msg));
	int r = w->o->event ? w->o->event(ev, w->o->data) : 0;
	json_decref(ev);
	return r;
}

/* Check the table against state and rebuild it when it differs. Returns 1 when the
 * watch is to stop (once, or the callback said so), else 0 or -errno (an error of
 * the check itself, not of a restore: those are reported and the watch goes on). */
static int act(struct watch *w, unsigned why, struct nsnet_error *e)
{
	/* No network: nothing of nsnet's to restore, and no lock taken (which would
	 * create /run/nsnet on a host that never used nsnet). */
	char **names = NULL;
	size_t nets = 0;
	int r = state_net_names(&names, &nets, e);
	nsnet_strv_free(names, nets);
	if (r < 0 || nets == 0)
		return r;

	_cleanup_close_ int lock = -1;
	uint32_t gen;
	bool ok = false;
	if ((r = fw_lock(&lock, e)) < 0 || (r = fw_genid(&gen, e)) < 0 || (r = in_sync(&ok, e)) < 0)
		return r;
	w->have_gen = true;
	w->done_gen = gen;
	if (ok)
		return 0;

	/* Rebuilt, then (as for any other change) the generation and the check it
	 * covers. A reload that lands between the rebuild and the reading of the
	 * generation is covered by nothing but that check: then once more, at most
	 * three times, so a rebuild that cannot get it in sync never loops. */
	struct nsnet_error re = { 0 };
	int rr = 0;
	double ms = 0;
	for (int attempt = 0; !ok && rr == 0 && attempt < 3; attempt++) {
		double t0 = now_ms_f();
		rr = fw_restore_locked(NULL, &re);
		ms += now_ms_f() - t0;
		if ((r = fw_genid(&gen, e)) < 0 || (r = in_sync(&ok, e)) < 0)
			return r;
		w->done_gen = gen;
	}
	r = report(w, rr < 0 ? "failed" : "restored", why, nets, ok, ms, rr < 0 ? &re : NULL);
	if (r != 0)
		return r < 0 ? nsnet_err(e, -r, "report a restore") : 1;
	if (w->o->once) {
		if (rr < 0) {
			*e = re;
			return rr;
		}
		return 1;
	}
	return 0;
}

/* A check that fails (the lock, libnftables) ends a watch --once; else it is
 * reported as a failed restore and the watch goes on: the next change tries again. */
static int act_or_report(struct watch *w, unsigned why, struct nsnet_error *e)
{
	int r = act(w, why, e);
	if (r >= 0 || w->o->once)
		return r;
	r = report(w, "failed", why, 0, false, 0, e);
	return r < 0 ? nsnet_err(e, -r, "report a restore") : r > 0;
}

/* Read every message waiting; ENOBUFS (an overrun) counts as a change. */
static int drain(struct watch *w, struct nsnet_error *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(w->sock), buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				w->pending |= FW_EV_LOST;
				continue;
			}
			return nsnet_err(e, errno, "read nftables events");
		}
		int len = (int)n;
		for (const struct nlmsghdr *nlh = (const void *)buf; nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t gen = 0;
			int k = fw_watch_classify(nlh, &gen);
			if (k >= 0) {
				w->batch |= (unsigned)k;
				continue;
			}
			/* The end of a transaction: already accounted for, or news. */
			if (k == -2 || !w->have_gen || (int32_t)(gen - w->done_gen) > 0)
				w->pending |= w->batch;
			w->batch = 0;
		}
	}
}

int nsnet_fw_watch(const struct nsnet_fw_watch_opts *o, struct nsnet_error *e)
{
	struct watch w = { .o = o };
	int r = fw_watch_open(&w.sock, e);
	if (r < 0)
		return nsnet_err_wrap(e, "watch nsnet's firewall");
	int stop_fd = o->stop_fd > 0 ? o->stop_fd : -1;
	/* Subscribed first, then the first look: nothing can fall between the two. */
	r = act_or_report(&w, FW_EV_START, e);
	if (r >= 0 && o->ready)
		o->ready(o->data);
	while (r == 0) {
		int timeout = -1;
		if (w.pending) {
			int64_t left = w.first_ms + QUIET_MAX_MS - now_ms();
			timeout = (int)(left < QUIET_MS ? (left < 0 ? 0 : left) : QUIET_MS);
		}
		struct pollfd p[2] = { { .fd = mnl_socket_get_fd(w.sock), .events = POLLIN }, { .fd = stop_fd, .events = POLLIN } };
		int n = poll(p, 2, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = nsnet_err(e, errno, "poll");
			break;
		}
		if (p[1].revents)
			break;
		if (n > 0) {
			bool was = w.pending != 0;
			if ((r = drain(&w, e)) < 0)
				break;
			if (w.pending && !was)
				w.first_ms = now_ms();
			if (!w.pending || now_ms() - w.first_ms < QUIET_MAX_MS)
				continue;
		}
		if (!w.pending)
			continue;
		/* Quiet (or waited long enough): one look for the whole burst. */
		unsigned why = w.pending;
		w.pending = 0;
		r = act_or_report(&w, why, e);
	}
	mnl_socket_close(w.sock);
	if (r < 0)
		return nsnet_err_wrap(e, "watch nsnet's firewall");
	return 0;
}
