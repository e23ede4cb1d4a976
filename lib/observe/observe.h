/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * observe/: looking at namespaces while they run, without changing them: live
 * rtnetlink and nftables events (monitor) and packet capture (capture, libpcap).
 * It sits beside show/ and probe/: it reads the kernel through netns/ and rtnl/,
 * and what nsnet knows through state/.
 */
#ifndef NSNET_OBSERVE_H
#define NSNET_OBSERVE_H
#include "nsnet.h"

#endif
