/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Names (docs/names.md): the members of a network reach each other by name through
 * their own hosts file, /etc/netns/NS/hosts, which `ip netns exec` and `nsnet exec`
 * bind over /etc/hosts. The files are derived from the networks' records, as
 * nsnet's firewall table is: once a command has made its last change to members
 * or addresses, net_hosts_sync() recomputes every file and writes those that
 * differ, each atomically (a temporary file in the same directory, renamed over).
 * One call per command rather than one per attach, detach or network: a lab `up`
 * attaches network by network, and a node on two networks would be written twice,
 * a thousand-node network a thousand files a thousand times. Recomputing all of it
 * (not patching what the command touched) also repairs whatever a killed command
 * or a hand edit left.
 *
 * Big networks cost files of their size times their size: names are on by default
 * up to NSNET_NAMES_AUTO_MAX members; a network's "names" key forces them on or off.
 *
 * /etc/netns is root's, but a name in it may be a symlink planted to make root write
 * elsewhere: directories are opened O_NOFOLLOW, the temporary file is created
 * O_EXCL | O_NOFOLLOW beneath that fd, and renameat replaces whatever "hosts" is
 * (a link itself, never its target). A hosts file whose first line is not the
 * marker is somebody else's: it is never written over or removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "net/net.h"
#include "state/state.h"
#include "base/base.h"

#define HOSTS_MARKER "# nsnet: generated, rewritten on every change; do not edit"
/* The directory is removed with the file only when nsnet made it: said in the file,
 * which outlives /run (a reboot) as the directory does. */
#define HOSTS_MADE_DIR "# nsnet: made this directory; removes it with this file when it is empty"
#define HOSTS_LOOPBACK "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
#define HOSTS_TMP "hosts.nsnet-tmp"

bool net_names_on(json_t *net)
{
	json_t *v = json_object_get(net, "names");
	if (json_is_boolean(v))
		return json_is_true(v);
	return json_array_size(json_object_get(net, "members")) <= NSNET_NAMES_AUTO_MAX;
}

/* ---- the plan: what every file holds -------------------------------------------- */

static int put_addr(FILE *f, const char *addr, const char *name)
{
	struct nsnet_prefix p;
	char buf[64];
	/* Re-printed from the parsed address: nothing of the record goes in verbatim. */
	if (nsnet_prefix_parse(addr, false, &p, NULL) < 0)
		return 0;
	return fprintf(f, "%s\t%s\n", nsnet_prefix_str(&p, false, buf, sizeof(buf)), name) < 0 ? -ENOMEM : 0;
}

/* One network's lines: a comment, the gateway's, then each member's (at says where
 * each member's are, so that a member's own file can take them out). */
static int block_make(json_t *net, bool (*alive)(const char *ns), struct hosts_block *b)
{
	const char *name = jstr0(net, "name");
	char gw[96];
	int r = 0;
	snprintf(gw, sizeof(gw), "%s-gateway", name);
	b->at = json_object();
	FILE *f = open_memstream(&b->text, &b->len);
	if (!f || !b->at)
		return -ENOMEM;
	if (fprintf(f, "\n# network %s\n", name) < 0)
		r = -ENOMEM;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(net, "subnets"), i, v) {
		if (r == 0 && hostname_ok(gw))
			r = put_addr(f, jstr0(v, "gateway"), gw);
	}
	json_array_foreach(json_object_get(net, "members"), i, v) {
		const char *ns = jstr0(v, "ns");
		/* A pending member is a dead attach the next reconcile drops; a member
		 * whose namespace is gone (ip netns del) is only waiting for its reconcile. */
		if (r < 0 || !streq_safe(jstr(v, "state"), "up") || nsnet_ns_name_check(ns, NULL) < 0 || !alive(ns))
			continue;
		long start = ftell(f);
		size_t k;
		json_t *ip;
		/* A name that is not a plain host name is left out; its namespace still
		 * gets a file with the others' names. */
		json_array_foreach(json_object_get(v, "ips"), k, ip) {
			if (r == 0 && hostname_ok(ns))
				r = put_addr(f, json_string_value(ip), ns);
		}
		long end = ftell(f);
		if (start < 0 || end < 0)
			r = -EIO;
		if (r == 0)
			json_object_set_new(b->at, ns, json_pack("[I, I]", (json_int_t)start, (json_int_t)end));
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	return r;
}

void hosts_plan_free(struct hosts_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].text);
		json_decref(p->v[i].at);
	}
	free(p->v);
	json_decref(p->want);
	*p = (struct hosts_plan){ 0 };
}

int hosts_plan_make(json_t *nets, bool (*alive)(const char *ns), struct hosts_plan *p)
{
	*p = (struct hosts_plan){ .want = json_object() };
	size_t n = json_array_size(nets), i;
	json_t *net;
	if (!p->want || !(p->v = calloc(n ? n : 1, sizeof(*p->v))))
		goto nomem;
	json_array_foreach(nets, i, net) {
		if (!net_names_on(net))
			continue;
		struct hosts_block *b = &p->v[p->n++];
		b->name = jstr0(net, "name");
		if (block_make(net, alive, b) < 0)
			goto nomem;
		const char *ns;
		json_t *v;
		json_object_foreach(b->at, ns, v) {
			json_t *mine = json_object_get(p->want, ns);
			if (!mine)
				json_object_set_new(p->want, ns, mine = json_array());
			json_array_append_new(mine, json_integer((json_int_t)(p->n - 1)));
		}
	}
	return 0;
nomem:
	hosts_plan_free(p);
	return -ENOMEM;
}

/* The range of ns's own lines in block b. */
static void own_range(const struct hosts_block *b, const char *ns, size_t *start, size_t *end)
{
	json_t *at = json_object_get(b->at, ns);
	*start = (size_t)json_integer_value(json_array_get(at, 0));
	*end = (size_t)json_integer_value(json_array_get(at, 1));
}

char *hosts_plan_text(const struct hosts_plan *p, const char *ns, bool made_dir, size_t *ret_len)
{
	json_t *mine = json_object_get(p->want, ns), *v;
	char *text = NULL;
	size_t len = 0, i, s, e;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs(HOSTS_MARKER "\n", f);
	if (made_dir)
		fputs(HOSTS_MADE_DIR "\n", f);
	fputs(HOSTS_LOOPBACK, f);
	/* Its own addresses first, so that its name is its own on every network. */
	bool own = false;
	json_array_foreach(mine, i, v) {
		const struct hosts_block *b = &p->v[json_integer_value(v)];
		own_range(b, ns, &s, &e);
		if (e > s && !own) {
			fprintf(f, "\n# %s (this namespace)\n", ns);  /* hostname_ok: a plain name */
			own = true;
		}
		fwrite(b->text + s, 1, e - s, f);
	}
	json_array_foreach(mine, i, v) {
		const struct hosts_block *b = &p->v[json_integer_value(v)];
		own_range(b, ns, &s, &e);
		fwrite(b->text, 1, s, f);
		fwrite(b->text + e, 1, b->len - e, f);
	}
	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*ret_len = len;
	return text;
}

/* ---- the files --------------------------------------------------------------------- */

static void warn(json_t *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *warnings, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line, whatever a name held. */
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	if (warnings)
		json_array_append_new(warnings, json_string(buf));
}

/* What the hosts file in dfd is: HOSTS_NONE, HOSTS_OURS (made_dir: its second line
 * says nsnet made the directory) or HOSTS_FOREIGN; *ret_fd keeps it open (ours). */
enum { HOSTS_NONE, HOSTS_OURS, HOSTS_FOREIGN };
static int hosts_kind(int dfd, bool *made_dir, int *ret_fd, off_t *ret_size)
{
	*made_dir = false;
	*ret_fd = -1;
	_cleanup_close_ int fd = openat(dfd, "hosts", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? HOSTS_NONE : HOSTS_FOREIGN;  /* a symlink (ELOOP), unreadable */
	struct stat st;
	char head[sizeof(HOSTS_MARKER) + sizeof(HOSTS_MADE_DIR) + 2];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return HOSTS_FOREIGN;
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);
	if (n < 0)
		return HOSTS_FOREIGN;
	head[n] = 0;
	if (strncmp(head, HOSTS_MARKER "\n", strlen(HOSTS_MARKER) + 1) != 0)
		return HOSTS_FOREIGN;
	*made_dir = strncmp(head + strlen(HOSTS_MARKER) + 1, HOSTS_MADE_DIR "\n", strlen(HOSTS_MADE_DIR) + 1) == 0;
	*ret_size = st.st_size;
	*ret_fd = TAKE_FD(fd);
	return HOSTS_OURS;
}

/* Does the open file hold exactly text? */
static bool same_content(int fd, off_t size, const char *text, size_t len)
{
	if ((size_t)size != len)
		return false;
	char buf[16384];
	size_t off = 0;
	while (off < len) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
		if (n <= 0 || off + (size_t)n > len || memcmp(buf, text + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* text as dfd's hosts: a temporary file beside it, renamed over it. */
static int replace_hosts(int dfd, const char *text, size_t len)
{
	int fd = openat(dfd, HOSTS_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a killed command (we hold the lock: nobody else writes it). */
		unlinkat(dfd, HOSTS_TMP, 0);
		fd = openat(dfd, HOSTS_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return -errno;
	/* Readable by everyone, as /etc/hosts is, whatever the umask: programs inside
	 * may run as any user. */
	int r = fchmod(fd, 0644) < 0 ? -errno : write_all(fd, text, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, HOSTS_TMP, dfd, "hosts") < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, HOSTS_TMP, 0);
	return r;
}

/* Is the directory empty (but for a temporary file of ours)? */
static bool dir_empty(int dfd)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool empty = d != NULL;
	if (!d && fd >= 0)
		close(fd);
	while (d && empty && (de = readdir(d)))
		empty = streq(de->d_name, ".") || streq(de->d_name, "..") || streq(de->d_name, HOSTS_TMP);
	if (d)
		closedir(d);
	return empty;
}

/* Namespace ns's file as the plan says (the directory made if need be). */
static void write_one(int etc, const struct hosts_plan *p, const char *ns, json_t *warnings)
{
	bool made = false;
	_cleanup_close_ int dfd = openat(etc, ns, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		if (mkdirat(etc, ns, 0755) < 0) {
			warn(warnings, "names: create %s/%s: %s", NSNET_ETC_NETNS_DIR, ns, strerror(errno));
			return;
		}
		made = true;
		dfd = openat(etc, ns, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0)
			(void)fchmod(dfd, 0755);
	}
	if (dfd < 0) {
		warn(warnings, "names: %s/%s: %s; its names are not written", NSNET_ETC_NETNS_DIR, ns,
		     errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink?)" : strerror(errno));
		return;
	}
	bool had_made;
	off_t size = 0;
	_cleanup_close_ int old = -1;
	int kind = hosts_kind(dfd, &had_made, &old, &size);
	if (kind == HOSTS_FOREIGN) {
		warn(warnings, "names: %s/%s/hosts is not nsnet's (no marker line): left as it is, without names",
		     NSNET_ETC_NETNS_DIR, ns);
		return;
	}
	/* An empty directory holds nothing of anyone's: taken as ours, so that it goes
	 * with the file (one whose record went with a hosts file deleted by hand). */
	made |= kind == HOSTS_OURS ? had_made : dir_empty(dfd);
	size_t len;
	_cleanup_free_ char *text = hosts_plan_text(p, ns, made, &len);
	if (!text) {
		warn(warnings, "names: %s/%s/hosts: out of memory", NSNET_ETC_NETNS_DIR, ns);
		return;
	}
	if (kind == HOSTS_OURS && same_content(old, size, text, len))
		return;
	int r = replace_hosts(dfd, text, len);
	if (r < 0) {
		warn(warnings, "names: write %s/%s/hosts: %s", NSNET_ETC_NETNS_DIR, ns, strerror(-r));
		if (made && kind == HOSTS_NONE)
			unlinkat(etc, ns, AT_REMOVEDIR);
	}
}

/* Directory name holds no file that should be there: our hosts goes (and the
 * directory, when we made it and nothing else is in it); anyone else's stays. */
static void remove_one(int etc, const char *name)
{
	_cleanup_close_ int dfd = openat(etc, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	bool made;
	off_t size;
	_cleanup_close_ int fd = -1;
	if (hosts_kind(dfd, &made, &fd, &size) != HOSTS_OURS)
		return;
	if (unlinkat(dfd, "hosts", 0) < 0)
		return;
	unlinkat(dfd, HOSTS_TMP, 0);
	if (made)
		unlinkat(etc, name, AT_REMOVEDIR);  /* ENOTEMPTY: somebody put something there */
}

/* /etc/netns, opened without following a symlink; made when a file must go in it. */
static int open_etc(bool create, json_t *warnings)
{
	int fd = open(NSNET_ETC_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(NSNET_ETC_NETNS_DIR, 0755) < 0 && errno != EEXIST) {
			warn(warnings, "names: create %s: %s", NSNET_ETC_NETNS_DIR, strerror(errno));
			return -1;
		}
		fd = open(NSNET_ETC_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 && (errno != ENOENT || create))
		warn(warnings, "names: %s: %s; no names written", NSNET_ETC_NETNS_DIR,
		     errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink?)" : strerror(errno));
	return fd;
}

/* Every entry of /etc/netns that the plan does not want a file in. */
static void sweep(int etc, json_t *want)
{
	int fd = dup(etc);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (nsnet_ns_name_check(de->d_name, NULL) < 0 || json_object_get(want, de->d_name))
			continue;
		remove_one(etc, de->d_name);
	}
	closedir(d);
}

static bool ns_alive(const char *ns)
{
	return nsnet_ns_exists(ns) == 1;
}

/* The files of every namespace the plan names, and no others of ours. */
static void apply(const struct hosts_plan *p, json_t *warnings)
{
	_cleanup_close_ int etc = open_etc(json_object_size(p->want) > 0, warnings);
	if (etc < 0)
		return;
	const char *ns;
	json_t *v;
	json_object_foreach(p->want, ns, v) write_one(etc, p, ns, warnings);
	sweep(etc, p->want);
}

void net_hosts_sync(json_t *warnings)
{
	char **names = NULL;
	size_t n = 0;
	struct nsnet_error e = { 0 };
	json_auto_t *nets = json_array();
	struct hosts_plan p = { 0 };
	if (state_net_names(&names, &n, &e) < 0) {
		warn(warnings, "names: not updated: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *net;
		/* A network that cannot be read may hold any namespace: rather than take
		 * names away from its members, change nothing. */
		if (state_net_load(names[i], &net, &e) < 0) {
			warn(warnings, "names: not updated: %s", e.msg);
			goto out;
		}
		json_array_append_new(nets, net);
	}
	if (hosts_plan_make(nets, ns_alive, &p) < 0)
		warn(warnings, "names: not updated: out of memory");
	else
		apply(&p, warnings);
out:
	hosts_plan_free(&p);
	nsnet_strv_free(names, n);
}

int net_set_names_locked(const char *name, enum nsnet_names names, struct nsnet_error *e)
{
	_cleanup_json_ json_t *net = NULL;
	int r = state_net_load(name, &net, e);
	if (r < 0)
		return r;
	if (names == NSNET_NAMES_AUTO)
		json_object_del(net, "names");
	else
		json_object_set_new(net, "names", json_boolean(names == NSNET_NAMES_ON));
	return state_net_save(net, e);
}

int nsnet_net_set_names(const char *name, enum nsnet_names names, struct nsnet_error *e)
{
	_cleanup_close_ int lock = -1;
	int r = net_name_check(name, e);
	if (r < 0)
		return r;
	if (names != NSNET_NAMES_AUTO && names != NSNET_NAMES_ON && names != NSNET_NAMES_OFF)
		return nsnet_errx(e, EINVAL, "names: expected on, off or auto");
	if ((r = fw_lock(&lock, e)) < 0 || (r = net_set_names_locked(name, names, e)) < 0)
		return r;
	net_hosts_sync(NULL);
	return 0;
}
