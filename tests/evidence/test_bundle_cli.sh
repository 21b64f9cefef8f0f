#!/bin/bash
# The evidence of an incident through the CLI, on a simulated shutdown of
# Egypt over real prefixes (the location database of the shared data's
# environment): detect without a key says no evidence was recorded;
# detect --key records each state change with the points, the detector's
# parameters and the archives' SHA-256; incidents verify --key adds one;
# evidence export ID --out DIR writes a bundle that, copied to a fresh
# directory, verifies with sha256sum -c, python3 verify.py (standard
# library only) and lifeline evidence check; a changed value fails all
# three; incidents show --format md cites the norms table, and --norms
# takes another.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
[ -d "$D" ] || { echo "SKIP: no shared data at $D"; exit 77; }
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

"$L" simulate --out sim --country EG --peers 6 --table 3000 \
	--background NL --start 2011-01-27T22:00Z --duration 2h \
	--outage-from 2011-01-27T22:34Z --outage-to 2011-01-27T23:25Z \
	--seed 1 >files 2>err || { cat err; exit 77; }
# shellcheck disable=SC2046
"$L" ingest bgp --db s.db --collector sim --full-feed 90% $(cat files) \
	>/dev/null 2>err || { cat err; exit 1; }
cp s.db nokey.db
"$L" detect --db nokey.db >out 2>err && ok || bad "detect: $(cat err)"
grep -q 'no evidence recorded for the 3 incident transitions (no --key' err &&
	ok || bad "no note of the missing key: $(cat err)"
"$L" keygen --out k 2>/dev/null || exit 1
"$L" detect --db s.db --key k >out 2>err && ok || bad "detect --key: $(cat err)"
[ "$(grep -c 'lifeline: evidence: record [0-9]*: incident 1 ' err)" -eq 3 ] &&
	ok || bad "three records: $(cat err)"
"$L" incidents verify 1 --note 'seen by IODA too' --by ana --key k --db s.db \
	>/dev/null 2>err && grep -q 'record 4: incident 1 verified' err && ok ||
	bad "verify --key: $(cat err)"
"$L" evidence verify --db s.db --pub k.pub 2>err && grep -q '4 records verified' err &&
	ok || bad "the log: $(cat err)"
# what a record holds: points, detector parameters, archives with SHA-256
"$L" evidence export --db s.db --out log 2>/dev/null || bad "log export"
python3 - log sim <<'PY' && ok || bad "record content"
import hashlib, json, os, sys
lines = open(sys.argv[1]).read().split("\n")
rec = json.loads(lines[0])
b = rec["body"]
assert rec["kind"] == "incident" and rec["software"].startswith("lifeline ")
assert b["incident"]["id"] == 1 and b["transition"]["state"] == "detected"
assert b["detector"]["bin"] == 300 and b["detector"]["kinds"][0]["window"] == 86400
eg = [s for s in b["series"] if s["entity"] == "country:EG" and s["signal"] == "bgp"]
assert eg and len(eg[0]["points"]) >= 6 and eg[0]["baseline"]["value"] > 0
assert any(a["entity"] == "country:EG" for a in b["alerts"])
names = {a["name"]: a["sha256"] for a in b["archives"]}
assert len(names) >= 6, names
for f in os.listdir(sys.argv[2]):
    if f in names:
        assert names[f] == hashlib.sha256(open(os.path.join(sys.argv[2], f), "rb").read()).hexdigest()
v = json.loads(lines[6])
# the impact as it stood when each record was written, every figure with
# its formula and inputs
names = [f["name"] for f in b["impact"]["figures"]]
assert names[:2] == ["space.v4", "space.v6"] and "cost" in names and "users" in names, names
v4 = b["impact"]["figures"][0]
assert b["impact"]["incident"] == 1 and v4["unit"] == "/24s" and v4["value"] > 0
assert v4["inputs"]["entities"][0]["entity"] == "country:EG" and v4["formula"]
cost = [f for f in b["impact"]["figures"] if f["name"] == "cost"][0]
assert cost["value"] is None and cost["inputs"]["countries"][0]["reason"] and "GDP" in cost["formula"], cost
assert all(json.loads(lines[2 * i])["body"]["impact"]["figures"] for i in range(4))
v = json.loads(lines[6])
assert v["body"]["transition"] == {"state": "verified", "time": v["body"]["transition"]["time"], "who": "analyst:ana", "note": "seen by IODA too"}
PY
"$L" evidence export 1 --out bundle --db s.db 2>err && ok || bad "export: $(cat err)"
"$L" evidence export 1 --out bundle --db s.db 2>err; [ $? -eq 3 ] &&
	grep -q 'exists already' err && ok || bad "export over a bundle: $(cat err)"
"$L" evidence export 7 --out b7 --db s.db 2>err; [ $? -eq 1 ] &&
	grep -q 'no record of incident 7' err && ok || bad "export of no incident: $(cat err)"
# another machine's copy
mkdir elsewhere && cp -R bundle elsewhere/copy
(cd elsewhere/copy && sha256sum -c --quiet MANIFEST.sha256) && ok || bad "sha256sum -c"
python3 elsewhere/copy/verify.py elsewhere/copy >out && grep -q '^OK: ' out && ok ||
	bad "verify.py: $(cat out)"
"$L" evidence check elsewhere/copy --pub k.pub >out 2>err && grep -q 'verified: incident 1, 4 of its records' out &&
	ok || bad "check: $(cat out err)"
[ -n "$(ls elsewhere/copy/charts/*country-EG.svg)" ] && grep -q '<polyline' elsewhere/copy/charts/*-bgp-country-EG.svg &&
	ok || bad "no chart of country:EG"
# the impact: impact.json is the last record's, incident.json points to it;
# a changed figure is refused, with or without its manifest line changed
python3 - bundle log <<'PY' && ok || bad "impact.json is not the last record's impact"
import json, sys
d = sys.argv[1]
last = json.loads(open(sys.argv[2]).read().split("\n")[6])
assert json.load(open(d + "/impact.json")) == last["body"]["impact"]
assert json.load(open(d + "/incident.json"))["impact"] == {"file": "impact.json", "record": 4}
PY
grep -q 'impact.json' bundle/MANIFEST.sha256 && grep -q 'impact.json' bundle/README.txt &&
	ok || bad "impact.json not in the manifest or the README"
cp -R bundle imp
sed -i '0,/"value": [0-9][0-9]*/s//"value": 1/' imp/impact.json
"$L" evidence check imp 2>err; [ $? -eq 1 ] && grep -q '^lifeline: .*impact.json: its SHA-256' err &&
	ok || bad "check took a changed impact.json: $(cat err)"
python3 imp/verify.py imp >out; [ $? -eq 1 ] && grep -q 'impact.json' out &&
	ok || bad "verify.py took a changed impact.json: $(cat out)"
(cd imp && sed -i "s/^[0-9a-f]*  impact.json\$/$(sha256sum impact.json | cut -d' ' -f1)  impact.json/" MANIFEST.sha256 &&
	sha256sum -c --quiet MANIFEST.sha256) || bad "manifest line not rewritten"
"$L" evidence check imp 2>err; [ $? -eq 1 ] && grep -q 'impact.json: not what the signed records give' err &&
	ok || bad "check took impact.json changed with its manifest line: $(cat err)"
# a value changed in a CSV: all three refuse, naming the file
csv=$(ls elsewhere/copy/series/*-bgp-country-EG.csv)
sed -i '3s/,[0-9]*$/,1/' "$csv"
(cd elsewhere/copy && sha256sum -c --quiet MANIFEST.sha256 >/dev/null 2>&1) && bad "sha256sum took a changed CSV" || ok
python3 elsewhere/copy/verify.py elsewhere/copy >out; [ $? -eq 1 ] && grep -q 'FAILED: series/.*country-EG.csv' out &&
	ok || bad "verify.py took a changed CSV: $(cat out)"
"$L" evidence check elsewhere/copy 2>err; [ $? -eq 1 ] && grep -q 'series/.*country-EG.csv: its SHA-256' err &&
	ok || bad "check took a changed CSV: $(cat err)"
# the incident report and its norms
"$L" incidents show 1 --format md --db s.db >md 2>err && ok || bad "md: $(cat err)"
grep -q '^# Incident 1: nationwide shutdown' md && grep -q 'International Covenant on Civil and Political Rights.*article 19' md &&
	grep -q 'A/HRC/RES/32/13' md && grep -q 'Freedom Online Coalition' md &&
	grep -q '^## If it happened during an armed conflict' md && grep -q '4 signed records' md &&
	ok || bad "md content: $(cat md)"
# the impact in the report: each figure with its method, formula and inputs
sed -n '/^## Impact/,/^## Evidence/p' md >imp.md
grep -q '^### space.v4: 93482 /24s' imp.md && grep -q '^### cost: no data' imp.md &&
	grep -q '^- formula: sum over countries of GDP / 365 x digital_share x affected_share x days' imp.md &&
	grep -q '"cc":"EG","reason":"not in the country table (import countries)"' imp.md &&
	grep -q '"entity":"country:EG","signal":"bgp","baseline":93482' imp.md &&
	[ "$(grep -c '^- inputs:' imp.md)" -eq 6 ] && ok || bad "md impact: $(cat imp.md)"
"$L" incidents show 1 --format json --db s.db >show.json 2>err && python3 - show.json <<'PY' && ok || bad "show --format json: no impact: $(cat err)"
import json, sys
i = json.load(open(sys.argv[1]))[0]
f = {x["name"]: x for x in i["impact"]["figures"]}
assert i["id"] == 1 and i["impact"]["incident"] == 1 and len(f) == 6
assert f["space.v4"]["value"] == 93482 and f["cost"]["value"] is None
assert f["duration"]["inputs"]["start"] == i["start"]
PY
"$L" incidents list --format json --db s.db | grep -q '"impact"' && bad "list holds impacts" || ok
printf '# mine\nalways\tNational law\tConstitution, article 1\t\tAccess to information\n' > n.tsv
"$L" incidents show 1 --format md --norms n.tsv --db s.db >md 2>err &&
	grep -q '\*\*National law\*\*: Constitution, article 1. Access' md && ! grep -q 'ICCPR\|Covenant' md &&
	ok || bad "--norms: $(cat md err)"
printf 'always\tonly\tthree\n' > bad.tsv
"$L" incidents show 1 --format md --norms bad.tsv --db s.db >/dev/null 2>err; [ $? -eq 1 ] &&
	grep -q 'bad.tsv:1: expected 5 tab-separated fields' err && ok || bad "bad norms: $(cat err)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
