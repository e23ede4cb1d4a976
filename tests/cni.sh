# Sourced after tests/lib.sh by the CNI tests: a driver of the CNI exec protocol, as
# a runtime speaks it (CNI_* variables, the configuration on stdin, a clean
# environment), with nsnet found as the plugin "nsnet" in CNI_PATH.
CNI_DIR=$(mktemp -d)
ln -s "$NSNET" "$CNI_DIR/nsnet"
CNI_PATH_LIST="$CNI_DIR:/usr/lib/cni"

# cni_call CMD ID NETNS IFNAME CONF [CNI_ARGS]: run the plugin; stdout in $CNI_OUT,
# exit status in $CNI_RC, never failing by itself.
cni_call() {
	CNI_RC=0
	CNI_OUT=$(printf '%s' "$5" | env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="$3" \
		CNI_IFNAME="$4" CNI_ARGS="${6:-}" CNI_PATH="$CNI_PATH_LIST" "$CNI_DIR/nsnet") || CNI_RC=$?
}
# cni_ok ...: the same, which must succeed.
cni_ok() {
	cni_call "$@"
	[ "$CNI_RC" = 0 ] || fail "CNI $1 of '$2' failed ($CNI_RC): $CNI_OUT"
}
# cni_err CODE PATTERN ...: must fail with the spec's error object, this code, and a
# message matching PATTERN.
cni_err() {
	local code=$1 pat=$2
	shift 2
	cni_call "$@"
	[ "$CNI_RC" != 0 ] || fail "CNI $1 of '$2' succeeded, expected error $code: $CNI_OUT"
	assert_eq "$(jq -r .code <<<"$CNI_OUT")" "$code" "CNI $1 error code ($CNI_OUT)"
	grep -qE -- "$pat" <<<"$(jq -r .msg <<<"$CNI_OUT")" || fail "CNI $1: message does not match '$pat': $CNI_OUT"
}
# cni_conf VERSION [JQ]: the test network's configuration (the reference bridge
# plugin's keys), edited by a jq filter.
cni_conf() {
	jq -nc --arg v "$1" '{cniVersion: $v, name: "cnitest", type: "nsnet", bridge: "cni-t0", isGateway: true,
		isDefaultGateway: true, ipMasq: true, hairpinMode: true,
		ipam: {type: "nsnet", ranges: [[{subnet: "10.88.7.0/24", gateway: "10.88.7.1"}]], routes: [{dst: "0.0.0.0/0"}]}}' |
		jq -c "${2:-.}"
}
cni_cleanup() {
	"$NSNET" net rm cnitest --force >/dev/null 2>&1 || true
	rm -rf "$CNI_DIR"
}
