#!/bin/bash
# `lifeline rpki diff` between the two real VRP snapshots of the shared
# data (rpki-client's of 2021-07-27, a sample of four registries, and the
# RIPE archive's AFRINIC one of 2021-12-31), both ways, against an
# independent computation from the files themselves; the watchlist filter
# against the same computation; crafted snapshots with every kind of
# change (tests/data/rpki); bad input.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
T=${LL_TEST_DATA:?}/rpki
json=$D/rpki/rpki-client-subset-20210727.json
csv=$D/rpki/ripe-archive-afrinic-roas-20211231.csv
if [ ! -f "$csv" ] || [ ! -f "$json" ]; then
	echo "SKIP: the VRP files in $D/rpki are absent"; exit 77
fi
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# the oracle: ROAs as (prefix, AS) -> longest max length, read with
# Python's json, csv and ipaddress; a watchlist of prefixes and ASes
cat > "$tmp/oracle.py" <<'PY'
import csv, ipaddress, json, sys
def load(path):
    roas = {}
    if path.endswith(".json"):
        rows = [(str(r["asn"]), r["prefix"], r["maxLength"]) for r in json.load(open(path))["roas"]]
    else:
        rows = [(r["ASN"], r["IP Prefix"], r["Max Length"]) for r in csv.DictReader(open(path))]
    for a, p, m in rows:
        k = (ipaddress.ip_network(p), int(a.upper().removeprefix("AS")))
        roas[k] = max(roas.get(k, -1), int(m))
    return roas
old, new = load(sys.argv[1]), load(sys.argv[2])
nets = [ipaddress.ip_network(x) for x in sys.argv[3].split(",") if x] if len(sys.argv) > 3 else None
ases = {int(x) for x in sys.argv[4].split(",") if x} if len(sys.argv) > 4 else set()
for k in sorted(set(old) | set(new), key=lambda k: (k[0].version, int(k[0].network_address), k[0].prefixlen, k[1])):
    p, a = k
    if nets is not None and a not in ases and not any(p.version == n.version and p.overlaps(n) for n in nets):
        continue
    if k not in new:
        print("roa-gone,%s,%d,%d," % (p, a, old[k]))
    elif k not in old:
        print("roa-new,%s,%d,,%d" % (p, a, new[k]))
    elif old[k] != new[k]:
        print("max-length,%s,%d,%d,%d" % (p, a, old[k], new[k]))
PY
for dir in fwd rev; do
	if [ $dir = fwd ]; then a=$json b=$csv; else a=$csv b=$json; fi
	python3 "$tmp/oracle.py" "$a" "$b" > "$tmp/$dir.want"
	"$L" rpki diff --format csv "$a" "$b" > "$tmp/$dir.got" 2> "$tmp/$dir.err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$dir: exit $rc: $(cat "$tmp/$dir.err")"
	tail -n +2 "$tmp/$dir.got" | cut -d, -f1-5 | cmp -s - "$tmp/$dir.want" && ok ||
	    { bad "$dir: differs from the oracle"; tail -n +2 "$tmp/$dir.got" | cut -d, -f1-5 | diff - "$tmp/$dir.want" | head -5; }
	echo "$dir: $(cut -d, -f1 "$tmp/$dir.want" | sort | uniq -c | tr '\n' ' ')"
done
# July to December: the sample's 13 ROAs of other registries are gone,
# its 4 AFRINIC ones stay, 4,337 AFRINIC ROAs are new
[ "$(grep -c '^roa-gone,' "$tmp/fwd.want")" -eq 13 ] && [ "$(grep -c '^roa-new,' "$tmp/fwd.want")" -eq 4337 ] && ok ||
    bad "fwd counts: $(cut -d, -f1 "$tmp/fwd.want" | sort | uniq -c | tr '\n' ' ')"
grep -qx 'rpki diff: 18 and 4372 VRPs; 13 ROAs gone, 4337 new, 0 max-length changes' "$tmp/fwd.err" && ok ||
    bad "fwd summary: $(cat "$tmp/fwd.err")"

# watched resources: AS33764's 2001:42d0::/32 (its ROAs of /40 and /44,
# and another AS's /48 inside), a /31 that holds 2001:4248::/32, and
# 2c0f:e9a8:100::/40 inside a new ROA's /32, and monitorASns 13335 (an
# APNIC ROA gone)
cat > "$tmp/w.yml" <<'EOF'
2001:42d0::/32:
  asn: 33764
2001:4248::/31:
  asn: 30999
  ignoreMorespecifics: true
2c0f:e9a8:100::/40:
  asn: 328732
options:
  monitorASns:
    13335: {}
EOF
for dir in fwd rev; do
	if [ $dir = fwd ]; then a=$json b=$csv; else a=$csv b=$json; fi
	python3 "$tmp/oracle.py" "$a" "$b" 2001:42d0::/32,2001:4248::/31,2c0f:e9a8:100::/40 13335 > "$tmp/$dir.wwant"
	"$L" rpki diff --format csv --watchlist "$tmp/w.yml" "$a" "$b" 2>/dev/null |
	    tail -n +2 | cut -d, -f1-5 > "$tmp/$dir.wgot"
	cmp -s "$tmp/$dir.wgot" "$tmp/$dir.wwant" && [ "$(wc -l < "$tmp/$dir.wgot")" -gt 5 ] && ok ||
	    { bad "$dir watchlist: $(wc -l < "$tmp/$dir.wgot") changes"; diff "$tmp/$dir.wgot" "$tmp/$dir.wwant" | head -5; }
done
# a ROA inside a watched prefix names it; one of a watched AS says so
"$L" rpki diff --watchlist "$tmp/w.yml" "$csv" "$json" 2>/dev/null > "$tmp/w.jsonl"
grep -qx '{"change":"roa-gone","prefix":"2001:42d0:a::/48","asn":37301,"old_max_length":48,"new_max_length":null,"watch_prefix":"2001:42d0::/32","watched_as":false}' "$tmp/w.jsonl" && ok ||
    bad "json line of 2001:42d0:a::/48: $(grep 42d0:a:: "$tmp/w.jsonl")"
"$L" rpki diff --watchlist "$tmp/w.yml" "$json" "$csv" 2>/dev/null |
    grep -qx '{"change":"roa-gone","prefix":"1.0.0.0/24","asn":13335,"old_max_length":24,"new_max_length":null,"watch_prefix":null,"watched_as":true}' && ok ||
    bad "watched AS 13335"

grep -qx '{"change":"roa-gone","prefix":"2c0f:e9a8::/32","asn":328732,"old_max_length":128,"new_max_length":null,"watch_prefix":null,"watched_as":false}' "$tmp/w.jsonl" && ok ||
    bad "a ROA holding a watched prefix: $(grep e9a8 "$tmp/w.jsonl")"

# crafted: each kind, a /0 VRP, AS0, a VRP gone under a longer one of the
# same ROA (no change), jsonl nulls
"$L" rpki diff --format csv "$T/diff-old.csv" "$T/diff-new.csv" 2>/dev/null | tail -n +2 > "$tmp/cr"
cmp -s "$tmp/cr" "$T/diff.expected" && ok || { bad "crafted:"; diff "$tmp/cr" "$T/diff.expected"; }
"$L" rpki diff "$T/diff-old.csv" "$T/diff-new.csv" 2>/dev/null |
    grep -qx '{"change":"roa-new","prefix":"203.0.113.0/24","asn":64504,"old_max_length":null,"new_max_length":24,"watch_prefix":null,"watched_as":false}' && ok ||
    bad "crafted jsonl"
[ -z "$("$L" rpki diff "$csv" "$csv" 2>/dev/null)" ] && ok || bad "a snapshot against itself"

# --db: the changes kept, as events read back from the store: one per
# change, kind rpki:CHANGE, entity prefix:P,asn:N, from the JSON's
# metadata.buildtime to the date in the CSV's name, the jsonl line as
# details; a second run replaces, not adds
"$L" rpki diff --watchlist "$tmp/w.yml" "$json" "$csv" 2>/dev/null > "$tmp/db.jsonl"
for i in 1 2; do
	"$L" rpki diff --watchlist "$tmp/w.yml" --db "$tmp/v.db" "$json" "$csv" \
	    > /dev/null 2> "$tmp/db.err" && ok || bad "--db run $i: $(cat "$tmp/db.err")"
done
python3 - "$tmp/v.db" "$tmp/db.jsonl" "$json" <<'PY' && ok || bad "stored rpki events"
import datetime, json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT kind, entity, start, stop, detail FROM event").fetchall()
lines = [json.loads(l) for l in open(sys.argv[2])]
built = json.load(open(sys.argv[3]))["metadata"]["buildtime"]
start = int(datetime.datetime.strptime(built, "%Y-%m-%dT%H:%M:%SZ").replace(
    tzinfo=datetime.timezone.utc).timestamp())
stop = int(datetime.datetime(2021, 12, 31, tzinfo=datetime.timezone.utc).timestamp())
assert len(lines) > 5 and len(rows) == len(lines), (len(rows), len(lines))
want = sorted(("rpki:" + j["change"], "prefix:%s,asn:%d" % (j["prefix"], j["asn"]),
               start, stop, json.dumps(j, separators=(",", ":"))) for j in lines)
assert sorted(rows) == want, [x for x in sorted(rows) if x not in want][:3]
print("rpki diff --db: %d events" % len(rows))
PY
# a CSV without a date in its name: its modification time; --format csv
# stores the same events
cp "$T/diff-old.csv" "$tmp/o.csv"; cp "$T/diff-new.csv" "$tmp/n.csv"
touch -d '2024-02-01 12:00:00 UTC' "$tmp/o.csv"; touch -d '2024-03-01 06:30:00 UTC' "$tmp/n.csv"
"$L" rpki diff --format csv --db "$tmp/m.db" "$tmp/o.csv" "$tmp/n.csv" > /dev/null 2>&1 && ok || bad "--db on crafted CSVs"
python3 - "$tmp/m.db" <<'PY' && ok || bad "events of the crafted CSVs"
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT kind, entity, start, stop FROM event").fetchall()
want = {("rpki:max-length", "prefix:0.0.0.0/0,asn:64503"),
    ("rpki:roa-gone", "prefix:192.0.2.128/25,asn:64505"),
    ("rpki:max-length", "prefix:203.0.113.0/24,asn:64501"),
    ("rpki:roa-new", "prefix:203.0.113.0/24,asn:64504"),
    ("rpki:max-length", "prefix:2001:db8::/32,asn:64502")}
assert len(rows) == 5 and {(k, e) for k, e, _, _ in rows} == want, rows
assert all(s == 1706788800 and t == 1709274600 for _, _, s, t in rows), rows
PY

# bad input: a bad line is skipped (exit 1), a foreign file and a bad
# watchlist are refused (exit 3), one file is a usage error
{ cat "$T/diff-new.csv"; echo 'AS64510,192.0.2.1/24,24,test'; } > "$tmp/badline.csv"
"$L" rpki diff "$T/diff-old.csv" "$tmp/badline.csv" > /dev/null 2> "$tmp/bl.err"
[ $? -eq 1 ] && grep -q 'badline.csv' "$tmp/bl.err" && ok || bad "bad VRP line: $(cat "$tmp/bl.err")"
printf 'hello\n' > "$tmp/foreign"
"$L" rpki diff "$T/diff-old.csv" "$tmp/foreign" > /dev/null 2> "$tmp/fo.err"
[ $? -eq 3 ] && [ "$(wc -l < "$tmp/fo.err")" -eq 1 ] && ok || bad "foreign file: $(cat "$tmp/fo.err")"
printf '192.0.2.0/33:\n  asn: 1\n' > "$tmp/badw.yml"
"$L" rpki diff --watchlist "$tmp/badw.yml" "$T/diff-old.csv" "$T/diff-new.csv" > /dev/null 2> "$tmp/bw.err"
[ $? -eq 3 ] && grep -q 'badw.yml:1' "$tmp/bw.err" && ok || bad "bad watchlist: $(cat "$tmp/bw.err")"
"$L" rpki diff "$T/diff-old.csv" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "one file: not a usage error"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
