# Sourced by tests/integration/doctor_*.sh (after tests/lib.sh): run `nsnet doctor`,
# check its diagnosis, apply the fix it printed, and check that the fix works.

# doc ARGS...: nsnet doctor ARGS --json; the report in $DOC, the exit status in $DOC_RC.
doc() {
	DOC_RC=0
	DOC=$("$NSNET" doctor "$@" --timeout "${DOC_TIMEOUT:-700}" --json) || DOC_RC=$?
}
docq() { jq -r "$1" <<<"$DOC"; }

# expect_broken CAUSE_RE FIX SRC DST [ARGS...]: not reachable, exit 1, the cause
# matching CAUSE_RE (grep -E), the fix exactly FIX (or matching it, written ~REGEX),
# the last check the failed one.
expect_broken() {
	local cause=$1 fix=$2; shift 2
	doc "$@"
	[ "$DOC_RC" = 1 ] || fail "doctor $*: exit $DOC_RC, expected 1: $(docq '.checks[].evidence')"
	assert_eq "$(docq .reachable)" false "doctor $*: reachable"
	assert_match "$(docq .cause)" "$cause" "doctor $*: cause"
	if [ "${fix#\~}" != "$fix" ]; then
		assert_match "$(docq .fix)" "${fix#\~}" "doctor $*: fix"
	else
		assert_eq "$(docq .fix)" "$fix" "doctor $*: fix"
	fi
	assert_eq "$(docq '[.checks[] | select(.mark == "fail")] | length')" 1 "doctor $*: failed checks"
	assert_eq "$(docq '.checks[-1].mark')" fail "doctor $*: the walk stops at the failed check"
	assert_eq "$(docq '.path | length')" 0 "doctor $*: no path when unreachable"
}

# expect_reachable SRC DST [ARGS...]: exit 0, probe ok, no cause; $DOC_PATH is the path.
expect_reachable() {
	doc "$@"
	[ "$DOC_RC" = 0 ] || fail "doctor $*: exit $DOC_RC, expected 0: cause '$(docq .cause)', checks: $(docq '.checks[] | .mark + " " + .evidence')"
	assert_eq "$(docq .reachable)" true "doctor $*: reachable"
	assert_eq "$(docq .probe.result)" ok "doctor $*: probe"
	assert_eq "$(docq .cause)" null "doctor $*: cause"
	assert_eq "$(docq '[.checks[] | select(.mark == "fail")] | length')" 0 "doctor $*: failed checks"
	DOC_PATH=$(docq '.path | join(" -> ")')
}

# apply_fix: run the fix of the last report, as a user would paste it.
apply_fix() {
	local fix
	fix=$(docq .fix)
	[ "$fix" != null ] || fail "no fix to apply"
	eval "$fix" >/dev/null || fail "the fix '$fix' failed"
}

# ping_after_fix NS ADDR: the witness after a fix. A link just set up takes a moment
# before its bridge port forwards (linkwatch), and a failed neighbour entry a moment
# to be asked again: up to 5 tries.
ping_after_fix() {
	for _ in 1 2 3 4 5; do
		ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 && return 0
	done
	fail "$1 cannot ping $2 after the fix"
}
