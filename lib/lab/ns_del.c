/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ns del` with the labs in view: a namespace that is a lab's node is the lab's to
 * remove (`down`), so deleting it by hand is refused unless forced. It lives here,
 * above netns/ and state/, because it has to read the labs' records.
 */
#include "lab/lab.h"
#include "netns/netns.h"
#include "state/state.h"
#include "base/base.h"

/* The lab whose node ns is (malloc'd), or NULL. */
static char *owner_of(const char *ns)
{
	char **names, key[600], *owner = NULL;
	size_t n;
	if (lab_state_names(&names, &n, NULL) < 0)
		return NULL;
	lab_key(&lab_kind_node, ns, key, sizeof(key));
	for (size_t i = 0; i < n && !owner; i++) {
		json_t *st;
		if (lab_state_load(names[i], &st, NULL) < 0)
			continue;
		if (json_object_get(json_object_get(st, "elements"), key))
			owner = strdup(names[i]);
		json_decref(st);
	}
	nsnet_strv_free(names, n);
	return owner;
}

int nsnet_ns_del(const char *const *names, size_t n, bool force, struct nsnet_error *e)
{
	for (size_t i = 0; i < n && !force; i++) {
		if (nsnet_ns_name_check(names[i], NULL) < 0)
			continue;  /* netns_del says what is wrong with it */
		_cleanup_free_ char *lab = owner_of(names[i]);
		if (lab)
			return nsnet_errx(e, EBUSY,
					  "namespace '%s' is a node of lab '%s': 'nsnet down %s' removes the lab, or --force "
					  "deletes the node anyway (the lab is then degraded until 'nsnet up')",
					  names[i], lab, lab);
	}
	return netns_del(names, n, force, e);
}
