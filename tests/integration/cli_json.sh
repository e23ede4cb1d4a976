#!/bin/bash
# Every verb that changes something takes --json (issue 12.6) and then prints one
# JSON object on stdout saying what it did, nothing else: down, connect, disconnect,
# net create|attach|detach|rm|set, ns add|del, route add|del, router NS on|off,
# publish, unpublish, fw restore. --json before the verb works too. Each answer is
# checked with jq, and the change itself with a witness: ip netns list, ip link,
# ip addr, ip route, /proc/sys, nft list.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all || true; rm -rf "$DIR" || true; }
trap cleanup EXIT

# run_json CMD...: nsnet CMD, which must succeed with nothing on stderr and exactly
# one JSON object on stdout; that object, compact, in $J.
run_json() {
	local err=$DIR/err
	J=$("$NSNET" "$@" 2>"$err") || fail "'nsnet $*' exited $? ($(cat "$err"))"
	[ ! -s "$err" ] || fail "'nsnet $*' wrote to stderr: $(cat "$err")"
	assert_eq "$(echo "$J" | jq -s 'length')" 1 "'nsnet $*' prints one JSON value"
	assert_eq "$(echo "$J" | jq -r 'type')" object "'nsnet $*' prints an object"
	J=$(echo "$J" | jq -c .)
}
# field FILTER: FILTER applied to $J, compact.
field() { echo "$J" | jq -c "$1"; }

# ns add, with the global --json before the verb; ns del --json.
run_json --json ns add ja jb jc
assert_eq "$J" '{"added":["ja","jb","jc"]}' "ns add"
for n in ja jb jc; do ip netns list | grep -qx "$n" || fail "ns add did not make $n"; done
run_json ns add jx --json -- --json-like
assert_eq "$J" '{"added":["jx","--json-like"]}' "ns add with a name after --"
run_json ns del jx --json -- --json-like
assert_eq "$J" '{"deleted":["jx","--json-like"]}' "ns del"
assert_no_match "$(ip netns list)" "^(jx|--json-like)( |$)" "ns del removed them"

# connect and disconnect.
run_json connect ja jb --subnet 10.70.0.0/30 --mtu 1400 --json
assert_eq "$J" '{"a":{"ns":"ja","ifname":"to-jb","ip":"10.70.0.1/30"},"b":{"ns":"jb","ifname":"to-ja","ip":"10.70.0.2/30"},"mtu":1400}' "connect"
assert_eq "$(ip -n ja -j addr show to-jb | jq -r '.[0] | "\(.mtu) \(.addr_info[0].local)/\(.addr_info[0].prefixlen)"')" "1400 10.70.0.1/30" "ja's end"
assert_eq "$(ip -n jb -j addr show to-ja | jq -r '.[0].addr_info[0].local')" 10.70.0.2 "jb's end"
run_json connect ja jc --ifnames c0,c1 --json
assert_eq "$J" '{"a":{"ns":"ja","ifname":"c0","ip":null},"b":{"ns":"jc","ifname":"c1","ip":null},"mtu":null}' "connect without addresses"
ip -n jc link show c1 >/dev/null || fail "connect did not make c1 in jc"
run_json disconnect ja jc --ifname c0 --json
assert_eq "$J" '{"a":"ja","b":"jc","ifname":"c0","removed":true}' "disconnect"
! ip -n ja link show c0 >/dev/null 2>&1 || fail "disconnect left c0 in ja"
! ip -n jc link show c1 >/dev/null 2>&1 || fail "disconnect left c1 in jc"

# route add and del.
run_json route add ja 10.80.0.0/16 via 10.70.0.2 --json
assert_eq "$J" '{"namespace":"ja","action":"add","to":"10.80.0.0/16","via":"10.70.0.2","dev":null}' "route add"
assert_match "$(ip -n ja route show 10.80.0.0/16)" "via 10.70.0.2 dev to-jb" "route add made the route"
run_json route add ja default dev to-jb --json
assert_eq "$J" '{"namespace":"ja","action":"add","to":"default","via":null,"dev":"to-jb"}' "route add default"
assert_match "$(ip -n ja route show default)" "^default dev to-jb" "the default route"
run_json route del ja 10.80.0.0/16 --json
assert_eq "$J" '{"namespace":"ja","action":"del","to":"10.80.0.0/16","via":null,"dev":null}' "route del"
assert_eq "$(ip -n ja route show 10.80.0.0/16)" "" "route del removed the route"

# router NS on|off: the object router NS --json prints.
run_json router ja on --json
assert_eq "$(field '[.namespace, .ipv4_forwarding]')" '["ja",true]' "router on"
assert_eq "$J" "$(nsnet router ja --json | jq -c .)" "router on answers as router NS --json"
assert_eq "$(ip netns exec ja cat /proc/sys/net/ipv4/ip_forward)" 1 "router on turned forwarding on"
run_json router ja off --json
assert_eq "$(field .ipv4_forwarding)" false "router off"
assert_eq "$(ip netns exec ja cat /proc/sys/net/ipv4/ip_forward)" 0 "router off turned forwarding off"

# net create, attach, set, detach, rm.
run_json net create jn --subnet 10.71.0.0/24 --json
assert_eq "$J" "$(nsnet net show jn --json | jq -c .)" "net create answers as net show --json"
assert_eq "$(field '[.name, .bridge, .nat, .subnets[0].cidr, .subnets[0].gateway, (.members | length)]')" \
	'["jn","jn",false,"10.71.0.0/24","10.71.0.1",0]' "net create"
assert_match "$(ip -j addr show jn | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" "^10.71.0.1$" "the bridge"
run_json net attach jn jb jc --json
assert_eq "$(field '[.network, [.attached[] | .ns, .ifname, .ips[0]]]')" \
	'["jn",["jb","eth0","10.71.0.2/24","jc","eth0","10.71.0.3/24"]]' "net attach"
assert_eq "$(field .attached)" "$(nsnet net show jn --json | jq -c .members)" "attached members as net show has them"
assert_eq "$(ip -n jc -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.71.0.3 "jc's address"
run_json net create jm --subnet 10.72.0.0/24 --json
run_json net set jn nat on --json
assert_eq "$(field .nat)" true "net set nat on"
assert_eq "$J" "$(nsnet net show jn --json | jq -c .)" "net set answers as net show --json"
assert_match "$(nft list set inet nsnet nat4)" "10\.71\.0\.0/24" "net set nat on: the subnet is masqueraded"
run_json net set jn allow jm --json
assert_eq "$(field '[.name, .allow]')" '["jn",["jm"]]' "net set allow"
assert_match "$(nft list set inet nsnet pairs)" '"jn" \. "jm"' "net set allow: the pair in nft"

# publish and unpublish (the entry as publish ls --json shows it).
run_json publish 8080 jb:80 --json
assert_eq "$J" "$(nsnet publish ls --json | jq -c '.[] | select(.host_port == 8080)')" "publish answers as publish ls"
assert_eq "$(field '[.proto, .host_ip, .host_port, .ns, .port, .net, .ip, .state]')" \
	'["tcp",null,8080,"jb",80,"jn","10.71.0.2","ok"]' "publish"
run_json publish 127.0.0.1:8081 jc:81 --proto udp --json
assert_eq "$(field '[.proto, .host_ip, .host_port, .ns, .port]')" '["udp","127.0.0.1",8081,"jc",81]' "publish udp"
assert_match "$(nft list ruleset)" "tcp \. 8080 : 10\.71\.0\.2 \. 80" "publish: the port in nft"
assert_match "$(nft list ruleset)" "udp \. 127\.0\.0\.1 \. 8081 : 10\.71\.0\.3 \. 81" "publish udp: the port in nft"
run_json unpublish 8081 --proto udp --json
assert_eq "$J" '{"proto":"udp","host_ip":"127.0.0.1","host_port":8081,"removed":true}' "unpublish says the address it was on"
assert_no_match "$(nft list ruleset)" "8081" "unpublish removed the port"

# fw restore after the table is gone.
nft delete table inet nsnet
run_json fw restore --json
assert_eq "$J" '{"restored":true,"foreign":[]}' "fw restore"
assert_match "$(nft list ruleset)" "tcp \. 8080 : 10\.71\.0\.2 \. 80" "fw restore put the published port back"
assert_match "$(nft list set inet nsnet nat4)" "10\.71\.0\.0/24" "fw restore put NAT back"
run_json unpublish 8080 --json
assert_eq "$J" '{"proto":"tcp","host_ip":null,"host_port":8080,"removed":true}' "unpublish"
assert_no_match "$(nft list ruleset)" "8080" "unpublish removed 8080"

run_json net detach jn jb --json
assert_eq "$J" '{"network":"jn","detached":["jb"]}' "net detach"
! ip -n jb link show eth0 >/dev/null 2>&1 || fail "net detach left eth0 in jb"
run_json net rm jn jm --force --json
assert_eq "$J" '{"removed":["jn","jm"]}' "net rm"
! ip link show jn >/dev/null 2>&1 || fail "net rm left the bridge jn"
! ip link show jm >/dev/null 2>&1 || fail "net rm left the bridge jm"

# Errors stay one line on stderr, with nothing on stdout.
out=$("$NSNET" route del ja 10.99.0.0/16 --json 2>"$DIR/err") && fail "route del of a missing route succeeded"
assert_eq "$out" "" "a failed --json verb prints nothing on stdout"
assert_eq "$(wc -l <"$DIR/err")" 1 "a failed --json verb: one line on stderr"

run_json ns del ja jb jc --json
assert_eq "$J" '{"deleted":["ja","jb","jc"]}' "ns del of several"
assert_eq "$(ip netns list)" "" "ns del removed them all"

# down, given the file or the name: the lab's name either way.
printf 'name: jlab\nnodes:\n  jl1: {}\n  jl2: {}\nlinks:\n  - endpoints: [jl1:e0, jl2:e0]\n    ips: [10.73.0.1/30, 10.73.0.2/30]\n' >"$DIR/jlab.yaml"
nsnet up "$DIR/jlab.yaml" >/dev/null
run_json down "$DIR/jlab.yaml" --json
assert_eq "$J" '{"lab":"jlab","removed":true}' "down FILE names the lab"
assert_eq "$(ip netns list)" "" "down FILE removed the nodes"
nsnet up "$DIR/jlab.yaml" >/dev/null
run_json --json down jlab
assert_eq "$J" '{"lab":"jlab","removed":true}' "down LAB"
assert_eq "$(ip netns list)" "" "down LAB removed the nodes"
expect_err 1 "^nsnet: down: lab 'jlab' not found$" "$NSNET" down jlab --json

# Without --json, these verbs print nothing, as before.
assert_eq "$(nsnet ns add jq)" "" "ns add without --json"
assert_eq "$(nsnet ns del jq)" "" "ns del without --json"
