/* libFuzzer harness for the CIDR parser (lib/base/prefix.c), as wireguard-tools fuzzes
 * its config parser. Besides not crashing, it checks properties that must hold
 * for every accepted input:
 *   - formatting and re-parsing gives the same prefix (the parse is canonical);
 *   - the network of a prefix contains the prefix's address, and nth/index
 *     round-trip over the host range's ends;
 *   - a refusal always comes with EINVAL and a message naming the input.
 * Build and run (not part of `make`, needs clang's libFuzzer):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     tests/fuzz/fuzz_prefix.c lib/base/prefix.c lib/base/error.c -o /tmp/fuzz_prefix
 *   /tmp/fuzz_prefix -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "nsnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 128)
		return 0;
	char s[129];
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	bool need_len = data[0] & 1;

	struct nsnet_prefix p, q;
	struct nsnet_error e = { 0 };
	int r = nsnet_prefix_parse(s, need_len, &p, &e);
	if (r < 0) {
		if (r != -EINVAL || e.code != EINVAL || !e.msg[0])
			abort();
		return 0;
	}
	if ((p.family != AF_INET && p.family != AF_INET6) || p.len > (p.family == AF_INET ? 32 : 128))
		abort();
	char buf[64];
	nsnet_prefix_str(&p, true, buf, sizeof(buf));
	if (nsnet_prefix_parse(buf, true, &q, &e) < 0 || q.family != p.family || q.len != p.len ||
	    memcmp(p.addr, q.addr, sizeof(p.addr)) != 0)
		abort();

	struct nsnet_prefix net, a;
	nsnet_prefix_network(&p, &net);
	if (!nsnet_prefix_contains(&net, &p) || !nsnet_prefix_overlaps(&net, &p))
		abort();
	uint64_t first, last;
	nsnet_prefix_host_range(&net, &first, &last);
	if (first > last)
		abort();
	uint64_t idx[] = { first, last, first + (last - first) / 2 };
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		if (nsnet_prefix_nth(&net, idx[i], &a) < 0 || !nsnet_prefix_contains(&net, &a) ||
		    nsnet_prefix_index(&net, &a) != idx[i])
			abort();
	}
	return 0;
}
