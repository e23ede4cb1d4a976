/* Unit tests for lib/base/names.c: namespace, interface and host name rules. */
#include <errno.h>
#include "nsnet.h"
#include "base/base.h"
#include "unit.h"

static void ns_ok(const char *name)
{
	struct nsnet_error e = { 0 };
	int r = nsnet_ns_name_check(name, &e);
	CHECK(r == 0);
	if (r)
		fprintf(stderr, "  ns name '%s' refused: %s\n", name, e.msg);
}

/* Refused with -EINVAL and a message that contains want. */
static void ns_bad(const char *name, const char *want)
{
	struct nsnet_error e = { 0 };
	int r = nsnet_ns_name_check(name, &e);
	CHECK(r == -EINVAL);
	CHECK(e.code == EINVAL);
	CHECK(strstr(e.msg, want) != NULL);
	if (!strstr(e.msg, want))
		fprintf(stderr, "  message '%s' lacks '%s'\n", e.msg, want);
	/* One line, no control characters echoed back to the terminal. */
	for (const char *p = e.msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			CHECK(!"control character in message");
			break;
		}
	/* Without an error struct the verdict is the same. */
	CHECK(nsnet_ns_name_check(name, NULL) == -EINVAL);
}

static void if_ok(const char *name)
{
	struct nsnet_error e = { 0 };
	CHECK(nsnet_ifname_check(name, &e) == 0);
}

static void if_bad(const char *name)
{
	struct nsnet_error e = { 0 };
	CHECK(nsnet_ifname_check(name, &e) == -EINVAL);
	CHECK(e.msg[0] != 0);
}

int main(void)
{
	char name[300];

	ns_ok("red");
	ns_ok("a");
	ns_ok("netns-1f2e3d");
	ns_ok("with space");
	ns_ok("...");
	ns_ok(".hidden");
	ns_ok("a.b");
	ns_ok("ünïcödé");
	ns_ok("host-not");

	/* 255 bytes is the longest a file name can be. */
	memset(name, 'x', 255);
	name[255] = 0;
	ns_ok(name);
	memset(name, 'x', 256);
	name[256] = 0;
	ns_bad(name, "longer than 255 bytes");

	ns_bad("", "must not be empty");
	ns_bad(NULL, "must not be empty");
	ns_bad(".", "reserved");
	ns_bad("..", "reserved");
	ns_bad("a/b", "'/'");
	ns_bad("/", "'/'");
	ns_bad("../etc", "'/'");
	ns_bad("tab\there", "control character 0x09");
	ns_bad("nl\n", "control character 0x0a");
	ns_bad("esc\x1b[31m", "control character 0x1b");
	ns_bad("del\x7f", "control character 0x7f");

	if_ok("eth0");
	if_ok("veth-red");
	memset(name, 'i', 15);
	name[15] = 0;
	if_ok(name);
	name[15] = 'i';
	name[16] = 0;
	if_bad(name);
	if_bad("");
	if_bad(NULL);
	if_bad(".");
	if_bad("..");
	if_bad("a/b");
	if_bad("a:b");
	if_bad("a b");
	if_bad("a\tb");
	if_bad("a\x7f");

	/* Host names: what goes into a hosts file as it is. */
	static const char *const hosts_ok[] = { "red", "b1", "node_1", "a.b", "v-net-0-gateway", "1a", "x-", "0x1g" };
	static const char *const hosts_bad[] = {
		"", "with space", "tab\there", "a#b", "-lead", ".lead", "trail.", "a..b", "ünï", "a/b", "a:b",
		/* a resolver reads these as IPv4 addresses */
		"10", "10.1", "10.0.0.1", "0x10", "017",
		"localhost", "ip6-localhost", "ip6-loopback",
	};
	for (size_t i = 0; i < sizeof(hosts_ok) / sizeof(*hosts_ok); i++) {
		CHECK(hostname_ok(hosts_ok[i]));
		if (!hostname_ok(hosts_ok[i]))
			fprintf(stderr, "  host name '%s' refused\n", hosts_ok[i]);
	}
	for (size_t i = 0; i < sizeof(hosts_bad) / sizeof(*hosts_bad); i++) {
		CHECK(!hostname_ok(hosts_bad[i]));
		if (hostname_ok(hosts_bad[i]))
			fprintf(stderr, "  host name '%s' accepted\n", hosts_bad[i]);
	}
	CHECK(!hostname_ok(NULL));
	memset(name, 'h', 253);
	name[253] = 0;
	CHECK(hostname_ok(name));
	name[253] = 'h';
	name[254] = 0;
	CHECK(!hostname_ok(name));

	return UNIT_DONE();
}
