# `nsnet fw restore` after a firewall reload (`nft flush ruleset`, then the foreign
# table is loaded again): a NAT network with two members and a published port.
# Rerun: `fw restore` again (exit 0).
setup() {
	net_with fn fa fb
	nsnet publish 8080 fa:80
	nft flush ruleset
	foreign_table
}
CMD=(fw restore)
RERUN_OK='^$a'
