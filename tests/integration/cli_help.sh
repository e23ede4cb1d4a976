#!/bin/bash
# CLI surface: help generated from the verb tables for the top level and every verb
# (walked from the help itself, so new verbs are covered), usage errors exit 2 on
# stderr, and nothing is created by a help or usage error.
. "$(dirname "$0")/../lib.sh"

# verbs_of "PROG WORDS...": the command names listed in its help.
verbs_of() {
	"$NSNET" "$@" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

out=$("$NSNET" --help) || fail "nsnet --help exited $?"
assert_match "$out" '^Usage: nsnet COMMAND' "top-level help"
assert_eq "$("$NSNET" -h)" "$out" "-h is --help"
assert_eq "$("$NSNET" help)" "$out" "help is --help"
top=$(verbs_of)
for v in ns exec show; do
	echo "$top" | grep -qx "$v" || fail "'$v' missing from nsnet --help"
done
# Help goes to stdout and nothing to stderr.
[ -z "$("$NSNET" --help 2>&1 >/dev/null)" ] || fail "nsnet --help wrote to stderr"
# No command at all: the help, on stderr, exit 2.
expect_rc 2 "$NSNET"
assert_match "$ERR" '^Usage: nsnet COMMAND' "help on stderr without a command"
[ -z "$("$NSNET" 2>/dev/null)" ] || fail "nsnet without a command wrote to stdout"

checked=0
for v in $top; do
	subs=$(verbs_of "$v" 2>/dev/null || true)
	if [ -n "$subs" ]; then
		# A verb with sub-verbs: its own help lists them, and each has help.
		out=$("$NSNET" "$v" --help) || fail "nsnet $v --help exited $?"
		assert_match "$out" "^Usage: nsnet $v COMMAND" "nsnet $v --help"
		expect_rc 2 "$NSNET" "$v"
		expect_err 2 "unknown command 'bogus'" "$NSNET" "$v" bogus
		for s in $subs; do
			out=$("$NSNET" "$v" "$s" --help) || fail "nsnet $v $s --help exited $?"
			assert_match "$out" "^Usage: nsnet $v $s" "nsnet $v $s --help"
			[ "$(echo "$out" | wc -l)" -ge 3 ] || fail "nsnet $v $s --help has no summary"
			checked=$((checked + 1))
		done
	else
		out=$("$NSNET" "$v" --help) || fail "nsnet $v --help exited $?"
		assert_match "$out" "^Usage: nsnet $v" "nsnet $v --help"
		[ "$(echo "$out" | wc -l)" -ge 3 ] || fail "nsnet $v --help has no summary"
		# -h works too, and --help wins wherever it stands among the arguments.
		assert_eq "$("$NSNET" "$v" -h)" "$out" "nsnet $v -h"
		assert_eq "$("$NSNET" "$v" somename --help)" "$out" "nsnet $v NAME --help"
		checked=$((checked + 1))
	fi
done
[ "$checked" -ge 6 ] || fail "only $checked verbs checked"
assert_match "$("$NSNET" ns del --help)" "--force" "ns del --help documents --force"

# Unknown commands and options: exit 2, one line on stderr, nothing on stdout.
expect_err 2 "unknown command 'bogus'" "$NSNET" bogus
assert_eq "$(echo "$ERR" | wc -l)" 1 "one line for an unknown command"
[ -z "$("$NSNET" bogus 2>/dev/null)" ] || fail "unknown command wrote to stdout"
# No prefix abbreviations.
expect_rc 2 "$NSNET" ex red -- true
expect_rc 2 "$NSNET" ns li
expect_err 2 "unknown option '--bogus'" "$NSNET" ns list --bogus
expect_err 2 "unknown option '--bogus'" "$NSNET" ns del --bogus x

# --version
assert_match "$("$NSNET" --version)" '^nsnet [0-9]+\.[0-9]+' "--version"

# Nothing above created anything.
assert_eq "$(ls -A /run/netns 2>/dev/null)" "" "help or usage errors created namespaces"
