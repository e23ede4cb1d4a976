/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UDP probe: send, then wait for an answer or an ICMP error (port unreachable, a
 * firewall's reject). UDP has no handshake, so silence proves nothing. */
#include <poll.h>
#include "probe/probe.h"
#include "base/base.h"

int probe_udp_run(const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms, int *ret_result,
		  char *detail, size_t len)
{
	_cleanup_close_ int fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	probe_recverr(fd, dst->family);
	struct sockaddr_storage to;
	socklen_t tl = probe_sockaddr(dst, port, &to);
	if (connect(fd, (struct sockaddr *)&to, tl) < 0) {
		snprintf(detail, len, "connect: %s", strerror(errno));
		*ret_result = 0;
		return 0;
	}
	const unsigned tries = 2;
	long start = probe_now_ms();
	for (unsigned i = 1; i <= tries; i++) {
		if (send(fd, "nsnet doctor\n", 13, 0) < 0) {
			struct probe_fault f = { .err = errno, .sending = true };
			probe_errqueue(fd, &f, NULL, NULL);
			probe_fault_str(dst->family, &f, detail, len);
			*ret_result = 0;
			return 0;
		}
		long until = start + (long)timeout_ms * i / tries;
		for (long t; (t = probe_now_ms()) < until;) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, (int)(until - t)) <= 0)
				continue;
			struct probe_fault f;
			if (pf.revents & POLLERR && probe_errqueue(fd, &f, NULL, NULL)) {
				probe_fault_str(dst->family, &f, detail, len);
				*ret_result = 0;
				return 0;
			}
			char b[512];
			if (recv(fd, b, sizeof(b), 0) >= 0) {
				snprintf(detail, len, "an answer came back after %ld ms", probe_now_ms() - start);
				*ret_result = 1;
				return 0;
			}
		}
	}
	snprintf(detail, len, "sent; no answer and no ICMP error within %u ms (UDP has no handshake: "
		 "inconclusive)", timeout_ms);
	*ret_result = -1;
	return 0;
}
