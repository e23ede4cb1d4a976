#!/bin/bash
# Without root, every command refuses at once with one clear line and exit 1, and
# changes nothing (issue 10, deliver 4). The list of commands is read from
# `nsnet --help` and each group's `--help`, so a new verb is covered the day it is
# added. Each runs with the arguments a user would give, on a sandbox holding a
# running lab, a network with a member and a published port, so there is something
# to read, change or leak. Witnesses, identical before and after: /run/nsnet (names,
# modes, owners, contents), /run/netns, /etc/netns, links, routes and addresses of
# every namespace, the whole nft ruleset.
# nsnet's state is root's alone: /run/nsnet and its directories are 0700, its files
# 0600 (a lab's state keeps the lab file's source), and nobody else can list or
# read them. Only --help and --version work for anyone.
. "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"

tmp=$(mktemp -d)
cleanup() {
	"$NSNET" unpublish 8080 2>/dev/null || true
	"$NSNET" net rm nr-net --force 2>/dev/null || true
	lab_cleanup_all
	rm -rf "$tmp"
}
trap cleanup EXIT

# A copy nobody can run whatever the permissions of the build tree.
chmod 755 "$tmp"
cp "$NSNET" "$tmp/nsnet"
chmod 755 "$tmp/nsnet"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
[ "$(as_nobody id -u)" = 65534 ] || fail "setpriv did not drop to 65534"

before=$tmp/before
state_now >"$before"

# Something for every command to find.
nsnet up >/dev/null                                  # the default lab: red, blue, v-net-0
nsnet net create nr-net --subnet 10.73.0.0/24 >/dev/null
nsnet ns add nr-x
nsnet net attach nr-net nr-x >/dev/null
nsnet publish 8080 red:80 >/dev/null
nsnet route add nr-x 10.74.0.0/24 via 10.73.0.1 >/dev/null
cat >"$tmp/lab.yaml" <<Y
name: nrlab
nodes:
  nr-y: {}
Y
chmod 644 "$tmp/lab.yaml"

# Everything a non-root command could change or leak, in one comparable text.
world() {
	local n f
	find /run/nsnet /run/netns /etc/netns -printf '%p %m %u %g %s\n' 2>/dev/null | sort
	find /run/nsnet -type f -exec sha256sum {} + 2>/dev/null | sort
	for n in host $(ls -A /run/netns); do
		f=(); [ "$n" = host ] || f=(-n "$n")
		echo "== $n"
		ip "${f[@]}" -o link show | sed -E 's/^[0-9]+: //; s/ +link\/ether [0-9a-f:]+.*//; s/state [A-Z]+ //'
		ip "${f[@]}" -o addr show | awk '{print $2, $3, $4}'
		ip "${f[@]}" route show table all | grep -v '^ff00::' || true
	done
	nft list ruleset
}
world >"$tmp/world.before"

# Modes: the state is root's alone.
[ "$(stat -c %a /run/nsnet)" = 700 ] || fail "/run/nsnet is $(stat -c %a /run/nsnet), not 700"
bad=$(find /run/nsnet -perm /077 -printf '%m %p\n')
[ -z "$bad" ] || fail "state readable by others: $bad"
[ "$(find /run/nsnet -type f | wc -l)" -ge 4 ] || fail "expected a lab, two networks and a publish under /run/nsnet"
for f in /run/nsnet /run/nsnet/labs/default.json /run/nsnet/networks/nr-net.json /run/nsnet/fw.json; do
	! as_nobody cat "$f" >/dev/null 2>&1 || fail "nobody can read $f"
	! as_nobody ls "$f" >/dev/null 2>&1 || fail "nobody can list $f"
done

# Every leaf command, from the help.
verbs=$("$NSNET" --help | sed -nE 's/^  ([a-z]+) .*/\1/p')
leaves=()
for v in $verbs; do
	subs=$("$NSNET" "$v" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z]+) .*/\1/p')
	if [ -n "$subs" ]; then
		for s in $subs; do leaves+=("$v $s"); done
	else
		leaves+=("$v")
	fi
done
[ "${#leaves[@]}" -ge 30 ] || fail "only ${#leaves[@]} commands found in the help: ${leaves[*]}"

# args CMD: what a user would type after it (also the harmful ones).
args() {
	case $1 in
	up) echo "$tmp/lab.yaml" ;;
	down | status | pingall | graph) echo default ;;
	ls | gc) echo "--json" ;;
	"ns add") echo nr-z ;;
	"ns del") echo "--force red" ;;
	"ns list") echo "--json" ;;
	"ns pids") echo red ;;
	exec) echo "red -- true" ;;
	show) echo "red --json" ;;
	"net create") echo "nr-new --subnet 10.75.0.0/24" ;;
	"net attach") echo "nr-net red" ;;
	"net detach") echo "nr-net nr-x" ;;
	"net rm") echo "--force nr-net" ;;
	"net set") echo "nr-net nat on" ;;
	"net ls") echo "--json" ;;
	"net show") echo "nr-net" ;;
	connect) echo "red blue --subnet 10.76.0.0/30" ;;
	disconnect) echo "red blue" ;;
	"route add") echo "red 10.77.0.0/24 via 192.168.15.5" ;;
	"route del") echo "nr-x 10.74.0.0/24" ;;
	"route ls") echo "red" ;;
	router) echo "red on" ;;
	doctor) echo "red 192.168.15.3" ;;
	publish) echo "8081 blue:80" ;;
	unpublish) echo "8080" ;;
	"fw status") echo "--json" ;;
	"fw restore") echo "" ;;
	*) echo "" ;;
	esac
}

for cmd in "${leaves[@]}" "publish ls"; do
	# shellcheck disable=SC2046,SC2086
	expect_rc 1 as_nobody "$tmp/nsnet" $cmd $(args "$cmd")
	assert_eq "$(echo "$ERR" | wc -l)" 1 "one line for '$cmd' as non-root"
	assert_match "$ERR" "^nsnet: ${cmd/publish ls/publish}: needs root" "message for '$cmd' as non-root"
	# Help stays open to anyone.
	# shellcheck disable=SC2086
	as_nobody "$tmp/nsnet" $cmd --help >/dev/null || fail "'$cmd --help' as non-root"
done
as_nobody "$tmp/nsnet" --help >/dev/null || fail "--help as non-root"
as_nobody "$tmp/nsnet" --version >/dev/null || fail "--version as non-root"
note "${#leaves[@]} commands refused"

world >"$tmp/world.after"
diff "$tmp/world.before" "$tmp/world.after" >&2 || fail "a non-root command changed something"

nsnet unpublish 8080
nsnet net detach nr-net nr-x
nsnet ns del nr-x
nsnet net rm nr-net
nsnet down
state_settles_to "$before" "after cleaning up"
