#!/bin/bash
# The routing monitors on crafted MRT updates (tests/data/routing/
# mkupdates.py: each step says what it shows) against the expected alerts
# (cases.jsonl, cases-rpki.jsonl: hijack and its end, sub-prefix,
# squatting, AS_SET, new upstream and downstream, a path rule, a
# visibility loss and its return; none for ignored more specifics or
# below the minimum of peers); watchlist errors name their line.
set -u
L=${LIFELINE:?}
T=${LL_TEST_DATA:?}/routing
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

python3 "$T/mkupdates.py" cases "$tmp/cases.mrt" || { echo "FAIL: mkupdates.py"; exit 1; }
run() { "$L" routing check --watchlist "$T/prefixes.yml" "$@" "$tmp/cases.mrt"; }

run --min-peers-loss 3 > "$tmp/got" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "exit $rc: $(cat "$tmp/err")"
if cmp -s "$T/cases.jsonl" "$tmp/got"; then ok; else
	bad "alerts differ from cases.jsonl:"; diff "$T/cases.jsonl" "$tmp/got" | head -10; fi
grep -q '8 watched prefixes, 2 watched ASes, 54 route elements, 10 alerts' "$tmp/err" && ok || bad "summary: $(cat "$tmp/err")"

# a watchlist of prefixes only (no options: no watched AS, as most are):
# the same alerts but the neighbours'
sed '/^options:/,$d' "$T/prefixes.yml" > "$tmp/prefixes-only.yml"
"$L" routing check --watchlist "$tmp/prefixes-only.yml" --min-peers-loss 3 \
    "$tmp/cases.mrt" > "$tmp/got" 2> "$tmp/err" && ok || bad "prefixes only: $(cat "$tmp/err")"
grep -v -e '"new-upstream"' -e '"new-downstream"' "$T/cases.jsonl" |
    cmp -s - "$tmp/got" && ok || bad "prefixes only: alerts differ"
grep -q ' 0 watched ASes, ' "$tmp/err" && ok || bad "prefixes only: $(cat "$tmp/err")"

# RPKI: the same plus the invalid routes of watched space
run --min-peers-loss 3 --vrps "$T/vrps.csv" > "$tmp/got" 2>/dev/null
grep rpki-invalid "$tmp/got" > "$tmp/rpki"
cmp -s "$T/cases-rpki.jsonl" "$tmp/rpki" && ok || { bad "rpki alerts:"; diff "$T/cases-rpki.jsonl" "$tmp/rpki"; }
[ "$(grep -vc rpki-invalid "$tmp/got")" = 10 ] && ok || bad "--vrps changed the other alerts"
# VRPs with bad lines (read while the watchlist is): each named, in order,
# the good ones used, exit 1; a watchlist that fails is the one error
{ cat "$T/vrps.csv"; printf 'bad line\nAS1,999.0.0.0/8,8,t\n'; } > "$tmp/vbad.csv"
run --min-peers-loss 3 --vrps "$tmp/vbad.csv" > "$tmp/got" 2> "$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok || bad "bad VRP lines: exit $rc"
grep rpki-invalid "$tmp/got" | cmp -s - "$T/cases-rpki.jsonl" && ok ||
    bad "bad VRP lines: rpki alerts differ"
n=$(wc -l < "$T/vrps.csv")
[ "$(grep -c 'warning: .*vbad.csv: line' "$tmp/err")" = 2 ] &&
    grep -q "line $((n + 1)): " "$tmp/err" && grep -q "line $((n + 2)): bad prefix" "$tmp/err" &&
    [ "$(grep -n "line $((n + 1)): " "$tmp/err" | cut -d: -f1)" -lt \
      "$(grep -n "line $((n + 2)): " "$tmp/err" | cut -d: -f1)" ] && ok ||
    bad "bad VRP lines: warnings $(cat "$tmp/err")"
printf 'x: [\n' > "$tmp/badw.yml"
"$L" routing check --watchlist "$tmp/badw.yml" --vrps "$tmp/vbad.csv" "$tmp/cases.mrt" \
    > /dev/null 2> "$tmp/err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'badw.yml:2: ' "$tmp/err" && ok ||
    bad "bad watchlist with bad VRPs: exit $rc, $(cat "$tmp/err")"

# --vrps-old: the VRP changes of watched space as rpki-change alerts
# (a ROA new, a max length shorter, one gone inside a watched prefix; not
# the unwatched 8.8.8.0/24), at the new snapshot's date (in its name),
# stored with --db as routing:rpki-change; the other alerts unchanged
cp "$T/vrps.csv" "$tmp/new-20240301.csv"
printf 'ASN,IP Prefix,Max Length,Trust Anchor\nAS64500,192.0.2.0/24,24,t\nAS64501,198.51.100.0/24,25,t\nAS64599,203.0.113.0/24,24,t\nAS64598,8.8.8.0/24,24,t\n' > "$tmp/old.csv"
for i in 1 2; do
	run --min-peers-loss 3 --vrps-old "$tmp/old.csv" --vrps "$tmp/new-20240301.csv" \
	    --db "$tmp/v.db" > "$tmp/got" 2> "$tmp/err" && ok || bad "--vrps-old run $i: $(cat "$tmp/err")"
done
cat > "$tmp/want" <<'EOF'
{"type":"rpki-change","prefix":"172.16.0.0/16","watch_prefix":"172.16.0.0/16","description":"scrubbing","expected_origin":[64505],"change":"roa-new","roa_origin":64505,"old_max_length":null,"new_max_length":16,"watched_as":false,"first_seen":"2024-03-01T00:00:00Z","last_seen":null}
{"type":"rpki-change","prefix":"198.51.100.0/24","watch_prefix":"198.51.100.0/24","description":"Example: customers","expected_origin":[64501],"change":"max-length","roa_origin":64501,"old_max_length":25,"new_max_length":24,"watched_as":false,"first_seen":"2024-03-01T00:00:00Z","last_seen":null}
{"type":"rpki-change","prefix":"203.0.113.0/24","watch_prefix":"203.0.113.0/24","description":"delegated more specifics","expected_origin":[64502],"change":"roa-gone","roa_origin":64599,"old_max_length":24,"new_max_length":null,"watched_as":false,"first_seen":"2024-03-01T00:00:00Z","last_seen":null}
EOF
grep rpki-change "$tmp/got" | cmp -s - "$tmp/want" && ok || { bad "rpki-change alerts:"; grep rpki-change "$tmp/got" | diff - "$tmp/want"; }
grep -v rpki-change "$tmp/got" | grep -v rpki-invalid | cmp -s - "$T/cases.jsonl" && ok || bad "--vrps-old changed the other alerts"
python3 - "$tmp/v.db" "$tmp/want" <<'PY' && ok || bad "stored rpki-change events"
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT entity, start, stop, detail FROM "
    "event WHERE kind = 'routing:rpki-change' ORDER BY entity").fetchall()
want = [json.loads(l) for l in open(sys.argv[2])]
assert [r[0] for r in rows] == ["prefix:%s,asn:%d" % (j["prefix"], j["roa_origin"]) for j in want], rows
assert all(r[1] == 1709251200 and r[2] is None for r in rows), rows
assert [json.loads(r[3]) for r in rows] == want
PY
run --vrps-old "$tmp/old.csv" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--vrps-old without --vrps: not a usage error"

# BGPalerter's defaults: 40 peers for a loss (4 here: none), 3 for others;
# --min-peers 2: the two peers' hijack of 172.16.0.0/16 too; --min-peers
# 4: nothing (no event reaches four peers)
run > "$tmp/got" 2>/dev/null
grep -q visib "$tmp/got" && bad "visibility alert below 40 peers" || ok
[ "$(wc -l < "$tmp/got")" = 8 ] && ok || bad "default minimums: $(wc -l < "$tmp/got") alerts, want 8"
run --min-peers 2 > "$tmp/got" 2>/dev/null
[ "$(grep -c '"type":"hijack","prefix":"172.16.0.0/16".*"peer_count":2,' "$tmp/got")" = 1 ] && ok || bad "--min-peers 2: $(cat "$tmp/got")"
run --min-peers 4 > "$tmp/got" 2>/dev/null
[ -s "$tmp/got" ] && bad "--min-peers 4: $(cat "$tmp/got")" || ok

# route leaks on CAIDA as-rel relationships: the same leak (AS64530, a
# customer of both AS174 and AS3356) as the Tier-1 heuristic finds; none
# where AS64530 is AS3356's provider; a bad line named
run --min-peers-loss 3 --relationships "$T/as-rel.txt" 2>/dev/null | grep route-leak > "$tmp/leak"
grep route-leak "$T/cases.jsonl" | cmp -s - "$tmp/leak" && ok || bad "leak on as-rel.txt: $(cat "$tmp/leak")"
[ "$(run --min-peers-loss 3 --relationships "$T/as-rel-ok.txt" 2>/dev/null | grep -c route-leak)" = 0 ] && ok || bad "leak on as-rel-ok.txt"
printf '174|64530|-1\n174|64530|2\n' > "$tmp/bad-rel.txt"
run --relationships "$tmp/bad-rel.txt" > /dev/null 2> "$tmp/err"; rc=$?
[ $rc -eq 3 ] && grep -qF "bad-rel.txt:2: not an as-rel line" "$tmp/err" && ok || bad "bad as-rel: exit $rc, $(cat "$tmp/err")"

# --db: the alerts as events (schema 8); a second run replaces, not adds
run --min-peers-loss 3 --db "$tmp/a.db" > /dev/null 2>&1 && ok || bad "--db: exit $?"
run --min-peers-loss 3 --db "$tmp/a.db" > /dev/null 2>&1 && ok || bad "--db again: exit $?"
python3 - "$tmp/a.db" > "$tmp/events" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("schema ok" if db.execute("PRAGMA user_version").fetchone()[0] >= 8 else "schema too old")
for kind, entity, start, stop, detail in db.execute(
        "SELECT kind, entity, start, stop, detail FROM event ORDER BY id"):
    print(kind, entity, start, stop, json.loads(detail)["type"])
PY
cat > "$tmp/want" <<'W'
schema ok
routing:hijack prefix:192.0.2.0/24 1700000060 1700000120 hijack
routing:sub-prefix prefix:198.51.100.128/25 1700000060 None sub-prefix
routing:squatting prefix:100.64.0.0/16 1700000060 None squatting
routing:as-set prefix:10.10.0.0/16 1700000060 None as-set
routing:new-upstream asn:64500 1700000060 None new-upstream
routing:new-downstream asn:64500 1700000060 None new-downstream
routing:path prefix:172.16.0.0/16 1700000090 None path
routing:route-leak prefix:198.19.0.0/24 1700000150 None route-leak
routing:visibility-loss prefix:198.18.0.0/24 1700000180 1700000240 visibility-loss
routing:visible-again prefix:198.18.0.0/24 1700000240 1700000240 visible-again
W
cmp -s "$tmp/want" "$tmp/events" && ok || { bad "stored events:"; diff "$tmp/want" "$tmp/events"; }

# watchlist errors: one line naming file and line, exit 3
werr() {	# name, expected message part, yaml
	printf '%s' "$3" > "$tmp/$1.yml"
	"$L" routing check --watchlist "$tmp/$1.yml" "$tmp/cases.mrt" > /dev/null 2> "$tmp/$1.err"; rc=$?
	if [ $rc -eq 3 ] && [ "$(wc -l < "$tmp/$1.err")" = 1 ] && grep -qF -- "$2" "$tmp/$1.err"; then ok
	else bad "$1: exit $rc, $(cat "$tmp/$1.err"), want '$2'"; fi
}
werr badprefix "$tmp/badprefix.yml:3: '192.0.2.0/33' is not a prefix" $'192.0.2.0/24:\n  asn: 1\n192.0.2.0/33:\n  asn: 2\n'
werr badasn "badasn.yml:3: asn: 'AS-FOO' is not a number" $'192.0.2.0/24:\n  description: x\n  asn: AS-FOO\n'
werr noasn "noasn.yml:1: 192.0.2.0/24: no asn" $'192.0.2.0/24:\n  description: x\n'
werr badkey "badkey.yml:3: unknown key 'ignoreMoreSpecifics'" $'192.0.2.0/24:\n  asn: 1\n  ignoreMoreSpecifics: true\n'
werr badbool "badbool.yml:3: ignore: not a boolean" $'192.0.2.0/24:\n  asn: 1\n  ignore: maybe\n'
werr badre "badre.yml:4: path: bad regular expression '(64500'" $'192.0.2.0/24:\n  asn: 1\n  path:\n    match: "(64500"\n'
werr badyaml "badyaml.yml:3:" $'192.0.2.0/24:\n  asn: [1, 2\n'
werr badas "badas.yml:3: monitorASns: 'x' is not a number" $'options:\n  monitorASns:\n    x:\n      group: a\n'
werr badup "badup.yml:5: upstreams: '-3' is not a number" $'options:\n  monitorASns:\n    64500:\n      upstreams:\n        - -3\n'
"$L" routing check --watchlist "$tmp/none.yml" "$tmp/cases.mrt" > /dev/null 2>&1; [ $? -eq 3 ] && ok || bad "missing watchlist: not exit 3"
"$L" routing check "$tmp/cases.mrt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no --watchlist: not exit 2"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
