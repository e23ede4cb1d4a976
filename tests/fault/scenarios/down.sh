# `nsnet down` of the running lab of tests/fault/lab.yaml (NAT, a published port).
# Rerun: `down` again, exit 0 or "not found".
setup() { foreign_table; nsnet up "$LAB" >/dev/null; }
CMD=(down flab)
RERUN_OK="lab 'flab' not found"
