/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal namespace helpers used by the wiring code's fast paths. */
#ifndef NSNET_NETNS_H
#define NSNET_NETNS_H
#include <limits.h>
#include "nsnet.h"

int netns_path(const char *name, char *buf, size_t len);
/* Create one named namespace (the name is assumed valid and /run/netns prepared);
 * ret_fd, if given, receives an fd of it. Runs on a disposable worker thread: it
 * leaves that thread inside the new namespace. */
int netns_create_here(const char *name, int *ret_fd, struct nsnet_error *e);
/* SIGKILL every process in these namespaces and wait for them to leave. */
int netns_kill_all(const char *const *names, size_t n);
/* Unbind and remove the name. */
int netns_remove(const char *name, struct nsnet_error *e);
#endif
