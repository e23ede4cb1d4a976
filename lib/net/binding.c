/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names nsnet gives to namespaces it did not make: a container's namespace that a
 * runtime gave as /proc/PID/ns/net is bound at /run/netns/NAME (lib/cni) so every
 * command sees it by name. The binding keeps the namespace alive, so it must go with
 * the last member that uses it, whoever detaches that member (CNI DEL or GC, net
 * detach, net rm --force, gc). Each binding is recorded before it is made
 * (STATE/bound/NAME.json) and swept once no member of any network uses it; a kill
 * between the record and the mount leaves a record the next sweep removes.
 */
#include <dirent.h>
#include "net/net.h"
#include "netns/netns.h"

static void bound_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/bound", NSNET_STATE_DIR);
}

static void bound_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/bound/%s.json", NSNET_STATE_DIR, name);
}

int net_bind(const char *path, const char *name, struct nsnet_error *e)
{
	char dir[PATH_MAX], rec[PATH_MAX];
	bound_dir(dir, sizeof(dir));
	bound_path(name, rec, sizeof(rec));
	int r = mkdir_p(dir, NSNET_STATE_DIR_MODE);
	if (r < 0)
		return nsnet_err(e, r, "create %s", dir);
	json_t *m = json_pack("{s:s, s:s}", "name", name, "netns", path);
	r = json_write_atomic(rec, m, e);
	json_decref(m);
	if (r < 0)
		return r;
	if ((r = netns_bind(path, name, e)) < 0)
		unlink(rec);
	return r;
}

/* Half-written records of a killed write (NAME.json.tmp): nobody else writes here
 * while the caller holds the lock. */
static void drop_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".tmp") == 0 &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			unlink(path);
	}
	if (d)
		closedir(d);
}

int net_bindings_sweep(struct nsnet_error *e)
{
	char dir[PATH_MAX], rec[PATH_MAX];
	char **bound = NULL, **nets = NULL;
	size_t n_bound = 0, n_nets = 0;
	bound_dir(dir, sizeof(dir));
	drop_tmp(dir);
	int r = state_dir_names(dir, &bound, &n_bound, e);
	if (r < 0 || n_bound == 0)
		return r;
	json_auto_t *used = json_object();
	if ((r = state_net_names(&nets, &n_nets, e)) < 0)
		goto out;
	for (size_t i = 0; i < n_nets; i++) {
		json_t *net, *m;
		size_t k;
		if ((r = state_net_load(nets[i], &net, e)) < 0)
			goto out;  /* an unreadable network may hold a member: keep every binding */
		json_array_foreach(json_object_get(net, "members"), k, m) json_object_set(used, jstr0(m, "ns"), json_true());
		json_decref(net);
	}
	for (size_t i = 0; i < n_bound; i++) {
		if (json_object_get(used, bound[i]))
			continue;
		struct nsnet_error ignored;
		if (nsnet_ns_name_check(bound[i], NULL) == 0)
			netns_remove(bound[i], &ignored);
		bound_path(bound[i], rec, sizeof(rec));
		unlink(rec);
	}
out:
	nsnet_strv_free(bound, n_bound);
	nsnet_strv_free(nets, n_nets);
	return r;
}
