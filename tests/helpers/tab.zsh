# zsh tests/helpers/tab.zsh SHELL COMPLETION-FILE LINE...: a real Tab. SHELL, an
# interactive shell on a pseudo-terminal (zsh/zpty), loads the completion file:
#   zsh              sourced after compinit
#   zsh-fpath        autoloaded by compinit from its directory in $fpath (as installed)
#   bash             sourced
#   bash-completion  sourced after /usr/share/bash-completion/bash_completion
# Each LINE is typed at a fresh prompt, then Tab, then an end mark; the line is then
# made a comment (so Enter runs nothing) and entered. What the line became is printed
# as "=> TEXT" (with any list shown), one a line. It waits for each prompt (up to two
# minutes, for a busy machine); it does not time anything.
zmodload zsh/zpty || exit 1
case $1 in
zsh)
	zpty z 'TERM=dumb zsh -f -i'
	zpty -w z "autoload -U compinit; compinit -u -D; source ${(q)2}; setopt no_beep interactive_comments; PROMPT=Z'P> '" ;;
zsh-fpath)  # as installed: compinit finds the file in $fpath and autoloads it
	zpty z 'TERM=dumb zsh -f -i'
	zpty -w z "fpath=(${(q)2:h} \$fpath); autoload -U compinit; compinit -u -D; setopt no_beep interactive_comments; PROMPT=Z'P> '" ;;
bash | bash-completion)
	# readline needs a width (a new pty has 0 columns).
	zpty z 'stty cols 200 rows 50 echo; TERM=xterm bash --norc --noprofile -i'
	[[ $1 == bash-completion ]] && zpty -w z ". /usr/share/bash-completion/bash_completion"
	zpty -w z ". ${(q)2}; bind 'set bell-style none'; bind 'set enable-bracketed-paste off'; PS1=Z'P> '" ;;
*) print -r -- "tab.zsh: unknown shell '$1'" >&2; exit 2 ;;
esac
shift 2
# Read until the prompt ("ZP> ", spelled otherwise in the command that sets it)
# after $1 (a list redraws the prompt before the end mark is typed).
prompt() {
	out=""
	local chunk i
	for i in {1..1200}; do
		zpty -r -t z chunk && out+=$chunk
		[[ $out == *"$1"*'ZP> '* ]] && return 0
		sleep 0.1
	done
	print -r -- "no prompt; got: ${(q+)out}" >&2
	exit 1
}
prompt
integer n=0
for l; do
	n+=1
	zpty -w -n z "$l"$'\t\C-e # END'$n$'\C-a#\n'
	prompt "# END$n"
	# Drop bracketed-paste switches; keep what the line was before the end mark.
	out=${out//$'\C-['\[\?2004[hl]/}
	print -r -- "=> ${out%%\# END$n*}"
done
zpty -d z
