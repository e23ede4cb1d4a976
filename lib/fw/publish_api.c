/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's publish entry points: each takes fw_lock (which first finishes
 * what dead commands left) and calls the locked operations of publish.c. */
#include "fw/fw.h"
#include "state/state.h"
#include "base/base.h"

int nsnet_publish(const struct nsnet_publish_spec *s, struct nsnet_error *e)
{
	/* Bad input is refused before the lock, which would create /run/nsnet. */
	int r = publish_check(s, e);
	if (r < 0)
		return publish_error(s, e);
	_cleanup_close_ int lock = -1;
	if ((r = fw_lock(&lock, e)) < 0)
		return r;
	return publish_add_locked(s, e);
}

int nsnet_unpublish(int proto_num, const struct nsnet_prefix *host_ip, uint16_t host_port, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = fw_lock(&lock, e);
	if (r < 0)
		return r;
	return publish_del_locked(proto_num, host_ip, host_port, e);
}

int nsnet_publish_list(json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_t *pubs;
	int r = fw_lock(&lock, e);
	if (r < 0 || (r = publish_load_all(&pubs, e)) < 0)
		return r;
	size_t i;
	json_t *p;
	json_array_foreach(pubs, i, p) {
		json_object_set_new(p, "state", json_string(publish_is_current(p) ? "ok" : "stale"));
		json_object_del(p, "host_ifname");
	}
	*ret = pubs;
	return 0;
}
