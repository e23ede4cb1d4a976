/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry of element kinds: their order, and the one place a key's kind is told. */
#include "lab/lab.h"
#include "base/base.h"

/* Creation order: a node attaches to networks, a link joins nodes, a route needs
 * the interface (network or link) that reaches its next hop; a node's files are
 * there before its services start, and services come last (a routing daemon needs
 * every interface and route). Removal is the reverse. */
const struct lab_kind *const lab_kinds[] = { &lab_kind_net,   &lab_kind_node,    &lab_kind_link, &lab_kind_route,
					     &lab_kind_impair, &lab_kind_files, &lab_kind_service, NULL };

#define N_KINDS (sizeof(lab_kinds) / sizeof(lab_kinds[0]) - 1)

const struct lab_kind *lab_kind_of(const char *key, const char **ret_name)
{
	for (const struct lab_kind *const *k = lab_kinds; *k; k++) {
		const char *name = lab_key_name(*k, key);
		if (!name)
			continue;
		if (ret_name)
			*ret_name = name;
		return *k;
	}
	return NULL;
}

json_t *lab_keys_of(json_t *keys, const struct lab_kind *k)
{
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(keys, i, v) if (lab_kind_of(json_string_value(v), NULL) == k) json_array_append(out, v);
	return out;
}

int lab_els_of(json_t *keys, json_t *specs, const struct lab_kind *k, struct lab_els *ret, struct nsnet_error *e)
{
	struct lab_els els = { .v = calloc(json_array_size(keys) + 1, sizeof(*els.v)) };
	if (!els.v)
		return nsnet_err(e, ENOMEM, "elements");
	size_t i;
	json_t *v;
	json_array_foreach(keys, i, v) {
		struct lab_el *el = &els.v[els.n];
		el->key = json_string_value(v);
		if (lab_kind_of(el->key, &el->name) != k)
			continue;
		el->spec = json_object_get(specs, el->key);
		els.n++;
	}
	*ret = els;
	return 0;
}

void lab_els_free(struct lab_els *els)
{
	free(els->v);
	*els = (struct lab_els){ 0 };
}

json_t *lab_keys_ordered(json_t *keys, bool removal)
{
	json_t *out = json_array();
	for (size_t o = 0; o < N_KINDS; o++) {
		json_t *some = lab_keys_of(keys, lab_kinds[removal ? N_KINDS - 1 - o : o]);
		json_array_extend(out, some);
		json_decref(some);
	}
	if (removal) {
		json_t *unknown = lab_keys_of(keys, NULL);
		json_array_extend(out, unknown);
		json_decref(unknown);
	}
	return out;
}

json_t *lab_elements(const struct topology *t)
{
	json_t *el = json_object();
	for (const struct lab_kind *const *k = lab_kinds; *k; k++)
		(*k)->wanted(t, el);
	return el;
}

json_t *lab_elements_namespaces(json_t *elements)
{
	json_t *set = json_object(), *v;
	const char *key, *name;
	json_object_foreach(elements, key, v) {
		const struct lab_kind *k = lab_kind_of(key, &name);
		if (k && k->namespaces)
			k->namespaces(name, v, set);
	}
	return set;
}
