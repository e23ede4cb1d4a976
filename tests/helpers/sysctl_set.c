/* sysctl_set NS KEY VALUE: nsnet_sysctl_set() called directly, as any caller of the
 * library would, past the lab parser's checks: proves the write itself refuses.
 * Exit 0 set, 1 refused (the message on stderr), 2 usage. */
#include <stdio.h>
#include "nsnet.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: sysctl_set NS KEY VALUE\n");
		return 2;
	}
	struct nsnet_error e = { 0 };
	if (nsnet_sysctl_set(argv[1], argv[2], argv[3], &e) < 0) {
		fprintf(stderr, "sysctl_set: %s\n", e.msg);
		return 1;
	}
	return 0;
}
