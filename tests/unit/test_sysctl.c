/* Unit tests for lib/netns/sysctl.c: key validation (nothing touched on bad keys) and
 * reads in the caller's own namespace, which need no privileges. */
#include <errno.h>
#include "nsnet.h"
#include "netns/netns.h"
#include "unit.h"

/* The pure key syntax (lib/netns/sysctl_key.c): what may be set at all. */
static void net_key(const char *key, const char *want_path, const char *want_err)
{
	struct nsnet_error e = { 0 };
	char buf[SYSCTL_KEY_MAX + 1] = "untouched";
	int r = sysctl_key_net_path(key, buf, sizeof(buf), &e);
	if (want_path) {
		CHECK(r == 0);
		CHECK_STR(buf, want_path);
		return;
	}
	CHECK(r < 0);
	if (!strstr(e.msg, want_err)) {
		unit_fail++;
		fprintf(stderr, "  key '%s': message '%s' lacks '%s'\n", key ? key : "(null)", e.msg, want_err);
	}
}

static void device_default(const char *path, const char *want)
{
	char buf[SYSCTL_KEY_MAX + 16] = "";
	bool r = sysctl_key_device_default(path, buf, sizeof(buf));
	CHECK(r == (want != NULL));
	if (want)
		CHECK_STR(buf, want);
}

static void test_key_syntax(void)
{
	net_key("net.ipv4.ip_forward", "ipv4/ip_forward", NULL);
	net_key("net/ipv4/ip_forward", "ipv4/ip_forward", NULL);
	net_key("net/ipv4/conf/eth0.5/rp_filter", "ipv4/conf/eth0.5/rp_filter", NULL);
	net_key("net.ipv6.conf.all.disable_ipv6", "ipv6/conf/all/disable_ipv6", NULL);
	/* Outside net/: other namespaces' (UTS, IPC) and the host's. */
	net_key("kernel.hostname", NULL, "not a network namespace setting");
	net_key("kernel/domainname", NULL, "not a network namespace setting");
	net_key("kernel.shmmax", NULL, "not a network namespace setting");
	/* (Only keys the test sandbox's own UTS/IPC namespaces hold are named here:
	 * never a host-global one, even in a test that writes nothing.) */
	net_key("kernel/hostname", NULL, "not a network namespace setting");
	net_key("kernel.domainname", NULL, "not a network namespace setting");
	net_key("kernel/shmmax", NULL, "not a network namespace setting");
	net_key("network.x", NULL, "not a network namespace setting");
	net_key("net", NULL, "not a network namespace setting");
	net_key("netfilter.x", NULL, "not a network namespace setting");
	/* Climbing out of net/ in every spelling. */
	net_key("net/../kernel/hostname", NULL, "'.' and '..' are not allowed");
	net_key("net/core/../../kernel/hostname", NULL, "'.' and '..' are not allowed");
	net_key("net/./ipv4/ip_forward", NULL, "'.' and '..' are not allowed");
	net_key("/proc/sys/kernel/hostname", NULL, "must be relative");
	net_key("/net/ipv4/ip_forward", NULL, "must be relative");
	net_key("../kernel/hostname", NULL, "must be relative");
	net_key("net//ipv4", NULL, "empty component");
	net_key("net.ipv4.conf.all/../../../../kernel/hostname", NULL, "'.' and '..' are not allowed");
	net_key("net/ipv4\\..", NULL, "not allowed");
	net_key("", NULL, "empty");
	net_key(NULL, NULL, "empty");

	/* Per-interface keys and their template. */
	device_default("ipv4/conf/eth0/rp_filter", "ipv4/conf/default/rp_filter");
	device_default("ipv6/conf/v-net-0/forwarding", "ipv6/conf/default/forwarding");
	device_default("ipv4/neigh/eth0.5/gc_stale_time", "ipv4/neigh/default/gc_stale_time");
	device_default("ipv4/conf/all/rp_filter", NULL);
	device_default("ipv4/conf/default/rp_filter", NULL);
	device_default("ipv4/conf/eth0", NULL);
	device_default("ipv4/conf//rp_filter", NULL);
	device_default("ipv4/conf/eth0/x/y", NULL);
	device_default("core/bpf_jit_enable", NULL);
	device_default("ipv4/ip_forward", NULL);
}

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
	test_key_syntax();
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
	/* Keys nsnet may never set are refused before the namespace is looked at. */
	CHECK(nsnet_sysctl_set("no-such-ns-for-unit-test", "kernel.hostname", "x", &e) == -EPERM);
	CHECK(strstr(e.msg, "not a network namespace setting") != NULL);
	CHECK(nsnet_sysctl_set("no-such-ns-for-unit-test", "net/../kernel/hostname", "x", &e) == -EINVAL);
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
