# `nsnet publish` of a port to a member of a NAT network. Rerun: exit 0 or "already
# published" (to the same target).
setup() { foreign_table; net_with fn fa; }
CMD=(publish 8080 fa:80)
RERUN_OK="tcp port 8080 is already published to fa:80"
