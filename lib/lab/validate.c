/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Before `up` touches anything: can every addition be made? */
#include "lab/lab.h"
#include "rtnl/rtnl.h"
#include "net/net.h"
#include "netns/netns.h"
#include "base/base.h"

int lab_validate(const char *lab, const struct lab_plan *p, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *host = NULL;
	int r = nl_open_fd(NS_SELF, &host, e);
	struct lab_check c = { .lab = lab, .plan = p, .host = host, .owners = lab_owners(lab) };
	size_t i;
	json_t *k;
	json_array_foreach(p->add, i, k) {
		const char *key = json_string_value(k), *name;
		const struct lab_kind *kind = lab_kind_of(key, &name);
		if (r < 0)
			break;
		if (kind && kind->check)
			r = kind->check(&c, key, name, e);
	}
	json_decref(c.owners);
	return r;
}

/* Every node's sysctls, asked of the kernel before anything changes: each key must
 * be one a new network namespace holds as its own (lib/netns/sysctl.c says how that is
 * told), so a lab file can never set a host-wide one. Errors point at the key. */
int lab_validate_sysctls(const struct topology *t, struct nsnet_error *e)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		for (size_t j = 0; j < n->n_sysctls; j++) {
			const struct topo_sysctl *s = &n->sysctls[j];
			struct nsnet_error ke = { 0 };
			int r = sysctl_check_new_netns(s->key, &ke);
			if (r == 0)
				continue;
			if (s->pos.line > 0)
				return nsnet_errx(e, EINVAL, "%s:%d:%d: node '%s': %s", t->file, s->pos.line, s->pos.col, n->name,
						  ke.msg);
			return nsnet_errx(e, EINVAL, "%s: node '%s': %s", t->file, n->name, ke.msg);
		}
	}
	return 0;
}
