#!/bin/bash
# libnsnet.so exports exactly the functions nsnet.h declares: lib/libnsnet.map lists
# the same set, the built library exports those and nothing else (no internal
# function or data of a layer, whatever its prefix), and the CLI, a client of the
# library like any other, uses nothing from lib/ that nsnet.h does not declare.
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
# The preprocessor takes comments, macros and the C++ guard out of the way (a
# function named in a comment or a #define is not declared), and expands any
# macro a declaration might be written with. What is left is read one top-level
# declaration at a time: brace contents (struct members, function pointers among
# them) are skipped, typedefs too, and the declaration's name is the first
# nsnet_ identifier followed by '(' -- which a pointer to a function, data
# ("int (*nsnet_hook)(int);"), never is.
hdr=$("${CC:-cc}" -E -P -I"$REPO/lib" -x c "$header" | awk '
	{ text = text $0 " " }
	END {
		depth = 0; stmt = ""
		for (i = 1; i <= length(text); i++) {
			c = substr(text, i, 1)
			if (c == "{") { depth++; continue }
			if (c == "}") { depth--; continue }
			if (depth > 0) continue
			if (c != ";") { stmt = stmt c; continue }
			if (stmt !~ /^[ \t]*typedef[ \t]/ && match(stmt, /nsnet_[A-Za-z0-9_]*[ \t]*\(/)) {
				name = substr(stmt, RSTART, RLENGTH)
				sub(/[ \t]*\($/, "", name)
				print name
			}
			stmt = ""
		}
	}' | sort -u)
n_hdr=$(echo "$hdr" | grep -c .)
[ "$n_hdr" -gt 40 ] || fail "only $n_hdr functions read from nsnet.h"
# The raw text agrees: every declaration's name appears in nsnet.h itself (a macro
# could otherwise smuggle in a name no reader of the header sees).
for f in $hdr; do
	grep -q "\b$f\b" "$header" || fail "$f is declared through a macro, not by name in nsnet.h"
done

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
exported="" stray=""
while read -r type name; do
	if [ "$type" = A ] && echo "$nodes" | grep -qx "$name"; then
		continue
	elif [ "$type" = T ] && [[ $name == nsnet_* ]]; then
		exported+="$name"$'\n'
	else
		stray+="  $name ($type)"$'\n'
	fi
done <<<"$syms"
[ -z "$stray" ] || fail "$so exports what nsnet.h does not declare:"$'\n'"$stray"
exported=$(echo -n "$exported" | sort)
differ "lib/nsnet.h's functions (first) and those $so exports (second) differ" "$hdr" "$exported"
# Every export carries the map's version, so the map was applied, not just present.
unversioned=$(nm -D --defined-only --with-symbol-versions "$so" | awk '$2 == "T" && $3 !~ /@@?LIBNSNET_/ { print "  " $3 }')
[ -z "$unversioned" ] || fail "$so exports without a version (linked without lib/libnsnet.map?):"$'\n'"$unversioned"

# ---- the CLI --------------------------------------------------------------------------
# What src/ takes from lib/: each symbol an object of src/ needs that an object of
# lib/ defines. nsnet links libnsnet.a, where internals are within reach; the
# shared library would not have them.
libdefs=$(for o in "$B"/lib/*/*.o; do nm --defined-only -g "$o"; done | awk 'NF == 3 { print $3 }' | sort -u)
used=$(for o in "$B"/src/*.o; do nm -u "$o"; done | awk '{ print $NF }' | sort -u)
internal=$(comm -12 <(echo "$libdefs") <(echo "$used") | comm -23 - <(echo "$hdr"))
[ -z "$internal" ] || fail "the CLI (src/) uses library internals nsnet.h does not declare:"$'\n'"$internal"

echo "nsnet.h: $n_hdr functions; lib/libnsnet.map and $so: the same; the CLI uses $(comm -12 <(echo "$libdefs") <(echo "$used") | wc -l) of them"
