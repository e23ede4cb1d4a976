#!/bin/bash
# Bridge names that nsnet's nftables rules cannot quote ('"', '\', a '*' that nft
# reads as a wildcard) are refused while the lab file is validated (file:line:col,
# exit 2) and by `net create --bridge`, before anything exists: no bridge, no
# namespace, no state, no nft table.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
before=$DIR/before
state_now >"$before"

for br in 'a"b' 'a\b' 'br*'; do
	cat >"$DIR/lab.yaml" <<YAML
name: bq
networks:
  n1:
    subnet: 10.95.0.0/24
    nat: true
    bridge: '$br'
nodes:
  bq-red:
    interfaces: [n1]
YAML
	for verb in up "up --dry-run"; do
		# shellcheck disable=SC2086
		expect_err 2 "^nsnet: up: $DIR/lab.yaml:6:5: bridge: bridge name '.*' cannot be used in nftables rules \(it contains '.'\)$" \
			"$NSNET" $verb "$DIR/lab.yaml"
	done
	state_settles_to "$before" "after refusing bridge $br in a lab"
	expect_err 2 "^nsnet: net create: .*cannot be used in nftables rules" "$NSNET" net create bq-net --subnet 10.95.0.0/24 --nat --bridge "$br"
	state_settles_to "$before" "after refusing net create --bridge $br"
done
