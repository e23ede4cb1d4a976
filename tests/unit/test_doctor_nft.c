/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The nftables evaluator (lib/nft) with doctor's probe, every field known, against a
 * ruleset the real nft printed, made with:
 *   iptables -P FORWARD DROP
 *   iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
 *   iptables -A FORWARD -i br0 -o br0 -j ACCEPT
 *   iptables -A INPUT -s 10.1.0.2 -j DROP
 *   iptables -A INPUT -p tcp --dport 22 -j REJECT
 *   iptables -t nat -A POSTROUTING -s 192.168.15.0/24 ! -o br0 -j MASQUERADE
 *   table inet t { set allowed { 10.0.0.0/8, 192.168.1.1 }
 *     chain fw1 { hook forward priority 0; policy accept;
 *       ct state established,related accept                       # 5
 *       ct state invalid drop                                     # 6
 *       iifname "br*" oifname != "wan" jump sub                   # 7
 *       ip saddr @allowed ip daddr { 1.2.3.4, 5.6.7.0/24 } tcp dport { 22, 80-90 } accept   # 10
 *       icmp type echo-request counter drop                       # 11
 *       iifname vmap { "a" : accept, "b" : drop }                 # 13
 *       ip protocol tcp reject with tcp reset                     # 14
 *       ip daddr 203.0.113.0/24 meta nfproto ipv4 udp dport 53 log limit rate 5/second drop   # 15
 *       fib daddr type local drop                                 # 16
 *       th dport 1000-2000 drop comment "iso" }                   # 17
 *     chain sub { ip saddr 10.1.0.0/16 return; drop }
 *     chain post { hook postrouting priority srcnat;
 *       ip saddr 192.168.0.0/16 oifname "wan" masquerade; snat ip to 1.2.3.4 } }
 *   table inet p { set pairs { "n1" . "n2" }
 *     chain fw { hook forward priority 10; policy drop; iifname . oifname @pairs accept } }
 */
#include <netinet/in.h>
#include "doctor/doctor.h"
#include "unit.h"

/* The JSON and text listings of that ruleset. */
static const char ruleset_json[] =
	"{\"nftables\":[{\"table\":{\"family\":\"ip\",\"name\":\"filter\",\"handle\":1}},{\"chain\":{\"family\":\"ip\",\"table\":\"f"
	"ilter\",\"name\":\"FORWARD\",\"handle\":1,\"type\":\"filter\",\"hook\":\"forward\",\"prio\":0,\"policy\":\"drop\"}},{\"cha"
	"in\":{\"family\":\"ip\",\"table\":\"filter\",\"name\":\"INPUT\",\"handle\":4,\"type\":\"filter\",\"hook\":\"input\",\"prio\":"
	"0,\"policy\":\"accept\"}},{\"rule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"FORWARD\",\"handle\":2,\"expr\":[{"
	"\"xt\":{\"type\":\"match\",\"name\":\"conntrack\"}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"accept\":null}]}},{\"r"
	"ule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"FORWARD\",\"handle\":3,\"expr\":[{\"match\":{\"op\":\"==\",\"left\""
	":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"br0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"r"
	"ight\":\"br0\"}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"accept\":null}]}},{\"rule\":{\"family\":\"ip\",\"table\":"
	"\"filter\",\"chain\":\"INPUT\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\""
	"field\":\"saddr\"}},\"right\":\"10.1.0.2\"}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"drop\":null}]}},{\"rule\":{"
	"\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"INPUT\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"paylo"
	"ad\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":22}},{\"counter\":{\"packets\":0,\"bytes\":0}},{\"xt\":{\"typ"
	"e\":\"target\",\"name\":\"REJECT\"}}]}},{\"table\":{\"family\":\"ip\",\"name\":\"nat\",\"handle\":2}},{\"chain\":{\"family"
	"\":\"ip\",\"table\":\"nat\",\"name\":\"POSTROUTING\",\"handle\":1,\"type\":\"nat\",\"hook\":\"postrouting\",\"prio\":100,\"p"
	"olicy\":\"accept\"}},{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"chain\":\"POSTROUTING\",\"handle\":2,\"expr\":[{\"ma"
	"tch\":{\"op\":\"!=\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"br0\"}},{\"match\":{\"op\":\"==\",\"left\":{\"paylo"
	"ad\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},\"right\":{\"prefix\":{\"addr\":\"192.168.15.0\",\"len\":24}}}},{\"count"
	"er\":{\"packets\":0,\"bytes\":0}},{\"xt\":{\"type\":\"target\",\"name\":\"MASQUERADE\"}}]}},{\"table\":{\"family\":\"ine"
	"t\",\"name\":\"t\",\"handle\":3}},{\"set\":{\"family\":\"inet\",\"name\":\"allowed\",\"table\":\"t\",\"type\":\"ipv4_addr\",\""
	"handle\":4,\"flags\":[\"interval\"],\"elem\":[{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}},\"192.168.1.1\"]}},{\"cha"
	"in\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"fw1\",\"handle\":1,\"type\":\"filter\",\"hook\":\"forward\",\"prio\":0,\""
	"policy\":\"accept\"}},{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"sub\",\"handle\":2}},{\"chain\":{\"family"
	"\":\"inet\",\"table\":\"t\",\"name\":\"post\",\"handle\":3,\"type\":\"nat\",\"hook\":\"postrouting\",\"prio\":100,\"policy\":"
	"\"accept\"}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"in\""
	",\"left\":{\"ct\":{\"key\":\"state\"}},\"right\":[\"established\",\"related\"]}},{\"accept\":null}]}},{\"rule\":{\"fami"
	"ly\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"sta"
	"te\"}},\"right\":\"invalid\"}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handl"
	"e\":7,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"br*\"}},{\"match\":{\"op\":\"!"
	"=\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"wan\"}},{\"jump\":{\"target\":\"sub\"}}]}},{\"rule\":{\"family\":"
	"\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":10,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protoco"
	"l\":\"ip\",\"field\":\"saddr\"}},\"right\":\"@allowed\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip"
	"\",\"field\":\"daddr\"}},\"right\":{\"set\":[\"1.2.3.4\",{\"prefix\":{\"addr\":\"5.6.7.0\",\"len\":24}}]}}},{\"match\":{\""
	"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":{\"set\":[22,{\"range\":[80,90]}]"
	"}}},{\"accept\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":11,\"expr\":[{\"matc"
	"h\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}},\"right\":\"echo-request\"}},{\"count"
	"er\":{\"packets\":0,\"bytes\":0}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"ha"
	"ndle\":13,\"expr\":[{\"vmap\":{\"key\":{\"meta\":{\"key\":\"iifname\"}},\"data\":{\"set\":[[\"a\",{\"accept\":null}],[\"b\""
	",{\"drop\":null}]]}}}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":14,\"expr\":[{\"matc"
	"h\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}},\"right\":\"tcp\"}},{\"reject\":{\"ty"
	"pe\":\"tcp reset\"}}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":15,\"expr\":[{\"match\""
	":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}},\"right\":{\"prefix\":{\"addr\":\"203.0.11"
	"3.0\",\"len\":24}}}},{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"nfproto\"}},\"right\":\"ipv4\"}},{\"match\":{\""
	"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"udp\",\"field\":\"dport\"}},\"right\":53}},{\"log\":{\"prefix\":\"x\"}},{"
	"\"limit\":{\"rate\":5,\"burst\":5,\"per\":\"second\"}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\""
	"chain\":\"fw1\",\"handle\":16,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\""
	"]}},\"right\":\"local\"}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw1\",\"handle\":1"
	"7,\"comment\":\"iso\",\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"th\",\"field\":\"dport\"}},\""
	"right\":{\"range\":[1000,2000]}}},{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"sub\",\""
	"handle\":18,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},\"right\":"
	"{\"prefix\":{\"addr\":\"10.1.0.0\",\"len\":16}}}},{\"return\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"c"
	"hain\":\"sub\",\"handle\":19,\"expr\":[{\"drop\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"post\""
	",\"handle\":20,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},\"right"
	"\":{\"prefix\":{\"addr\":\"192.168.0.0\",\"len\":16}}}},{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}}"
	",\"right\":\"wan\"}},{\"masquerade\":null}]}},{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"post\",\"handle\""
	":21,\"expr\":[{\"snat\":{\"family\":\"ip\",\"addr\":\"1.2.3.4\"}}]}},{\"table\":{\"family\":\"inet\",\"name\":\"p\",\"handl"
	"e\":4}},{\"set\":{\"family\":\"inet\",\"name\":\"pairs\",\"table\":\"p\",\"type\":[\"ifname\",\"ifname\"],\"handle\":1,\"ele"
	"m\":[{\"concat\":[\"n1\",\"n2\"]}]}},{\"chain\":{\"family\":\"inet\",\"table\":\"p\",\"name\":\"fw\",\"handle\":2,\"type\":\"f"
	"ilter\",\"hook\":\"forward\",\"prio\":10,\"policy\":\"drop\"}},{\"rule\":{\"family\":\"inet\",\"table\":\"p\",\"chain\":\"fw"
	"\",\"handle\":3,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"concat\":[{\"meta\":{\"key\":\"iifname\"}},{\"meta\":{\"key\""
	":\"oifname\"}}]},\"right\":\"@pairs\"}},{\"accept\":null}]}}]}";

static const char ruleset_text[] =
	"table ip filter { # handle 1\n"
	"\tchain FORWARD { # handle 1\n"
	"\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t\tct state related,established counter accept # handle 2\n"
	"\t\tiifname \"br0\" oifname \"br0\" counter accept # handle 3\n"
	"\t}\n"
	"\n"
	"\tchain INPUT { # handle 4\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tip saddr 10.1.0.2 counter drop # handle 5\n"
	"\t\ttcp dport 22 counter reject # handle 6\n"
	"\t}\n"
	"}\n"
	"table ip nat { # handle 2\n"
	"\tchain POSTROUTING { # handle 1\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\toifname != \"br0\" ip saddr 192.168.15.0/24 counter masquerade # handle 2\n"
	"\t}\n"
	"}\n"
	"table inet t { # handle 3\n"
	"\tset allowed { # handle 4\n"
	"\t\ttype ipv4_addr\n"
	"\t\tflags interval\n"
	"\t\telements = { 10.0.0.0/8, 192.168.1.1 }\n"
	"\t}\n"
	"\n"
	"\tchain fw1 { # handle 1\n"
	"\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tct state established,related accept # handle 5\n"
	"\t\tct state invalid drop # handle 6\n"
	"\t\tiifname \"br*\" oifname != \"wan\" jump sub # handle 7\n"
	"\t\tip saddr @allowed ip daddr { 1.2.3.4, 5.6.7.0/24 } tcp dport { 22, 80-90 } accept # handle 10\n"
	"\t\ticmp type echo-request counter drop # handle 11\n"
	"\t\tiifname vmap { \"a\" : accept, \"b\" : drop } # handle 13\n"
	"\t\tip protocol tcp reject with tcp reset # handle 14\n"
	"\t\tip daddr 203.0.113.0/24 meta nfproto ipv4 udp dport 53 log prefix \"x\" limit rate 5/second drop # handle 15\n"
	"\t\tfib daddr type local drop # handle 16\n"
	"\t\tth dport 1000-2000 drop comment \"iso\" # handle 17\n"
	"\t}\n"
	"\n"
	"\tchain sub { # handle 2\n"
	"\t\tip saddr 10.1.0.0/16 return # handle 18\n"
	"\t\tdrop # handle 19\n"
	"\t}\n"
	"\n"
	"\tchain post { # handle 3\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\tip saddr 192.168.0.0/16 oifname \"wan\" masquerade # handle 20\n"
	"\t\tsnat ip to 1.2.3.4 # handle 21\n"
	"\t}\n"
	"}\n";

static const char *const v4[] = { "ip", "inet", NULL };
static const char *const inet_only[] = { "inet", NULL };

static struct dr_pkt pkt(int l4, const char *src, const char *dst, unsigned port)
{
	struct dr_pkt p = { .family = AF_INET, .l4 = l4, .port = port };
	nsnet_addr_parse(src, &p.src, NULL);
	nsnet_addr_parse(dst, &p.dst, NULL);
	return p;
}

static struct nft_result run(json_t *rs, const char *ctype, const char *hook, const char *const *fams,
			     struct dr_pkt p, const char *iif, const char *oif)
{
	struct nft_pkt np = { .family = p.family, .iif = iif, .oif = oif, .src = p.src, .dst = p.dst, .l4 = p.l4,
			      .port = p.port, .probe = true };
	struct nft_result r;
	nft_eval_hook(rs, ctype, hook, fams, &np, &r);
	return r;
}

int main(void)
{
	json_t *rs = json_loads(ruleset_json, 0, NULL);
	CHECK(rs != NULL);
	struct nft_result r;

	/* No base chain on a hook: nothing to say. */
	r = run(rs, "filter", "output", v4, pkt(IPPROTO_ICMP, "10.1.0.2", "10.1.0.3", 0), NULL, "eth0");
	CHECK(r.verdict == NFTV_NONE);
	json_t *empty = json_loads("{\"nftables\":[]}", 0, NULL);
	r = run(empty, "filter", "forward", v4, pkt(IPPROTO_ICMP, "10.1.0.2", "10.1.0.3", 0), "br0", "br0");
	CHECK(r.verdict == NFTV_NONE);
	json_decref(empty);

	/* Bridged icmp: iptables accepts (its conntrack match can't be read), then the
	 * jump to sub returns, and "icmp type echo-request drop" is the verdict. */
	r = run(rs, "filter", "forward", v4, pkt(IPPROTO_ICMP, "10.1.0.2", "10.1.0.3", 0), "br0", "br0");
	CHECK(r.verdict == NFTV_DROP);
	CHECK_STR(r.family, "inet");
	CHECK_STR(r.table, "t");
	CHECK_STR(r.chain, "fw1");
	CHECK(r.handle == 11);
	CHECK(r.position == 5);
	CHECK(r.unsure == 1);
	CHECK_STR(r.unsure_what, "xt match conntrack");

	/* tcp/22: no icmp type on a tcp packet, no vmap element, then "ip protocol tcp reject". */
	r = run(rs, "filter", "forward", v4, pkt(IPPROTO_TCP, "10.1.0.2", "10.1.0.3", 22), "br0", "br0");
	CHECK(r.verdict == NFTV_DROP && r.handle == 14);

	/* From elsewhere: iptables' FORWARD policy drop comes first. */
	r = run(rs, "filter", "forward", v4, pkt(IPPROTO_UDP, "10.9.0.1", "203.0.113.5", 53), "eth9", "wan");
	CHECK(r.verdict == NFTV_DROP);
	CHECK_STR(r.table, "filter");
	CHECK_STR(r.chain, "FORWARD");
	CHECK(r.handle == -1 && r.position == 0);
	CHECK(nft_is_iptables(r.family, r.table, r.chain));

	/* Only the inet tables: prefix, nfproto, udp dport, log and limit all pass. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "203.0.113.5", 53), "eth9", "wan");
	CHECK(r.verdict == NFTV_DROP && r.handle == 15);
	/* A th dport range, after a fib match doctor can't evaluate. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 1500), "eth9", "wan");
	CHECK(r.verdict == NFTV_DROP && r.handle == 17);
	CHECK_STR(r.comment, "iso");
	CHECK(r.unsure == 1);
	CHECK(!nft_is_iptables(r.family, r.table, r.chain));
	/* Verdict maps. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 9), "b", "y");
	CHECK(r.verdict == NFTV_DROP && r.handle == 13);
	/* "a" is accepted by fw1, then table p's policy drops what its pairs don't hold. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 9), "a", "y");
	CHECK(r.verdict == NFTV_DROP && r.handle == -1);
	CHECK_STR(r.table, "p");
	/* A concatenation in a named set. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 9), "n1", "n2");
	CHECK(r.verdict == NFTV_ACCEPT);
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 9), "n2", "n1");
	CHECK(r.verdict == NFTV_DROP && r.handle == -1);

	/* Input: rule numbers as iptables counts them. */
	r = run(rs, "filter", "input", v4, pkt(IPPROTO_ICMP, "10.1.0.2", "10.1.0.3", 0), "eth0", NULL);
	CHECK(r.verdict == NFTV_DROP && r.handle == 5 && r.position == 1);
	r = run(rs, "filter", "input", v4, pkt(IPPROTO_TCP, "10.1.0.9", "10.1.0.3", 22), "eth0", NULL);
	CHECK(r.verdict == NFTV_DROP && r.position == 2);
	r = run(rs, "filter", "input", v4, pkt(IPPROTO_TCP, "10.1.0.9", "10.1.0.3", 80), "eth0", NULL);
	CHECK(r.verdict == NFTV_ACCEPT);
	/* An interface match on a hook without that interface never matches, even negated. */
	r = run(rs, "filter", "forward", inet_only, pkt(IPPROTO_UDP, "10.9.0.1", "10.0.0.5", 9), NULL, NULL);
	CHECK(r.verdict == NFTV_DROP && r.handle == -1);

	/* Source NAT. */
	r = run(rs, "nat", "postrouting", v4, pkt(IPPROTO_ICMP, "192.168.15.2", "203.0.113.5", 0), "br0", "wan");
	CHECK(r.verdict == NFTV_SNAT && r.masquerade);
	CHECK_STR(r.table, "nat");
	r = run(rs, "nat", "postrouting", v4, pkt(IPPROTO_ICMP, "192.168.15.2", "192.168.15.3", 0), "br0", "br0");
	CHECK(r.verdict == NFTV_SNAT && !r.masquerade);
	CHECK_STR(r.nat_to, "1.2.3.4");
	CHECK_STR(r.table, "t");

	/* Destination NAT (a literal address and port), and a reply seen from the server's side. */
	json_t *dn = json_loads("{\"nftables\":[{\"chain\":{\"family\":\"ip\",\"table\":\"nat\",\"name\":\"pre\","
				"\"type\":\"nat\",\"hook\":\"prerouting\",\"prio\":-100}},{\"rule\":{\"family\":\"ip\","
				"\"table\":\"nat\",\"chain\":\"pre\",\"handle\":2,\"expr\":[{\"match\":{\"op\":\"==\","
				"\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":8080}},"
				"{\"dnat\":{\"addr\":\"10.90.2.2\",\"port\":80}}]}}]}", 0, NULL);
	CHECK(dn != NULL);
	r = run(dn, "nat", "prerouting", v4, pkt(IPPROTO_TCP, "10.90.1.2", "10.90.1.1", 8080), "to-cl", NULL);
	CHECK(r.verdict == NFTV_DNAT && r.dnat && r.nat_port == 80 && r.handle == 2);
	CHECK_STR(r.nat_to, "10.90.2.2");
	r = run(dn, "nat", "prerouting", v4, pkt(IPPROTO_TCP, "10.90.1.2", "10.90.1.1", 22), "to-cl", NULL);
	CHECK(r.verdict == NFTV_ACCEPT);
	struct dr_pkt rp = pkt(IPPROTO_TCP, "10.90.1.1", "10.90.1.2", 8080);
	struct nft_pkt np = { .family = AF_INET, .iif = "to-cl", .src = rp.src, .dst = rp.dst, .l4 = rp.l4, .port = 8080,
			      .probe = true, .reply = true, .established = true };
	nft_eval_hook(dn, "nat", "prerouting", v4, &np, &r);
	CHECK(r.verdict == NFTV_ACCEPT);  /* a reply's destination port is the client's, not 8080 */
	json_decref(dn);

	/* Quoting rules from the text listing. */
	char buf[256];
	dr_nft_rule_text(ruleset_text, "ip", "filter", "INPUT", 5, buf, sizeof(buf));
	CHECK_STR(buf, "ip saddr 10.1.0.2 counter drop");
	dr_nft_rule_text(ruleset_text, "inet", "t", "fw1", 17, buf, sizeof(buf));
	CHECK_STR(buf, "th dport 1000-2000 drop comment \"iso\"");
	dr_nft_rule_text(ruleset_text, "inet", "t", "sub", 5, buf, sizeof(buf));
	CHECK_STR(buf, "");
	dr_nft_rule_text(NULL, "inet", "t", "sub", 5, buf, sizeof(buf));
	CHECK_STR(buf, "");

	CHECK(nft_is_iptables("ip6", "mangle", "PREROUTING"));
	CHECK(!nft_is_iptables("inet", "filter", "FORWARD"));
	CHECK(!nft_is_iptables("ip", "filter", "forward"));
	CHECK(!nft_is_iptables("ip", "mine", "INPUT"));

	/* The private ranges doctor expects masquerade for. */
	struct nsnet_prefix a;
	nsnet_addr_parse("192.168.15.2", &a, NULL);
	CHECK(dr_addr_private(&a));
	nsnet_addr_parse("203.0.113.2", &a, NULL);
	CHECK(!dr_addr_private(&a));
	nsnet_addr_parse("fd00::1", &a, NULL);
	CHECK(dr_addr_private(&a));

	json_decref(rs);
	return UNIT_DONE();
}
