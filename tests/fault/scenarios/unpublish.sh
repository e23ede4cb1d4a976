# `nsnet unpublish` of one of two published ports. Rerun: exit 0 or "not published".
setup() {
	foreign_table
	net_with fn fa
	nsnet publish 8080 fa:80
	nsnet publish 8081 fa:81
}
CMD=(unpublish 8080)
RERUN_OK="unpublish 8080/tcp: not published"
