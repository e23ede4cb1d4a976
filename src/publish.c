/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsnet publish [HOST_IP:]HOST_PORT NS:PORT [--proto tcp|udp] [--net NET] [--json]
 * nsnet publish ls [--json]
 * nsnet unpublish [HOST_IP:]HOST_PORT [--proto tcp|udp] [--json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "verbs.h"

static int done(int r, struct nsnet_error *e)
{
	if (r == 0)
		return EXIT_OK;
	print_error(e->msg);
	return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
}

static int parse_proto(const char *verb, const char *s, int *ret)
{
	if (!s || strcmp(s, "tcp") == 0)
		*ret = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*ret = IPPROTO_UDP;
	else
		return usage_error("%s: --proto must be tcp or udp, not '%s'", verb, s);
	return 0;
}

/* "[HOST_IP:]PORT"; ip->family stays 0 without an address. */
int parse_host(const char *verb, const char *s, struct nsnet_prefix *ip, uint16_t *port)
{
	struct nsnet_error e = { 0 };
	const char *colon = strrchr(s, ':');
	unsigned long p;
	if (colon) {
		char addr[64];
		if ((size_t)(colon - s) >= sizeof(addr))
			return usage_error("%s: invalid host address in '%s'", verb, s);
		memcpy(addr, s, colon - s);
		addr[colon - s] = 0;
		if (nsnet_addr_parse(addr, ip, &e) < 0)
			return usage_error("%s: %s", verb, e.msg);
		if (ip->family != AF_INET)
			return usage_error("%s: host address %s: published ports are IPv4 only", verb, addr);
	}
	if (parse_uint("host port", colon ? colon + 1 : s, 1, 65535, &p))
		return EXIT_USAGE;
	*port = (uint16_t)p;
	return 0;
}

static int publish_ls(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 1)
		return usage_error("publish ls: takes no arguments");
	struct nsnet_error e = { 0 };
	json_t *arr;
	if (nsnet_publish_list(&arr, &e) < 0)
		return fail(&e);
	if (json) {
		print_json(arr);
	} else {
		printf("%-5s %-22s %-24s %-16s %s\n", "PROTO", "HOST", "TARGET", "NETWORK", "STATE");
		size_t i;
		json_t *p;
		json_array_foreach(arr, i, p) {
			char host[64], target[320];
			const char *hip = json_string_value(json_object_get(p, "host_ip"));
			snprintf(host, sizeof(host), "%s:%lld", hip ? hip : "*",
				 json_integer_value(json_object_get(p, "host_port")));
			snprintf(target, sizeof(target), "%s:%lld (%s)", json_string_value(json_object_get(p, "ns")),
				 json_integer_value(json_object_get(p, "port")), json_string_value(json_object_get(p, "ip")));
			printf("%-5s %-22s %-24s %-16s %s\n", json_string_value(json_object_get(p, "proto")), host, target,
			       json_string_value(json_object_get(p, "net")), json_string_value(json_object_get(p, "state")));
		}
	}
	json_decref(arr);
	return EXIT_OK;
}

/* The published port on (proto, host_port) as publish ls has it, or NULL. */
static json_t *publish_entry(int proto, uint16_t host_port, struct nsnet_error *e)
{
	json_t *arr, *p, *found = NULL;
	if (nsnet_publish_list(&arr, e) < 0)
		return NULL;
	size_t i;
	json_array_foreach(arr, i, p) {
		if (streq_safe(jstr(p, "proto"), proto == IPPROTO_UDP ? "udp" : "tcp") &&
		    json_integer_value(json_object_get(p, "host_port")) == host_port) {
			found = json_incref(p);
			break;
		}
	}
	json_decref(arr);
	if (!found)
		nsnet_errx(e, ENOENT, "no published port %u", host_port);
	return found;
}

int verb_publish(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "ls") == 0)
		return publish_ls(argc - 1, argv + 1);
	bool json = take_flag(&argc, argv, "--json");
	const char *proto = NULL, *net = NULL;
	if (take_opt(&argc, argv, "--proto", &proto) < 0 || take_opt(&argc, argv, "--net", &net) < 0)
		return EXIT_USAGE;
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 3)
		return usage_error("publish: expected [HOST_IP:]HOST_PORT NS:PORT (or 'publish ls')");
	struct nsnet_publish_spec s = { .net = net };
	struct nsnet_prefix hip = { 0 };
	if (parse_proto("publish", proto, &s.proto) || parse_host("publish", argv[1], &hip, &s.host_port))
		return EXIT_USAGE;
	if (hip.family)
		s.host_ip = &hip;
	char ns[256];
	const char *colon = strrchr(argv[2], ':');
	unsigned long port;
	if (!colon || colon == argv[2] || (size_t)(colon - argv[2]) >= sizeof(ns))
		return usage_error("publish: expected NS:PORT, not '%s'", argv[2]);
	memcpy(ns, argv[2], colon - argv[2]);
	ns[colon - argv[2]] = 0;
	if (parse_uint("port", colon + 1, 1, 65535, &port))
		return EXIT_USAGE;
	s.ns = ns;
	s.port = (uint16_t)port;
	struct nsnet_error e = { 0 };
	if ((r = done(nsnet_publish(&s, &e), &e)) || !json)
		return r;
	json_t *p = publish_entry(s.proto, s.host_port, &e);
	return p ? print_result(p) : fail(&e);
}

int verb_unpublish(int argc, char **argv)
{
	bool json = take_flag(&argc, argv, "--json");
	const char *proto = NULL;
	if (take_opt(&argc, argv, "--proto", &proto) < 0)
		return EXIT_USAGE;
	int r = reject_unknown_opts(argc, argv);
	if (r)
		return r;
	if (argc != 2)
		return usage_error("unpublish: expected [HOST_IP:]HOST_PORT");
	int p;
	uint16_t port;
	struct nsnet_prefix hip = { 0 };
	if (parse_proto("unpublish", proto, &p) || parse_host("unpublish", argv[1], &hip, &port))
		return EXIT_USAGE;
	struct nsnet_error e = { 0 };
	/* The entry is read before it goes: without HOST_IP, the answer says which
	 * address it was on. Not found here, unpublish says why. */
	json_t *was = json ? publish_entry(p, port, &e) : NULL;
	if ((r = done(nsnet_unpublish(p, hip.family ? &hip : NULL, port, &e), &e)) || !json) {
		json_decref(was);
		return r;
	}
	char ip[64];
	const char *host_ip = was ? jstr(was, "host_ip") : hip.family ? nsnet_prefix_str(&hip, false, ip, sizeof(ip)) : NULL;
	r = print_result(json_pack("{s:s, s:s?, s:i, s:b}", "proto", p == IPPROTO_UDP ? "udp" : "tcp", "host_ip", host_ip,
				   "host_port", (int)port, "removed", true));
	json_decref(was);
	return r;
}
