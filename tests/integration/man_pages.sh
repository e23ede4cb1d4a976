#!/bin/bash
# The man pages (man/) render without a warning, and cannot drift from what they
# describe: nsnet(8) against the binary's own help (every command, sub-command and
# option it prints is documented, and every command documented exists),
# nsnet-lab(5) against docs/lab-format.md (every key), libnsnet(3) against
# lib/nsnet.h (every function). A failure lists exactly what is missing.
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
MAN="$REPO/man"
command -v groff >/dev/null || skip "groff is not installed (scripts/deps installs it)"
command -v man >/dev/null || skip "man (man-db) is not installed (scripts/deps installs it)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pages="nsnet.8 nsnet-lab.5 libnsnet.3"

# ---- (a) every page renders, with no warning or error -----------------------------
for p in $pages; do
	[ -f "$MAN/$p" ] || fail "man/$p is missing"
	# -ww: every warning; -z: format, write nothing. Anything on stderr is a fault.
	out=$(groff -ww -man -Tutf8 -z "$MAN/$p" 2>&1) || fail "groff failed on man/$p: $out"
	[ -z "$out" ] || fail "groff -ww warns on man/$p:"$'\n'"$out"
	# As a user gets it: man -l, through man-db's own preprocessors and pager-less.
	# man-db passes its own warning level to groff; MAN_KEEP_FORMATTING off gives text.
	rc=0
	MANWIDTH=80 LC_ALL=C.UTF-8 MANOPT= man --warnings=w -l "$MAN/$p" >"$tmp/$p.txt" 2>"$tmp/$p.err" </dev/null || rc=$?
	[ "$rc" = 0 ] || fail "man -l man/$p exited $rc: $(cat "$tmp/$p.err")"
	[ ! -s "$tmp/$p.err" ] || fail "man -l man/$p warns:"$'\n'"$(cat "$tmp/$p.err")"
	[ "$(wc -l <"$tmp/$p.txt")" -gt 40 ] || fail "man -l man/$p rendered only $(wc -l <"$tmp/$p.txt") lines"
	grep -q '^NAME' "$tmp/$p.txt" || fail "man -l man/$p has no NAME section"
done

# plain FILE: the roff source as text: escapes of a hyphen, fonts and zero-width
# characters taken out, so an option reads as it does on the terminal.
plain() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' -e 's/\\(dq/"/g' \
	    -e 's/\\e/\\/g' -e 's/\\c$//' "$1"
}
# report WHAT LIST: fail naming every item of LIST (one a line) when it is not empty.
missing_all=""
report() {
	[ -z "$2" ] && return 0
	missing_all+="$1:"$'\n'"$(sed 's/^/    /' <<<"$2")"$'\n'
}

# ---- (b) nsnet.8 against the binary's help -----------------------------------------
page8=$(plain "$MAN/nsnet.8")
# Each help is asked for once and kept in a file, and read with one awk each: a
# process costs a tenth of a second on a busy machine, and nsnet loads many libraries.
mkdir "$tmp/help"
# hf WORDS...: $HF is the file of `nsnet WORDS... --help`.
hf() {
	HF="$tmp/help/_${*// /_}"
	[ -e "$HF" ] || "$NSNET" "$@" --help >"$HF" || fail "nsnet $* --help exited $?"
}
# cmds_of WORDS...: the commands a help lists under "Commands:", and a command
# written as an alternative of the usage line (`publish ... | ls [--json]`).
cmds_of() {
	hf "$@"
	awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }
		/^Usage:/ { s = $0; while (match(s, /\| [a-z]+( |$)/)) { w = substr(s, RSTART + 2, RLENGTH - 2); sub(/ $/, "", w); print w; s = substr(s, RSTART + RLENGTH) } }' "$HF"
}
# opts_of WORDS...: "WORDS OPTION" for each option a help prints: the tokens -x and
# --xxx of its usage line, and of its option lines (starting with blanks and '-'),
# from the option column only (before the first run of two blanks), so that prose
# such as "| tcpdump -r -" is not taken for one of nsnet's options.
opts_of() {
	hf "$@"
	awk -v pre="${*:+$* }" '
		function toks(s) {
			s = " " s
			while (match(s, /[][ |,(]--?[A-Za-z0-9][A-Za-z0-9-]*/)) {
				print pre substr(s, RSTART + 1, RLENGTH - 1); s = substr(s, RSTART + RLENGTH)
			}
		}
		/^Usage:/ { toks($0); next }
		/^[ \t]+-/ { sub(/^[ \t]+/, ""); split($0, a, /  +/); toks(a[1]) }' "$HF"
}
top=$(cmds_of)
[ "$(wc -l <<<"$top")" -gt 20 ] || fail "only $(wc -l <<<"$top") commands read from nsnet --help"
# Every command of the help, "CMD" or "CMD SUB" (a command with sub-commands is
# only its sub-commands, but publish is both), and their options.
helped=""
wanted=""
for c in $top; do
	subs=$(cmds_of "$c")
	hf "$c"
	grep -q '^Commands:' "$HF" || { helped+="$c"$'\n'; wanted+=$(opts_of "$c")$'\n'; }
	for s in $subs; do
		helped+="$c $s"$'\n'
		wanted+=$(opts_of "$c" "$s")$'\n'
	done
done
helped=$(sed '/^$/d' <<<"$helped" | sort -u)

# The commands nsnet.8 documents: the tag lines of its COMMANDS section,
# "\fBnsnet CMD [SUB]\fR ...".
documented=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$MAN/nsnet.8" |
	sed -nE 's/^\\fBnsnet ([a-z][a-z -]*[a-z])\\fR.*/\1/p' | sort -u)
[ "$(wc -l <<<"$documented")" -gt 20 ] || fail "only $(wc -l <<<"$documented") commands read from nsnet.8"

# Every command of the help is documented (as a tag line of its own).
report "commands in 'nsnet help' (and sub-command helps) missing from man/nsnet.8" \
	"$(comm -23 <(echo "$helped") <(echo "$documented"))"
# Every command documented exists.
extra=$(comm -13 <(echo "$helped") <(echo "$documented"))
report "commands in man/nsnet.8 that the binary's help does not have" "$extra"

# Every option of every help is in the page, not as part of a longer word. (Sets
# compared whole: one grep per option is minutes of forks on a loaded machine.)
page8_opts=$(grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][A-Za-z0-9-]*' <<<"$page8" | sed -E 's/^[^-]//' | sort -u)
# The program's own options ("-h", "--version" are in the page's OPTIONS).
wanted+=$(printf '%s\n' --help -h --version --json)$'\n'
wanted=$(sed '/^$/d' <<<"$wanted" | sort -u)
nopts=$(wc -l <<<"$wanted")
missing_opts=$(awk 'NR == FNR { have[$0] = 1; next } !($NF in have) { print "nsnet " $0 }' \
	<(echo "$page8_opts") <(echo "$wanted"))
[ "$nopts" -gt 50 ] || fail "only $nopts options read from the helps"
report "options printed by the helps missing from man/nsnet.8" "$missing_opts"
# The sections the page promises.
for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
	grep -qE "^\.SH \"?$s\"?$" "$MAN/nsnet.8" || missing_secs+="$s"$'\n'
done
report "sections missing from man/nsnet.8" "$(sed '/^$/d' <<<"${missing_secs:-}")"
# Every variable the program reads is in ENVIRONMENT.
envs=$(grep -rhoE 'getenv\("[A-Z_]+"\)' "$REPO/src" "$REPO/lib" | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u)
envsec=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN/nsnet.8" | plain /dev/stdin)
report "environment variables read by src/ or lib/ missing from ENVIRONMENT of man/nsnet.8" \
	"$(comm -23 <(echo "$envs") <(grep -oE '[A-Z][A-Z_]+' <<<"$envsec" | sort -u))"

# ---- (c) nsnet-lab.5 against docs/lab-format.md -------------------------------------
# The doc marks a key as the backticked first cell of a table row (`| \`subnet\` |`);
# a key that is a mapping of fixed keys names them, backticked, in its type cell
# ("mapping: `vni` (...), `local` ...", "map of `input`, `forward`, ..."). The
# sections' headings name the lists and mappings (## `networks`, ### `routes`).
doc="$REPO/docs/lab-format.md"
keys=$( {
	sed 's/\\|/ /g' "$doc" | awk -F'|' '/^\|/ && $2 ~ /^ *`[a-z_]+` *$/ {
		k = $2; gsub(/[ `]/, "", k); print k
		if ($3 ~ /^ *(mapping|map of)/) { t = $3; while (match(t, /`[a-z_]+`/)) { print substr(t, RSTART + 1, RLENGTH - 2); t = substr(t, RSTART + RLENGTH) } }
	}'
	grep -oE '^#+ `[a-z_]+`' "$doc" | grep -oE '[a-z_]+'
} | sort -u)
[ "$(wc -l <<<"$keys")" -gt 30 ] || fail "only $(wc -l <<<"$keys") keys read from docs/lab-format.md"
# In the page a key is an entry of its own, in bold: a .TP tag ".B key" / ".BR key"
# or "\fBkey\fR".
page5=$(plain "$MAN/nsnet-lab.5")
bold5=$( { grep -oE '^\.(B|BR|BI) "?[a-z_]+' <<<"$page5" | sed -E 's/^\.[A-Z]+ "?//'
	grep -oE '\\fB[a-z_]+' "$MAN/nsnet-lab.5" | sed 's/^\\fB//'; } | sort -u || true)
report "keys of docs/lab-format.md missing from man/nsnet-lab.5 (as a bold entry)" \
	"$(comm -23 <(echo "$keys") <(echo "$bold5"))"
# The example is the tutorial lab, whole.
ex=$(sed -n '/^\.SH EXAMPLES*$/,/^\.SH /p' "$MAN/nsnet-lab.5" | plain /dev/stdin)
missing_ex=$(grep -vxF -f <(echo "$ex") "$REPO/examples/tutorial.yaml" | sed '/^$/d' || true)
report "lines of examples/tutorial.yaml missing from EXAMPLE of man/nsnet-lab.5" "$missing_ex"

# ---- (d) libnsnet.3 against lib/nsnet.h ---------------------------------------------
# The functions nsnet.h declares (tests/lib.sh: header_functions).
funcs=$(header_functions "$REPO/lib/nsnet.h")
[ "$(wc -l <<<"$funcs")" -gt 40 ] || fail "only $(wc -l <<<"$funcs") functions read from nsnet.h"
page3=$(plain "$MAN/libnsnet.3")
# Each with its prototype: the name followed by "(". And none documented that the
# header does not declare (a renamed function).
page3_fns=$(grep -oE -- '(^|[^A-Za-z0-9_])nsnet_[a-z0-9_]+ *\(' <<<"$page3" | grep -oE 'nsnet_[a-z0-9_]+' | sort -u || true)
report "functions declared in lib/nsnet.h missing from man/libnsnet.3" "$(comm -23 <(echo "$funcs") <(echo "$page3_fns"))"
extra_fn=$(comm -13 <(echo "$funcs") <(echo "$page3_fns"))
report "functions in man/libnsnet.3 that lib/nsnet.h does not declare" "$extra_fn"
grep -q 'pkg-config --cflags --libs libnsnet' <<<"$page3" || report "man/libnsnet.3" "does not say how to build (pkg-config --cflags --libs libnsnet)"

[ -z "$missing_all" ] || fail "the man pages drifted:"$'\n'"$missing_all"
note "3 pages render clean; $(wc -l <<<"$helped") commands and $nopts options, $(wc -l <<<"$keys") lab keys, $(wc -l <<<"$funcs") functions checked"
