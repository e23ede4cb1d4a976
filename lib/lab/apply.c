/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Carrying out a plan: removals first (a replaced element goes before its new
 * version comes), then each kind's additions, journalled so that a failure or a
 * crash at any point is undone.
 */
#include "lab/lab.h"
#include "state/state.h"
#include "base/base.h"

/* The in-place changes of kind k, in plan order; each key goes into updated first. */
static int update_kind(const struct lab_plan *p, const struct lab_kind *k, json_t *updated, struct nsnet_error *e)
{
	size_t i;
	json_t *key;
	json_array_foreach(p->update, i, key) {
		const char *name = NULL;
		if (lab_kind_of(json_string_value(key), &name) != k)
			continue;
		json_array_append(updated, key);
		int r = k->update(name, json_object_get(p->have, json_string_value(key)),
				  json_object_get(p->want, json_string_value(key)), e);
		if (r < 0)
			return nsnet_err_wrap(e, "update %s", json_string_value(key));
	}
	return 0;
}

/* Turn back what update_kind changed, last first. */
static void update_undo(const struct lab_plan *p, json_t *updated)
{
	for (size_t i = json_array_size(updated); i-- > 0;) {
		const char *key = json_string_value(json_array_get(updated, i)), *name = NULL;
		const struct lab_kind *k = lab_kind_of(key, &name);
		k->update(name, json_object_get(p->want, key), json_object_get(p->have, key), NULL);
	}
}

/* Kind by kind in creation order (networks, nodes, links, routes): its additions,
 * then its in-place changes, so that what a later kind needs is there (a route
 * through a readdressed link, an allow naming a network just made). */
static int add_all(const struct lab_ctx *c, const struct lab_plan *p, json_t *done, json_t *updated,
		   struct nsnet_error *e)
{
	int r = 0;
	for (const struct lab_kind *const *k = lab_kinds; *k && r == 0; k++) {
		struct lab_els mine = { 0 };
		if ((r = lab_els_of(p->add, c->want, *k, &mine, e)) < 0)
			break;
		if (mine.n)
			r = (*k)->create(c, &mine, done, e);
		lab_els_free(&mine);
		if (r == 0 && (*k)->update)
			r = update_kind(p, *k, updated, e);
	}
	return r;
}

int lab_apply(const char *lab, const struct lab_plan *p, const struct lab_run *run, struct nsnet_error *e)
{
	/* Cancelled while reading or planning: nothing was changed, nothing to undo. */
	int r = lab_check_cancel(run, e);
	if (r < 0)
		return r;
	json_t *st;
	if (lab_state_load(lab, &st, NULL) < 0)
		st = json_pack("{s:s, s:{}}", "name", lab, "elements");
	/* The journal first: from here on a crash is undone by `nsnet gc`. */
	json_object_set_new(st, "status", json_string("applying"));
	json_object_set_new(st, "pid", json_integer(getpid()));
	json_object_set_new(st, "journal", json_pack("{s:O, s:O, s:O}", "add", p->add, "remove", p->remove, "want", p->want));
	r = lab_state_save(st, e);
	if (r < 0) {
		json_decref(st);
		return r;
	}
	json_t *elements = json_object_get(st, "elements");
	lab_remove_elements(lab, p->have, p->remove, NULL);
	size_t i;
	json_t *k;
	json_array_foreach(p->remove, i, k) json_object_del(elements, json_string_value(k));

	json_t *done = json_array(), *updated = json_array();
	struct lab_ctx c = { .lab = lab, .want = p->want, .run = run };
	r = add_all(&c, p, done, updated, e);
	if (r < 0) {
		/* Undo what this run created and changed; what it removed stays removed. */
		update_undo(p, updated);
		lab_remove_elements(lab, p->want, done, NULL);
	} else {
		json_array_foreach(p->add, i, k) json_object_set(elements, json_string_value(k), json_object_get(p->want, json_string_value(k)));
		json_array_foreach(p->update, i, k) json_object_set(elements, json_string_value(k), json_object_get(p->want, json_string_value(k)));
		/* In the same write as the elements: a kill between two writes would
		 * leave a lab up without the source that graph and status read. */
		if (p->record)
			json_object_update(st, p->record);
	}
	json_decref(done);
	json_decref(updated);
	json_object_del(st, "journal");
	json_object_del(st, "pid");
	json_object_set_new(st, "status", json_string("up"));
	struct nsnet_error e2;
	if (json_object_size(elements) == 0 && r < 0)
		lab_state_remove(lab, &e2);
	else
		lab_state_save(st, r < 0 ? &e2 : e);
	json_decref(st);
	return r;
}
