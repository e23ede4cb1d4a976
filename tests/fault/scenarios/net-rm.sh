# `nsnet net rm` of an empty NAT network (its bridge, its nft elements, ip_forward),
# next to another network that stays. Rerun: exit 0 or "not found".
setup() {
	foreign_table
	nsnet net create fn --subnet 10.77.0.0/24 --nat
	nsnet net create fk --subnet 10.76.0.0/24
}
CMD=(net rm fn)
RERUN_OK="network 'fn' not found"
