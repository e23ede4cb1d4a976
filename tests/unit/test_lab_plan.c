/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the lab's element kinds and planner (lib/lab/kinds.c, plan.c): keys
 * map to their kinds, a topology gives its elements in creation order, and a plan
 * removes links, nodes, networks and adds them back the other way, a replaced
 * network taking its nodes and their links with it. No root needed. */
#include "lab/lab.h"
#include "base/base.h"
#include "unit.h"

static const char lab_yaml[] =
	"name: t\n"
	"networks:\n"
	"  front:\n"
	"    subnet: 10.1.0.0/24\n"
	"  back:\n"
	"    subnet: 10.2.0.0/24\n"
	"nodes:\n"
	"  a:\n"
	"    interfaces:\n"
	"      - network: front\n"
	"  b:\n"
	"    interfaces:\n"
	"      - network: back\n"
	"  c:\n"
	"    interfaces:\n"
	"      - network: back\n"
	"links:\n"
	"  - endpoints: [a:pa, b:pb]\n"
	"  - endpoints: [b:x, c:y]\n";

static json_t *elements(const char *yaml)
{
	struct topology *t;
	struct nsnet_error e = { 0 };
	if (topo_parse_string(yaml, strlen(yaml), "t.yaml", &t, &e) < 0) {
		fprintf(stderr, "parse: %s\n", e.msg);
		return json_object();
	}
	json_t *el = lab_elements(t);
	topo_free(t);
	return el;
}

/* The keys of an array joined by spaces. */
static const char *joined(json_t *keys, char *buf, size_t size)
{
	size_t i, o = 0;
	json_t *k;
	buf[0] = 0;
	json_array_foreach(keys, i, k) o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", i ? " " : "", json_string_value(k));
	return buf;
}

static void test_kind_of(void)
{
	const char *name = NULL;
	CHECK(lab_kind_of("net:v-net-0", &name) == &lab_kind_net);
	CHECK_STR(name, "v-net-0");
	CHECK(lab_kind_of("node:red", &name) == &lab_kind_node);
	CHECK_STR(name, "red");
	CHECK(lab_kind_of("link:host:h0|db:eth1", &name) == &lab_kind_link);
	CHECK_STR(name, "host:h0|db:eth1");
	CHECK(lab_kind_of("vxlan:x", NULL) == NULL);
	CHECK(lab_kind_of("net", NULL) == NULL);
	CHECK(lab_kind_of(NULL, NULL) == NULL);
	char buf[2048];
	json_t *keys = json_pack("[s,s,s,s,s]", "link:a:x|b:y", "odd:1", "net:n", "node:a", "net:m");
	json_t *rm = lab_keys_ordered(keys, true), *add = lab_keys_ordered(keys, false);
	CHECK_STR(joined(rm, buf, sizeof(buf)), "link:a:x|b:y node:a net:n net:m odd:1");
	CHECK_STR(joined(add, buf, sizeof(buf)), "net:n net:m node:a link:a:x|b:y");
	json_decref(rm);
	json_decref(add);
	json_decref(keys);
}

static void test_plan(void)
{
	char buf[2048];
	struct nsnet_error e = { 0 };
	json_t *want = elements(lab_yaml), *none = json_object();
	struct lab_plan p;
	CHECK(lab_plan_make(want, none, &p, &e) == 0);
	CHECK_STR(joined(p.add, buf, sizeof(buf)), "net:front net:back node:a node:b node:c link:a:pa|b:pb link:b:x|c:y");
	CHECK(json_array_size(p.remove) == 0);
	json_t *steps = lab_plan_describe(&p, false);
	CHECK_STR(jstr(json_array_get(steps, 0), "action"), "create");
	CHECK_STR(jstr(json_array_get(steps, 0), "element"), "net:front");
	CHECK(json_object_get(json_array_get(steps, 0), "commands") == NULL);
	json_decref(steps);
	lab_plan_free(&p);

	/* Up to date: nothing to do. */
	CHECK(lab_plan_make(want, want, &p, &e) == 0);
	CHECK(json_array_size(p.add) == 0 && json_array_size(p.remove) == 0);
	lab_plan_free(&p);

	/* A changed network takes its nodes, and their links, with it; the others stay. */
	char changed[sizeof(lab_yaml)];
	memcpy(changed, lab_yaml, sizeof(lab_yaml));
	memcpy(strstr(changed, "10.2.0.0/24"), "10.3.0.0/24", 11);
	json_t *want2 = elements(changed);
	CHECK(lab_plan_make(want2, want, &p, &e) == 0);
	CHECK_STR(joined(p.remove, buf, sizeof(buf)), "link:a:pa|b:pb link:b:x|c:y node:b node:c net:back");
	CHECK_STR(joined(p.add, buf, sizeof(buf)), "net:back node:b node:c link:a:pa|b:pb link:b:x|c:y");
	steps = lab_plan_describe(&p, true);
	CHECK_STR(jstr(json_array_get(steps, 0), "action"), "remove");
	CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(steps, 0), "commands"), 0)),
		  "ip -n a link del pa");
	const char *del = json_string_value(json_array_get(json_object_get(json_array_get(steps, 4), "commands"), 0));
	CHECK(del && strncmp(del, "ip link del ", 12) == 0);
	json_decref(steps);
	lab_plan_free(&p);

	/* An element gone from the file is removed alone. */
	json_t *less = json_deep_copy(want);
	json_object_del(less, "link:b:x|c:y");
	CHECK(lab_plan_make(less, want, &p, &e) == 0);
	CHECK_STR(joined(p.remove, buf, sizeof(buf)), "link:b:x|c:y");
	CHECK(json_array_size(p.add) == 0);
	lab_plan_free(&p);
	json_decref(less);
	json_decref(want2);
	json_decref(want);
	json_decref(none);
}

int main(void)
{
	test_kind_of();
	test_plan();
	return UNIT_DONE();
}
