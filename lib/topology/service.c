/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A node's files and services in a lab file:
 *
 *   files:                       # placed under /etc/netns/NODE/, seen as /etc/... by
 *     bird/bird.conf: |          # nsnet exec, ip netns exec and the node's services
 *       router id 10.0.0.1;
 *   services:
 *     bird:
 *       command: [bird, -f, -c, /etc/bird/bird.conf]   # or one string, run by /bin/sh -c
 *       env: { TZ: UTC }
 *       workdir: /
 *       restart: on-failure      # no (default), on-failure, always
 *
 * Both become JSON in the node's model, as the lab's elements keep them.
 */
#include <ctype.h>
#include <jansson.h>
#include "topology/topology.h"
#include "base/base.h"

#define MAX_FILES 64
#define MAX_FILE_SIZE (1 << 20)
#define MAX_SERVICES 32

/* "bird/bird.conf" or "/etc/bird/bird.conf": a path below /etc, without '.' or '..'
 * components, that stays below it. The stored form has no "/etc/" prefix. */
static int file_path_ok(const char *p, const char **ret)
{
	if (strncmp(p, "/etc/", 5) == 0)
		p += 5;
	if (!*p || *p == '/' || strlen(p) > 1024)
		return -1;
	const char *s = p;
	while (*s) {
		size_t n = strcspn(s, "/");
		if (n == 0 || n > 255 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return -1;
		s += n;
		if (*s == '/')
			s++;
		if (!*s && s[-1] == '/')
			return -1;
	}
	for (s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return -1;
	*ret = p;
	return 0;
}

int tp_parse_files(struct tp *c, struct topo_node *node, const yaml_node_t *map)
{
	struct tp_kv kv = tp_get(c, map, "files");
	char what[300];
	snprintf(what, sizeof(what), "the files of node '%s'", node->name);
	int r = tp_map(c, kv.v, what, NULL);
	if (r < 0 || !kv.v)
		return r;
	size_t n = tp_map_len(kv.v);
	if (n > MAX_FILES)
		return tp_err(c, tp_kv_pos(&kv), "node '%s': more than %d files", node->name, MAX_FILES);
	if (!(node->files = json_object()))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct tp_kv e = tp_map_at(c, kv.v, i);
		const char *path = (const char *)e.k->data.scalar.value, *rel, *content;
		if (file_path_ok(path, &rel) < 0)
			return tp_err(c, tp_pos(e.k),
				      "node '%s': file '%s': a path below /etc (like bird/bird.conf), without '.' or '..'",
				      node->name, path);
		if ((r = tp_str(c, &e, "a file's content", &content)) < 0)
			return r;
		if (strlen(content) > MAX_FILE_SIZE)
			return tp_err(c, tp_pos(e.k), "node '%s': file '%s' is over 1 MiB", node->name, path);
		if (json_object_get(node->files, rel))
			return tp_err(c, tp_pos(e.k), "node '%s': file '%s' given twice", node->name, rel);
		json_object_set_new(node->files, rel, json_string(content));
	}
	return 0;
}

static bool env_name_ok(const char *s)
{
	if (!*s || (!isalpha((unsigned char)*s) && *s != '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool service_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static int parse_command(struct tp *c, const char *node, const char *name, struct tp_kv *kv, json_t *svc)
{
	json_t *argv = json_array();
	json_object_set_new(svc, "command", argv);
	const char *s;
	int r;
	if (kv->v && kv->v->type == YAML_SCALAR_NODE) {
		if ((r = tp_str(c, kv, "a command", &s)) < 0)
			return r;
		if (!*s)
			return tp_err(c, tp_kv_pos(kv), "node '%s': service '%s': an empty command", node, name);
		json_array_append_new(argv, json_string("/bin/sh"));
		json_array_append_new(argv, json_string("-c"));
		json_array_append_new(argv, json_string(s));
		return 0;
	}
	if ((r = tp_seq(c, kv, "a command")) < 0)
		return r;
	size_t n = kv->v ? tp_seq_len(kv->v) : 0;
	if (n == 0)
		return tp_err(c, tp_kv_pos(kv), "node '%s': service '%s' needs a command", node, name);
	for (size_t i = 0; i < n; i++) {
		if ((r = tp_scalar_str(c, tp_seq_at(c, kv->v, i), "a command's argument", &s)) < 0)
			return r;
		if (i == 0 && !*s)
			return tp_err(c, tp_kv_pos(kv), "node '%s': service '%s': an empty command", node, name);
		json_array_append_new(argv, json_string(s));
	}
	return 0;
}

static int parse_service(struct tp *c, const char *node, const struct tp_kv *e, json_t *svc)
{
	static const char *const keys[] = { "command", "env", "workdir", "restart", NULL };
	const char *name = (const char *)e->k->data.scalar.value;
	char what[300];
	snprintf(what, sizeof(what), "service '%s' of node '%s'", name, node);
	int r = tp_map(c, e->v, what, keys);
	if (r < 0)
		return r;
	struct tp_kv kv = tp_get(c, e->v, "command");
	if (!kv.v)
		return tp_err(c, tp_pos(e->k), "node '%s': service '%s' needs a command", node, name);
	if ((r = parse_command(c, node, name, &kv, svc)) < 0)
		return r;
	kv = tp_get(c, e->v, "env");
	snprintf(what, sizeof(what), "the env of service '%s' of node '%s'", name, node);
	if ((r = tp_map(c, kv.v, what, NULL)) < 0)
		return r;
	json_t *env = json_object();
	json_object_set_new(svc, "env", env);
	for (size_t i = 0; kv.v && i < tp_map_len(kv.v); i++) {
		struct tp_kv v = tp_map_at(c, kv.v, i);
		const char *k = (const char *)v.k->data.scalar.value, *val;
		if (!env_name_ok(k))
			return tp_err(c, tp_pos(v.k), "node '%s': service '%s': '%s' is not an environment variable name",
				      node, name, k);
		if ((r = tp_str(c, &v, "an environment value", &val)) < 0)
			return r;
		json_object_set_new(env, k, json_string(val));
	}
	const char *s = "/";
	kv = tp_get(c, e->v, "workdir");
	if (kv.v && (r = tp_str(c, &kv, "workdir", &s)) < 0)
		return r;
	if (s[0] != '/')
		return tp_err(c, tp_kv_pos(&kv), "node '%s': service '%s': workdir '%s' is not an absolute path", node,
			      name, s);
	json_object_set_new(svc, "workdir", json_string(s));
	s = "no";
	kv = tp_get(c, e->v, "restart");
	if (kv.v && (r = tp_str(c, &kv, "restart", &s)) < 0)
		return r;
	if (!streq(s, "no") && !streq(s, "on-failure") && !streq(s, "always"))
		return tp_err(c, tp_kv_pos(&kv), "node '%s': service '%s': restart is no, on-failure or always, not '%s'",
			      node, name, s);
	json_object_set_new(svc, "restart", json_string(s));
	return 0;
}

int tp_parse_services(struct tp *c, struct topo_node *node, const yaml_node_t *map)
{
	struct tp_kv kv = tp_get(c, map, "services");
	char what[300];
	snprintf(what, sizeof(what), "the services of node '%s'", node->name);
	int r = tp_map(c, kv.v, what, NULL);
	if (r < 0 || !kv.v)
		return r;
	size_t n = tp_map_len(kv.v);
	if (n > MAX_SERVICES)
		return tp_err(c, tp_kv_pos(&kv), "node '%s': more than %d services", node->name, MAX_SERVICES);
	if (!(node->services = json_object()))
		return tp_nomem(c);
	for (size_t i = 0; i < n; i++) {
		struct tp_kv e = tp_map_at(c, kv.v, i);
		const char *name = (const char *)e.k->data.scalar.value;
		if (!service_name_ok(name))
			return tp_err(c, tp_pos(e.k), "node '%s': service name '%s': letters, digits, '_', '.', '-' (1..64)",
				      node->name, name);
		json_t *svc = json_object();
		json_object_set_new(node->services, name, svc);
		if ((r = parse_service(c, node->name, &e, svc)) < 0)
			return r;
	}
	return 0;
}
