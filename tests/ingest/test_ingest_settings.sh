#!/bin/sh
# No silent empty result, and settings kept with the data.
# - The 2002 RIS RIB and updates (ripe-bgpdump): no peer has 400,000
#   prefixes. `bgp visibility` and `ingest bgp` say so with the largest
#   table seen and a --full-feed value that works, exit 1, and ingest
#   records no archive (a re-run with that value ingests both).
# - The store keeps the run's settings: another --full-feed is refused
#   with one line naming both; --force re-ingests and makes them the
#   store's; the bin size stays fixed even so; --forget lets an archive be
#   ingested again.
# - A location database two years or more away from the data is warned of.
# Uses $LIFELINE, $LL_SHARED_DATA.
set -u
LL_SHARED_DATA=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
D="$LL_SHARED_DATA/mrt/ripe-bgpdump"
RIB="$D/bview.20020722.2337.gz"
UPD="$D/updates.20020722.2238.gz"
if [ ! -r "$RIB" ] || [ ! -r "$UPD" ]; then
	echo "SKIP: the 2002 RIS files of $D are absent"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
L() { "$LIFELINE" "$@"; }
check() {	# check NAME WANT_RC GOT_RC
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, want $2"; cat "$T/err"
		fails=$((fails + 1))
	fi
}
has() {		# has NAME FILE TEXT
	if ! grep -qF -- "$3" "$2"; then
		echo "FAIL: $1: no '$3' in:"; cat "$2"; fails=$((fails + 1))
	fi
}
hasnt() {	# hasnt NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then
		echo "FAIL: $1: '$3' in:"; cat "$2"; fails=$((fails + 1))
	fi
}
lines() {	# lines NAME FILE MIN
	n=$(wc -l <"$2")
	if [ "$n" -lt "$3" ]; then
		echo "FAIL: $1: $n lines, want at least $3"; fails=$((fails + 1))
	fi
}

# Default full-feed rule on 2002 data: no peer qualifies.
L bgp visibility "$RIB" "$UPD" >"$T/out" 2>"$T/err"; check vis-noff 1 $?
has vis-noff "$T/err" "no peer has a full feed (at least 400000 IPv4 prefixes)"
has vis-noff "$T/err" "the largest IPv4 table seen has 112991 prefixes"
has vis-noff "$T/err" "try --full-feed=101000"
# ... and the value it suggests works.
L bgp visibility --full-feed=101000 "$RIB" "$UPD" >"$T/out" 2>"$T/err"
check vis-suggested 0 $?
lines vis-suggested "$T/out" 10

L ingest bgp --db "$T/s.db" "$RIB" "$UPD" 2>"$T/err"; check ing-noff 1 $?
has ing-noff "$T/err" "the largest IPv4 table seen has 112991 prefixes"
has ing-noff "$T/err" "nothing ingested"
# Nothing was recorded: a run with a working rule ingests both files.
L ingest bgp --db "$T/s.db" --full-feed=50% "$RIB" "$UPD" 2>"$T/err"
check ing-50 0 $?
has ing-50 "$T/err" "ingested 2 archives (2 given)"
hasnt ing-50 "$T/err" "nothing to ingest"
L signal --db "$T/s.db" --entity country:US >"$T/a.sig" 2>"$T/err"
lines ing-50 "$T/a.sig" 2	# the RIB's bin: the updates before it are a gap

# One file holding the RIB dump and then the (earlier) updates: its points
# are the RIB's bin's, and it is recorded.
{ gzip -dc "$RIB"; gzip -dc "$UPD"; } >"$T/ribupd.mrt"
L ingest bgp --db "$T/one.db" --full-feed=50% "$T/ribupd.mrt" 2>"$T/err"
check one-file 0 $?
has one-file "$T/err" "ingested 1 archive (1 given)"

# Other settings are refused, with both named.
L ingest bgp --db "$T/s.db" --full-feed=60% "$RIB" 2>"$T/err"
check conflict 2 $?
has conflict "$T/err" "made with full-feed=50%; this run asks for full-feed=60%"
L ingest bgp --db "$T/s.db" --full-feed=50% --visibility 75 "$RIB" \
    2>"$T/err"
check conflict-visibility 2 $?
has conflict-visibility "$T/err" "made with visibility=50; this run asks for visibility=75"
L ingest bgp --db "$T/s.db" --full-feed=50% --rir \
    "$LL_SHARED_DATA/registry/rir-delegated/delegated-afrinic-extended-20230323" \
    "$RIB" 2>"$T/err"
rc=$?
if [ -r "$LL_SHARED_DATA/registry/rir-delegated/delegated-afrinic-extended-20230323" ]; then
	check conflict-rir 2 $rc
	has conflict-rir "$T/err" "rir=(none); this run asks for rir="
fi
# The same settings: nothing to do.
L ingest bgp --db "$T/s.db" --full-feed=50% "$RIB" "$UPD" 2>"$T/err"
check same 0 $?
has same "$T/err" "nothing to ingest"
# --force: ingested again with the new settings, which become the store's.
L ingest bgp --db "$T/s.db" --full-feed=60% --force "$RIB" "$UPD" 2>"$T/err"
check force 0 $?
has force "$T/err" "ingested 2 archives (2 given)"
L ingest bgp --db "$T/s.db" --full-feed=60% "$RIB" "$UPD" 2>"$T/err"
check force-kept 0 $?
has force-kept "$T/err" "nothing to ingest"
L ingest bgp --db "$T/s.db" --full-feed=50% "$RIB" 2>"$T/err"
check force-now 2 $?
has force-now "$T/err" "made with full-feed=60%; this run asks for full-feed=50%"
# A forced run leaves exactly what a fresh store with its settings holds:
# with AFRINIC's registry for countries, nothing of country:US stays.
RIR="$LL_SHARED_DATA/registry/rir-delegated/delegated-afrinic-extended-20230323"
if [ -r "$RIR" ]; then
	cp "$T/s.db" "$T/r.db"
	L ingest bgp --db "$T/r.db" --full-feed=60% --rir "$RIR" --force \
	    "$RIB" "$UPD" 2>"$T/err"
	check force-rir 0 $?
	L ingest bgp --db "$T/fresh.db" --full-feed=60% --rir "$RIR" "$RIB" \
	    "$UPD" 2>"$T/err"
	check fresh 0 $?
	L signal --db "$T/r.db" >"$T/r.sig" 2>"$T/err"
	L signal --db "$T/fresh.db" >"$T/fresh.sig" 2>"$T/err"
	lines force-same "$T/fresh.sig" 1000
	if ! cmp -s "$T/r.sig" "$T/fresh.sig"; then
		echo "FAIL: force-same: the forced store differs from a fresh one:"
		diff "$T/r.sig" "$T/fresh.sig" | head -5; fails=$((fails + 1))
	fi
	hasnt force-same "$T/r.sig" "country:US"
fi

# The bin size is fixed per store, even with --force.
L ingest bgp --db "$T/s.db" --full-feed=60% --bin 60 --force "$RIB" \
    2>"$T/err"
check bin 2 $?
has bin "$T/err" "made with bin=300; this run asks for bin=60 (the bin size is fixed per store"

# --forget: the archive is ingested again by the next run.
L ingest bgp --db "$T/s.db" --forget "$UPD" 2>"$T/err"; check forget 0 $?
has forget "$T/err" "forgot updates.20020722.2238.gz"
L ingest bgp --db "$T/s.db" --forget "$UPD" 2>"$T/err"; check forget2 1 $?
has forget2 "$T/err" "not in the store"
L ingest bgp --db "$T/s.db" --full-feed=60% "$RIB" "$UPD" 2>"$T/err"
check forget-again 0 $?
has forget-again "$T/err" "ingested 1 archive (2 given)"

# The system's location database (when there is one) is years after 2002.
if L geo lookup 8.8.8.8 >/dev/null 2>&1; then
	L ingest bgp --db "$T/w.db" --full-feed=50% "$UPD" "$RIB" 2>"$T/err"
	check locdb-far 0 $?
	has locdb-far "$T/err" "years after the data (2002-07-22)"
fi

[ "$fails" -eq 0 ] && echo "ok" && exit 0
exit 1
