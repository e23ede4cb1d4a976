# zsh tests/helpers/zsh_tab.zsh COMPLETION-FILE LINE...: a real Tab in zsh. An
# interactive zsh on a pseudo-terminal (zsh/zpty) loads compinit and the completion
# file; each LINE is typed at a fresh prompt, then Tab, then an end mark; the line is
# then made a comment (so Enter runs nothing) and entered. What the line became is
# printed as "=> TEXT" (with any list shown), one a line. It waits for each prompt
# (up to two minutes, for a busy machine); it does not time anything.
zmodload zsh/zpty || exit 1
zpty z 'TERM=dumb zsh -f -i'
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
zpty -w z "autoload -U compinit; compinit -u -D; source ${(q)1}; setopt no_beep interactive_comments; PROMPT=Z'P> '"
prompt
shift
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
