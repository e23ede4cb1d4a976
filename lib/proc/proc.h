/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Processes on the network: `nsnet run` runs a command as PID 1 of fresh network,
 * PID, UTS, IPC and mount namespaces, attached to a network with ports published,
 * and releases all of it when the command ends or its supervisor dies.
 *
 *   run.c     starting (checked, recorded, namespace, network, ports, files, the
 *             child) and waiting (the status, then the release)
 *   child.c   the child's side, from clone() to execvp()
 *   record.c  STATE/run/NAME.json: what runs where, listing, stop, and the release
 *             of runs whose supervisor died (gc)
 */
#ifndef NSNET_PROC_H
#define NSNET_PROC_H
#include <jansson.h>
#include "nsnet.h"
#include "base/base.h"

/* record.c */
void run_record_path(const char *name, const char *ext, char *buf, size_t len);
int run_record_load(const char *name, json_t **ret, struct nsnet_error *e);
int run_record_save(json_t *rec, struct nsnet_error *e);
/* Whether the run's supervisor (pid and start time in rec) is alive. */
bool run_supervisor_alive(json_t *rec);
/* The start time of a process (/proc/PID/stat's 22nd field), 0 if it is gone. */
unsigned long long proc_start_time(pid_t pid);
/* Give back everything a run holds (lock held): its publishes and membership, its
 * namespace (with whatever still runs in it), its /etc/netns files; the record goes
 * too unless keep (a detached run's, kept for ps and logs with its exit status). */
int run_release_locked(json_t *rec, bool keep, struct nsnet_error *e);
/* Release the runs whose supervisor died (lock held); names appended to report. */
int run_gc_locked(json_t *report, struct nsnet_error *e);

/* child.c: what the child needs, prepared before clone() (nothing is allocated
 * after it). */
struct run_child {
	const char *name;       /* the named network namespace to enter */
	const char *hostname;
	char *const *argv;
	int go_fd;              /* reads one byte once the parent recorded it; EOF: parent died */
};
/* Runs in the child of clone(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC):
 * never returns (exec, or _exit(127) with the reason on stderr). */
void run_child_exec(const struct run_child *c) __attribute__((noreturn));

#endif
