/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry points of the CLI verbs, one file each. */
#ifndef NSNET_VERBS_H
#define NSNET_VERBS_H

#define NSNET_VERSION "0.1.0"

#include "cli.h"
extern const struct verb ns_verbs[];
extern const struct verb net_verbs[];
int verb_exec(int argc, char **argv);
int verb_cni(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_ps(int argc, char **argv);
int verb_logs(int argc, char **argv);
int verb_stop(int argc, char **argv);
int cni_main(void);
int verb_show(int argc, char **argv);
int verb_capture(int argc, char **argv);
int verb_monitor(int argc, char **argv);
int verb_connect(int argc, char **argv);
int verb_disconnect(int argc, char **argv);
extern const struct verb route_verbs[];
extern const struct verb link_verbs[];
int verb_router(int argc, char **argv);
int verb_publish(int argc, char **argv);
int verb_unpublish(int argc, char **argv);
extern const struct verb fw_verbs[];
int verb_net_set(int argc, char **argv);
/* net create and net set --json: the network as `net show NET --json` prints it. */
int net_print_info(const char *net);
int verb_doctor(int argc, char **argv);
int verb_up(int argc, char **argv);
int verb_down(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_labs(int argc, char **argv);
int verb_graph(int argc, char **argv);
/* lab.c, for the lab verbs in files of their own: at most one FILE or LAB argument
 * (a FILE that cannot be read is a usage error); a library error, printed, as the
 * exit code (a bad lab file is bad input: EXIT_USAGE). */
int lab_one_arg(int argc, char **argv, const char **ret);
int lab_fail(int r, struct nsnet_error *e);
int verb_pingall(int argc, char **argv);
int verb_gc(int argc, char **argv);

#endif
