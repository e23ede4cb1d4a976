/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The child of `nsnet run`, between clone() and execvp(): already PID 1 of its own
 * PID namespace, with its own mount, UTS and IPC namespaces. It dies with its
 * supervisor (PR_SET_PDEATHSIG, and a pipe that says the supervisor is still there
 * after that was set), enters the network namespace as `ip netns exec` does (its
 * /sys, and the files of /etc/netns/NAME over /etc), mounts its own /proc (so ps sees
 * only its tree), takes its hostname and runs the command with default signals.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include "netns/netns.h"
#include "proc/proc.h"

__attribute__((noreturn)) static void die(const char *what, const char *arg, int err)
{
	dprintf(2, "nsnet: run: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(err));
	_exit(127);
}

void run_child_exec(const struct run_child *c)
{
	char go;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die("set the parent-death signal", NULL, errno);
	/* After PR_SET_PDEATHSIG: if the supervisor died before, the pipe says so. */
	if (read(c->go_fd, &go, 1) != 1)
		_exit(127);
	close(c->go_fd);
	struct nsnet_error e = { 0 };
	if (netns_enter(c->name, &e) < 0) {
		dprintf(2, "nsnet: run: %s\n", e.msg);
		_exit(127);
	}
	/* The PID namespace's own /proc: ps sees PID 1 and its children only. */
	(void)umount2("/proc", MNT_DETACH);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount /proc", NULL, errno);
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		die("set the hostname", c->hostname, errno);
	/* The command starts as from a shell: nothing blocked, nothing ignored. */
	sigset_t none;
	sigemptyset(&none);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(c->argv[0], c->argv);
	die("exec", c->argv[0], errno);
}
