/* Unit tests for lib/base/error.c: one-line messages, errno handling, context wrapping. */
#include <errno.h>
#include "nsnet.h"
#include "unit.h"

int main(void)
{
	struct nsnet_error e = { 0 };

	/* nsnet_err appends strerror and returns -code, whatever the sign given. */
	CHECK(nsnet_err(&e, ENOENT, "open %s", "/run/netns/red") == -ENOENT);
	CHECK(e.code == ENOENT);
	CHECK_STR(e.msg, "open /run/netns/red: No such file or directory");
	CHECK(nsnet_err(&e, -EPERM, "mount") == -EPERM);
	CHECK(e.code == EPERM);
	CHECK_STR(e.msg, "mount: Operation not permitted");

	/* nsnet_errx: the message already says why. */
	CHECK(nsnet_errx(&e, EEXIST, "namespace '%s' already exists", "red") == -EEXIST);
	CHECK(e.code == EEXIST);
	CHECK_STR(e.msg, "namespace 'red' already exists");

	/* Code 0 is never "success" for an error: it becomes EIO. */
	CHECK(nsnet_errx(&e, 0, "odd") == -EIO);
	CHECK(e.code == EIO);

	/* No error struct: just the return value. */
	CHECK(nsnet_err(NULL, EINVAL, "x") == -EINVAL);
	CHECK(nsnet_errx(NULL, EBUSY, "x") == -EBUSY);
	CHECK(nsnet_err_wrap(NULL, "ctx") == -EIO);

	/* Context is wrapped outward: the user reads the whole story in one line. */
	nsnet_err(&e, EEXIST, "add address 192.168.15.1/24");
	CHECK(nsnet_err_wrap(&e, "attach to %s", "v-net-0") == -EEXIST);
	CHECK(nsnet_err_wrap(&e, "node %s", "red") == -EEXIST);
	CHECK(nsnet_err_wrap(&e, "up lab.yaml") == -EEXIST);
	CHECK_STR(e.msg, "up lab.yaml: node red: attach to v-net-0: add address 192.168.15.1/24: File exists");
	CHECK(e.code == EEXIST);

	/* Wrapping an empty error still yields a failure code. */
	struct nsnet_error z = { 0 };
	CHECK(nsnet_err_wrap(&z, "ctx") == -EIO);

	/* Overlong messages are truncated, never overflowed, and stay terminated. */
	char big[3 * NSNET_ERR_MAX];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK(nsnet_err(&e, ENOSPC, "%s", big) == -ENOSPC);
	CHECK(strlen(e.msg) == NSNET_ERR_MAX - 1);
	CHECK(nsnet_err_wrap(&e, "%s", big) == -ENOSPC);
	CHECK(strlen(e.msg) < NSNET_ERR_MAX);
	nsnet_errx(&e, EINVAL, "short");
	CHECK(nsnet_err_wrap(&e, "%s", big) == -EINVAL);
	CHECK(strlen(e.msg) < NSNET_ERR_MAX);
	CHECK(strncmp(e.msg, "aaaa", 4) == 0);

	return UNIT_DONE();
}
