/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * STATUS: whether the network can take ADDs now (50 when it cannot: no free address,
 * its bridge gone). The reference plugins answer STATUS without looking; nsnet looks.
 * VERSION: the versions nsnet speaks.
 */
#include "cni/cni.h"
#include "fw/fw.h"
#include "net/net.h"
#include "rtnl/rtnl.h"
#include "state/state.h"

int cni_status(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	_cleanup_nl_ struct nl *host = NULL;
	json_auto_t *net = NULL, *d = NULL;
	*ret = NULL;
	int r = fw_lock(&lock, e);
	if (r < 0)
		return r;
	if ((r = state_net_load(q->name, &net, e)) == -ENOENT)
		r = 0;  /* the first ADD makes it */
	else if (r == 0 && (r = nl_open_fd(NS_SELF, &host, e)) == 0) {
		if (link_index(host, jstr0(net, "bridge")) < 0)
			return cni_fail(q, CNI_E_UNAVAILABLE, ENODEV, e, "bridge %s of network '%s' is gone",
					jstr0(net, "bridge"), q->name);
		d = net_describe(net);
		size_t i;
		json_t *sub;
		json_array_foreach(json_object_get(d, "subnets"), i, sub) {
			if (!q->ipam_type && json_integer_value(json_object_get(sub, "free")) <= 0)
				return cni_fail(q, CNI_E_UNAVAILABLE, ENOSPC, e, "no free address left in %s on network '%s'",
						jstr0(sub, "cidr"), q->name);
		}
	}
	if (r == 0 && q->ipam_type)
		r = cni_delegate(q, "STATUS", NULL, e);
	return r;
}

int cni_version(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	(void)e;
	const char *v = q->ver > 0 ? q->version : CNI_LATEST;
	*ret = json_pack("{s:s, s:[s, s, s, s, s]}", "cniVersion", v, "supportedVersions", "0.3.0", "0.3.1", "0.4.0",
			 "1.0.0", "1.1.0");
	return 0;
}
