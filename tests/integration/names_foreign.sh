#!/bin/bash
# What nsnet does not own in /etc/netns stays as it is (issue 14.3): a user's own
# hosts file (no marker line) is never written over or removed, and `up` says so as
# a warning (on stderr, and in --json's "warnings"); a user's directory keeps its
# other files after `down`, and so does one nsnet made once the user put a file in
# it; symlinks are never followed: a directory or a hosts file that is a symlink is
# left alone (its target untouched), a symlink where the temporary file goes is
# replaced, not written through. Witnesses: sha256sum, stat, ls, getent inside
# `ip netns exec`.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() {
	"$NSNET" down nf >/dev/null 2>&1 || true
	lab_cleanup_all
	rm -rf "$DIR" /etc/netns/fa /etc/netns/fc /etc/netns/fd /etc/netns/fe /etc/netns/fg
}
trap cleanup EXIT
before=$DIR/before
state_now >"$before"
knows() { ip netns exec "$1" getent -s files hosts "$2" >/dev/null; }

cat >"$DIR/nf.yaml" <<EOF
name: nf
networks:
  fnet: {subnet: 10.65.0.0/24}
nodes:
  fa: {interfaces: [fnet]}
  fb: {interfaces: [fnet]}
  fc: {interfaces: [fnet]}
  fd: {interfaces: [fnet]}
  fe: {interfaces: [fnet]}
  fg: {interfaces: [fnet]}
EOF
# fa: the user's own hosts file and resolv.conf.
mkdir -p /etc/netns/fa
printf '10.9.8.7\tmine\n' >/etc/netns/fa/hosts
printf 'nameserver 10.9.8.53\n' >/etc/netns/fa/resolv.conf
# fc: a directory of the user's, without hosts.
mkdir -p /etc/netns/fc
printf 'nameserver 10.9.8.53\n' >/etc/netns/fc/resolv.conf
# fd: a symlink to a directory elsewhere; fe: hosts a symlink to a file elsewhere.
mkdir "$DIR/target"
ln -s "$DIR/target" /etc/netns/fd
mkdir -p /etc/netns/fe
printf 'precious\n' >"$DIR/victim"
ln -s "$DIR/victim" /etc/netns/fe/hosts
# fg: a stale temporary file that is a symlink to a file elsewhere.
mkdir -p /etc/netns/fg
ln -s "$DIR/victim" /etc/netns/fg/hosts.nsnet-tmp
mine() { stat -c '%i %Y %s %a' /etc/netns/fa/hosts /etc/netns/fa/resolv.conf /etc/netns/fc/resolv.conf; sha256sum /etc/netns/fa/hosts /etc/netns/fa/resolv.conf /etc/netns/fc/resolv.conf; }
mine >"$DIR/mine.before"
victim=$(sha256sum "$DIR/victim")

err=$(nsnet up "$DIR/nf.yaml" 2>&1 >/dev/null)
assert_match "$err" "^nsnet: up: warning: names: /etc/netns/fa/hosts is not nsnet's \(no marker line\): left as it is, without names$" "up warns about fa's file"
assert_match "$err" "nsnet: up: warning: names: /etc/netns/fd: not a directory \(a symlink\?\); its names are not written" "up warns about fd"
assert_match "$err" "nsnet: up: warning: names: /etc/netns/fe/hosts is not nsnet's" "up warns about fe's symlink"
assert_eq "$(grep -c warning <<<"$err")" 3 "three warnings"
mine | diff "$DIR/mine.before" - >&2 || fail "the user's files changed"
assert_eq "$(ls -A "$DIR/target")" "" "nothing written through fd's symlink"
assert_eq "$(readlink /etc/netns/fd)" "$DIR/target" "fd's symlink stays"
assert_eq "$(readlink /etc/netns/fe/hosts)" "$DIR/victim" "fe's symlink stays"
assert_eq "$(sha256sum "$DIR/victim")" "$victim" "the file behind the symlinks is untouched"
# fa uses its own file; the others still know fa by name.
knows fa mine || fail "fa's own file is not the one in use"
! knows fa fb || fail "fa's own file got names"
knows fb fa || fail "fb does not resolve fa"
# fc's directory got a hosts file beside the user's resolv.conf; fg's stale link was
# replaced by a file of ours.
knows fc fb || fail "fc (a directory of the user's) has no names"
[ -f /etc/netns/fg/hosts ] && [ ! -L /etc/netns/fg/hosts ] || fail "fg's hosts is not a plain file"
[ ! -e /etc/netns/fg/hosts.nsnet-tmp ] && [ ! -L /etc/netns/fg/hosts.nsnet-tmp ] || fail "fg's stale temporary file stayed"
knows fg fb || fail "fg has no names"
# --json: the warnings in the report (an unchanged up applies nothing and has none).
assert_eq "$(nsnet up "$DIR/nf.yaml" --json | jq -c '.warnings // [] | length')" 0 "an unchanged up has no warnings"
sed -i 's/fg: {interfaces: \[fnet\]}/fg: {interfaces: [fnet]}\n  fh: {interfaces: [fnet]}/' "$DIR/nf.yaml"
assert_eq "$(nsnet up "$DIR/nf.yaml" --json 2>/dev/null | jq -c '.warnings | length')" 3 "up --json: three warnings"

# A directory nsnet made, where the user then put a file: it stays, with that file.
printf 'nameserver 10.9.8.53\n' >/etc/netns/fb/resolv.conf
nsnet down nf
mine | diff "$DIR/mine.before" - >&2 || fail "down changed the user's files"
assert_eq "$(ls /etc/netns/fb)" "resolv.conf" "fb keeps the user's file, loses nsnet's"
assert_eq "$(ls /etc/netns/fc)" "resolv.conf" "fc keeps the user's file, loses nsnet's"
[ ! -e /etc/netns/fg/hosts ] || fail "fg's hosts stayed"
[ ! -e /etc/netns/fh ] || fail "fh's directory stayed"
assert_eq "$(sha256sum "$DIR/victim")" "$victim" "the file behind the symlinks is untouched after down"
rm -rf /etc/netns/fb
state_settles_to "$before" "after down"
