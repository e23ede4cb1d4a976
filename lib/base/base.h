/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library: cleanup attributes and small utilities. */
#ifndef NSNET_UTIL_H
#define NSNET_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "nsnet.h"

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) { int s = errno; close(*fd); errno = s; } }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand a resource out of a cleanup scope. */
#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* A JSON value freed at the end of its scope (jansson's own json_decrefp). */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* A string member of a JSON object: NULL (jstr) or "" (jstr0) when it is absent or
 * not a string. Every state record and nft listing is read through these. */
static inline const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
static inline const char *jstr0(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	return s ? s : "";
}

/* A Linux bridge numbers its ports 1..1023 (BR_MAX_PORTS is 1024, port 0 unused): the
 * 1024th enslaved interface fails with "Exchange full" (EXFULL). A network's members,
 * plus its VXLAN port, must fit. */
#define NSNET_BRIDGE_PORTS_MAX 1023
#define NSNET_BRIDGE_SPLIT_HINT "split it into networks of at most 1023 members each (nodes on networks joined by 'allow:' still reach each other)"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b) (strcmp((a), (b)) == 0)
/* streq with NULL equal only to NULL. */
static inline bool streq_safe(const char *a, const char *b)
{
	return a == b || (a && b && streq(a, b));
}

/* snprintf that reports truncation as -ENAMETOOLONG. */
#define xsnprintf(buf, len, ...) \
	({ int _n = snprintf((buf), (len), __VA_ARGS__); (_n < 0 || (size_t)_n >= (len)) ? -ENAMETOOLONG : 0; })

struct nsnet_error;
/* The whole of a regular file of at most max bytes, NUL-terminated (*ret_len
 * excludes the terminator). Refuses directories, FIFOs, devices and sockets without
 * reading them, and files over max without reading more than max + 1 bytes.
 * Errors: "PATH: is a directory" (-EISDIR), "PATH: is not a regular file (a FIFO)"
 * (-EINVAL), "PATH: is larger than the limit of N MiB" (-EFBIG), "open PATH: ...". */
int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len, struct nsnet_error *e);
int write_file(const char *path, const char *s);
int read_file_line(const char *path, char *buf, size_t len);
int mkdir_p(const char *path, unsigned mode);

/* ---- names.c ---- */
/* Network names: 1..64 bytes of [A-Za-z0-9_.-], not starting with '.' or '-'.
 * Not public: every nsnet_net_* entry point checks the names it is given. */
int net_name_check(const char *name, struct nsnet_error *e);
/* Can name be written into a hosts file as a host's name? 1..253 bytes of
 * [A-Za-z0-9_.-], not starting with '-' or '.', not ending with '.', no "..", not
 * something a resolver reads as an IPv4 address, not a loopback name. */
bool hostname_ok(const char *name);

/* ---- ipam.c: address allocation ---- */
/*
 * Address allocation inside one subnet. Memory is proportional to the addresses in
 * use, never to the subnet's size (a /8 or a /64 costs what its members cost):
 * used addresses are a hash set of host indexes, and allocation walks forward
 * from a cursor kept in the network's state, so it is O(1) until the pool is
 * nearly full.
 */

struct ipam {
	struct nsnet_prefix net;   /* network address, host bits clear */
	uint64_t first, last;      /* usable host indexes */
	uint64_t next;             /* where the next search starts */
	uint64_t *slots;           /* open addressing; 0 = empty, else index + 1 */
	size_t cap, used;
};

int ipam_init(struct ipam *p, const struct nsnet_prefix *net, uint64_t next);
void ipam_done(struct ipam *p);
/* Reserve addr: -ERANGE outside the usable range, -EEXIST when already used. */
int ipam_mark(struct ipam *p, const struct nsnet_prefix *addr);
bool ipam_is_used(const struct ipam *p, const struct nsnet_prefix *addr);
/* Next free address (with the subnet's prefix length); -ENOSPC when full. */
int ipam_alloc(struct ipam *p, struct nsnet_prefix *ret);
uint64_t ipam_free_count(const struct ipam *p);
/* Hand out (and accept) only host indexes first..last of the usable ones; call
 * before marking anything. */
void ipam_restrict(struct ipam *p, uint64_t first, uint64_t last);

/* ---- pool.c: a worker pool ---- */
/*
 * Work over many namespaces on worker threads. RTNL serialises most rtnetlink
 * work, but namespace creation, setns(), socket setup and the syscalls around
 * them run in parallel, and the workers' setns() never touches the caller's
 * thread. Items are handed out one at a time from a shared counter.
 */
#include <stddef.h>

/* Run fn(i, ctx, e) for i in [0, n) on worker threads (at most the number of
 * CPUs, and one for small n). Stops handing out items after the first failure,
 * whose error is copied to e. Returns 0 or that failure. */
int run_parallel(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx,
		 struct nsnet_error *e);
/* Same with k threads (at most 64): for work that waits rather than computes. */
int run_parallel_threads(size_t n, int (*fn)(size_t i, void *ctx, struct nsnet_error *e), void *ctx, size_t k,
			 struct nsnet_error *e);

/* ---- rate.c: impairment values ---- */
/* "10mbit" (tc's units; bps, kbps... are bytes) into bit/s. */
int rate_parse(const char *s, uint64_t *ret, struct nsnet_error *e);
const char *rate_str(uint64_t bps, char *buf, size_t len);
/* "1.5%" into parts per million (at most 100%). */
int loss_parse(const char *s, uint32_t *ret_ppm, struct nsnet_error *e);
const char *loss_str(uint32_t ppm, char *buf, size_t len);

#endif
