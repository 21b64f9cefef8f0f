#!/bin/sh
# Detection on a real series: the Monash IP Observatory's hourly
# connectivity of Venezuela's states, 20-24 July 2019, in which the
# blackout of 22 July 2019 (IODA's curated list: 20:50Z to 24 July 13:00Z,
# a power outage) lies. detect must open one incident for it, a
# nationwide shutdown holding country:VE, in the 20:00Z hour of the 22nd
# (the first states fall an hour before the country: one incident, the
# merge window counted in the series' own hourly bins), restored on the
# 24th, its score counted in hours; nothing before the 22nd.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
f=$D/events/monash-ip-observatory/ven-2019-07-22_gif.csv
[ -f "$f" ] || { echo "SKIP: $f is absent"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$L" import monash --db "$tmp/db" "$f" >/dev/null 2>"$tmp/err" ||
	{ cat "$tmp/err"; exit 1; }
"$L" detect --db "$tmp/db" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
"$L" incidents list --db "$tmp/db" --format json >"$tmp/json" || exit 1
python3 - "$tmp/json" <<'PY'
import json, sys
incs = json.load(open(sys.argv[1]))
assert len(incs) == 1, incs
i = incs[0]
assert "country:VE" in i["scope"], i
assert i["class"] == "nationwide shutdown", i
assert i["start"] == "2019-07-22T20:00:00Z", i["start"]
assert i["end"] is not None and i["end"].startswith("2019-07-24"), i["end"]
# about 40 hours, about 40% down on average (counted in 5-minute bins it
# came to a twelfth of that)
assert i["score"] > 60000, i["score"]
assert all(x["start"] >= "2019-07-22" for x in incs), incs
print("detect-real: ok, %s to %s" % (i["start"], i["end"]))
PY
