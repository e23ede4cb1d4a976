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
static void replace(struct lab_plan *p, struct keys *rm, struct keys *add, const char *key, json_t *why)
{
	add_key(rm, key);
	if (json_object_get(p->want, key)) {
		add_key(add, key);
		if (!json_object_get(p->why, key))
			json_object_set_new(p->why, key, why);
		else
			json_decref(why);
	} else {
		json_decref(why);
	}
}

/* Why a changed element is replaced: the fields of its description that differ. */
static json_t *why_changed(json_t *have, json_t *want)
{
	if (json_is_true(json_object_get(have, "missing")))
		return json_string("missing from the kernel");
	char buf[256] = "changed:";
	size_t off = strlen(buf);
	const char *k;
	json_t *v;
	json_object_foreach(want, k, v) {
		if (!json_equal(v, json_object_get(have, k)) && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s", k);
	}
	json_object_foreach(have, k, v) {
		if (!json_object_get(want, k) && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s", k);
	}
	return json_string(buf);
}

int lab_plan_make(json_t *want, json_t *have, struct lab_plan *ret, struct nsnet_error *e)
{
	struct lab_plan p = { .want = json_incref(want), .have = json_incref(have), .update = json_array(),
			      .why = json_object() };
	struct keys rm = { json_array(), json_object() }, add = { json_array(), json_object() };
	const char *key;
	json_t *v;
	json_object_foreach(have, key, v) {
		json_t *w = json_object_get(want, key);
		const struct lab_kind *k = lab_kind_of(key, NULL);
		if (w && json_equal(w, v))
			continue;
		/* Changed in place where the kind can: the namespace, and what runs in it, stay. */
		if (w && k && k->updatable && !json_is_true(json_object_get(v, "missing")) && k->updatable(v, w))
			json_array_append_new(p.update, json_string(key));
		else
			replace(&p, &rm, &add, key, w ? why_changed(v, w) : NULL);
	}
	json_object_foreach(want, key, v) if (!json_object_get(have, key)) add_key(&add, key);
	/* Some updates take their users with them, as a replacement does. */
	for (size_t i = 0; i < json_array_size(p.update); i++) {
		const char *name = NULL, *hk, *key = json_string_value(json_array_get(p.update, i));
		const struct lab_kind *k = lab_kind_of(key, &name);
		json_t *hv, *used = json_object_get(have, key);
		if (!k || !k->update_replaces_users)
			continue;
		json_object_foreach(have, hk, hv) {
			const struct lab_kind *hkind = lab_kind_of(hk, NULL);
			if (hkind && hkind->uses && hkind->uses(hv, k, name, used))
				replace(&p, &rm, &add, hk, json_sprintf("%s is readdressed", key));
		}
	}
	/* A replaced element takes with it those that use it (a network its nodes, a
	 * node its links): they are replaced too. */
	for (size_t i = 0; i < json_array_size(rm.list); i++) {
		const char *name = NULL, *hk, *key = json_string_value(json_array_get(rm.list, i));
		const struct lab_kind *k = lab_kind_of(key, &name);
		json_t *hv, *used = json_object_get(have, key);
		json_object_foreach(have, hk, hv) {
			const struct lab_kind *hkind = lab_kind_of(hk, NULL);
			if (k && used && hkind && hkind->uses && hkind->uses(hv, k, name, used))
				replace(&p, &rm, &add, hk, json_sprintf("%s is replaced", key));
		}
	}
	/* An element replaced because of another is not also updated. */
	for (size_t i = json_array_size(p.update); i-- > 0;)
		if (json_object_get(rm.set, json_string_value(json_array_get(p.update, i))))
			json_array_remove(p.update, i);
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
	json_decref(p->update);
	json_decref(p->why);
	memset(p, 0, sizeof(*p));
}

static void describe_into(json_t *steps, json_t *keys, json_t *specs, json_t *want, bool add, bool explain,
			  json_t *why)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		json_t *spec = json_object_get(specs, key);
		json_t *step = json_pack("{s:s, s:s}", "action", add ? "create" : "remove", "element", key);
		if (json_object_get(why, key))
			json_object_set(step, "why", json_object_get(why, key));
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
	describe_into(steps, p->remove, p->have, p->have, false, explain, p->why);
	describe_into(steps, p->add, p->want, p->want, true, explain, p->why);
	size_t i;
	json_t *k;
	json_array_foreach(p->update, i, k) {
		const char *key = json_string_value(k), *name = NULL;
		const struct lab_kind *kind = lab_kind_of(key, &name);
		char what[512] = "";
		json_t *have = json_object_get(p->have, key), *want = json_object_get(p->want, key);
		if (kind && kind->describe_update)
			kind->describe_update(have, want, what, sizeof(what));
		json_t *step = json_pack("{s:s, s:s, s:s}", "action", "update", "element", key, "why", what);
		if (explain) {
			json_t *c = json_array();
			if (kind)
				kind->explain_update(c, name, have, want, p->want);
			json_object_set_new(step, "commands", c);
		}
		json_array_append_new(steps, step);
	}
	return steps;
}
