#!/bin/sh
# Impact and the access index from the CLI, on stores built with `lifeline
# import series` from generated CSVs and the hand-made reference tables
# of tests/data/impact:
#  - the worked example of docs/methodology.md ("Impact"): the figures of
#    `lifeline impact 1 --format json` are the ones the document computes
#    by hand (750 /24s, 6,500,000 users, 7200 s, 100% restored,
#    2,968,036.53 US$), and `incidents show 1` prints them;
#  - without per-AS estimates the users come from the country table
#    (7,500,000), and with neither the figure is "no data", never 0;
#  - bad rows of the reference tables are reported as FILE:LINE and
#    skipped, a file with no header writes nothing;
#  - the access index: throttling (throughput halved, BGP holding) lowers
#    "fast" and not "available"; a shutdown lowers "available" and
#    "reliable"; OONI's shares set "safe", routing events of the
#    country's ASes "core"; dimensions without data read "no data".
set -u
L=${LIFELINE:?}
T=${LL_TEST_DATA:?}/impact
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The worked example: country:EG and its three ASes, 5-minute bins from
# 2024-06-10T00:00Z; 02:00-04:00 AS64500 loses all, AS64501 half,
# AS64502 nothing.
python3 - "$tmp/series.csv" <<'PY'
import sys, datetime
t0 = datetime.datetime(2024, 6, 10, tzinfo=datetime.timezone.utc)
norm = {'country:EG': 1000, 'asn:64500': 600, 'asn:64501': 300, 'asn:64502': 100}
down = {'country:EG': 250, 'asn:64500': 0, 'asn:64501': 150, 'asn:64502': 100}
with open(sys.argv[1], 'w') as f:
    f.write('time,entity,kind,value\n')
    for i in range(60):
        t = (t0 + datetime.timedelta(minutes=5 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')
        for e in norm:
            f.write('%s,%s,series.bgp,%d\n' % (t, e, (down if 24 <= i < 48 else norm)[e]))
PY
db="$tmp/db"
"$L" import series --db "$db" "$tmp/series.csv" >/dev/null || fail "import series"
"$L" detect --db "$db" >"$tmp/detect" || fail "detect"
grep -q '^incident 1 restored at 2024-06-10T04:00:00Z' "$tmp/detect" ||
	fail "the example's incident: $(cat "$tmp/detect")"

# Neither users nor countries: users and cost have no value.
"$L" impact 1 --db "$db" --format json >"$tmp/none.json" || fail "impact (bare)"
"$L" import countries --db "$db" "$T/countries.csv" >/dev/null || fail "import countries"
"$L" impact 1 --db "$db" --format json >"$tmp/share.json" || fail "impact (share)"
"$L" import users --db "$db" "$T/users.csv" >"$tmp/users.out" || fail "import users"
grep -q '3 rows, 0 bad; 3 AS estimates' "$tmp/users.out" || fail "users: $(cat "$tmp/users.out")"
"$L" impact 1 --db "$db" --format json >"$tmp/impact.json" || fail "impact"
python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import json, sys
d = sys.argv[1]
def figs(name):
    j = json.load(open(d + '/' + name))
    assert j['incident'] == 1, j
    return {f['name']: f for f in j['figures']}
bare, share, f = figs('none.json'), figs('share.json'), figs('impact.json')
# no number without its inputs, and none where there is no data
for g in (bare, share, f):
    for x in g.values():
        assert x['inputs'] and x['unit'] and x['method'], x
assert bare['users']['value'] is None and 'reason' in bare['users']['inputs'], bare['users']
assert bare['users']['inputs']['countries'][0]['internet_users'] is None, bare['users']
assert bare['users']['inputs']['countries'][0]['method'] == 'space-share', bare['users']
assert bare['cost']['value'] is None, bare['cost']
assert f['space.v6']['value'] is None, f['space.v6']
# the country table alone: its users times the lost share of space
assert share['users']['method'] == 'country-share', share['users']
assert share['users']['value'] == 7500000, share['users']
# the worked example of docs/methodology.md
assert f['space.v4']['value'] == 750 and f['space.v4']['unit'] == '/24s', f['space.v4']
e = f['space.v4']['inputs']['entities'][0]
assert e['entity'] == 'country:EG' and e['baseline'] == 1000 and e['lowest'] == 250, e
assert f['users']['method'] == 'apnic-aspop' and f['users']['value'] == 6500000, f['users']
c = f['users']['inputs']['countries'][0]
assert abs(c['mean_share'] - 0.65) < 1e-12 and c['bins'] == 24, c
assert sorted(a['asn'] for a in c['ases']) == [64500, 64501, 64502], c
assert f['duration']['value'] == 7200, f['duration']
assert f['restored']['value'] == 100, f['restored']
k = f['cost']['inputs']['countries'][0]
assert k['gdp_usd'] == 4e11 and k['digital_share'] == 0.05 and abs(k['days'] - 1 / 12) < 1e-15, k
want = 4e11 / 365 * 0.05 * 0.65 * (2 / 24)
assert abs(f['cost']['value'] - want) < 1e-6 and round(want, 2) == 2968036.53, (f['cost']['value'], want)
PY
"$L" incidents show 1 --db "$db" >"$tmp/show" || fail "incidents show"
grep -q 'users *6,500,000 users' "$tmp/show" || fail "show has no impact: $(cat "$tmp/show")"
grep -q 'cost *2,968,037 US\$' "$tmp/show" || fail "show has no cost: $(cat "$tmp/show")"
"$L" impact 9 --db "$db" >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] || fail "impact of no incident: exit $rc, want 1"
python3 -c "import sqlite3,sys; v=sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0]; sys.exit(v < 10)" "$db" ||
	fail "schema version below 10"

# An open incident (detect stops at 03:00Z) and one of a single AS (its
# country found through the per-AS estimates).
"$L" import series --db "$tmp/open.db" "$tmp/series.csv" >/dev/null || fail "import (open)"
"$L" detect --db "$tmp/open.db" --to 2024-06-10T03:00Z >/dev/null || fail "detect (open)"
"$L" import users --db "$tmp/open.db" "$T/users.csv" >/dev/null || fail "users (open)"
"$L" impact 1 --db "$tmp/open.db" --format json >"$tmp/open.json" || fail "impact (open)"
grep -v '^[^,]*,country:EG,' "$tmp/series.csv" | grep -v 'asn:6450[12]' >"$tmp/as.csv"
"$L" import series --db "$tmp/as.db" "$tmp/as.csv" >/dev/null || fail "import (AS)"
"$L" detect --db "$tmp/as.db" >/dev/null || fail "detect (AS)"
"$L" import users --db "$tmp/as.db" "$T/users.csv" >/dev/null || fail "users (AS)"
"$L" import countries --db "$tmp/as.db" "$T/countries.csv" >/dev/null || fail "countries (AS)"
"$L" impact 1 --db "$tmp/as.db" --format json >"$tmp/as.json" || fail "impact (AS)"
python3 - "$tmp" <<'PY' || fails=$((fails + 1))
import json, sys
d = sys.argv[1]
o = {f['name']: f for f in json.load(open(d + '/open.json'))['figures']}
assert o['duration']['inputs']['open'] is True and o['duration']['inputs']['end'] is None, o['duration']
assert o['duration']['value'] == 3600, o['duration']
assert o['restored']['value'] == 0, o['restored']
assert o['users']['value'] == 6500000, o['users']
assert o['cost']['value'] is None and 'reason' in o['cost']['inputs']['countries'][0], o['cost']
a = {f['name']: f for f in json.load(open(d + '/as.json'))['figures']}
assert a['space.v4']['inputs']['entities'][0]['entity'] == 'asn:64500', a['space.v4']
assert a['space.v4']['value'] == 600, a['space.v4']
c = a['users']['inputs']['countries'][0]
assert c['cc'] == 'EG' and [x['asn'] for x in c['ases']] == [64500], c
assert a['users']['value'] == 4000000, a['users']
want = 4e11 / 365 * 0.05 * 0.4 * (2 / 24)
assert abs(a['cost']['value'] - want) < 1e-6, (a['cost'], want)
PY

# Bad rows and files.
printf 'title\n#Rank,AS,AS Name,CC,Users (est.),%% of Country,%% of Internet,Samples\n1,AS1,A,EG,10,1,0,1\n2,ASX,B,EG,10,1,0,1\n3,AS3,C,E1,10,1,0,1\n4,AS4,D,EG,-5,1,0,1\n5,AS4294967296,E,EG,1,1,0,1\n6,AS6,"open,EG,1,1,0,1\n7,AS7,G,EG,1,101,0,1\n8,AS8\n' >"$tmp/bad.csv"
"$L" import users --db "$tmp/db2" "$tmp/bad.csv" >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
[ "$rc" = 1 ] || fail "bad rows: exit $rc, want 1"
for n in 4 5 6 7 8 9 10; do
	grep -q "bad.csv:$n: " "$tmp/bad.err" || fail "no message for line $n: $(cat "$tmp/bad.err")"
done
grep -q '8 rows, 7 bad; 1 AS estimates' "$tmp/bad.out" || fail "bad: $(cat "$tmp/bad.out")"
printf 'a,b,c\n1,2,3\n' >"$tmp/nohead.csv"
"$L" import countries --db "$tmp/db3" "$tmp/nohead.csv" >/dev/null 2>"$tmp/nohead.err"; rc=$?
[ "$rc" = 1 ] || fail "no header: exit $rc, want 1"
grep -q 'nohead.csv: no header' "$tmp/nohead.err" || fail "no header: $(cat "$tmp/nohead.err")"

# The access index: 2024-03-01 .. 03-09, series.bgp every 5 minutes at
# 1000 /24s, NDT hourly at 50 Mbit/s and 40 ms. 03-06: throughput halves
# and RTT doubles, BGP holds (throttling). 03-08 06:00-12:00: BGP at 0
# (a shutdown), throughput measured by nobody.
python3 - "$tmp/idx.csv" <<'PY'
import sys, datetime
t0 = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
with open(sys.argv[1], 'w') as f:
    for i in range(9 * 288):
        t = t0 + datetime.timedelta(minutes=5 * i)
        s = t.strftime('%Y-%m-%dT%H:%M:%SZ')
        shut = t.day == 8 and 6 <= t.hour < 12
        f.write('%s,country:ZZ,series.bgp,%d\n' % (s, 0 if shut else 1000))
        if t.minute == 0 and not shut:
            thr = t.day == 6
            f.write('%s,country:ZZ,ndt.down,%g\n' % (s, 25 if thr else 50))
            f.write('%s,country:ZZ,ndt.rtt,%g\n' % (s, 80 if thr else 40))
    # OONI's daily shares on 03-07 only
    f.write('2024-03-07T00:00:00Z,country:ZZ,ooni.anomaly.web_connectivity,0.3\n')
    f.write('2024-03-07T00:00:00Z,country:ZZ,ooni.confirmed.web_connectivity,0.1\n')
PY
idb="$tmp/idx.db"
"$L" import series --db "$idb" "$tmp/idx.csv" >/dev/null || fail "import index series"
"$L" index --db "$idb" --entity country:ZZ --from 2024-03-05 --to 2024-03-09 \
	--format json >"$tmp/idx0.json" || fail "index json (no events)"
# A routing event of an AS with users in ZZ on 03-06 (as `routing check
# --db` writes them).
printf 'title\n#Rank,AS,AS Name,CC,Users (est.)\n1,AS64510,X,ZZ,100\n' >"$tmp/zz.csv"
"$L" import users --db "$idb" "$tmp/zz.csv" >/dev/null || fail "import ZZ users"
python3 - "$idb" <<'PY' || fail "event"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO event (kind, entity, start, stop, detail) VALUES "
    "('routing:hijack', 'asn:64510', 1709715600, 1709719200, '{}')")  # 03-06 09:00-10:00Z
db.commit()
PY
"$L" index --db "$idb" --entity country:ZZ --from 2024-03-05 --to 2024-03-09 \
	--format json >"$tmp/idx.json" || fail "index json"
"$L" index --db "$idb" --entity country:ZZ --from 2024-03-05 --to 2024-03-09 \
	>"$tmp/idx.out" || fail "index csv"
python3 - "$tmp/idx.json" "$tmp/idx.out" "$tmp/idx0.json" <<'PY' || fails=$((fails + 1))
import csv, json, sys
days = {d['date']: d for d in json.load(open(sys.argv[1]))}
assert sorted(days) == ['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'], sorted(days)
n, thr, shut = days['2024-03-05'], days['2024-03-06'], days['2024-03-08']
for d in days.values():
    if d['date'] != '2024-03-07':
        assert d['safe']['score'] is None and d['safe']['status'] == 'no data', d['safe']
    assert d['available']['measurements'] and d['fast']['measurements'], d
# safe: the worst OONI share of the day
assert days['2024-03-07']['safe']['score'] == 70, days['2024-03-07']['safe']
assert len(days['2024-03-07']['safe']['measurements']) == 2, days['2024-03-07']['safe']
# core: no routing event in the store at all is no data; one event of an
# AS of the country costs its day 25
for d in json.load(open(sys.argv[3])):
    assert d['core']['score'] is None and d['core']['status'] == 'no data', d['core']
assert thr['core']['score'] == 75 and thr['core']['measurements'][0]['value'] == 1, thr['core']
assert n['core']['score'] == 100 and shut['core']['score'] == 100, (n['core'], shut['core'])
assert n['available']['score'] == 100 and n['fast']['score'] == 100, n
# throttling: fast falls, available does not
assert thr['fast']['score'] == 50, thr['fast']
assert thr['available']['score'] == 100 and thr['reliable']['score'] == 100, thr
m = {x['kind']: x for x in thr['fast']['measurements']}
assert m['ndt.down']['value'] == 25 and m['ndt.down']['baseline'] == 50, m
assert m['ndt.rtt']['value'] == 80 and m['ndt.rtt']['baseline'] == 40, m
# a shutdown of 6 hours: available and reliable fall, fast holds
assert shut['available']['score'] == 75, shut['available']
assert shut['reliable']['score'] == 75, shut['reliable']
o = [x for x in shut['reliable']['measurements'] if x['measure'].startswith('outage minutes')]
assert o and o[0]['value'] == 360, shut['reliable']
assert shut['fast']['score'] == 100, shut['fast']
rows = list(csv.DictReader(open(sys.argv[2])))
assert any(r['date'] == '2024-03-08' and r['dimension'] == 'safe' and r['score'] == 'no data' for r in rows), rows[:5]
assert any(r['date'] == '2024-03-06' and r['dimension'] == 'fast' and r['kind'] == 'ndt.down' and r['score'] == '50.0' for r in rows)
PY
[ "$fails" = 0 ] || exit 1
echo "impact: ok"
