#!/bin/sh
# Input that is not a regular file (a pipe through /dev/stdin or "-", a
# shell's process substitution as /dev/fd/N, a FIFO) gives `bgp visibility`
# and `ingest bgp` exactly what the regular file gives: the same rows, the
# same points, the same archive (a later run with the regular file has
# nothing to ingest). What cannot be read is refused with one line.
# Uses $LIFELINE, $LL_SHARED_DATA (real RIS updates of 2007-02-11).
set -u
LL_SHARED_DATA=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
F="$LL_SHARED_DATA/mrt/ripe-bgpdump/updates.20070211.0141.gz"
if [ ! -r "$F" ]; then
	echo "SKIP: $F is absent"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
L() { timeout 120 "$LIFELINE" "$@"; }
check() {	# check NAME WANT_RC GOT_RC
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, want $2"; cat "$T/err"
		fails=$((fails + 1))
	fi
}
same() {	# same NAME FILE1 FILE2
	if ! cmp -s "$2" "$3"; then
		echo "FAIL: $1: output differs from the regular file's"
		diff "$2" "$3" | head -5; fails=$((fails + 1))
	fi
}
has() {		# has NAME FILE TEXT
	if ! grep -qF -- "$3" "$2"; then
		echo "FAIL: $1: no '$3' in:"; cat "$2"; fails=$((fails + 1))
	fi
}
fifo() {	# fifo PATH: a FIFO fed with $F by a background writer
	rm -f "$1"; mkfifo "$1" && { cat "$F" > "$1" & }
}
V="bgp visibility --full-feed=50% --warmup 5m --by all"

# bgp visibility: regular file, then each kind of non-regular input.
L $V "$F" >"$T/reg.csv" 2>"$T/err"; check vis-regular 0 $?
n=$(wc -l <"$T/reg.csv")
if [ "$n" -lt 100 ]; then
	echo "FAIL: vis-regular: only $n lines"; fails=$((fails + 1))
fi
cat "$F" | L $V /dev/stdin >"$T/o.csv" 2>"$T/err"; check vis-stdin 0 $?
same vis-stdin "$T/reg.csv" "$T/o.csv"
cat "$F" | L $V - >"$T/o.csv" 2>"$T/err"; check vis-dash 0 $?
same vis-dash "$T/reg.csv" "$T/o.csv"
cat "$F" | L $V /dev/fd/3 3<&0 >"$T/o.csv" 2>"$T/err"
check vis-fd 0 $?
same vis-fd "$T/reg.csv" "$T/o.csv"
fifo "$T/fifo"
L $V "$T/fifo" >"$T/o.csv" 2>"$T/err"; check vis-fifo 0 $?
same vis-fifo "$T/reg.csv" "$T/o.csv"

# ingest bgp: the same points and archive as the regular file's.
I="ingest bgp --full-feed=50% --warmup 5m"
L $I --db "$T/reg.db" "$F" 2>"$T/err"; check ing-regular 0 $?
L signal --db "$T/reg.db" >"$T/reg.sig" 2>"$T/err"
n=$(wc -l <"$T/reg.sig")
if [ "$n" -lt 100 ]; then
	echo "FAIL: ing-regular: only $n points"; fails=$((fails + 1))
fi
for how in stdin fd fifo; do
	db="$T/$how.db"
	case $how in
	stdin)	cat "$F" | L $I --db "$db" /dev/stdin 2>"$T/err" ;;
	fd)	cat "$F" | L $I --db "$db" /dev/fd/3 3<&0 2>"$T/err" ;;
	fifo)	fifo "$T/fifo"; L $I --db "$db" "$T/fifo" 2>"$T/err" ;;
	esac
	check "ing-$how" 0 $?
	has "ing-$how" "$T/err" "ingested 1 archive"
	L signal --db "$db" >"$T/o.sig" 2>"$T/err"
	same "ing-$how" "$T/reg.sig" "$T/o.sig"
	L $I --db "$db" "$F" 2>"$T/err"; check "ing-$how-again" 0 $?
	has "ing-$how-again" "$T/err" "nothing to ingest"
done

# What cannot be read: a directory, a missing file, a spool that cannot
# be written.
L $V "$T" >"$T/o.csv" 2>"$T/err"; check vis-dir 2 $?
has vis-dir "$T/err" "is a directory"
L $I --db "$T/x.db" "$T" 2>"$T/err"; check ing-dir 2 $?
has ing-dir "$T/err" "is a directory"
L $V "$T/nosuch.gz" >"$T/o.csv" 2>"$T/err"; check vis-missing 3 $?
has vis-missing "$T/err" "nosuch.gz: No such file or directory"
cat "$F" | TMPDIR="$T/nosuchdir" L $V /dev/stdin >"$T/o.csv" 2>"$T/err"
check vis-nospool 3 $?
has vis-nospool "$T/err" "cannot keep a copy of the input in $T/nosuchdir"
cat "$F" | TMPDIR="$T/nosuchdir" L $I --db "$T/x.db" - 2>"$T/err"
check ing-nospool 3 $?
has ing-nospool "$T/err" "cannot keep a copy"

[ "$fails" -eq 0 ] && echo "ok" && exit 0
exit 1
