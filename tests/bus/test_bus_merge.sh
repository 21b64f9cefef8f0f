#!/bin/sh
# One view across two agents' collectors: each agent ships its archives
# (agent bgp --ship: rrc15's two update files, rrc03's one, of the same
# ten minutes), `ingest --from --merge rrc15,rrc03` replays them
# together, into SQLite and into PostgreSQL (two durable consumers); every
# series must equal a direct `ingest bgp` of the three archives, which
# two agents' points cannot give (checked too). Also: a consumer killed
# (-9) while it holds one agent's run leaves nothing in the store and
# gets the pieces again; one that dies after its commit, before its
# acknowledgement, gets them again and stores nothing twice; a malformed
# archive message is parked; as a service it says how it is (health) and
# ends on SIGTERM. Skipped (77) without nats-server, the data,
# or the PostgreSQL test cluster.
set -u
LL_SHARED_DATA=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
M="$LL_SHARED_DATA/mrt/bgpkit"
A1="$M/rrc15.updates.20100227.1600.gz"
A2="$M/rrc15.updates.20100227.1610.gz"
B1="$M/rrc03.updates.20100227.1600.first-796-records.gz"
for f in "$A1" "$A2" "$B1"; do
	[ -r "$f" ] || { echo "SKIP: $f is absent"; exit 77; }
done
command -v nats-server >/dev/null 2>&1 ||
	{ echo "SKIP: no nats-server (scripts/deps.sh check)"; exit 77; }
T=$(mktemp -d)
SRV=""
CONS=""
cleanup() {
	[ -n "$CONS" ] && kill -9 "$CONS" 2>/dev/null
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# shellcheck source=../store_db.sh
. "${LL_SOURCE_ROOT:?}/tests/store_db.sh"
LL_TEST_BACKEND=postgresql store_db bus_merge "$T/unused"
PG=$DB
# shellcheck source=bus_lib.sh
. "${LL_SOURCE_ROOT:?}/tests/bus/bus_lib.sh"
OPTS="--full-feed 50% --warmup 5m"

if ! start_server; then
	echo "SKIP: nats-server did not start:"; cat "$T/server.log"
	SRV=""; exit 77
fi
# dump DB: every series' extent and every point of every kind
dump() {
	L signal --list --db "$1"
	L export --db "$1"
}

# The reference: one direct ingest of both collectors' archives.
L ingest bgp --db "$T/ref.db" $OPTS "$A1" "$A2" "$B1" 2>"$T/err"
check ref 0 $? "$T/err"
dump "$T/ref.db" >"$T/ref.txt"
[ "$(wc -l <"$T/ref.txt")" -gt 9000 ] || fail "the reference is short"

# One agent ships; a consumer holds its run, waiting for the other's, and
# is killed: nothing stored.
L agent bgp --to "$URL" --name rrc15 --ship "$A1" "$A2" 2>"$T/a.log"
check ship-a 0 $? "$T/a.log"
has ship-a "$T/a.log" "shipped msgs=3"
"$LIFELINE" ingest --from "$URL" --durable sq --ack-wait 2s --merge \
    rrc15,rrc03 --db "$T/sq.db" $OPTS 2>"$T/c1.log" &
CONS=$!
i=0
until L bus status --from "$URL" --durable sq 2>/dev/null |
    grep -q ' consumer=yes'; do
	i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
done
kill -9 "$CONS"; wait "$CONS" 2>/dev/null; CONS=""
L signal --list --db "$T/sq.db" >"$T/none" 2>/dev/null
[ "$(wc -l <"$T/none")" -le 1 ] || fail "a killed consumer stored points"

# The other agent ships; the SQLite consumer gets rrc15's pieces again
# (after the ack wait) and merges; the PostgreSQL one gets everything.
L agent bgp --to "$URL" --name rrc03 --ship "$B1" 2>"$T/b.log"
check ship-b 0 $? "$T/b.log"
L ingest --from "$URL" --durable sq --merge rrc15,rrc03 --drain \
    --db "$T/sq.db" $OPTS 2>"$T/c2.log"
check merge-sqlite 0 $? "$T/c2.log"
has merge-sqlite "$T/c2.log" "stored msgs=5 points="
# The PostgreSQL consumer dies after its commit, before acknowledging:
# the pieces come again, the store knows the archives, nothing is doubled.
L ingest --from "$URL" --durable pg --ack-wait 1s --merge rrc15,rrc03 \
    --drain --db "$PG" $OPTS --fail-after-commits 1 2>"$T/c3a.log"
check merge-pg-crash 3 $? "$T/c3a.log"
L ingest --from "$URL" --durable pg --merge rrc15,rrc03 --drain \
    --db "$PG" $OPTS --log-format json 2>"$T/c3.log"
check merge-pg 0 $? "$T/c3.log"
has merge-pg "$T/c3.log" '"event":"stored"'
has merge-pg "$T/c3.log" 'archives known: nothing new'
dump "$T/sq.db" >"$T/sq.txt"
dump "$PG" >"$T/pg.txt"
for x in sq pg; do
	cmp -s "$T/ref.txt" "$T/$x.txt" || { fail "$x differs from direct" \
	    "ingest"; diff "$T/ref.txt" "$T/$x.txt" | head; }
done
L signal --signal bgp --db "$T/ref.db" >"$T/ref-bgp.csv" 2>/dev/null
L signal --signal bgp --db "$PG" >"$T/pg-bgp.csv" 2>/dev/null
[ "$(wc -l <"$T/ref-bgp.csv")" -gt 1000 ] &&
    cmp -s "$T/ref-bgp.csv" "$T/pg-bgp.csv" ||
	fail "lifeline signal: PostgreSQL's bgp series is not direct ingest's"

# What two agents' points give instead: not the same view.
L agent bgp --to "$URL" --name rrc15 $OPTS "$A1" "$A2" 2>/dev/null
L agent bgp --to "$URL" --name rrc03 $OPTS "$B1" 2>/dev/null
L ingest --from "$URL" --drain --db "$T/points.db" 2>/dev/null
dump "$T/points.db" >"$T/points.txt"
cmp -s "$T/ref.txt" "$T/points.txt" &&
	fail "two agents' points gave the merged view: this test proves nothing"

# A malformed archive message is parked, not stored.
printf 'lifeline-archive 1\nagent rrc15\nrun x\nfile %064d 10 /x\nchunk 0 20\n\n0123456789' 0 \
    >"$T/bad"
L bus publish --to "$URL" lifeline.archives.v1.rrc15 "$T/bad" || fail publish
L ingest --from "$URL" --durable pg --merge rrc15,rrc03 --drain \
    --db "$PG" $OPTS 2>"$T/c5.log"
check parked 0 $? "$T/c5.log"
has parked "$T/c5.log" "parked"
has parked "$T/c5.log" "not within the archive"

# As a service: a health line now and then, SIGTERM ends it cleanly.
"$LIFELINE" ingest --from "$URL" --durable pg --merge rrc15,rrc03 \
    --db "$PG" $OPTS --health 1s --log-format json 2>"$T/c6.log" &
CONS=$!
i=0
until grep -q '"event":"health"' "$T/c6.log"; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
kill -TERM "$CONS"; wait "$CONS"; rc=$?; CONS=""
check sigterm 0 $rc "$T/c6.log"
has health "$T/c6.log" '"event":"health"'
has sigterm "$T/c6.log" '"reason":"signal"'

[ $fails -eq 0 ] || exit 1
echo "ok: merge (two agents, one view, SQLite and PostgreSQL as direct ingest)"
