/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Building show's JSON model: helpers that treat out-of-memory as an error to report. */
#include "show/show.h"
#include "base/base.h"

int show_set(json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new() takes v even on failure; a NULL v is our out-of-memory. */
	if (!v || json_object_set_new(obj, key, v) < 0)
		return -ENOMEM;
	return 0;
}

json_t *show_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}
