/* libFuzzer harness for netlink reply parsing: the bytes are what a recv() on an
 * rtnetlink socket returned. They go through the same paths as a real reply:
 *   - nl_cb_run() (mnl_cb_run() after a check of every message length) into the dump decoders of `nsnet show` (show_link_parse for
 *     RTM_NEWLINK first, as show_links_dump does, then show_addr_parse,
 *     show_route_parse and show_neigh_parse with those links), as nl_dump() runs them;
 *     they read every message through the typed decoders of lib/rtnl/decode.c,
 *     which are also called directly (every field, every next hop), as doctor, gc
 *     and the wiring call them;
 *   - the NLMSG_ERROR walk of nl_batch_send() into nl_parse_ack(), extended ack
 *     included.
 * Nothing read from the kernel may crash, leak or read out of bounds, whatever it says.
 * Build: `make fuzz` (build-fuzz/fuzz_netlink); run: scripts/fuzz, or
 *   build-fuzz/fuzz_netlink -max_total_time=60 tests/fuzz/corpus/fuzz_netlink
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rtnl/rtnl.h"
#include "show/show.h"

struct ctx {
	struct show_links links;
	json_t *addrs, *routes, *neighs;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	return show_link_parse(nlh, &((struct ctx *)data)->links);
}

static int decode_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link l;
	struct rtnl_addr a;
	struct rtnl_route r;
	struct rtnl_neigh n;
	size_t sum = 0;
	if (rtnl_link_decode(nlh, &l) > 0)
		sum += strlen(l.name) + strlen(l.kind) + strlen(l.alias) + l.mac_len;
	if (rtnl_addr_decode(nlh, &a) > 0)
		sum += a.addr.len;
	if (rtnl_route_decode(nlh, &r) > 0) {
		struct rtnl_nexthop hop;
		for (size_t c = 0; rtnl_route_nexthop(&r, &c, &hop);)
			sum += (size_t)hop.gw.family;
	}
	if (rtnl_neigh_decode(nlh, &n) > 0)
		sum += n.lladdr_len;
	*(size_t *)data += sum;
	return MNL_CB_OK;
}

static int rest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;
	int r = show_addr_parse(nlh, &c->links, c->addrs);
	if (r == MNL_CB_OK)
		r = show_route_parse(nlh, &c->links, c->routes);
	if (r == MNL_CB_OK)
		r = show_neigh_parse(nlh, &c->links, c->neighs);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	/* Aligned, as a receive buffer is. */
	void *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	struct ctx c = { .addrs = json_array(), .routes = json_array(), .neighs = json_array() };
	nl_cb_run(buf, size, 0, 0, links_cb, &c);
	show_links_sort(&c.links);
	for (size_t i = 0; i < c.links.n; i++)
		if (!c.links.v[i].obj || show_links_find(&c.links, c.links.v[i].index) == NULL)
			abort();
	nl_cb_run(buf, size, 0, 0, rest_cb, &c);
	json_decref(c.addrs);
	json_decref(c.routes);
	json_decref(c.neighs);
	show_links_clear(&c.links);
	size_t sum = 0;
	nl_cb_run(buf, size, 0, 0, decode_cb, &sum);

	const struct nlmsghdr *nlh = buf;
	int len = (int)size;
	for (; nl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		struct nl_ack ack;
		nl_parse_ack(nlh, &ack);
		if (ack.msg)
			(void)strlen(ack.msg);
	}
	free(buf);
	return 0;
}
