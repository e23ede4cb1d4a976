#!/bin/bash
# Every libFuzzer harness (tests/fuzz/fuzz_*.c), briefly: it replays its committed
# seed corpus (which holds every input that once found a bug) and then fuzzes for
# a few thousand runs. Any crash, leak, sanitizer report or broken property fails.
# The harnesses are a sanitizer build of their own, so the suite runs this once,
# not again in its ASan pass. The long run is scripts/fuzz.
# nsnet-test-not-asan: the harnesses are their own sanitizer build (build-fuzz), the same binaries in both passes
. "$(dirname "$0")/../lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null || skip "clang is not installed (needed for libFuzzer)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

make -s -C "$REPO" fuzz >"$WORK/make.log" 2>&1 || { cat "$WORK/make.log"; fail "make fuzz failed"; }
runs=20000
n=0
for src in "$REPO"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=$REPO/build-fuzz/$name
	mkdir -p "$WORK/$name"
	# New inputs go to the scratch corpus first on the command line, never to the committed one.
	if ! "$bin" -runs=$runs -max_total_time=10 -print_final_stats=1 -artifact_prefix="$WORK/" \
		"$WORK/$name" "$REPO/tests/fuzz/corpus/$name" >"$WORK/$name.log" 2>&1; then
		tail -n 40 "$WORK/$name.log"
		fail "$name found a problem"
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$name.log" | tail -n1)
	note "$name: ${execs:-0} executions"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n harnesses in tests/fuzz/"
