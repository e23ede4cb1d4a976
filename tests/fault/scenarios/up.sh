# `nsnet up` of tests/fault/lab.yaml: two networks (one IPv4 with NAT, one dual-stack),
# two nodes, a published port, a point-to-point link. Rerun: `up` again (exit 0).
setup() { foreign_table; }
CMD=(up "$LAB")
RERUN_OK='^$a'
