/* libFuzzer harness for name checks: namespace names (lib/base/names.c, the names that
 * become /run/netns/NAME and /etc/netns/NAME), interface names, and network/lab
 * names (lib/state/store.c, which become /run/nsnet/.../NAME.json). Besides not
 * crashing, every accepted name must be safe as one path component (no '/', not
 * '.' or '..', no control character, not empty), an interface name must fit
 * IFNAMSIZ, and a refusal is EINVAL with a one-line message.
 * Build: `make fuzz` (build-fuzz/fuzz_names); run: scripts/fuzz, or
 *   build-fuzz/fuzz_names -max_total_time=60 tests/fuzz/corpus/fuzz_names
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "state/state.h"

static bool path_safe(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void refused_ok(int r, const struct nsnet_error *e)
{
	if (r != -EINVAL || e->code != EINVAL || !e->msg[0] || strchr(e->msg, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 512)
		return 0;
	char s[513];
	memcpy(s, data, size);
	s[size] = 0;

	struct nsnet_error e = { 0 };
	int r = nsnet_ns_name_check(s, &e);
	if (r == 0 && (!path_safe(s) || strlen(s) > 255))
		abort();
	if (r < 0)
		refused_ok(r, &e);

	memset(&e, 0, sizeof(e));
	r = nsnet_ifname_check(s, &e);
	if (r == 0 && (!path_safe(s) || strlen(s) > 15 || strchr(s, ':') || strchr(s, ' ')))
		abort();
	if (r < 0)
		refused_ok(r, &e);

	memset(&e, 0, sizeof(e));
	r = net_name_check(s, &e);
	if (r == 0 && (!path_safe(s) || strlen(s) > 64 || s[0] == '-' || s[0] == '.'))
		abort();
	if (r < 0)
		refused_ok(r, &e);
	return 0;
}
