#!/bin/bash
# nsnet runs as root: an error about a file must not show what the file holds. A lab
# path (or a state file) that is a symlink to a secret (here a fake shadow file)
# gets the position and the kind of error only; strings of the file are quoted
# only when they are short safe tokens (names, addresses, numbers).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

cat >"$DIR/shadow" <<'EOF2'
root:$6$secretsalt$secrethashsecrethash:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
sshd: hunter2-secret-passphrase with spaces
EOF2
chmod 600 "$DIR/shadow"
ln -s "$DIR/shadow" "$DIR/lab.yaml"
printf 'name: x\nnodes:\n  red:\n    interfaces: [net-1]\n  "password is hunter2 secret": {forwarding: maybe secret}\n' >"$DIR/lab2.yaml"

no_secret() {  # no_secret WHAT: $ERR (from expect_err) holds nothing of the file
	assert_no_match "$ERR" 'secret|hunter2|\$6\$|daemon' "$1 quotes the file"
}
for verb in "up" "up --dry-run" "graph" "status"; do
	# shellcheck disable=SC2086
	expect_err 2 "^nsnet: [a-z]+: $DIR/lab.yaml:1:1: unknown key '\(not shown\)' in the lab file" "$NSNET" $verb "$DIR/lab.yaml"
	no_secret "$verb of a symlink to a shadow file"
	# shellcheck disable=SC2086
	expect_err 2 "^nsnet: [a-z]+: $DIR/lab2.yaml:[0-9]+:[0-9]+: " "$NSNET" $verb "$DIR/lab2.yaml"
	no_secret "$verb of a lab with a secret-looking value"
done
# Safe tokens are still quoted: the file's own names help to fix it.
expect_err 2 "unknown network 'net-1'" "$NSNET" up --dry-run "$DIR/lab2.yaml"

# A state file that is a symlink to the secret: "corrupt state" with where, not what.
mkdir -p /run/nsnet/labs
ln -s "$DIR/shadow" /run/nsnet/labs/leak.json
expect_err 1 "^nsnet: .*/run/nsnet/labs/leak.json:1: corrupt state" "$NSNET" status leak
no_secret "status of a state file linked to a shadow file"
expect_err 1 "corrupt state" "$NSNET" down leak
no_secret "down of a state file linked to a shadow file"
rm /run/nsnet/labs/leak.json
rmdir /run/nsnet/labs
state_settles_to "$before" "after the test"
