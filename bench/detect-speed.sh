#!/bin/bash
# Detection at scale: `lifeline detect` over 30 days of 5-minute BGP
# points for 20,000 entities (about 173 million points), from scratch,
# then again after one more bin (the incremental run a live deployment
# makes every 5 minutes). Targets: under 60 s and under 1 GiB of peak
# RSS for the month.
#
# The store is written once by bench_detect_gen (bench/detect_gen.c:
# countries, their regions and ASes; steady counts with a diurnal ripple,
# flaps, steps, outages, a collector's bad half hour) into
# BENCH_OUT/detect and kept for later runs (about 0.5 GB; delete it to
# write it again). Each run works on a copy. Wall and CPU time and the
# peak RSS come from GNU time -v.
#
# Usage: bench/detect-speed.sh [path/to/lifeline]   (default build/lifeline;
#   bench_detect_gen is taken from the same build directory)
# Environment: DETECT_ENTITIES (20000), DETECT_DAYS (30), BENCH_OUT.
# Writes BENCH_OUT/detect-speed.md (default bench/out) and prints it.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ll=${1:-$repo/build/lifeline}
out=${BENCH_OUT:-$here/out}
ents=${DETECT_ENTITIES:-20000}
days=${DETECT_DAYS:-30}
dir=$out/detect

die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
gen=$(dirname "$ll")/bench_detect_gen
[ -x "$gen" ] || die "no $gen (ninja -C $(dirname "$ll") bench_detect_gen)"
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"
mkdir -p "$dir" || die "cannot create $dir"

# One figure of a GNU time -v report.
tv() { awk -F': ' -v k="$2" 'index($0, k) { print $2; exit }' "$1"; }
wall_s() {	# h:mm:ss or m:ss.ss -> seconds
	tv "$1" "Elapsed (wall clock)" |
	    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }'
}
cpu_s() { awk -v u="$(tv "$1" "User time")" -v s="$(tv "$1" "System time")" \
    'BEGIN { printf "%.1f", u + s }'; }
rss_mib() { awk -v k="$(tv "$1" "Maximum resident set size")" 'BEGIN { printf "%.0f", k / 1024 }'; }

db=$dir/store-${ents}x${days}.db
if [ ! -f "$db.done" ]; then
	echo "bench: writing $ents entities x $days days into $db (a minute or more)" >&2
	rm -f "$db" "$db-wal" "$db-shm"
	/usr/bin/time -v -o "$dir/gen.time" "$gen" "$db" "$ents" "$days" \
	    > "$dir/gen.out" 2> "$dir/gen.log" || die "bench_detect_gen failed: $(tail -1 "$dir/gen.log")"
	touch "$db.done"
fi
points=$(awk '{ print $1 }' "$dir/gen.out")
load0=$(cut -d' ' -f1-3 /proc/loadavg)

run=$dir/run.db
rm -f "$run" "$run-wal" "$run-shm"
cp "$db" "$run" || die "cannot copy the store"
LIFELINE_NO_PROGRESS=1 /usr/bin/time -v -o "$dir/full.time" "$ll" detect --db "$run" \
    > "$dir/full.out" 2> "$dir/full.log" || die "detect failed: $(tail -1 "$dir/full.log")"
"$gen" "$run" "$ents" "$days" $((days * 288)) 1 > "$dir/append.out" 2>&1 ||
    die "appending a bin failed: $(tail -1 "$dir/append.out")"
LIFELINE_NO_PROGRESS=1 /usr/bin/time -v -o "$dir/incr.time" "$ll" detect --db "$run" \
    > "$dir/incr.out" 2> "$dir/incr.log" || die "incremental detect failed: $(tail -1 "$dir/incr.log")"
load1=$(cut -d' ' -f1-3 /proc/loadavg)
size=$(stat -c %s "$db")
rm -f "$run" "$run-wal" "$run-shm"

summary() { cat "$1.out" "$1.log" | grep '^detect:' | tail -1 | sed 's/^detect: //'; }
verdict() {
	awk -v w="$(wall_s "$1")" -v r="$(rss_mib "$1")" \
	    'BEGIN { print (w < 60 && r < 1024) ? "met" : "missed" }'
}
{
	echo "# lifeline detect at scale"
	echo
	echo "$ents entities x $days days of 5-minute bins, $points points" \
	    "(store $((size / 1048576)) MiB, written in $(wall_s "$dir/gen.time") s" \
	    "wall, $(cpu_s "$dir/gen.time") s CPU by bench_detect_gen)."
	echo "Load average $load0 before, $load1 after (2 cores)."
	echo
	echo "| run | wall | CPU (user+sys) | max RSS | target (< 60 s, < 1 GiB) |"
	echo "|---|---:|---:|---:|---|"
	echo "| from scratch | $(wall_s "$dir/full.time") s | $(cpu_s "$dir/full.time") s |" \
	    "$(rss_mib "$dir/full.time") MiB | $(verdict "$dir/full.time") |"
	echo "| after one new bin | $(wall_s "$dir/incr.time") s | $(cpu_s "$dir/incr.time") s |" \
	    "$(rss_mib "$dir/incr.time") MiB | - |"
	echo
	echo "from scratch: $(summary "$dir/full")"
	echo "one new bin: $(summary "$dir/incr")"
} > "$out/detect-speed.md"
cat "$out/detect-speed.md"
