#!/bin/bash
# `up --dry-run --explain` prints commands to paste into a shell: every name and
# value in them is one shell word. Node names are namespace names, which may hold
# $, (, ), spaces and quotes: the explained `ip` commands, run by bash, must run
# nothing else (no PWNED file) and build exactly the namespaces and links nsnet
# builds, with exactly those names.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

cat >"$DIR/q.yaml" <<'YAML'
name: quoting
networks:
  qnet:
    subnet: 10.5.0.0/24
nodes:
  "x$(touch PWNED)":
    interfaces:
      - network: qnet
        ip: 10.5.0.10
  "it's `touch PWNED2` ; a b":
    interfaces:
      - network: qnet
        ip: 10.5.0.11
links:
  - endpoints: ["x$(touch PWNED):q-a", "it's `touch PWNED2` ; a b:q-b"]
    ips: [10.6.0.1/30, 10.6.0.2/30]
YAML
names=$(printf '%s\n' "it's \`touch PWNED2\` ; a b" 'x$(touch PWNED)' | sort)

nsnet up --dry-run --explain "$DIR/q.yaml" >"$DIR/explain"
grep -qF "    ip netns add 'x\$(touch PWNED)'" "$DIR/explain" || fail "the name is not quoted: $(grep 'netns add' "$DIR/explain")"
# Every explained line is a simple command: bash sees the name as one exact word.
line=$(grep -m1 "^    ip netns add 'it" "$DIR/explain")
words=$(bash -c "set -- ${line#    }; printf '%s\n' \"\$4\" \"\$#\"")
assert_eq "$words" "it's \`touch PWNED2\` ; a b
4" "the words bash sees in '$line'"

# Run the ip lines by hand, in an empty directory: they make the lab's namespaces
# and links with exactly the lab's names, and nothing else.
mkdir "$DIR/cwd"
grep '^    ip ' "$DIR/explain" | sed 's/^    //' >"$DIR/by-hand.sh"
(cd "$DIR/cwd" && bash -e "$DIR/by-hand.sh") || fail "the explained commands fail when run by bash"
assert_eq "$(ls -A "$DIR/cwd")" "" "the explained commands ran something else (files made)"
assert_eq "$(ls -A /run/netns | sort)" "$names" "namespaces made by the explained commands"
assert_eq "$(ip -n 'x$(touch PWNED)' -j addr show q-a | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.6.0.1 "link end made by hand"
ip netns del 'x$(touch PWNED)'
ip netns del "it's \`touch PWNED2\` ; a b"
for n in $(ip -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname'); do ip link del "$n" 2>/dev/null || true; done  # veths of deleted namespaces vanish on their own, asynchronously
state_settles_to "$before" "after removing what the commands made"

# nsnet itself makes the same names.
(cd "$DIR/cwd" && nsnet up "$DIR/q.yaml" >/dev/null)
assert_eq "$(ls -A /run/netns | sort)" "$names" "namespaces made by nsnet up"
assert_eq "$(ls -A "$DIR/cwd")" "" "nsnet up made files"
nsnet down quoting
state_settles_to "$before" "after down"
