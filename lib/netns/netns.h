/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal namespace helpers used by the wiring code's fast paths. */
#ifndef NSNET_NETNS_H
#define NSNET_NETNS_H
#include <limits.h>
#include "nsnet.h"

int netns_path(const char *name, char *buf, size_t len);

/* ---- ref.c: what a namespace reference names (see nsnet_ns_ref_check) ---- */
enum netns_ref_kind { NETNS_REF_BAD, NETNS_REF_HOST, NETNS_REF_NAME, NETNS_REF_PID, NETNS_REF_PATH };
/* Pure: classifies only; ret_pid gets N of "pid:N". */
enum netns_ref_kind netns_ref_parse(const char *ref, pid_t *ret_pid);

/* ---- scan.c: every network namespace on the machine ---- */
/* [{inode, host, names: [...], mounts: [...], pids: [{pid, command}]}], by inode. */
int netns_scan(struct json_t **ret, struct nsnet_error *e);
/* fn(pid, stat of its /proc/PID/ns/net) for every process we can see; -errno when
 * /proc cannot be read. */
struct stat;
int netns_each_pid(void (*fn)(pid_t pid, const struct stat *st, void *data), void *data);
/* Create one named namespace (the name is assumed valid and /run/netns prepared);
 * ret_fd, if given, receives an fd of it. Runs on a disposable worker thread: it
 * leaves that thread inside the new namespace. */
int netns_create_here(const char *name, int *ret_fd, struct nsnet_error *e);
/* SIGKILL every process in these namespaces and wait for them to leave. */
int netns_kill_all(const char *const *names, size_t n);
/* Give the namespace behind path (e.g. /proc/PID/ns/net, a container's) a name,
 * as `ip netns attach` does: a bind mount at /run/netns/NAME. -EEXIST: taken. */
int netns_bind(const char *path, const char *name, struct nsnet_error *e);
/* Enter the named namespace as `ip netns exec` does, in this thread: its network
 * namespace, a mount namespace of our own with its /sys and the files of
 * /etc/netns/NAME over /etc (exec.c). */
int netns_enter(const char *name, struct nsnet_error *e);
/* Unbind and remove the name. */
int netns_remove(const char *name, struct nsnet_error *e);
/* netns_remove of many, from parallel threads (see why there); all are tried. */
int netns_remove_many(const char *const *names, size_t n, struct nsnet_error *e);
/* nsnet_ns_del without asking whose the namespaces are (lab/ns_del.c asks). */
int netns_del(const char *const *names, size_t n, bool force, struct nsnet_error *e);

/* ---- enter.c ---- */
/* Run fn(arg) in a short-lived thread that has entered the namespace behind nsfd;
 * NS_SELF runs it in the caller's thread, NS_NEW_THREAD in a thread that stays put
 * (for work that must not change the caller's own namespace, like unshare()). */
#define NS_SELF (-1)
#define NS_NEW_THREAD (-2)
int ns_run_in(int nsfd, int (*fn)(void *), void *arg);

/* ---- sysctl.c, sysctl_key.c ---- */
/*
 * Sysctl keys. Reading may name any key under /proc/sys; setting only a key of a
 * network namespace's own: below /proc/sys/net and, as the kernel says, registered
 * per network namespace (see lib/netns/sysctl.c).
 */
#include <stdbool.h>

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
