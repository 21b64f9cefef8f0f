#!/bin/sh
# The CLI's contract (docs/lifeline.md, src/cmd/cmd.h) for every command
# and subcommand that `lifeline --help` lists: --help prints usage on
# standard output and exits 0; an unknown option or a missing option
# argument gives exactly one line on standard error, naming it, exit 2;
# a file that cannot be opened gives one line naming it, exit 3.
set -u
L=${LIFELINE:?}
fails=0 checks=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$tmp/out err=$tmp/err

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run WANT_RC ARGS...: runs lifeline, checks the exit status
run() {
	want=$1; shift
	checks=$((checks + 1))
	"$L" "$@" >"$out" 2>"$err" </dev/null; rc=$?
	[ "$rc" = "$want" ] || { fail "lifeline $*: exit $rc, want $want"; sed 's/^/  | /' "$err"; }
}
# one_line ARGS... (after run): stderr is one line starting "lifeline: "
# that contains each of the given words; for a usage error (exit 2) also
# nothing on stdout
one_line() {
	n=$(wc -l <"$err")
	[ "$n" = 1 ] || { fail "$what: $n lines on stderr, want 1:"; sed 's/^/  | /' "$err"; return; }
	grep -q '^lifeline: ' "$err" || fail "$what: stderr does not start with 'lifeline: ': $(cat "$err")"
	for w in "$@"; do
		grep -qF -- "$w" "$err" || fail "$what: no '$w' in: $(cat "$err")"
	done
	[ "$rc" != 2 ] || [ ! -s "$out" ] ||
	    fail "$what: output on stdout besides the error"
}

# Commands and subcommands, from the top-level help: "  name  text (name sub)".
"$L" --help >"$out" 2>"$err" || fail "lifeline --help: exit $?"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^$/ { on = 0 } on && NF { print $1 }' "$out")
subs=$(grep -o '([a-z]* [a-z]*)' "$out" | tr -d '()' | tr ' ' '/')
[ -n "$cmds" ] || fail "no commands listed by lifeline --help"
echo "$cmds" | grep -qx mrt || fail "lifeline --help does not list mrt"

for c in $cmds $subs; do
	set -- $(echo "$c" | tr '/' ' ')
	what="lifeline $* --help"
	run 0 "$@" --help
	head -n 1 "$out" | grep -q "^usage: lifeline $1" ||
	    fail "$what: first line is not 'usage: lifeline $1 ...': $(head -n 1 "$out")"
	[ ! -s "$err" ] || fail "$what: wrote to stderr: $(cat "$err")"
	what="lifeline $* --no-such-option"
	run 2 "$@" --no-such-option
	one_line "--no-such-option"
done

what="lifeline (no command)"; run 2; [ -s "$err" ] || fail "$what: no message"
what="lifeline frobnicate"; run 2 frobnicate; one_line frobnicate
what="lifeline --version"; run 0 --version
[ "$(wc -l <"$out")" = 1 ] || fail "$what: not one line"

# Option arguments missing or bad: one line, exit 2.
what="mrt dump --format (no value)"; run 2 mrt dump --format; one_line format
what="mrt dump --format=xml"; run 2 mrt dump --format=xml x; one_line xml
what="geo lookup --rir (no value)"; run 2 geo lookup --rir; one_line rir

# Times are read the same by every command that takes one: a bare number
# is refused with the @ spelling (20210101 was once read as 1970-08-23),
# an impossible date with the reason.
for c in "signal --from" "export --from" "mrt dump --from" "mrt dump --to" \
    "fetch --project ris --collector rrc04 --to 2021-01-02 --dry-run --from" \
    "simulate --out $tmp/sim --start" "simulate --out $tmp/sim --outage-from"; do
	what="$c 20210101"; run 2 $c 20210101; one_line "@20210101"
	what="$c 2011-02-30"; run 2 $c 2011-02-30; one_line "February 2011 has 28 days"
done

# Files that cannot be opened: one line naming the file, exit 3.
nf=$tmp/no-such-dir/archive.gz
what="mrt dump missing file"; run 3 mrt dump "$nf"; one_line "$nf"
what="bgp visibility missing file"; run 3 bgp visibility "$nf"; one_line "$nf"
what="ingest bgp missing file"; run 3 ingest bgp --db "$tmp/s.db" "$nf"; one_line "$nf"
what="signal missing store"; run 3 signal --db "$tmp/no-such-dir/s.db"; one_line "$tmp/no-such-dir/s.db"
what="geo lookup missing --rir"; run 3 geo lookup --rir "$nf" 1.2.3.4; one_line "$nf"

[ "$fails" -eq 0 ] || { echo "$fails of $checks runs failed"; exit 1; }
echo "cli: $checks runs, all as documented"
