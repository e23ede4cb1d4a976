/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Labs' state files: /run/nsnet/labs/LAB.json. */
#include <dirent.h>
#include "state/state.h"
#include "state/state.h"
#include "base/base.h"

static int lab_path(const char *lab, char *buf, size_t len)
{
	return xsnprintf(buf, len, "%s/%s.json", NSNET_LAB_DIR, lab);
}

int lab_state_load(const char *lab, json_t **ret, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = net_name_check(lab, NULL);
	if (r < 0)
		return nsnet_errx(e, EINVAL, "invalid lab name '%s'", lab);
	lab_path(lab, path, sizeof(path));
	json_t *st;
	r = json_read(path, &st, e);
	if (r == -ENOENT)
		return nsnet_errx(e, ENOENT, "lab '%s' not found", lab);
	if (r < 0)
		return r;
	if ((r = state_lab_check(st, lab, path, e)) < 0) {
		json_decref(st);
		return r;
	}
	*ret = st;
	return 0;
}

int lab_state_save(json_t *st, struct nsnet_error *e)
{
	char path[PATH_MAX];
	int r = mkdir_p(NSNET_LAB_DIR, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", NSNET_LAB_DIR);
	lab_path(json_string_value(json_object_get(st, "name")), path, sizeof(path));
	return json_write_atomic(path, st, e);
}

int lab_state_remove(const char *lab, struct nsnet_error *e)
{
	char path[PATH_MAX];
	lab_path(lab, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return nsnet_err(e, errno, "remove %s", path);
	return 0;
}

int lab_state_names(char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	return state_dir_names(NSNET_LAB_DIR, ret, ret_n, e);
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
