/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deciding what `up` changes: the difference between wanted and recorded elements. */
#include "lab/lab.h"
#include "base/base.h"

/* A key list with a set beside it, so that membership is O(1) on big labs. */
struct keys {
	json_t *list;  /* array, in insertion order */
	json_t *set;   /* object: key -> true */
};

static void add_key(struct keys *k, const char *key)
{
	if (json_object_get(k->set, key))
		return;
	json_object_set_new(k->set, key, json_true());
	json_array_append_new(k->list, json_string(key));
}

/* Replace key: remove the recorded one, add the wanted one (if still wanted). */
static void replace(struct lab_plan *p, struct keys *rm, struct keys *add, const char *key)
{
	add_key(rm, key);
	if (json_object_get(p->want, key))
		add_key(add, key);
}

int lab_plan_make(json_t *want, json_t *have, struct lab_plan *ret, struct nsnet_error *e)
{
	struct lab_plan p = { .want = json_incref(want), .have = json_incref(have) };
	struct keys rm = { json_array(), json_object() }, add = { json_array(), json_object() };
	const char *key;
	json_t *v;
	json_object_foreach(have, key, v) {
		json_t *w = json_object_get(want, key);
		if (!w || !json_equal(w, v))
			replace(&p, &rm, &add, key);
	}
	json_object_foreach(want, key, v) if (!json_object_get(have, key)) add_key(&add, key);
	/* A replaced element takes with it those that use it (a network its nodes, a
	 * node its links): they are replaced too. */
	for (size_t i = 0; i < json_array_size(rm.list); i++) {
		const char *name = NULL, *hk, *key = json_string_value(json_array_get(rm.list, i));
		const struct lab_kind *k = lab_kind_of(key, &name);
		json_t *hv, *used = json_object_get(have, key);
		json_object_foreach(have, hk, hv) {
			const struct lab_kind *hkind = lab_kind_of(hk, NULL);
			if (k && used && hkind && hkind->uses && hkind->uses(hv, k, name, used))
				replace(&p, &rm, &add, hk);
		}
	}
	/* Order: remove links, nodes, networks; add networks, nodes, links. */
	p.remove = lab_keys_ordered(rm.list, true);
	p.add = lab_keys_ordered(add.list, false);
	json_decref(rm.list);
	json_decref(rm.set);
	json_decref(add.list);
	json_decref(add.set);
	*ret = p;
	(void)e;
	return 0;
}

void lab_plan_free(struct lab_plan *p)
{
	json_decref(p->remove);
	json_decref(p->add);
	json_decref(p->want);
	json_decref(p->have);
	json_decref(p->record);
	memset(p, 0, sizeof(*p));
}

static void describe_into(json_t *steps, json_t *keys, json_t *specs, json_t *want, bool add, bool explain)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		json_t *spec = json_object_get(specs, key);
		json_t *step = json_pack("{s:s, s:s}", "action", add ? "create" : "remove", "element", key);
		const char *name = NULL;
		const struct lab_kind *kind = lab_kind_of(key, &name);
		if (explain) {
			json_t *c = json_array();
			if (kind)
				kind->explain(c, name, spec, want, add);
			json_object_set_new(step, "commands", c);
		}
		json_array_append_new(steps, step);
	}
}

json_t *lab_plan_describe(const struct lab_plan *p, bool explain)
{
	json_t *steps = json_array();
	describe_into(steps, p->remove, p->have, p->have, false, explain);
	describe_into(steps, p->add, p->want, p->want, true, explain);
	return steps;
}
