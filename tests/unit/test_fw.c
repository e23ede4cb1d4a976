/* Unit tests for the firewall's pure logic: the nft text of elements, bridge names
 * that can be quoted, and the evaluation of an imagined packet through foreign
 * chains given as nft JSON listings (no kernel, no root). */
#include <errno.h>
#include <stdlib.h>
#include "fw/fw.h"
#include "unit.h"

static void elems(void)
{
	struct nft_cmds c;
	CHECK(nft_cmds_open(&c, NULL) == 0);
	json_t *net = json_pack("{s:s, s:s, s:b, s:[{s:s}, {s:s}]}", "name", "lan", "bridge", "br-lan", "nat", 1, "subnets",
				"cidr", "10.1.0.0/24", "cidr", "fd00:1::/64");
	fw_elems_net(&c, "add", net);
	fw_elems_nat(&c, "delete", net);
	fw_elems_pair(&c, "add", "a", "b");
	json_t *pub = json_pack("{s:s, s:i, s:s, s:i, s:s}", "proto", "udp", "host_port", 53, "ns", "red", "port", 5353, "ip",
				"10.1.0.2");
	fw_elems_publish(&c, "add", pub);
	json_object_set_new(pub, "host_ip", json_string("203.0.113.1"));
	fw_elems_publish(&c, "delete", pub);
	CHECK(nft_cmds_finish(&c, NULL) == 0);
	CHECK(c.n == 9);
	CHECK_STR(c.buf, "add element inet nsnet bridges { \"br-lan\" }\n"
			 "add element inet nsnet pairs { \"br-lan\" . \"br-lan\" }\n"
			 "add element inet nsnet subnets4 { 10.1.0.0/24 }\n"
			 "delete element inet nsnet nat_bridges { \"br-lan\" }\n"
			 "delete element inet nsnet nat4 { 10.1.0.0/24 }\n"
			 "delete element inet nsnet nat6 { fd00:1::/64 }\n"
			 "add element inet nsnet pairs { \"a\" . \"b\", \"b\" . \"a\" }\n"
			 "add element inet nsnet pubany4 { udp . 53 : 10.1.0.2 . 5353 }\n"
			 "delete element inet nsnet pub4 { udp . 203.0.113.1 . 53 : 10.1.0.2 . 5353 }\n");
	nft_cmds_free(&c);
	json_decref(net);
	json_decref(pub);
}

static void ifnames(void)
{
	struct nsnet_error e = { 0 };
	CHECK(fw_ifname_ok("lan", &e) == 0);
	CHECK(fw_ifname_ok("nsbr-0a1b2c3d", &e) == 0);
	CHECK(fw_ifname_ok("a\"b", &e) == -EINVAL);
	CHECK(strstr(e.msg, "cannot be used in nftables rules") != NULL);
	CHECK(fw_ifname_ok("br*", &e) == -EINVAL);
	CHECK(fw_ifname_ok("a\\b", &e) == -EINVAL);
}

/* A table "ip filter" as nft lists it, from chains (name, policy or null for a
 * regular chain) and rules as arrays of expressions. */
static void table_from(struct nft_table *t, const char *json)
{
	json_error_t je;
	json_t *spec = json_loads(json, 0, &je);
	if (!spec)
		fprintf(stderr, "bad fixture: %s\n", je.text);
	snprintf(t->family, sizeof(t->family), "ip");
	snprintf(t->name, sizeof(t->name), "filter");
	t->bases = json_array();
	t->rs = json_array();
	const char *name;
	json_t *c;
	json_object_foreach(spec, name, c) {
		if (strncmp(name, "set:", 4) == 0 || strncmp(name, "map:", 4) == 0) {  /* named sets and maps */
			json_array_append_new(t->rs, json_pack("{s:{s:s, s:s, s:s, s:O}}", strncmp(name, "set", 3) ? "map" : "set",
							       "family", "ip", "table", "filter", "name", name + 4, "elem", c));
			continue;
		}
		json_t *policy = json_object_get(c, "policy");
		json_t *chain = json_pack("{s:s, s:s, s:s}", "family", "ip", "table", "filter", "name", name);
		if (json_is_string(policy)) {
			json_object_set(chain, "policy", policy);
			json_array_append(t->bases, chain);
		}
		json_array_append_new(t->rs, json_pack("{s:o}", "chain", chain));
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(c, "rules"), i, r) {
			json_array_append_new(t->rs, json_pack("{s:{s:s, s:s, s:s, s:I, s:O}}", "rule", "family", "ip", "table",
							       "filter", "chain", name, "handle", (json_int_t)(i + 10), "expr", r));
		}
	}
	json_decref(spec);
}

static enum nft_verdict run(const char *json, const struct nft_pkt *p, char *where)
{
	struct nft_table t;
	table_from(&t, json);
	struct nft_result res;
	nft_eval_base(t.rs, t.family, t.name, json_array_get(t.bases, 0), p, false, &res);
	nft_result_where(&res, where, 256);
	json_decref(t.bases);
	json_decref(t.rs);
	return res.verdict != NFTV_DROP ? NFTV_ACCEPT : res.uncertain ? NFTV_MAYBE : NFTV_DROP;
}

#define IIF(n) "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"" n "\"}}"
#define OIF(n) "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"" n "\"}}"
#define NOT_OIF(n) "{\"match\": {\"op\": \"!=\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"" n "\"}}"
#define CT_EST "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": [\"established\", \"related\"]}}"
#define XT "{\"xt\": {\"type\": \"match\", \"name\": \"conntrack\"}}"
#define COUNTER "{\"counter\": {\"packets\": 0, \"bytes\": 0}}"
#define ACCEPT "{\"accept\": null}"
#define DROP "{\"drop\": null}"
#define JUMP(c) "{\"jump\": {\"target\": \"" c "\"}}"
#define GOTO(c) "{\"goto\": {\"target\": \"" c "\"}}"
#define RETURN "{\"return\": null}"

static void eval(void)
{
	const char *others[] = { "eth0", "docker0" };
	struct nft_pkt bridged = { .family = AF_INET, .iif = "lan", .oif = "lan", .others = others, .n_others = 2 };
	struct nft_pkt out = { .family = AF_INET, .iif = "lan", .others = others, .n_others = 2 };
	struct nft_pkt reply = { .family = AF_INET, .oif = "lan", .established = true, .others = others, .n_others = 2 };
	char where[256];

	/* Docker's bare policy. */
	CHECK(run("{\"FORWARD\": {\"policy\": \"drop\", \"rules\": []}}", &out, where) == NFTV_DROP);
	CHECK_STR(where, "the policy drop of chain FORWARD in table ip filter");
	CHECK(run("{\"FORWARD\": {\"policy\": \"accept\", \"rules\": []}}", &out, where) == NFTV_ACCEPT);

	/* The fixes nsnet prints, as iptables-nft stores them. */
	const char *fixed = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" IIF("lan") "," COUNTER "," ACCEPT "]]}}";
	CHECK(run(fixed, &out, where) == NFTV_ACCEPT);
	CHECK(run(fixed, &bridged, where) == NFTV_ACCEPT);
	CHECK(run(fixed, &reply, where) == NFTV_DROP);  /* in from eth0/docker0: not "lan" */

	/* "Some other interface": a rule naming one that does not exist cannot match. */
	const char *other_if = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" OIF("gone0") "," ACCEPT "]]}}";
	CHECK(run(other_if, &out, where) == NFTV_DROP);
	const char *eth = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" OIF("eth*") "," ACCEPT "]]}}";
	CHECK(run(eth, &out, where) == NFTV_MAYBE);  /* it may leave through eth0 */
	const char *not_docker = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" NOT_OIF("lan") "," ACCEPT "]]}}";
	CHECK(run(not_docker, &out, where) == NFTV_ACCEPT);  /* out is never through its own bridge */

	/* ct state is understood; an xt match is not. */
	const char *ct = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" CT_EST "," ACCEPT "]]}}";
	CHECK(run(ct, &reply, where) == NFTV_ACCEPT);
	CHECK(run(ct, &out, where) == NFTV_DROP);
	const char *xt = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" OIF("lan") "," XT "," ACCEPT "]]}}";
	CHECK(run(xt, &reply, where) == NFTV_MAYBE);
	CHECK(run(xt, &out, where) == NFTV_DROP);  /* the oifname makes it certain */

	/* Jumps, returns, gotos. */
	const char *docker =
		"{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" JUMP("DOCKER-USER") "]]},"
		" \"DOCKER-USER\": {\"policy\": null, \"rules\": [[" IIF("lan") "," RETURN "], [" IIF("lan") "," ACCEPT "]]}}";
	CHECK(run(docker, &out, where) == NFTV_DROP);  /* returned before the accept */
	const char *user = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" JUMP("U") "]]},"
			   " \"U\": {\"policy\": null, \"rules\": [[" IIF("lan") "," ACCEPT "]]}}";
	CHECK(run(user, &out, where) == NFTV_ACCEPT);
	const char *go = "{\"FORWARD\": {\"policy\": \"accept\", \"rules\": [[" GOTO("G") "], [" DROP "]]},"
			 " \"G\": {\"policy\": null, \"rules\": []}}";
	CHECK(run(go, &out, where) == NFTV_ACCEPT);  /* goto: the end of G ends FORWARD */
	const char *jump = "{\"FORWARD\": {\"policy\": \"accept\", \"rules\": [[" JUMP("G") "], [" DROP "]]},"
			   " \"G\": {\"policy\": null, \"rules\": []}}";
	CHECK(run(jump, &out, where) == NFTV_DROP);
	CHECK_STR(where, "rule handle 11 in chain FORWARD of table ip filter");

	/* Named sets: an interface that is one of the host's, not known which, maybe
	 * matches when any of them would, and never for certain. */
	const char *in_set = "{\"set:ins\": [\"lan\"], \"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" IIF("@ins") "," ACCEPT "]]}}";
	CHECK(run(in_set, &out, where) == NFTV_ACCEPT);
	CHECK(run(in_set, &reply, where) == NFTV_DROP);
	const char *eth_set = "{\"set:ins\": [\"eth*\"], \"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" IIF("@ins") "," ACCEPT "]]}}";
	CHECK(run(eth_set, &reply, where) == NFTV_MAYBE);
	CHECK_STR(where, "the policy drop of chain FORWARD in table ip filter");

	/* Verdict maps, anonymous and named: an element that maybe holds the key is a
	 * rule that maybe matches. */
#define OIF_VMAP(data) "{\"vmap\": {\"key\": {\"meta\": {\"key\": \"oifname\"}}, \"data\": " data "}}"
	const char *vm = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" OIF_VMAP(
		"{\"set\": [[\"lan\", " DROP "], [\"eth0\", " ACCEPT "]]}") "]]}}";
	CHECK(run(vm, &reply, where) == NFTV_DROP);
	CHECK_STR(where, "rule handle 10 in chain FORWARD of table ip filter");
	CHECK(run(vm, &out, where) == NFTV_MAYBE);  /* it may leave through eth0, accepted */
	const char *named = "{\"map:v\": [[\"lan\", " ACCEPT "]], \"FORWARD\": {\"policy\": \"drop\", \"rules\": [["
			    OIF_VMAP("\"@v\"") "]]}}";
	CHECK(run(named, &reply, where) == NFTV_ACCEPT);
	CHECK(run(named, &out, where) == NFTV_DROP);  /* no other interface is "lan" */

	/* Concatenations. */
#define PAIRS(e) "{\"match\": {\"op\": \"==\", \"left\": {\"concat\": [{\"meta\": {\"key\": \"iifname\"}}, " \
		 "{\"meta\": {\"key\": \"oifname\"}}]}, \"right\": {\"set\": [{\"concat\": " e "}]}}}"
	const char *pairs = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" PAIRS("[\"lan\", \"lan\"]") "," ACCEPT "]]}}";
	CHECK(run(pairs, &bridged, where) == NFTV_ACCEPT);
	CHECK(run(pairs, &out, where) == NFTV_DROP);
	const char *pairs_eth = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" PAIRS("[\"lan\", \"eth0\"]") "," ACCEPT "]]}}";
	CHECK(run(pairs_eth, &out, where) == NFTV_MAYBE);

	/* Addresses are not known; a family is. Rate limits may or may not pass. */
#define SADDR(p) "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"" p "\", \"field\": \"saddr\"}}, " \
		 "\"right\": {\"prefix\": {\"addr\": \"10.0.0.0\", \"len\": 8}}}}"
	CHECK(run("{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" SADDR("ip") "," ACCEPT "]]}}", &out, where) == NFTV_MAYBE);
	CHECK(run("{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" SADDR("ip6") "," ACCEPT "]]}}", &out, where) == NFTV_DROP);
	const char *limit = "{\"FORWARD\": {\"policy\": \"drop\", \"rules\": [[" IIF("lan")
			    ", {\"limit\": {\"rate\": 5, \"per\": \"second\"}}," ACCEPT "]]}}";
	CHECK(run(limit, &out, where) == NFTV_MAYBE);
	/* A drop behind a maybe is still certain; an accept behind one is not. */
	const char *maybe_drop = "{\"FORWARD\": {\"policy\": \"accept\", \"rules\": [[" SADDR("ip") "," DROP "], [" DROP "]]}}";
	CHECK(run(maybe_drop, &out, where) == NFTV_DROP);
	CHECK_STR(where, "rule handle 11 in chain FORWARD of table ip filter");
	const char *maybe_accept = "{\"FORWARD\": {\"policy\": \"accept\", \"rules\": [[" SADDR("ip") "," ACCEPT "], [" DROP "]]}}";
	CHECK(run(maybe_accept, &out, where) == NFTV_MAYBE);
}

/* The one writer of fixes, for fw's refusals and doctor alike. */
static void fixes(void)
{
	char buf[512];
	CHECK(nft_is_iptables("ip", "filter", "FORWARD"));
	CHECK(!nft_is_iptables("ip", "filter", "forward"));  /* nft's own "table ip filter" */
	CHECK(!nft_is_iptables("inet", "filter", "FORWARD"));
	CHECK_STR(nft_iptables_tool("ip6", "filter", "DOCKER-USER"), "ip6tables");
	CHECK(nft_iptables_tool("ip", "filter", "forward") == NULL);

	struct nft_fix f = { .tool = "iptables", .chain = "DOCKER-USER", .iif = "br0" };
	nft_fix_accept(&f, buf, sizeof(buf));
	CHECK_STR(buf, "iptables -I DOCKER-USER -i br0 -j ACCEPT");
	f = (struct nft_fix){ .family = "ip", .table = "filter", .chain = "forward", .oif = "br0" };
	nft_fix_accept(&f, buf, sizeof(buf));
	CHECK_STR(buf, "nft insert rule ip filter forward oifname \"br0\" accept");
	f = (struct nft_fix){ .pre = "ip netns exec r ", .tool = "iptables", .table = "filter", .chain = "FORWARD",
			      .iif = "a", .oif = "b", .reply = true };
	nft_fix_accept(&f, buf, sizeof(buf));
	CHECK_STR(buf, "ip netns exec r iptables -I FORWARD -i a -o b -j ACCEPT && ip netns exec r iptables -I FORWARD "
		       "-i b -o a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
	f = (struct nft_fix){ .family = "inet", .table = "t", .chain = "c", .iif = "a", .oif = "b", .reply = true };
	nft_fix_accept(&f, buf, sizeof(buf));
	CHECK_STR(buf, "nft insert rule inet t c iifname \"a\" oifname \"b\" accept && nft insert rule inet t c "
		       "iifname \"b\" oifname \"a\" ct state established,related accept");
	f = (struct nft_fix){ .tool = "iptables", .table = "filter", .chain = "INPUT", .iif = "eth0", .src = "10.0.0.1" };
	nft_fix_accept(&f, buf, sizeof(buf));
	CHECK_STR(buf, "iptables -I INPUT -i eth0 -s 10.0.0.1 -j ACCEPT");
	nft_fix_delete(&f, 3, 9, buf, sizeof(buf));
	CHECK_STR(buf, "iptables -D INPUT 3");
	f.table = "mangle";
	nft_fix_delete(&f, 3, 9, buf, sizeof(buf));
	CHECK_STR(buf, "iptables -t mangle -D INPUT 3");
	f = (struct nft_fix){ .family = "inet", .table = "t", .chain = "c" };
	nft_fix_delete(&f, 3, 9, buf, sizeof(buf));
	CHECK_STR(buf, "nft delete rule inet t c handle 9");
}

int main(void)
{
	elems();
	fixes();
	ifnames();
	eval();
	return UNIT_DONE();
}
