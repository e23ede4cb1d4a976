/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Enter a named namespace the way `ip netns exec` does, then execvp(): a private
 * mount namespace, /sys remounted so it shows the target's interfaces, and the
 * files of /etc/netns/NAME bind-mounted over their /etc counterparts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include "netns/netns.h"
#include "base/base.h"

static int bind_etc(const char *name, struct nsnet_error *e)
{
	char dir[PATH_MAX];
	if (xsnprintf(dir, sizeof(dir), "%s/%s", NSNET_ETC_NETNS_DIR, name) < 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;  /* nothing to overlay, as with iproute2 */
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		char src[PATH_MAX], dst[PATH_MAX];
		if (xsnprintf(src, sizeof(src), "%s/%s", dir, de->d_name) < 0 ||
		    xsnprintf(dst, sizeof(dst), "/etc/%s", de->d_name) < 0)
			continue;
		/* As iproute2: a file with no counterpart in /etc is skipped, not fatal. */
		if (access(dst, F_OK) < 0)
			continue;
		if (mount(src, dst, "none", MS_BIND, NULL) < 0) {
			r = nsnet_err(e, errno, "bind %s over %s", src, dst);
			break;
		}
	}
	closedir(d);
	return r;
}

int netns_enter(const char *name, struct nsnet_error *e)
{
	_cleanup_close_ int fd = -1;
	int r = nsnet_ns_open(name, &fd, e);
	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return nsnet_err(e, errno, "enter namespace '%s'", name);
	/* A mount namespace of our own, slave to the parent, so the /sys and /etc
	 * mounts below are seen by the command only. */
	if (unshare(CLONE_NEWNS) < 0)
		return nsnet_err(e, errno, "unshare the mount namespace");
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		return nsnet_err(e, errno, "make / a slave mount");
	/* sysfs shows the namespace of whoever mounted it: mount one from here. As
	 * iproute2 does, mount it even when there was nothing to unmount (or the old one
	 * could not be), else the command would read the caller's interfaces there; keep
	 * it read-only when it was (a read-only /sys cannot be shadowed read-write). */
	unsigned long flags = 0;
	struct statvfs sv;
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	(void)umount2("/sys", MNT_DETACH);
	if (mount(name, "/sys", "sysfs", flags, NULL) < 0)
		return nsnet_err(e, errno, "mount /sys for namespace '%s'", name);
	/* /etc/netns/NAME belongs to a name; a pid or a path has none. */
	return netns_ref_parse(name, NULL) == NETNS_REF_NAME ? bind_etc(name, e) : 0;
}

int nsnet_exec(const char *name, char *const argv[], struct nsnet_error *e)
{
	if (!argv || !argv[0])
		return nsnet_errx(e, EINVAL, "exec: no command given");
	if (!streq(name, NSNET_HOST)) {
		int r = netns_enter(name, e);
		if (r < 0)
			return nsnet_err_wrap(e, "exec in '%s'", name);
	}
	execvp(argv[0], argv);
	return nsnet_err(e, errno, "exec in '%s': %s", name, argv[0]);
}
