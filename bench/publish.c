/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Does the 1000th published port cost what the first does? Publishes N ports one
 * by one (each its own nsnet_publish() call: lock, state file, one nft transaction
 * adding one map element), then unpublishes them one by one, and prints the average
 * cost of the first ten and of the last ten of each.
 *
 *   publish [N]      (default 1000; only inside tests/sandbox: bench/publish.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "nsnet.h"

#define NS "pbench"
#define NET "pbench"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const struct nsnet_error *e)
{
	fprintf(stderr, "publish bench: %s: %s\n", what, e->msg);
	exit(1);
}

static double avg(const double *v, int from, int n)
{
	double s = 0;
	for (int i = from; i < from + n; i++)
		s += v[i];
	return s / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	if (n < 20 || n > 50000) {
		fprintf(stderr, "usage: publish [N]   (N: 20..50000)\n");
		return 2;
	}
	if (!getenv("NSNET_SANDBOX")) {
		fprintf(stderr, "publish bench: changes the host's firewall: run it inside tests/sandbox (bench/publish.sh)\n");
		return 2;
	}
	struct nsnet_error e = { 0 };
	const char *ns[] = { NS };
	struct nsnet_net_spec spec = { .name = NET, .n_subnets = 1, .nat = true };
	if (nsnet_ns_add(ns, 1, &e) < 0)
		die("ns add", &e);
	if (nsnet_prefix_parse("10.99.0.0/24", true, &spec.subnet[0], &e) < 0 || nsnet_net_create(&spec, &e) < 0)
		die("net create", &e);
	if (nsnet_net_attach(NET, ns, 1, NULL, &e) < 0)
		die("net attach", &e);

	double *pub = calloc(n, sizeof(double)), *unpub = calloc(n, sizeof(double));
	double t0 = now_ms();
	for (int i = 0; i < n; i++) {
		struct nsnet_publish_spec p = { .proto = IPPROTO_TCP, .host_port = (uint16_t)(10000 + i), .ns = NS,
						.port = 80 };
		double t = now_ms();
		if (nsnet_publish(&p, &e) < 0)
			die("publish", &e);
		pub[i] = now_ms() - t;
	}
	double pub_total = now_ms() - t0;
	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		double t = now_ms();
		if (nsnet_unpublish(IPPROTO_TCP, NULL, (uint16_t)(10000 + n - 1 - i), &e) < 0)
			die("unpublish", &e);
		unpub[i] = now_ms() - t;
	}
	double unpub_total = now_ms() - t0;

	printf("publish   %5d ports: first 10 avg %.3f ms, last 10 avg %.3f ms, total %.0f ms\n", n, avg(pub, 0, 10),
	       avg(pub, n - 10, 10), pub_total);
	printf("unpublish %5d ports: first 10 avg %.3f ms, last 10 avg %.3f ms, total %.0f ms\n", n, avg(unpub, 0, 10),
	       avg(unpub, n - 10, 10), unpub_total);
	/* The trend, less sensitive to a noisy neighbour than ten samples: each tenth. */
	printf("publish, average of each tenth of the run (ms):");
	for (int k = 0; k < 10; k++)
		printf(" %.3f", avg(pub, k * (n / 10), n / 10));
	printf("\n");
	free(pub);
	free(unpub);
	if (nsnet_net_rm(NET, true, &e) < 0)
		die("net rm", &e);
	if (nsnet_ns_del(ns, 1, true, &e) < 0)
		die("ns del", &e);
	return 0;
}
