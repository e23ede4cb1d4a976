#!/bin/bash
# Real routing software nobody here wrote, run by a lab: examples/ospf-triangle.yaml
# puts bird (Debian's bird2) on three routers in a triangle, configured from files
# the lab places in each router's /etc, as services. The test waits for OSPF to
# converge, checks that each router learned the others' networks from bird (proto
# bird, no static routes), that host ha reaches hb, and, after the r1-r3 link is cut
# (removed from the file, then up again), that r1 reaches hb's network through r2 and
# the hosts still reach each other; the daemons were not restarted by it. Witnesses:
# ip route, ping, birdc, ps.
source "$(dirname "$0")/../lib.sh"
command -v bird >/dev/null || skip "bird is not installed (Debian's bird2; scripts/deps installs it)"

EX=$(dirname "$0")/../../examples/ospf-triangle.yaml
CUT=$(mktemp --suffix=.yaml)
cleanup() {
	"$NSNET" down ospf-triangle >/dev/null 2>&1 || true
	rm -f "$CUT"
}
trap cleanup EXIT

nsnet up "$EX" >/dev/null
learned() { ip netns exec "$1" ip -4 route show proto bird; }
# (grep -q on a here-string: in a pipe under pipefail, grep -q closing early fails it.)
has_route() { grep -q "$2" <<<"$(learned "$1")"; }
converged() {
	has_route r1 '^10\.3\.0\.0/24 via' && has_route r3 '^10\.1\.0\.0/24 via' &&
		has_route r2 '^10\.1\.0\.0/24 via' && has_route r2 '^10\.3\.0\.0/24 via'
}
for _ in $(seq 60); do converged && break; sleep 0.5; done
converged || fail "OSPF did not converge in 30 s: r1: $(learned r1 | tr '\n' ';') r2: $(learned r2 | tr '\n' ';')"
for r in r1 r2 r3; do
	assert_eq "$(ip netns exec $r ip -4 route show proto static)" "" "static routes in $r"
done
assert_match "$(learned r2)" '^10\.0\.13\.0/30 ' "r2 learned the r1-r3 link's network"
assert_match "$(learned r1)" '10\.3\.0\.0/24 via 10\.0\.13\.2 dev to-r3' "r1 reaches hb's network directly through r3"
assert_ping ha 10.3.0.2
assert_ping hb 10.1.0.2
assert_match "$(ip netns exec r1 birdc -s /run/bird-r1.ctl show ospf neighbors)" '10\.255\.0\.3 .*Full' "bird on r1: r3 is a full neighbour"
st=$("$NSNET" status ospf-triangle --json)
assert_eq "$(jq -r '[.services[] | select(.state == "running")] | length' <<<"$st")" 3 "three bird services running"
pids=$(jq -c '[.services[].pid]' <<<"$st")
assert_match "$("$NSNET" logs ospf-triangle r1)" 'service bird started' "logs ospf-triangle r1"

# Cut r1-r3: the same file without that link, up again.
python3 - "$EX" "$CUT" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out, skip = [], 0
for l in lines:
    if "endpoints: [r1:to-r3, r3:to-r1]" in l:
        skip = 2
    if skip:
        skip -= 1
        continue
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out))
PY
! grep -q 'r1:to-r3' "$CUT" || fail "the test could not cut the link from the file"
plan=$("$NSNET" up "$CUT" --dry-run)
assert_match "$plan" 'remove link:r1' "the plan removes the r1-r3 link"
assert_no_match "$plan" 'svc:' "the plan leaves the services alone"
nsnet up "$CUT" >/dev/null
# Both ways must move: r1 towards hb through r2, and r3 back towards ha through r2
# (the ping's reply takes r3's route; r3 may reconverge after r1 does).
rerouted() {
	has_route r1 '^10\.3\.0\.0/24 via 10\.0\.12\.2 dev to-r2' &&
		has_route r3 '^10\.1\.0\.0/24 via 10\.0\.23\.1 dev to-r2'
}
for _ in $(seq 60); do rerouted && break; sleep 0.5; done
rerouted || fail "r1 and r3 did not reroute through r2: r1: $(learned r1 | tr '\n' ';') r3: $(learned r3 | tr '\n' ';')"
assert_ping ha 10.3.0.2
assert_match "$(ip netns exec ha traceroute -n -w1 -q1 10.3.0.2 2>/dev/null || ip netns exec ha ping -c1 -R 10.3.0.2)" \
	'10\.0\.(12\.2|23\.2)' "the way from ha to hb goes through r2"
assert_eq "$("$NSNET" status ospf-triangle --json | jq -c '[.services[].pid]')" "$pids" "the daemons were not restarted"

# A service whose daemon exits shows as such: stop r2's bird behind nsnet's back.
ip netns exec r2 birdc -s /run/bird-r2.ctl down >/dev/null
for _ in $(seq 50); do
	[ "$("$NSNET" status ospf-triangle --json | jq -r '.services[] | select(.node == "r2") | .state')" != running ] && break
	sleep 0.2
done
r2=$("$NSNET" status ospf-triangle --json | jq -c '.services[] | select(.node == "r2")' || true)  # degraded: exit 1
assert_match "$r2" '"state":"(exited|restarting)"' "status of r2's stopped bird"
nsnet down ospf-triangle
! pgrep -x bird >/dev/null || fail "a bird survived down"
