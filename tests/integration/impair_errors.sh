#!/bin/bash
# Link impairments refused before anything changes: what needs netem (this kernel
# has none: the message names the missing qdisc), bad rates and losses, unknown keys,
# the wrong shape, each at FILE:LINE:COL. The sandbox is the same before and after.
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# try IMPAIR_LINE RC PATTERN: a lab whose link has "impair: IMPAIR_LINE" (line 8).
try() {
	cat >"$dir/bad.yaml" <<Y
name: bad
nodes:
  ia: {}
  ib: {}
links:
  - endpoints: [ia:p0, ib:p0]
    ips: [10.77.0.1/24, 10.77.0.2/24]
    impair: $1
Y
	local before after
	before=$(sandbox_state || true)
	expect_err "$2" "$3" "$NSNET" up "$dir/bad.yaml"
	after=$(sandbox_state || true)
	assert_eq "$after" "$before" "up of a refused file changed nothing"
}

# netem: asked of the kernel, which lacks it here; with netem it says "not implemented".
if ip netns exec ia true 2>/dev/null; then fail "no namespace ia expected"; fi
if tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	tc qdisc del dev lo root
	try "[{delay: 10ms}, {}]" 2 "bad.yaml:8:[0-9]+: .*impair: delay is not implemented yet"
else
	try "[{delay: 10ms}, {}]" 2 "bad.yaml:8:[0-9]+: .*impair: delay needs the netem qdisc \(sch_netem\), which this kernel does not have"
	try "[{}, {rate: 1mbit, jitter: 2ms}]" 2 "bad.yaml:8:[0-9]+: .*jitter needs the netem qdisc"
	try "[{duplicate: 1%}, {}]" 2 "bad.yaml:8:[0-9]+: .*duplicate needs the netem qdisc"
	try "[{corrupt: 1%}, {}]" 2 "bad.yaml:8:[0-9]+: .*corrupt needs the netem qdisc"
fi
try "[{rate: fast}, {}]" 2 "bad.yaml:8:[0-9]+: .*rate 'fast': write a number and a unit"
try "[{rate: 10mbits}, {}]" 2 "bad.yaml:8:[0-9]+: .*rate '10mbits': unknown unit"
try "[{rate: 1bit}, {}]" 2 "bad.yaml:8:[0-9]+: .*rate '1bit': out of range"
try "[{loss: 101%}, {}]" 2 "bad.yaml:8:[0-9]+: .*loss '101%': more than 100%"
try "[{loss: 5}, {}]" 2 "bad.yaml:8:[0-9]+: .*loss '5': write a percentage"
try "[{rate: 1mbit, burst: 10k}, {}]" 2 "bad.yaml:8:[0-9]+: .*burst"
try "{rate: 1mbit}" 2 "bad.yaml:8:[0-9]+: .*impair: one map per end"
try "[{rate: 1mbit}]" 2 "bad.yaml:8:[0-9]+: .*impair: one map per end"
note "ok"
