/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Labs' state files: /run/nsnet/labs/LAB.json. */
#include "state/state.h"
#include "base/base.h"

int lab_state_load(const char *lab, json_t **ret, struct nsnet_error *e)
{
	return state_load(&state_labs, lab, ret, e);
}

int lab_state_save(json_t *st, struct nsnet_error *e)
{
	return state_save(&state_labs, st, e);
}

int lab_state_remove(const char *lab, struct nsnet_error *e)
{
	return state_remove(&state_labs, lab, e);
}

int lab_state_names(char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	return state_names(&state_labs, ret, ret_n, e);
}

json_t *lab_owners(const char *except)
{
	char **names;
	size_t n;
	json_t *owners = json_object();
	if (lab_state_names(&names, &n, NULL) < 0)
		return owners;
	/* One pass over every other lab: a key -> lab map, not one lookup per element. */
	for (size_t i = 0; i < n; i++) {
		json_t *st;
		if ((except && streq(names[i], except)) || lab_state_load(names[i], &st, NULL) < 0)
			continue;
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(st, "elements"), k, v) json_object_set_new(owners, k, json_string(names[i]));
		json_object_foreach(json_object_get(json_object_get(st, "journal"), "want"), k, v) json_object_set_new(owners, k, json_string(names[i]));
		json_decref(st);
	}
	nsnet_strv_free(names, n);
	return owners;
}
