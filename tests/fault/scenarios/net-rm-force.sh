# `nsnet net rm --force` of a NAT network with two members and two published ports
# (tcp and udp). Rerun: exit 0 or "not found".
setup() {
	foreign_table
	net_with fn fa fb
	nsnet publish 8080 fa:80
	nsnet publish 5353 fb:53 --proto udp
}
CMD=(net rm --force fn)
RERUN_OK="network 'fn' not found"
