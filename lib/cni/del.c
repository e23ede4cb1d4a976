/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DEL releases one attachment, GC every attachment of the network that the runtime
 * no longer lists. Both go through net_detach_locked, which is journaled and takes
 * the member's published ports with it; the namespace binding nsnet made goes with
 * the last member that used it. DEL of what is not there succeeds, as the spec
 * wants: twice, after the namespace is gone, or for a container never added.
 */
#include "cni/cni.h"
#include "fw/fw.h"
#include "net/net.h"
#include "rtnl/rtnl.h"
#include "state/state.h"

/* Detach these members (namespace names; those already gone with their namespace
 * are dropped by the reconcile) and sweep the bindings. */
static int release(json_t *net, const char *const *ns, size_t n, struct nsnet_error *e)
{
	_cleanup_nl_ struct nl *host = NULL;
	_cleanup_free_ const char **still = calloc(n + 1, sizeof(*still));
	bool changed = false;
	size_t k = 0;
	int r;
	if (!still)
		return nsnet_err(e, ENOMEM, "release");
	if ((r = nl_open_fd(NS_SELF, &host, e)) < 0 || (r = net_reconcile(net, host, &changed, e)) < 0 ||
	    (changed && (r = state_net_save(net, e)) < 0))
		return r;
	for (size_t i = 0; i < n; i++)
		if (net_member(net, ns[i], NULL))
			still[k++] = ns[i];
	r = k ? net_detach_locked(net, still, k, e) : 0;
	int r2 = net_bindings_sweep(r < 0 ? NULL : e);
	/* DEL and GC end here (lock held): the members that went lose their names. */
	net_hosts_sync(NULL);
	return r < 0 ? r : r2;
}

int cni_del(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	const struct nsnet_cni_request *env = q->env;
	_cleanup_close_ int lock = -1;
	json_auto_t *net = NULL;
	*ret = NULL;
	int r = fw_lock(&lock, e);
	if (r < 0)
		return r;
	if ((r = state_net_load(q->name, &net, e)) == 0) {
		/* A member whose veth went with its namespace is dropped by the reconcile
		 * inside detach; one that is still there is detached. */
		json_t *m = cni_member(net, env->container_id, env->ifname, NULL);
		char name[256];
		const char *ns = name;
		snprintf(name, sizeof(name), "%s", m ? jstr0(m, "ns") : "");  /* detach frees the record's copy */
		r = release(net, &ns, m ? 1 : 0, e);
	} else if (r == -ENOENT) {
		r = net_bindings_sweep(e);
	}
	if (r == 0 && q->ipam_type)
		r = cni_delegate(q, "DEL", NULL, e);
	return r;
}

/* GC's list of what is still in use: cni.dev/valid-attachments (1.1.0), or the
 * older cni.dev/attachments; each {containerID, ifname}. */
static int valid_list(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	json_t *v = cni_get(q->conf, "cni.dev/valid-attachments");
	if (!v)
		v = cni_get(q->conf, "cni.dev/attachments");
	if (v && !json_is_null(v) && !json_is_array(v))
		return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "cni.dev/valid-attachments must be an array");
	json_t *keep = json_object(), *a;
	size_t i;
	json_array_foreach(v, i, a) {
		const char *id = json_string_value(cni_get(a, "containerID"));
		const char *ifname = json_string_value(cni_get(a, "ifname"));
		if (!id || !ifname) {
			json_decref(keep);
			return cni_fail(q, CNI_E_CONFIG, EINVAL, e, "cni.dev/valid-attachments[%zu] needs containerID and ifname",
					i);
		}
		char key[512];
		snprintf(key, sizeof(key), "%s/%s", id, ifname);
		json_object_set_new(keep, key, json_true());
	}
	*ret = keep;
	return 0;
}

int cni_gc(struct cni_req *q, json_t **ret, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	json_auto_t *net = NULL, *keep = NULL;
	*ret = NULL;
	int r = valid_list(q, &keep, e);
	if (r < 0 || (r = fw_lock(&lock, e)) < 0)
		return r;
	if ((r = state_net_load(q->name, &net, e)) == -ENOENT)
		return net_bindings_sweep(e);
	if (r < 0)
		return r;
	size_t n = json_array_size(json_object_get(net, "members")), k = 0, i;
	_cleanup_free_ const char **gone = calloc(n + 1, sizeof(*gone));
	json_t *m;
	if (!gone)
		return nsnet_err(e, ENOMEM, "gc");
	/* Only containers: namespaces attached by hand or by a lab are not the runtime's. */
	json_array_foreach(json_object_get(net, "members"), i, m) {
		json_t *c = json_object_get(m, "cni");
		char key[512];
		if (!c)
			continue;
		snprintf(key, sizeof(key), "%s/%s", jstr0(c, "container"), jstr0(c, "ifname"));
		if (!json_object_get(keep, key))
			gone[k++] = jstr0(m, "ns");
	}
	/* The names point into net, which detach edits: copy them first. */
	char **names = calloc(k + 1, sizeof(*names));
	for (size_t j = 0; names && j < k; j++)
		if (!(names[j] = strdup(gone[j]))) {
			nsnet_strv_free(names, j);
			names = NULL;
		}
	if (!names)
		return nsnet_err(e, ENOMEM, "gc");
	if ((r = release(net, (const char *const *)names, k, e)) == 0 && q->ipam_type)
		r = cni_delegate(q, "GC", NULL, e);
	nsnet_strv_free(names, k);
	return r;
}
