#!/bin/bash
# Ingest through NATS JetStream against direct ingest of the same archives.
# `lifeline simulate` writes BENCH_HOURS (default 6) of one collector (a
# RIB dump and an update file every 5 minutes, ~100,000 IPv4 prefixes, 10
# full-feed peers); then, each on a new store:
#   direct  `ingest bgp` of the files
#   bus     a nats-server with JetStream on loopback (file storage in a
#           temporary directory); `ingest --from` running, `agent bgp` of
#           the files, timed from the agent's start until the consumer has
#           acknowledged every message (pipelined: both run at once)
#   apart   the agent alone, then `ingest --from --drain` alone
#   merge   `agent bgp --ship` of the files, then `ingest --from --merge`
#           (one view of several agents' collectors: the archives cross)
# and checks that the bus's stores have the same series as the direct one.
# Usage: bench/bus.sh [path/to/lifeline]        (default build/lifeline)
# Writes BENCH_OUT/bus.md (default bench/out) and prints it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ll=${1:-$(dirname "$here")/build/lifeline}
out=${BENCH_OUT:-$here/out}
hours=${BENCH_HOURS:-6}
batch=${BENCH_BATCH:-64}
die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
command -v nats-server >/dev/null || die "no nats-server (scripts/deps.sh check)"
T=$(mktemp -d); SRV=""; CONS=""
trap '[ -n "$CONS" ] && kill $CONS 2>/dev/null; [ -n "$SRV" ] && kill $SRV; rm -rf "$T"' EXIT
mkdir -p "$out"
now() { date +%s.%N; }
ff="--full-feed=50% --collector sim"

"$ll" simulate --out "$T/mrt" --duration "${hours}h" --peers 10 >"$T/files" \
    2>/dev/null || die "simulate failed"
mapfile -t files <"$T/files"
gz=$(du -cb "${files[@]}" | tail -1 | cut -f1)

t0=$(now)
"$ll" ingest bgp --db "$T/direct.db" $ff "${files[@]}" 2>"$T/direct.log" ||
	die "direct ingest failed: $(tail -1 "$T/direct.log")"
t_direct=$(echo "$(now) - $t0" | bc)

mkdir -p "$T/ports"
nats-server -a 127.0.0.1 -p -1 -js -sd "$T/js" --ports_file_dir "$T/ports" \
    >"$T/server.log" 2>&1 &
SRV=$!
for _ in $(seq 100); do [ -s "$T/ports/nats-server_$SRV.ports" ] && break; sleep 0.1; done
url=$(sed 's/.*"\(nats:[^"]*\)".*/\1/' "$T/ports/nats-server_$SRV.ports")
status() { "$ll" bus status --from "$url" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# pipelined
"$ll" ingest --from "$url" --db "$T/bus.db" --batch "$batch" --health 0 2>"$T/cons.log" &
CONS=$!
sleep 1
t0=$(now)
"$ll" agent bgp --to "$url" --name sim $ff "${files[@]}" 2>"$T/agent.log" ||
	die "agent failed: $(tail -1 "$T/agent.log")"
t_agent=$(echo "$(now) - $t0" | bc)
msgs=$(status points_msgs)
until [ "$(status delivered)" = "$msgs" ] && [ "$(status ack_pending)" = 0 ]; do
	sleep 0.05
done
t_bus=$(echo "$(now) - $t0" | bc)
kill -TERM $CONS; wait $CONS; CONS=""
bytes=$(status points_bytes)
points=$(sed -n 's/.*published msgs=[0-9]* points=\([0-9]*\).*/\1/p' "$T/agent.log")

# apart: the consumer alone over what the stream holds (a new durable)
t0=$(now)
"$ll" ingest --from "$url" --db "$T/bus2.db" --durable apart --drain --batch "$batch" \
    --health 0 2>"$T/cons2.log" || die "consumer failed"
t_cons=$(echo "$(now) - $t0" | bc)

# one view of several agents' collectors: the archives shipped, then
# merged (the consumer replays once the run's end has come)
t0=$(now)
"$ll" agent bgp --to "$url" --name sim --ship "${files[@]}" 2>"$T/ship.log" ||
	die "agent --ship failed: $(tail -1 "$T/ship.log")"
t_ship=$(echo "$(now) - $t0" | bc)
"$ll" ingest --from "$url" --db "$T/merge.db" --durable merge --merge sim \
    --drain --health 0 $ff 2>"$T/merge.log" ||
	die "ingest --merge failed: $(tail -1 "$T/merge.log")"
t_merge=$(echo "$(now) - $t0" | bc)
shipped=$(sed -n 's/.*shipped msgs=\([0-9]*\).*/\1/p' "$T/ship.log")

same=no
cmp -s <("$ll" signal --list --db "$T/direct.db") \
    <("$ll" signal --list --db "$T/bus.db") && same=yes
same_merge=no
cmp -s <("$ll" export --db "$T/direct.db") \
    <("$ll" export --db "$T/merge.db") && same_merge=yes
ratio=$(echo "scale=2; $t_direct / $t_bus" | bc)
ratio_merge=$(echo "scale=2; $t_direct / $t_merge" | bc)
{
echo "| ingest of ${#files[@]} files, $((gz / 1000)) kB gzipped, $points points | seconds |"
echo "|---|---|"
echo "| direct \`ingest bgp\` | $t_direct |"
echo "| consumer batch (messages a transaction) | $batch |"
echo "| through NATS, agent and consumer at once (until all acknowledged) | $t_bus |"
echo "| the agent alone (replay and publish) | $t_agent |"
echo "| the consumer alone (\`--drain\`, includes its 1 s idle fetch) | $t_cons |"
echo "| throughput ratio direct / NATS | $ratio |"
echo "| messages, bytes on the stream | $msgs, $bytes ($(echo "scale=1; $bytes / $points" | bc) bytes a point) |"
echo "| bus store = direct store (series list) | $same |"
echo "| archives shipped (\`agent bgp --ship\`), $shipped messages of $((gz / 1000)) kB | $t_ship |"
echo "| shipped, then merged (\`ingest --from --merge\`), until stored | $t_merge |"
echo "| throughput ratio direct / shipped and merged | $ratio_merge |"
echo "| merged store = direct store (every point) | $same_merge |"
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), nproc $(nproc)"
} | tee "$out/bus.md"
