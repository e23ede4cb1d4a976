/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A lab's topology, as parsed from its YAML file (see docs/lab-format.md). The
 * parser validates everything that can be checked without the kernel, and every
 * element remembers where it was written, so errors point at file:line:col.
 */
#ifndef NSNET_TOPOLOGY_H
#define NSNET_TOPOLOGY_H
#include "nsnet.h"

struct topo_pos {
	int line, col;  /* 1-based; 0 when made up (the embedded default) */
};

struct topo_net {
	char *name;                       /* also the nsnet network name */
	char *bridge;                     /* NULL: nsnet_net_default_bridge() */
	struct nsnet_prefix subnet[2];    /* one IPv4 and/or one IPv6 */
	struct nsnet_prefix gateway[2];   /* family 0: the subnet's first usable address */
	size_t n_subnets;
	unsigned mtu;                     /* 0: default */
	bool nat;
	struct topo_pos pos;
};

struct topo_iface {
	char *network;                    /* a topo_net name */
	char *ifname;                     /* NULL: eth0, eth1... in order */
	struct nsnet_prefix ip[2];        /* static addresses (prefix length = the subnet's) */
	size_t n_ip;                      /* 0: from the pool */
	struct topo_pos pos;
};

struct topo_route {
	struct nsnet_prefix to;           /* len 0 = default */
	struct nsnet_prefix via;
	char *dev;                        /* optional */
	struct topo_pos pos;
};

struct topo_sysctl {
	char *key, *value;
	struct topo_pos pos;
};

struct topo_publish {
	char *host_ip;                    /* NULL: every host address */
	uint16_t host_port, port;
	int proto;                        /* IPPROTO_TCP (default) or IPPROTO_UDP */
	struct topo_pos pos;
};

struct topo_node {
	char *name;                       /* the namespace's name */
	bool forwarding;
	struct topo_iface *ifaces;
	size_t n_ifaces;
	struct topo_route *routes;
	size_t n_routes;
	struct topo_sysctl *sysctls;
	size_t n_sysctls;
	struct topo_publish *publish;
	size_t n_publish;
	struct topo_pos pos;
};

/* A point-to-point veth; an endpoint's node may be "host". */
struct topo_link {
	char *node[2];
	char *ifname[2];
	struct nsnet_prefix ip[2];        /* with prefix length; family 0: none */
	unsigned mtu;
	struct topo_pos pos;
};

struct topology {
	char *name;                       /* the lab's name */
	char *file;                       /* as given, for messages; "<embedded>" for the default */
	struct topo_net *nets;
	size_t n_nets;
	struct topo_node *nodes;
	size_t n_nodes;
	struct topo_link *links;
	size_t n_links;
};

/* The documented limit of a lab file (docs/lab-format.md). */
#define TOPO_FILE_MAX ((size_t)16 << 20)

/* A lab file's text through the one bounded reader: a regular file of at most
 * TOPO_FILE_MAX bytes ("PATH: is a directory", ... -EINVAL, -EISDIR or -EFBIG). */
int topo_read_file(const char *path, char **ret, size_t *ret_len, struct nsnet_error *e);

/* Parse and validate. Errors: "FILE:LINE:COL: message" in e->msg, -EINVAL; a NUL
 * byte in the text is an error at its position. */
int topo_parse_file(const char *path, struct topology **ret, struct nsnet_error *e);
int topo_parse_string(const char *text, size_t len, const char *filename, struct topology **ret,
		      struct nsnet_error *e);
void topo_free(struct topology *t);

/* The embedded default lab: the tutorials' picture (v-net-0 192.168.15.0/24, the
 * host's gateway .5, NAT, red and blue). */
extern const char topo_default_yaml[];

/* Graphviz DOT of a topology. Returns a malloc'd string. */
char *topo_dot(const struct topology *t);

/* Lookups. */
const struct topo_net *topo_find_net(const struct topology *t, const char *name);
const struct topo_node *topo_find_node(const struct topology *t, const char *name);

#endif
