#!/bin/sh
# lifeline import on the real samples, each checked against an independent
# computation (Python, over the same files):
# - Monash Venezuela 2019: hourly connectivity per region (ISO 3166-2)
#   and country (mean of the regions), UTC = local epoch + 4 h;
# - M-Lab NDT (ndt5, ndt7): median throughput, minimum RTT and test counts
#   per hour; the annotations, the corrupt file and the result with no
#   measurement are bad rows, named with their line;
# - OONI: per country, test and day, the share of anomalous measurements.
# Then bad rows of the generic CSV (FILE:LINE, good rows kept), the IODA
# JSON, county roll-ups, idempotence (a second run writes nothing) and
# atomicity (kill -9 mid-import, re-run: the same store as one clean run).
# Uses $LIFELINE, $LL_SHARED_DATA.
set -u
LL_SHARED_DATA=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
MON="$LL_SHARED_DATA/events/monash-ip-observatory/ven-2019-07-22_gif.csv"
NDT="$LL_SHARED_DATA/mlab/m-lab-etl-testdata"
OONI="$LL_SHARED_DATA/ooni/ooni-fastpath-samples.jsonl"
if [ ! -r "$MON" ] || [ ! -d "$NDT" ] || [ ! -r "$OONI" ]; then
	echo "SKIP: the Monash, M-Lab or OONI samples are absent"; exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="$HERE/../data/import"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
L() { "$LIFELINE" "$@"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# dump DB KIND...: every point of the kinds, as kind,time,entity,value
dump() {
	db=$1; shift
	for k in "$@"; do
		L signal --db "$db" --signal "$k" --format csv |
		    sed 1d | sed "s/^/$k,/"
	done | sort
}
# compare GOT WANT: kind,time,entity,value lines, values within 1e-6
compare() {
	python3 - "$1" "$2" <<'PY' || fail "$3: values differ"
import sys
def load(p):
    d = {}
    for l in open(p):
        l = l.strip()
        if l:
            k, t, e, v = l.rsplit(',', 3) if l.count(',') == 3 else l.split(',', 3)
            d[(k, t, e)] = float(v)
    return d
g, w = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in w if k not in g or abs(g[k] - w[k]) > 1e-6 * max(1, abs(w[k]))]
extra = [k for k in g if k not in w]
for k in (bad + extra)[:5]:
    print('  ', k, g.get(k), w.get(k))
print('  compared %d points' % len(w))
sys.exit(1 if bad or extra or not w else 0)
PY
}

# ---- Monash --------------------------------------------------------
L import monash --db "$T/m.db" "$MON" >"$T/out" 2>"$T/err" || fail "monash: exit $?"
grep -q '^import: monash: 1 file(s) (1 new, 0 known), 1469 rows, 0 bad' "$T/out" ||
    { fail "monash summary"; cat "$T/out" "$T/err"; }
dump "$T/m.db" monash.connectivity >"$T/got"
python3 - "$MON" >"$T/want" <<'PY'
import csv, sys, datetime, unicodedata, collections
iso = dict(zip(['distrito capital','anzoategui','apure','aragua','barinas','bolivar','carabobo','cojedes','falcon','guarico','lara','merida','miranda','monagas','nueva esparta','portuguesa','sucre','tachira','trujillo','yaracuy','zulia'], 'ABCDEFGHIJKLMNOPRSTUV'))
acc = collections.defaultdict(list)
for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    t = int(r['time_e']) + 4 * 3600
    name = unicodedata.normalize('NFKD', r['name_1']).encode('ascii', 'ignore').decode().lower()
    ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    v = float(r['connectivity'])
    if v < 0:
        continue        # -1: no measurement
    acc[(ts, 'region:VE-' + iso[name])].append(v)
    acc[(ts, 'country:VE')].append(v)
for (ts, e), v in acc.items():
    print('monash.connectivity,%s,%s,%r' % (ts, e, sum(v) / len(v)))
PY
compare "$T/got" "$T/want" monash
# Idempotent: the same file again writes nothing, the store is the same.
L import monash --db "$T/m.db" "$MON" >"$T/out" 2>&1
grep -q 'all already in' "$T/out" || fail "monash: second run: $(cat "$T/out")"
dump "$T/m.db" monash.connectivity | cmp -s - "$T/got" || fail "monash: second run changed the store"
L import kinds --db "$T/m.db" | grep -q '^monash.connectivity,index,' || fail "monash: kind not listed"

# County level: rolled up into region (mean of counties) and country. Line
# 6 of the fixture names a country, "ZZZ" (a user-assigned ISO 3166 code),
# that no table has: that row alone is refused, with its line.
L import monash --db "$T/c.db" "$DATA/monash-county.csv" >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "county: exit status (a bad row: 1)"
grep -q 'monash-county.csv:6: country "ZZZ" is not in the table' "$T/err" || fail "county: bad row message: $(cat "$T/err")"
dump "$T/c.db" monash.connectivity >"$T/got"
printf '%s\n' 'monash.connectivity,2019-07-20T04:00:00Z,country:VE,80' \
    'monash.connectivity,2019-07-20T04:00:00Z,region:VE-M,90' \
    'monash.connectivity,2019-07-20T04:00:00Z,region:VE-V,75' \
    'monash.connectivity,2019-07-20T05:00:00Z,country:VE,0' \
    'monash.connectivity,2019-07-20T05:00:00Z,region:VE-V,0' >"$T/want"
compare "$T/got" "$T/want" county

# ---- M-Lab NDT -----------------------------------------------------
L import ndt --db "$T/n.db" --entity country:US "$NDT"/*.json >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "ndt: exit status (bad rows: 1)"
grep -q 'ndt-corrupt.json:49: not JSON' "$T/err" || fail "ndt: corrupt file: $(cat "$T/err")"
grep -q 'ndt-empty-geo.json:1: an annotation' "$T/err" || fail "ndt: annotation"
grep -q 'ndt-x5dms_1589313593_0000000000024063.json:1: no Download' "$T/err" || fail "ndt: empty result"
grep -q '11 rows, 4 bad' "$T/out" || fail "ndt summary: $(cat "$T/out")"
dump "$T/n.db" ndt.down ndt.up ndt.rtt ndt.down.tests ndt.up.tests ndt.rtt.tests >"$T/got"
python3 - "$NDT" >"$T/want" <<'PY'
import json, sys, os, datetime, collections, statistics
obs = collections.defaultdict(list)
def hour(s):
    t = datetime.datetime.strptime(s[:19], '%Y-%m-%dT%H:%M:%S')
    return t.strftime('%Y-%m-%dT%H:00:00Z')
for f in sorted(os.listdir(sys.argv[1])):
    try:
        d = json.load(open(os.path.join(sys.argv[1], f)))
    except ValueError:
        continue
    tests = []
    for key, dr, field in (('Download', 'down', 'BytesAcked'), ('Upload', 'up', 'BytesReceived')):
        if key in d:
            ti = d[key]['ServerMeasurements'][-1]['TCPInfo']
            tests.append((dr, hour(d[key]['StartTime']), ti[field] * 8 / ti['ElapsedTime'], ti['MinRTT'] / 1000))
    if 'S2C' in d:
        tests.append(('down', hour(d['S2C']['StartTime']), d['S2C']['MeanThroughputMbps'], d['S2C']['MinRTT'] / 1e6))
    if 'C2S' in d:
        tests.append(('up', hour(d['C2S']['StartTime']), d['C2S']['MeanThroughputMbps'], None))
    for dr, h, mbps, rtt in tests:
        obs[('ndt.' + dr, h)].append(mbps)
        if rtt:
            obs[('ndt.rtt', h)].append(rtt)
for (k, h), v in obs.items():
    f = min if k == 'ndt.rtt' else statistics.median
    print('%s,%s,country:US,%r' % (k, h, f(v)))
    print('%s.tests,%s,country:US,%d' % (k, h, len(v)))
PY
compare "$T/got" "$T/want" ndt

# Without --entity the client addresses are located (libloc, the system's
# database: the 2022-10-29 one of the export below), checked against the
# most specific network of that export's dump.
LOC="$LL_SHARED_DATA/geo/debian-libloc-database-20221029-export/location-dump-20221029.txt.gz"
if [ -r "$LOC" ] && L geo lookup 93.26.109.189 >/dev/null 2>&1; then
	L import ndt --db "$T/n2.db" "$NDT"/*.json >"$T/out" 2>"$T/err"
	grep -q 'ndt-5hkck_1566219987_000000000000017D.json:1: no client location' "$T/err" ||
	    fail "ndt located: loopback client: $(cat "$T/err")"
	grep -q '11 rows, 6 bad' "$T/out" || fail "ndt located summary: $(cat "$T/out")"
	dump "$T/n2.db" ndt.down ndt.up ndt.rtt ndt.down.tests ndt.up.tests ndt.rtt.tests >"$T/got"
	# The dump's networks that can hold the clients (by first octet or
	# group; the Python below takes the most specific).
	heads=$(for f in "$NDT"/*.json; do grep -o '"ClientIP":"[^"]*"' "$f" | head -1; done |
	    sed 's/"ClientIP":"//; s/[.:].*//' | sort -u | tr '\n' '|' | sed 's/|$//')
	zcat "$LOC" | grep -A3 -E "^net:[[:space:]]+($heads)[.:]" >"$T/loc.txt"
	python3 - "$NDT" "$T/loc.txt" >"$T/want" <<'PY'
import json, sys, os, gzip, ipaddress, datetime, collections, statistics
tests = []
def hour(s):
    return datetime.datetime.strptime(s[:19], '%Y-%m-%dT%H:%M:%S').strftime('%Y-%m-%dT%H:00:00Z')
for f in sorted(os.listdir(sys.argv[1])):
    try:
        d = json.load(open(os.path.join(sys.argv[1], f)))
    except ValueError:
        continue
    ip = d.get('ClientIP')
    for key, dr, field in (('Download', 'down', 'BytesAcked'), ('Upload', 'up', 'BytesReceived')):
        if key in d:
            ti = d[key]['ServerMeasurements'][-1]['TCPInfo']
            tests.append((ip, dr, hour(d[key]['StartTime']), ti[field] * 8 / ti['ElapsedTime'], ti['MinRTT'] / 1000))
    if 'S2C' in d:
        tests.append((ip, 'down', hour(d['S2C']['StartTime']), d['S2C']['MeanThroughputMbps'], d['S2C']['MinRTT'] / 1e6))
    if 'C2S' in d:
        tests.append((ip, 'up', hour(d['C2S']['StartTime']), d['C2S']['MeanThroughputMbps'], None))
addrs = {ipaddress.ip_address(t[0]) for t in tests}
best = {}        # addr -> (prefixlen, cc, asn)
cur = None
def take(cur):
    if cur is None:
        return
    for a in addrs:
        if a.version == cur[0].version and a in cur[0] and cur[0].prefixlen >= best.get(a, (-1,))[0]:
            best[a] = (cur[0].prefixlen, cur[1], cur[2])
heads = {str(a).split('.' if a.version == 4 else ':')[0] for a in addrs}
for line in open(sys.argv[2]):
    if line.startswith('net:'):
        take(cur)
        v = line.split()[1]
        cur = [ipaddress.ip_network(v), '', 0] if v.split('.' if '.' in v else ':')[0] in heads or v.startswith('::') or v.endswith('/0') else None
    elif cur is not None and line.startswith('country:'):
        cur[1] = line.split()[1]
    elif cur is not None and line.startswith('aut-num:'):
        cur[2] = int(line.split()[1])
take(cur)
obs = collections.defaultdict(list)
for ip, dr, h, mbps, rtt in tests:
    b = best.get(ipaddress.ip_address(ip))
    ents = ([] if b is None or not b[1] else ['country:' + b[1]]) + ([] if b is None or not b[2] else ['asn:%d' % b[2]])
    for e in ents:
        obs[('ndt.' + dr, h, e)].append(mbps)
        if rtt:
            obs[('ndt.rtt', h, e)].append(rtt)
for (k, h, e), v in obs.items():
    f = min if k == 'ndt.rtt' else statistics.median
    print('%s,%s,%s,%r' % (k, h, e, f(v)))
    print('%s.tests,%s,%s,%d' % (k, h, e, len(v)))
PY
	compare "$T/got" "$T/want" ndt-located
fi

# ---- OONI ----------------------------------------------------------
L import ooni --db "$T/o.db" "$OONI" >"$T/out" 2>"$T/err" || fail "ooni: exit $?: $(cat "$T/err")"
grep -q '33 rows, 0 bad' "$T/out" || fail "ooni summary: $(cat "$T/out")"
python3 - "$OONI" >"$T/want" <<'PY'
import json, sys, collections
acc = collections.defaultdict(list)
for l in open(sys.argv[1]):
    d = json.loads(l)
    tn, tk = d['test_name'], d.get('test_keys') or {}
    v = None
    if tn == 'web_connectivity':
        b = tk.get('blocking')
        v = True if isinstance(b, str) else (False if b is False else None)
    elif tn == 'telegram':
        v = bool(tk.get('telegram_http_blocking') or tk.get('telegram_tcp_blocking') or tk.get('telegram_web_status') == 'blocked')
    elif tn == 'whatsapp':
        v = any(tk.get(k) == 'blocked' for k in ('whatsapp_endpoints_status', 'whatsapp_web_status', 'registration_server_status'))
    elif tn == 'signal':
        s = tk.get('signal_backend_status')
        v = True if s == 'blocked' else (False if s == 'ok' else None)
    elif tn in ('tor', 'torsf', 'vanilla_tor', 'meek_fronted_requests_test', 'openvpn', 'riseupvpn', 'psiphon'):
        if isinstance(tk.get('success'), bool):
            v = not tk['success']
        elif isinstance(tk.get('failure'), str):
            v = True
        elif 'failure' in tk and tk['failure'] is None:
            v = False
    elif tn in ('http_header_field_manipulation', 'http_invalid_request_line'):
        t = tk.get('tampering')
        if isinstance(t, bool):
            v = t
        elif isinstance(t, dict):
            v = any(x is True for x in t.values())
    if v is None:
        continue
    day = d['measurement_start_time'][:10] + 'T00:00:00Z'
    acc[(tn, day, 'country:' + d['probe_cc'])].append(1.0 if v else 0.0)
for (tn, day, e), v in acc.items():
    print('ooni.anomaly.%s,%s,%s,%r' % (tn, day, e, sum(v) / len(v)))
    print('ooni.tests.%s,%s,%s,%d' % (tn, day, e, len(v)))
PY
# The shares of every test, and one test's counts (one read a kind).
grep -E '^(ooni\.anomaly\.|ooni\.tests\.web_connectivity,)' "$T/want" >"$T/want2"
mv "$T/want2" "$T/want"
kinds=$(cut -d, -f1 "$T/want" | sort -u)
# shellcheck disable=SC2086
dump "$T/o.db" $kinds | grep ',country:' >"$T/got"
compare "$T/got" "$T/want" ooni

# ---- generic series: bad rows, IODA JSON ---------------------------
L import series --db "$T/s.db" "$DATA/series-bad.csv" >"$T/out" 2>"$T/err"
[ $? = 1 ] || fail "series: exit status"
for want in 'series-bad.csv:3: value "notanumber"' 'series-bad.csv:4: time "2026-02-30T00:00:00Z": no such date' \
    'series-bad.csv:5: entity "land:VE"' 'series-bad.csv:6: kind "bgp"' 'series-bad.csv:7: not 4 fields'; do
	grep -qF "$want" "$T/err" || fail "series: no '$want' in: $(cat "$T/err")"
done
grep -q '7 rows, 5 bad; 2 points' "$T/out" || fail "series summary: $(cat "$T/out")"
[ "$(L signal --db "$T/s.db" --signal probe.rtt --format csv | sed -n 2p)" = "2026-11-01T00:05:00Z,asn:8048,42.5" ] ||
    fail "series: good row not kept"
L import series --db "$T/i.db" "$DATA/ioda.json" >"$T/out" 2>"$T/err"
grep -q 'ioda.json:1: series 2: entity region 1234' "$T/err" || fail "ioda: region message: $(cat "$T/err")"
dump "$T/i.db" ioda.ping-slash24 ioda.bgp >"$T/got"
printf '%s\n' 'ioda.bgp,2019-07-20T00:00:00Z,asn:8048,7' 'ioda.bgp,2019-07-20T00:05:00Z,asn:8048,8' \
    'ioda.ping-slash24,2019-07-20T00:00:00Z,country:VE,100' 'ioda.ping-slash24,2019-07-20T00:20:00Z,country:VE,80' >"$T/want"
compare "$T/got" "$T/want" ioda

# ---- atomicity: kill -9 mid-import, then re-run --------------------
python3 -c "
import sys
w = sys.stdout.write
for i in range(30000):
    w('%d,asn:%d,probe,%d\n' % (1700000000 + 300 * (i % 2000), i // 2000, i % 97))
" >"$T/big.csv"
L import series --db "$T/ref.db" "$T/big.csv" >/dev/null 2>&1 || fail "big: reference import"
dump "$T/ref.db" probe >"$T/ref"
"$LIFELINE" import series --db "$T/k.db" "$T/big.csv" >/dev/null 2>&1 &
pid=$!
# Kill it once it has started (at any point: every point is valid).
i=0; while [ ! -f "$T/k.db" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n=$(dump "$T/k.db" probe 2>/dev/null | wc -l)
[ "$n" = 0 ] || [ "$n" = "$(wc -l <"$T/ref")" ] || fail "killed import left $n points (all or none)"
L import series --db "$T/k.db" "$T/big.csv" >"$T/out" 2>&1 || fail "big: re-run: $(cat "$T/out")"
dump "$T/k.db" probe | cmp -s - "$T/ref" || fail "after kill -9 and a re-run: not the reference store"

[ $fails = 0 ] && echo "ok: import (monash, ndt, ooni, series, ioda, idempotence, atomicity)"
[ $fails = 0 ]
