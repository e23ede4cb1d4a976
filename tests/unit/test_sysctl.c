/* Unit tests for lib/sysctl.c: key validation (nothing touched on bad keys) and
 * reads in the caller's own namespace, which need no privileges. */
#include <errno.h>
#include "nsnet.h"
#include "unit.h"

static void bad_key(const char *key, const char *want)
{
	struct nsnet_error e = { 0 };
	char buf[64] = "untouched";
	/* A namespace that does not exist: the key must be refused before it is looked at. */
	int r = nsnet_sysctl_get("no-such-ns-for-unit-test", key, buf, sizeof(buf), &e);
	CHECK(r == -EINVAL);
	CHECK_STR(buf, "untouched");
	if (!strstr(e.msg, want)) {
		unit_fail++;
		fprintf(stderr, "  key '%s': message '%s' lacks '%s'\n", key ? key : "(null)", e.msg, want);
	}
	r = nsnet_sysctl_set("no-such-ns-for-unit-test", key, "1", &e);
	CHECK(r == -EINVAL);
}

int main(void)
{
	bad_key("", "empty");
	bad_key(NULL, "empty");
	bad_key("/proc/sys/net/ipv4/ip_forward", "must be relative to /proc/sys");
	bad_key("/net/ipv4/ip_forward", "must be relative");
	bad_key(".net.ipv4", "must be relative");
	bad_key("net/../../etc/passwd", "'.' and '..' are not allowed");
	bad_key("net/ipv4/..", "'.' and '..' are not allowed");
	bad_key("net/./ipv4/ip_forward", "'.' and '..' are not allowed");
	bad_key("net..ipv4.ip_forward", "empty component");
	bad_key("net.ipv4.ip_forward.", "empty component");
	bad_key("net//ipv4/ip_forward", "empty component");
	bad_key("net/ipv4/ip_forward/", "empty component");
	bad_key("net.ipv4.ip forward", "character ' ' not allowed");
	bad_key("net.ipv4.ip_forward\n", "not allowed");
	bad_key("net.ipv4.*", "character '*' not allowed");
	bad_key("net\\ipv4", "not allowed");
	char longkey[400];
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	bad_key(longkey, "longer than");

	struct nsnet_error e = { 0 };
	/* Values: checked before anything is touched, too. */
	CHECK(nsnet_sysctl_set("no-such-ns-for-unit-test", "net.ipv4.ip_forward", "", &e) == -EINVAL);
	CHECK(strstr(e.msg, "empty") != NULL);
	CHECK(nsnet_sysctl_set("no-such-ns-for-unit-test", "net.ipv4.ip_forward", "1\n0", &e) == -EINVAL);
	CHECK(strstr(e.msg, "control character") != NULL);
	/* A good key on a missing namespace: the namespace is what is reported. */
	CHECK(nsnet_sysctl_set("no-such-ns-for-unit-test", "net.ipv4.ip_forward", "1", &e) == -ENOENT);
	CHECK(strstr(e.msg, "namespace 'no-such-ns-for-unit-test' not found") != NULL);

	/* Reads in the caller's namespace: dots and slashes name the same file. */
	char a[64], b[64];
	CHECK(nsnet_sysctl_get(NSNET_HOST, "kernel.ostype", a, sizeof(a), &e) == 0);
	CHECK_STR(a, "Linux");
	CHECK(nsnet_sysctl_get(NSNET_HOST, "net.ipv4.ip_forward", a, sizeof(a), &e) == 0);
	CHECK(nsnet_sysctl_get(NSNET_HOST, "net/ipv4/ip_forward", b, sizeof(b), &e) == 0);
	CHECK_STR(a, b);
	CHECK(strcmp(a, "0") == 0 || strcmp(a, "1") == 0);
	/* Multi-value sysctls keep their tabs; a short buffer is an error, not a cut. */
	CHECK(nsnet_sysctl_get(NSNET_HOST, "net.ipv4.ip_local_port_range", a, sizeof(a), &e) == 0);
	CHECK(strchr(a, '\t') != NULL);
	CHECK(nsnet_sysctl_get(NSNET_HOST, "net.ipv4.ip_local_port_range", b, 4, &e) == -ENOBUFS);
	CHECK(nsnet_sysctl_get(NSNET_HOST, "net.ipv4.no_such_sysctl", a, sizeof(a), &e) == -ENOENT);
	CHECK(strstr(e.msg, "no such sysctl") != NULL);
	return UNIT_DONE();
}
