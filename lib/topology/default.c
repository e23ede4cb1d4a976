/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab `nsnet up` brings up without a file: the picture every network
 * namespace tutorial draws (/work/shared/seeds): a bridge v-net-0 on
 * 192.168.15.0/24 where the host is 192.168.15.5, red at .1 and blue at .2,
 * and NAT so both reach beyond the host. Written as a lab file, so it goes
 * through the same parser as any other and doubles as an example.
 */
#include "topology/topology.h"

const char topo_default_yaml[] =
	"# nsnet's default lab: the tutorials' bridge network (see docs/lab-format.md).\n"
	"name: default\n"
	"networks:\n"
	"  v-net-0:\n"
	"    subnet: 192.168.15.0/24\n"
	"    gateway: 192.168.15.5\n"
	"    nat: true\n"
	"nodes:\n"
	"  red:\n"
	"    interfaces:\n"
	"      - network: v-net-0\n"
	"        ip: 192.168.15.1\n"
	"  blue:\n"
	"    interfaces:\n"
	"      - network: v-net-0\n"
	"        ip: 192.168.15.2\n";
