/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab engine. A lab is a set of elements, each with a key and a canonical JSON
 * spec built from the topology; each kind of element is one file (below, "element
 * kinds"):
 *   "net:NAME"          kind_net.c    a network (bridge, subnets, NAT)
 *   "node:NAME"         kind_node.c   a namespace with its interfaces, sysctls, publishes
 *   "link:A:IFA|B:IFB"  kind_link.c   a point-to-point veth (A or B may be "host")
 *   "route:NODE|TO"     kind_route.c  a static route of a node (after the links it may need)
 *   "impair:NODE:IF"    kind_impair.c what one interface sends, impaired (rate, loss)
 * `up` compares the wanted elements with those recorded in the lab's state
 * (/run/nsnet/labs/LAB.json) and changes only the difference. Before touching the
 * kernel it writes a journal (what it will add and remove, and the state before),
 * so a killed `up` can be undone by `nsnet gc` from the journal alone.
 */
#ifndef NSNET_LAB_H
#define NSNET_LAB_H
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "topology/topology.h"


/* Wanted elements of a topology: { key: spec }, each kind's in creation order. */
json_t *lab_elements(const struct topology *t);


/* The plan: keys to remove and to add (a changed element is in both). */
struct lab_plan {
	json_t *remove;   /* array of keys, in removal order */
	json_t *add;      /* array of keys, in creation order */
	json_t *update;   /* array of keys changed in place (after the additions) */
	json_t *why;      /* { key: why it is replaced } for the keys in both remove and add */
	json_t *want;     /* the wanted elements */
	json_t *have;     /* the recorded elements */
	json_t *record;   /* other keys (file, source) lab_apply records on success, or NULL */
};
int lab_plan_make(json_t *want, json_t *have, struct lab_plan *ret, struct nsnet_error *e);
void lab_plan_free(struct lab_plan *p);
/* Human steps, and with explain the equivalent ip/nft commands, as JSON:
 * [ { "action": "create"|"remove", "element": key, "commands": [..] } ] */
json_t *lab_plan_describe(const struct lab_plan *p, bool explain);

/* Check that the additions can be made: names free, no overlap, no foreign owner. */
int lab_validate(const char *lab, const struct lab_plan *p, struct nsnet_error *e);
/* Check that every node's sysctls are per-network-namespace keys (asks the kernel). */
int lab_validate_sysctls(const struct topology *t, struct nsnet_error *e);

/* What the caller of up asked for while it runs: its progress callback and its cancel
 * flag, passed down instead of kept in globals (a library has no process-wide state). */
struct lab_run {
	void (*progress)(const char *step, size_t done, size_t total, void *data);
	void *progress_data;
	const volatile sig_atomic_t *cancel;
};
static inline void lab_progress(const struct lab_run *run, const char *step, size_t done, size_t total)
{
	if (run->progress)
		run->progress(step, done, total, run->progress_data);
}
static inline int lab_check_cancel(const struct lab_run *run, struct nsnet_error *e)
{
	return run->cancel && *run->cancel ? nsnet_errx(e, EINTR, "interrupted") : 0;
}

/* Carry out a plan (lock held). On failure, what this run added is removed again. */
int lab_apply(const char *lab, const struct lab_plan *p, const struct lab_run *run, struct nsnet_error *e);
/* Remove elements (lock held); missing objects are fine. Used by down, gc, rollback. */
int lab_remove_elements(const char *lab, json_t *elements, json_t *keys, struct nsnet_error *e);

/* The lab an argument names: a topology file (its name: inside), a lab name, or
 * NULL for the default lab. *ret_name is malloc'd. */
int lab_resolve(const char *arg, char **ret_name, struct nsnet_error *e);

/* lab_resolve, then the lab's state. */
int lab_open(const char *arg, char **ret_name, json_t **ret_state, struct nsnet_error *e);

/* status.c: the report nsnet_lab_status gives of lab, whose state is st. */
json_t *lab_status_report(const char *lab, json_t *st);

/* A lab's topology: from a file, the recorded source of a lab, or the default (NULL). */
int lab_topology(const char *arg, struct topology **ret, struct nsnet_error *e);

/* seen.c: what the kernel has, read once (see there): the host's links, and the
 * namespaces elements name (nodes, links' ends), each with one link dump, read in
 * parallel; network records loaded once each. A NULL snapshot, or a namespace it did
 * not read, makes each question go to the kernel. */
struct lab_seen;
struct lab_seen *lab_seen_new(json_t *namespaces);  /* { name: true }; NULL: out of memory */
void lab_seen_free(struct lab_seen *s);
bool lab_seen_host_read(const struct lab_seen *s);  /* the host's links were read */
bool lab_seen_ns(const struct lab_seen *s, const char *ns);  /* as nsnet_ns_exists() */
bool lab_seen_link(const struct lab_seen *s, const char *ns, const char *ifname);  /* ns ("host") has ifname */
json_t *lab_seen_net(struct lab_seen *s, const char *name);  /* its record (a new reference), or NULL */
json_t *lab_seen_member(struct lab_seen *s, const char *net, const char *ns);  /* the same, of ns in net */

/* A recorded node checked against the kernel, the same way for status and up: its
 * namespace, and for each interface its membership and both veth ends.
 * lab_iface_present fills o, if given, with the member's ifname and ips. */
bool lab_iface_present(const char *node, json_t *f, struct lab_seen *seen, json_t *o);
bool lab_node_present(const char *name, json_t *spec, struct lab_seen *seen);

/* ---- element kinds ------------------------------------------------------------------
 * Each kind of element (network, node, link) plugs in through an ops table, as
 * systemd-networkd's netdev vtables and iproute2's link_util do: the planner, the
 * applier, removal, validation and status iterate over lab_kinds[] and dispatch, and
 * a new kind (a VXLAN port, a link impairment, a service) is one new file and one
 * line in kinds.c. A key is the kind's prefix and the element's name (the recorded
 * format: state files keep their keys). lab_kind_of() in kinds.c is the one place
 * that tells a key's kind; kind files never call into kinds.c (it refers to each of
 * them, and calls between files make no circle), so they ask at most whether a key
 * is of one given kind (lab_key_name). */
struct nl;
struct lab_kind;

/* Elements of one kind, told from their keys once (kinds.c): what create, remove and
 * reap work on. key and name point into the keys' array, spec into the specs. */
struct lab_el {
	const char *key;
	const char *name;
	json_t *spec;     /* NULL when the specs have none */
};
struct lab_els {
	struct lab_el *v;
	size_t n;
};

/* What create sees: the lab, every wanted element, and the caller's run. */
struct lab_ctx {
	const char *lab;
	json_t *want;
	const struct lab_run *run;
};

/* What remove and reap see: the specs, every key being removed (of every kind) and
 * the namespaces among them ({ name: true }), whose veths go with them. */
struct lab_removal {
	json_t *specs;
	json_t *keys;
	json_t *dying;
};

/* What check sees: the plan being validated, the host's netlink socket and the
 * other labs' elements ({ key: lab }). */
struct lab_check {
	const char *lab;
	const struct lab_plan *plan;
	struct nl *host;
	json_t *owners;
};

/* The elements of nsnet's firewall sets and maps, as status reads them (NULL: unread). */
struct lab_fw {
	json_t *bridges, *nat_bridges, *pubany4, *pub4;
};

struct lab_kind {
	const char *prefix;   /* of its keys: "net:" followed by the network's name */
	const char *plural;   /* its list in status ("networks") and its count in ls */
	bool is_namespace;    /* an element is a namespace: its veths go with it */
	bool needs_fw_table;  /* an element needs nsnet's firewall table (status says when it is gone) */
	/* Add the topology's elements of this kind to elements ({ key: canonical spec }). */
	void (*wanted)(const struct topology *t, json_t *elements);
	/* Does spec depend on element name of kind k (whose recorded spec is used), so
	 * that replacing that one replaces this one too? (Optional.) */
	bool (*uses)(json_t *spec, const struct lab_kind *k, const char *name, json_t *used);
	/* Before anything changes: can this addition be made? (Optional.) */
	int (*check)(const struct lab_check *c, const char *key, const char *name, struct nsnet_error *e);
	/* Make els (this kind's additions, in plan order). Each key is put in done before
	 * its first change, so that a failure (this one or a later one) removes it again. */
	int (*create)(const struct lab_ctx *c, const struct lab_els *els, json_t *done, struct nsnet_error *e);
	/* Remove els (this kind's, maybe none: called on every removal, in removal order);
	 * objects already gone are fine. */
	int (*remove)(const struct lab_removal *c, const struct lab_els *els, struct nsnet_error *e);
	/* After every kind's remove: what goes last (optional). */
	void (*reap)(const struct lab_removal *c, const struct lab_els *els);
	/* Can the recorded element have become want in place, without being replaced
	 * (a network's NAT or allow list, a node's forwarding)? (Optional.) */
	bool (*updatable)(json_t *have, json_t *want);
	/* An update takes with it what uses the element (a readdressed link: the routes
	 * through it), as a replacement does. */
	bool update_replaces_users;
	/* Change it in place from have to want (lock held); undoing is the same call
	 * the other way round. */
	int (*update)(const char *name, json_t *have, json_t *want, struct nsnet_error *e);
	/* What update changes, one phrase ("nat off -> on"), into buf; and the
	 * equivalent commands, into cmds. */
	void (*describe_update)(json_t *have, json_t *want, char *buf, size_t len);
	void (*explain_update)(json_t *cmds, const char *name, json_t *have, json_t *want, json_t *specs);
	/* A recorded element that is there but has drifted in a part update can put
	 * back (a node's firewall table deleted by hand): a copy of spec as the kernel
	 * has it, so that up updates it in place; NULL when it has not. (Optional.) */
	json_t *(*drift)(const char *name, json_t *spec, struct lab_seen *seen);
	/* The namespaces it lives in, for the snapshot of them (seen.c), into set
	 * ({ name: true }); "host" is always read. (Optional.) */
	void (*namespaces)(const char *name, json_t *spec, json_t *set);
	/* Is a recorded element gone from the kernel (so that up makes it again)? seen:
	 * what the kernel has (seen.c), for this and drift and status. */
	bool (*is_missing)(const char *name, json_t *spec, struct lab_seen *seen);
	/* The ip/nft commands equivalent to adding (or removing) it, into cmds; specs
	 * holds the elements it may refer to. */
	void (*explain)(json_t *cmds, const char *name, json_t *spec, json_t *specs, bool add);
	/* Its entry in status, checked against the kernel; clears *ok when it is not whole. */
	json_t *(*status)(const char *name, json_t *spec, struct lab_seen *seen, bool *ok);
	/* What it needs from nsnet's firewall and fw lacks, as lines into missing (optional). */
	void (*fw_missing)(json_t *spec, const struct lab_fw *fw, json_t *missing);
	/* The addresses it gives the lab's nodes, for pingall: [[node, address], ...]
	 * (nodes: the lab's namespaces, { name: true }). Optional. */
	json_t *(*addresses)(const char *name, json_t *spec, json_t *nodes);
};

extern const struct lab_kind lab_kind_net, lab_kind_node, lab_kind_link, lab_kind_route, lab_kind_files,
	lab_kind_service, lab_kind_impair;

/* kinds.c: every kind, in creation order (removal goes the other way), NULL-ended. */
extern const struct lab_kind *const lab_kinds[];
/* The kind of a key, and the element's name in it (ret_name optional); NULL for a
 * key of no known kind. */
const struct lab_kind *lab_kind_of(const char *key, const char **ret_name);
/* keys (an array) in creation order, or in removal order with keys of no known kind
 * last (they are dropped from the record). A new array. */
json_t *lab_keys_ordered(json_t *keys, bool removal);
/* The namespaces elements live in ({ name: true }: each kind's namespaces()). */
json_t *lab_elements_namespaces(json_t *elements);
/* The keys of kind k among keys, in their order. A new array. */
json_t *lab_keys_of(json_t *keys, const struct lab_kind *k);
/* The elements of kind k among keys, in their order, with their specs. */
int lab_els_of(json_t *keys, json_t *specs, const struct lab_kind *k, struct lab_els *ret, struct nsnet_error *e);
void lab_els_free(struct lab_els *els);

/* The name in key if key is of kind k, else NULL. */
static inline const char *lab_key_name(const struct lab_kind *k, const char *key)
{
	size_t n = strlen(k->prefix);
	return key && strncmp(key, k->prefix, n) == 0 ? key + n : NULL;
}

/* The key of element name of kind k (truncated to fit: names are short). */
static inline const char *lab_key(const struct lab_kind *k, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", k->prefix, name ? name : "");
	return buf;
}

/* The spec of element name of kind k in specs, or NULL. */
static inline json_t *lab_spec_of(json_t *specs, const struct lab_kind *k, const char *name)
{
	char key[600];
	return json_object_get(specs, lab_key(k, name, key, sizeof(key)));
}

/* Is key in the array keys? */
static inline bool lab_keys_have(json_t *keys, const char *key)
{
	size_t i;
	json_t *v;
	json_array_foreach(keys, i, v) if (json_is_string(v) && strcmp(json_string_value(v), key) == 0) return true;
	return false;
}

/* An address (or prefix, with_len) as a JSON string, for the specs. */
static inline json_t *lab_addr_json(const struct nsnet_prefix *p, bool with_len)
{
	char buf[64];
	return json_string(nsnet_prefix_str(p, with_len, buf, sizeof(buf)));
}

/* explain.c: --explain's commands, each name one shell word (see there why). */
#define LAB_QN 8
struct lab_quoter {
	char buf[LAB_QN][4 * 1024 + 3];
	int i;
};
const char *lab_q(struct lab_quoter *qt, const char *s);
void lab_cmd(json_t *cmds, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "ip netns exec NODE sysctl -w KEY=VALUE", quoted. */
void lab_cmd_sysctl(json_t *cmds, const char *node, const char *key, const char *value);
/* Are two specs equal once keys (NULL-ended) are left out of both? For updatable(). */
bool lab_spec_same_except(json_t *a, json_t *b, const char *const *keys);

/* kind_node.c's work, in files of their own: making nodes (namespaces, settings,
 * attaches per network, routes, publishes), and removing them (detach from networks
 * that stay; then, last, the namespaces). */
int lab_nodes_create(const struct lab_ctx *c, const struct lab_els *nodes, json_t *done, struct nsnet_error *e);
/* node_update.c: a node changed in place (forwarding, sysctls, published ports). */
bool lab_node_updatable(json_t *have, json_t *want);
int lab_node_update(const char *name, json_t *have, json_t *want, struct nsnet_error *e);
void lab_node_describe_update(json_t *have, json_t *want, char *buf, size_t len);
void lab_node_explain_update(json_t *cmds, const char *name, json_t *have, json_t *want, json_t *specs);
int lab_node_publish_one(const char *node, json_t *p, struct nsnet_error *e);
/* node_fw.c: the node's own nftables table (firewall: in the lab file). */
json_t *lab_node_fw_spec(const struct topo_node *n);  /* NULL: no rules */
int lab_node_fw_check(const struct topology *t, struct nsnet_error *e);
int lab_node_fw_apply(const char *node, json_t *fw, struct nsnet_error *e);  /* fw NULL: no table */
bool lab_node_fw_present(const char *node);
void lab_node_fw_explain(json_t *cmds, const char *node, json_t *fw);
int lab_nodes_detach(const struct lab_removal *c, const struct lab_els *nodes, struct nsnet_error *e);
void lab_nodes_reap(const struct lab_removal *c, const struct lab_els *nodes);

/* impair_apply.c: set ifname's rate (bit/s, 0: none) and loss (parts per million,
 * 0: none) in node's namespace ("host": the caller's), in place: the link is
 * untouched. get reads back what the kernel has (nsnet's TBF and drop rule). */
int lab_impair_set(const char *node, const char *ifname, uint64_t rate, uint32_t loss, struct nsnet_error *e);
int lab_impair_get(const char *node, const char *ifname, uint64_t *ret_rate, uint32_t *ret_loss, struct nsnet_error *e);

#endif
