#!/bin/bash
# Names can never reach a path outside nsnet's directories (issue 10, deliver 4):
# namespace, network, lab, node and interface names with '/', '..', '.', a leading
# '-', control characters or too many bytes are refused by every command that takes
# one (exit 2, one line naming the bad name), before anything is touched. Witnesses:
# /run, /etc/netns, the names in /etc, the working directory and its parent (the
# commands run in an empty directory, where a relative climb would land), links and
# the nft ruleset are identical before and after.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
mkdir -p "$DIR/cwd/sub"
cd "$DIR/cwd/sub"

nsnet ns add nm-ok
world() {
	find /run /etc/netns "$DIR/cwd" -path /run/nsnet/state.lock -prune -o -printf '%p %m %s\n' 2>/dev/null | sort
	ls -A /etc
	ip -o link show | awk -F': ' '{print $2}'
	nft list ruleset
}
world >"$DIR/world.before"

long=$(printf 'a%.0s' $(seq 300))
bad_names=("../x" "a/b" "/abs" "." ".." "$(printf 'a\nb')" "$(printf 'a\tb')" "$long")
cmds=(
	"ns add NAME" "ns del NAME" "ns pids NAME" "exec NAME -- true" "show NAME"
	"connect NAME nm-ok --subnet 10.96.0.0/30" "connect nm-ok NAME --subnet 10.96.0.0/30" "disconnect NAME nm-ok"
	"route add NAME 10.97.0.0/24 via 10.96.0.1" "route ls NAME" "router NAME on"
	"net create NAME --subnet 10.98.0.0/24" "net show NAME" "net rm NAME" "net attach NAME nm-ok"
	"net detach NAME nm-ok" "net set NAME nat on"
	"publish 8080 NAME:80" "status NAME" "down NAME" "pingall NAME" "graph NAME"
)
n=0
for name in "${bad_names[@]}"; do
	for c in "${cmds[@]}"; do
		read -ra words <<<"$c"
		argv=()
		for w in "${words[@]}"; do
			case $w in
			NAME) argv+=("$name") ;;
			NAME:80) argv+=("$name:80") ;;
			*) argv+=("$w") ;;
			esac
		done
		rc=0
		out=$("$NSNET" "${argv[@]}" 2>&1 >/dev/null) || rc=$?
		# A lab argument with a '/' is a file path (nsnet down lab.yaml): then a
		# missing file is the error, and nothing was opened outside what was named.
		case "$c $name" in
		"status NAME"*/* | "down NAME"*/* | "pingall NAME"*/* | "graph NAME"*/*)
			[ "$rc" -ne 0 ] || fail "'${argv[*]}' succeeded" ;;
		# An absolute path is a namespace reference where a namespace is only looked at
		# or entered (docs/namespaces.md): a missing file is "not found".
		"ns pids NAME /abs" | "exec NAME -- true /abs" | "show NAME /abs")
			[ "$rc" = 1 ] || fail "'${argv[*]}' exited $rc, expected 1: $out"
			assert_match "$out" "namespace '/abs' not found" "'${argv[*]}' says the file is missing" ;;
		*)
			[ "$rc" = 2 ] || fail "'${argv[*]}' exited $rc, expected 2: $out"
			assert_match "$out" "invalid|is neither|must|reserved|expected" "'${argv[*]}' says the name is bad" ;;
		esac
		[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "'${argv[*]}': more than one line: $out"
		n=$((n + 1))
	done
done
# Lab files: the lab's, a node's, a network's and an interface's name.
for y in "name: ../x" "name: a/b" "name: x\nnodes:\n  ../a: {}" "name: x\nnodes:\n  a/b: {}" \
	"name: x\nnetworks:\n  ../n: {subnet: 10.99.0.0/24}" "name: x\nnetworks:\n  n: {subnet: 10.99.0.0/24, bridge: ../br}" \
	"name: x\nnetworks:\n  n: {subnet: 10.99.0.0/24}\nnodes:\n  a:\n    interfaces:\n      - {network: n, ifname: ../e}"; do
	printf "$y\n" >"$DIR/lab.yaml"
	expect_err 2 "^nsnet: [a-z]+: $DIR/lab.yaml:[0-9]+:[0-9]+: " "$NSNET" up "$DIR/lab.yaml"
	n=$((n + 1))
done
note "$n bad names refused"
world >"$DIR/world.after"
diff "$DIR/world.before" "$DIR/world.after" >&2 || fail "a refused name changed something"
cd /
nsnet ns del nm-ok
state_settles_to "$before" "after the test"
