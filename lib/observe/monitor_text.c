/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A monitor event as one line of text, rendered from the very event object that
 * --json prints, so the two cannot say different things. The wording follows
 * `ip monitor` ("10.0.0.0/24 via 10.0.0.254 dev eth0 proto static"), with the
 * object and action in front: "12:00:01.123456 [red] route add default via ...".
 */
#include "observe/observe.h"
#include "base/base.h"

/* " key value" when value is a string (null and absent print nothing). */
static void opt(FILE *f, const char *key, const json_t *v)
{
	if (json_is_string(v))
		fprintf(f, " %s %s", key, json_string_value(v));
}

/* A device by name, or "ifN" when its name was not known. */
static void dev(FILE *f, const json_t *o)
{
	const char *d = jstr(o, "dev");
	if (d)
		fprintf(f, " dev %s", d);
	else if (json_integer_value(json_object_get(o, "ifindex")) > 0)
		fprintf(f, " dev if%lld", (long long)json_integer_value(json_object_get(o, "ifindex")));
}

static void words(FILE *f, const json_t *a, const char *open, const char *sep, const char *close, const char *skip)
{
	size_t i;
	json_t *v;
	if (json_array_size(a) == 0)
		return;
	fputs(open, f);
	bool first = true;
	json_array_foreach(a, i, v) {
		if (skip && streq_safe(json_string_value(v), skip))
			continue;
		fprintf(f, "%s%s", first ? "" : sep, json_string_value(v));
		first = false;
	}
	fputs(close, f);
}

static void link_text(FILE *f, const json_t *ev)
{
	fprintf(f, " %s index %lld type %s", jstr0(ev, "name"), (long long)json_integer_value(json_object_get(ev, "index")),
		jstr0(ev, "kind"));
	words(f, json_object_get(ev, "flags"), " <", ",", ">", NULL);
	fprintf(f, " mtu %lld", (long long)json_integer_value(json_object_get(ev, "mtu")));
	opt(f, "master", json_object_get(ev, "master"));
	opt(f, "state", json_object_get(ev, "operstate"));
	opt(f, "lladdr", json_object_get(ev, "mac"));
}

static void addr_text(FILE *f, const json_t *ev)
{
	fprintf(f, " %s/%lld", jstr0(ev, "address"), (long long)json_integer_value(json_object_get(ev, "prefixlen")));
	dev(f, ev);
	if (!streq_safe(jstr(ev, "scope"), "global"))
		opt(f, "scope", json_object_get(ev, "scope"));
	/* Every address nsnet or ip adds is "permanent": saying so says nothing. */
	json_t *flags = json_object_get(ev, "flags");
	if (json_array_size(flags) > 1 || (json_array_size(flags) == 1 && !streq_safe(json_string_value(json_array_get(flags, 0)), "permanent")))
		words(f, flags, " ", " ", "", "permanent");
}

static void route_text(FILE *f, const json_t *ev)
{
	const char *type = jstr(ev, "type");
	if (type && !streq(type, "unicast"))
		fprintf(f, " %s", type);
	fprintf(f, " %s", jstr0(ev, "dst"));
	opt(f, "via", json_object_get(ev, "gateway"));
	dev(f, ev);
	if (!streq_safe(jstr(ev, "table"), "main"))
		opt(f, "table", json_object_get(ev, "table"));
	if (!streq_safe(jstr(ev, "protocol"), "boot"))
		opt(f, "proto", json_object_get(ev, "protocol"));
	if (!streq_safe(jstr(ev, "scope"), "global"))
		opt(f, "scope", json_object_get(ev, "scope"));
	opt(f, "src", json_object_get(ev, "prefsrc"));
	json_int_t metric = json_integer_value(json_object_get(ev, "metric"));
	if (metric)
		fprintf(f, " metric %lld", (long long)metric);
	size_t i;
	json_t *hop;
	json_array_foreach(json_object_get(ev, "nexthops"), i, hop) {
		fputs(" nexthop", f);
		opt(f, "via", json_object_get(hop, "gateway"));
		dev(f, hop);
	}
}

static void neigh_text(FILE *f, const json_t *ev)
{
	fprintf(f, " %s", jstr0(ev, "address"));
	dev(f, ev);
	opt(f, "lladdr", json_object_get(ev, "lladdr"));
	if (json_is_true(json_object_get(ev, "router")))
		fputs(" router", f);
	fprintf(f, " %s", jstr0(ev, "state"));
}

static void nft_text(FILE *f, const json_t *ev)
{
	fprintf(f, " %s %s %s", jstr0(ev, "kind"), jstr0(ev, "family"), jstr0(ev, "table"));
	const char *name = jstr(ev, "chain") ? jstr(ev, "chain") : jstr(ev, "set") ? jstr(ev, "set") : jstr(ev, "name");
	if (name)
		fprintf(f, " %s", name);
	if (json_is_integer(json_object_get(ev, "handle")))
		fprintf(f, " handle %lld", (long long)json_integer_value(json_object_get(ev, "handle")));
	json_int_t n = json_integer_value(json_object_get(ev, "elements"));
	if (n > 1)
		fprintf(f, " (%lld elements)", (long long)n);
}

static void netns_text(FILE *f, const json_t *ev)
{
	fprintf(f, " %s", jstr0(ev, "ns"));
	if (json_is_true(json_object_get(ev, "lost")))
		fputs(": events were lost (receive queue full), read again", f);
	if (jstr(ev, "error"))
		fprintf(f, ": %s", jstr(ev, "error"));
}

int nsnet_monitor_text(const json_t *ev, char **ret, struct nsnet_error *e)
{
	static const struct {
		const char *object;
		void (*text)(FILE *, const json_t *);
	} objects[] = {
		{ "link", link_text }, { "addr", addr_text },	{ "route", route_text },
		{ "neigh", neigh_text }, { "nft", nft_text }, { "netns", netns_text },
	};
	const char *object = jstr(ev, "object"), *time = jstr0(ev, "time");
	if (!json_is_object(ev) || !object)
		return nsnet_errx(e, EINVAL, "not a monitor event");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return nsnet_err(e, errno, "format an event");
	/* "2025-01-31T12:00:01.123456+01:00": the time of day is what a reader follows. */
	fprintf(f, "%.15s [%s] %s %s", strlen(time) >= 26 ? time + 11 : time, jstr0(ev, "ns"), object, jstr0(ev, "action"));
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		if (streq(objects[i].object, object))
			objects[i].text(f, ev);
	if (fclose(f) != 0) {
		free(buf);
		return nsnet_err(e, ENOMEM, "format an event");
	}
	*ret = buf;
	return 0;
}
