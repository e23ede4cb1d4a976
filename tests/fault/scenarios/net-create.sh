# `nsnet net create` of a dual-stack network with NAT. Rerun: exit 0 or "already exists".
setup() { foreign_table; }
CMD=(net create fn --subnet 10.77.0.0/24 --subnet fd00:77::/64 --nat)
RERUN_OK="network 'fn' already exists"
