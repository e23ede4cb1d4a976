/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal: a command that changes more than one thing (kernel links, nftables,
 * sysctls, state files) first writes what it is about to do to
 * /run/nsnet/journal/PID-SEQ.json, and removes the entry once it has finished or
 * undone it itself. Every writer holds the state lock, so an entry found by the
 * holder of the lock belongs to a command that died half-way: lib/fw/recover.c finishes
 * or undoes it from the entry and what the kernel says, never from a state file
 * that may already be gone.
 *
 * /run is a tmpfs: a kill -9 loses nothing that was written, so the entry is made
 * durable by the rename alone (no fsync; a power loss takes the namespaces too).
 */
#include <fcntl.h>
#include <limits.h>
#include "state/state.h"
#include "base/base.h"

int journal_begin(struct journal *j, json_t *entry, struct nsnet_error *e)
{
	static unsigned seq;
	j->path[0] = 0;
	int r = mkdir_p(NSNET_JOURNAL_DIR, 0700);
	if (r < 0) {
		json_decref(entry);
		return nsnet_err(e, r, "create %s", NSNET_JOURNAL_DIR);
	}
	json_object_set_new(entry, "pid", json_integer(getpid()));
	/* Entries are replayed in the order they were written: a number that sorts. */
	snprintf(j->path, sizeof(j->path), "%s/%010u-%06u.json", NSNET_JOURNAL_DIR, (unsigned)getpid(), ++seq % 1000000);
	r = json_write_atomic(j->path, entry, e);
	json_decref(entry);
	if (r < 0) {
		j->path[0] = 0;
		return nsnet_err_wrap(e, "journal");
	}
	return 0;
}

void journal_end(struct journal *j)
{
	if (j->path[0])
		unlink(j->path);
	j->path[0] = 0;
}

int journal_entries(char ***ret, size_t *ret_n, struct nsnet_error *e)
{
	return state_dir_names(NSNET_JOURNAL_DIR, ret, ret_n, e);
}

int journal_load(const char *name, json_t **ret, struct nsnet_error *e)
{
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/%s.json", NSNET_JOURNAL_DIR, name) < 0)
		return nsnet_errx(e, ENAMETOOLONG, "journal entry %s: name too long", name);
	int r = json_read(path, ret, e);
	if (r == 0 && !json_is_object(*ret)) {
		json_decref(*ret);
		return nsnet_errx(e, EIO, "%s: corrupt journal entry: not an object", path);
	}
	return r;
}

void journal_remove(const char *name)
{
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/%s.json", NSNET_JOURNAL_DIR, name) == 0)
		unlink(path);
}
