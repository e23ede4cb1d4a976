/* Netlink messages built in memory, as the kernel would send them, for the decoder
 * tests: one buffer, overwritten by each msg(). */
#ifndef NSNET_TEST_NLMSG_H
#define NSNET_TEST_NLMSG_H
#include <string.h>
#include <libmnl/libmnl.h>

static char buf[8192];

/* A message of TYPE with the family header hdr (len bytes); attributes go after. */
static inline struct nlmsghdr *msg(uint16_t type, const void *hdr, size_t len)
{
	memset(buf, 0, sizeof(buf));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), hdr, len);
	return nlh;
}
#endif
