#!/bin/bash
# Services and files of lab nodes: files land under /etc/netns/NODE and are the
# node's /etc for nsnet exec, ip netns exec and its services; services start with
# up (command as a list or a shell string, env, workdir), their output is in
# nsnet logs LAB NODE, status shows each (an exited one as exited, with its status,
# and the lab degraded); restart: on-failure restarts a failing one; an unchanged up
# leaves running services alone; a changed service, or a change of its node's files,
# restarts that service alone; down stops them all and removes the files; gc stops the
# services of a node that is gone. Witnesses: socat, ps, /proc, cat.
source "$(dirname "$0")/../lib.sh"
[ -e /etc/motd ] || skip "the test places /etc/motd for a node and needs the host's /etc/motd to bind it over"

DIR=$(mktemp -d)
cleanup() {
	"$NSNET" down svc >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT
lab() {  # lab GREETING WEB_EXTRA: the lab file
	cat >"$DIR/svc.yaml" <<YAML
name: svc
networks:
  lan: {subnet: 10.71.0.0/24}
nodes:
  a:
    interfaces: [lan]
    files:
      motd: "$1\n"
    services:
      web:
        command: [socat, "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:cat /etc/motd${2:-}"]
      env:
        command: 'echo "greeting=\$GREETING cwd=\$(pwd)"; sleep 600'
        env: {GREETING: hi}
        workdir: /tmp
      once:
        command: "echo once; exit 3"
      flaky:
        command: "echo try; exit 1"
        restart: on-failure
  b:
    interfaces: [lan]
YAML
}
ask() { ip netns exec b timeout 5 socat -T2 - TCP:10.71.0.2:80,connect-timeout=2 </dev/null 2>/dev/null || true; }
svc_field() { "$NSNET" status svc --json | jq -r ".services[] | select(.name == \"$1\") | .$2" || true; }

# ---- bad input first --------------------------------------------------------------
printf 'name: bad\nnodes:\n  a:\n    files:\n      ../../etc/passwd: x\n' >"$DIR/bad1.yaml"
expect_err 2 "file '../../etc/passwd': a path below /etc" "$NSNET" up "$DIR/bad1.yaml"
printf 'name: bad\nnodes:\n  a:\n    services:\n      x: {command: [], restart: no}\n' >"$DIR/bad2.yaml"
expect_err 2 "service 'x' needs a command" "$NSNET" up "$DIR/bad2.yaml"
printf 'name: bad\nnodes:\n  a:\n    services:\n      x: {command: "true", restart: sometimes}\n' >"$DIR/bad3.yaml"
expect_err 2 "restart is no, on-failure or always" "$NSNET" up "$DIR/bad3.yaml"
printf 'name: bad\nnodes:\n  a:\n    services:\n      x: {command: "true", env: {"1X": y}}\n' >"$DIR/bad4.yaml"
expect_err 2 "'1X' is not an environment variable name" "$NSNET" up "$DIR/bad4.yaml"
assert_eq "$("$NSNET" ls --json)" "[]" "bad files made a lab"

# ---- up: files and services ---------------------------------------------------------
lab "hello one"
nsnet up "$DIR/svc.yaml" >/dev/null
assert_eq "$(cat /etc/netns/a/motd)" "hello one" "the file under /etc/netns/a"
assert_eq "$(ip netns exec a cat /etc/motd)" "hello one" "ip netns exec sees it as /etc/motd"
assert_eq "$("$NSNET" exec a -- cat /etc/motd)" "hello one" "nsnet exec sees it"
for _ in $(seq 50); do [ "$(ask)" = "hello one" ] && break; sleep 0.1; done
assert_eq "$(ask)" "hello one" "the web service serves the node's /etc/motd"
for _ in $(seq 50); do [ "$(svc_field once state)" = exited ] && [ "$(svc_field flaky restarts)" -ge 1 ] && break; sleep 0.2; done
assert_eq "$(svc_field web state)" running "web runs"
assert_eq "$(svc_field once state)" exited "a service that exited"
assert_eq "$(svc_field once status)" 3 "its exit status"
[ "$(svc_field flaky restarts)" -ge 1 ] || fail "restart: on-failure did not restart flaky"
expect_rc 1 "$NSNET" status svc
assert_match "$("$NSNET" status svc || true)" 'service a/once: exited \(status 3\)' "status text"
logs=$("$NSNET" logs svc a)
assert_match "$logs" 'greeting=hi cwd=/tmp' "env and workdir, in the node's log"
assert_match "$logs" 'once' "the once service's output"
assert_match "$logs" 'service once exited with status 3' "the supervisor's note"
expect_err 1 "has no node 'zz'" "$NSNET" logs svc zz
# The service runs inside the node: its network is the node's.
web=$(svc_field web pid)
assert_eq "$(readlink /proc/"$web"/ns/net)" "$(ip netns exec a readlink /proc/self/ns/net)" "web's network namespace"

# ---- an unchanged up leaves running services alone (and restarts the exited one) ----
env_pid=$(svc_field env pid)
nsnet up "$DIR/svc.yaml" >/dev/null
assert_eq "$(svc_field web pid)" "$web" "web untouched by an unchanged up"
assert_eq "$(svc_field env pid)" "$env_pid" "env untouched by an unchanged up"

# ---- a changed service restarts alone; changed files restart the node's services ----
lab "hello one" " ; echo changed"
plan=$("$NSNET" up "$DIR/svc.yaml" --dry-run)
assert_match "$plan" 'svc:a/web' "the plan replaces web"
assert_no_match "$plan" 'svc:a/env' "the plan leaves env alone"
nsnet up "$DIR/svc.yaml" >/dev/null
[ "$(svc_field web pid)" != "$web" ] || fail "the changed web was not restarted"
assert_eq "$(svc_field env pid)" "$env_pid" "env untouched by web's change"
lab "hello two" " ; echo changed"
nsnet up "$DIR/svc.yaml" >/dev/null
for _ in $(seq 50); do [ "$(ask | head -1)" = "hello two" ] && break; sleep 0.1; done
assert_eq "$(ask | head -1)" "hello two" "new files, web restarted with them"
[ "$(svc_field env pid)" != "$env_pid" ] || fail "a change of the node's files did not restart env"

# ---- down stops everything and removes the files -------------------------------------
pids=$("$NSNET" status svc --json | jq -r '.services[].pid // empty' || true)
nsnet down svc
for p in $pids; do [ ! -e /proc/$p ] || fail "service pid $p survived down"; done
[ ! -e /etc/netns/a/motd ] || fail "down left /etc/netns/a/motd"
[ -z "$(ls /run/nsnet/svc 2>/dev/null)" ] || fail "down left service records: $(ls -R /run/nsnet/svc)"

# ---- gc stops the services of a node that is gone -------------------------------------
lab "hello three"
nsnet up "$DIR/svc.yaml" >/dev/null
web=$(svc_field web pid)
ip netns del a
"$NSNET" gc >/dev/null
for _ in $(seq 50); do [ -e /proc/"$web" ] || break; sleep 0.1; done
[ ! -e /proc/"$web" ] || fail "gc left the service of a node that is gone"
