/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"
#include "verbs.h"
int verb_show(int argc, char **argv) { return usage_error("show: not yet"); }
