#!/bin/sh
# The bus end to end: two agents publish through a real nats-server with
# JetStream (loopback, a random free port, a temporary store directory),
# `ingest --from` writes to a store, which must hold exactly what a direct
# `ingest bgp` of the same archives writes: nothing lost, nothing doubled,
# when
# - the agents publish while no consumer runs;
# - the consumer dies after a commit, before its acknowledgement (the
#   worst moment: the message comes again and must be skipped), and is
#   restarted;
# - the server restarts under a running consumer, which then gets new
#   messages, and SIGTERM ends it cleanly;
# - a message is malformed or of an unknown schema: parked, with its
#   reason, never stored; --log-format json gives one JSON object a line.
# Skipped (77) when nats-server cannot start or the data is absent.
# Uses $LIFELINE, $LL_SHARED_DATA.
set -u
LL_SHARED_DATA=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
A="$LL_SHARED_DATA/mrt/bgpkit/rrc00.bview.20000111.0032.gz"
D="$LL_SHARED_DATA/mrt/ripe-bgpdump"
B1="$D/bview.20020722.2337.gz"
B2="$D/updates.20020722.2238.gz"
for f in "$A" "$B1" "$B2"; do
	[ -r "$f" ] || { echo "SKIP: $f is absent"; exit 77; }
done
command -v nats-server >/dev/null 2>&1 ||
	{ echo "SKIP: no nats-server (scripts/deps.sh check)"; exit 77; }
T=$(mktemp -d)
SRV=""
CONS=""
cleanup() {
	[ -n "$CONS" ] && kill "$CONS" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# shellcheck source=bus_lib.sh
. "${LL_SOURCE_ROOT:?}/tests/bus/bus_lib.sh"
FF="--full-feed=50%"

if ! start_server; then
	echo "SKIP: nats-server did not start:"; cat "$T/server.log"
	SRV=""; exit 77
fi
# status FIELD: a field of `bus status`
status() { L bus status --from "$URL" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# dump DB [SUFFIX]: the series (count, first, last) of the visibility
# and health kinds, and every point of bgp
dump() {
	for k in bgp bgp6 bgp.peers bgp.ff_asns; do
		L signal --list --signal "$k${2:-}" --db "$1"
	done | sed "s/@v2//"
	L signal --signal "bgp${2:-}" --db "$1"
}

# The reference: direct ingest of the same archives.
L ingest bgp --db "$T/ref.db" $FF "$A" 2>"$T/err"; check ref-a 1 $? "$T/err"
L ingest bgp --db "$T/ref.db" $FF "$B1" "$B2" 2>"$T/err"
check ref-b 0 $? "$T/err"
dump "$T/ref.db" >"$T/ref.txt"

# Two agents publish while no consumer runs.
L agent bgp --to "$URL" --name rrc00 $FF "$A" 2>"$T/a.log"
check agent-a 1 $? "$T/a.log"
has agent-a "$T/a.log" "published msgs=1 points=6672"
L agent bgp --to "$URL" --name ripe $FF "$B1" "$B2" 2>"$T/b.log"
check agent-b 0 $? "$T/b.log"
has agent-b "$T/b.log" "published msgs=2 points=13634"
[ "$(status points_msgs)" = 3 ] || fail "3 messages held: $(status points_msgs)"
[ "$(status consumer)" = no ] || fail "a consumer before any ran"

# The consumer dies after its second commit, before acknowledging it.
L ingest --from "$URL" --db "$T/bus.db" --batch 1 --ack-wait 1s --drain \
    --fail-after-commits 2 2>"$T/c1.log"
check crash 3 $? "$T/c1.log"
[ "$(grep -c ' stored ' "$T/c1.log")" = 1 ] ||
	{ fail "crash: one message acknowledged"; cat "$T/c1.log"; }
L ingest --from "$URL" --db "$T/bus.db" --batch 1 --drain 2>"$T/c2.log"
check restart 0 $? "$T/c2.log"
has restart "$T/c2.log" "duplicate id="
has restart "$T/c2.log" "reason=\"drained\""
[ "$(grep -c ' stored ' "$T/c2.log")" = 1 ] ||
	{ fail "restart: one message left to store"; cat "$T/c2.log"; }
dump "$T/bus.db" >"$T/bus.txt"
cmp -s "$T/ref.txt" "$T/bus.txt" ||
	{ fail "the store differs from direct ingest"; diff "$T/ref.txt" \
	    "$T/bus.txt" | head; }
[ "$(status ack_pending)" = 0 ] && [ "$(status pending)" = 0 ] ||
	fail "left pending: $(L bus status --from "$URL")"

# The server restarts under a running consumer; new messages then arrive.
"$LIFELINE" ingest --from "$URL" --db "$T/bus.db" --health 1s \
    --log-format json 2>"$T/c3.log" &
CONS=$!
# stop the server only once the consumer is connected (its first health
# line): stopped before, the consumer rightly says no server is there
i=0
until grep -q '"event":"health"' "$T/c3.log"; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
stop_server
start_server "$PORT" || { fail "the server did not restart"; exit 1; }
L agent bgp --to "$URL" --name ripe2 --view v2 $FF "$B1" "$B2" \
    2>"$T/b2.log"
check agent-view 0 $? "$T/b2.log"
i=0
until [ "$(status delivered)" = 5 ] && [ "$(status ack_pending)" = 0 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.1
done
i=0
until grep -q '"event":"health"' "$T/c3.log"; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
kill -TERM "$CONS"; wait "$CONS"; rc=$?; CONS=""
check sigterm 0 $rc "$T/c3.log"
has health "$T/c3.log" '"event":"health"'
has sigterm "$T/c3.log" '"event":"stop"'
has sigterm "$T/c3.log" '"reason":"signal"'
[ "$(grep -c '"event":"stored"' "$T/c3.log")" = 2 ] ||
	{ fail "after the restart: two messages stored"; cat "$T/c3.log"; }
# every point of the second agent's view, as direct ingest has them
for k in bgp bgp6 bgp.peers; do
	L signal --signal "$k@v2" --db "$T/bus.db"
	L signal --signal "$k" --from 2002-07-22 --db "$T/ref.db" >&3
done >"$T/v2.txt" 3>"$T/ref-b.txt"
[ "$(wc -l <"$T/v2.txt")" -gt 10000 ] || fail "the view is short"
cmp -s "$T/ref-b.txt" "$T/v2.txt" ||
	{ fail "the view after the restart differs"; diff "$T/ref-b.txt" \
	    "$T/v2.txt" | head; }

# Malformed and unknown schema: parked, never stored.
printf 'not a message\n' >"$T/bad1"
printf 'lifeline-bus 2\nid x.0\nagent z\nsettings s\nend 0\n' >"$T/bad2"
sed 's/^end 1$/end 2/' >"$T/bad3" <<'M'
lifeline-bus 1
id cut.0
agent z
settings bin=300
kind bgp
946686600 5 country:EG
end 1
M
for f in bad1 bad2 bad3; do
	L bus publish --to "$URL" lifeline.points.v1.z "$T/$f" ||
		fail "publish $f"
done
L ingest --from "$URL" --db "$T/bus.db" --drain --log-format json \
    2>"$T/c4.log"
check parked 0 $? "$T/c4.log"
[ "$(grep -c '"event":"parked"' "$T/c4.log")" = 3 ] ||
	{ fail "three messages parked"; cat "$T/c4.log"; }
has parked "$T/c4.log" "schema 2; this build reads schema 1"
has parked "$T/c4.log" "'end 2' but 1 points"
[ "$(status parked_msgs)" = 3 ] || fail "parked stream: $(status parked_msgs)"
python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$T/c4.log" ||
	fail "a log line is not JSON"
L signal --signal bgp --entity country:EG --db "$T/bus.db" >"$T/eg.csv"
grep -q '^2000-01-01' "$T/eg.csv" && fail "a parked point was stored"

# Credentials come from a file; a missing one is one clear line.
L ingest --from "$URL" --creds "$T/none.creds" --db "$T/bus.db" --drain \
    2>"$T/err"
check creds 3 $? "$T/err"
has creds "$T/err" "none.creds"

[ $fails -eq 0 ] || exit 1
echo "ok: bus (lost 0, doubled 0, parked 3)"
