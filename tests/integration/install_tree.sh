#!/bin/bash
# `make install DESTDIR=...` of the build under test installs exactly tests/install.list
# (files with their modes, symlinks with their targets, the empty /etc/nsnet/labs),
# under the default PREFIX and under the Debian layout (PREFIX=/usr, a multiarch
# LIBDIR, SYSTEMDUNITDIR=/lib/systemd/system). The installed library's soname is
# libnsnet.so.MAJOR and it exports exactly lib/libnsnet.map's functions; pkg-config
# finds it at the install's directories with nsnet --version's version; the installed
# nsnet runs; `make uninstall` removes every file and nsnet's own directories, leaves
# the shared ones and a file of the user's in /etc/nsnet/labs.
# Witnesses: find, readlink, readelf, nm, pkg-config, the installed binary.
source "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$NSNET")
for tool in make readelf nm pkg-config; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
# Install what was built and tested: make must have nothing to rebuild (a stale tree
# would be rebuilt here with the default flags, even in build-asan).
make -s -q -C "$REPO" B="$B" "$B/nsnet" "$B/libnsnet.so" "$B/libnsnet.a" ||
	fail "$B is not up to date: run make (make asan for build-asan) first"

DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

version=$("$NSNET" --version | awk '{ print $2 }')
assert_match "$version" '^[0-9]+\.[0-9]+\.[0-9]+$' "nsnet --version"
somajor=${version%%.*}
map_syms=$(sed 's/#.*//' "$REPO/lib/libnsnet.map" | awk '
	/global:/ { g = 1; next }
	/local:/  { g = 0; next }
	/\}/      { g = 0 }
	g { gsub(/[ \t;]/, ""); if ($0 != "") print }' | sort)
[ "$(echo "$map_syms" | grep -c .)" -gt 40 ] || fail "too few functions read from lib/libnsnet.map"

# layout PREFIX [VAR=VALUE...]: the install directories as the Makefile derives them
# (issue 18's defaults), without the leading '/', into the variables of install.list.
layout() {
	local prefix=$1 kv; shift
	SBINDIR=$prefix/sbin LIBDIR=$prefix/lib INCLUDEDIR=$prefix/include MANDIR=$prefix/share/man
	BASHCOMPDIR=$prefix/share/bash-completion/completions ZSHCOMPDIR=$prefix/share/zsh/vendor-completions
	CNIDIR=$prefix/lib/cni SYSTEMDUNITDIR=$prefix/lib/systemd/system EXAMPLESDIR=$prefix/share/doc/nsnet/examples
	SYSCONFDIR=/etc
	for kv in "$@"; do printf -v "${kv%%=*}" '%s' "${kv#*=}"; done
	PKGCONFIGDIR=$LIBDIR/pkgconfig
	for kv in $LAYOUT_VARS; do printf -v "$kv" '%s' "${!kv#/}"; done
}
LAYOUT_VARS="SBINDIR LIBDIR INCLUDEDIR PKGCONFIGDIR MANDIR BASHCOMPDIR ZSHCOMPDIR CNIDIR SYSTEMDUNITDIR EXAMPLESDIR SYSCONFDIR"
# The list with the variables filled in: sorted lines "PATH MODE", "PATH -> TARGET", "DIR/".
expected() {
	local args=() v
	for v in $LAYOUT_VARS; do
		args+=(-e "s|@$v@|${!v}|g")
	done
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "${args[@]}" \
		-e "s|@VERSION@|$version|g" -e "s|@SOMAJOR@|$somajor|g" "$REPO/tests/install.list" | sort
}
# What is under ROOT, in the list's form.
tree() {
	(cd "$1" && find . -mindepth 1 \( -type f -printf '%P %m\n' \) -o \( -type l -printf '%P -> %l\n' \) \
		-o \( -type d -empty -printf '%P/\n' \)) | sort
}

# check_install ROOT: the tree and what the installed files say about themselves.
check_install() {
	local root=$1 diff
	diff=$(diff <(expected) <(tree "$root")) ||
		fail "installed tree differs from tests/install.list ('<' listed only, '>' installed only):"$'\n'"$diff"
	# The CNI plugin's link resolves to the installed binary, inside the tree.
	assert_eq "$(readlink -f "$root/$CNIDIR/nsnet")" "$(readlink -f "$root/$SBINDIR/nsnet")" "CNI link"
	"$root/$SBINDIR/nsnet" --version >"$DIR/v" || fail "the installed nsnet --version fails"
	assert_eq "$(cat "$DIR/v")" "nsnet $version" "installed nsnet --version"
	local so=$root/$LIBDIR/libnsnet.so.$version
	assert_eq "$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" "libnsnet.so.$somajor" "soname"
	# Exports: nm -D shows the version node as an absolute symbol of its own name;
	# everything else defined must be a function of the map, and all of them.
	local syms stray
	syms=$(nm -D --defined-only "$so" | awk 'NF == 3 { sub(/@.*/, "", $3); print $2, $3 }')
	stray=$(awk '!($1 == "A" && $2 ~ /^LIBNSNET_/) && $1 != "T" { print $2 " (" $1 ")" }' <<<"$syms")
	[ -z "$stray" ] || fail "$so exports more than functions: $stray"
	diff=$(diff <(echo "$map_syms") <(awk '$1 == "T" { print $2 }' <<<"$syms" | sort)) ||
		fail "$so exports ('>') other functions than lib/libnsnet.map lists ('<'):"$'\n'"$diff"
	# pkg-config, pointed at the install, answers with its directories.
	local pc=(env PKG_CONFIG_PATH="$root/$PKGCONFIGDIR" pkg-config)
	"${pc[@]}" --exists libnsnet || fail "pkg-config does not find libnsnet in $root/$PKGCONFIGDIR"
	assert_eq "$("${pc[@]}" --variable=pcfiledir libnsnet)" "$root/$PKGCONFIGDIR" "the libnsnet.pc pkg-config reads"
	assert_eq "$("${pc[@]}" --modversion libnsnet)" "$version" "pkg-config --modversion"
	assert_eq "$("${pc[@]}" --variable=libdir libnsnet)" "/$LIBDIR" "the .pc's libdir"
	assert_eq "$("${pc[@]}" --variable=includedir libnsnet)" "/$INCLUDEDIR" "the .pc's includedir"
}

# check_uninstall ROOT: nothing of nsnet's left; the shared directories stay.
check_uninstall() {
	local root=$1 left
	left=$(cd "$root" && find . \( -type f -o -type l \) -printf '%P\n')
	[ -z "$left" ] || fail "make uninstall left files: $left"
	left=$(cd "$root" && find . -type d -path '*nsnet*' -printf '%P\n')
	[ -z "$left" ] || fail "make uninstall left nsnet's directories: $left"
	[ -d "$root/$SBINDIR" ] && [ -d "$root/$LIBDIR" ] || fail "make uninstall removed shared directories"
}

# 1. The defaults: PREFIX=/usr/local.
root=$DIR/default
layout /usr/local
make -s -C "$REPO" B="$B" install DESTDIR="$root" >"$DIR/out" 2>&1 || fail "make install: $(cat "$DIR/out")"
check_install "$root"
note "PREFIX=/usr/local: $(tree "$root" | wc -l) entries as listed"
make -s -C "$REPO" B="$B" uninstall DESTDIR="$root" >"$DIR/out" 2>&1 || fail "make uninstall: $(cat "$DIR/out")"
check_uninstall "$root"

# 2. The Debian layout lands where asked, and uninstall with the same variables
# keeps a lab file the user put in /etc/nsnet/labs (and so that directory).
root=$DIR/deb
vars=(PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu SYSTEMDUNITDIR=/lib/systemd/system)
layout /usr "${vars[@]:1}"
make -s -C "$REPO" B="$B" install DESTDIR="$root" "${vars[@]}" >"$DIR/out" 2>&1 || fail "make install ${vars[*]}: $(cat "$DIR/out")"
check_install "$root"
note "${vars[*]}: $(tree "$root" | wc -l) entries as listed"
echo "name: mine" >"$root/etc/nsnet/labs/mine.yaml"
make -s -C "$REPO" B="$B" uninstall DESTDIR="$root" "${vars[@]}" >"$DIR/out" 2>&1 || fail "make uninstall: $(cat "$DIR/out")"
[ -f "$root/etc/nsnet/labs/mine.yaml" ] || fail "make uninstall removed the user's lab file"
rm "$root/etc/nsnet/labs/mine.yaml"
rmdir "$root/etc/nsnet/labs" "$root/etc/nsnet"
check_uninstall "$root"
