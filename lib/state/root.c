/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The program's settings (nsnet_configure): where the state lives and whether
 * foreign firewall rules may be ignored. They sit in the lowest layer that reads
 * them, so the firewall and the store ask here instead of the environment.
 */
#include <string.h>
#include "state/state.h"

#define DEFAULT_ROOT "/run/nsnet"

struct state_paths state_paths = {
	.root = DEFAULT_ROOT,
	.net = DEFAULT_ROOT "/networks",
	.journal = DEFAULT_ROOT "/journal",
	.publish = DEFAULT_ROOT "/publish",
	.lab = DEFAULT_ROOT "/labs",
	.fw = DEFAULT_ROOT "/fw.json",
	.lock = DEFAULT_ROOT "/state.lock",
};

static bool ignore_foreign;

bool state_ignore_foreign_firewall(void)
{
	return ignore_foreign;
}

/* Absolute, normalised (no empty, "." or ".." component, no trailing slash but "/"
 * itself is refused too: the state must have a directory of its own). */
static int root_check(const char *root, struct nsnet_error *e)
{
	size_t l = strlen(root);
	if (l == 0 || l >= NSNET_STATE_ROOT_MAX)
		return nsnet_errx(e, EINVAL, "invalid state root '%s': an absolute path of 1 to %d bytes", root,
				  NSNET_STATE_ROOT_MAX - 1);
	if (root[0] != '/' || l == 1 || root[l - 1] == '/')
		return nsnet_errx(e, EINVAL, "invalid state root '%s': an absolute directory path, not '/'", root);
	for (const char *c = root; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return nsnet_errx(e, EINVAL, "invalid state root: control characters");
	for (const char *c = root; c; c = strchr(c + 1, '/')) {
		const char *n = c + 1;
		size_t cl = strcspn(n, "/");
		if (cl == 0 || (cl == 1 && n[0] == '.') || (cl == 2 && n[0] == '.' && n[1] == '.'))
			return nsnet_errx(e, EINVAL, "invalid state root '%s': empty, '.' or '..' component", root);
	}
	return 0;
}

int nsnet_configure(const struct nsnet_config *c, struct nsnet_error *e)
{
	const char *root = c && c->state_root ? c->state_root : DEFAULT_ROOT;
	int r = root_check(root, e);
	if (r < 0)
		return r;
	struct state_paths p = { 0 };
	snprintf(p.root, sizeof(p.root), "%s", root);
	snprintf(p.net, sizeof(p.net), "%s/networks", root);
	snprintf(p.journal, sizeof(p.journal), "%s/journal", root);
	snprintf(p.publish, sizeof(p.publish), "%s/publish", root);
	snprintf(p.lab, sizeof(p.lab), "%s/labs", root);
	snprintf(p.fw, sizeof(p.fw), "%s/fw.json", root);
	snprintf(p.lock, sizeof(p.lock), "%s/state.lock", root);
	state_paths = p;
	ignore_foreign = c && c->ignore_foreign_firewall;
	return 0;
}
