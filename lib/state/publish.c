/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Published ports' records: one file a publish, NSNET_PUBLISH_DIR/PROTO-PORT.json. */
#include <dirent.h>
#include <limits.h>
#include "state/state.h"
#include "base/base.h"

int state_publish_path(const char *proto, unsigned port, char *buf, size_t len)
{
	return xsnprintf(buf, len, "%s/%s-%u.json", NSNET_PUBLISH_DIR, proto, port);
}

static int cmp_pub(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(jstr0(x, "proto"), jstr0(y, "proto"));
	if (c)
		return c;
	json_int_t px = json_integer_value(json_object_get(x, "host_port"));
	json_int_t py = json_integer_value(json_object_get(y, "host_port"));
	return px < py ? -1 : px > py;
}

int publish_load_where(bool (*keep)(json_t *p), json_t **ret, struct nsnet_error *e)
{
	DIR *d = opendir(NSNET_PUBLISH_DIR);
	if (!d) {
		if (errno != ENOENT)
			return nsnet_err(e, errno, "open %s", NSNET_PUBLISH_DIR);
		*ret = json_array();
		return 0;
	}
	size_t n = 0, cap = 0;
	json_t **v = NULL;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)) && r == 0) {
		size_t l = strlen(de->d_name);
		char path[PATH_MAX];
		json_t *p;
		if (l < 6 || !streq(de->d_name + l - 5, ".json") ||
		    xsnprintf(path, sizeof(path), "%s/%s", NSNET_PUBLISH_DIR, de->d_name) < 0 || json_read(path, &p, NULL) < 0)
			continue;
		if (keep && !keep(p)) {
			json_decref(p);
			continue;
		}
		if (n == cap) {
			json_t **nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv) {
				json_decref(p);
				r = nsnet_err(e, ENOMEM, "list published ports");
				break;
			}
			v = nv;
		}
		v[n++] = p;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_pub);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return 0;
}

int publish_load_all(json_t **ret, struct nsnet_error *e)
{
	return publish_load_where(NULL, ret, e);
}
