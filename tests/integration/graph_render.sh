#!/bin/bash
# nsnet graph --format svg|png renders the lab's picture with libgvc (no dot program):
# bad input (an unknown format, --json with a picture, a PNG to a terminal, -o into
# a missing directory) is refused with one clear line and nothing is written; the
# SVG of a lab file that is not up is valid XML, says so in its title, names every
# node and network with their interface names and addresses, and has as many
# vertices as dot itself draws from nsnet's DOT; once the lab is up the picture is
# live: the pool's addresses, an interface taken down with ip (red, dashed, "DOWN",
# class "down"), a namespace deleted with ip netns del ("MISSING", class "missing",
# title "degraded") and back to normal after up repairs it, NAT and a published port
# lost with nft flush ruleset ("MISSING", red but not dashed) and back after fw
# restore; a service that exited is "STOPPED" (class "stopped"). --format png is a PNG (magic bytes, file(1)).
# Witnesses: ip, nft, xmllint (or python3's xml.etree), dot, file, script, jq.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../helpers/lab.sh"

DIR=$(mktemp -d)
cleanup() { "$NSNET" down "$DIR/svc.yaml" >/dev/null 2>&1 || true; lab_cleanup_all; rm -rf "$DIR"; }
trap cleanup EXIT
tutorial_yaml >"$DIR/lab.yaml"

# valid_svg FILE: well-formed XML, by whatever checker this machine has.
valid_svg() {
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1" || fail "xmllint rejects $1"
	elif command -v python3 >/dev/null; then
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" || fail "xml.etree rejects $1"
	else
		assert_match "$(head -1 "$1")" '^<\?xml ' "$1: XML header"
		assert_eq "$(tail -1 "$1")" "</svg>" "$1: closing tag"
	fi
}
# The SVG's text with graphviz's escapes undone (it writes '-' as &#45;).
svg_text() { sed 's/&#45;/-/g; s/&gt;/>/g; s/&lt;/</g; s/&amp;/\&/g' "$1"; }
# count PATTERN FILE: lines of FILE matching PATTERN (grep -c without its exit 1).
count() { grep -cE -- "$1" "$2" || true; }

# ---- bad input: refused before anything is read or written -------------------------
expect_err 2 "unknown --format 'gif' \(dot, svg or png\)" "$NSNET" graph "$DIR/lab.yaml" --format gif -o "$DIR/x.gif"
[ ! -e "$DIR/x.gif" ] || fail "graph --format gif wrote a file"
expect_err 2 "unknown --format ''" "$NSNET" graph "$DIR/lab.yaml" --format=
expect_err 2 "option '--format' needs a value" "$NSNET" graph "$DIR/lab.yaml" --format
expect_err 2 "--json prints the DOT text" "$NSNET" graph "$DIR/lab.yaml" --format svg --json
expect_err 2 "-o and --output are the same option" "$NSNET" graph "$DIR/lab.yaml" -o "$DIR/a" --output "$DIR/b"
[ ! -e "$DIR/a" ] && [ ! -e "$DIR/b" ] || fail "a refused graph wrote a file"
expect_err 1 "open $DIR/missing/lab.svg: No such file or directory" \
	"$NSNET" graph "$DIR/lab.yaml" --format svg -o "$DIR/missing/lab.svg"
[ ! -e "$DIR/missing" ] || fail "graph -o made the missing directory"
# A PNG is not written to a terminal (script gives nsnet one as its stdout).
if command -v script >/dev/null; then
	rc=0
	out=$(script -qec "'$NSNET' graph '$DIR/lab.yaml' --format png" /dev/null) || rc=$?
	assert_eq "$rc" 2 "graph --format png to a terminal: exit"
	assert_match "$out" "a PNG is binary and stdout is a terminal: give -o FILE" "graph --format png to a terminal"
	assert_no_match "$out" "PNG.*IHDR" "graph --format png to a terminal wrote the picture"
fi

# ---- the file only: the lab is not up ----------------------------------------------
# dot stays the default, and -o writes what stdout gets.
nsnet graph "$DIR/lab.yaml" >"$DIR/file.dot"
nsnet graph "$DIR/lab.yaml" --format dot -o "$DIR/file2.dot"
cmp -s "$DIR/file.dot" "$DIR/file2.dot" || fail "graph --format dot -o differs from graph's stdout"
assert_match "$(cat "$DIR/file.dot")" 'label="lab tutorial: the topology file only \(the lab is not up\)"' "DOT title of a file"
assert_eq "$(nsnet graph "$DIR/lab.yaml" --json | jq -r .dot)" "$(cat "$DIR/file.dot")" "graph --json's dot"

nsnet graph "$DIR/lab.yaml" --format svg >"$DIR/file.svg"
valid_svg "$DIR/file.svg"
svg_text "$DIR/file.svg" >"$DIR/file.txt"
for n in node/red node/blue node/router node/db net/v-net-0 net/backend host; do
	grep -qF "<title>$n</title>" "$DIR/file.txt" || fail "the SVG has no vertex $n"
done
for s in "lab tutorial: the topology file only (the lab is not up)" ">eth0<" ">eth1<" ">192.168.15.1<" ">10.20.0.254<" \
	"red: veth-red 10.0.0.1/24" "blue: veth-blue 10.0.0.2/24" "host: pair-host 10.30.0.1/30" "db: pair-db 10.30.0.2/30" \
	">bridge v-net-0, NAT<" ">publish 8080 -> 80/tcp<" ">gateway 192.168.15.5<"; do
	grep -qF -- "$s" "$DIR/file.txt" || fail "the SVG lacks '$s'"
done
assert_eq "$(count 'class="[^"]*(down|missing|stopped)' "$DIR/file.svg")" 0 "faults in the picture of a file"
# dot, the program, draws as many vertices and edges from nsnet's DOT as libgvc did.
if command -v dot >/dev/null; then
	dot -Tsvg "$DIR/file.dot" >"$DIR/dot.svg"
	assert_eq "$(count 'class="node' "$DIR/file.svg")" "$(count 'class="node' "$DIR/dot.svg")" "vertices: nsnet's SVG and dot's"
	assert_eq "$(count 'class="edge' "$DIR/file.svg")" "$(count 'class="edge' "$DIR/dot.svg")" "edges: nsnet's SVG and dot's"
fi
assert_eq "$(count 'class="node' "$DIR/file.svg")" 7 "vertices: 4 nodes, 2 networks, the host"
assert_eq "$(count 'class="edge' "$DIR/file.svg")" 9 "edges"

nsnet graph "$DIR/lab.yaml" --format png -o "$DIR/file.png"
assert_eq "$(head -c 8 "$DIR/file.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "PNG signature"
if command -v file >/dev/null; then
	assert_match "$(file -b "$DIR/file.png")" '^PNG image data, [0-9]+ x [0-9]+' "file(1) of the PNG"
fi
# Without --format, -o NAME.png (or .svg) says which; any other name gets DOT.
nsnet graph "$DIR/lab.yaml" -o "$DIR/implied.png"
cmp -s "$DIR/implied.png" "$DIR/file.png" || fail "graph -o NAME.png is not the PNG that --format png writes"
nsnet graph "$DIR/lab.yaml" --output "$DIR/implied.svg"
cmp -s "$DIR/implied.svg" "$DIR/file.svg" || fail "graph --output NAME.svg is not the SVG that --format svg writes"
nsnet graph "$DIR/lab.yaml" -o "$DIR/implied.txt"
cmp -s "$DIR/implied.txt" "$DIR/file.dot" || fail "graph -o NAME.txt is not the DOT text"
# To a pipe, the PNG goes to stdout.
assert_eq "$(nsnet graph "$DIR/lab.yaml" --format png | head -c 4 | od -An -c | tr -d ' \n')" '211PNG' "PNG on stdout"

# ---- live: the lab is up -----------------------------------------------------------
nsnet up "$DIR/lab.yaml" >/dev/null
blue_ip=$(ip -n blue -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
nsnet graph tutorial --format svg -o "$DIR/up.svg"
valid_svg "$DIR/up.svg"
svg_text "$DIR/up.svg" >"$DIR/up.txt"
grep -qF "lab tutorial: up (live state)" "$DIR/up.txt" || fail "the title of a running lab: $(grep -m1 'font-size="16' "$DIR/up.txt")"
grep -qF ">$blue_ip<" "$DIR/up.txt" || fail "the SVG lacks blue's pool address $blue_ip"
assert_eq "$(count 'class="[^"]*(down|missing|stopped)' "$DIR/up.svg")" 0 "faults in the picture of a whole lab"
assert_eq "$(nsnet graph tutorial | grep -c 'color=red' || true)" 0 "red in the DOT of a whole lab"

# An interface taken down behind nsnet's back: its link is drawn down.
ip -n red link set veth-red down
nsnet graph tutorial --format svg -o "$DIR/down.svg"
valid_svg "$DIR/down.svg"
svg_text "$DIR/down.svg" >"$DIR/down.txt"
assert_eq "$(count 'class="edge down"' "$DIR/down.svg")" 1 "edges drawn down"
grep -qF "red: veth-red DOWN 10.0.0.1/24" "$DIR/down.txt" || fail "the link's label does not say veth-red is DOWN"
grep -qF 'xlink:title="veth-red of red is down"' "$DIR/down.txt" || fail "no tooltip for the link that is down"
grep -qF "in red: what is not as the file says; dashed: down or missing" "$DIR/down.txt" || fail "no legend in a picture with a fault"
# The DOT says it in the same words, and only for that link.
dot=$(nsnet graph tutorial)
assert_match "$dot" '"node/red" -- "node/blue" \[label="red: veth-red DOWN 10.0.0.1/24\\nblue: veth-blue DOWN 10.0.0.2/24", constraint=false, color=red, fontcolor=red, style=dashed, class="down"' "the DOT of a link that is down"
assert_eq "$(grep -c 'color=red' <<<"$dot")" 1 "elements drawn red"
ip -n red link set veth-red up
assert_eq "$(nsnet graph tutorial | grep -c 'color=red' || true)" 0 "red after the link came back up"

# A namespace deleted behind nsnet's back: the node is missing, the lab degraded.
ip netns del db
nsnet graph tutorial --format svg -o "$DIR/gone.svg"
valid_svg "$DIR/gone.svg"
svg_text "$DIR/gone.svg" >"$DIR/gone.txt"
grep -qF "lab tutorial: degraded (live state)" "$DIR/gone.txt" || fail "the title of a degraded lab"
grep -A1 'class="node missing"' "$DIR/gone.txt" | grep -qF "<title>node/db</title>" || fail "db is not drawn missing"
grep -qF ">namespace MISSING<" "$DIR/gone.txt" || fail "db's label does not say its namespace is MISSING"
grep -A1 'class="edge missing"' "$DIR/gone.txt" | grep -qF "<title>node/db--net/backend</title>" || fail "db's eth0 is not drawn missing"
assert_match "$(nsnet up "$DIR/lab.yaml")" "is up" "up repairs the deleted node"
assert_eq "$(nsnet graph tutorial | grep -c 'color=red' || true)" 0 "red after up repaired the lab"
# nsnet's firewall flushed: NAT and the published port are lost (red, not dashed).
nft flush ruleset
nsnet graph tutorial --format svg -o "$DIR/fw.svg"
svg_text "$DIR/fw.svg" >"$DIR/fw.txt"
grep -qF ">bridge v-net-0, NAT MISSING<" "$DIR/fw.txt" || fail "the picture does not say v-net-0's NAT is MISSING"
grep -qF ">publish 8080 -> 80/tcp MISSING<" "$DIR/fw.txt" || fail "the picture does not say blue's published port is MISSING"
assert_eq "$(count 'class="node missing"' "$DIR/fw.svg")" 2 "elements missing from the firewall"
assert_eq "$(count 'stroke-dasharray' "$DIR/fw.svg")" 2 "dashed lines (only the host's gateway edges)"
nsnet fw restore >/dev/null
assert_eq "$(nsnet graph tutorial | grep -c 'color=red' || true)" 0 "red after fw restore"
nsnet graph tutorial --format png -o "$DIR/up.png"
assert_eq "$(head -c 8 "$DIR/up.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "PNG signature of a running lab"
nsnet down tutorial

# ---- a service that stopped --------------------------------------------------------
cat >"$DIR/svc.yaml" <<'YAML'
name: gsvc
networks:
  glan: {subnet: 10.72.0.0/24}
nodes:
  ga:
    interfaces: [glan]
    services:
      forever:
        command: [sleep, "600"]
      once:
        command: "exit 3"
YAML
nsnet up "$DIR/svc.yaml" >/dev/null
# Wait (bounded) until status sees the one-shot service gone.
for _ in $(seq 100); do
	[ "$("$NSNET" status gsvc --json | jq -r '.services[] | select(.name == "once") | .ok')" = false ] && break
	sleep 0.1
done
assert_eq "$("$NSNET" status gsvc --json | jq -r '.services[] | select(.name == "once") | .ok')" false "status of the service that exited"
nsnet graph gsvc --format svg -o "$DIR/svc.svg"
valid_svg "$DIR/svc.svg"
svg_text "$DIR/svc.svg" >"$DIR/svc.txt"
grep -A1 'class="node stopped"' "$DIR/svc.txt" | grep -qF "<title>node/ga</title>" || fail "ga is not drawn with a stopped service"
grep -qF ">service once STOPPED<" "$DIR/svc.txt" || fail "the label does not say service once is STOPPED"
grep -qF ">service forever<" "$DIR/svc.txt" || fail "the running service is not drawn as running"
nsnet down gsvc
