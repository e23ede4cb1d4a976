/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's links by name: listing them, waiting for them to go, deleting many at once. */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/sockios.h>
#include <linux/if_link.h>
#include "link/link.h"
#include "base/base.h"

static int names_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link l;
	if (rtnl_link_decode(nlh, &l) <= 0 || !l.name[0])
		return MNL_CB_OK;
	return name_set_add(data, l.name) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void names_reset(void *data)
{
	((struct name_set *)data)->n = 0;  /* keep the buffer, refill from scratch */
}

static int cmpname(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Is nl's socket in this thread's network namespace? (SIOCGSKNS: the socket's
 * namespace, as a file.) */
static bool sock_in_my_ns(struct nl *nl)
{
	_cleanup_close_ int fd = ioctl(mnl_socket_get_fd(nl->sock), SIOCGSKNS);
	struct stat a, b;
	return fd >= 0 && fstat(fd, &a) == 0 && stat("/proc/thread-self/ns/net", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* The names in /proc/thread-self/net/dev ("  NAME: counters..."): this thread's
 * namespace. -errno when it cannot be read. */
static int names_from_proc(struct name_set *s)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/thread-self/net/dev", "re");
	if (!f)
		return -errno;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *p = line;
		if (!colon || strchr(line, '|'))
			continue;  /* the two header lines */
		*colon = 0;
		while (*p == ' ')
			p++;
		if (*p && name_set_add(s, p) < 0)
			return -ENOMEM;
	}
	return ferror(f) ? -EIO : 0;
}

int link_names_here(struct name_set *ret)
{
	struct name_set s = { 0 };
	int r = names_from_proc(&s);
	if (r < 0) {
		free(s.names);
		return r;
	}
	name_set_sort(&s);
	*ret = s;
	return 0;
}

/*
 * Every link's name. A link dump makes the kernel build a full message per link, and
 * for a veth whose peer is in another namespace that includes looking up the peer
 * namespace's id in a list as long as the host's namespaces: at 10,000 nodes a dump
 * of the host costs 10,000 x 10,000 steps. /proc/net/dev lists the same names for
 * the reading thread's namespace at a fraction of that; the dump remains for a
 * socket in another namespace.
 */
int host_link_names(struct nl *nl, struct name_set *ret, struct nsnet_error *e)
{
	struct name_set s = { 0 };
	int r = -1;
	if (sock_in_my_ns(nl) && (r = names_from_proc(&s)) < 0)
		s.n = 0;
	if (r < 0)
		r = rtnl_dump_links(nl, names_cb, names_reset, &s, e);
	if (r < 0) {
		free(s.names);
		return r;
	}
	if (s.n)
		qsort(s.names, s.n, sizeof(*s.names), cmpname);
	*ret = s;
	return 0;
}

bool name_set_has(const struct name_set *s, const char *name)
{
	return s->n && bsearch(name, s->names, s->n, sizeof(*s->names), cmpname) != NULL;
}

int name_set_add(struct name_set *s, const char *name)
{
	if (!name)
		return -EINVAL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char(*nn)[16] = realloc(s->names, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		s->names = nn;
		s->cap = cap;
	}
	snprintf(s->names[s->n++], 16, "%s", name);
	return 0;
}

void name_set_sort(struct name_set *s)
{
	if (s->n)
		qsort(s->names, s->n, sizeof(*s->names), cmpname);
}

void name_set_free(struct name_set *s)
{
	free(s->names);
	s->names = NULL;
	s->n = s->cap = 0;
}

int wait_links_gone(struct nl *nl, struct name_set *names, int max_ms)
{
	for (int waited = 0;; waited += 10) {
		struct name_set now;
		if (host_link_names(nl, &now, NULL) < 0)
			return (int)names->n;
		size_t k = 0;
		for (size_t i = 0; i < names->n; i++)
			if (name_set_has(&now, names->names[i]))
				memmove(names->names[k++], names->names[i], 16);
		names->n = k;
		name_set_free(&now);
		if (k == 0 || waited >= max_ms)
			return (int)k;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int host_links_delete(struct nl *host, const char *const *ifnames, size_t n, struct nsnet_error *e)
{
	_cleanup_batch_ struct nl_batch b;
	nl_batch_init(&b);
	if (n == 1) {
		msg_link_del(&b, 0, ifnames[0]);
		nl_batch_tolerate(&b, ENODEV);  /* gone with its namespace already */
		return nl_batch_send(host, &b, e);
	}
	/* Many links: gather them in a group of their own and delete the group, so
	 * the kernel unregisters them together with one RCU wait instead of one each.
	 * The group number is ours alone while we hold the state lock. */
	uint32_t group = NSNET_DELETE_GROUP;
	for (size_t i = 0; i < n; i++) {
		msg_link_group(&b, ifnames[i], group);
		nl_batch_tolerate(&b, ENODEV);
	}
	msg_link_del_group(&b, group);
	nl_batch_tolerate(&b, ENODEV);
	return nl_batch_send(host, &b, e);
}

/*
 * A link that goes up with IPv6 on gets a multicast route (ff00::/8 dev IF) in its
 * namespace's IPv6 table, even without any address. The host ends of a network's
 * veths all live in the host: at 10,000 nodes that is 10,000 routes of the same
 * prefix, which the kernel keeps in one list, so each insertion, and each device's
 * removal (which walks the table), costs O(N): O(N^2) for up and down. A bridge port
 * needs no IP at all, so on a network without IPv6 its host ends have IPv6 off. The
 * switch is a sysctl, not a netlink attribute: written through /proc/sys.
 */
bool host_link_ipv6_off(const char *ifname)
{
	char path[96];
	if (!ifname || !*ifname || strchr(ifname, '/') || streq(ifname, ".") || streq(ifname, ".."))
		return false;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd >= 0 && write(fd, "1", 1) == 1;
}
