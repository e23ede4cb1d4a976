#!/bin/bash
# Crash safety: `up` of a 100-node lab (a NAT network, a link to the host) killed
# with SIGKILL at many different moments; then `nsnet gc` leaves the sandbox exactly
# as before: namespaces, links, nft ruleset, files under /run/nsnet (but the lock),
# including the network's address pool. Also: after a kill, `up` refuses to run until
# gc; `nsnet down LAB` after a kill removes everything too; a `down` killed half-way
# is finished by the next `down`.
# Witnesses: sandbox_state (ls /run/netns, ip link, nft list ruleset, find /run/nsnet),
# jq on the lab's state file (the journal a killed up leaves).
# Many 100-node ups: minutes on a busy machine; the limit only catches a hang.
# nsnet-test-timeout: 900
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

big_yaml gk 100 gk-net 10.80.0.0/16 | sed 's|^    subnet: 10.80.0.0/16$|&\n    nat: true|' >"$DIR/lab.yaml"
printf 'links:\n  - endpoints: [host:gk-h, gk-001:h]\n    ips: [10.81.0.1/30, 10.81.0.2/30]\n' >>"$DIR/lab.yaml"
grep -q 'nat: true' "$DIR/lab.yaml" || fail "lab file without NAT"

# How long does a whole up take here? Kills are spread over that span.
start=$EPOCHREALTIME
nsnet up "$DIR/lab.yaml" >/dev/null
span=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
nsnet down gk
state_settles_to "$before" "after a plain up/down"
note "a whole up takes ${span}s"

# kill_up DELAY: start up, SIGKILL it after DELAY seconds. Prints the lab's status
# after the kill: "applying" (killed half-way), "up" (finished first) or "none".
kill_up() {
	"$NSNET" up "$DIR/lab.yaml" >/dev/null 2>&1 &
	local pid=$! rc=0
	sleep "$1"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || rc=$?
	jq -r .status /run/nsnet/labs/gk.json 2>/dev/null || echo none
}

# wait_applying PID: until the lab records "applying" (the up's journal is written)
# or PID has ended.
wait_applying() {
	local i
	for ((i = 0; i < 2000; i++)); do
		[ "$(jq -r .status /run/nsnet/labs/gk.json 2>/dev/null)" = applying ] && return 0
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.005
	done
}

# Delays: fixed points across the span, then random ones.
delays=$(awk -v s="$span" 'BEGIN { n = split("0 0.002 0.005 0.01 0.03 0.06 0.1 0.15 0.25 0.4 0.6 0.8 1.1", f, " ");
	for (i = 1; i <= n; i++) printf "%.3f\n", f[i] * s }')
delays="$delays $(awk -v s="$span" -v seed="$RANDOM" 'BEGIN { srand(seed); for (i = 0; i < 8; i++) printf "%.3f\n", rand() * s }')"
halfway=0 finished=0 early=0
for d in $delays; do
	status=$(kill_up "$d")
	case $status in
	applying)
		halfway=$((halfway + 1))
		# A dead up's journal blocks the next up until gc.
		expect_err 1 "a previous 'up' \(pid [0-9]+\) died half-way; run 'nsnet gc' first" "$NSNET" up "$DIR/lab.yaml"
		out=$(nsnet gc)
		assert_match "$out" "undid the interrupted 'up' of lab gk" "gc's report after a kill at ${d}s"
		;;
	up)
		finished=$((finished + 1))
		assert_eq "$(nsnet gc)" "" "gc with nothing to do"
		# Recorded whole, source included (graph and status read it).
		nsnet graph gk >/dev/null || fail "graph of a lab whose up was killed after it finished"
		assert_eq "$(nsnet status gk --json | jq -r .file)" "$DIR/lab.yaml" "the recorded file"
		nsnet down gk
		;;
	none)
		early=$((early + 1))
		nsnet gc >/dev/null
		;;
	*) fail "lab state after a kill at ${d}s: '$status'" ;;
	esac
	state_settles_to "$before" "after kill -9 at ${d}s (lab was '$status') and gc"
done
# Timed kills land where a busy machine's scheduler puts them: until five landed
# half-way, kill once the lab records "applying" (its journal is written), after a
# random part of the span.
for ((extra = 0; halfway < 5 && extra < 20; extra++)); do
	"$NSNET" up "$DIR/lab.yaml" >/dev/null 2>&1 &
	pid=$!
	wait_applying $pid
	sleep "$(awk -v s="$span" -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.3f", rand() * s * 0.5 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	status=$(jq -r .status /run/nsnet/labs/gk.json 2>/dev/null || echo none)
	[ "$status" = applying ] && halfway=$((halfway + 1))
	[ "$status" = up ] && nsnet down gk
	nsnet gc >/dev/null
	state_settles_to "$before" "after kill -9 once the lab was applying (it was '$status') and gc"
done
note "killed half-way $halfway times, before the journal $early, after the end $finished"
[ "$halfway" -ge 5 ] || fail "only $halfway of the kills landed half-way through up"

# A state file is written to NAME.tmp and renamed: a kill in between leaves the .tmp
# (seen above at random moments); gc removes such files (every writer holds the lock
# gc holds, so a .tmp gc sees is a dead writer's).
mkdir -p /run/nsnet/labs /run/nsnet/networks
echo '{"name": "gk"' >/run/nsnet/labs/gk.json.tmp
echo '{' >/run/nsnet/networks/gk-net.json.tmp
nsnet gc >/dev/null
state_settles_to "$before" "after gc with stale .tmp state files"

# A second gc has nothing to do.
assert_eq "$(nsnet gc --json | jq -c '[.labs, .networks, .reconciled]')" '[[],[],[]]' "gc --json when clean"

# `down LAB` after a kill, without gc.
downed=0
for d in $(awk -v s="$span" 'BEGIN { printf "%.3f %.3f %.3f", s * 0.1, s * 0.3, s * 0.6 }'); do
	status=$(kill_up "$d")
	[ "$status" = none ] && continue
	nsnet down gk
	state_settles_to "$before" "after kill -9 at ${d}s (lab was '$status') and down"
	downed=$((downed + 1))
done
[ "$downed" -ge 1 ] || fail "no kill left a lab to take down"

# A `down` killed half-way: the next one finishes it.
for frac in 0.05 0.2 0.5; do
	nsnet up "$DIR/lab.yaml" >/dev/null
	"$NSNET" down gk >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v s="$span" -v f=$frac 'BEGIN { printf "%.3f", s * f }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	if [ -e /run/nsnet/labs/gk.json ]; then
		nsnet down gk
	fi
	state_settles_to "$before" "after a down killed at ${frac} of the span, and another down"
done

# A reconciling up killed half-way: a running 10-node lab grows to 100 in the file;
# the up is killed; gc takes the lab back to its 10 nodes exactly: same namespaces
# (inodes), interfaces, addresses, routes, and the address pool holds only them.
head -n $((6 + 3 * 10)) "$DIR/lab.yaml" >"$DIR/small.yaml"
assert_eq "$(grep -c '^  gk-[0-9]*:$' "$DIR/small.yaml")" 10 "nodes in the small file"
assert_eq "$(tail -1 "$DIR/small.yaml")" "      - network: gk-net" "the small file's end"
nsnet up "$DIR/small.yaml" >/dev/null
lab_settle
small_nodes=$(seq -f 'gk-%03g' 1 10)
lab_snapshot host $small_nodes >"$DIR/small.snap"
state_now >"$DIR/small.state"
jq -S '.members' /run/nsnet/networks/gk-net.json >"$DIR/small.members"
# Kills come a timed moment after the journal is written; some still land after the
# end: more moments are tried until two landed half-way.
grown=0 tried=0
for frac in 0.1 0.25 0.4 0.6 0.5 0.75 0.3 0.9 0.45 0.65; do
	[ $tried -ge 4 ] && [ $grown -ge 2 ] && break
	tried=$((tried + 1))
	"$NSNET" up "$DIR/lab.yaml" >/dev/null 2>&1 &
	pid=$!
	# Once its journal is written, so the kill lands half-way on a busy machine too.
	wait_applying $pid
	sleep "$(awk -v s="$span" -v f=$frac 'BEGIN { printf "%.3f", s * f * 0.5 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	status=$(jq -r .status /run/nsnet/labs/gk.json)
	if [ "$status" = up ] && [ "$(jq '.elements | length' /run/nsnet/labs/gk.json)" -gt 11 ]; then
		# It finished first: shrink back (a reconcile too) and go on.
		nsnet up "$DIR/small.yaml" >/dev/null
	elif [ "$status" = up ]; then
		# Killed before its journal was written: nothing changed (checked below).
		:
	else
		assert_eq "$status" applying "the lab's status after a kill at $frac of the span"
		grown=$((grown + 1))
		nsnet gc >/dev/null
	fi
	lab_settle
	state_settles_to "$DIR/small.state" "the 10-node lab after a reconciling up was killed at $frac and gc ran"
	lab_snapshot host $small_nodes >"$DIR/now.snap"
	diff "$DIR/small.snap" "$DIR/now.snap" >&2 || fail "the 10 nodes changed after a killed reconcile and gc"
	cmp -s <(jq -S '.members' /run/nsnet/networks/gk-net.json) "$DIR/small.members" || fail "the address pool is not as before"
done
[ "$grown" -ge 1 ] || fail "no reconciling up was killed half-way"

# A shrinking up (100 -> 10 nodes) killed half-way: gc finishes the removal; the 10
# nodes were never touched.
shrunk=0 tried=0
for frac in 0.05 0.2 0.5 0.35 0.1 0.7 0.15 0.3; do
	[ $tried -ge 3 ] && [ $shrunk -ge 1 ] && break
	tried=$((tried + 1))
	nsnet up "$DIR/lab.yaml" >/dev/null
	"$NSNET" up "$DIR/small.yaml" >/dev/null 2>&1 &
	pid=$!
	wait_applying $pid
	sleep "$(awk -v s="$span" -v f=$frac 'BEGIN { printf "%.3f", s * f * 0.2 }')"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	status=$(jq -r .status /run/nsnet/labs/gk.json)
	nodes=$(jq '.elements | keys | map(select(startswith("node:"))) | length' /run/nsnet/labs/gk.json)
	if [ "$status" = applying ]; then
		shrunk=$((shrunk + 1))
		nsnet gc >/dev/null
	elif [ "$nodes" -gt 10 ]; then
		# Killed before its journal was written: nothing was changed yet, the
		# lab is whole at 100 nodes; the next up does the shrink.
		assert_eq "$(ls /run/netns | grep -c '^gk-')" "100" "namespaces after a kill before the journal"
		nsnet up "$DIR/small.yaml" >/dev/null
	fi
	nsnet gc >/dev/null
	lab_settle
	state_settles_to "$DIR/small.state" "the lab after a shrinking up was killed at $frac and gc ran"
	lab_snapshot host $small_nodes >"$DIR/now.snap"
	diff "$DIR/small.snap" "$DIR/now.snap" >&2 || fail "the 10 nodes changed after a killed shrink and gc"
	cmp -s <(jq -S '.members' /run/nsnet/networks/gk-net.json) "$DIR/small.members" || fail "the address pool is not as before the shrink"
done
[ "$shrunk" -ge 1 ] || fail "no shrinking up was killed half-way"
nsnet down gk
state_settles_to "$before" "after the last down"
