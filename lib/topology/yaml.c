/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading typed values out of a libyaml document for the topology parser. libyaml
 * does the YAML (yaml_parser_load builds a node graph where every node keeps its
 * start mark); this file adds what a configuration format needs on top: keys
 * checked against a list (with "did you mean"), duplicate keys refused (libyaml
 * keeps both), strict booleans and integers, and messages that point at the node.
 */
#include <ctype.h>
#include <stdarg.h>
#include "topology/topology.h"
#include "base/base.h"

/* Bounds on what a lab file may expand to through aliases: a file of a few lines
 * can otherwise describe a graph with billions of nodes ("billion laughs"), and a
 * recursive alias ("&a [*a]") a cyclic one. */
#define TP_MAX_NODES 1000000
#define TP_MAX_DEPTH 64

struct topo_pos tp_pos(const yaml_node_t *n)
{
	if (!n)
		return (struct topo_pos){ 0 };
	return (struct topo_pos){ .line = (int)n->start_mark.line + 1, .col = (int)n->start_mark.column + 1 };
}

struct topo_pos tp_kv_pos(const struct tp_kv *kv)
{
	return tp_pos(kv->k ? kv->k : kv->v);
}

/* A token an error may quote from the file: short, and only characters names,
 * addresses and numbers are made of. */
static bool token_safe(const char *s, size_t len)
{
	if (len == 0 || len > TP_SAFE_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.:/@%+=,-", s[i]))
			return false;
	return true;
}

#define NOT_SHOWN "(not shown)"

/* nsnet runs as root, and a lab path may be a symlink to any file (/etc/shadow):
 * an error must not become a way to read it. Every string of the file that is not
 * a safe token is cut out of the message where it appears quoted (or wherever a
 * long stretch of it appears, e.g. truncated by "%.40s"); the position and the
 * kind of error stay. */
static void redact(struct tp *c, char *msg, size_t cap)
{
	if (!c->loaded)
		return;
	for (yaml_node_t *n = c->doc.nodes.start; n < c->doc.nodes.top; n++) {
		const char *v = n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
		size_t len = v ? n->data.scalar.length : 0;
		if (!v || len == 0 || token_safe(v, len))
			continue;
		size_t probe = len < 16 ? len : 16;
		char *p = msg;
		while (*p && (p = memmem(p, strlen(p), v, probe))) {
			size_t m = probe;
			while (m < len && p[m] && p[m] == v[m])
				m++;
			bool quoted = p > msg && p[-1] == '\'';
			if (!((quoted && m == len) || m >= 16)) {
				p++;
				continue;
			}
			size_t rest = strlen(p + m), room = cap - (size_t)(p - msg) - 1;
			size_t ph = strlen(NOT_SHOWN) < room ? strlen(NOT_SHOWN) : room;
			if (rest > room - ph)
				rest = room - ph;
			memmove(p + ph, p + m, rest);
			memcpy(p, NOT_SHOWN, ph);
			p[ph + rest] = 0;
			p += ph;
		}
	}
}

static int tp_verr(struct tp *c, struct topo_pos pos, const char *fmt, va_list ap)
{
	char msg[NSNET_ERR_MAX];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	redact(c, msg, sizeof(msg));
	/* Messages quote the file's strings, which may hold newlines ("a\nb" in double
	 * quotes): an error stays one line. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (pos.line > 0)
		return nsnet_errx(c->e, EINVAL, "%s:%d:%d: %s", c->file, pos.line, pos.col, msg);
	return nsnet_errx(c->e, EINVAL, "%s: %s", c->file, msg);
}

int tp_err(struct tp *c, struct topo_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tp_verr(c, pos, fmt, ap);
	va_end(ap);
	return r;
}

int tp_err_from(struct tp *c, struct topo_pos pos, const struct nsnet_error *inner)
{
	return tp_err(c, pos, "%s", inner->msg);
}

int tp_nomem(struct tp *c)
{
	return nsnet_err(c->e, ENOMEM, "%s", c->file);
}

char *tp_xstrdup(struct tp *c, const char *s)
{
	char *d = strdup(s);
	if (!d)
		tp_nomem(c);
	return d;
}

yaml_node_t *tp_node(struct tp *c, int id)
{
	return yaml_document_get_node(&c->doc, id);
}

bool tp_is_null(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return false;
	if (n->tag && streq((const char *)n->tag, YAML_NULL_TAG))
		return true;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || streq(v, "~") || streq(v, "null") || streq(v, "Null") || streq(v, "NULL");
}

const char *tp_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return tp_is_null(n) ? "null" : "a scalar";
	default:
		return "nothing";
	}
}

/* ---- loading ----------------------------------------------------------------- */

static int syntax_error(struct tp *c, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return tp_nomem(c);
	if (p->error == YAML_READER_ERROR)
		return tp_err(c, (struct topo_pos){ 0 }, "invalid input at byte %zu: %s", p->problem_offset,
			      p->problem ? p->problem : "unreadable");
	struct topo_pos pos = { (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1 };
	if (p->context)
		return tp_err(c, pos, "YAML syntax error: %s %s (line %d)", p->problem ? p->problem : "",
			      p->context, (int)p->context_mark.line + 1);
	return tp_err(c, pos, "YAML syntax error: %s", p->problem ? p->problem : "invalid");
}

/* Expanded size of the subtree at id, memoized; state: 0 new, 1 on the path, 2 done. */
static int shape(struct tp *c, int id, int depth, uint8_t *state, uint32_t *size)
{
	yaml_node_t *n = tp_node(c, id);
	if (!n)
		return tp_err(c, (struct topo_pos){ 0 }, "malformed YAML document");
	size_t i = (size_t)(n - c->doc.nodes.start);
	if (state[i] == 2)
		return 0;
	if (state[i] == 1)
		return tp_err(c, tp_pos(n), "recursive alias: this node contains itself");
	if (depth > TP_MAX_DEPTH)
		return tp_err(c, tp_pos(n), "nested more than %d levels deep", TP_MAX_DEPTH);
	state[i] = 1;
	uint64_t total = 1;
	int r = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; r == 0 && it < n->data.sequence.items.top; it++)
			if ((r = shape(c, *it, depth + 1, state, size)) == 0)
				total += size[*it - 1];
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; r == 0 && p < n->data.mapping.pairs.top; p++)
			if ((r = shape(c, p->key, depth + 1, state, size)) == 0 &&
			    (r = shape(c, p->value, depth + 1, state, size)) == 0)
				total += (uint64_t)size[p->key - 1] + size[p->value - 1];
	}
	if (r < 0)
		return r;
	if (total > TP_MAX_NODES)
		return tp_err(c, tp_pos(n), "the document is too large once its aliases are expanded (more than %d nodes)",
			      TP_MAX_NODES);
	size[i] = (uint32_t)total;
	state[i] = 2;
	return 0;
}

static int check_shape(struct tp *c)
{
	size_t n = (size_t)(c->doc.nodes.top - c->doc.nodes.start);
	_cleanup_free_ uint8_t *state = calloc(n, 1);
	_cleanup_free_ uint32_t *size = calloc(n, sizeof(*size));
	if (!state || !size)
		return tp_nomem(c);
	return shape(c, 1, 0, state, size);
}

/* libyaml stops at a NUL byte as at the end of the text, and everything we keep as
 * a C string would too: half a lab would pass for the whole. */
int tp_nul_check(struct tp *c, const char *text, size_t len)
{
	const char *z = len ? memchr(text, 0, len) : NULL;
	if (!z)
		return 0;
	struct topo_pos pos = { 1, 1 };
	for (const char *p = text; p < z; p++) {
		if (*p == '\n') {
			pos.line++;
			pos.col = 1;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			pos.col++;   /* columns count characters, as libyaml's do */
		}
	}
	return tp_err(c, pos, "a NUL byte: a lab file is text");
}

/* yaml_parser_load builds the whole document before shape() can look at it, and
 * libyaml's scanner takes time in the square of the flow nesting: 100,000 '['
 * took minutes. Walking the events first stops at the limit after reading only
 * that far. Syntax errors are left to the load, which reports them. */
static int check_depth(struct tp *c, const char *text, size_t len)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return tp_nomem(c);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int r = 0, open = 0;
	for (bool end = false; !end && r == 0;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev))
			break;
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			/* The depth of a node as shape() counts it: the root is 0. */
			if (open > TP_MAX_DEPTH)
				r = tp_err(c, (struct topo_pos){ (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1 },
					   "nested more than %d levels deep", TP_MAX_DEPTH);
			open += ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			open--;
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return r;
}

int tp_load(struct tp *c, const char *text, size_t len)
{
	int r0 = check_depth(c, text, len);
	if (r0 < 0)
		return r0;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return tp_nomem(c);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int r = 0;
	if (!yaml_parser_load(&p, &c->doc)) {
		r = syntax_error(c, &p);
		yaml_parser_delete(&p);
		return r;
	}
	c->loaded = true;
	/* A second document would be silently ignored: say so instead. */
	yaml_document_t more;
	if (!yaml_parser_load(&p, &more)) {
		r = syntax_error(c, &p);
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&more);
		if (root)
			r = tp_err(c, tp_pos(root), "a lab file holds one YAML document; this is a second one");
		yaml_document_delete(&more);
	}
	yaml_parser_delete(&p);
	if (r < 0)
		return r;
	if (!yaml_document_get_root_node(&c->doc))
		return tp_err(c, (struct topo_pos){ 0 }, "the file is empty (see docs/lab-format.md)");
	return check_shape(c);
}

void tp_done(struct tp *c)
{
	if (c->loaded)
		yaml_document_delete(&c->doc);
	c->loaded = false;
	if (c->ends)
		for (size_t i = 0; i <= c->t->n_nodes; i++)
			free(c->ends[i].v);
	free(c->ends);
	free(c->node_order);
	free(c->node_yaml);
	free(c->addrs);
	c->ends = NULL;
	c->node_order = NULL;
	c->node_yaml = NULL;
	c->addrs = NULL;
}

/* ---- mappings ---------------------------------------------------------------- */

/* Edit distance, for "did you mean". Keys are short; longer ones get no hint. */
unsigned tp_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	unsigned d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			unsigned del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

static int unknown_key(struct tp *c, const yaml_node_t *k, const char *what, const char *const *known)
{
	const char *key = (const char *)k->data.scalar.value;
	const char *best = NULL;
	unsigned best_d = 3;
	for (const char *const *p = known; *p; p++) {
		unsigned d = tp_distance(key, *p);
		if (d < best_d && d < strlen(*p)) {
			best_d = d;
			best = *p;
		}
	}
	if (best)
		return tp_err(c, tp_pos(k), "unknown key '%s' in %s; did you mean '%s'?", key, what, best);
	char list[256] = "";
	size_t off = 0;
	for (const char *const *p = known; *p && off < sizeof(list); p++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", p == known ? "" : ", ", *p);
	return tp_err(c, tp_pos(k), "unknown key '%s' in %s (known: %s)", key, what, list);
}

static int scalar_ok(struct tp *c, const yaml_node_t *n, const char *what)
{
	/* A double-quoted "\0" puts a NUL inside the value; C strings would cut it. */
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return tp_err(c, tp_pos(n), "%s contains a NUL byte", what);
	return 0;
}

static int cmp_keys(const void *a, const void *b)
{
	const yaml_node_t *ka = *(yaml_node_t *const *)a, *kb = *(yaml_node_t *const *)b;
	int r = strcmp((const char *)ka->data.scalar.value, (const char *)kb->data.scalar.value);
	if (r)
		return r;
	/* Equal keys in file order, so the second one is the one reported. */
	return ka->start_mark.index < kb->start_mark.index ? -1 : ka->start_mark.index > kb->start_mark.index;
}

/* libyaml keeps every entry of a mapping, so "red:" written twice would otherwise
 * be two nodes or the second would silently win. Sorted, so big labs stay fast. */
static int check_duplicates(struct tp *c, const yaml_node_t *n, const char *what)
{
	size_t len = tp_map_len(n);
	if (len < 2)
		return 0;
	_cleanup_free_ yaml_node_t **keys = calloc(len, sizeof(*keys));
	if (!keys)
		return tp_nomem(c);
	for (size_t i = 0; i < len; i++)
		keys[i] = tp_map_at(c, n, i).k;
	qsort(keys, len, sizeof(*keys), cmp_keys);
	for (size_t i = 1; i < len; i++)
		if (streq((const char *)keys[i]->data.scalar.value, (const char *)keys[i - 1]->data.scalar.value))
			return tp_err(c, tp_pos(keys[i]), "'%s' appears twice in %s (first at line %d)",
				      (const char *)keys[i]->data.scalar.value, what, tp_pos(keys[i - 1]).line);
	return 0;
}

int tp_map(struct tp *c, const yaml_node_t *n, const char *what, const char *const *known)
{
	if (!n || tp_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return tp_err(c, tp_pos(n), "%s must be a mapping (key: value), not %s", what, tp_kind(n));
	for (size_t i = 0; i < tp_map_len(n); i++) {
		struct tp_kv kv = tp_map_at(c, n, i);
		if (!kv.k || kv.k->type != YAML_SCALAR_NODE || tp_is_null(kv.k))
			return tp_err(c, tp_pos(kv.k), "the keys of %s must be names, not %s", what, tp_kind(kv.k));
		int r = scalar_ok(c, kv.k, "key");
		if (r < 0)
			return r;
		if (!known)
			continue;
		bool found = false;
		for (const char *const *p = known; *p && !found; p++)
			found = streq(*p, (const char *)kv.k->data.scalar.value);
		if (!found)
			return unknown_key(c, kv.k, what, known);
	}
	return check_duplicates(c, n, what);
}

size_t tp_map_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return 0;
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

struct tp_kv tp_map_at(struct tp *c, const yaml_node_t *n, size_t i)
{
	yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
	return (struct tp_kv){ tp_node(c, p->key), tp_node(c, p->value) };
}

struct tp_kv tp_get(struct tp *c, const yaml_node_t *map, const char *key)
{
	for (size_t i = 0; i < tp_map_len(map); i++) {
		struct tp_kv kv = tp_map_at(c, map, i);
		if (kv.k && kv.k->type == YAML_SCALAR_NODE && streq((const char *)kv.k->data.scalar.value, key))
			return kv;
	}
	return (struct tp_kv){ 0 };
}

/* ---- lists ------------------------------------------------------------------- */

int tp_seq(struct tp *c, const struct tp_kv *kv, const char *what)
{
	if (!kv->v || tp_is_null(kv->v) || kv->v->type == YAML_SEQUENCE_NODE)
		return 0;
	return tp_err(c, tp_kv_pos(kv), "%s must be a list, not %s", what, tp_kind(kv->v));
}

size_t tp_seq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *tp_seq_at(struct tp *c, const yaml_node_t *n, size_t i)
{
	return tp_node(c, n->data.sequence.items.start[i]);
}

int tp_one_or_list(struct tp *c, const struct tp_kv *kv, const char *what, size_t max, yaml_node_t **items,
		   size_t *ret_n)
{
	const yaml_node_t *v = kv->v;
	if (!v || tp_is_null(v))
		return tp_err(c, tp_kv_pos(kv), "%s needs a value", what);
	if (v->type == YAML_SCALAR_NODE) {
		items[0] = (yaml_node_t *)v;
		*ret_n = 1;
		return scalar_ok(c, v, what);
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return tp_err(c, tp_kv_pos(kv), "%s must be one value or a list of up to %zu, not %s", what, max,
			      tp_kind(v));
	size_t n = tp_seq_len(v);
	if (n == 0 || n > max)
		return tp_err(c, tp_pos(v), "%s takes 1 to %zu values, not %zu", what, max, n);
	for (size_t i = 0; i < n; i++) {
		items[i] = tp_seq_at(c, v, i);
		if (items[i]->type != YAML_SCALAR_NODE || tp_is_null(items[i]))
			return tp_err(c, tp_pos(items[i]), "%s: each value must be a scalar, not %s", what,
				      tp_kind(items[i]));
		int r = scalar_ok(c, items[i], what);
		if (r < 0)
			return r;
	}
	*ret_n = n;
	return 0;
}

/* ---- scalars ----------------------------------------------------------------- */

int tp_scalar_str(struct tp *c, const yaml_node_t *n, const char *what, const char **ret)
{
	if (!n || tp_is_null(n))
		return tp_err(c, tp_pos(n), "%s needs a value", what);
	if (n->type != YAML_SCALAR_NODE)
		return tp_err(c, tp_pos(n), "%s must be a single value, not %s", what, tp_kind(n));
	int r = scalar_ok(c, n, what);
	if (r < 0)
		return r;
	*ret = (const char *)n->data.scalar.value;
	return 0;
}

int tp_str(struct tp *c, const struct tp_kv *kv, const char *what, const char **ret)
{
	if (!kv->v || tp_is_null(kv->v))
		return tp_err(c, tp_kv_pos(kv), "%s needs a value", what);
	if (kv->v->type != YAML_SCALAR_NODE)
		return tp_err(c, tp_kv_pos(kv), "%s must be a single value, not %s", what, tp_kind(kv->v));
	return tp_scalar_str(c, kv->v, what, ret);
}

int tp_strdup(struct tp *c, const struct tp_kv *kv, const char *what, char **ret)
{
	const char *s;
	int r = tp_str(c, kv, what, &s);
	if (r < 0)
		return r;
	*ret = tp_xstrdup(c, s);
	return *ret ? 0 : -ENOMEM;
}

/* YAML 1.1 and 1.2 spellings, unquoted only: "yes" in quotes is a string. */
int tp_bool(struct tp *c, const struct tp_kv *kv, const char *what, bool *ret)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	const char *s;
	int r = tp_str(c, kv, what, &s);
	if (r < 0)
		return r;
	if (kv->v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
			if (streq(s, yes[i]))
				return *ret = true, 0;
			if (streq(s, no[i]))
				return *ret = false, 0;
		}
	return tp_err(c, tp_kv_pos(kv), "%s must be true or false, not '%s'", what, s);
}

int tp_uint(struct tp *c, const struct tp_kv *kv, const char *what, unsigned min, unsigned max, unsigned *ret)
{
	const char *s;
	int r = tp_str(c, kv, what, &s);
	if (r < 0)
		return r;
	size_t nd = strspn(s, "0123456789");
	bool plain = kv->v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!plain || nd == 0 || s[nd] || nd > 10)
		return tp_err(c, tp_kv_pos(kv), "%s must be a number %u..%u, not '%s'", what, min, max, s);
	unsigned long v = strtoul(s, NULL, 10);
	if (v < min || v > max)
		return tp_err(c, tp_kv_pos(kv), "%s must be %u..%u, not %lu", what, min, max, v);
	*ret = (unsigned)v;
	return 0;
}

int tp_add_addr(struct tp *c, const struct nsnet_prefix *a, struct topo_pos pos, const char *fmt, ...)
{
	if (c->n_addrs == c->cap_addrs) {
		size_t cap = c->cap_addrs ? c->cap_addrs * 2 : 64;
		struct tp_addr *n = realloc(c->addrs, cap * sizeof(*n));
		if (!n)
			return tp_nomem(c);
		c->addrs = n;
		c->cap_addrs = cap;
	}
	struct tp_addr *x = &c->addrs[c->n_addrs++];
	*x = (struct tp_addr){ .a = *a, .pos = pos };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->who, sizeof(x->who), fmt, ap);
	va_end(ap);
	return 0;
}
