/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Work over many namespaces on worker threads. RTNL serialises most rtnetlink
 * work, but namespace creation, setns(), socket setup and the syscalls around
 * them run in parallel, and the workers' setns() never touches the caller's
 * thread. Items are handed out one at a time from a shared counter.
 */
#ifndef NSNET_PARALLEL_H
#define NSNET_PARALLEL_H
#include <stddef.h>
#include "nsnet.h"

/* Run fn(i, ctx, e) for i in [0, n) on worker threads (at most the number of
 * CPUs, and one for small n). Stops handing out items after the first failure,
 * whose error is copied to e. Returns 0 or that failure. */
int run_parallel(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx,
		 struct nsnet_error *e);
/* Same with k threads (at most 64): for work that waits rather than computes. */
int run_parallel_threads(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx, size_t k,
			 struct nsnet_error *e);
#endif
