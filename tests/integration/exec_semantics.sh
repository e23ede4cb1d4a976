#!/bin/bash
# nsnet exec behaves like ip netns exec: the command runs in the namespace, replaces
# nsnet (no shell or nsnet process in between), and its exit status, stdio and
# signals are its own; a command that cannot be run is a clear error (127/126).
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	for n in $(ls -A /run/netns 2>/dev/null); do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
nsnet ns add red

# It runs in red: the same namespace as ip netns exec, not the caller's.
assert_eq "$(nsnet exec red -- readlink /proc/self/ns/net)" "$(ip netns exec red readlink /proc/self/ns/net)" \
	"netns of the command"
[ "$(nsnet exec red -- readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
	fail "the command ran in the caller's namespace"
assert_eq "$(nsnet exec red -- ip -o link show | awk -F': ' '{print $2}')" lo "links seen by the command"
# 'host' is the caller's own namespace.
assert_eq "$(nsnet exec host -- readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/net)" "exec host"

# Exit status passed through unchanged.
for want in 0 1 3 42 255; do
	rc=0; nsnet exec red -- sh -c "exit $want" || rc=$?
	assert_eq "$rc" "$want" "exit status"
done
rc=0; nsnet exec red -- false || rc=$?
assert_eq "$rc" 1 "exit status of false"

# No shell or nsnet process in between: the command has nsnet's pid, and its parent
# is our shell. (The pid namespace's pids are stable here: the test runs alone in it.)
"$NSNET" exec red -- sh -c 'echo "$$ $PPID"' >"$tmp/pids" &
pid=$!
wait "$pid"
assert_eq "$(cat "$tmp/pids")" "$pid $$" "pid and parent pid of the command"
assert_eq "$(nsnet exec red -- readlink /proc/self/exe)" "$(readlink -f "$(command -v readlink)")" \
	"/proc/self/exe of the command"

# Signals: the command is the process, so a signal sent to "nsnet exec" reaches it,
# and death by a signal shows as 128+N, as a shell reports it.
rc=0; nsnet exec red -- sh -c 'kill -TERM $$' || rc=$?
assert_eq "$rc" 143 "status of a command killed by SIGTERM"
rc=0; nsnet exec red -- sh -c 'kill -KILL $$' 2>/dev/null || rc=$?
assert_eq "$rc" 137 "status of a command killed by SIGKILL"
"$NSNET" exec red -- sh -c 'trap "echo got-USR1; exit 7" USR1; echo ready; while :; do sleep 0.05; done' \
	>"$tmp/sig" &
pid=$!
for _ in $(seq 100); do grep -q ready "$tmp/sig" && break; sleep 0.05; done
kill -USR1 "$pid"
rc=0; wait "$pid" || rc=$?
assert_eq "$rc" 7 "status after a trapped SIGUSR1"
assert_eq "$(tail -n1 "$tmp/sig")" got-USR1 "the command's SIGUSR1 handler ran"
"$NSNET" exec red -- sleep 30 &
pid=$!
for _ in $(seq 100); do [ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break; sleep 0.05; done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
assert_eq "$rc" 143 "sleep killed with SIGTERM through the nsnet exec pid"

# Stdio: stdin, stdout and stderr are the caller's, kept apart.
assert_eq "$(printf 'one\ntwo\n' | nsnet exec red -- cat)" "$(printf 'one\ntwo')" "stdin to stdout"
nsnet exec red -- sh -c 'echo out; echo err >&2' >"$tmp/out" 2>"$tmp/err"
assert_eq "$(cat "$tmp/out")" out "stdout"
assert_eq "$(cat "$tmp/err")" err "stderr"
head -c 1000000 /dev/urandom >"$tmp/big"
nsnet exec red -- cat <"$tmp/big" >"$tmp/big.out"
cmp -s "$tmp/big" "$tmp/big.out" || fail "1 MB through stdin/stdout differs"
# nsnet leaks no descriptors of its own into the command.
assert_eq "$(nsnet exec red -- ls /proc/self/fd | sort -n | tr '\n' ' ')" \
	"$(ls /proc/self/fd | sort -n | tr '\n' ' ')" "open fds of the command vs a plain one"
# Environment and working directory are kept.
assert_eq "$(cd "$tmp" && NSNET_TEST_VAR=kept nsnet exec red -- sh -c 'echo "$NSNET_TEST_VAR $PWD"')" \
	"kept $tmp" "environment and cwd"
# Arguments reach the command untouched (no shell word splitting or globbing).
assert_eq "$(nsnet exec red -- printf '[%s]' 'a b' '*' '' '--' '-x' '$HOME')" '[a b][*][][--][-x][$HOME]' \
	"argument passing"
# Without "--" too (the first word after NAME starts the command).
assert_eq "$(nsnet exec red echo plain)" plain "exec without --"
# The command's own options are not nsnet's: --help after "--" goes to the command.
assert_eq "$(nsnet exec red -- printf '%s' --help)" --help "--help after --"

# A command that cannot be run: one clear line, 127 (not found) or 126 (not executable).
expect_err 127 "exec in 'red': no-such-command-xyz: No such file or directory" \
	"$NSNET" exec red -- no-such-command-xyz
assert_eq "$(echo "$ERR" | wc -l)" 1 "one line of error"
expect_err 127 "No such file or directory" "$NSNET" exec red -- "$tmp/missing"
printf '#!/bin/sh\necho hi\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
expect_err 126 "noexec: Permission denied" "$NSNET" exec red -- "$tmp/noexec"
expect_err 126 "Permission denied" "$NSNET" exec red -- "$tmp"
# PATH lookup is the command's (execvp): found through PATH, not found outside it.
mkdir "$tmp/bin"
printf '#!/bin/sh\necho from-path\n' >"$tmp/bin/my-tool"
chmod 755 "$tmp/bin/my-tool"
assert_eq "$(PATH="$tmp/bin:$PATH" nsnet exec red -- my-tool)" from-path "PATH lookup"
expect_rc 127 "$NSNET" exec red -- my-tool

# Namespace errors: missing is a failure (1), no command is a usage error (2).
expect_err 1 "namespace 'nope' not found" "$NSNET" exec nope -- true
expect_rc 2 "$NSNET" exec red
expect_rc 2 "$NSNET" exec red --
expect_rc 2 "$NSNET" exec
