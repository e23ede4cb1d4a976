/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel has, read once for status and for up's check of the record: the
 * host's link names; for each namespace the lab's elements live in (each kind's
 * namespaces(): nodes, links' ends) whether it exists and its link names, read by a
 * worker thread that enters it, the namespaces read in parallel; and the
 * network records the kinds look at, each loaded once. Asking per element instead (a
 * socket per question, the network's record parsed again for each of its members)
 * made status and the unchanged re-up quadratic: 3 s at 1000 nodes. A question the
 * snapshot cannot answer (a namespace it did not read, a NULL snapshot) goes to the
 * kernel as before.
 */
#include <sched.h>
#include <unistd.h>
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "base/base.h"

struct seen_ns {
	const char *name;       /* a key of seen->index */
	bool exists;
	bool read;              /* links holds its links (else: could not be opened) */
	struct name_set links;
};

struct lab_seen {
	bool host_read;
	struct name_set host;
	struct seen_ns *ns;
	size_t n_ns;
	json_t *index;          /* { namespace: index into ns } */
	json_t *nets;           /* { network: { "record": ..., "members": { ns: member } } or null } */
};

/*
 * One namespace: exists as nsnet_ns_exists() says (its file), links by one dump.
 * The worker's own thread enters the namespace and opens the socket there, instead
 * of a new thread per socket (nl_open()): run_parallel's workers are threads of
 * their own that end with it (pool.c), never the caller's, so each can move from
 * namespace to namespace. That saves a clone, a futex wait and a thread's end per
 * namespace (re-up of 1000 nodes: 0.35 -> 0.2 s); and inside, /proc/thread-self/net/dev
 * names its links without a socket (a socket and its options cost more than the
 * read). Asking from the host's socket by
 * the namespace's id instead (RTM_GETNSID, then a dump with IFLA_TARGET_NETNSID)
 * costs more: the kernel finds a peer's id by walking every id (0.25 s of system
 * time for 1000 namespaces).
 */
static int read_ns(size_t i, void *ctx, struct nsnet_error *e)
{
	struct seen_ns *s = &((struct lab_seen *)ctx)->ns[i];
	_cleanup_close_ int fd = -1;
	/* Opening the file answers "exists" too: as nsnet_ns_exists() (the file is
	 * there), without a second path walk. */
	int r = nsnet_ns_open(s->name, &fd, NULL);
	s->exists = r != -ENOENT && r != -EINVAL;
	/* A namespace that cannot be opened or read has no links: what a question per
	 * link would have found too. Once the thread is in it, its /proc/thread-self/net
	 * lists its links: no socket to open, no dump to decode. */
	if (r < 0 || setns(fd, CLONE_NEWNET) < 0 || link_names_here(&s->links) < 0)
		return 0;
	s->read = true;
	(void)e;
	return 0;
}

struct lab_seen *lab_seen_new(json_t *namespaces)
{
	struct lab_seen *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->index = json_object();
	s->nets = json_object();
	s->host_read = link_names_here(&s->host) == 0;
	const char *name;
	json_t *v;
	json_object_foreach(namespaces, name, v) if (!streq(name, NSNET_HOST))
		json_object_set_new(s->index, name, json_integer((json_int_t)json_object_size(s->index)));
	s->n_ns = json_object_size(s->index);
	s->ns = calloc(s->n_ns + 1, sizeof(*s->ns));
	if (!s->index || !s->nets || !s->ns) {
		lab_seen_free(s);
		return NULL;
	}
	json_object_foreach(s->index, name, v) s->ns[json_integer_value(v)].name = name;
	if (s->n_ns && run_parallel(s->n_ns, read_ns, s, NULL) < 0)
		s->n_ns = 0;  /* not started: every question goes to the kernel */
	return s;
}

void lab_seen_free(struct lab_seen *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->ns && i < json_object_size(s->index); i++)
		name_set_free(&s->ns[i].links);
	free(s->ns);
	name_set_free(&s->host);
	json_decref(s->index);
	json_decref(s->nets);
	free(s);
}

bool lab_seen_host_read(const struct lab_seen *s)
{
	return s && s->host_read;
}

static const struct seen_ns *find(const struct lab_seen *s, const char *ns)
{
	json_t *v = s && ns ? json_object_get(s->index, ns) : NULL;
	size_t i = v ? (size_t)json_integer_value(v) : 0;
	return v && i < s->n_ns ? &s->ns[i] : NULL;
}

bool lab_seen_ns(const struct lab_seen *s, const char *ns)
{
	const struct seen_ns *n = find(s, ns);
	return n ? n->exists : nsnet_ns_exists(ns);
}

bool lab_seen_link(const struct lab_seen *s, const char *ns, const char *ifname)
{
	if (!ifname || !*ifname)
		return false;
	if (streq_safe(ns, NSNET_HOST) && s && s->host_read)
		return name_set_has(&s->host, ifname);
	const struct seen_ns *n = find(s, ns);
	if (n && (n->read || !n->exists))
		return n->read && name_set_has(&n->links, ifname);
	return nsnet_link_index(ns, ifname, NULL) > 0;
}

/* The cache entry of network name, loaded on first use; NULL when it has no record. */
static json_t *net_entry(struct lab_seen *s, const char *name)
{
	if (!name)
		return NULL;
	json_t *c = json_object_get(s->nets, name);
	if (c)
		return json_is_object(c) ? c : NULL;
	json_t *rec = NULL, *by_ns = json_object(), *m;
	if (state_net_load(name, &rec, NULL) < 0) {
		json_decref(by_ns);
		json_object_set_new(s->nets, name, json_null());
		return NULL;
	}
	size_t i;
	/* The first member of a name wins, as net_member() finds it. */
	json_array_foreach(json_object_get(rec, "members"), i, m) {
		const char *ns = jstr(m, "ns");
		if (ns && !json_object_get(by_ns, ns))
			json_object_set(by_ns, ns, m);
	}
	c = json_pack("{s:o, s:o}", "record", rec, "members", by_ns);
	json_object_set_new(s->nets, name, c);
	return c;
}

json_t *lab_seen_net(struct lab_seen *s, const char *name)
{
	json_t *rec;
	if (!name)
		return NULL;
	if (s)
		return json_incref(json_object_get(net_entry(s, name), "record"));
	return state_net_load(name, &rec, NULL) < 0 ? NULL : rec;
}

json_t *lab_seen_member(struct lab_seen *s, const char *net, const char *ns)
{
	if (s)
		return json_incref(json_object_get(json_object_get(net_entry(s, net), "members"), ns));
	json_t *rec = lab_seen_net(NULL, net), *m = rec ? json_incref(net_member(rec, ns, NULL)) : NULL;
	json_decref(rec);
	return m;
}
