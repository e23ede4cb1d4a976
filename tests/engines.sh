# shellcheck shell=bash
# tests/engines.sh: real container engines (podman 4 with its CNI backend, containerd's
# `ctr run --cni`) run offline inside a test's sandbox, to drive a CNI plugin the way
# they do. Sourced after tests/lib.sh:
#
#   source "$(dirname "$0")/../lib.sh"
#   source "$(dirname "$0")/../engines.sh"
#   cni_test_config 0.4.0                    # CNI_PLUGIN_DIR, CNI_CONFLIST for $CNI_TYPE
#   podman_setup "$CNI_PLUGIN_DIR" "$CNI_CONFLIST"    # or containerd_setup
#   trap 'podman_cleanup' EXIT
#
# Nothing reaches the real machine: every engine's state (podman storage, containerd's
# root and state, the CNI configuration and plugin directories, libcni's cache) lives on
# one tmpfs mounted in the sandbox's private mount namespace, and the fixed paths the
# engines write to anyway are shadowed there too (a tmpfs or a tmpfs-backed overlay on
# /var/lib, /var/tmp, /dev/shm, /etc/cni/net.d, /opt). Cleanup (podman_cleanup,
# containerd_cleanup; both end with eng_cleanup) stops the containers, kills the daemons
# this file started, removes the cgroups they made and unmounts everything.
#
# Machine facts this relies on are in the project notes (container-clients.md): root
# here lacks CAP_SYS_RESOURCE (hence default_ulimits), and the cgroups are v1 plus a
# cgroup2 "unified" mount that crun refuses (the sandbox's fresh /sys has no cgroup
# mount at all: eng_cgroups mounts the v1 hierarchies only, in the sandbox).
#
# ENG_CNI_LOG=FILE: every plugin the engines run is wrapped by a script that appends
# its CNI_* environment and PATH, its stdin, its stdout and its exit code to FILE (to
# see what an engine sends), e.g.
#   ENG_CNI_LOG=/tmp/cni.log CNI_TYPE=bridge tests/run cni_podman

[ "${NSNET_SANDBOX:-}" = 1 ] || fail "tests/engines.sh runs only inside tests/sandbox (it mounts over /var/lib, /opt, /etc/cni/net.d, /dev/shm)"

ENG_DIR=""        # this test's tmpfs: every engine's state
ENG_MOUNTS=()     # mount points made here, undone in reverse order by eng_cleanup
ENG_CGROUP=""     # relative cgroup parent of containerd's containers (removed by eng_cleanup)
ENG_TABLES_BEFORE=""

# _eng_mount TARGET MOUNT-ARGS...: mount, remembered for eng_cleanup.
_eng_mount() {
	local target=$1; shift
	mount "$@" "$target" || fail "engines: cannot mount $* on $target"
	ENG_MOUNTS+=("$target")
}

# eng_init: the tmpfs ENG_DIR and the shadowed fixed paths (idempotent).
eng_init() {
	[ -z "$ENG_DIR" ] || return 0
	grep -qw overlay /proc/filesystems ||
		skip "the kernel has no overlayfs (needed to keep the engines' writes to /var/lib off the machine, and by containerd's snapshots)"
	ENG_DIR=$(mktemp -d /tmp/nsnet-engines.XXXXXX)
	_eng_mount "$ENG_DIR" -t tmpfs -o mode=0700,size=512m nsnet-engines
	mkdir -p "$ENG_DIR"/{shadow,tmp,plugins,net.d}
	ENG_TABLES_BEFORE=$(nft list tables 2>/dev/null || true)
	# libcni's result cache (/var/lib/cni), containers/image's blob-info cache
	# (/var/lib/containers/cache): an overlay keeps /var/lib readable, writes go to tmpfs.
	_eng_overlay /var/lib varlib
	# Image copies (podman import) and podman's shared-memory locks (/dev/shm/libpod_lock).
	_eng_mount /var/tmp -t tmpfs -o mode=1777 nsnet-engines-vartmp
	_eng_mount /dev/shm -t tmpfs -o mode=1777 nsnet-engines-shm
	# Engines keep things under HOME too (podman: ~/.config/containers).
	mkdir -p "$ENG_DIR/home"
	export TMPDIR="$ENG_DIR/tmp" HOME="$ENG_DIR/home"
	unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_RUNTIME_DIR
}

# _eng_overlay DIR NAME: DIR as it is, made writable into ENG_DIR (this mount namespace only).
_eng_overlay() {
	local dir=$1 name=$2 up="$ENG_DIR/shadow/$2"
	[ "$(findmnt -rn -o TARGET | grep -c "^$dir/")" = 0 ] ||
		fail "engines: cannot shadow $dir with an overlay: it has mounts below it"
	mkdir -p "$up/upper" "$up/work"
	_eng_mount "$dir" -t overlay -o "lowerdir=$dir,upperdir=$up/upper,workdir=$up/work" "nsnet-engines-$name"
}

# eng_cgroups: mount the cgroup hierarchies on the sandbox's /sys/fs/cgroup (its fresh
# sysfs has none): the v1 hierarchies only when there are any (crun refuses a v1 tree
# with a cgroup2 "unified" mount beside it), else cgroup2.
eng_cgroups() {
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = sysfs ] || return 0 # already mounted here
	local id ctrl path dir v1=0
	_eng_mount /sys/fs/cgroup -t tmpfs -o mode=0755 nsnet-engines-cgroup
	while IFS=: read -r id ctrl path; do
		if [ "$id" = 0 ] || [ -z "$ctrl" ]; then continue; fi
		dir=${ctrl#name=}
		mkdir -p "/sys/fs/cgroup/$dir"
		_eng_mount "/sys/fs/cgroup/$dir" -t cgroup -o "$ctrl" cgroup
		v1=1
	done </proc/self/cgroup
	if [ "$v1" = 0 ]; then
		umount /sys/fs/cgroup && unset 'ENG_MOUNTS[-1]'
		mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null ||
			skip "no cgroup filesystem can be mounted here (neither v1 hierarchies nor cgroup2)"
		ENG_MOUNTS+=(/sys/fs/cgroup)
	fi
}

# bb_rootfs DIR: a minimal root filesystem: busybox-static and its applet links.
bb_rootfs() {
	local dir=$1 bb a
	bb=$(command -v busybox) || fail "busybox not installed (scripts/deps installs busybox-static)"
	! ldd "$bb" >/dev/null 2>&1 || fail "$bb is dynamically linked: the image needs busybox-static's"
	mkdir -p "$dir"/{bin,dev,etc,proc,sys,tmp,root}
	cp "$bb" "$dir/bin/busybox"
	for a in $("$bb" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
	echo "root:x:0:" >"$dir/etc/group"
}

# _eng_need CMD...: fail unless every CMD is installed.
_eng_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || fail "engines: '$c' is not installed (scripts/deps installs it)"
	done
}

# _eng_plugin_dir PLUGIN_DIR DEST: DEST holds PLUGIN_DIR's plugins, then /usr/lib/cni's
# that PLUGIN_DIR lacks (the search order both engines are given); with ENG_CNI_LOG,
# as logging wrappers.
_eng_plugin_dir() {
	local src=$1 dest=$2 p name
	mkdir -p "$dest"
	for p in "$src"/* /usr/lib/cni/*; do
		[ -e "$p" ] || continue
		name=$(basename "$p")
		[ -e "$dest/$name" ] && continue
		if [ -n "${ENG_CNI_LOG:-}" ]; then
			_eng_log_wrapper "$(readlink -f "$p")" >"$dest/$name"
			chmod 0755 "$dest/$name"
		else
			ln -s "$(readlink -f "$p")" "$dest/$name"
		fi
	done
}

# _eng_log_wrapper REAL: a plugin that logs its call to ENG_CNI_LOG, then runs REAL.
_eng_log_wrapper() {
	cat <<-EOF
	#!/bin/bash
	log=$(printf %q "$ENG_CNI_LOG")
	in=\$(cat)
	{ echo "==== \${0##*/} \$CNI_COMMAND (pid \$\$, ppid \$PPID: \$(tr '\\0' ' ' </proc/\$PPID/cmdline | cut -c1-120))"
	  env | grep -E '^(CNI_|PATH=)' | sort
	  echo "stdin: \$in"; } >>"\$log"
	out=\$(printf '%s' "\$in" | exec -a "\$0" $(printf %q "$1")); rc=\$?
	echo "stdout (exit \$rc): \$out" >>"\$log"
	printf '%s\\n' "\$out"
	exit \$rc
	EOF
}

# cni_test_config VERSION: CNI_PLUGIN_DIR and CNI_CONFLIST (files in ENG_DIR) for the
# plugin under test, chosen by CNI_TYPE: nsnet (default: a directory holding a symlink
# `nsnet` to $NSNET, one nsnet plugin with portMappings) or bridge (the reference
# plugins: bridge with host-local, then portmap). Network cnitest, bridge cni-test0,
# 10.88.7.0/24 with gateway 10.88.7.1.
cni_test_config() {
	local version=$1
	eng_init
	CNI_TYPE=${CNI_TYPE:-nsnet}
	# Not exported: the engines pass their whole environment on to the plugins.
	export -n CNI_TYPE
	CNI_PLUGIN_DIR="$ENG_DIR/plugins"
	CNI_CONFLIST="$ENG_DIR/cnitest.conflist"
	local common='"bridge": "cni-test0", "isGateway": true, "ipMasq": true, "hairpinMode": true'
	local ranges='"ranges": [[{"subnet": "10.88.7.0/24", "gateway": "10.88.7.1"}]], "routes": [{"dst": "0.0.0.0/0"}]'
	case $CNI_TYPE in
	nsnet)
		ln -sf "$NSNET" "$CNI_PLUGIN_DIR/nsnet"
		cat >"$CNI_CONFLIST" <<-EOF
		{"cniVersion": "$version", "name": "cnitest", "plugins": [{"type": "nsnet", $common,
		  "ipam": {$ranges}, "capabilities": {"portMappings": true}}]}
		EOF
		;;
	bridge)
		# host-local keeps its leases in dataDir (default /var/lib/cni/networks).
		cat >"$CNI_CONFLIST" <<-EOF
		{"cniVersion": "$version", "name": "cnitest", "plugins": [{"type": "bridge", $common,
		  "ipam": {"type": "host-local", "dataDir": "$ENG_DIR/host-local", $ranges}},
		 {"type": "portmap", "capabilities": {"portMappings": true}}]}
		EOF
		;;
	*) fail "CNI_TYPE must be nsnet or bridge, not '$CNI_TYPE'" ;;
	esac
	jq -e . "$CNI_CONFLIST" >/dev/null || fail "engines: bad conflist $CNI_CONFLIST"
}

# cni_test_cleanup: what the plugin under test leaves by design once its last container
# is gone. nsnet: its network, removed the nsnet way. bridge: the reference plugins
# keep their bridge and their iptables chains (tables that were not there before).
cni_test_cleanup() {
	case ${CNI_TYPE:-nsnet} in
	nsnet) "$NSNET" net rm cnitest --force >/dev/null 2>&1 || true ;;
	bridge)
		ip link del cni-test0 2>/dev/null || true
		local t
		while read -r t; do
			if [ -n "$t" ] && ! grep -qxF -- "$t" <<<"$ENG_TABLES_BEFORE"; then
				nft "delete $t" 2>/dev/null || true
			fi
		done < <(nft list tables 2>/dev/null)
		;;
	esac
}

# cni_test_assert_released: once every container is gone, nothing of them is left: no
# veth on the host, and the plugin under test holds no address for one (nsnet: no
# member of cnitest with a CNI record, or no network cnitest at all; bridge: no
# host-local lease).
cni_test_assert_released() {
	local show err
	assert_eq "$(ip -o link show type veth)" "" "veths once the containers are gone"
	case ${CNI_TYPE:-nsnet} in
	nsnet)
		err="$ENG_DIR/net-show.err"
		if show=$("$NSNET" --json net show cnitest 2>"$err"); then
			assert_eq "$(jq -c '[.members[] | select(.cni != null)]' <<<"$show")" "[]" \
				"members of cnitest from containers once they are gone"
		else
			assert_match "$(cat "$err")" "not found" "net show cnitest once the containers are gone"
		fi
		rm -f "$err"
		;;
	bridge)
		! compgen -G "$ENG_DIR/host-local/cnitest/10.*" >/dev/null ||
			fail "host-local leases once the containers are gone: $(ls "$ENG_DIR/host-local/cnitest")"
		;;
	esac
}

# ---- podman ---------------------------------------------------------------------------

# podman_setup PLUGIN_DIR CONFLIST_FILE: podman (CNI backend) with a private
# containers.conf and storage.conf (exported as CONTAINERS_CONF, CONTAINERS_STORAGE_CONF),
# the conflist as its only network, and the image localhost/bb (busybox).
podman_setup() {
	local plugins=$1 conflist=$2 d
	_eng_need podman crun conmon jq
	eng_init
	eng_cgroups # crun wants them even when it makes none
	d="$ENG_DIR/podman"
	mkdir -p "$d"/{net.d,tmp,libpod-tmp}
	# The plugin directories: PLUGIN_DIR, then the reference plugins (or, with
	# ENG_CNI_LOG, one directory of logging wrappers in that order).
	local dirs="\"$plugins\", \"/usr/lib/cni\""
	if [ -n "${ENG_CNI_LOG:-}" ]; then
		_eng_plugin_dir "$plugins" "$d/plugins"
		dirs="\"$d/plugins\""
	fi
	cp "$conflist" "$d/net.d/$(jq -r .name "$conflist").conflist"
	# cgroups = "disabled": crun makes none, so nothing lands on the host's hierarchies.
	cat >"$d/containers.conf" <<-EOF
	[containers]
	default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
	cgroups = "disabled"
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$d/events.log"
	runtime = "crun"
	tmp_dir = "$d/libpod-tmp"
	image_copy_tmp_dir = "$d/tmp"
	[network]
	network_backend = "cni"
	cni_plugin_dirs = [$dirs]
	network_config_dir = "$d/net.d"
	EOF
	cat >"$d/storage.conf" <<-EOF
	[storage]
	driver = "vfs"
	graphroot = "$d/storage"
	runroot = "$d/run"
	EOF
	export CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf"
	bb_rootfs "$d/rootfs"
	tar -C "$d/rootfs" -cf "$d/rootfs.tar" .
	podman import --quiet --change 'CMD ["/bin/sh"]' "$d/rootfs.tar" localhost/bb >/dev/null ||
		fail "podman import of the busybox image failed"
	rm -rf "$d/rootfs" "$d/rootfs.tar"
	PODMAN_READY=1
}

# podman_cleanup: remove every container (their CNI DEL runs), then eng_cleanup.
podman_cleanup() {
	if [ -n "${PODMAN_READY:-}" ]; then
		podman rm --all --force --time 0 >/dev/null 2>&1 || true
		PODMAN_READY=""
	fi
	eng_cleanup
}

# ---- containerd -------------------------------------------------------------------------

CONTAINERD_PID=""

# containerd_setup PLUGIN_DIR CONFLIST_FILE: a private containerd daemon (root and state
# on ENG_DIR); /etc/cni/net.d holds only the conflist and /opt/cni/bin the plugins (what
# `ctr run --cni` uses); the image localhost/bb:latest imported from an OCI layout.
# CONTAINERD_ADDRESS and CONTAINERD_NAMESPACE (default) are exported for ctr; run
# containers with ctr_run_cni, or with `ctr run --cgroup "$ENG_CGROUP/ID" ...`.
containerd_setup() {
	local plugins=$1 conflist=$2 d i
	_eng_need containerd ctr containerd-shim-runc-v2 runc jq sha256sum
	eng_init
	eng_cgroups
	d="$ENG_DIR/containerd"
	mkdir -p "$d"/{root,state,opt,net.d}
	cp "$conflist" "$d/net.d/10-$(jq -r .name "$conflist").conflist"
	_eng_plugin_dir "$plugins" "$d/bin"
	_eng_bind_new /etc/cni/net.d "$d/net.d"
	_eng_bind_new /opt/cni/bin "$d/bin"
	cat >"$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "$d/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
	  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
	  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
	  "io.containerd.internal.v1.tracing"]
	[grpc]
	  address = "$d/containerd.sock"
	[ttrpc]
	  address = "$d/containerd.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$d/opt"
	EOF
	export CONTAINERD_ADDRESS="$d/containerd.sock" CONTAINERD_NAMESPACE=default
	containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
	CONTAINERD_PID=$!
	for i in $(seq 100); do
		ctr version >/dev/null 2>&1 && break
		kill -0 "$CONTAINERD_PID" 2>/dev/null || fail "containerd exited: $(tail -n 5 "$d/containerd.log")"
		sleep 0.2
	done
	ctr version >/dev/null 2>&1 || fail "containerd did not answer in 20 s: $(tail -n 5 "$d/containerd.log")"
	bb_oci_archive "$d/bb.tar" localhost/bb:latest
	ctr images import "$d/bb.tar" >/dev/null || fail "ctr images import of the busybox image failed"
	rm -f "$d/bb.tar"
	# runc always makes cgroups: under ours (a relative path), removed by eng_cleanup.
	ENG_CGROUP=$(basename "$ENG_DIR") # unique: sandboxes share the host's hierarchies
}

# ctr_run_cni ID CMD...: `ctr run --rm --cni` of localhost/bb:latest, in the foreground.
ctr_run_cni() {
	local id=$1; shift
	ctr run --rm --cni --cgroup "$ENG_CGROUP/$id" localhost/bb:latest "$id" "$@"
}

# _eng_bind_new PATH SRC: PATH shows SRC, also when PATH does not exist on the machine
# (its nearest existing ancestor gets an overlay, so nothing is created on the host).
_eng_bind_new() {
	local path=$1 src=$2 anc
	if [ ! -d "$path" ]; then
		anc=$(dirname "$path")
		while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
		case $anc in /|/etc|/usr|/var) fail "engines: cannot shadow $anc for $path" ;; esac
		_eng_overlay "$anc" "ovl$(echo "$anc" | tr / _)"
		mkdir -p "$path"
	fi
	_eng_mount "$path" --bind "$src"
}

# bb_oci_archive FILE NAME: the busybox rootfs as an OCI image layout archive (one
# uncompressed layer) whose image is named NAME.
bb_oci_archive() {
	local file=$1 name=$2 t layer cfg man
	t=$(mktemp -d "$ENG_DIR/oci.XXXXXX")
	bb_rootfs "$t/rootfs"
	mkdir -p "$t/oci/blobs/sha256"
	tar -C "$t/rootfs" -cf "$t/layer.tar" .
	layer=$(sha256sum "$t/layer.tar" | cut -d' ' -f1)
	mv "$t/layer.tar" "$t/oci/blobs/sha256/$layer"
	jq -cn --arg l "sha256:$layer" '{architecture: "amd64", os: "linux",
		config: {Cmd: ["/bin/sh"], Env: ["PATH=/bin"]},
		rootfs: {type: "layers", diff_ids: [$l]}}' >"$t/config.json"
	cfg=$(sha256sum "$t/config.json" | cut -d' ' -f1)
	jq -cn --arg c "sha256:$cfg" --argjson cs "$(stat -c %s "$t/config.json")" \
		--arg l "sha256:$layer" --argjson ls "$(stat -c %s "$t/oci/blobs/sha256/$layer")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$t/manifest.json"
	man=$(sha256sum "$t/manifest.json" | cut -d' ' -f1)
	jq -cn --arg m "sha256:$man" --argjson ms "$(stat -c %s "$t/manifest.json")" --arg n "$name" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $m, size: $ms, platform: {architecture: "amd64", os: "linux"},
		  annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": ($n | sub(".*:"; ""))}}]}' \
		>"$t/oci/index.json"
	mv "$t/config.json" "$t/oci/blobs/sha256/$cfg"
	mv "$t/manifest.json" "$t/oci/blobs/sha256/$man"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$t/oci/oci-layout"
	tar -C "$t/oci" -cf "$file" .
	rm -rf "$t"
}

# containerd_cleanup: kill what is left of the containers, the shims and the daemon,
# then eng_cleanup.
containerd_cleanup() {
	local c p
	if [ -n "$CONTAINERD_PID" ]; then
		for c in $(ctr tasks ls -q 2>/dev/null); do
			ctr tasks kill -s KILL "$c" >/dev/null 2>&1 || true
			ctr tasks delete --force "$c" >/dev/null 2>&1 || true
		done
		for c in $(ctr containers ls -q 2>/dev/null); do
			ctr containers delete "$c" >/dev/null 2>&1 || true
		done
		for p in "$ENG_DIR"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
			if [ -f "$p" ]; then kill -KILL "$(cat "$p")" 2>/dev/null || true; fi
		done
		kill "$CONTAINERD_PID" 2>/dev/null || true
		wait "$CONTAINERD_PID" 2>/dev/null || true
		CONTAINERD_PID=""
	fi
	eng_cleanup
}

# eng_cleanup: remove the cgroups made under ENG_CGROUP, unmount everything (reverse
# order). It goes on past errors (it runs from EXIT traps, under set -e).
eng_cleanup() {
	local i m mounts
	if [ -n "$ENG_CGROUP" ]; then
		# Relative cgroup paths are under the own cgroup of each hierarchy: remove the
		# ENG_CGROUP directories, deepest first (rmdir only removes empty cgroups).
		for m in $(findmnt -rn -t cgroup,cgroup2 -o TARGET || true); do
			find "$m" -depth -type d -path "*/$ENG_CGROUP*" -exec rmdir {} \; 2>/dev/null || true
		done
		ENG_CGROUP=""
	fi
	[ -n "$ENG_DIR" ] || return 0
	# Mounts the engines made inside ENG_DIR (container rootfs, shm, overlay snapshots).
	mounts=$(findmnt -rn -o TARGET | grep "^$ENG_DIR/" | sort -r || true)
	for m in $mounts; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	for ((i = ${#ENG_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${ENG_MOUNTS[i]}" 2>/dev/null || umount -l "${ENG_MOUNTS[i]}" ||
			echo "engines: cannot unmount ${ENG_MOUNTS[i]}" >&2
	done
	ENG_MOUNTS=()
	rmdir "$ENG_DIR" || echo "engines: cannot remove $ENG_DIR" >&2
	ENG_DIR=""
}
