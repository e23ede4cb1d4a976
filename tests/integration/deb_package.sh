#!/bin/bash
# The Debian package (debian/, docs/packaging.md), built with Debian's own tools from
# the files git tracks in this tree: dpkg-source -b and dpkg-buildpackage -b; lintian
# on the .dsc and the .changes has nothing to say (every remaining tag is overridden
# with its reason in debian/*.lintian-overrides); the three .debs install with dpkg
# into overlays (tmpfs upper dirs) mounted over /usr, /etc and /var in the sandbox's
# own mount namespace, so the machine's dpkg database and /usr never change (checked
# through descriptors opened on the real directories before the overlays); the
# installed /usr/sbin/nsnet brings the embedded default lab up (ip netns list, a
# ping red -> blue, nsnet pingall), the -dev package compiles and links a program
# through pkg-config against the installed shared library, nsnet down removes the
# lab; dpkg --purge leaves none of the packages' files, no /etc/nsnet and nothing
# named nsnet in the overlays' upper dirs.
#
# The package does not depend on the build tree under test: it is built from source
# with dpkg-buildflags' flags. NSNET_DEB_STANDINS=1 puts throwaway stand-ins in the
# copy for packaged files the tree does not have yet (man pages, completion, units:
# other branches of issue 18), to try the packaging before they are merged.
# nsnet-test-timeout: 900
# nsnet-test-not-asan: the package is built from source with Debian's build flags whatever the build tree; the sanitizer run would repeat the normal one
source "$(dirname "$0")/../lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
for t in git dpkg-buildpackage dpkg-source dh lintian dpkg pkg-config cc jq; do
	command -v "$t" >/dev/null || skip "$t is not installed (scripts/deps)"
done
[ "${NSNET_SANDBOX:-}" = 1 ] || fail "not in tests/sandbox: this test mounts overlays over /usr, /etc and /var"
git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || skip "$REPO is not a git checkout (the package is built from the files git tracks)"

VERSION=$(sed -n 's/^#define NSNET_VERSION "\(.*\)"/\1/p' "$REPO/src/verbs.h")
assert_match "$(head -n1 "$REPO/debian/changelog")" "^nsnet \\($VERSION\\) " "debian/changelog's version is the tree's (src/verbs.h)"
PKGS=(nsnet libnsnet0 libnsnet-dev)

T=$(mktemp -d /tmp/nsnet-deb.XXXXXX)
OV=""
cleanup() {
	local d
	set +e
	# Bring down whatever the installed binary may have left, then the overlays (they
	# would vanish with the sandbox's mount namespace anyway).
	[ -x /usr/sbin/nsnet ] && [ -n "$OV" ] && /usr/sbin/nsnet down >/dev/null 2>&1
	if [ -n "$OV" ]; then
		umount -l /etc/netns 2>/dev/null
		for d in /var /etc /usr; do umount -l "$d" 2>/dev/null; done
		umount -l "$OV" 2>/dev/null
	fi
	# Nothing is mounted under $T; make sure before removing it.
	if ! findmnt -rn -o TARGET | grep -q "^$T"; then rm -rf "$T"; fi
}
trap cleanup EXIT

# ---- the source: the files git tracks, as they are in the working tree -----------
SRC=$T/src/nsnet-$VERSION
mkdir -p "$SRC"
(cd "$REPO" && git ls-files -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) |
	tar -C "$REPO" --null -T - -cf - | tar -C "$SRC" -xf -
[ -f "$SRC/debian/rules" ] || fail "debian/rules is not tracked by git"

# The files nsnet.install and libnsnet-dev.install list that come from the tree
# (other branches of issue 18 write them).
missing=()
for f in man/nsnet.8 man/nsnet-lab.5 man/libnsnet.3 completion/nsnet.bash completion/_nsnet \
	systemd/nsnet@.service systemd/nsnet-fw-watch.service examples/updown.c examples/Makefile; do
	[ -e "$SRC/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "${NSNET_DEB_STANDINS:-}" = 1 ] || fail "the package ships files the tree does not have: ${missing[*]} (NSNET_DEB_STANDINS=1 tries with stand-ins)"
	note "stand-ins (NSNET_DEB_STANDINS=1) for: ${missing[*]}"
	for f in "${missing[@]}"; do
		mkdir -p "$SRC/$(dirname "$f")"
		case $f in
		man/*) n=$(basename "$f"); printf '.TH %s %s "2026" "nsnet"\n.SH NAME\n%s \\- stand-in\n.SH DESCRIPTION\nStand-in.\n' \
			"${n%.*}" "${n##*.}" "${n%.*}" >"$SRC/$f" ;;
		*.service) printf '[Unit]\nDescription=nsnet stand-in\nDocumentation=man:nsnet(8)\n\n[Service]\nType=oneshot\nExecStart=/usr/sbin/nsnet up /etc/nsnet/labs/%%i.yaml\n\n[Install]\nWantedBy=multi-user.target\n' >"$SRC/$f" ;;
		*) echo "# stand-in" >"$SRC/$f" ;;
		esac
	done
fi

# The symbols file lists lib/libnsnet.map's exports, checked before the long build
# (dh_makeshlibs -c4 also fails the build if the library disagrees with it).
want=$(sed -n 's/^\t\(nsnet_[a-z0-9_]*\);$/\1/p' "$SRC/lib/libnsnet.map" | sort)
have=$(sed -n 's/^ \(nsnet_[a-z0-9_]*\)@LIBNSNET_0 .*/\1/p' "$SRC/debian/libnsnet0.symbols" | sort)
[ "$want" = "$have" ] || fail "debian/libnsnet0.symbols does not list lib/libnsnet.map's exports (add ' NAME@LIBNSNET_0 VERSION' lines, VERSION the first release that has it):
$(diff <(echo "$have") <(echo "$want") | grep '^[<>]' | sed 's/^</  only in the symbols file:/; s/^>/  only in the map:/')"

# ---- build: source package, binary packages, lintian ------------------------------
(cd "$T/src" && dpkg-source -Zgzip -z1 -b "nsnet-$VERSION") >"$T/source.log" 2>&1 ||
	{ cat "$T/source.log"; fail "dpkg-source -b failed"; }
start=$SECONDS
(cd "$SRC" && DEB_BUILD_OPTIONS=noautodbgsym dpkg-buildpackage -us -uc -b -j2) >"$T/build.log" 2>&1 ||
	{ tail -n 60 "$T/build.log"; fail "dpkg-buildpackage failed"; }
note "dpkg-buildpackage -b -j2: $((SECONDS - start)) s"
CHANGES=$T/src/nsnet_${VERSION}_$(dpkg --print-architecture).changes
[ -f "$CHANGES" ] || fail "no $CHANGES"
for p in "${PKGS[@]}"; do
	deb=$(ls "$T/src/${p}_${VERSION}_"*.deb 2>/dev/null) || fail "no .deb for $p"
	assert_eq "$(dpkg-deb -f "$deb" Version)" "$VERSION" "$p's version"
done
# Every tag, pedantic ones included, is either fixed or overridden with a reason in
# debian/*.lintian-overrides (lintian prints overridden tags only with --show-overrides).
lintian -I --pedantic --fail-on none "$T/src/nsnet_$VERSION.dsc" "$CHANGES" >"$T/lintian.log" 2>&1 ||
	{ cat "$T/lintian.log"; fail "lintian did not run"; }
tags=$(grep -E '^[EWIPX]: ' "$T/lintian.log" || true)
[ -z "$tags" ] || fail "lintian tags that are neither fixed nor overridden with a reason:
$tags"

# ---- install into overlays ---------------------------------------------------------
# Descriptors on the real directories, opened before the overlays hide them: through
# /proc/self/fd the test sees what the machine sees.
exec 4</usr/sbin 5</var/lib/dpkg 6</etc
real_status=$(md5sum </var/lib/dpkg/status)
for p in "${PKGS[@]}"; do
	[ "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)" != installed ] ||
		skip "$p is installed on this machine; this test installs and purges its own"
done
[ ! -e /usr/sbin/nsnet ] || skip "/usr/sbin/nsnet exists on this machine"
# The sandbox's / must be private, or the overlays could propagate to the machine.
root_opts=$(awk '$5 == "/" { print $7 }' /proc/self/mountinfo | tail -n 1)
assert_no_match "$root_opts" 'shared:' "/ is not private in the sandbox's mount namespace"

OV=$T/ov
mkdir -p "$OV"
mount -t tmpfs -o mode=0755 tmpfs "$OV"
for d in /usr /etc /var; do
	n=${d#/}
	mkdir -p "$OV/$n.up" "$OV/$n.work"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$OV/$n.up,workdir=$OV/$n.work" "$d" ||
		fail "cannot mount an overlay over $d"
	assert_eq "$(findmnt -n -o FSTYPE --mountpoint "$d")" overlay "$d is an overlay"
done
# The sandbox's private /etc/netns (ip netns exec binds from there) again, over the overlay.
mkdir -p /etc/netns
mount -t tmpfs -o mode=0755 tmpfs /etc/netns

# Which of the packages' paths exist before the install (shared directories such as
# /usr/lib/cni or /usr/share/man/man8): after the purge, exactly those may exist.
debs=()
for p in "${PKGS[@]}"; do debs+=("$T/src/${p}_${VERSION}_"*.deb); done
for d in "${debs[@]}"; do dpkg-deb --fsys-tarfile "$d" | tar -t; done | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' | sort -u >"$T/paths"
while IFS= read -r f; do
	[ -e "$f" ] || [ -L "$f" ] && echo "$f"
done <"$T/paths" >"$T/existed"
DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}" >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; fail "dpkg -i failed"; }
for p in "${PKGS[@]}"; do
	assert_eq "$(dpkg-query -W -f '${db:Status-Status}' "$p")" installed "$p's status after dpkg -i"
done
assert_eq "$(dpkg -S /usr/sbin/nsnet)" "nsnet: /usr/sbin/nsnet" "owner of /usr/sbin/nsnet"
[ -d /etc/nsnet/labs ] || fail "no /etc/nsnet/labs after install"
assert_eq "$(readlink -f /usr/lib/cni/nsnet)" /usr/sbin/nsnet "the CNI plugin link"
# The machine did not see any of it.
[ ! -e /proc/self/fd/4/nsnet ] || fail "/usr/sbin/nsnet appeared on the real /usr"
[ ! -e /proc/self/fd/6/nsnet ] || fail "/etc/nsnet appeared on the real /etc"
assert_eq "$(md5sum </proc/self/fd/5/status)" "$real_status" "the real dpkg status file"

# ---- the installed tool: the default lab --------------------------------------------
assert_match "$(/usr/sbin/nsnet --version 2>&1)" "$VERSION" "nsnet --version"
/usr/sbin/nsnet up >"$T/up.log" 2>&1 || { cat "$T/up.log"; fail "/usr/sbin/nsnet up failed"; }
netns=$(ip netns list | awk '{print $1}' | sort | paste -sd' ')
assert_eq "$netns" "blue red" "ip netns list after nsnet up"
assert_ping red 192.168.15.2
/usr/sbin/nsnet pingall >"$T/pingall.log" 2>&1 || { cat "$T/pingall.log"; fail "nsnet pingall failed"; }

# ---- the -dev package: a program through pkg-config, run against libnsnet.so.0 ----
assert_eq "$(pkg-config --modversion libnsnet)" "$VERSION" "pkg-config --modversion libnsnet"
cat >"$T/check.c" <<'EOF'
#include <stdio.h>
#include <nsnet.h>
int main(void)
{
	struct nsnet_error e;
	struct nsnet_prefix p;
	char buf[64];
	if (nsnet_prefix_parse("192.168.15.7/24", true, &p, &e) < 0 || nsnet_ns_name_check("red", &e) < 0)
		return 1;
	nsnet_prefix_network(&p, &p);
	puts(nsnet_prefix_str(&p, true, buf, sizeof buf));
	return 0;
}
EOF
# shellcheck disable=SC2046
cc -o "$T/check" "$T/check.c" $(pkg-config --cflags --libs libnsnet) || fail "cannot build against the installed library"
assert_match "$(ldd "$T/check")" "libnsnet\\.so\\.0 => (/usr)?/lib/[^ ]*/libnsnet\\.so\\.0 " "the program uses the installed shared library"
assert_eq "$("$T/check")" 192.168.15.0/24 "the program's output"

/usr/sbin/nsnet down >"$T/down.log" 2>&1 || { cat "$T/down.log"; fail "/usr/sbin/nsnet down failed"; }
assert_eq "$(ip netns list)" "" "ip netns list after nsnet down"

# ---- purge: nothing left ------------------------------------------------------------
for p in "${PKGS[@]}"; do dpkg -L "$p"; done | grep -vx "/\." | sort -u >"$T/files"
cmp -s "$T/files" "$T/paths" || fail "dpkg -L and the .debs' contents differ: $(diff "$T/paths" "$T/files" | head)"
DEBIAN_FRONTEND=noninteractive dpkg --purge "${PKGS[@]}" >"$T/purge.log" 2>&1 || { cat "$T/purge.log"; fail "dpkg --purge failed"; }
for p in "${PKGS[@]}"; do
	[ -z "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)" ] ||
		[ "$(dpkg-query -W -f '${db:Status-Status}' "$p")" = not-installed ] || fail "$p is still known to dpkg after purge"
done
left=""
while IFS= read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	grep -qxF -- "$f" "$T/existed" || left+=" $f"
done <"$T/files"
[ -z "$left" ] || fail "left after dpkg --purge:$left"
[ ! -e /etc/nsnet ] || fail "/etc/nsnet is left after purge"
# The overlays' upper dirs hold everything dpkg wrote: nothing of nsnet's may stay
# (dpkg's own files, logs and caches change, but none is named after the packages).
umount /etc/netns
leftovers=$(cd "$OV" && find usr.up etc.up var.up -iname '*nsnet*' | sort)
[ -z "$leftovers" ] || fail "left in the overlays after purge: $leftovers"
note "built, lintian clean, installed, default lab up and down, purged clean"
