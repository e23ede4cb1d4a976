/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small file helpers: the one bounded reader, /proc/sys writes, one-line reads, mkdir -p. */
#include <fcntl.h>
#include <sys/stat.h>
#include "nsnet.h"
#include "base/base.h"

int write_file(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(s);
	ssize_t n = write(fd, s, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
	     : S_ISSOCK(m) ? "a socket" : "not a plain file";
}

static int check_regular(const char *path, const struct stat *st, size_t max, struct nsnet_error *e)
{
	if (S_ISDIR(st->st_mode))
		return nsnet_errx(e, EISDIR, "%s: is a directory", path);
	if (!S_ISREG(st->st_mode))
		return nsnet_errx(e, EINVAL, "%s: is not a regular file (%s)", path, file_kind(st->st_mode));
	if ((uint64_t)st->st_size > max)
		return nsnet_errx(e, EFBIG, "%s: is larger than the limit of %zu MiB", path, max >> 20);
	return 0;
}

/* Every file nsnet reads whole goes through here: a FIFO must not hang us, a device
 * (/dev/zero) must not fill memory, and nothing bigger than max is ever copied. The
 * path is checked before it is opened (opening some devices has effects), and the
 * opened file again (it may have been swapped in between). */
int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len, struct nsnet_error *e)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return nsnet_err(e, errno, "open %s", path);
	int r = check_regular(path, &st, max, e);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return nsnet_err(e, errno, "open %s", path);
	if (fstat(fd, &st) < 0)
		return nsnet_err(e, errno, "stat %s", path);
	if ((r = check_regular(path, &st, max, e)) < 0)
		return r;
	/* The size is a hint only (/proc files say 0, a file may grow): read at most
	 * max + 1 bytes, to tell "exactly max" from "more". */
	size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1, len = 0;
	if (cap < 4096)
		cap = max + 1 < 4096 ? max + 1 : 4096;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return nsnet_err(e, ENOMEM, "read %s", path);
	for (;;) {
		if (len == cap) {
			if (cap > max)
				break;
			size_t ncap = cap * 2 < max + 1 ? cap * 2 : max + 1;
			char *nb = realloc(buf, ncap + 1);
			if (!nb)
				return nsnet_err(e, ENOMEM, "read %s", path);
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nsnet_err(e, errno, "read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		return nsnet_errx(e, EFBIG, "%s: is larger than the limit of %zu MiB", path, max >> 20);
	buf[len] = 0;
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_line(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int mkdir_p(const char *path, unsigned mode)
{
	char tmp[4096];
	if (xsnprintf(tmp, sizeof(tmp), "%s", path) < 0)
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

void nsnet_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
