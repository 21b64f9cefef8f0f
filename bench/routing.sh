#!/bin/bash
# routing check's speed against the decode-only run, on the benchmark corpus
# (bench/corpus.sh: corpus.mrt), with the AFRINIC VRP set of the shared data
# and a 10,000-prefix watchlist built here from the corpus itself:
#
# - 10,000 of the corpus's distinct announced prefixes, evenly spread over
#   them in sorted order, each expecting every origin the corpus shows for
#   it;
# - options.monitorASns for the ten origins with the most prefixes, in two
#   forms: "observed" (their upstreams and downstreams as `watch generate
#   --neighbours` writes them from the corpus) and "strict" (upstreams 174,
#   3356 and 1299 only, no downstream: most of their routes feed events).
#
# Each run is made once (user and system CPU from GNU time: the machine may
# be shared, so CPU time is the fair measure), and again with --full-decode,
# whose alerts must be identical: a fast wrong answer is no answer.
#
# Usage: bench/routing.sh [path/to/lifeline]   (default build/lifeline)
# Environment: BENCH_OUT (default bench/out), LIFELINE_SHARED_DATA.
# Exit status: 0 done, 1 the alerts differ, 2 set-up failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ll=${1:-$repo/build/lifeline}
out=${BENCH_OUT:-$here/out}
data=${LIFELINE_SHARED_DATA:-$repo/../shared/data}
export BENCH_OUT=$out

die() { echo "routing bench: $*" >&2; exit 2; }
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed"
vrps=$data/rpki/ripe-archive-afrinic-roas-20211231.csv
[ -r "$vrps" ] || die "no VRPs at $vrps"
corpus=$out/corpus.mrt
[ -r "$corpus" ] || "$here/corpus.sh" "$data" || die "no corpus"
w=$out/routing
mkdir -p "$w"

# --- the watchlists ----------------------------------------------------------
"$ll" rpki validate --vrps "$vrps" --by prefix -q "$corpus" > "$w/routes.csv" ||
    die "rpki validate failed"
awk -F, 'NR > 1 && $2 ~ /^[0-9]+$/ { print $1 "," $2 }' "$w/routes.csv" |
    sort -t, -k1,1 -k2,2n -u > "$w/pairs.csv"
awk -F, -v want=10000 '
	{ if ($1 != last) { np++; last = $1 } pfx[NR] = $1; org[NR] = $2; idx[NR] = np }
	END {
		for (i = 1; i <= NR; i++) {
			# the j-th distinct prefix is picked when j * want / np
			# passes an integer: want of the np, evenly spread
			j = idx[i]
			if (int(j * want / np) == int((j - 1) * want / np))
				continue
			if (pfx[i] != cur) {
				if (cur != "") print "  ignoreMorespecifics: false"
				cur = pfx[i]
				print cur ":"
				print "  description: bench"
				print "  asn:"
			}
			print "    - " org[i]
		}
		if (cur != "") print "  ignoreMorespecifics: false"
	}' "$w/pairs.csv" > "$w/prefixes.yml"
top=$(cut -d, -f2 "$w/pairs.csv" | sort | uniq -c | sort -k1,1nr -k2,2n |
    head -10 | awk '{ print $2 }')
args=()
for a in $top; do args+=(--asn "$a"); done
"$ll" watch generate --neighbours "${args[@]}" -q -o "$w/generated.yml" \
    "$corpus" || die "watch generate failed"
{ cat "$w/prefixes.yml"; sed -n '/^options:/,$p' "$w/generated.yml"; } \
    > "$w/observed.yml"
{
	cat "$w/prefixes.yml"
	echo "options:"
	echo "  monitorASns:"
	for a in $top; do
		echo "    $a:"
		echo "      upstreams: [174, 3356, 1299]"
		echo "      downstreams: []"
	done
} > "$w/strict.yml"
nwatch=$(grep -c '^[0-9a-f].*:$' "$w/prefixes.yml")

# --- the runs ----------------------------------------------------------------
# run NAME CMD...: one run; prints "user sys" seconds.
run() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o "$w/$name.time" "$@" > "$w/$name.out" \
	    2> "$w/$name.err" || [ $? -eq 1 ] || die "$name failed: $(tail -1 "$w/$name.err")"
	awk '{ printf "%.2f %.2f %d\n", $1, $2, $3 / 1024 }' "$w/$name.time"
}
declare -A cpu
# row NAME LABEL CMD...: a table row for one run.
row() {
	local name=$1 label=$2 u s m
	shift 2
	read -r u s m < <(run "$name" "$@")
	[ -n "$u" ] || exit 2
	cpu[$name]=$u
	printf '| %s | %s s | %s s | %s MiB |\n' "$label" "$u" "$s" "$m"
}
echo "routing bench: $nwatch watched prefixes, $(wc -l < "$vrps") VRP lines," \
    "corpus $(stat -L -c %s "$corpus") bytes" >&2
{
	echo "| run | user CPU | system CPU | peak RSS |"
	echo "|---|---:|---:|---:|"
	row decode "\`mrt dump --format=none\` (decode-only)" \
	    "$ll" mrt dump --format=none "$corpus"
	for wl in observed strict; do
		row "$wl" "\`routing check\`, $wl watchlist" \
		    "$ll" routing check --watchlist "$w/$wl.yml" --vrps "$vrps" \
		    -q "$corpus"
		row "$wl-full" "\`routing check --full-decode\`, $wl watchlist" \
		    "$ll" routing check --full-decode --watchlist "$w/$wl.yml" \
		    --vrps "$vrps" -q "$corpus"
	done
} > "$w/results.md" || exit 2
cat "$w/results.md"
rc=0
for wl in observed strict; do
	n=$(wc -l < "$w/$wl.out")
	if cmp -s "$w/$wl.out" "$w/$wl-full.out"; then
		echo "$wl: $n alerts, identical with --full-decode"
	else
		echo "$wl: the alerts differ from --full-decode's" >&2
		rc=1
	fi
	awk -v d="${cpu[decode]}" -v r="${cpu[$wl]}" -v n="$wl" 'BEGIN {
		printf "%s: %.2fx the decode-only throughput (user CPU)\n", n,
		    (r > 0 ? d / r : 0) }'
done | tee -a "$w/results.md"
exit $rc
