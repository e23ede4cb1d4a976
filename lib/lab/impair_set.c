/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `nsnet link set LAB NODE:IF rate R loss P%`: a running lab's impairment changed
 * in place, and recorded in the lab's state as its impair:NODE:IF element, so that
 * status checks what runs. The lab file stays the truth for `up`: the next up of
 * the file puts its own impairments back (docs/impairments.md).
 */
#include "lab/lab.h"
#include "fw/fw.h"
#include "state/state.h"
#include "base/base.h"

/* Is NODE:IF an end of one of the lab's links, or an interface of its node NODE? */
static bool is_link_end(json_t *elements, const char *node, const char *ifname)
{
	const char *key;
	json_t *spec, *f;
	size_t i;
	json_t *ns = lab_spec_of(elements, &lab_kind_node, node);
	json_array_foreach(json_object_get(ns, "ifaces"), i, f)
		if (streq(jstr0(f, "ifname"), ifname))
			return true;
	json_object_foreach(elements, key, spec) {
		if (!lab_key_name(&lab_kind_link, key))
			continue;
		for (size_t j = 0; j < 2; j++) {
			const char *n = json_string_value(json_array_get(json_object_get(spec, "nodes"), j));
			const char *f = json_string_value(json_array_get(json_object_get(spec, "ifnames"), j));
			if (n && f && streq(n, node) && streq(f, ifname))
				return true;
		}
	}
	return false;
}

int nsnet_lab_link_set(const char *arg, const char *end, const struct nsnet_impair *im, json_t **ret,
		       struct nsnet_error *e)
{
	const char *colon = end ? strrchr(end, ':') : NULL;
	if (!colon || colon == end || !colon[1])
		return nsnet_errx(e, EINVAL, "'%s': write the link end as NODE:IFNAME", end ? end : "");
	_cleanup_free_ char *node = strndup(end, (size_t)(colon - end));
	const char *ifname = colon + 1;
	if (!node)
		return nsnet_err(e, ENOMEM, "link set");
	uint64_t rate = 0;
	uint32_t loss = 0;
	/* Every value is checked before anything changes. */
	if (im->rate && !streq(im->rate, "0") && rate_parse(im->rate, &rate, e) < 0)
		return -EINVAL;
	if (im->loss && !streq(im->loss, "0") && loss_parse(im->loss, &loss, e) < 0)
		return -EINVAL;

	_cleanup_free_ char *lab = NULL;
	int r = lab_resolve(arg, &lab, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = -1;
	json_t *st = NULL;
	if ((r = fw_lock(&lock, e)) < 0 || (r = lab_state_load(lab, &st, e)) < 0)
		return r;
	json_t *elements = json_object_get(st, "elements");
	char key[600];
	snprintf(key, sizeof(key), "%s%s:%s", lab_kind_impair.prefix, node, ifname);
	json_t *old = json_object_get(elements, key);
	if (!is_link_end(elements, node, ifname)) {
		r = nsnet_errx(e, ENOENT, "lab '%s' has no link end or node interface %s:%s", lab, node, ifname);
		goto out;
	}
	/* What is not given stays as it is; --clear starts from nothing. */
	if (!im->clear && !im->rate)
		rate = (uint64_t)json_integer_value(json_object_get(old, "rate"));
	if (!im->clear && !im->loss)
		loss = (uint32_t)json_integer_value(json_object_get(old, "loss"));
	if ((r = lab_impair_set(node, ifname, rate, loss, e)) < 0) {
		nsnet_err_wrap(e, "link set %s:%s", node, ifname);
		goto out;
	}
	if (rate || loss)
		json_object_set_new(elements, key,
				    json_pack("{s:s, s:s, s:I, s:I}", "node", node, "ifname", ifname, "rate",
					      (json_int_t)rate, "loss", (json_int_t)loss));
	else
		json_object_del(elements, key);
	if ((r = lab_state_save(st, e)) < 0)
		goto out;
	if (ret) {
		char rs[32], ls[32];
		*ret = json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "lab", lab, "node", node, "ifname", ifname, "rate",
				 rate ? rate_str(rate, rs, sizeof(rs)) : NULL, "loss", loss ? loss_str(loss, ls, sizeof(ls)) : NULL);
	}
out:
	json_decref(st);
	return r;
}
