/* libFuzzer harness for the packet decoder of nsnet capture
 * (lib/observe/capture_decode.c): the bytes after the first are a captured packet,
 * the first picks its link type (Ethernet, raw IP, Linux cooked v1 and v2, IPv4,
 * IPv6, or any other DLT value as it is). Besides not crashing and not reading past
 * the packet (ASan), every packet must give an object whose "summary" is one line
 * of printable text and whose "interface" and "length" are what was given.
 * Build: `make fuzz` (build-fuzz/fuzz_capture); run: scripts/fuzz, or
 *   build-fuzz/fuzz_capture -max_total_time=60 tests/fuzz/corpus/fuzz_capture
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "observe/observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 70000)
		return 0;
	static const int lts[] = { DLT_EN10MB, DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6 };
	int lt = data[0] < sizeof(lts) / sizeof(lts[0]) ? lts[data[0]] : data[0];
	/* A copy of exactly the packet's bytes, so a read past them is ASan's to see. */
	size_t n = size - 1;
	uint8_t *p = malloc(n ? n : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, n);
	struct timeval tv = { .tv_sec = 1700000000, .tv_usec = 1 };
	json_t *o = capture_decode(lt, &tv, "eth0", p, (uint32_t)n, (uint32_t)n + 7);
	free(p);
	if (!o)
		abort();
	const char *s = json_string_value(json_object_get(o, "summary"));
	if (!s || strcmp(json_string_value(json_object_get(o, "interface")), "eth0") != 0 ||
	    json_integer_value(json_object_get(o, "length")) != (json_int_t)n + 7)
		abort();
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			abort();
	json_decref(o);
	return 0;
}
