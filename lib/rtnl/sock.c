/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink transport: sockets per namespace, batched requests, matched ACKs, dumps. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>
#include <linux/netlink.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

/* A batch is cut into sendmsg()s of at most this many bytes, well under the socket's
 * send buffer; every request's ACK is queued before sendmsg returns, so the receive
 * buffer is raised to hold them all. */
#define NL_CHUNK (32 * 1024)
#define NL_MSG_ROOM 8192
#define NL_DUMP_RETRIES 8

static int open_socket(void *arg)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	*(int *)arg = fd;
	return 0;
}

int nl_open_fd(int nsfd, struct nl **ret, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = ns_run_in(nsfd, open_socket, &fd);
	if (r < 0)
		return nsnet_err(e, r, "open netlink socket");

	int one = 1, big = 8 << 20;
	/* Extended ACKs carry the kernel's reason; strict checking makes dump filters
	 * honoured instead of ignored; CAP_ACK keeps ACKs small. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));

	struct mnl_socket *s = mnl_socket_fdopen(fd);
	if (!s)
		return nsnet_err(e, errno, "open netlink socket");
	TAKE_FD(fd);
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		mnl_socket_close(s);
		return nsnet_err(e, r, "bind netlink socket");
	}
	struct nl *nl = calloc(1, sizeof(*nl));
	if (!nl) {
		mnl_socket_close(s);
		return nsnet_err(e, ENOMEM, "open netlink socket");
	}
	nl->sock = s;
	nl->portid = mnl_socket_get_portid(s);
	nl->seq = (uint32_t)time(NULL) << 8;
	*ret = nl;
	return 0;
}

int nl_open(const char *ns, struct nl **ret, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(ns, &fd, e);
	if (r < 0)
		return r;
	return nl_open_fd(streq(ns, NSNET_HOST) ? -1 : fd, ret, e);
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

struct nlmsghdr *nl_msg(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

void nl_batch_init(struct nl_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void nl_batch_free(struct nl_batch *b)
{
	free(b->buf);
	free(b->items);
	nl_batch_init(b);
}

static void batch_close_cur(struct nl_batch *b)
{
	if (b->cur) {
		b->len += NLMSG_ALIGN(b->cur->nlmsg_len);
		b->cur = NULL;
	}
}

struct nlmsghdr *nl_batch_msg(struct nl_batch *b, uint16_t type, uint16_t flags, const char *fmt, ...)
{
	batch_close_cur(b);
	if (b->oom)
		return NULL;
	if (b->cap - b->len < NL_MSG_ROOM) {
		size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
		char *nb = realloc(b->buf, cap);
		if (!nb) {
			b->oom = 1;
			return NULL;
		}
		b->buf = nb;
		b->cap = cap;
	}
	if (b->n == b->items_cap) {
		size_t c = b->items_cap ? b->items_cap * 2 : 64;
		struct nl_item *ni = realloc(b->items, c * sizeof(*ni));
		if (!ni) {
			b->oom = 1;
			return NULL;
		}
		b->items = ni;
		b->items_cap = c;
	}
	memset(b->buf + b->len, 0, NL_MSG_ROOM);
	struct nlmsghdr *nlh = nl_msg(b->buf + b->len, type, flags | NLM_F_ACK);
	struct nl_item *it = &b->items[b->n++];
	it->tolerate = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->what, sizeof(it->what), fmt, ap);
	va_end(ap);
	b->cur = nlh;
	return nlh;
}

void nl_batch_tolerate(struct nl_batch *b, int err)
{
	if (b->n)
		b->items[b->n - 1].tolerate = err;
}

size_t nl_batch_room(const struct nl_batch *b)
{
	return b->cur ? NL_MSG_ROOM : 0;
}

static int ack_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_ack *ack = data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		ack->msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* Parse one NLMSG_ERROR; with NETLINK_CAP_ACK the TLVs follow the bare header. */
void nl_parse_ack(const struct nlmsghdr *nlh, struct nl_ack *ack)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	ack->msg = NULL;
	if (nlh->nlmsg_len < NLMSG_HDRLEN || plen < sizeof(*err)) {
		ack->err = -EBADMSG;
		return;
	}
	ack->err = err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Without NLM_F_CAPPED the request is echoed in full before the TLVs:
		 * its length is the kernel's word, so check it against what arrived. */
		size_t off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (err->msg.nlmsg_len < NLMSG_HDRLEN || err->msg.nlmsg_len > plen - sizeof(err->error))
				return;
			off += err->msg.nlmsg_len - NLMSG_HDRLEN;
		}
		if (plen > off)
			mnl_attr_parse(nlh, (unsigned)off, ack_attr_cb, ack);
	}
}

int nl_cb_run(const void *buf, size_t n, uint32_t seq, uint32_t portid, mnl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int len = n > INT_MAX ? INT_MAX : (int)n;
	while (nl_msg_ok(nlh, len))
		nlh = mnl_nlmsg_next(nlh, &len);
	if (len > 0 && len >= (int)sizeof(struct nlmsghdr)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run(buf, n, seq, portid, cb, data);
}

static int fail_item(struct nsnet_error *e, const struct nl_item *it, const struct nl_ack *ack)
{
	if (ack->msg && *ack->msg)
		return nsnet_errx(e, -ack->err, "%s: %s (%s)", it->what, strerror(-ack->err), ack->msg);
	return nsnet_err(e, -ack->err, "%s", it->what);
}

/* Send items [first, last) (bytes [off, end)) and wait for each ACK. */
static int send_chunk(struct nl *nl, struct nl_batch *b, size_t first, size_t last, size_t off, size_t end,
		      struct nsnet_error *e)
{
	if (mnl_socket_sendto(nl->sock, b->buf + off, end - off) < 0)
		return nsnet_err(e, errno, "%s: send", b->items[first].what);

	char buf[16384];
	size_t pending = last - first;
	int ret = 0;
	while (pending > 0) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ret ? ret : nsnet_err(e, errno, "%s: receive reply", b->items[first].what);
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;
		for (; nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != nl->portid)
				continue;
			uint32_t seq = nlh->nlmsg_seq;
			if (seq < b->items[first].seq || seq >= b->items[first].seq + (last - first))
				continue;
			pending--;
			struct nl_ack ack;
			nl_parse_ack(nlh, &ack);
			const struct nl_item *it = &b->items[first + (seq - b->items[first].seq)];
			if (ack.err && -ack.err != it->tolerate && !ret)
				ret = fail_item(e, it, &ack);
		}
	}
	return ret;
}

int nl_batch_send(struct nl *nl, struct nl_batch *b, struct nsnet_error *e)
{
	batch_close_cur(b);
	if (b->oom) {
		nl_batch_free(b);
		return nsnet_err(e, ENOMEM, "build netlink request");
	}
	/* Number the requests consecutively so an ACK's seq indexes its request. */
	size_t off = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + off);
		nlh->nlmsg_seq = b->items[i].seq = ++nl->seq;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	int ret = 0;
	size_t first = 0, start = 0;
	off = 0;
	for (size_t i = 0; i < b->n && !ret; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + off);
		size_t next = off + NLMSG_ALIGN(nlh->nlmsg_len);
		bool last = i + 1 == b->n;
		if (last || next - start + NL_MSG_ROOM > NL_CHUNK) {
			ret = send_chunk(nl, b, first, i + 1, start, next, e);
			first = i + 1;
			start = next;
		}
		off = next;
	}
	b->len = 0;
	b->n = 0;
	b->cur = NULL;
	return ret;
}

int nl_request(struct nl *nl, struct nlmsghdr *nlh, const char *what, struct nsnet_error *e)
{
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	struct nlmsghdr *m = nl_batch_msg(&b, nlh->nlmsg_type, nlh->nlmsg_flags, "%s", what);
	if (!m)
		return nsnet_err(e, ENOMEM, "%s", what);
	memcpy(m, nlh, nlh->nlmsg_len);
	m->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return nl_batch_send(nl, &b, e);
}

/* Whether buf holds the end (NLMSG_DONE or an error) of dump seq. */
static bool dump_ends_in(const char *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;
	for (; nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void (*reset)(void *), void *data,
	    struct nsnet_error *e)
{
	char buf[32768];
	for (int attempt = 0; attempt < NL_DUMP_RETRIES; attempt++) {
		req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
		req->nlmsg_seq = ++nl->seq;
		if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
			return nsnet_err(e, errno, "netlink dump request");
		bool interrupted = false;
		int r = MNL_CB_OK;
		for (;;) {
			ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
			if (n < 0)
				return nsnet_err(e, errno, "netlink dump");
			if (!interrupted) {
				r = nl_cb_run(buf, n, req->nlmsg_seq, nl->portid, cb, data);
				if (r >= 0 && r <= MNL_CB_STOP)
					break;
				if (r > MNL_CB_STOP)
					continue;
				if (errno != EINTR)
					return nsnet_err(e, errno, "netlink dump");
				/* libmnl reports NLM_F_DUMP_INTR as EINTR: the dump changed under
				 * us. Drain the rest of it, then ask again. */
				interrupted = true;
			}
			if (dump_ends_in(buf, n, req->nlmsg_seq))
				break;
		}
		if (!interrupted)
			return 0;
		if (reset)
			reset(data);
	}
	return nsnet_errx(e, EAGAIN, "netlink dump: interrupted %d times in a row, giving up", NL_DUMP_RETRIES);
}
