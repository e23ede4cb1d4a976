/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet_capture(): packets of a namespace's interfaces, to a pcap file or stream
 * and/or decoded one by one to the caller. Everything that can be refused (the
 * namespace, the interface, the filter, the link types) is checked before the
 * output is opened, so a refused capture leaves no file behind. The handles come
 * from capture_if.c; here they are filtered, polled together and counted.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include "observe/observe.h"
#include "base/base.h"

/* How long a wait for packets lasts before the cancel flag is read again: a signal
 * that comes just before poll() is noticed within this, not at the next packet. */
#define POLL_MS 100
/* How often the namespace is looked up again (ns_gone). */
#define NS_CHECK_MS 1000

struct capture_run {
	const struct nsnet_capture_opts *o;
	const struct capture_if *cur;   /* the interface being dispatched */
	pcap_dumper_t *dump;
	bool flush;                     /* a stream: every packet at once */
	uint64_t captured;
	int err;                        /* the first failure in a packet callback */
	struct nsnet_error *e;
};

static int filter_set(struct capture_set *s, const char *ns, const char *filter, struct nsnet_error *e)
{
	if (!filter || !*filter)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		struct bpf_program prog;
		/* Each handle compiles its own: the code depends on its link type. The
		 * netmask only matters for "ip broadcast", which then says so. */
		if (pcap_compile(s->v[i].pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
			return nsnet_errx(e, EINVAL, "bad filter '%s': %s", filter, pcap_geterr(s->v[i].pcap));
		int r = pcap_setfilter(s->v[i].pcap, &prog);
		pcap_freecode(&prog);
		if (r < 0)
			return nsnet_errx(e, EIO, "set the filter on '%s' in '%s': %s", s->v[i].name, ns,
					  pcap_geterr(s->v[i].pcap));
	}
	return 0;
}

static const char *linktype_name(int lt)
{
	const char *n = pcap_datalink_val_to_name(lt);
	return n ? n : "unknown";
}

/* A pcap file has one link type for all its packets. */
static int one_linktype(const struct capture_set *s, const char *ns, struct nsnet_error *e)
{
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i].linktype != s->v[0].linktype)
			return nsnet_errx(e, EPROTONOSUPPORT,
					  "'%s' (%s) and '%s' (%s) in '%s' differ in link type and a pcap file holds "
					  "one: capture %s:IF for one interface",
					  s->v[0].name, linktype_name(s->v[0].linktype), s->v[i].name,
					  linktype_name(s->v[i].linktype), ns, ns);
	return 0;
}

static int output_open(const struct nsnet_capture_opts *o, const struct capture_set *s, unsigned snaplen,
		       pcap_dumper_t **ret, struct nsnet_error *e)
{
	int fd;
	const char *what = o->write_path ? o->write_path : "the output stream";
	if (o->write_path)
		fd = open(o->write_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	else
		/* A copy, since pcap_dump_close() closes its FILE: the caller's stream stays its own. */
		fd = fcntl(fileno(o->write_stream), F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return nsnet_err(e, errno, "cannot write '%s'", what);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int r = nsnet_err(e, errno, "cannot write '%s'", what);
		close(fd);
		return r;
	}
	pcap_t *dead = pcap_open_dead(s->v[0].linktype, (int)snaplen);
	if (!dead) {
		fclose(f);
		return nsnet_err(e, ENOMEM, "cannot write '%s'", what);
	}
	/* The header goes out now: a reader on a pipe (wireshark -k -i -) starts with it. */
	pcap_dumper_t *d = pcap_dump_fopen(dead, f);
	int r = 0;
	if (!d) {
		r = nsnet_errx(e, EIO, "cannot write '%s': %s", what, pcap_geterr(dead));
		fclose(f);
	} else if (pcap_dump_flush(d) < 0) {
		r = nsnet_err(e, errno ? errno : EIO, "cannot write '%s'", what);
		pcap_dump_close(d);
	}
	pcap_close(dead);
	if (r < 0)
		return r;
	*ret = d;
	return 0;
}

static int output_close(pcap_dumper_t *d, const char *what, struct nsnet_error *e)
{
	FILE *f = pcap_dump_file(d);
	int r = pcap_dump_flush(d) < 0 || ferror(f) ? -(errno ? errno : EIO) : 0;
	/* pcap_dump_close() says nothing of fclose()'s failure: close it ourselves. */
	pcap_dump_close(d);
	if (r < 0)
		return nsnet_err(e, -r, "write '%s'", what);
	return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture_run *run = (struct capture_run *)user;
	if (run->err)
		return;
	if (run->dump) {
		pcap_dump((u_char *)run->dump, h, bytes);
		if (run->flush && pcap_dump_flush(run->dump) < 0) {
			run->err = nsnet_err(run->e, errno ? errno : EIO, "write the output stream");
			return;
		}
	}
	run->captured++;
	if (run->o->packet) {
		json_t *pkt = capture_decode(run->cur->linktype, &h->ts, run->cur->name, bytes, h->caplen, h->len);
		int r = pkt ? run->o->packet(pkt, run->o->data) : -ENOMEM;
		json_decref(pkt);
		if (r < 0)
			run->err = nsnet_err(run->e, -r, "print a packet");
	}
}

static bool done(const struct capture_run *run)
{
	const struct nsnet_capture_opts *o = run->o;
	return run->err || (o->count && run->captured >= o->count) || (o->cancel && *o->cancel);
}

/* The capture's packet sockets keep its namespace alive: deleted (its name removed,
 * its process gone), it would live on with its interfaces, and the other ends of its
 * veths, for as long as the capture runs, and hold their names against the next `up`.
 * So the reference is opened again now and then: the namespace gone, or the name
 * now another one, ends the capture. */
static bool ns_gone(const char *ns, int nsfd)
{
	_cleanup_close_ int fd = -1;
	struct stat a, b;
	if (nsnet_ns_open(ns, &fd, NULL) == -ENOENT)
		return true;
	if (fd < 0 || fstat(fd, &a) < 0 || fstat(nsfd, &b) < 0)
		return false;
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int loop(struct capture_run *run, struct capture_set *s, const char *ns, int nsfd, struct nsnet_error *e)
{
	_cleanup_free_ struct pollfd *pfd = calloc(s->n, sizeof(*pfd));
	if (!pfd)
		return nsnet_err(e, ENOMEM, "capture in '%s'", ns);
	for (size_t i = 0; i < s->n; i++)
		pfd[i] = (struct pollfd){ .fd = s->v[i].fd, .events = POLLIN };
	size_t live = s->n;
	uint64_t checked = now_ms();
	while (!done(run)) {
		int n = poll(pfd, s->n, POLL_MS);
		if (n < 0 && errno != EINTR)
			return nsnet_err(e, errno, "capture in '%s': poll", ns);
		if (now_ms() - checked >= NS_CHECK_MS) {
			if (ns_gone(ns, nsfd))
				return nsnet_errx(e, ENOENT, "capture in '%s': the namespace was deleted", ns);
			checked = now_ms();
		}
		for (size_t i = 0; n > 0 && i < s->n && !done(run); i++) {
			if (!pfd[i].revents)
				continue;
			run->cur = &s->v[i];
			uint64_t left = run->o->count ? run->o->count - run->captured : 0;
			int r = pcap_dispatch(s->v[i].pcap, left && left < INT_MAX ? (int)left : -1, on_packet,
					      (u_char *)run);
			if (run->err)
				return run->err;
			if (r != PCAP_ERROR)
				continue;
			/* An interface that went away (deleted, or its namespace) is left out
			 * while others remain; the last one's end is the capture's. */
			if (--live == 0)
				return nsnet_errx(e, EIO, "capture on '%s' in '%s': %s", s->v[i].name, ns,
						  pcap_geterr(s->v[i].pcap));
			pfd[i].fd = -1;
		}
	}
	return run->err;
}

static void stats(const struct capture_set *s, const struct capture_run *run, struct nsnet_capture_stats *ret)
{
	struct nsnet_capture_stats st = { .captured = run->captured };
	for (size_t i = 0; i < s->n; i++) {
		struct pcap_stat ps;
		if (pcap_stats(s->v[i].pcap, &ps) == 0) {
			st.received += ps.ps_recv;
			st.dropped += ps.ps_drop;
		}
	}
	if (ret)
		*ret = st;
}

static json_t *ready_info(const struct nsnet_capture_opts *o, const struct capture_set *s, unsigned snaplen)
{
	json_t *ifs = json_array();
	for (size_t i = 0; ifs && i < s->n; i++) {
		const char *d = pcap_datalink_val_to_description(s->v[i].linktype);
		if (json_array_append_new(ifs, json_pack("{s:s, s:s, s:s}", "name", s->v[i].name, "linktype",
							  linktype_name(s->v[i].linktype), "description",
							  d ? d : "unknown")) < 0) {
			json_decref(ifs);
			return NULL;
		}
	}
	return json_pack("{s:s, s:o, s:O, s:i, s:s?}", "namespace", o->ns, "interfaces", ifs, "skipped", s->skipped,
			 "snaplen", (int)snaplen, "filter", o->filter && *o->filter ? o->filter : NULL);
}

int nsnet_capture(const struct nsnet_capture_opts *o, struct nsnet_capture_stats *ret, struct nsnet_error *e)
{
	if (!o || !o->ns)
		return nsnet_errx(e, EINVAL, "capture: no namespace");
	int r = o->ifname ? nsnet_ifname_check(o->ifname, e) : 0;
	if (r < 0) {
		nsnet_err_wrap(e, "capture in '%s'", o->ns);
		return r;
	}
	if (o->write_path && o->write_stream)
		return nsnet_errx(e, EINVAL, "capture: a file or a stream, not both");
	if (o->snaplen > CAPTURE_SNAPLEN_DEFAULT)
		return nsnet_errx(e, EINVAL, "capture: snapshot length %u is over %u", o->snaplen,
				  CAPTURE_SNAPLEN_DEFAULT);
	unsigned snaplen = o->snaplen ? o->snaplen : CAPTURE_SNAPLEN_DEFAULT;
	_cleanup_close_ int nsfd = -1;
	r = nsnet_ns_open(o->ns, &nsfd, e);
	if (r < 0)
		return r;
	struct capture_set s;
	r = capture_set_open(nsfd, o->ns, o->ifname, snaplen, !o->no_promisc, &s, e);
	if (r < 0)
		return r;
	struct capture_run run = { .o = o, .flush = o->write_stream != NULL, .e = e };
	const char *what = o->write_path ? o->write_path : "the output stream";
	r = filter_set(&s, o->ns, o->filter, e);
	if (r == 0 && (o->write_path || o->write_stream))
		r = one_linktype(&s, o->ns, e);
	if (r == 0 && (o->write_path || o->write_stream))
		r = output_open(o, &s, snaplen, &run.dump, e);
	if (r == 0 && o->ready) {
		json_t *info = ready_info(o, &s, snaplen);
		if (!info)
			r = nsnet_err(e, ENOMEM, "capture in '%s'", o->ns);
		else
			o->ready(info, o->data);
		json_decref(info);
	}
	if (r == 0)
		r = loop(&run, &s, o->ns, nsfd, e);
	/* Whatever ended it, the file is closed whole: what was captured stays readable. */
	if (run.dump) {
		struct nsnet_error ce = { 0 };
		int c = output_close(run.dump, what, &ce);
		if (c < 0 && r == 0) {
			if (e)
				*e = ce;
			r = c;
		}
	}
	if (r == 0)
		stats(&s, &run, ret);
	capture_set_close(&s);
	return r;
}
