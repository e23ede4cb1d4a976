/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TCP probe: a non-blocking connect with a timeout. A reset says the address answered
 * and nothing listens; silence says something dropped the SYN (or its answer). */
#include <poll.h>
#include "probe/probe.h"
#include "base/base.h"

int probe_tcp_run(const struct nsnet_prefix *dst, unsigned port, unsigned timeout_ms, int *ret_result,
		  char *detail, size_t len)
{
	_cleanup_close_ int fd = socket(dst->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_storage to;
	socklen_t tl = probe_sockaddr(dst, port, &to);
	long start = probe_now_ms();
	int err = 0;
	if (connect(fd, (struct sockaddr *)&to, tl) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			struct pollfd pf = { fd, POLLOUT, 0 };
			int k = poll(&pf, 1, (int)timeout_ms);
			socklen_t el = sizeof(err);
			if (k <= 0)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
		}
	}
	*ret_result = err == 0;
	if (err == 0)
		snprintf(detail, len, "connected after %ld ms", probe_now_ms() - start);
	else if (err == ECONNREFUSED)
		snprintf(detail, len, "connection refused (a TCP reset: the address answered, nothing accepts on port %u)",
			 port);
	else if (err == ETIMEDOUT)
		snprintf(detail, len, "no answer within %u ms", timeout_ms);
	else
		snprintf(detail, len, "connect: %s", strerror(err));
	return 0;
}
