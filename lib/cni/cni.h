/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsnet as a CNI plugin (docs/cni.md; the protocol is the CNI spec 1.1.0). A runtime
 * execs nsnet with CNI_* variables and a network configuration on stdin; the CLI
 * turns that into one nsnet_cni() call. A container attached through CNI is an
 * ordinary member of an nsnet network: its namespace is named (the runtime's
 * /run/netns name, or a binding nsnet makes), and its member record carries
 * "cni": {container, ifname, netns}, so net show, doctor and publish ls see it.
 *
 *   cni.c        the entry: which command needs what, errors as the spec's JSON
 *   conf.c       the configuration, runtime config and CNI_ARGS, checked
 *   result.c     results in the format of the configuration's version
 *   sandbox.c    the container's namespace: verified and named
 *   add.c        ADD and CHECK
 *   del.c        DEL and GC (releasing attachments)
 *   status.c     STATUS and VERSION
 *   delegate.c   another IPAM plugin, when the configuration names one
 */
#ifndef NSNET_CNI_H
#define NSNET_CNI_H
#include <jansson.h>
#include "nsnet.h"
#include "base/base.h"

/* The spec's error codes (1-99), and ours (999: an internal failure, as libcni's). */
enum cni_code {
	CNI_E_VERSION = 1,      /* incompatible CNI version */
	CNI_E_FIELD = 2,        /* unsupported field (the message names key and value) */
	CNI_E_UNKNOWN = 3,      /* container unknown */
	CNI_E_ENV = 4,          /* invalid environment variables */
	CNI_E_IO = 5,
	CNI_E_DECODE = 6,       /* the configuration is not JSON */
	CNI_E_CONFIG = 7,       /* invalid network configuration */
	CNI_E_AGAIN = 11,       /* try again later */
	CNI_E_UNAVAILABLE = 50, /* STATUS: cannot take ADDs */
	CNI_E_CHECK = 100,      /* CHECK: the attachment is not as added */
	CNI_E_INTERNAL = 999,
};

/* Versions as numbers: 0.3.1 is 301, 1.1.0 is 10100. */
#define CNI_V(a, b, c) ((a) * 10000 + (b) * 100 + (c))
#define CNI_LATEST "1.1.0"

#define CNI_MAX_ROUTES 64
#define CNI_MAX_PORTS 1024

struct cni_port {
	int proto;                   /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port, port;
	bool has_host_ip;
	struct nsnet_prefix host_ip;
};

struct cni_route {
	struct nsnet_prefix dst, gw;
	bool has_gw;
};

/* One request: the environment, the parsed configuration, and the code of a failure. */
struct cni_req {
	const struct nsnet_cni_request *env;
	int code;                     /* set with the failure; 0: derived from the errno */
	json_t *conf;                 /* owned */
	const char *version;          /* cniVersion, as given */
	int ver;
	const char *name;             /* the network */
	struct nsnet_net_spec spec;   /* the network as the configuration describes it */
	char bridge[16];
	bool default_gw;              /* isDefaultGateway / defaultRoute */
	bool hairpin;
	struct cni_route routes[CNI_MAX_ROUTES];
	size_t n_routes;
	const char *ipam_type;        /* NULL: nsnet's own IPAM; else the plugin to delegate to */
	json_t *ipam, *dns, *prev, *allow;
	struct cni_port *ports;
	size_t n_ports;
	struct nsnet_prefix ips[2];   /* addresses asked for (runtime config, args, CNI_ARGS) */
	size_t n_ips;
	uint8_t mac[6];
	bool has_mac;
};

/* Fail with a CNI code: returns -err after setting the message. */
int cni_fail(struct cni_req *q, int code, int err, struct nsnet_error *e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* conf.c */
int cni_version_parse(const char *s);
/* The configuration on stdin: decoded (6), its version (1), its keys (7, 2). With
 * full false only what DEL and GC need to find the network is insisted on. */
int cni_conf_parse(struct cni_req *q, bool full, struct nsnet_error *e);
/* A key of an object, found as Go's encoding/json finds it: case-insensitively. */
json_t *cni_get(json_t *obj, const char *key);
void cni_req_free(struct cni_req *q);

/* result.c: the ADD result of an attachment (its member record), in q's version;
 * prev (may be NULL) is the previous plugin's result, which ours extends. */
int cni_result(struct cni_req *q, json_t *net, json_t *member, json_t **ret, struct nsnet_error *e);
/* Store the result 'ips' of a delegated IPAM plugin into q (addresses, routes, dns). */
int cni_take_ipam_result(struct cni_req *q, json_t *res, struct nsnet_error *e);

/* sandbox.c */
/* CNI_NETNS is a network namespace: an open fd of it in *ret_fd, its inode in *ret_ino. */
int cni_netns_verify(struct cni_req *q, const char *path, int *ret_fd, uint64_t *ret_ino, struct nsnet_error *e);
/* The namespace's name: the runtime's own under /run/netns, else "cni-ID" bound by
 * nsnet (*ret_bind true: the caller binds it with net_bind). */
int cni_netns_name(struct cni_req *q, const char *path, uint64_t ino, char name[64], bool *ret_bind,
		   struct nsnet_error *e);
/* The inode of the namespace named name (0: none). */
uint64_t cni_ns_ino(const char *name);

/* add.c, del.c, status.c: the commands (lock taken inside). */
int cni_add(struct cni_req *q, json_t **ret, struct nsnet_error *e);
int cni_check(struct cni_req *q, json_t **ret, struct nsnet_error *e);
int cni_del(struct cni_req *q, json_t **ret, struct nsnet_error *e);
int cni_gc(struct cni_req *q, json_t **ret, struct nsnet_error *e);
int cni_status(struct cni_req *q, json_t **ret, struct nsnet_error *e);
int cni_version(struct cni_req *q, json_t **ret, struct nsnet_error *e);
/* The member of net that is (container, ifname), or NULL. */
json_t *cni_member(json_t *net, const char *container, const char *ifname, size_t *ret_idx);

/* delegate.c: run the IPAM plugin q->ipam_type with command (ADD, DEL, CHECK, GC,
 * STATUS) and q's configuration; *ret (may be NULL) its result. */
int cni_delegate(struct cni_req *q, const char *command, json_t **ret, struct nsnet_error *e);

#endif
