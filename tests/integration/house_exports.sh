#!/bin/bash
# libnsnet.so exports exactly the functions nsnet.h declares: lib/libnsnet.map lists
# the same set, the built library exports those and nothing else (no internal
# function or data of a layer, whatever its prefix), and the CLI, a client of the
# library like any other, uses nothing from lib/ that nsnet.h does not declare.
# nsnet-test-not-asan: the export map and the library built from the same sources, the same in both builds
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$NSNET")
header="$REPO/lib/nsnet.h"
map="$REPO/lib/libnsnet.map"
so="$B/libnsnet.so"
[ -e "$so" ] || fail "$so is not built"
command -v nm >/dev/null || skip "nm (binutils) is not installed"
command -v "${CC:-cc}" >/dev/null || skip "no C compiler (${CC:-cc}) to preprocess nsnet.h"

# differ WHAT A B: fail when the sorted lists A and B differ, naming both sides.
differ() {
	local only_a only_b
	only_a=$(comm -23 <(echo "$2") <(echo "$3") | sed 's/^/    /')
	only_b=$(comm -13 <(echo "$2") <(echo "$3") | sed 's/^/    /')
	[ -z "$only_a$only_b" ] && return 0
	fail "$1:"$'\n'"  only in the first:"$'\n'"${only_a:-    (none)}"$'\n'"  only in the second:"$'\n'"${only_b:-    (none)}"
}

# ---- the header's functions ---------------------------------------------------------
# (tests/lib.sh: header_functions says how it reads declarations.)
hdr=$(header_functions "$header")
n_hdr=$(echo "$hdr" | grep -c .)
[ "$n_hdr" -gt 40 ] || fail "only $n_hdr functions read from nsnet.h"
# The raw text agrees: every declaration's name appears in nsnet.h itself (a macro
# could otherwise smuggle in a name no reader of the header sees).
hidden=$(comm -23 <(echo "$hdr") <(grep -oE 'nsnet_[A-Za-z0-9_]+' "$header" | sort -u))
[ -z "$hidden" ] || fail "declared through a macro, not by name in nsnet.h: $hidden"

# ---- the map --------------------------------------------------------------------------
# Its version nodes, and the names under global: (comments are '#' to the line's end).
nodes=$(sed 's/#.*//' "$map" | grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_.]*[[:space:]]*\{' | tr -d '{[:space:]' | sort -u)
[ -n "$nodes" ] || fail "lib/libnsnet.map has no version node"
mapped=$(sed 's/#.*//' "$map" | awk '
	/global:/ { g = 1; next }
	/local:/  { g = 0; next }
	/\}/      { g = 0 }
	g { gsub(/[ \t;]/, ""); if ($0 != "") print }' | sort)
dups=$(echo "$mapped" | uniq -d)
[ -z "$dups" ] || fail "lib/libnsnet.map lists twice: $dups"
sed 's/#.*//' "$map" | tr -d ' \t\n' | grep -q 'local:\*;' || fail "lib/libnsnet.map does not make the rest local (local: *;)"
differ "lib/nsnet.h's functions (first) and lib/libnsnet.map's (second) differ" "$hdr" "$mapped"

# ---- the library ----------------------------------------------------------------------
# nm -D lists a version node as an absolute symbol (A) of its own name; anything
# else exported must be one of nsnet.h's functions, in the text section. The ASan
# build's library needs no exception: clang links the sanitizer runtimes into
# executables only, so the .so merely refers to __asan_*/__ubsan_* (undefined).
syms=$(nm -D --defined-only "$so" | awk 'NF == 3 { sub(/@.*/, "", $3); print $2, $3 }')
exported=$(echo "$syms" | awk '$1 == "T" && $2 ~ /^nsnet_/ { print $2 }' | sort)
stray=$(echo "$syms" | awk -v nodes="${nodes//$'\n'/ }" '
	BEGIN { split(nodes, n, " "); for (i in n) node[n[i]] = 1 }
	!($1 == "A" && $2 in node) && !($1 == "T" && $2 ~ /^nsnet_/) { print "  " $2 " (" $1 ")" }')
[ -z "$stray" ] || fail "$so exports what nsnet.h does not declare:"$'\n'"$stray"
differ "lib/nsnet.h's functions (first) and those $so exports (second) differ" "$hdr" "$exported"
# Every export carries the map's version, so the map was applied, not just present.
unversioned=$(nm -D --defined-only --with-symbol-versions "$so" | awk '$2 == "T" && $3 !~ /@@?LIBNSNET_/ { print "  " $3 }')
[ -z "$unversioned" ] || fail "$so exports without a version (linked without lib/libnsnet.map?):"$'\n'"$unversioned"

# ---- the CLI --------------------------------------------------------------------------
# What src/ takes from lib/: each symbol an object of src/ needs that an object of
# lib/ defines. nsnet links libnsnet.a, where internals are within reach; the
# shared library would not have them.
# Objects whose source is gone (left by a file since moved) are not read.
objs() { local o; for o in "$B/$1"/*.o; do if [ -e "$REPO/$1/$(basename "$o" .o).c" ]; then echo "$o"; fi; done; }
mapfile -t lib_objs < <(for d in "$REPO"/lib/*/; do objs "lib/$(basename "$d")"; done)
mapfile -t src_objs < <(objs src)
[ "${#lib_objs[@]}" -gt 50 ] || fail "only ${#lib_objs[@]} objects of lib/ in $B"
[ "${#src_objs[@]}" -gt 5 ] || fail "only ${#src_objs[@]} objects of src/ in $B"
libdefs=$(nm --defined-only -g "${lib_objs[@]}" | awk 'NF == 3 { print $3 }' | sort -u)
used=$(nm -u "${src_objs[@]}" | awk 'NF && !/:$/ { print $NF }' | sort -u)
internal=$(comm -12 <(echo "$libdefs") <(echo "$used") | comm -23 - <(echo "$hdr"))
[ -z "$internal" ] || fail "the CLI (src/) uses library internals nsnet.h does not declare:"$'\n'"$internal"

echo "nsnet.h: $n_hdr functions; lib/libnsnet.map and $so: the same; the CLI uses $(comm -12 <(echo "$libdefs") <(echo "$used") | wc -l) of them"
