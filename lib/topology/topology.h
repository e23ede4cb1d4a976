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
	char **allow;                     /* other networks of the lab it may reach (and they it) */
	size_t n_allow;
	enum nsnet_names names;           /* names: true/false; absent: AUTO (by size) */
	/* range: the addresses this host hands out (family 0: the whole subnet) */
	struct nsnet_prefix range_start[2], range_end[2];
	struct topo_vxlan {               /* vxlan: the network spans hosts (vni 0: it does not) */
		uint32_t vni;
		struct nsnet_prefix local;    /* family 0: none */
		char dev[16];                 /* "": none */
		unsigned port;                /* 0: NSNET_VXLAN_PORT */
		struct nsnet_prefix peers[NSNET_VXLAN_PEERS_MAX];
		size_t n_peers;
	} vxlan;
	struct topo_pos pos;
};

/* What one interface sends, impaired (docs/impairments.md). */
struct topo_impair {
	uint64_t rate;                    /* bit/s; 0: unlimited */
	uint32_t loss;                    /* parts per million dropped; 0: none */
	bool set;                         /* declared (even if empty) */
	struct topo_pos pos;
};

struct topo_iface {
	char *network;                    /* a topo_net name */
	char *ifname;                     /* NULL: eth0, eth1... in order */
	struct nsnet_prefix ip[2];        /* static addresses (prefix length = the subnet's) */
	size_t n_ip;                      /* 0: from the pool */
	struct topo_impair impair;        /* what the node sends on it */
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
	bool gateway;                     /* a default route through its first network (gateway: false: none) */
	struct topo_iface *ifaces;
	size_t n_ifaces;
	struct topo_route *routes;
	size_t n_routes;
	struct topo_sysctl *sysctls;
	size_t n_sysctls;
	struct topo_publish *publish;
	size_t n_publish;
	/* firewall: nftables rules of the node's own, per hook (input, forward, output),
	 * each one rule in nft's syntax; applied in the node's namespace as its table
	 * inet nsnet_node. */
	char **fw_rules[3];
	size_t n_fw_rules[3];
	/* files: { "bird/bird.conf": CONTENT } placed under /etc/netns/NODE (service.c);
	 * services: { NAME: { "command": [ARGV], "env": {K: V}, "workdir", "restart" } }.
	 * JSON as the lab's elements keep them; NULL when none. */
	struct json_t *files, *services;
	struct topo_pos pos;
};
/* The hooks a node's firewall: may name, in the order of fw_rules. */
extern const char *const topo_fw_hooks[3];

/* A point-to-point veth; an endpoint's node may be "host". */
struct topo_link {
	struct topo_impair impair[2];     /* what each end sends */
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

/* Graphviz DOT of a topology, as the file asks for it (the title says so).
 * Returns a malloc'd string. */
char *topo_dot(const struct topology *t);

/* A running lab's live state, for topo_dot_live (lab/graph.c gathers it from the
 * kernel and the lab's state). Every callback is optional (NULL: as the file says);
 * each gets data. */
enum topo_live_state {
	TOPO_LIVE_OK,       /* as the file says */
	TOPO_LIVE_DOWN,     /* there, but down (administratively, or no carrier) */
	TOPO_LIVE_MISSING,  /* gone: a namespace, an interface, a bridge, a firewall element */
	TOPO_LIVE_STOPPED,  /* a service that does not run */
};
struct topo_live {
	const char *status;  /* the lab's ("up", "degraded"); NULL: not up, the file only */
	/* The addresses node's interface on network really has: up to n into ips; how
	 * many (0: unknown, the file's are drawn). */
	size_t (*addrs)(const char *node, const char *network, struct nsnet_prefix *ips, size_t n, void *data);
	/* node's namespace (ifname NULL) or its interface ifname (node "host": the host's). */
	enum topo_live_state (*state)(const char *node, const char *ifname, void *data);
	enum topo_live_state (*net)(const char *network, void *data);  /* its bridge */
	enum topo_live_state (*nat)(const char *network, void *data);  /* its NAT in the firewall */
	enum topo_live_state (*publish)(const char *node, const struct topo_publish *p, void *data);
	enum topo_live_state (*service)(const char *node, const char *service, void *data);
	void *data;
};
/* The same, drawing lv's state (lv NULL: the file only). */
char *topo_dot_live(const struct topology *t, const struct topo_live *lv);

/* Lookups. */
const struct topo_net *topo_find_net(const struct topology *t, const char *name);
const struct topo_node *topo_find_node(const struct topology *t, const char *name);

/* ---- yaml.c and the parser: YAML events to a typed topology ---- */
/*
 * Internal to the topology parser (lib/topology_*.c): the parse context and the
 * helpers that read typed values out of a libyaml document. Every error is made
 * here as "FILE:LINE:COL: message", so the parsing code only says what is wrong
 * and which YAML node (or element position) it is about.
 */
#include <yaml.h>

/* One static address of the lab, remembered for the lab-wide duplicate check. */
struct tp_addr {
	struct nsnet_prefix a;
	struct topo_pos pos;
	char who[96];                 /* "the gateway of network 'n1'", for the message */
};

/* The link ends in one namespace, as link index * 2 + end. */
struct tp_ends {
	size_t *v;
	size_t n, cap;
};

struct tp {
	yaml_document_t doc;
	bool loaded;
	const char *file;
	struct nsnet_error *e;
	struct topology *t;
	yaml_node_t **node_yaml;      /* each node's mapping, for the passes after links */
	/* Indexes, so a lab of thousands of nodes and links is not checked in
	 * quadratic time: nodes sorted by name, and each node's link ends (the last
	 * slot, n_nodes, is the host's). */
	size_t *node_order;
	struct tp_ends *ends;
	struct tp_addr *addrs;
	size_t n_addrs, cap_addrs;
};

/* Load text as one YAML document; refuse syntax errors, several documents, and
 * alias graphs that are cyclic or expand to something huge. */
int tp_load(struct tp *c, const char *text, size_t len);
/* The longest string of the file an error message quotes as it is; longer ones, and
 * any with characters other than letters, digits and _.:/@%+=,- are "(not shown)". */
#define TP_SAFE_TOKEN_MAX 64
/* Refuse a NUL byte in the text, at its line and column. */
int tp_nul_check(struct tp *c, const char *text, size_t len);
void tp_done(struct tp *c);

struct topo_pos tp_pos(const yaml_node_t *n);
/* "FILE:LINE:COL: message" (or "FILE: message" for a made-up position); -EINVAL. */
int tp_err(struct tp *c, struct topo_pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same around the message of a library check (nsnet_*_check, prefix parsing). */
int tp_err_from(struct tp *c, struct topo_pos pos, const struct nsnet_error *inner);
int tp_nomem(struct tp *c);

yaml_node_t *tp_node(struct tp *c, int id);
bool tp_is_null(const yaml_node_t *n);
const char *tp_kind(const yaml_node_t *n);

/* A mapping's entries: key (a scalar) and value. */
struct tp_kv {
	yaml_node_t *k, *v;
};
/* Check that n is a mapping (null counts as an empty one) whose keys are scalars,
 * each one of known (NULL-terminated; NULL known: any key), none twice. what
 * names the mapping in messages ("network 'v-net-0'"). */
int tp_map(struct tp *c, const yaml_node_t *n, const char *what, const char *const *known);
size_t tp_map_len(const yaml_node_t *n);
struct tp_kv tp_map_at(struct tp *c, const yaml_node_t *n, size_t i);
/* The entry for key; .v NULL when absent. */
struct tp_kv tp_get(struct tp *c, const yaml_node_t *map, const char *key);

/* A list (null counts as empty). */
int tp_seq(struct tp *c, const struct tp_kv *kv, const char *what);
size_t tp_seq_len(const yaml_node_t *n);
yaml_node_t *tp_seq_at(struct tp *c, const yaml_node_t *n, size_t i);
/* One scalar or a list of 1..max scalars, as in "ip: 10.0.0.1" or "ip: [a, b]". */
int tp_one_or_list(struct tp *c, const struct tp_kv *kv, const char *what, size_t max, yaml_node_t **items,
		   size_t *ret_n);

/* Typed scalars. The error points at the key (kv->k) when there is one. */
int tp_str(struct tp *c, const struct tp_kv *kv, const char *what, const char **ret);
int tp_strdup(struct tp *c, const struct tp_kv *kv, const char *what, char **ret);
int tp_scalar_str(struct tp *c, const yaml_node_t *n, const char *what, const char **ret);
int tp_bool(struct tp *c, const struct tp_kv *kv, const char *what, bool *ret);
int tp_uint(struct tp *c, const struct tp_kv *kv, const char *what, unsigned min, unsigned max, unsigned *ret);
struct topo_pos tp_kv_pos(const struct tp_kv *kv);

char *tp_xstrdup(struct tp *c, const char *s);
int tp_add_addr(struct tp *c, const struct nsnet_prefix *a, struct topo_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parse passes, in this order (each file owns one part of the model). */
int tp_parse_networks(struct tp *c, const yaml_node_t *root);
int tp_parse_nodes(struct tp *c, const yaml_node_t *root);
/* service.c: a node's files and services. */
int tp_parse_files(struct tp *c, struct topo_node *node, const yaml_node_t *map);
int tp_parse_services(struct tp *c, struct topo_node *node, const yaml_node_t *map);
int tp_parse_links(struct tp *c, const yaml_node_t *root);
/* impair.c: "impair: {rate: 10mbit, loss: 1%}" (a map at n) into ret. */
int tp_parse_impair(struct tp *c, const yaml_node_t *n, struct topo_impair *ret);
int tp_assign_ifnames(struct tp *c);
int tp_parse_routes(struct tp *c);
/* vxlan.c: a network's range: and vxlan: keys (after its subnets). */
int tp_parse_net_range(struct tp *c, const yaml_node_t *map, struct topo_net *n);
int tp_parse_net_vxlan(struct tp *c, const yaml_node_t *map, struct topo_net *n);
/* "unknown network 'x'; did you mean 'y'?" at pos. */
int tp_unknown_network(struct tp *c, struct topo_pos pos, const char *name);
int tp_validate_lab(struct tp *c);

/* Helpers shared by the passes. */
/* An address written for a network ("192.168.15.1" or with the subnet's "/24"):
 * a host address of the subnet of its family, returned with the subnet's length. */
int tp_subnet_addr(struct tp *c, const yaml_node_t *item, const struct topo_net *net, const char *what,
		   struct nsnet_prefix *ret, size_t *ret_subnet);
/* Edit distance of two short strings (99 when either is long), for "did you mean". */
unsigned tp_distance(const char *a, const char *b);
const struct topo_net *tp_net_of_family(const struct topo_net *n, int family, size_t *ret_i);
/* After tp_parse_nodes: build the indexes. */
int tp_index_nodes(struct tp *c);
/* Index of the node called name, n_nodes for "host", -1 for none. */
ssize_t tp_node_index(const struct tp *c, const char *name);
/* Whether node idx (or the host) uses ifname for an interface or a link end. */
bool tp_node_has_ifname(const struct tp *c, size_t idx, const char *ifname);

#endif
