#!/bin/bash
# The units in systemd/. `systemd-analyze verify` has nothing to say about either
# (with their /usr/sbin/nsnet pointed at the binary under test, as make install
# points it at SBINDIR; --man=no: the man pages are not installed on this machine).
# nsnet@LAB.service's ExecStart and ExecStop, expanded for an instance as systemd
# expands them (%i), bring /etc/nsnet/labs/LAB.yaml up and down; /etc here is an
# overlay in this test's own mount namespace, never the real one. And the watcher
# restores the table with no more than its unit's CapabilityBoundingSet and
# NoNewPrivileges (setpriv). PID 1 here is not systemd, so the units themselves are
# not started.
source "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || skip "no systemd-analyze (scripts/deps installs systemd)"
UNITS=$(cd "$(dirname "$0")/../../systemd" && pwd)
DIR=$(mktemp -d)
LAB=fwu-web
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$NSNET" down fwu-named >/dev/null 2>&1 || true
	"$NSNET" net rm fwu-net --force >/dev/null 2>&1 || true
	ip netns del fwu-wan 2>/dev/null || true
	mountpoint -q /etc && { umount /etc/netns 2>/dev/null; umount /etc || true; }
	umount "$DIR/netns" "$DIR/t" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT

# ---- verify -------------------------------------------------------------------
for u in nsnet@.service nsnet-fw-watch.service; do
	[ -f "$UNITS/$u" ] || fail "systemd/$u is missing"
	# Every command line starts with /usr/sbin/nsnet: what make install rewrites.
	assert_eq "$(grep -E '^Exec' "$UNITS/$u" | grep -vc '=/usr/sbin/nsnet ' || true)" 0 "$u's Exec lines run /usr/sbin/nsnet"
done
mkdir "$DIR/units"
for u in nsnet@.service nsnet-fw-watch.service; do
	sed "s|/usr/sbin/nsnet|$NSNET|g" "$UNITS/$u" >"$DIR/units/$u"
done
out=$(cd "$DIR/units" && systemd-analyze verify --man=no ./nsnet-fw-watch.service "./nsnet@$LAB.service" 2>&1) ||
	fail "systemd-analyze verify: $out"
assert_eq "$out" "" "systemd-analyze verify's warnings"
# The verifier does catch a mistake (so the empty answer above means something).
sed 's/^ExecStart=/ExecStrat=/' "$DIR/units/nsnet@.service" >"$DIR/units/bad@.service"
assert_match "$(cd "$DIR/units" && systemd-analyze verify --man=no ./bad@x.service 2>&1 || true)" "Unknown key" \
	"systemd-analyze verify on a broken unit"
rm "$DIR/units/bad@.service"

key() { sed -n "s/^$2=//p" "$DIR/units/$1"; }
assert_eq "$(key nsnet@.service Type) $(key nsnet@.service RemainAfterExit)" "oneshot yes" "nsnet@'s type"
assert_eq "$(key nsnet@.service ConditionPathExists)" "/etc/nsnet/labs/%i.yaml" "nsnet@'s condition"
assert_eq "$(key nsnet@.service WantedBy) $(key nsnet-fw-watch.service WantedBy)" \
	"multi-user.target multi-user.target" "WantedBy"
assert_eq "$(key nsnet-fw-watch.service ExecStart)" "$NSNET fw watch" "nsnet-fw-watch's ExecStart"
assert_eq "$(key nsnet-fw-watch.service Restart)" "on-failure" "nsnet-fw-watch's Restart"

# ---- nsnet@LAB: /etc/nsnet/labs in a private /etc ------------------------------
# An overlay on /etc with its upper layer on a tmpfs of this test: writes land there.
# The sandbox's own /etc/netns (a tmpfs) is put back on top of it.
mkdir -p "$DIR/t" "$DIR/netns"
mount -t tmpfs tmpfs "$DIR/t"
mkdir "$DIR/t/upper" "$DIR/t/work"
mount --bind /etc/netns "$DIR/netns"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$DIR/t/upper,workdir=$DIR/t/work" /etc
mount --bind "$DIR/netns" /etc/netns
mkdir -p /etc/nsnet/labs
# Its name is not the file's: `down FILE` finds the lab by the name in the file.
cat >/etc/nsnet/labs/$LAB.yaml <<'EOF'
name: fwu-named
networks:
  fwu-net:
    subnet: 10.98.0.0/24
    nat: true
nodes:
  fwu-web:
    interfaces:
      - network: fwu-net
        ip: 10.98.0.3
    publish:
      - host_port: 8080
        port: 80
EOF
[ -e "$DIR/t/upper/nsnet/labs/$LAB.yaml" ] || fail "the lab file is not in the overlay"

# The unit's commands for instance LAB, as systemd runs them: %i is the instance.
run_exec() {  # run_exec KEY
	local line
	line=$(key nsnet@.service "$1")
	line=${line//%i/$LAB}
	# No quotes or specifiers other than %i in these lines: plain word splitting.
	# shellcheck disable=SC2086
	$line
}
cond=$(key nsnet@.service ConditionPathExists)
[ -e "${cond//%i/$LAB}" ] || fail "ConditionPathExists ${cond//%i/$LAB} does not hold"
run_exec ExecStart >/dev/null
assert_eq "$("$NSNET" status fwu-named --json | jq -r .status)" "up" "the lab after ExecStart"
assert_eq "$(ip netns list | awk '{print $1}' | grep -c '^fwu-web$')" 1 "the lab's namespace after ExecStart"
assert_match "$(nft list table inet nsnet)" "dnat ip to" "the lab's published port in nsnet's table"
# Real traffic: an outside namespace (documentation addresses) to the published port.
ip netns exec fwu-web socat TCP4-LISTEN:80,fork,reuseaddr SYSTEM:'read l; echo web' & PIDS+=($!)
nsnet ns add fwu-wan
nsnet connect host fwu-wan --ip 198.51.100.1/24,198.51.100.2/24 --ifnames fwuwan0,eth0
sleep 0.3
assert_eq "$(echo hi | ip netns exec fwu-wan timeout 5 socat -T2 - TCP:198.51.100.1:8080,connect-timeout=2 2>/dev/null || true)" \
	"web" "the lab's published port from outside"

# ---- the watcher with only its unit's capabilities --------------------------------
caps=$(key nsnet-fw-watch.service CapabilityBoundingSet | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd, -)
[ "$(key nsnet-fw-watch.service NoNewPrivileges)" = yes ] || fail "nsnet-fw-watch has no NoNewPrivileges=yes"
setpriv --bounding-set "-all,$caps" --no-new-privs -- "$NSNET" fw watch --once >"$DIR/log" 2>"$DIR/err" &
WP=$!
PIDS+=("$WP")
for _ in $(seq 500); do
	grep -q watching "$DIR/err" && break
	kill -0 "$WP" 2>/dev/null || fail "fw watch under setpriv exited: $(cat "$DIR/err")"
	sleep 0.02
done
nft flush ruleset
wait_exit "$WP" || fail "fw watch --once under setpriv did not finish"
wait "$WP" || fail "fw watch --once with the unit's capabilities failed: $(cat "$DIR/err")"
assert_match "$(cat "$DIR/log")" "restored table inet nsnet \(table deleted; 1 network\)" "the watcher's line"
expect_rc 0 "$NSNET" fw status
ip netns del fwu-wan

run_exec ExecStop
expect_err 1 "not found" "$NSNET" status fwu-named
assert_eq "$(ip netns list | grep -c '^fwu-web' || true)" 0 "the lab's namespace after ExecStop"
assert_eq "$(nft list tables)" "" "nft tables after ExecStop"
