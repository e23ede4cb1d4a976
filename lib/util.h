/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library: cleanup attributes and small utilities. */
#ifndef NSNET_UTIL_H
#define NSNET_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define streq(a, b) (strcmp((a), (b)) == 0)

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

#endif
