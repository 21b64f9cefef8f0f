#!/bin/bash
# The BMP collector's speed on a generated full table of one router
# (bench/bmp_table.c): 1,000,000 IPv4 prefixes in Route Monitoring
# messages, one prefix an UPDATE (the worst case: a message each) and 16
# (as routers pack prefixes that share attributes).
#   decode   the decoder alone, in process: messages a second
#   table    decode, route elements and the per-peer table, in process
#   agent    the whole session sent over loopback to `lifeline agent bmp`
#            (--by asn), timed from the connection until the collector
#            reports the session closed after its Termination message
# The target: a full table taken in under 10 s.
# Usage: bench/bmp.sh [path/to/lifeline]   (default build/lifeline; the
#   generator is bench_bmp_table beside it, built by `make bench`)
# Writes BENCH_OUT/bmp.md (default bench/out) and prints it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ll=${1:-$(dirname "$here")/build/lifeline}
out=${BENCH_OUT:-$here/out}
n=${BENCH_PREFIXES:-1000000}
die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
gen=$(dirname "$(readlink -f "$ll")")/../../bench_bmp_table
[ -x "$gen" ] || gen=$(dirname "$ll")/bench_bmp_table
[ -x "$gen" ] || die "no bench_bmp_table beside $ll (make bench builds it)"
T=$(mktemp -d); AG=""
trap '[ -n "$AG" ] && kill $AG 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$out"
now() { date +%s.%N; }

{
echo "| prefixes an UPDATE | messages | session | decode only | decode + table | lifeline agent bmp over loopback |"
echo "|---|---|---|---|---|---|"
} >"$out/bmp.md"
for per in 1 16; do
	"$gen" "$T/s.bmp" "$n" "$per" >"$T/gen.txt" || die "bench_bmp_table failed"
	kv() { tr ' ' '\n' <"$T/gen.txt" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
	"$ll" agent bmp --listen 127.0.0.1:0 --by asn --kind bgp --full-feed 1 \
	    >/dev/null 2>"$T/agent.err" &
	AG=$!
	port=
	for _ in $(seq 100); do
		port=$(grep -o 'port [0-9]*' "$T/agent.err" | awk '{ print $2 }')
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || die "agent bmp did not start: $(cat "$T/agent.err")"
	t0=$(now)
	cat "$T/s.bmp" >/dev/tcp/127.0.0.1/"$port" || die "cannot connect"
	for _ in $(seq 6000); do
		grep -q 'session closed (Termination)' "$T/agent.err" && break
		sleep 0.01
	done
	t1=$(now)
	grep -q 'session closed (Termination)' "$T/agent.err" ||
	    die "the collector did not finish: $(tail -2 "$T/agent.err")"
	kill $AG; wait $AG 2>/dev/null; AG=""
	msgs=$(kv messages)
	agent_s=$(echo "$t1 - $t0" | bc)
	printf '| %s | %s | %s MB | %s s, %s messages/s | %s s, %s prefixes/s | %.2f s, %.0f messages/s |\n' \
	    "$per" "$msgs" "$(awk -v b="$(kv bytes)" 'BEGIN { printf "%.0f", b / 1e6 }')" \
	    "$(kv decode_s)" "$(kv decode_msgs_per_s)" "$(kv table_s)" \
	    "$(kv table_prefixes_per_s)" "$agent_s" \
	    "$(echo "$msgs / $agent_s" | bc -l)" >>"$out/bmp.md"
done
cat "$out/bmp.md"
