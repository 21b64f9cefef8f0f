#!/bin/sh
# One event, one incident, of the right level, on the full scenarios where
# the short ones cannot show it: the two-day throttling (hourly speed
# tests that touch the baseline for a few points now and then) must come
# out as one nationwide throttling incident (restored ones reopened, the
# ASes in it), and one AS's BGP withdrawal that empties most of its
# country's IPv6 space (AS24863, Egypt 2011) as network-specific, while
# the whole country's withdrawal stays nationwide. bench/truth_match.py
# --check judges each against its truth line (a second incident opening
# while an event lasts fails it).
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
bench=$(cd "$(dirname "$0")/../../bench" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$L" simulate --scenario throttling --out "$tmp/sim" >/dev/null 2>&1 ||
	{ echo "FAIL: simulate throttling"; exit 1; }
"$L" import series --db "$tmp/throttling.db" "$tmp/sim/throttling.csv" \
	>/dev/null 2>&1 || { echo "FAIL: import"; exit 1; }
"$L" detect --db "$tmp/throttling.db" >/dev/null 2>&1 || { echo "FAIL: detect"; exit 1; }
"$L" incidents list --db "$tmp/throttling.db" --format json \
	>"$tmp/throttling.json" || exit 1
# the BGP scenarios need the location database of the shared data
if LL_SHARED_DATA=$D "$L" simulate --out "$tmp/as" --asn 24863 --country EG \
    >"$tmp/as.files" 2>/dev/null &&
    LL_SHARED_DATA=$D "$L" simulate --out "$tmp/eg" --country EG \
    >"$tmp/eg.files" 2>/dev/null; then
	for s in as eg; do
		n=$(python3 -c 'import json,sys
print(json.loads(open(sys.argv[1]).readline())["scenario"])' "$tmp/$s/truth.jsonl")
		cat "$tmp/$s/truth.jsonl" >>"$tmp/sim/truth.jsonl"
		# shellcheck disable=SC2046
		LL_SHARED_DATA=$D "$L" ingest bgp --db "$tmp/$n.db" --collector sim \
			--full-feed 90% $(cat "$tmp/$s.files") >/dev/null 2>&1 &&
		    "$L" detect --db "$tmp/$n.db" >/dev/null 2>&1 &&
		    "$L" incidents list --db "$tmp/$n.db" --format json \
		    >"$tmp/$n.json" || { echo "FAIL: BGP scenario $n"; exit 1; }
	done
else
	echo "note: no location database under $D; the BGP scenarios are left out"
fi
python3 "$bench/truth_match.py" "$tmp/sim/truth.jsonl" "$tmp" --check
