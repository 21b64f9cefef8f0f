#!/bin/sh
# The manual page and the completions say what --help says: every line of
# every command's --help is in the rendered page, and completing "--" after
# each command offers each long option of its option lines (bash, run for
# real; zsh, read, as zsh is not needed to build). The page renders with no
# groff warning.
#   test_manual.sh MANPAGE BASH_COMPLETION ZSH_COMPLETION
set -u
L=${LIFELINE:?}
man=$1 bashc=$2 zshc=$3
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v groff >/dev/null || { echo "skip: groff is not installed"; exit 77; }
groff -man -Tutf8 -ww -z "$man" 2> "$tmp/warn"
[ ! -s "$tmp/warn" ] || fail "groff warns: $(head -n 3 "$tmp/warn")"
# The page as text, blanks squeezed, to find the help lines in.
groff -man -Tascii -rLL=250n "$man" 2>/dev/null | sed 's/.\x08//g; s/  */ /g; s/^ //' > "$tmp/page"

"$L" --help > "$tmp/top"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^$/ { on = 0 } on && NF { print $1 }' "$tmp/top")
n=0
for c in $cmds; do
for s in $(grep "^  $c " "$tmp/top" | grep -o "($c [a-z]*)" | tr -d '()' | cut -d' ' -f2 |
    tr '\n' ' ' | sed 's/ $//' | grep . || echo '""'); do
	[ "$s" = '""' ] && s=
	"$L" $c $s --help > "$tmp/help"
	# each line of the help, blanks squeezed, is a line of the page
	sed 's/  */ /g; s/^ //' "$tmp/help" | grep -v '^$' | while IFS= read -r line; do
		grep -qxF -- "$line" "$tmp/page" || { echo "FAIL: lifeline $c $s --help: not in the page: $line"; }
	done > "$tmp/missing"
	[ ! -s "$tmp/missing" ] || { cat "$tmp/missing" | head -n 3; fails=$((fails + 1)); }
	# the long option each option line begins with
	for o in $(grep -E '^ +-' "$tmp/help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		[ "$o" = --help ] && continue
		n=$((n + 1))
		words="lifeline $c${s:+ $s} ${o%"${o#???}"}"
		got=$(bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lifeline; printf "%s\n" "${COMPREPLY[@]}"' \
		    sh "$bashc" $words)
		printf '%s\n' "$got" | grep -qxF -- "$o" || fail "bash: '$words<TAB>' does not offer $o: $(echo $got)"
		awk -v k="'$c${s:+ $s}')" '{ t = $0; sub(/^[ \t]+/, "", t) } t == k { on = 1; next } on && /opts=\(/ { print; exit }' "$zshc" |
		    grep -qE -- "[( ]$o[ )]" || fail "zsh: $c $s: no $o"
	done
done
done
[ "$n" -gt 50 ] || fail "only $n options checked"
# Completing the command itself, and a value the help lists.
got=$(bash -c '. "$1"; COMP_WORDS=(lifeline si); COMP_CWORD=1; _lifeline; printf "%s\n" "${COMPREPLY[@]}"' sh "$bashc")
[ "$got" = "signal
simulate" ] || fail "bash: 'lifeline si<TAB>': $got"
got=$(bash -c '. "$1"; COMP_WORDS=(lifeline signal --format j); COMP_CWORD=3; _lifeline; printf "%s\n" "${COMPREPLY[@]}"' sh "$bashc")
[ "$got" = "json
jsonl" ] || fail "bash: 'lifeline signal --format j<TAB>': $got"
[ "$fails" = 0 ] || exit 1
echo "manual and completions: $n options of $(echo $cmds | wc -w) commands agree with --help"
