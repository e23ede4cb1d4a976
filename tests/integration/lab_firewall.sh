#!/bin/bash
# A node's own firewall in the lab file (issue 12): `firewall: {input: [...]}` is
# applied in the node's namespace as table inet nsnet_node, checked by libnftables
# before anything changes (a bad rule is exit 2 and nothing made), changed in place
# when the file changes (the namespace and a process in it stay), reported by
# status when deleted by hand and put back by up; doctor names the rule.
# Witnesses: nft list table in the node, ping, a sleeping process, ls /run/netns.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() {
	if [ -n "${SLEEPER:-}" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
	lab_cleanup_all
	rm -rf "$DIR"
}
trap cleanup EXIT

write() {  # write NAME RULES
	cat >"$DIR/$1.yaml" <<EOF2
name: $1
networks:
  lan: {subnet: 10.86.0.0/24}
nodes:
  a: {interfaces: [{network: lan}]}
  db:
    interfaces: [{network: lan}]
    firewall: {input: [$2]}
EOF2
}

# Bad rules: refused before anything is made.
write fw '"tcp dport 22 frobnicate"'
expect_err 2 "^nsnet: up: $DIR/fw.yaml: node 'db': firewall input rule 'tcp dport 22 frobnicate': nftables: syntax error" \
	"$NSNET" up "$DIR/fw.yaml"
write fw '"tcp dport 22 drop; flush ruleset"'
expect_err 2 "firewall rule .*one nft rule, without ';', '#' or control characters" "$NSNET" up "$DIR/fw.yaml"
assert_eq "$(ls /run/netns)" "" "a refused lab makes no namespace"

write fw '"icmp type echo-request drop"'
explain=$(nsnet up "$DIR/fw.yaml" --dry-run --explain)
assert_match "$explain" "ip netns exec db nft 'add rule inet nsnet_node input icmp type echo-request drop'" "explain"
nsnet up "$DIR/fw.yaml" >/dev/null
assert_match "$(ip netns exec db nft list table inet nsnet_node)" "icmp type echo-request drop" "the rule in db's namespace"
assert_no_ping a 10.86.0.3
doc=$("$NSNET" doctor a db --json --timeout 700 || true)
assert_match "$(jq -r .cause <<<"$doc")" "table inet nsnet_node chain input: rule 1 'icmp type echo-request drop'" "doctor names the rule"

ip netns exec db sleep 600 &
SLEEPER=$!
ino=$(stat -L -c %i /run/netns/db)
write fw '"tcp dport 22 drop"'
assert_eq "$(nsnet up "$DIR/fw.yaml" --dry-run)" "update node:db: firewall changed in place" "the plan"
nsnet up "$DIR/fw.yaml" >/dev/null
assert_ping a 10.86.0.3
assert_match "$(ip netns exec db nft list table inet nsnet_node)" "tcp dport 22 drop" "the new rule"
assert_no_match "$(ip netns exec db nft list table inet nsnet_node)" "echo-request" "the old rule gone"
assert_eq "$(stat -L -c %i /run/netns/db)" "$ino" "db's namespace is the same"
kill -0 "$SLEEPER" || fail "the process in db died"

# Deleted by hand: degraded, and up puts it back in place.
ip netns exec db nft delete table inet nsnet_node
expect_rc 1 "$NSNET" status fw
assert_match "$("$NSNET" status fw || true)" "firewall \\(table inet nsnet_node\\)  MISSING" "status names it"
assert_eq "$(nsnet up "$DIR/fw.yaml" --dry-run)" "update node:db: firewall changed in place" "up repairs it in place"
nsnet up "$DIR/fw.yaml" >/dev/null
expect_rc 0 "$NSNET" status fw
kill -0 "$SLEEPER" || fail "the process in db died in the repair"
nsnet down fw
