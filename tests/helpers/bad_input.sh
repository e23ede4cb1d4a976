# The bad-input catalogue's driver, sourced by tests/integration/bad_input_PART.sh
# with PART: it runs the table's cases of that part in sequence, in one sandbox.
# Parts (so that each test stays short): lab, state (by kind) and, for command
# lines, net (ids net-*), verbs (route, router, publish, unpublish, fw, doctor,
# show) and cli (all the others). The table (tests/bad_input.tsv): every case is a command line, a
# lab file or a damaged state file that nsnet must refuse. For each case this checks the
# exit code, that stderr is exactly one line starting with "nsnet: " and matching
# the case's regex, that stdout is empty, and that nothing changed: named
# namespaces, links, the nft ruleset, /etc/netns, forwarding, and the tree and
# content of /run/nsnet (but the lock file) are the same before and after.
# Cases marked "pending" (a defect being fixed elsewhere) are skipped and listed.
# BAD_INPUT_ONLY=REGEX runs only the cases whose id matches.
. "$(dirname "$0")/../lib.sh"
PART=${1:?the part of the table to run: cli, net, verbs, lab or state}

TABLE=$(cd "$(dirname "$0")/.." && pwd)/bad_input.tsv
[ -r "$TABLE" ] || fail "no table $TABLE"
WORK=$(mktemp -d)

cleanup() {
	"$NSNET" net rm --force bi-net bi-six >/dev/null 2>&1
	"$NSNET" ns del --force bi-red bi-blue bi-solo >/dev/null 2>&1
	rm -rf "$WORK" /run/nsnet/networks/bi-bad.json /run/nsnet/labs/bi-bad.json /run/nsnet/fw.json \
		/run/nsnet/publish/tcp-8999.json
	rmdir /run/nsnet/labs /run/nsnet/publish 2>/dev/null
	true
}
trap cleanup EXIT

# A few objects for cases that need an existing namespace or network.
nsnet ns add bi-red bi-blue bi-solo
nsnet net create bi-net --subnet 10.77.0.0/24 --gateway 10.77.0.1
nsnet net attach bi-net bi-red --ip 10.77.0.10
nsnet net create bi-six --subnet 10.78.0.0/24 --subnet fd77::/64

# What a refused command must leave as it was. Read with as few processes as
# possible (the catalogue is long): one ip batch, one nft, one nsnet show (every
# named namespace's interfaces, addresses, routes, neighbours and forwarding), the
# rest by bash itself. The result is in $STATE.
slurp() { local s=""; IFS= read -r -d '' s <"$1"; STATE+="-- $1"$'\n'"$s"; }
# Output to a file and slurp it: no subshell per command. Everything is read with
# as few processes as possible, as each case takes a snapshot.
run_slurp() { "$@" >"$WORK/state" 2>&1; slurp "$WORK/state"; }
take_state() {
	shopt -s nullglob globstar dotglob
	local f
	STATE="== netns: "$(printf '%s ' /run/netns/*)$'\n'
	run_slurp nft list ruleset
	# The host and every named namespace: interfaces, addresses, routes, neighbours
	# and forwarding, from netlink dumps in one process.
	local names=(/run/netns/*)
	run_slurp "$NSNET" show --json host "${names[@]##*/}"
	STATE+="== /etc/netns: "$(printf '%s ' /etc/netns/**)$'\n'
	for f in /run/nsnet/**; do
		[[ "$f" == */state.lock ]] && continue
		if [ -f "$f" ]; then slurp "$f"; else STATE+="-- $f/"$'\n'; fi
	done
	shopt -u nullglob globstar dotglob
}

# Cases fail on purpose: check each exit code by hand. The trace of hundreds of
# cases would cost more than the cases; a failure says which case and why.
set +e +o pipefail
{ set +x; } 2>/dev/null
# The base objects settle on their own for a moment (IPv6 duplicate address
# detection, carrier on new veths, an empty bridge's operstate going from UNKNOWN to
# DOWN): wait until two snapshots agree, so that what the kernel finishes by itself
# is never taken for a change made by a case. The two are 1.2 s apart: the kernel's
# linkwatch applies carrier and operstate changes up to a second late (it batches
# them), so snapshots closer together can both predate one.
STATE=""
for _ in $(seq 20); do
	prev=$STATE
	take_state
	[ "$prev" = "$STATE" ] && [[ "$STATE" != *tentative* ]] && break
	sleep 1.2
done

all=0 total=0 passed=0 failed=0 pending=()
bad() { echo "FAIL $id: $*" >&2; failed=$((failed + 1)); }

while IFS=$'\t' read -r id kind status code regex cmd file content; do
	[[ -z "$id" || "$id" == \#* || "$id" == id ]] && continue
	[ -n "${BAD_INPUT_ONLY:-}" ] && ! [[ "$id" =~ $BAD_INPUT_ONLY ]] && continue
	all=$((all + 1))
	case $kind:$id in
	lab:* | state:*) part=$kind ;;
	cli:net-*) part=net ;;
	cli:route-* | cli:router-* | cli:publish-* | cli:unpublish-* | cli:fw-* | cli:doctor-* | cli:show-*) part=verbs ;;
	*) part=cli ;;
	esac
	[ "$part" = "$PART" ] || continue
	total=$((total + 1))
	if [ "$status" = pending ]; then
		pending+=("$id")
		continue
	fi
	[ "$status" = ok ] || fail "case $id: status '$status' is neither ok nor pending"
	target=""
	case $kind in
	cli) ;;
	lab) target=$WORK/$id.yaml ;;
	state) target=$file ;;
	*) fail "case $id: unknown kind '$kind'" ;;
	esac
	if [ -n "$target" ]; then
		[ -d "${target%/*}" ] || mkdir -p "${target%/*}"
		printf '%b' "$content" >"$target"
	fi
	cmd=${cmd//@FILE/$WORK/$id.yaml}
	eval "args=($cmd)"
	# The state after a case is the state before the next, unless this case wrote a
	# state file.
	if [ "$kind" = state ] || [ -z "${STATE:-}" ]; then take_state; fi
	before=$STATE
	"$NSNET" "${args[@]}" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	take_state
	err="" out=""
	IFS= read -r -d '' err <"$WORK/err"
	IFS= read -r -d '' out <"$WORK/out"
	line=${err%$'\n'}
	if [ "$rc" != "$code" ]; then
		bad "exit $rc, expected $code (nsnet $cmd): $err"
	elif [[ -z "$line" || "$line" == *$'\n'* || "$err" != *$'\n' ]]; then
		bad "stderr is not one line: $err"
	elif [[ "$line" != "nsnet: "* ]]; then
		bad "stderr does not start with 'nsnet: ': $line"
	elif ! [[ "$line" =~ $regex ]]; then
		bad "stderr does not match /$regex/: $line"
	elif [ -n "$out" ]; then
		bad "something on stdout: ${out:0:300}"
	elif [ "$before" != "$STATE" ]; then
		bad "it changed something:"
		diff <(echo "$before") <(echo "$STATE") | head -20 >&2
	else
		passed=$((passed + 1))
	fi
	if [ "$kind" = state ]; then rm -f "$target"; STATE=""; fi
done <"$TABLE"

echo "bad input ($PART): $total cases, $passed passed, $failed failed, ${#pending[@]} pending"
[ ${#pending[@]} = 0 ] || echo "pending (a defect being fixed elsewhere): ${pending[*]}"
[ "$failed" = 0 ] || fail "$failed of $total bad-input cases failed"
[ -n "${BAD_INPUT_ONLY:-}" ] || [ "$all" -ge 150 ] || fail "only $all cases in $TABLE"
