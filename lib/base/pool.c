/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny work queue: N workers pulling indexes from an atomic counter. */
#include <pthread.h>
#include <stdatomic.h>
#include "base/base.h"

#define MAX_WORKERS 64
#define ITEMS_PER_WORKER 32  /* below this a second thread costs more than it saves */

struct pool {
	size_t n;
	atomic_size_t next;
	atomic_int failed;
	int (*fn)(size_t, void *, struct nsnet_error *);
	void *ctx;
	pthread_mutex_t lock;
	int ret;
	struct nsnet_error err;
};

static void *worker(void *p)
{
	struct pool *pl = p;
	struct nsnet_error e = { 0 };
	for (;;) {
		if (atomic_load(&pl->failed))
			break;
		size_t i = atomic_fetch_add(&pl->next, 1);
		if (i >= pl->n)
			break;
		int r = pl->fn(i, pl->ctx, &e);
		if (r < 0) {
			pthread_mutex_lock(&pl->lock);
			if (!pl->ret) {
				pl->ret = r;
				pl->err = e;
			}
			pthread_mutex_unlock(&pl->lock);
			atomic_store(&pl->failed, 1);
			break;
		}
	}
	return NULL;
}

int run_parallel(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx,
		 struct nsnet_error *e)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k = n / ITEMS_PER_WORKER + 1;
	if (k > (size_t)(cpus > 0 ? cpus : 1))
		k = (size_t)(cpus > 0 ? cpus : 1);
	return run_parallel_threads(n, fn, ctx, k, e);
}

int run_parallel_threads(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx, size_t k,
			 struct nsnet_error *e)
{
	struct pool pl = { .n = n, .fn = fn, .ctx = ctx, .lock = PTHREAD_MUTEX_INITIALIZER };
	atomic_init(&pl.next, 0);
	atomic_init(&pl.failed, 0);
	if (k > MAX_WORKERS)
		k = MAX_WORKERS;
	if (k > n)
		k = n ? n : 1;
	/* Every worker is a thread of its own, even for one item, never the caller's:
	 * a worker may change its network namespace (lab/seen.c enters one after the
	 * other), which must not reach the caller. */
	pthread_t th[MAX_WORKERS];
	size_t started = 0;
	for (; started < k; started++)
		if (pthread_create(&th[started], NULL, worker, &pl) != 0)
			break;
	if (started == 0)
		return nsnet_err(e, EAGAIN, "start a worker thread");
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (pl.ret && e)
		*e = pl.err;
	return pl.ret;
}
