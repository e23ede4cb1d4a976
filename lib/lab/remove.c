/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Removing lab elements: used by `down`, by reconciliation, by rollback and by `gc`.
 * Every step tolerates objects that are already gone, so it can finish a removal
 * that a crash interrupted, or undo an `up` that was killed at any moment.
 */
#include "lab/lab.h"
#include "base/base.h"

/* The namespaces among keys ({ name: true }): the veths in them go with them. */
static json_t *dying_namespaces(json_t *keys)
{
	json_t *dying = json_object(), *k;
	size_t i;
	json_array_foreach(keys, i, k) {
		const char *name;
		const struct lab_kind *kind = lab_kind_of(json_string_value(k), &name);
		if (kind && kind->is_namespace)
			json_object_set_new(dying, name, json_true());
	}
	return dying;
}

static size_t n_kinds(void)
{
	size_t n = 0;
	while (lab_kinds[n])
		n++;
	return n;
}

/* Each kind removes its keys in removal order (links, nodes, networks); then each
 * reaps. That lets namespaces go last: deleting a bridge is quick while no namespace
 * destruction holds RTNL, and a network's members among the nodes being removed
 * need no detach (their veths go with their namespaces). Every step is tried
 * whatever failed before it; the first failure is said. */
int lab_remove_elements(const char *lab, json_t *specs, json_t *keys, struct nsnet_error *e)
{
	struct lab_removal c = { .specs = specs, .keys = keys, .dying = dying_namespaces(keys) };
	size_t n = n_kinds();
	int err = 0, r;
	for (size_t i = n; i-- > 0;) {
		struct lab_els mine = { 0 };
		if ((r = lab_els_of(keys, specs, lab_kinds[i], &mine, err ? NULL : e)) == 0)
			r = lab_kinds[i]->remove(&c, &mine, err ? NULL : e);
		err = err ?: r;
		lab_els_free(&mine);
	}
	for (size_t i = n; i-- > 0;) {
		struct lab_els mine = { 0 };
		if (lab_kinds[i]->reap && lab_els_of(keys, specs, lab_kinds[i], &mine, NULL) == 0)
			lab_kinds[i]->reap(&c, &mine);
		lab_els_free(&mine);
	}
	json_decref(c.dying);
	(void)lab;
	return err;
}
