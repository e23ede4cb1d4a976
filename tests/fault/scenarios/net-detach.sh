# `nsnet net detach` of a member that has a published port, from a NAT network with
# another member that has one too. Rerun: exit 0 or "not attached".
setup() {
	foreign_table
	net_with fn fa fb
	nsnet publish 8080 fa:80
	nsnet publish 8081 fb:80
}
CMD=(net detach fn fb)
RERUN_OK="namespace 'fb' is not attached to network 'fn'"
