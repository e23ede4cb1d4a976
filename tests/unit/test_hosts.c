/* Unit tests for lib/net/hosts.c's plan: which namespaces get a hosts file, and
 * what each holds, from network records alone (no kernel, no /etc). */
#include <stdlib.h>
#include "net/net.h"
#include "unit.h"

static bool all_alive(const char *ns)
{
	(void)ns;
	return true;
}

static bool not_gone(const char *ns)
{
	return strcmp(ns, "gone") != 0;
}

static json_t *member(const char *ns, const char *ip4, const char *ip6)
{
	json_t *ips = json_array();
	if (ip4)
		json_array_append_new(ips, json_string(ip4));
	if (ip6)
		json_array_append_new(ips, json_string(ip6));
	return json_pack("{s:s, s:s, s:s, s:o, s:s}", "ns", ns, "ifname", "eth0", "host_ifname", "nvx", "ips", ips, "state",
			 "up");
}

static json_t *network(const char *name, const char *gw4, const char *gw6)
{
	json_t *subs = json_array();
	if (gw4)
		json_array_append_new(subs, json_pack("{s:s, s:s}", "cidr", "10.0.0.0/8", "gateway", gw4));
	if (gw6)
		json_array_append_new(subs, json_pack("{s:s, s:s}", "cidr", "fd00::/64", "gateway", gw6));
	return json_pack("{s:s, s:s, s:o, s:[]}", "name", name, "bridge", name, "subnets", subs, "members");
}

static void add(json_t *net, json_t *m)
{
	json_array_append_new(json_object_get(net, "members"), m);
}

static char *text(const struct hosts_plan *p, const char *ns, bool made)
{
	size_t len = 0;
	char *t = hosts_plan_text(p, ns, made, &len);
	CHECK(t && strlen(t) == len);
	return t;
}

#define HEAD "# nsnet: generated, rewritten on every change; do not edit\n"
#define LOOP "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

static void test_two_networks(void)
{
	/* back (b, c) and lan (a, b; dual stack), in name order as state lists them. */
	json_t *back = network("back", "10.51.0.1", NULL), *lan = network("lan", "10.50.0.1", "fd50::1");
	add(back, member("b", "10.51.0.2/24", NULL));
	add(back, member("c", "10.51.0.3/24", NULL));
	add(lan, member("a", "10.50.0.2/24", "fd50::2/64"));
	add(lan, member("b", "10.50.0.3/24", "fd50::3/64"));
	json_t *nets = json_pack("[o, o]", back, lan);
	struct hosts_plan p;
	CHECK(hosts_plan_make(nets, all_alive, &p) == 0);
	CHECK(json_object_size(p.want) == 3);
	CHECK(json_array_size(json_object_get(p.want, "b")) == 2);

	char *a = text(&p, "a", false);
	CHECK_STR(a, HEAD LOOP "\n# a (this namespace)\n10.50.0.2\ta\nfd50::2\ta\n"
			       "\n# network lan\n10.50.0.1\tlan-gateway\nfd50::1\tlan-gateway\n10.50.0.3\tb\nfd50::3\tb\n");
	free(a);
	/* b is on both: its own addresses first, then each network without it. */
	char *b = text(&p, "b", true);
	CHECK_STR(b, HEAD "# nsnet: made this directory; removes it with this file when it is empty\n" LOOP
		     "\n# b (this namespace)\n10.51.0.2\tb\n10.50.0.3\tb\nfd50::3\tb\n"
		     "\n# network back\n10.51.0.1\tback-gateway\n10.51.0.3\tc\n"
		     "\n# network lan\n10.50.0.1\tlan-gateway\nfd50::1\tlan-gateway\n10.50.0.2\ta\nfd50::2\ta\n");
	free(b);
	/* c does not see lan. */
	char *c = text(&p, "c", false);
	CHECK(c && !strstr(c, "lan") && strstr(c, "10.51.0.2\tb\n"));
	free(c);
	hosts_plan_free(&p);
	json_decref(nets);
}

static void test_left_out(void)
{
	json_t *lan = network("lan", "10.50.0.1", NULL);
	add(lan, member("a", "10.50.0.2/24", NULL));
	add(lan, member("with space", "10.50.0.3/24", NULL));  /* a namespace name, not a host name */
	add(lan, member("10", "10.50.0.4/24", NULL));          /* a resolver reads it as 0.0.0.10 */
	add(lan, member("gone", "10.50.0.5/24", NULL));        /* its namespace was deleted */
	json_t *pending = member("half", "10.50.0.6/24", NULL);
	json_object_set_new(pending, "state", json_string("pending"));
	add(lan, pending);
	json_t *nets = json_pack("[o]", lan);
	struct hosts_plan p;
	CHECK(hosts_plan_make(nets, not_gone, &p) == 0);
	/* Those with odd names still get a file, with the others' names; the deleted
	 * and the half-attached get nothing and are in nobody's. */
	CHECK(json_object_get(p.want, "a") && json_object_get(p.want, "with space") && json_object_get(p.want, "10"));
	CHECK(!json_object_get(p.want, "gone") && !json_object_get(p.want, "half"));
	char *a = text(&p, "a", false);
	CHECK(a && !strstr(a, "with space") && !strstr(a, "10.50.0.3") && !strstr(a, "10.50.0.4") && !strstr(a, "gone") &&
	      !strstr(a, "half"));
	free(a);
	char *odd = text(&p, "with space", false);
	CHECK(odd && !strstr(odd, "this namespace") && strstr(odd, "10.50.0.2\ta\n"));
	free(odd);
	hosts_plan_free(&p);
	json_decref(nets);
}

static void test_size(void)
{
	/* AUTO: names up to NSNET_NAMES_AUTO_MAX members, none beyond; the key decides
	 * whatever the size. */
	json_t *big = network("big", "10.0.0.1", NULL), *small = network("small", "10.1.0.1", NULL);
	char ns[32], ip[32];
	for (int i = 0; i < NSNET_NAMES_AUTO_MAX; i++) {
		snprintf(ns, sizeof(ns), "n%d", i);
		snprintf(ip, sizeof(ip), "10.0.%d.%d/8", i / 200, i % 200 + 2);
		add(big, member(ns, ip, NULL));
	}
	add(small, member("s1", "10.1.0.2/16", NULL));
	add(small, member("s2", "10.1.0.3/16", NULL));
	CHECK(net_names_on(big) && net_names_on(small));
	add(big, member("one-more", "10.9.0.9/8", NULL));
	CHECK(!net_names_on(big));
	json_t *nets = json_pack("[O, O]", big, small);
	struct hosts_plan p;
	CHECK(hosts_plan_make(nets, all_alive, &p) == 0);
	CHECK(json_object_size(p.want) == 2 && p.n == 1);
	hosts_plan_free(&p);

	json_object_set_new(big, "names", json_true());
	json_object_set_new(small, "names", json_false());
	CHECK(net_names_on(big) && !net_names_on(small));
	CHECK(hosts_plan_make(nets, all_alive, &p) == 0);
	CHECK(json_object_size(p.want) == NSNET_NAMES_AUTO_MAX + 1 && !json_object_get(p.want, "s1"));
	char *t = text(&p, "n7", false);
	CHECK(t && strstr(t, "\tone-more\n") && strstr(t, "10.0.0.1\tbig-gateway\n"));
	free(t);
	hosts_plan_free(&p);
	json_decref(nets);
	json_decref(big);
	json_decref(small);
}

int main(void)
{
	test_two_networks();
	test_left_out();
	test_size();
	return UNIT_DONE();
}
