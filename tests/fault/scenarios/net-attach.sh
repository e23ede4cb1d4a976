# `nsnet net attach` of two namespaces to a dual-stack NAT network (the pool gives
# both addresses). Rerun: exit 0 or "already attached".
setup() { foreign_table; net_with fn; nsnet ns add fa fb; }
CMD=(net attach fn fa fb)
RERUN_OK="is already attached to network 'fn'"
