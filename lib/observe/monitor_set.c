/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The namespaces monitor watches, and mon_emit(): the one place an event is made,
 * for text and JSON alike ({time, ns, object, action, fields...}).
 */
#include <time.h>
#include "observe/observe.h"
#include "base/base.h"

size_t mon_count(const struct monitor *m)
{
	return m->n;
}

struct mon_ns *mon_at(const struct monitor *m, size_t i)
{
	return m->v[i];
}

bool mon_has(const struct monitor *m, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i]->dev == dev && m->v[i]->ino == ino)
			return true;
	return false;
}

/* "2025-01-31T12:00:01.123456+01:00": local time, to the microsecond, with its offset. */
static void stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char day[32], zone[8];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	if (strftime(zone, sizeof(zone), "%z", &tm) != 5)
		snprintf(zone, sizeof(zone), "+0000");
	snprintf(buf, len, "%s.%06ld%.3s:%s", day, ts.tv_nsec / 1000, zone, zone + 3);
}

int mon_emit(struct monitor *m, const struct mon_ns *ns, const char *object, const char *action, json_t *fields)
{
	char now[64];
	stamp(now, sizeof(now));
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s}", "time", now, "ns", ns->label, "object", object, "action", action);
	int r = !ev || (fields && json_object_update(ev, fields) < 0) ? -ENOMEM : 0;
	json_decref(fields);
	if (r == 0)
		r = m->o->event(ev, m->o->data);
	json_decref(ev);
	m->failed |= r < 0;
	return r;
}

int mon_add(struct monitor *m, int nsfd, const char *label, bool followed, struct nsnet_error *e)
{
	struct mon_ns *ns;
	struct nsnet_error ignored;
	/* Once running, a namespace that cannot be watched (gone again at once) is not
	 * a reason to stop watching the others. */
	int r = mon_ns_open(nsfd, label, followed, &ns, m->running ? &ignored : e);
	if (r < 0)
		return m->running ? 0 : r;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct mon_ns **v = realloc(m->v, cap * sizeof(*v));
		if (!v) {
			mon_ns_free(ns);
			return nsnet_err(e, ENOMEM, "watch namespace %s", label);
		}
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = ns;
	return m->running ? mon_emit(m, ns, "netns", "add", NULL) : 0;
}

int mon_drop(struct monitor *m, size_t i, const char *error)
{
	struct mon_ns *ns = m->v[i];
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
	int r = mon_emit(m, ns, "netns", "del", error ? json_pack("{s:s}", "error", error) : NULL);
	mon_ns_free(ns);
	return r;
}
