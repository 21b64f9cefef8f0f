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
# A third set of VRPs stands for an Internet where RPKI covers everything:
# one VRP for every (prefix, origin) the corpus announces (82,692), so that
# every route of a watched prefix or AS is validated against real work.
#
# Each command runs BENCH_REPS times (default 5), every command once per
# round so that load from elsewhere falls on all alike; a row gives the
# best wall time and the user + system CPU of that run. Ratios are of wall
# times, as the target is (routing check reads ahead on a second thread);
# the CPU ratio is printed too. The alerts of each run must be identical
# to --full-decode's, which feeds the monitors from the full decoder on
# one thread: a fast wrong answer is no answer.
#
# Usage: bench/routing.sh [path/to/lifeline]   (default build/lifeline)
# Environment: BENCH_OUT (default bench/out), BENCH_REPS,
# LIFELINE_SHARED_DATA.
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

awk -F, 'BEGIN { print "ASN,IP Prefix,Max Length,Trust Anchor" }
	{ n = split($1, p, "/"); print "AS" $2 "," $1 "," p[n] ",corpus" }' \
    "$w/pairs.csv" > "$w/vrps-all.csv"

# --- the runs ----------------------------------------------------------------
reps=${BENCH_REPS:-5}
vall=$w/vrps-all.csv
declare -a names labels
declare -A cmd wall cpu rss
# add NAME LABEL CMD...: a command to time.
add() {
	local name=$1 label=$2
	shift 2
	names+=("$name")
	labels+=("$label")
	cmd[$name]=$(printf '%q ' "$@")
}
add decode "\`mrt dump --format=none\` (decode-only)" \
    "$ll" mrt dump --format=none "$corpus"
for wl in observed strict; do
	add "$wl" "\`routing check\`, $wl watchlist" "$ll" routing check \
	    --watchlist "$w/$wl.yml" --vrps "$vrps" -q "$corpus"
	add "$wl-full" "\`routing check --full-decode\`, $wl watchlist" \
	    "$ll" routing check --full-decode --watchlist "$w/$wl.yml" \
	    --vrps "$vrps" -q "$corpus"
done
if [ -r "$corpus.gz" ]; then
	add decode-gz "\`mrt dump --format=none\` (decode-only), gzip corpus" \
	    "$ll" mrt dump --format=none "$corpus.gz"
	add observed-gz "\`routing check\`, observed watchlist, gzip corpus" \
	    "$ll" routing check --watchlist "$w/observed.yml" --vrps "$vrps" \
	    -q "$corpus.gz"
fi
add observed-all "\`routing check\`, observed watchlist, a VRP per route" \
    "$ll" routing check --watchlist "$w/observed.yml" --vrps "$vall" -q \
    "$corpus"
add observed-all-full "\`routing check --full-decode\`, observed, a VRP per route" \
    "$ll" routing check --full-decode --watchlist "$w/observed.yml" \
    --vrps "$vall" -q "$corpus"
echo "routing bench: $nwatch watched prefixes, $(wc -l < "$vrps") VRP lines" \
    "($(wc -l < "$vall") in the VRP-per-route set), corpus" \
    "$(stat -L -c %s "$corpus") bytes, best of $reps" >&2
for ((r = 0; r < reps; r++)); do
	for name in "${names[@]}"; do
		eval "/usr/bin/time -f '%e %U %S %M' -o \"\$w/\$name.time\" " \
		    "${cmd[$name]} > \"\$w/\$name.out\" 2> \"\$w/\$name.err\""
		rc=$?
		[ $rc -eq 0 ] || [ $rc -eq 1 ] ||
		    die "$name failed: $(tail -1 "$w/$name.err")"
		read -r e u sy m < <(tail -1 "$w/$name.time")
		if [ -z "${wall[$name]:-}" ] ||
		    awk -v a="$e" -v b="${wall[$name]}" 'BEGIN { exit !(a < b) }'; then
			wall[$name]=$e
			cpu[$name]=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
		fi
		[ "${rss[$name]:-0}" -ge "$m" ] || rss[$name]=$m
	done
done
{
	echo "| run | wall (best) | CPU | peak RSS |"
	echo "|---|---:|---:|---:|"
	for i in "${!names[@]}"; do
		n=${names[$i]}
		printf '| %s | %s s | %s s | %d MiB |\n' "${labels[$i]}" \
		    "${wall[$n]}" "${cpu[$n]}" $((rss[$n] / 1024))
	done
} > "$w/results.md"
cat "$w/results.md"
rc=0
if [ -n "${wall[observed-gz]:-}" ]; then
	# the same alerts from the same records, compressed
	cmp -s "$w/observed-gz.out" "$w/observed.out" ||
	    { echo "observed-gz: the alerts differ from the plain corpus's" >&2; rc=1; }
	awk -v dw="${wall[decode-gz]}" -v rw="${wall[observed-gz]}" \
	    -v dc="${cpu[decode-gz]}" -v rc="${cpu[observed-gz]}" 'BEGIN {
		printf "observed-gz: %.2fx the decode-only throughput on the gzip corpus (wall; %.2fx in CPU)\n",
		    (rw > 0 ? dw / rw : 0), (rc > 0 ? dc / rc : 0) }' |
	    tee -a "$w/results.md"
fi
for wl in observed strict observed-all; do
	n=$(wc -l < "$w/$wl.out")
	if cmp -s "$w/$wl.out" "$w/$wl-full.out"; then
		echo "$wl: $n alerts, identical with --full-decode"
	else
		echo "$wl: the alerts differ from --full-decode's" >&2
		rc=1
	fi
	awk -v dw="${wall[decode]}" -v rw="${wall[$wl]}" -v dc="${cpu[decode]}" \
	    -v rc="${cpu[$wl]}" -v n="$wl" 'BEGIN {
		printf "%s: %.2fx the decode-only throughput (wall; %.2fx in CPU)\n",
		    n, (rw > 0 ? dw / rw : 0), (rc > 0 ? dc / rc : 0) }'
done | tee -a "$w/results.md"
exit $rc
