#!/bin/bash
# nsnet run: CMD is PID 1 of its own namespaces (ps inside sees only its tree; its own
# hostname and /etc files), on a network with a published port that answers from an
# outside namespace and from the host's 127.0.0.1; stdio, the terminal and signals pass
# through; the exit status comes back; --name is seen by show, exec, doctor and net
# show while it runs; -d with ps, logs and stop; kill -9 of nsnet during a run leaves
# nothing after nsnet gc; bad input changes nothing. Witnesses: socat, ps, ip, script
# (a real terminal), /proc.
source "$(dirname "$0")/../lib.sh"

W=run-wan
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	"$NSNET" stop web bg 2>/dev/null || true
	"$NSNET" gc >/dev/null 2>&1 || true
	"$NSNET" net rm lan --force 2>/dev/null || true
	ip netns del $W 2>/dev/null || true
}
trap cleanup EXIT
nsnet net create lan --subnet 10.60.0.0/24 --nat
nsnet ns add $W
nsnet connect host $W --ip 203.0.113.1/24,203.0.113.2/24 --ifnames wan0,eth0

# ---- bad input: refused, nothing made --------------------------------------------------
expect_err 2 'no command' "$NSNET" run --net lan
expect_err 2 'no command' "$NSNET" run --net lan --
expect_err 2 '--ip needs --net' "$NSNET" run --ip 10.60.0.9 -- true
expect_err 1 "network 'nope' not found" "$NSNET" run --net nope -- true
expect_err 2 'hostname' "$NSNET" run --hostname 'a b' -- true
expect_err 2 'protocol must be tcp or udp' "$NSNET" run --net lan -p 80:80/sctp -- true
expect_err 1 "namespace '$W' exists already" "$NSNET" run --name $W -- true
assert_eq "$("$NSNET" ps --json)" "[]" "runs after bad input"
assert_eq "$("$NSNET" net show lan --json | jq '.members | length')" 0 "members after bad input"

# ---- PID 1, its own /proc, hostname and /etc; the exit status -------------------------
out=$("$NSNET" run --net lan --name r1 --hostname box1 -- sh -c 'echo pid=$$; hostname; cat /etc/hostname; ps -e -o pid=,comm=; exit 7') && rc=0 || rc=$?
assert_eq "$rc" 7 "exit status"
assert_match "$out" 'pid=1' "the command is PID 1"
assert_eq "$(grep -c box1 <<<"$out")" 2 "hostname and /etc/hostname"
procs=$(grep -E '^ *[0-9]+ ' <<<"$out" | awk '{print $2}' | sort | tr '\n' ' ')
assert_eq "$procs" "ps sh " "ps inside sees only the run's own tree"
# Killed by a signal: 128+N (PID 1 ignores signals it has no handler for, as in any
# PID namespace, except SIGKILL).
"$NSNET" run --name sig -- sleep 300 &
SIGRUN=$!
for _ in $(seq 50); do "$NSNET" ps --json | jq -e '.[] | select(.name == "sig" and .state == "running")' >/dev/null && break; sleep 0.1; done
kill -KILL "$("$NSNET" ps --json | jq -r '.[] | select(.name == "sig") | .pid')"
rc=0; wait $SIGRUN || rc=$?
assert_eq "$rc" $((128 + 9)) "killed by SIGKILL: 128+9"
rc=0; "$NSNET" run -- /nonexistent/cmd 2>/dev/null || rc=$?
assert_eq "$rc" 127 "a command that does not exist"
# stdio and the terminal pass through.
assert_eq "$(echo piped | "$NSNET" run -- cat)" piped "stdin to stdout"
assert_eq "$("$NSNET" run -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null)" to-stderr "stderr"
tty_out=$(script -qec "$NSNET run -- tty" /dev/null </dev/null | tr -d '\r')
assert_match "$tty_out" '^/dev/pts/[0-9]+$' "the terminal reaches the command"
# The address is the network's, the route its gateway.
out=$("$NSNET" run --net lan --ip 10.60.0.50 -- sh -c 'ip -4 -o addr show eth0; ip route show default')
assert_match "$out" 'inet 10\.60\.0\.50/24' "static address"
assert_match "$out" 'default via 10\.60\.0\.1' "default route"
assert_eq "$("$NSNET" ps --json)" "[]" "runs after they ended"
assert_eq "$(ip netns list | cut -d" " -f1)" "$W" "namespaces after the runs ended"

# ---- a TCP server with a published port, named, seen by the other commands ----------
"$NSNET" run --net lan --name web -p 18080:80 -- socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello from web' &
PIDS+=($!)
WEB=$!
for _ in $(seq 50); do "$NSNET" ps --json | jq -e '.[] | select(.name == "web" and .state == "running")' >/dev/null && break; sleep 0.1; done
sleep 0.3
assert_eq "$(timeout 5 socat -T2 - TCP:127.0.0.1:18080,connect-timeout=2 </dev/null)" "hello from web" "from the host's 127.0.0.1"
assert_eq "$(ip netns exec $W timeout 5 socat -T2 - TCP:203.0.113.1:18080,connect-timeout=2 </dev/null)" \
	"hello from web" "from outside"
assert_match "$("$NSNET" net show lan)" 'web +eth0' "net show lists the run"
"$NSNET" show web --json | jq -e '.[0].interfaces[] | select(.name == "eth0")' >/dev/null || fail "show web"
assert_match "$("$NSNET" exec web -- ip -4 -o addr show eth0)" '10\.60\.0\.' "exec in the run's namespace"
"$NSNET" doctor host web --port 80 --proto tcp >/dev/null || fail "doctor host -> web:80"
assert_match "$("$NSNET" publish ls)" '18080 .*web:80' "publish ls"
# SIGTERM to nsnet reaches the command (socat dies of it), and everything is released.
kill -TERM $WEB
rc=0; wait $WEB || rc=$?
assert_eq "$rc" $((128 + 15)) "socat killed by the forwarded SIGTERM"
assert_eq "$("$NSNET" publish ls --json)" "[]" "publishes after the run"
! ip netns list | grep -q web || fail "the run's namespace outlived it"
[ ! -e /etc/netns/web ] || fail "/etc/netns/web outlived the run"

# ---- kill -9 of the supervisor: the command dies with it, gc releases the rest -------
"$NSNET" run --net lan --name k9 -p 18081:80 -- sleep 300 &
SUP=$!
PIDS+=($SUP)
for _ in $(seq 50); do "$NSNET" ps --json | jq -e '.[] | select(.name == "k9" and .state == "running")' >/dev/null && break; sleep 0.1; done
CMD_PID=$("$NSNET" ps --json | jq -r '.[] | select(.name == "k9") | .pid')
kill -9 $SUP
wait $SUP 2>/dev/null || true
for _ in $(seq 50); do [ -e /proc/$CMD_PID ] || break; sleep 0.1; done
[ ! -e /proc/$CMD_PID ] || fail "the command outlived its killed supervisor"
assert_eq "$("$NSNET" ps --json | jq -r '.[] | select(.name == "k9") | .state')" orphaned "ps after kill -9"
assert_match "$("$NSNET" gc)" 'k9' "gc says it released k9"
assert_eq "$("$NSNET" ps --json)" "[]" "runs after gc"
assert_eq "$("$NSNET" publish ls --json)" "[]" "publishes after gc"
assert_eq "$("$NSNET" net show lan --json | jq '.members | length')" 0 "members after gc"
! ip netns list | grep -q k9 || fail "gc left k9's namespace"

# ---- -d, ps, logs, stop ---------------------------------------------------------------------
assert_eq "$("$NSNET" run -d --net lan --name bg -- sh -c 'echo out; echo err >&2; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done')" bg "run -d prints the name"
for _ in $(seq 50); do [ "$("$NSNET" logs bg | wc -l)" -ge 2 ] && break; sleep 0.1; done
assert_eq "$("$NSNET" logs bg | sort | tr '\n' ' ')" "err out " "logs"
assert_eq "$("$NSNET" ps --json | jq -r '.[] | select(.name == "bg") | .state')" running "ps: running"
"$NSNET" stop bg
assert_eq "$("$NSNET" ps --json)" "[]" "stop forgets the run"
name=$("$NSNET" run -d -- sh -c 'exit 4')
for _ in $(seq 50); do [ "$("$NSNET" ps --json | jq -r ".[] | select(.name == \"$name\") | .state")" = exited ] && break; sleep 0.1; done
assert_eq "$("$NSNET" ps --json | jq -r ".[] | select(.name == \"$name\") | .status")" 4 "an exited -d run keeps its status"
"$NSNET" stop "$name"
name=$("$NSNET" run -d --rm -- true)
for _ in $(seq 50); do [ "$("$NSNET" ps --json)" = "[]" ] && break; sleep 0.1; done
assert_eq "$("$NSNET" ps --json)" "[]" "--rm forgets the run when it exits"

# ---- names: runs on a network resolve each other and the gateway ---------------------
"$NSNET" run -d --net lan --name srv -- sleep 300 >/dev/null
out=$("$NSNET" run --net lan --name cli -- sh -c 'getent hosts srv; getent hosts lan-gateway; ping -c1 -W2 srv >/dev/null && echo ping-ok')
assert_match "$out" '^10\.60\.0\.[0-9]+ +srv' "the client resolves srv"
assert_match "$out" '10\.60\.0\.1 +lan-gateway' "and the gateway's name"
assert_match "$out" 'ping-ok' "and pings srv by name"
"$NSNET" stop srv
