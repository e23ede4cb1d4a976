# bash completion for nsnet(8)                             -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Commands, sub-commands and options come from the tables below; a test
# (tests/integration/completion.sh) checks them against `nsnet help` and every
# `nsnet CMD --help`, so they cannot drift from the verb table. Names (namespaces,
# networks, labs, a lab's nodes, runs, published ports) are asked of nsnet itself
# (`ns list`, `net ls --json`, `ls --json`, `status LAB --json`, `ps --json`,
# `publish ls`), with a short
# timeout and errors silenced: a Tab never prints or hangs. Not root: nsnet cannot
# answer, and namespaces come from /run/netns (which anyone may read).
# Works with bash-completion's helpers or without them; needs no jq.
# shellcheck disable=SC2086,SC2046,SC2015  # word lists are split on purpose; A && B || C with B never failing

# The commands of the verb table (src/nsnet.c), in its order.
_nsnet_verbs="up down status ls graph pingall gc ns exec show capture monitor net connect disconnect link route router doctor publish unpublish fw run ps logs stop cni"

# _nsnet_subs VERB: the sub-commands of VERB (none: not a group).
_nsnet_subs()
{
	case $1 in
	ns) echo "add del list pids" ;;
	net) echo "create attach detach rm set ls show" ;;
	route) echo "add del ls" ;;
	fw) echo "status restore watch" ;;
	link) echo "set" ;;
	esac
}

# _nsnet_opts "VERB [SUB]": its options (--help and -h are everyone's, not listed).
_nsnet_opts()
{
	case $1 in
	up) echo "--dry-run --explain --json" ;;
	down | status | ls | gc | show | router | ps | stop) echo "--json" ;;
	graph) echo "--format -o --json" ;;
	pingall) echo "--arp-all --json" ;;
	capture) echo "-w --count -c -s -p --json" ;;
	monitor) echo "--json --count" ;;
	connect) echo "--ip --subnet --ifnames --mtu --json" ;;
	disconnect) echo "--ifname --json" ;;
	doctor) echo "--port --proto --size --timeout --json" ;;
	publish) echo "--proto --net --json" ;;
	"publish ls") echo "--json" ;;
	unpublish) echo "--proto --json" ;;
	run) echo "--net --ip -p --publish --name --hostname -d --detach --rm --json" ;;
	"ns add" | "ns pids") echo "--json" ;;
	"ns del") echo "--force --json" ;;
	"ns list") echo "--all --json" ;;
	"net create") echo "--subnet --gateway --range --bridge --mtu --nat --vni --vxlan-local --vxlan-dev --vxlan-peer --vxlan-port --json" ;;
	"net attach") echo "--ip --ifname --no-default-route --force --json" ;;
	"net rm") echo "--force --json" ;;
	"net detach" | "net set" | "net ls" | "net show") echo "--json" ;;
	"route add" | "route del") echo "--json" ;;
	"route ls") echo "-4 -6 --json" ;;
	"fw status" | "fw restore") echo "--json" ;;
	"fw watch") echo "--json --once" ;;
	"link set") echo "--clear --json" ;;
	esac
}

# Options that take the next word as their value.
_nsnet_opt_takes_value()
{
	case $1 in
	-p) [[ $verb == run ]] && return 0 || return 1 ;;
	--format | -o | -w | --count | -c | -s | --port | --proto | --size | --timeout | --ip | --subnet | \
		--ifnames | --mtu | --ifname | --net | --name | --hostname | --publish | --gateway | \
		--range | --bridge | --vni | --vxlan-local | --vxlan-dev | --vxlan-peer | --vxlan-port) return 0 ;;
	esac
	return 1
}

# Run nsnet quietly and briefly: completion must never print or hang (a reader
# waiting on a lock held by a long `up`).
_nsnet_q()
{
	local bin=${_nsnet_bin:-nsnet}
	if type -P timeout >/dev/null 2>&1; then
		timeout 2 "$bin" "$@" 2>/dev/null </dev/null
	else
		"$bin" "$@" 2>/dev/null </dev/null
	fi
}

# The top-level "name" members of nsnet's JSON arrays (printed indented by two:
# an element's own keys sit four spaces in). Only the simple escapes are undone.
_nsnet_json_names()
{
	local line v re='^    "name": "(.*)",?$'
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			v=${BASH_REMATCH[1]}
			v=${v//\\\"/\"}
			v=${v//\\\\/\\}
			printf '%s\n' "$v"
		fi
	done
}

_nsnet_namespaces()
{
	local out f
	if out=$(_nsnet_q ns list); then
		printf '%s\n' "$out"
		return
	fi
	for f in /run/netns/*; do
		[[ -e $f ]] && printf '%s\n' "${f##*/}"
	done
}
_nsnet_networks() { _nsnet_q net ls --json | _nsnet_json_names; }
_nsnet_labs() { _nsnet_q ls --json | _nsnet_json_names; }
_nsnet_runs() { _nsnet_q ps --json | _nsnet_json_names; }
# Published ports as unpublish takes them: HOST_PORT, or HOST_IP:HOST_PORT when bound
# to one address (the HOST column of `publish ls`).
_nsnet_published()
{
	local host
	_nsnet_q publish ls | {
		read -r _
		while read -r _ host _; do
			printf '%s\n' "${host#\*:}"
		done
	}
}

# _nsnet_lab_nodes LAB|FILE: the names in the "nodes" array of `status --json`.
_nsnet_lab_nodes()
{
	local line on=0 re='^      "name": "(.*)",?$'
	while IFS= read -r line; do
		case $line in
		'  "nodes": [') on=1; continue ;;
		'  ]' | '  ],') on=0; continue ;;
		esac
		((on)) && [[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}"
	done < <(_nsnet_q status "$1" --json)
}

# _nsnet_ifaces NS: its interfaces, from the text of `nsnet show NS`.
_nsnet_ifaces()
{
	local line on=0
	while IFS= read -r line; do
		case $line in
		'  INTERFACE '*) on=1; continue ;;
		'  '[A-Z]* | '  no '* | '') on=0; continue ;;
		esac
		((on)) && { line=${line#  }; printf '%s\n' "${line%% *}"; }
	done < <(_nsnet_q show "$1")
}

# _nsnet_add [-p PREFIX] [-s SUFFIX] WORD...: add the words that start with $cur
# (with PREFIX included in the match) to COMPREPLY.
_nsnet_add()
{
	local pfx="" sfx="" w
	while [[ $1 == -[ps] ]]; do
		[[ $1 == -p ]] && pfx=$2 || sfx=$2
		shift 2
	done
	for w in "$@"; do
		[[ $pfx$w == "$cur"* ]] && COMPREPLY+=("$pfx$w$sfx")
	done
}
# The same with one word a line on stdin (names may hold spaces).
_nsnet_add_lines()
{
	local -a list
	mapfile -t list
	_nsnet_add "$@" "${list[@]}"
}

_nsnet_files()  # lab files (*.yaml, *.yml) and directories
{
	compopt -o filenames 2>/dev/null
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -d -- "$cur"
		compgen -f -X '!*.yaml' -- "$cur"
		compgen -f -X '!*.yml' -- "$cur")
}
_nsnet_anyfile()
{
	compopt -o filenames 2>/dev/null
	mapfile -t -O ${#COMPREPLY[@]} COMPREPLY < <(compgen -f -- "$cur")
}

# NS:SUFFIX arguments (NS:PORT, NODE:IF): before the colon, the names on stdin with
# a colon after them and no space; after it, with $1 "if", that namespace's interfaces.
_nsnet_colon()
{
	if [[ $cur == *:* ]]; then
		cat >/dev/null
		[[ $1 == if ]] && _nsnet_add_lines -p "${cur%:*}:" < <(_nsnet_ifaces "${cur%:*}")
		return
	fi
	_nsnet_add_lines -s :
	compopt -o nospace 2>/dev/null
}
_nsnet_namespaces_host() { _nsnet_namespaces; echo host; }

# A value for option $1.
_nsnet_opt_value()
{
	case $1 in
	--format) _nsnet_add dot svg png ;;
	--proto) [[ $verb == doctor ]] && _nsnet_add icmp tcp udp || _nsnet_add tcp udp ;;
	--net) _nsnet_add_lines < <(_nsnet_networks) ;;
	-o | -w) _nsnet_anyfile ;;
	--vxlan-dev) ;;
	esac
}

_nsnet()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -n : || return
	else
		# Join what COMP_WORDBREAKS split at ':' (NS:PORT, NODE:IF), as bash-completion does.
		words=() cword=-1
		local i w
		for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
			w=${COMP_WORDS[i]}
			if ((i > 1)) && [[ $w == : || ${COMP_WORDS[i - 1]} == : ]]; then
				words[${#words[@]} - 1]+=$w
			else
				words+=("$w")
			fi
			((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
		done
		((cword < 0)) && { words+=(""); cword=$((${#words[@]} - 1)); }
		cur=${words[cword]}
		prev=${words[cword - 1]}
	fi
	COMPREPLY=()
	local w j _nsnet_bin=${words[0]}
	type -P "$_nsnet_bin" >/dev/null 2>&1 || _nsnet_bin=nsnet

	# The verb: the first word after the global options (nsnet --json ls).
	local i=1 verb="" sub=""
	while ((i < cword)) && [[ ${words[i]} == --json ]]; do ((i++)); done
	if ((i == cword)); then
		if [[ $cur == -* ]]; then
			_nsnet_add --json --version --help
		else
			_nsnet_add $_nsnet_verbs help
		fi
		return
	fi
	verb=${words[i]}
	((i++))
	local subs
	subs=$(_nsnet_subs "$verb")
	if [[ -n $subs ]]; then
		if ((i == cword)); then
			[[ $cur == -* ]] && _nsnet_add --help || _nsnet_add $subs
			return
		fi
		sub=${words[i]}
		((i++))
	elif [[ $verb == publish && ${words[i]} == ls && i -lt cword ]]; then
		sub="ls"
		((i++))
	fi
	[[ $verb == help || $verb == --help || $verb == -h || $verb == --version ]] && return

	# The positional arguments before the cursor; "--" ends nsnet's own words.
	local -a args=()
	local dd=-1
	for ((j = i; j < cword; j++)); do
		w=${words[j]}
		if [[ $w == -- ]]; then
			dd=$j
			break
		elif [[ $w == -* ]] && _nsnet_opt_takes_value "$w"; then
			# Its value: the next word, or "=" and the one after (--opt=VALUE,
			# split at '=' by COMP_WORDBREAKS).
			[[ ${words[j + 1]} == = ]] && ((j++))
			((j++))
		elif [[ $w != -* ]]; then
			args+=("$w")
		fi
	done
	local n=${#args[@]}

	# After "--": a command (exec, run).
	if ((dd >= 0)); then
		if declare -F _command_offset >/dev/null 2>&1; then
			# _command_offset counts COMP_WORDS, which split ':' apart: find "--" there.
			for ((j = 1; j < COMP_CWORD; j++)); do
				[[ ${COMP_WORDS[j]} == -- ]] && break
			done
			_command_offset $((j + 1))
		elif ((cword == dd + 1)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		else
			_nsnet_anyfile
		fi
		return
	fi

	# --opt VALUE, or --opt=VALUE split at '='.
	local opt=$prev
	[[ $prev == = ]] && opt=${words[cword - 2]}
	if [[ $opt == -* ]] && _nsnet_opt_takes_value "$opt"; then
		_nsnet_opt_value "$opt"
		return
	fi
	if [[ $cur == -* ]]; then
		local key=$verb
		[[ -n $sub ]] && key="$verb $sub"
		_nsnet_add $(_nsnet_opts "$key") --help
		[[ $verb == exec && $n -ge 1 ]] && _nsnet_add --
		return
	fi

	case $verb${sub:+ $sub} in
	up) ((n == 0)) && _nsnet_files ;;
	down | status | graph | pingall)
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_labs)
			_nsnet_files
		fi ;;
	"ns del") _nsnet_add_lines < <(_nsnet_namespaces) ;;
	"ns pids") ((n == 0)) && _nsnet_add_lines < <(_nsnet_namespaces) ;;
	exec)
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_namespaces)
			_nsnet_add host
		else
			_nsnet_add --
		fi ;;
	show) _nsnet_add_lines < <(_nsnet_namespaces_host) ;;
	capture) ((n == 0)) && _nsnet_colon if < <(_nsnet_namespaces_host) ;;
	monitor) _nsnet_add_lines < <(_nsnet_labs; _nsnet_namespaces; echo host) ;;
	connect | disconnect | doctor)
		((n < 2)) && _nsnet_add_lines < <(_nsnet_namespaces_host) ;;
	router)
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_namespaces_host)
		elif ((n == 1)); then
			_nsnet_add on off
		fi ;;
	"net attach")
		if ((n == 0)); then _nsnet_add_lines < <(_nsnet_networks); else _nsnet_add_lines < <(_nsnet_namespaces); fi ;;
	"net detach")
		if ((n == 0)); then _nsnet_add_lines < <(_nsnet_networks); else _nsnet_add_lines < <(_nsnet_namespaces); fi ;;
	"net rm") _nsnet_add_lines < <(_nsnet_networks) ;;
	"net show") ((n == 0)) && _nsnet_add_lines < <(_nsnet_networks) ;;
	"net set")
		case $n in
		0) _nsnet_add_lines < <(_nsnet_networks) ;;
		1) _nsnet_add nat allow deny names vxlan-peer ;;
		2) case ${args[1]} in
		   nat) _nsnet_add on off ;;
		   names) _nsnet_add on off auto ;;
		   allow | deny) _nsnet_add_lines < <(_nsnet_networks) ;;
		   vxlan-peer) _nsnet_add add del ;;
		   esac ;;
		esac ;;
	"route add" | "route del")
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_namespaces_host)
		elif ((n == 1)); then
			_nsnet_add default
		elif [[ $prev == dev ]]; then
			_nsnet_add_lines < <(_nsnet_ifaces "${args[0]}")
		elif [[ $prev != via ]]; then
			local k has_via=0 has_dev=0
			for k in "${args[@]:2}"; do
				[[ $k == via ]] && has_via=1
				[[ $k == dev ]] && has_dev=1
			done
			((has_via)) || _nsnet_add via
			((has_dev)) || _nsnet_add dev
		fi ;;
	"route ls") ((n == 0)) && _nsnet_add_lines < <(_nsnet_namespaces_host) ;;
	"link set")
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_labs)
		elif ((n == 1)); then
			_nsnet_colon if < <(_nsnet_lab_nodes "${args[0]}")
		elif [[ $prev != rate && $prev != loss ]]; then
			_nsnet_add rate loss
		fi ;;
	publish)
		if ((n == 0)); then
			_nsnet_add ls
		elif ((n == 1)); then
			_nsnet_colon < <(_nsnet_namespaces)
		fi ;;
	unpublish) ((n == 0)) && _nsnet_add_lines < <(_nsnet_published) ;;
	stop) _nsnet_add_lines < <(_nsnet_runs) ;;
	logs)
		if ((n == 0)); then
			_nsnet_add_lines < <(_nsnet_runs; _nsnet_labs)
		elif ((n == 1)); then
			_nsnet_add_lines < <(_nsnet_lab_nodes "${args[0]}")
		fi ;;
	esac

	# Words holding ':' (NS:PORT): readline replaces only what follows the last
	# ':' when ':' breaks words, so drop what is before it (bash-completion's
	# __ltrim_colon_completions, done here so it works without bash-completion).
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local colon=${cur%"${cur##*:}"}
		for ((j = 0; j < ${#COMPREPLY[@]}; j++)); do
			COMPREPLY[j]=${COMPREPLY[j]#"$colon"}
		done
	fi
	return 0
}
complete -F _nsnet nsnet
