/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sysctl keys. Reading may name any key under /proc/sys; setting only a key of a
 * network namespace's own: below /proc/sys/net and, as the kernel says, registered
 * per network namespace (see lib/sysctl.c).
 */
#ifndef NSNET_SYSCTL_H
#define NSNET_SYSCTL_H
#include <stdbool.h>
#include "nsnet.h"

#define SYSCTL_KEY_MAX 256

/* "net.ipv4.ip_forward" or "net/ipv4/ip_forward" to the relative path under
 * /proc/sys, "net/ipv4/ip_forward". A key with a '/' is slash-separated and keeps
 * its dots, as sysctl(8) does ("net/ipv4/conf/eth0.5/rp_filter"). Pure: no kernel. */
int sysctl_key_path(const char *key, char *buf, size_t len, struct nsnet_error *e);

/* The same for a key nsnet may set: it must be below net/, and the result is the
 * path under /proc/sys/net ("ipv4/ip_forward"). Pure: no kernel. */
int sysctl_key_net_path(const char *key, char *buf, size_t len, struct nsnet_error *e);

/* A per-device key ("ipv4/conf/eth0/rp_filter", "ipv6/neigh/eth0/..."), as a path
 * under /proc/sys/net: true, and its template in the same namespace
 * ("ipv4/conf/default/rp_filter") in buf. Pure: no kernel. */
bool sysctl_key_device_default(const char *net_path, char *buf, size_t len);

/* Could key be set in a new network namespace (what `up` makes for a node)? Asks
 * the kernel, changes nothing. The message names the key only, for the caller to
 * place. */
int sysctl_check_new_netns(const char *key, struct nsnet_error *e);

#endif
