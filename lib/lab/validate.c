/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Before `up` touches anything: can every addition be made? */
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

static bool in(json_t *arr, const char *key)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (streq(json_string_value(v), key)) return true;
	return false;
}

static int check_node(const char *lab, const struct lab_plan *p, const char *key, json_t *owners,
		      struct nsnet_error *e)
{
	const char *name = key + 5;
	const char *owner = json_string_value(json_object_get(owners, key));
	if (owner)
		return nsnet_errx(e, EEXIST, "node '%s': namespace '%s' belongs to lab '%s'", name, name, owner);
	/* Ours already (being replaced) is fine; anyone else's is not. */
	if (!json_object_get(p->have, key) && nsnet_ns_exists(name))
		return nsnet_errx(e, EEXIST, "node '%s': a namespace named '%s' already exists and is not part of lab '%s'",
				  name, name, lab);
	return 0;
}

static int check_net(const char *lab, const struct lab_plan *p, const char *key, struct nl *host, json_t *owners,
		     struct nsnet_error *e)
{
	const char *name = key + 4;
	json_t *spec = json_object_get(p->want, key), *st;
	const char *owner = json_string_value(json_object_get(owners, key));
	if (owner)
		return nsnet_errx(e, EEXIST, "network '%s' belongs to lab '%s'", name, owner);
	bool ours = json_object_get(p->have, key) != NULL;
	if (!ours && state_net_load(name, &st, NULL) == 0) {
		json_decref(st);
		return nsnet_errx(e, EEXIST, "network '%s' already exists and is not part of lab '%s'", name, lab);
	}
	const char *br = jstr(spec, "bridge");
	json_t *old = json_object_get(p->have, key);
	bool our_bridge = old && streq(jstr(old, "bridge"), br);
	if (!our_bridge && link_index(host, br) > 0)
		return nsnet_errx(e, EEXIST, "network '%s': an interface named %s already exists in the host", name, br);
	/* Overlap with networks that stay (ours being replaced are going away). */
	char **names;
	size_t n;
	int r = state_net_names(&names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		char k[128];
		snprintf(k, sizeof(k), "net:%s", names[i]);
		if (streq(names[i], name) || in(p->remove, k) || state_net_load(names[i], &st, NULL) < 0)
			continue;
		size_t a, b;
		json_t *x, *y;
		json_array_foreach(json_object_get(st, "subnets"), a, x) {
			json_array_foreach(json_object_get(spec, "subnets"), b, y) {
				struct nsnet_prefix px, py;
				if (r || nsnet_prefix_parse(jstr(x, "cidr"), true, &px, NULL) < 0 ||
				    nsnet_prefix_parse(json_string_value(y), true, &py, NULL) < 0)
					continue;
				if (nsnet_prefix_overlaps(&px, &py))
					r = nsnet_errx(e, EEXIST, "network '%s': subnet %s overlaps %s of network '%s'", name,
						       json_string_value(y), jstr(x, "cidr"), names[i]);
			}
		}
		json_decref(st);
	}
	nsnet_strv_free(names, n);
	return r;
}

/* Will interface ifn of node be gone before the additions, as an end of one of
 * this lab's links that the plan removes (a replaced link re-uses its names)? */
static bool removed_end(const struct lab_plan *p, const char *node, const char *ifn)
{
	size_t i;
	json_t *k;
	json_array_foreach(p->remove, i, k) {
		json_t *old = json_object_get(p->have, json_string_value(k));
		if (strncmp(json_string_value(k), "link:", 5) != 0 || !old)
			continue;
		for (int j = 0; j < 2; j++)
			if (streq(json_string_value(json_array_get(json_object_get(old, "nodes"), j)), node) &&
			    streq(json_string_value(json_array_get(json_object_get(old, "ifnames"), j)), ifn))
				return true;
	}
	return false;
}

static int check_link(const struct lab_plan *p, const char *key, struct nl *host, struct nsnet_error *e)
{
	json_t *l = json_object_get(p->want, key);
	for (int i = 0; i < 2; i++) {
		const char *node = json_string_value(json_array_get(json_object_get(l, "nodes"), i));
		const char *ifn = json_string_value(json_array_get(json_object_get(l, "ifnames"), i));
		char nk[300];
		snprintf(nk, sizeof(nk), "node:%s", node);
		if (removed_end(p, node, ifn))
			continue;
		if (streq(node, NSNET_HOST)) {
			if (link_index(host, ifn) > 0)
				return nsnet_errx(e, EEXIST, "link %s: an interface named %s already exists in the host",
						  key + 5, ifn);
		} else if (!in(p->add, nk) && nsnet_link_index(node, ifn, NULL) > 0) {
			return nsnet_errx(e, EEXIST, "link %s: node '%s' already has an interface named %s", key + 5,
					  node, ifn);
		}
	}
	return 0;
}

int lab_validate(const char *lab, const struct lab_plan *p, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *host = NULL;
	int r = nl_open_fd(NS_SELF, &host, e);
	json_t *owners = lab_owners(lab);
	size_t i;
	json_t *k;
	json_array_foreach(p->add, i, k) {
		const char *key = json_string_value(k);
		if (r < 0)
			break;
		if (strncmp(key, "node:", 5) == 0)
			r = check_node(lab, p, key, owners, e);
		else if (strncmp(key, "net:", 4) == 0)
			r = check_net(lab, p, key, host, owners, e);
		else
			r = check_link(p, key, host, e);
	}
	json_decref(owners);
	return r;
}

/* Every node's sysctls, asked of the kernel before anything changes: each key must
 * be one a new network namespace holds as its own (lib/netns/sysctl.c says how that is
 * told), so a lab file can never set a host-wide one. Errors point at the key. */
int lab_validate_sysctls(const struct topology *t, struct nsnet_error *e)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		for (size_t j = 0; j < n->n_sysctls; j++) {
			const struct topo_sysctl *s = &n->sysctls[j];
			struct nsnet_error ke = { 0 };
			int r = sysctl_check_new_netns(s->key, &ke);
			if (r == 0)
				continue;
			if (s->pos.line > 0)
				return nsnet_errx(e, EINVAL, "%s:%d:%d: node '%s': %s", t->file, s->pos.line, s->pos.col, n->name,
						  ke.msg);
			return nsnet_errx(e, EINVAL, "%s: node '%s': %s", t->file, n->name, ke.msg);
		}
	}
	return 0;
}
