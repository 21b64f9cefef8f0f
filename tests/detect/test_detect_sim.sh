#!/bin/sh
# The whole chain on a simulated shutdown: `lifeline simulate` withdraws
# Egypt's prefixes at 22:34Z and brings them back at 23:25Z; `ingest bgp`
# stores the visibility; `detect` must find one nationwide shutdown of
# country:EG that starts in the 22:30 bin and is restored in the 23:25
# bin; `incidents list --format json` says so; a second detect run adds
# nothing; verify and close are recorded. With LL_TEST_BACKEND=postgresql
# the store is a database of the test cluster.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
[ -d "$D" ] || { echo "SKIP: no shared data at $D"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../store_db.sh
. "${LL_SOURCE_ROOT:?}/tests/store_db.sh"
store_db detect_sim "$tmp/db"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$L" simulate --out "$tmp/sim" --country EG --peers 6 --table 3000 \
	--background NL,DE --start 2011-01-27T22:00Z --duration 2h \
	--outage-from 2011-01-27T22:34Z --outage-to 2011-01-27T23:25Z \
	--seed 1 >"$tmp/files" 2>"$tmp/err" || { cat "$tmp/err"; exit 77; }
# shellcheck disable=SC2046
"$L" ingest bgp --db "$DB" --collector sim --full-feed 90% \
	$(cat "$tmp/files") >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; fail "ingest"; }
"$L" detect --db "$DB" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "detect"; }
grep -q '^incident 1 detected at 2011-01-27T22:30:00Z: nationwide shutdown' "$tmp/out" ||
	fail "no detection at 22:30: $(cat "$tmp/out")"
grep -q '^incident 1 restored at 2011-01-27T23:25:00Z' "$tmp/out" ||
	fail "no restoration at 23:25: $(cat "$tmp/out")"
"$L" incidents list --db "$DB" --format json >"$tmp/json" || fail "list"
python3 - "$tmp/json" <<'PY' || fails=$((fails + 1))
import json, sys
incs = json.load(open(sys.argv[1]))
assert len(incs) == 1, incs
i = incs[0]
assert i["id"] == 1 and i["class"] == "nationwide shutdown", i
assert "country:EG" in i["scope"], i["scope"]
assert i["start"] == "2011-01-27T22:30:00Z", i["start"]
assert i["end"] == "2011-01-27T23:25:00Z", i["end"]
assert i["severity"] == "critical" and 0 < i["confidence"] <= 1, i
assert "bgp:ioda" in i["signals"], i["signals"]
PY
"$L" detect --db "$DB" >"$tmp/out2" || fail "detect again"
grep -q ' 0 bins judged' "$tmp/out2" || fail "second run judged again: $(cat "$tmp/out2")"
"$L" incidents verify 1 --note "matches the operator's report" --by ana \
	--db "$DB" >/dev/null || fail "verify"
"$L" incidents close 1 --by ana --db "$DB" >/dev/null || fail "close"
"$L" incidents show 1 --db "$DB" >"$tmp/show" || fail "show"
grep -q "verified *analyst:ana: matches the operator's report" "$tmp/show" ||
	fail "no verification in: $(cat "$tmp/show")"
grep -q 'closed *analyst:ana' "$tmp/show" || fail "no closing in: $(cat "$tmp/show")"
"$L" incidents close 1 --db "$DB" 2>/dev/null; rc=$?
[ "$rc" = 1 ] || fail "closing twice: exit $rc, want 1"
"$L" incidents show 7 --db "$DB" >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] || fail "show of no incident: exit $rc, want 1"
[ "$fails" = 0 ] || exit 1
echo "detect-sim: ok"
