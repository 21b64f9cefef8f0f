#!/bin/bash
# Lifeline at the scale of a modern collector: `lifeline simulate --full`
# writes a day of one collector (every routed network of the location
# database, 968,428 IPv4 and 177,846 IPv6 prefixes in the 2022 database;
# 60 full-feed peers in 40 ASes; a RIB dump and 288 update files at RIS's
# rate, about 10 million update elements), then `lifeline ingest bgp`
# reads it into a new store. Reports the wall time, the peak RSS (GNU
# time's %M) and the store's size, best of BENCH_REPS runs (default 1: one
# run takes minutes).
#
# The archives are written once into BENCH_OUT/scale (about 0.7 GB) and
# kept for later runs; delete the directory to write them again.
#
# Usage: bench/scale.sh [path/to/lifeline]     (default build/lifeline)
# Writes BENCH_OUT/scale.md (default bench/out) and prints it.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ll=${1:-$repo/build/lifeline}
reps=${BENCH_REPS:-1}
out=${BENCH_OUT:-$here/out}
dir=$out/scale

die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"
mkdir -p "$dir" || die "cannot create $dir"

if [ ! -s "$dir/files.txt" ] || [ ! -f "$dir/done" ]; then
	echo "bench: writing a modern collector's day into $dir (minutes)" >&2
	rm -rf "$dir/mrt"
	/usr/bin/time -f "%e %M" -o "$dir/simulate.time" \
	    "$ll" simulate --full --out "$dir/mrt" > "$dir/files.txt" \
	    2> "$dir/simulate.log" || die "simulate failed: $(tail -1 "$dir/simulate.log")"
	touch "$dir/done"
fi
mapfile -t files < "$dir/files.txt"
mrt_gz=$(du -cb "${files[@]}" | tail -1 | cut -f1)
summary=$(grep '^simulate:' "$dir/simulate.log" | tail -1)

best_wall="" peak=0 size=0 points=""
for ((r = 0; r < reps; r++)); do
	rm -f "$dir/scale.db" "$dir/scale.db-wal" "$dir/scale.db-shm"
	LIFELINE_NO_PROGRESS=1 /usr/bin/time -f "%e %M" -o "$dir/ingest.time" \
	    "$ll" ingest bgp --db "$dir/scale.db" --collector sim "${files[@]}" \
	    > "$dir/ingest.out" 2> "$dir/ingest.log" ||
	    die "ingest failed: $(grep -v '^[0-9. ]*$' "$dir/ingest.log" | tail -1)"
	read -r wall rss < "$dir/ingest.time"
	if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
		best_wall=$wall
	fi
	[ "$rss" -gt "$peak" ] && peak=$rss
	size=$(stat -c %s "$dir/scale.db")
	points=$(grep -o '[0-9]* points' "$dir/ingest.log" "$dir/ingest.out" | head -1 | cut -d: -f2)
done

# The floor: only decompressing the same files (what any tool pays first).
/usr/bin/time -f "%e %M" -o "$dir/gzip.time" sh -c \
    'cat "$1" | xargs gzip -dc | wc -c' sh "$dir/files.txt" > "$dir/mrt.bytes"
read -r gz_wall _ < "$dir/gzip.time"
mrt_bytes=$(cat "$dir/mrt.bytes")

{
	echo "# Ingest at a modern collector's scale"
	echo
	echo "- host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $("$ll" --version 2>/dev/null | head -1)"
	echo "- archives: ${#files[@]} files, $(awk -v b="$mrt_gz" 'BEGIN { printf "%.0f MB", b / 1e6 }') gzipped, $(awk -v b="$mrt_bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }') of MRT"
	echo "- ${summary#simulate: }"
	echo "- simulate: $(awk '{ printf "%.0f s, %.0f MiB peak", $1, $2 / 1024 }' "$dir/simulate.time")"
	echo
	echo "| ingest bgp | value |"
	echo "|---|---|"
	echo "| wall time (best of $reps) | ${best_wall} s ($(awk -v b="$mrt_bytes" -v t="$best_wall" 'BEGIN { printf "%.0f MB/s of MRT", b / 1e6 / t }')) |"
	echo "| gzip -dc of the same files alone | ${gz_wall} s |"
	echo "| peak RSS | $(awk -v k="$peak" 'BEGIN { printf "%.0f MiB", k / 1024 }') |"
	echo "| store size | $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') |"
	echo "| points | ${points:-?} |"
} > "$out/scale.md"
cat "$out/scale.md"
