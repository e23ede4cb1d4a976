/* libFuzzer harness for the JSON state readers: the bytes are the content of
 * /run/nsnet/networks/NET.json (a file anyone with root, a full disk or a killed
 * writer can damage). state_net_parse() is what state_net_load() does with the
 * file's bytes: parse, then check the shape. Every document it accepts then goes
 * through what commands do with a network's state without the kernel: finding
 * subnets and members, building each subnet's address pool (net_ipam) and
 * allocating from it, and net show's description (net_describe). None of it may
 * crash, leak or hand out an address outside the subnet; a refusal names the file.
 * The same bytes also go through the checks of a lab's state, fw.json and a
 * published port's file.
 * Build: `make fuzz` (build-fuzz/fuzz_state); run: scripts/fuzz, or
 *   build-fuzz/fuzz_state -max_total_time=60 tests/fuzz/corpus/fuzz_state
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "net/net.h"

#define PATH "/run/nsnet/networks/fuzz.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	json_t *net;
	struct nsnet_error e = { 0 };
	/* Half the inputs need not be called "fuzz", so that the other checks get a say. */
	const char *name = size && (data[0] & 1) ? "fuzz" : NULL;
	json_t *doc;
	if (state_parse((const char *)data, size, PATH, &doc, &e) == 0) {
		struct nsnet_error e2 = { 0 };
		int (*const checks[])(json_t *, const char *, struct nsnet_error *) = { state_fw_check, state_publish_check };
		for (size_t i = 0; i < 2; i++)
			if (checks[i](doc, PATH, &e2) < 0 && (e2.code != EIO || strchr(e2.msg, '\n')))
				abort();
		if (state_lab_check(doc, name, PATH, &e2) < 0 && (e2.code != EIO || strchr(e2.msg, '\n')))
			abort();
		json_decref(doc);
	}
	int r = state_net_parse((const char *)data, size, name, PATH, &net, &e);
	if (r < 0) {
		if (r != -EIO || e.code != EIO || strncmp(e.msg, PATH, strlen(PATH)) != 0 || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	for (int f = 0; f < 2; f++)
		net_subnet(net, f ? AF_INET6 : AF_INET);
	size_t i;
	json_t *m, *sub;
	json_array_foreach(json_object_get(net, "members"), i, m) {
		if (!net_member(net, json_string_value(json_object_get(m, "ns")), NULL))
			abort();
	}
	json_array_foreach(json_object_get(net, "subnets"), i, sub) {
		struct ipam p;
		if (net_ipam(net, sub, &p, NULL) < 0)
			continue;
		struct nsnet_prefix a;
		for (int k = 0; k < 4 && ipam_alloc(&p, &a) == 0; k++)
			if (!nsnet_prefix_contains(&p.net, &a) || a.len != p.net.len)
				abort();
		(void)ipam_free_count(&p);
		ipam_done(&p);
	}
	json_t *d = net_describe(net);
	if (!d)
		abort();
	char *s = json_dumps(d, 0);
	free(s);
	json_decref(d);
	json_decref(net);
	return 0;
}
