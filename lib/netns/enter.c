/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Work inside another network namespace without moving the caller: a short-lived
 * thread enters it, runs one function and ends (STYLE: the library never setns()es
 * the caller's thread for good). */
#include <pthread.h>
#include <sched.h>
#include "netns/netns.h"
#include "base/base.h"

struct ns_thread {
	int nsfd;
	int (*fn)(void *);
	void *arg;
	int ret;
};

static void *ns_thread_main(void *p)
{
	struct ns_thread *t = p;
	/* setns() here changes only this thread's namespace; the caller's is untouched. */
	if (t->nsfd >= 0 && setns(t->nsfd, CLONE_NEWNET) < 0) {
		t->ret = -errno;
		return NULL;
	}
	t->ret = t->fn(t->arg);
	return NULL;
}

int ns_run_in(int nsfd, int (*fn)(void *), void *arg)
{
	if (nsfd == -1)
		return fn(arg);
	struct ns_thread t = { .nsfd = nsfd, .fn = fn, .arg = arg, .ret = -EIO };
	pthread_t th;
	int r = pthread_create(&th, NULL, ns_thread_main, &t);
	if (r)
		return -r;
	pthread_join(th, NULL);
	return t.ret;
}
