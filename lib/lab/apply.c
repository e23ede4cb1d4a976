/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Carrying out a plan: removals first (a replaced element goes before its new
 * version comes), then each kind's additions, journalled so that a failure or a
 * crash at any point is undone.
 */
#include "lab/lab.h"
#include "state/state.h"
#include "base/base.h"

/* Each kind makes its additions, in creation order: networks, nodes, links. */
static int add_all(const struct lab_ctx *c, json_t *add, json_t *done, struct nsnet_error *e)
{
	int r = 0;
	for (const struct lab_kind *const *k = lab_kinds; *k && r == 0; k++) {
		struct lab_els mine = { 0 };
		if ((r = lab_els_of(add, c->want, *k, &mine, e)) < 0)
			break;
		if (mine.n)
			r = (*k)->create(c, &mine, done, e);
		lab_els_free(&mine);
	}
	return r;
}

/* In-place changes, after the additions (an allow may name a network just made).
 * On failure, those already made are turned back. */
static int update_all(const struct lab_plan *p, struct nsnet_error *e)
{
	size_t i;
	json_t *k;
	json_array_foreach(p->update, i, k) {
		const char *key = json_string_value(k), *name = NULL;
		const struct lab_kind *kind = lab_kind_of(key, &name);
		json_t *have = json_object_get(p->have, key), *want = json_object_get(p->want, key);
		int r = kind && kind->update ? kind->update(name, have, want, e) : 0;
		if (r < 0) {
			nsnet_err_wrap(e, "update %s", key);
			while (i-- > 0) {
				key = json_string_value(json_array_get(p->update, i));
				kind = lab_kind_of(key, &name);
				kind->update(name, json_object_get(p->want, key), json_object_get(p->have, key), NULL);
			}
			return r;
		}
	}
	return 0;
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

	json_t *done = json_array();
	struct lab_ctx c = { .lab = lab, .want = p->want, .run = run };
	r = add_all(&c, p->add, done, e);
	if (r == 0)
		r = update_all(p, e);
	if (r < 0) {
		/* Undo what this run created; what it removed stays removed. */
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
