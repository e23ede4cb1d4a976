#!/bin/bash
# Shell completion (completion/nsnet.bash, completion/_nsnet): the bash function is
# driven as readline drives it (COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT, split at
# ':' and '=' as COMP_WORDBREAKS does), with bash-completion loaded and without it,
# against real namespaces, a network and a lab; its tables of commands, sub-commands
# and options are checked against `nsnet help` and every `nsnet CMD --help`, so they
# cannot drift from the verb table; the zsh function loads and completes.
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BASHC=$REPO/completion/nsnet.bash
ZSHC=$REPO/completion/_nsnet
[ -f "$BASHC" ] || fail "no $BASHC"

tmp=$(mktemp -d)
chmod 755 "$tmp"  # the check as nobody reads the driver
cleanup() {
	"$NSNET" down complab >/dev/null 2>&1 || true
	"$NSNET" unpublish 18080 >/dev/null 2>&1 || true
	"$NSNET" net rm --force compnet >/dev/null 2>&1 || true
	"$NSNET" ns del red blue >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The completion runs `nsnet` as the user typed it: put the binary under test there.
mkdir "$tmp/bin"
ln -s "$NSNET" "$tmp/bin/nsnet"
export PATH=$tmp/bin:$PATH

# ---- the tables against the binary's help ------------------------------------------
# in_bash CODE: run CODE in a clean bash that sourced the completion.
in_bash() { bash --norc --noprofile -c ". '$BASHC'; $1"; }
verbs_of() {
	"$NSNET" "$@" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}
sorted() { tr ' ' '\n' | sed '/^$/d' | sort; }

top=$("$NSNET" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
assert_eq "$(in_bash 'echo $_nsnet_verbs' | sorted)" "$(sorted <<<"$top")" "completion's commands vs nsnet help"
keys=()
for v in $top; do
	bin_subs=$(verbs_of "$v" 2>/dev/null || true)
	comp_subs=$(in_bash "_nsnet_subs $v")
	assert_eq "$(sorted <<<"$comp_subs")" "$(sorted <<<"$bin_subs")" "sub-commands of '$v'"
	if [ -n "$bin_subs" ]; then
		for s in $bin_subs; do keys+=("$v $s"); done
	else
		keys+=("$v")
	fi
done
keys+=("publish ls")
# copts[KEY]: the options the bash completion offers for KEY ("VERB" or "VERB SUB"),
# asked of one shell (starting one per key is slow on a busy machine).
declare -A copts=()
while IFS='|' read -r k o; do copts[$k]=$o; done < <(
	bash --norc --noprofile -c ". '$BASHC'"'; for k; do echo "$k|$(_nsnet_opts "$k" | tr "\n" " ")"; done' bash "${keys[@]}")
checked=0
for k in "${keys[@]}"; do
	# shellcheck disable=SC2086
	help=$("$NSNET" ${k/publish ls/publish} --help) || fail "nsnet $k --help exited $?"
	opts=${copts[$k]}
	# Every option offered is one the command documents...
	for o in $opts; do
		[[ $help =~ (^|[^-[:alnum:]])$o([^-[:alnum:]]|$) ]] ||
			fail "completion offers '$o' for 'nsnet $k', which its --help does not have"
		checked=$((checked + 1))
	done
	# ... and every option of its usage line is offered.
	usage=${help%%$'\n'*}
	[ "$k" = publish ] && usage=${usage%%| ls*}
	[ "$k" = "publish ls" ] && usage=${usage##*| ls}
	for o in $(grep -oE -- '(^|[][ |])--?[a-z0-9][-a-z0-9]*' <<<"$usage" | sed 's/^[][ |]//'); do
		[[ " $opts " == *" $o "* ]] || fail "'nsnet $k' takes '$o' (its usage line) but completion does not offer it"
	done
done
[ "$checked" -ge 60 ] || fail "only $checked options checked"

# ---- things to complete ------------------------------------------------------------
nsnet ns add red blue
nsnet net create compnet --subnet 10.77.0.0/24 >/dev/null
nsnet net attach compnet red >/dev/null
nsnet publish 18080 red:80 >/dev/null
cat >"$tmp/complab.yaml" <<'EOF'
name: complab
nodes:
  cn-left: {}
  cn-right: {}
links:
  - endpoints: [cn-left:cl0, cn-right:cr0]
    ips: [10.78.0.1/24, 10.78.0.2/24]
EOF
nsnet up "$tmp/complab.yaml" >/dev/null
assert_match "$(ip netns list)" "cn-left" "the lab is up"

# The driver: comp LINE completes at the end of LINE, split as readline splits it
# (blanks; ':' and '=' words of their own), and prints COMPREPLY a word a line.
cat >"$tmp/drive.sh" <<'EOF'
comp() {
	local line=$1 w="" c i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		case $c in
		' ') [[ -n $w ]] && COMP_WORDS+=("$w"); w="" ;;
		: | =) [[ -n $w ]] && COMP_WORDS+=("$w"); COMP_WORDS+=("$c"); w="" ;;
		*) w+=$c ;;
		esac
	done
	if [[ -n $w ]]; then COMP_WORDS+=("$w"); elif [[ $line == *' ' ]]; then COMP_WORDS+=(""); fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_nsnet nsnet "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}
# has LINE WORD...: completing LINE offers every WORD; only LINE WORD...: and nothing else.
has() {
	local line=$1 got w; shift
	got=$(comp "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" || { echo "'$line<TAB>' offers [$(echo $got)], not '$w'"; exit 1; }
	done
}
only() {
	local line=$1 got; shift
	got=$(comp "$line" | sort -u | tr '\n' ' ')
	[[ $got == "$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')" ]] || { echo "'$line<TAB>' offers [$got], expected [$*]"; exit 1; }
}
EOF
cat >"$tmp/checks.sh" <<'EOF'
only "nsnet sta" status
only "nsnet ns d" del
only "nsnet fw re" restore
only "nsnet up --d" --dry-run
only "nsnet --json l" ls link logs
has "nsnet down " complab
has "nsnet status comp" complab
has "nsnet pingall " complab
has "nsnet up " complab.yaml
only "nsnet exec re" red
only "nsnet exec red " --
has "nsnet show " red blue host cn-left
only "nsnet ns del b" blue
only "nsnet net attach " compnet
has "nsnet net attach compnet " red blue
only "nsnet net rm comp" compnet
only "nsnet run --net c" compnet
only "nsnet unpublish 180" 18080
only "nsnet graph --format " dot svg png
only "nsnet graph --format=s" svg
only "nsnet logs complab " cn-left cn-right
only "nsnet link set complab cn-l" cn-left:
only "nsnet link set complab cn-left:" cl0 lo
only "nsnet capture cn-right:c" cr0
only "nsnet publish 8080 bl" blue:
has "nsnet route add red default " via dev
only "nsnet router red " on off
only "nsnet net set compnet names " on off auto
only "nsnet doctor red --proto " icmp tcp udp
only "nsnet ns list --" --all --json --help
EOF
for with in yes no; do
	pre=""
	if [ "$with" = yes ]; then
		[ -f /usr/share/bash-completion/bash_completion ] || fail "bash-completion is not installed (scripts/deps)"
		pre=". /usr/share/bash-completion/bash_completion;"
	fi
	out=$(bash --norc --noprofile -c "$pre . '$BASHC'; . '$tmp/drive.sh'; cd '$tmp'; . '$tmp/checks.sh'" 2>&1) ||
		fail "bash completion (bash-completion loaded: $with): $out"
	# It is the function a Tab calls.
	assert_match "$(bash --norc --noprofile -c "$pre . '$BASHC'; complete -p nsnet")" "-F _nsnet nsnet" "complete -p nsnet"
done
# Not root: nsnet cannot answer (and says nothing); namespaces come from /run/netns.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		bash --norc --noprofile -c ". '$BASHC'; . '$tmp/drive.sh'; cd /; comp 'nsnet exec r'; comp 'nsnet down compl'" 2>&1)
	assert_eq "$out" "red" "completion as nobody (no lab name, nothing on stderr)"
fi

# ---- zsh ---------------------------------------------------------------------------
[ -f "$ZSHC" ] || fail "no $ZSHC"
if command -v zsh >/dev/null; then
	out=$(zsh -f -c "autoload -U compinit; compinit -u -D; source '$ZSHC'" 2>&1) || fail "zsh: loading _nsnet: $out"
	[ -z "$out" ] || fail "zsh: loading _nsnet said: $out"
	# Its name tables come from the same places: checked through a helper it defines.
	out=$(zsh -f -c "source '$ZSHC'; _nsnet_verbs_list" 2>&1) || fail "zsh: _nsnet_verbs_list: $out"
	assert_eq "$(sorted <<<"$out")" "$(sorted <<<"$top")" "zsh completion's commands vs nsnet help"
	out=$(zsh -f -c "source '$ZSHC'"'; for k; do print -r -- "$k|${(j: :)${(f)"$(_nsnet_opts_list $k)"}} "; done' zsh "${keys[@]}")
	while IFS='|' read -r k o; do
		assert_eq "${o% }" "${copts[$k]% }" "zsh vs bash options of '$k'"
	done <<<"$out"
	out=$(zsh -f -c "source '$ZSHC'"'; for v; do print -r -- "$v|${(j: :)${(f)"$(_nsnet_subs_list $v)"}}"; done' zsh $top)
	while IFS='|' read -r v o; do
		assert_eq "$o" "$(in_bash "_nsnet_subs $v")" "zsh vs bash sub-commands of '$v'"
	done <<<"$out"
	out=$(zsh -f -c "source '$ZSHC'; _nsnet_names ns" 2>&1)
	assert_match "$out" "^red$" "zsh: namespace names"
	out=$(zsh -f -c "source '$ZSHC'; _nsnet_names lab" 2>&1)
	assert_eq "$out" "complab" "zsh: lab names"
	out=$(zsh -f -c "source '$ZSHC'; _nsnet_names net" 2>&1)
	assert_eq "$out" "compnet" "zsh: network names"
	out=$(zsh -f -c "source '$ZSHC'; _nsnet_names published" 2>&1)
	assert_eq "$out" "18080" "zsh: published ports"
	# A real Tab, typed into an interactive zsh, and bash with and without bash-completion,
	# on a pseudo-terminal (nothing is run): readline's own word splitting, and zsh's.
	lines=("nsnet sta" "nsnet ns d" "nsnet up --dr" "nsnet exec re" "nsnet down compl" "nsnet net rm compn"
		"nsnet link set complab cn-l" "nsnet link set complab cn-left:c" "nsnet logs complab cn-r"
		"nsnet run --net comp" "nsnet publish 8080 bl" "nsnet graph --format s" "nsnet unpublish 180")
	wants=("nsnet status " "nsnet ns del " "nsnet up --dry-run " "nsnet exec red " "nsnet down complab"
		"nsnet net rm compnet " "nsnet link set complab cn-left:" "nsnet link set complab cn-left:cl0 "
		"nsnet logs complab cn-right " "nsnet run --net compnet " "nsnet publish 8080 blue:"
		"nsnet graph --format svg " "nsnet unpublish 18080 ")
	for sh in zsh zsh-fpath bash bash-completion; do
		f=$ZSHC
		[[ $sh == zsh* ]] || f=$BASHC
		out=$(cd "$tmp" && zsh -f "$REPO/tests/helpers/tab.zsh" $sh "$f" "${lines[@]}" 2>&1) ||
			fail "$sh: typing into it failed: $(cat -v <<<"$out")"
		for want in "${wants[@]}"; do
			grep -qF -- "=> $want" <<<"$out" || fail "$sh: a Tab did not make '$want': $(cat -v <<<"$out")"
		done
	done
else
	note "no zsh: the zsh completion is not checked"
fi

nsnet down complab >/dev/null
nsnet unpublish 18080 >/dev/null
nsnet net rm --force compnet >/dev/null
nsnet ns del red blue
