/* libFuzzer harness for the lab file parser (lib/topology/ (every .c)), as wireguard-tools
 * fuzzes its config parser. Besides not crashing or leaking, it checks what must
 * hold for every input:
 *   - a refusal is -EINVAL (or -ENOMEM) with a one-line message that starts with
 *     the file name;
 *   - an accepted lab is consistent: every interface names a network of the lab
 *     and has a final interface name, unique in its node; every static address is
 *     inside its network's subnet; every link end is a node of the lab or the host;
 *     and topo_dot renders it.
 * Build and run (not part of `make`, needs clang's libFuzzer):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     $(pkg-config --cflags yaml-0.1 jansson) tests/fuzz/fuzz_topology.c \
 *     lib/topology/ (every .c) lib/base/prefix.c lib/base/error.c lib/base/names.c lib/state/store.c lib/base/file.c \
 *     lib/net/net.c lib/rtnl/msg.c lib/link/veth.c ... (or simply build/libnsnet.a) \
 *     $(pkg-config --libs yaml-0.1 jansson libmnl libnftables) -lpthread -o /tmp/fuzz_topology
 *   mkdir -p /tmp/corpus && cp examples/[a-z]*.yaml /tmp/corpus/
 *   /tmp/fuzz_topology -max_total_time=60 /tmp/corpus
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "topology/topology.h"

static void check_node(const struct topology *t, const struct topo_node *n)
{
	if (!n->name || !topo_find_node(t, n->name))
		abort();
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct topo_iface *f = &n->ifaces[i];
		const struct topo_net *net = topo_find_net(t, f->network);
		if (!net || !f->ifname || f->n_ip > 2)
			abort();
		for (size_t j = 0; j < n->n_ifaces; j++)
			if (j != i && strcmp(n->ifaces[j].ifname, f->ifname) == 0)
				abort();
		for (size_t k = 0; k < f->n_ip; k++) {
			bool inside = false;
			for (size_t s = 0; s < net->n_subnets; s++)
				inside |= nsnet_prefix_contains(&net->subnet[s], &f->ip[k]) &&
					  net->subnet[s].len == f->ip[k].len;
			if (!inside)
				abort();
		}
	}
	for (size_t i = 0; i < n->n_publish; i++)
		if (!n->publish[i].host_port || !n->publish[i].port)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	struct topology *t = NULL;
	struct nsnet_error e = { 0 };
	int r = topo_parse_string((const char *)data, size, "fuzz.yaml", &t, &e);
	if (r < 0) {
		if ((r != -EINVAL && r != -ENOMEM) || e.code != -r || strncmp(e.msg, "fuzz.yaml", 9) != 0 ||
		    strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	if (!t || !t->name || !t->file)
		abort();
	for (size_t i = 0; i < t->n_nets; i++)
		if (t->nets[i].n_subnets < 1 || t->nets[i].n_subnets > 2 ||
		    !nsnet_prefix_contains(&t->nets[i].subnet[0], &t->nets[i].gateway[0]))
			abort();
	for (size_t i = 0; i < t->n_nodes; i++)
		check_node(t, &t->nodes[i]);
	for (size_t i = 0; i < t->n_links; i++)
		for (int j = 0; j < 2; j++)
			if (!t->links[i].ifname[j] ||
			    (strcmp(t->links[i].node[j], "host") != 0 && !topo_find_node(t, t->links[i].node[j])))
				abort();
	char *dot = topo_dot(t);
	if (!dot)
		abort();
	free(dot);
	topo_free(t);
	return 0;
}
