/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab engine. A lab is a set of elements, each with a key and a canonical JSON
 * spec built from the topology:
 *   "net:NAME"                      a network (bridge, subnets, NAT)
 *   "node:NAME"                     a namespace with its interfaces, routes, sysctls, publishes
 *   "link:A:IFA|B:IFB"              a point-to-point veth (A or B may be "host")
 * `up` compares the wanted elements with those recorded in the lab's state
 * (/run/nsnet/labs/LAB.json) and changes only the difference. Before touching the
 * kernel it writes a journal (what it will add and remove, and the state before),
 * so a killed `up` can be undone by `nsnet gc` from the journal alone.
 */
#ifndef NSNET_LAB_H
#define NSNET_LAB_H
#include <errno.h>
#include <signal.h>
#include <jansson.h>
#include "topology/topology.h"


/* Wanted elements of a topology: { key: spec }. */
json_t *lab_elements(const struct topology *t);


/* The plan: keys to remove and to add (a changed element is in both). */
struct lab_plan {
	json_t *remove;   /* array of keys, in removal order */
	json_t *add;      /* array of keys, in creation order */
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
struct name_set;

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

/* A lab's topology: from a file, the recorded source of a lab, or the default (NULL). */
int lab_topology(const char *arg, struct topology **ret, struct nsnet_error *e);

/* A recorded node checked against the kernel, the same way for status and up: its
 * namespace, and for each interface its membership and both veth ends (host_links:
 * the host's interface names, or NULL to ask). lab_iface_present fills o, if given,
 * with the member's ifname and ips. */
bool lab_iface_present(const char *node, json_t *f, const struct name_set *host_links, json_t *o);
bool lab_node_present(const char *name, json_t *spec, const struct name_set *host_links);

#endif
