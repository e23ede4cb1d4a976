/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finishing or undoing what a killed command left, from its journal entry
 * (lib/state/journal.c) and the kernel. fw_lock() is the lock every changing command
 * takes: whoever gets it next replays the entries of dead commands first, so no
 * command ever works on top of a half-done change.
 *
 * Each kind of entry has one recovery, chosen so that it is safe to run again
 * (a recovery can itself be killed) and whatever point the command died at:
 *   net-create   undo without a state file (the bridge, a VXLAN port), else finish (settle)
 *   net-rm       finish: the links, the state file, its publishes and allows
 *   net-detach   finish: the links, the members, their publishes
 *   cni-add      undo:   as net-detach (the runtime was never told of the container's
 *                network, so none of it may stay; lib/cni sweeps the netns binding)
 *   publish      undo:   the publish file (the command never said it was done)
 *   unpublish    finish: the publish file
 * and every recovery ends with fw_settle(): what is derived from state (nsnet's
 * nftables elements, the publish counts, route_localnet and hairpin, forwarding)
 * is made to match state again.
 */
#include "fw/fw.h"
#include "link/link.h"
#include "state/state.h"
#include "base/base.h"

static int delete_links(json_t *names, struct nsnet_error *e)
{
	size_t n = json_array_size(names);
	if (n == 0)
		return 0;
	_cleanup_free_ const char **ifs = calloc(n, sizeof(*ifs));
	if (!ifs)
		return nsnet_err(e, ENOMEM, "delete links");
	size_t k = 0, i;
	json_t *v;
	json_array_foreach(names, i, v) {
		if (json_is_string(v) && nsnet_ifname_check(json_string_value(v), NULL) == 0)
			ifs[k++] = json_string_value(v);
	}
	_cleanup_nl_ struct nl *host = NULL;
	int r = nl_open_fd(NS_SELF, &host, e);
	if (r == 0 && k)
		r = host_links_delete(host, ifs, k, e);
	return r;
}

static int recover_net_rm(json_t *j, struct nsnet_error *e)
{
	json_t *net = json_object_get(j, "net");
	const char *name = jstr0(net, "name");
	int r = net_name_check(name, e);
	if (r < 0 || (r = delete_links(json_object_get(j, "links"), e)) < 0)
		return r;
	/* Only the network the entry is about: the same name with the same bridge. */
	json_t *cur;
	if (state_net_load(name, &cur, NULL) == 0) {
		bool same = streq(jstr0(cur, "bridge"), jstr0(net, "bridge"));
		json_decref(cur);
		if (same && (r = state_net_remove(name, e)) < 0)
			return r;
	}
	publish_drop_net(name, NULL, NULL, NULL);
	fw_forget_allows(name, NULL, NULL);
	return 0;
}

/* A create without its state file never happened: its bridge goes. With it, the
 * network stands, and settling adds whatever of its firewall is missing. */
static int recover_net_create(json_t *j, struct nsnet_error *e)
{
	json_t *cur;
	const char *name = jstr0(j, "net"), *bridge = jstr0(j, "bridge");
	if (net_name_check(name, e) < 0 || nsnet_ifname_check(bridge, e) < 0)
		return -EINVAL;
	if (state_net_load(name, &cur, NULL) == 0) {
		bool same = streq(jstr0(cur, "bridge"), bridge);
		json_decref(cur);
		if (same)
			return 0;
	}
	json_t *links = json_pack("[s]", bridge);
	if (json_is_string(json_object_get(j, "vxlan")))  /* a network that spans hosts: its port */
		json_array_insert(links, 0, json_object_get(j, "vxlan"));
	int r = delete_links(links, e);
	json_decref(links);
	return r;
}

static int recover_net_detach(json_t *j, struct nsnet_error *e)
{
	json_t *members = json_object_get(j, "members"), *links = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) json_array_append(links, json_object_get(m, "host_ifname"));
	int r = delete_links(links, e);
	json_decref(links);
	if (r < 0)
		return r;
	json_t *net;
	if (state_net_load(jstr0(j, "net"), &net, NULL) < 0)
		return 0;  /* gone with its network */
	bool changed = false;
	json_array_foreach(members, i, m) {
		size_t idx;
		json_t *cur = net_member(net, jstr0(m, "ns"), &idx);
		if (cur && streq(jstr0(cur, "host_ifname"), jstr0(m, "host_ifname"))) {
			json_array_remove(json_object_get(net, "members"), idx);
			changed = true;
		}
	}
	if (changed)
		r = state_net_save(net, e);
	json_decref(net);
	return r;
}

/* The publish file at the entry's path, if it is still the entry's publish. */
static bool pub_is(json_t *j)
{
	const char *path = jstr0(j, "path");
	json_t *cur, *pub = json_object_get(j, "pub");
	size_t dl = strlen(NSNET_PUBLISH_DIR);
	if (strncmp(path, NSNET_PUBLISH_DIR, dl) != 0 || path[dl] != '/' || strstr(path, "/../") ||
	    json_read(path, &cur, NULL) < 0)
		return false;
	bool same = json_equal(cur, pub);
	json_decref(cur);
	return same;
}

static int recover_publish(json_t *j, struct nsnet_error *e)
{
	if (pub_is(j) && unlink(jstr0(j, "path")) < 0 && errno != ENOENT)
		return nsnet_err(e, errno, "remove %s", jstr0(j, "path"));
	return 0;
}

static const struct recovery {
	const char *op;
	int (*fn)(json_t *entry, struct nsnet_error *e);
} recoveries[] = {
	{ "net-create", recover_net_create },
	{ "net-rm", recover_net_rm },
	{ "net-detach", recover_net_detach },
	{ "cni-add", recover_net_detach },
	{ "publish", recover_publish },
	{ "unpublish", recover_publish },  /* finishing an unpublish removes the same file */
};

int recover_entries(json_t *report, struct nsnet_error *e)
{
	char **names;
	size_t n;
	int r = journal_entries(&names, &n, e);
	if (r < 0 || n == 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *j;
		r = journal_load(names[i], &j, e);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		const struct recovery *rec = NULL;
		for (size_t k = 0; k < ARRAY_SIZE(recoveries); k++)
			if (streq(jstr0(j, "op"), recoveries[k].op))
				rec = &recoveries[k];
		if (!rec)
			r = nsnet_errx(e, EINVAL, "%s/%s.json: unknown journal entry '%s'", NSNET_JOURNAL_DIR, names[i],
				       jstr0(j, "op"));
		else if ((r = rec->fn(j, e)) < 0)
			nsnet_err_wrap(e, "finish the killed command's '%s' (%s/%s.json)", rec->op, NSNET_JOURNAL_DIR,
				       names[i]);
		/* The derived state once per entry: the next entry may depend on it. */
		if (r == 0 && (r = fw_settle(NULL, e)) == 0) {
			journal_remove(names[i]);
			if (report)
				json_array_append_new(report, json_string(jstr0(j, "op")));
		}
		json_decref(j);
	}
	nsnet_strv_free(names, n);
	return r;
}

int fw_lock(int *ret_fd, struct nsnet_error *e)
{
	int fd;
	int r = state_lock(&fd, e);
	if (r < 0)
		return r;
	if ((r = recover_entries(NULL, e)) < 0) {
		state_unlock(fd);
		return nsnet_err_wrap(e, "recover (run `nsnet gc` for details)");
	}
	*ret_fd = fd;
	return 0;
}
