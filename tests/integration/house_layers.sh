#!/bin/bash
# The architecture stays what lib/LAYERS says: no #include and no call (read from
# the objects' undefined symbols) goes from a folder to one on its own line or
# above, every folder of lib/ has its line, and no file-to-file circle of calls
# exists anywhere in lib/ (a circle inside a folder is a tangle all the same).
# nsnet-test-not-asan: it checks the source tree and its objects, the same in both builds
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$NSNET")
layers="$REPO/lib/LAYERS"
declare -A rank
n=0
while read -r line; do
	line=${line%%#*}
	[ -n "${line// /}" ] || continue
	for f in $line; do rank[$f]=$n; done
	n=$((n + 1))
done <"$layers"
[ "$n" -gt 3 ] || fail "lib/LAYERS lists $n layers"

# Every folder is placed; every placed folder exists.
for d in "$REPO"/lib/*/; do
	f=$(basename "$d")
	[ -n "${rank[$f]:-}" ] || fail "lib/$f/ has no line in lib/LAYERS"
done
for f in "${!rank[@]}"; do
	[ -d "$REPO/lib/$f" ] || fail "lib/LAYERS names lib/$f/, which does not exist"
done
# No source file outside a folder but the public header.
for f in "$REPO"/lib/*.c "$REPO"/lib/*.h; do
	[ -e "$f" ] || continue
	[ "$(basename "$f")" = nsnet.h ] || fail "lib/$(basename "$f") is in no folder"
done

# ---- includes ---------------------------------------------------------------------
bad=""
checked=0
for f in "$REPO"/lib/*/*.[ch]; do
	from=$(basename "$(dirname "$f")")
	while read -r inc; do
		checked=$((checked + 1))
		case $inc in
		nsnet.h) continue ;;
		*/*) to=${inc%%/*} ;;
		*) bad+="${f#"$REPO"/}: #include \"$inc\" names no folder"$'\n'; continue ;;
		esac
		[ -n "${rank[$to]:-}" ] || { bad+="${f#"$REPO"/}: #include \"$inc\": no such layer"$'\n'; continue; }
		if [ "$to" != "$from" ] && [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
			bad+="${f#"$REPO"/}: includes $inc (layer ${rank[$to]}) from layer ${rank[$from]}"$'\n'
		fi
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
[ -z "$bad" ] || fail "includes that point up or sideways:"$'\n'"$bad"
[ "$checked" -gt 100 ] || fail "only $checked includes read"

# ---- calls, from the symbol tables ----------------------------------------------
# Which object defines each global symbol, and what each object needs.
defs=$(mktemp) uses=$(mktemp)
for o in "$B"/lib/*/*.o; do
	rel=${o#"$B"/lib/}
	[ -e "$REPO/lib/${rel%.o}.c" ] || continue  # left by a file since moved
	nm --defined-only -g "$o" | awk -v o="$rel" 'NF == 3 { print $3, o }' >>"$defs"
	nm -u "$o" | awk -v o="$rel" '{ print o, $NF }' >>"$uses"
done
[ "$(wc -l <"$defs")" -gt 200 ] || fail "only $(wc -l <"$defs") symbols defined in $B/lib"
# Edges object -> object (a call or a reference to data), external symbols dropped.
edges=$(awk 'NR == FNR { def[$1] = $2; next } ($2 in def) && def[$2] != $1 { print $1, def[$2], $2 }' "$defs" "$uses" | sort -u)
rm -f "$defs" "$uses"
[ "$(echo "$edges" | wc -l)" -gt 100 ] || fail "only $(echo "$edges" | wc -l) calls between files found"
bad=""
while read -r a b sym; do
	fa=${a%%/*} fb=${b%%/*}
	if [ "$fa" != "$fb" ] && [ "${rank[$fb]}" -ge "${rank[$fa]}" ]; then
		bad+="lib/${a%.o}.c calls $sym in lib/${b%.o}.c (layer ${rank[$fb]} from ${rank[$fa]})"$'\n'
	fi
done <<<"$edges"
[ -z "$bad" ] || fail "calls that point up or sideways:"$'\n'"$bad"

# Circles between files: a depth-first search over the file graph.
circles=$(echo "$edges" | awk '
	{ if (!(($1, $2) in seen)) { seen[$1, $2] = 1; out[$1] = out[$1] " " $2 } nodes[$1]; nodes[$2] }
	function visit(v,    n, i, w, parts) {
		state[v] = 1; stack[++depth] = v
		n = split(out[v], parts, " ")
		for (i = 1; i <= n; i++) {
			w = parts[i]
			if (state[w] == 1) {
				for (j = 1; j <= depth && stack[j] != w; j++) ;
				for (line = ""; j <= depth; j++) line = line stack[j] " -> "
				print line w
			} else if (!state[w]) visit(w)
		}
		depth--; state[v] = 2
	}
	END { for (v in nodes) if (!state[v]) visit(v) }')
[ -z "$circles" ] || fail "circles of calls between files:"$'\n'"$circles"
echo "layers: $n; includes read: $checked; calls between files: $(echo "$edges" | wc -l); no circle"
