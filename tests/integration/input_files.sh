#!/bin/bash
# Every file nsnet reads goes through one bounded reader. A lab file that is a
# device (/dev/zero, /dev/urandom), a FIFO, a directory, over the documented 16 MiB,
# holds a NUL byte or nests deeper than 64 levels is refused at once, for up,
# up --dry-run, graph and status, with one line naming the file and the kind of
# problem, exit 2, and nothing made (no namespace, no /run/nsnet entry). A state
# file under /run/nsnet that is a FIFO or a device is refused too, without hanging.
# (Each command runs under a generous timeout: a hang or a read without end fails.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
state_now >"$DIR/before"

mkfifo "$DIR/fifo.yaml"
mkdir "$DIR/dir.yaml"
ln -s /dev/zero "$DIR/zero.yaml"
# 17 MB, of which the first lines are a valid lab: only the size is wrong.
tutorial_yaml >"$DIR/big.yaml"
truncate -s 17000000 "$DIR/big.yaml"
# The tutorial with a NUL byte at line 11 (the lab after it would be lost).
tutorial_yaml | sed '11s/^/\x00/' >"$DIR/nul.yaml"
grep -qaP '\x00' "$DIR/nul.yaml" || fail "the NUL byte did not make it into the file"
# 100,000 '[' (libyaml's scanner takes time in the square of this).
head -c 100000 /dev/zero | tr '\0' '[' >"$DIR/deep.yaml"

# refused FILE PATTERN [VERB...]: up and graph (and each VERB) refuse FILE with
# "nsnet: PATTERN", one line, exit 2, and nothing changes.
refused() {
	local f=$1 pat=$2 verb
	shift 2
	for verb in "up" "graph" "$@"; do
		# shellcheck disable=SC2086
		expect_err 2 "^nsnet: ${verb%% *}: $pat\$" timeout 20 "$NSNET" $verb "$f"
		assert_eq "$(echo "$ERR" | wc -l)" 1 "$verb $f: one line of error"
	done
	state_settles_to "$DIR/before" "after refusing $f"
	[ ! -e /run/nsnet/labs ] || [ -z "$(ls -A /run/nsnet/labs)" ] || fail "a lab entry appeared for $f"
}
refused /dev/zero "/dev/zero: is not a regular file \(a character device\)" "up --dry-run" "up --dry-run --explain" status down pingall
refused /dev/urandom "/dev/urandom: is not a regular file \(a character device\)"
refused "$DIR/zero.yaml" "$DIR/zero.yaml: is not a regular file \(a character device\)"
refused "$DIR/fifo.yaml" "$DIR/fifo.yaml: is not a regular file \(a FIFO\)"
refused "$DIR/dir.yaml" "$DIR/dir.yaml: is a directory"
refused "$DIR/big.yaml" "$DIR/big.yaml: is larger than the limit of 16 MiB"
refused "$DIR/nul.yaml" "$DIR/nul.yaml:11:1: a NUL byte: a lab file is text"
refused "$DIR/deep.yaml" "$DIR/deep.yaml:1:66: nested more than 64 levels deep"

# Exactly 16 MiB is still a lab file (the limit is inclusive): the tutorial padded
# with a comment.
tutorial_yaml >"$DIR/limit.yaml"
{ printf '#'; head -c $((16 * 1024 * 1024 - $(stat -c %s "$DIR/limit.yaml") - 1)) /dev/zero | tr '\0' 'x'; echo; } >>"$DIR/limit.yaml"
assert_eq "$(stat -c %s "$DIR/limit.yaml")" $((16 * 1024 * 1024)) "size of the file at the limit"
nsnet up --dry-run "$DIR/limit.yaml" >/dev/null || fail "a lab file of exactly 16 MiB was refused"

# State files: a lab's state that is a FIFO or a device is refused, not waited on
# or read without end (exit 1: the state is broken, not the command line).
mkdir -p /run/nsnet/labs
mkfifo /run/nsnet/labs/pipe.json
expect_err 1 "^nsnet: .*corrupt state: /run/nsnet/labs/pipe.json: is not a regular file \(a FIFO\)$" timeout 20 "$NSNET" status pipe
rm /run/nsnet/labs/pipe.json
ln -s /dev/zero /run/nsnet/labs/zero.json
expect_err 1 "corrupt state: /run/nsnet/labs/zero.json: is not a regular file \(a character device\)$" timeout 20 "$NSNET" status zero
expect_rc 0 timeout 20 "$NSNET" ls
rm /run/nsnet/labs/zero.json
rmdir /run/nsnet/labs
