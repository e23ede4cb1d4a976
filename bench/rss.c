/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rss CMD [ARG...]: run CMD and print its peak resident set size in kB on stderr
 * ("peak_rss_kb N"), from wait4()'s rusage: no external `time` needed. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rss CMD [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
		return 1;
	fprintf(stderr, "peak_rss_kb %ld\n", ru.ru_maxrss);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
