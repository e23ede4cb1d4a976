/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of the kernel's enums, spelled as iproute2 spells them so a reader can put
 * our output (`nsnet show`, `nsnet monitor`) next to `ip` without a dictionary. */
#include <net/if_arp.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "rtnl/rtnl.h"
#include "base/base.h"

const char *rtnl_operstate_name(unsigned v)
{
	static const char *const names[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					     "TESTING", "DORMANT", "UP" };
	return v < ARRAY_SIZE(names) ? names[v] : "UNKNOWN";
}

static const char *number(unsigned v, char *buf, size_t len)
{
	snprintf(buf, len, "%u", v);
	return buf;
}

const char *rtnl_scope_name(unsigned v, char *buf, size_t len)
{
	switch (v) {
	case RT_SCOPE_UNIVERSE: return "global";
	case RT_SCOPE_SITE:     return "site";
	case RT_SCOPE_LINK:     return "link";
	case RT_SCOPE_HOST:     return "host";
	case RT_SCOPE_NOWHERE:  return "nowhere";
	}
	return number(v, buf, len);
}

const char *rtnl_proto_name(unsigned v, char *buf, size_t len)
{
	static const struct { unsigned v; const char *name; } names[] = {
		{ RTPROT_UNSPEC, "unspec" }, { RTPROT_REDIRECT, "redirect" }, { RTPROT_KERNEL, "kernel" },
		{ RTPROT_BOOT, "boot" }, { RTPROT_STATIC, "static" }, { RTPROT_GATED, "gated" },
		{ RTPROT_RA, "ra" }, { RTPROT_MRT, "mrt" }, { RTPROT_ZEBRA, "zebra" }, { RTPROT_BIRD, "bird" },
		{ RTPROT_DNROUTED, "dnrouted" }, { RTPROT_XORP, "xorp" }, { RTPROT_NTK, "ntk" },
		{ RTPROT_DHCP, "dhcp" }, { RTPROT_MROUTED, "mrouted" }, { RTPROT_KEEPALIVED, "keepalived" },
		{ RTPROT_BABEL, "babel" }, { RTPROT_OPENR, "openr" }, { RTPROT_BGP, "bgp" },
		{ RTPROT_ISIS, "isis" }, { RTPROT_OSPF, "ospf" }, { RTPROT_RIP, "rip" },
		{ RTPROT_EIGRP, "eigrp" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].v == v)
			return names[i].name;
	return number(v, buf, len);
}

const char *rtnl_rtype_name(unsigned v, char *buf, size_t len)
{
	static const char *const names[] = {
		[RTN_UNSPEC] = "none", [RTN_UNICAST] = "unicast", [RTN_LOCAL] = "local",
		[RTN_BROADCAST] = "broadcast", [RTN_ANYCAST] = "anycast", [RTN_MULTICAST] = "multicast",
		[RTN_BLACKHOLE] = "blackhole", [RTN_UNREACHABLE] = "unreachable", [RTN_PROHIBIT] = "prohibit",
		[RTN_THROW] = "throw", [RTN_NAT] = "nat", [RTN_XRESOLVE] = "xresolve",
	};
	return v < ARRAY_SIZE(names) && names[v] ? names[v] : number(v, buf, len);
}

const char *rtnl_neigh_state(unsigned state, char *buf, size_t len)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" }, { NUD_STALE, "STALE" },
		{ NUD_DELAY, "DELAY" }, { NUD_PROBE, "PROBE" }, { NUD_FAILED, "FAILED" },
		{ NUD_NOARP, "NOARP" }, { NUD_PERMANENT, "PERMANENT" },
	};
	if (!len)
		return buf;
	buf[0] = 0;
	if (state == NUD_NONE)
		return snprintf(buf, len, "NONE"), buf;
	size_t off = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(state & names[i].bit))
			continue;
		state &= ~names[i].bit;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s", off ? "," : "", names[i].name);
	}
	if (state)
		off += snprintf(buf + off, off < len ? len - off : 0, "%s0x%x", off ? "," : "", state);
	return buf;
}

const char *rtnl_kind_from_type(unsigned short type)
{
	switch (type) {
	case ARPHRD_LOOPBACK: return "loopback";
	case ARPHRD_NONE:     return "tun";   /* a layer-3 tun device, made before kinds were reported */
	}
	return "device";
}

const char *rtnl_lladdr_str(const uint8_t *a, size_t alen, char *buf, size_t len)
{
	if (!alen || len < alen * 3)
		return NULL;
	size_t off = 0;
	for (size_t i = 0; i < alen; i++)
		off += snprintf(buf + off, len - off, "%s%02x", i ? ":" : "", a[i]);
	return buf;
}

json_t *rtnl_addr_flags(uint32_t flags, int family)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ IFA_F_NODAD, "nodad" }, { IFA_F_OPTIMISTIC, "optimistic" }, { IFA_F_DADFAILED, "dadfailed" },
		{ IFA_F_HOMEADDRESS, "home" }, { IFA_F_DEPRECATED, "deprecated" }, { IFA_F_TENTATIVE, "tentative" },
		{ IFA_F_PERMANENT, "permanent" }, { IFA_F_MANAGETEMPADDR, "mngtmpaddr" },
		{ IFA_F_NOPREFIXROUTE, "noprefixroute" }, { IFA_F_MCAUTOJOIN, "autojoin" },
		{ IFA_F_STABLE_PRIVACY, "stable-privacy" },
	};
	json_t *a = json_array();
	if (!a)
		return NULL;
	/* The same bit means "secondary" for IPv4 and "temporary" for IPv6. */
	if (flags & IFA_F_SECONDARY && json_array_append_new(a, json_string(family == AF_INET6 ? "temporary"
											       : "secondary")))
		goto oom;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].bit && json_array_append_new(a, json_string(names[i].name)))
			goto oom;
	return a;
oom:
	json_decref(a);
	return NULL;
}
