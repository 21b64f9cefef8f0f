#!/bin/bash
# `lifeline registry diff` against an independent computation
# (tests/routing/rdiff_oracle.py) over real AFRINIC snapshots of three
# dates, change by change; the filters (country, registry, watchlist,
# kind) against the unfiltered output; every kind of change and bad lines
# on crafted files (tests/data/registry); JSON that parses.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}/registry/rir-delegated
T=${LL_TEST_DATA:?}/registry
here=$(cd "$(dirname "$0")" && pwd)
a=$D/delegated-afrinic-extended-20160130
b=$D/delegated-afrinic-extended-20230323
c=$D/delegated-afrinic-extended-20260505
if [ ! -f "$a" ] || [ ! -f "$b" ] || [ ! -f "$c" ]; then
	echo "SKIP: the AFRINIC snapshots in $D are absent"; exit 77
fi
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# the real snapshots, change by change, against the oracle
for pair in "$a $b" "$b $c"; do
	set -- $pair
	n=$(basename "$1")-$(basename "$2")
	python3 "$here/rdiff_oracle.py" "$1" "$2" > "$tmp/$n.want"
	"$L" registry diff --format csv "$1" "$2" > "$tmp/$n.got" 2> "$tmp/$n.err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$n: exit $rc: $(cat "$tmp/$n.err")"
	if cmp -s "$tmp/$n.want" "$tmp/$n.got"; then ok; else
		bad "$n: lifeline and the oracle differ"; diff "$tmp/$n.want" "$tmp/$n.got" | head -5
	fi
	echo "$n: $(tail -n +2 "$tmp/$n.got" | cut -d, -f1 | sort | uniq -c | tr '\n' ' ')"
done
g=$tmp/$(basename "$b")-$(basename "$c").got
# every kind occurs between 2023 and 2026 (AFRINIC's transfers among them)
for k in new removed transfer country status; do
	[ "$(grep -c "^$k," "$g")" -gt 0 ] && ok || bad "no $k change 2023-2026"
done

# filters agree with the unfiltered list
"$L" registry diff --format csv --country ZA --country ng "$b" "$c" 2>/dev/null | tail -n +2 > "$tmp/za"
awk -F, 'NR > 1 && ($5 == "ZA" || $9 == "ZA" || $5 == "NG" || $9 == "NG")' "$g" > "$tmp/za.want"
cmp -s "$tmp/za" "$tmp/za.want" && [ -s "$tmp/za" ] && ok || bad "--country ZA --country ng: $(wc -l < "$tmp/za") lines"
"$L" registry diff --format csv --change transfer --change country "$b" "$c" 2>/dev/null | tail -n +2 > "$tmp/tc"
grep -E '^(transfer|country),' "$g" > "$tmp/tc.want"
cmp -s "$tmp/tc" "$tmp/tc.want" && ok || bad "--change transfer --change country"
n=$("$L" registry diff --registry ripencc "$b" "$c" 2>/dev/null | wc -l)
[ "$n" -eq 0 ] && ok || bad "--registry ripencc kept $n AFRINIC changes"
n=$("$L" registry diff --registry AFRINIC "$b" "$c" 2>/dev/null | wc -l)
[ "$n" -eq "$(($(wc -l < "$g") - 1))" ] && ok || bad "--registry AFRINIC kept $n"
# a watchlist: one AS transferred, and 41.0.0.0/8 (every change inside it)
printf '# watched\nAS36877\n  41.0.0.0/8  # all of 41/8\n\n' > "$tmp/watch"
"$L" registry diff --format csv --watchlist "$tmp/watch" "$b" "$c" 2>/dev/null | tail -n +2 > "$tmp/w"
{ grep -E '^[a-z]+,afrinic,asn,AS36877,' "$g"; grep -E '^[a-z]+,afrinic,ipv4,41\.' "$g"; } | sort > "$tmp/w.want"
sort "$tmp/w" | cmp -s - "$tmp/w.want" && [ "$(wc -l < "$tmp/w")" -gt 10 ] && ok ||
    bad "watchlist: $(wc -l < "$tmp/w") lines, want $(wc -l < "$tmp/w.want")"
"$L" registry diff --watch 41.79.252.0/24 --change country "$b" "$c" 2>/dev/null > "$tmp/w1"
[ "$(cat "$tmp/w1")" = "country afrinic ipv4 41.79.252.0/22 KE/allocated/F36341BD/20090827 -> ZA/allocated/F3650F65/20090827" ] &&
    ok || bad "--watch inside a delegation: $(cat "$tmp/w1")"

# JSON: one object a line, as many as CSV lines, the same changes
"$L" registry diff --format json "$b" "$c" 2>/dev/null > "$tmp/j"
python3 - "$tmp/j" "$g" <<'PY' && ok || bad "json"
import csv, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(want) > 0, (len(got), len(want))
for j, w in zip(got, want):
    assert (j["change"], j["resource"]) == (w["change"], w["resource"]), (j, w)
    assert (j["old"] or {}).get("id", "") == w["old_id"] and (j["new"] or {}).get("cc", "") == w["new_cc"], (j, w)
PY

# crafted snapshots: each kind once, a repeated delegation, bad lines
"$L" registry diff "$T/old.txt" "$T/new.txt" > "$tmp/cr" 2> "$tmp/cr.err"; rc=$?
[ $rc -eq 1 ] && ok || bad "crafted: exit $rc, want 1 (bad lines)"
cmp -s "$tmp/cr" "$T/diff.expected" && ok || { bad "crafted diff:"; diff "$T/diff.expected" "$tmp/cr"; }
grep -q "new.txt:10: bad size 'bad' for 198.51.100.0" "$tmp/cr.err" && ok || bad "no line-10 report"
grep -q "new.txt:11: host bits set in 2001:db8::1/32" "$tmp/cr.err" && ok || bad "no line-11 report"
grep -q "new.txt:13: bad registry, country code" "$tmp/cr.err" && ok || bad "no line-13 report"
grep -q "new.txt:7: 192.0.2.0/24 repeats line 6" "$tmp/cr.err" && ok || bad "no repeat report"
python3 "$here/rdiff_oracle.py" "$T/old.txt" "$T/old.txt" | tail -n +2 > "$tmp/same"
[ ! -s "$tmp/same" ] && [ -z "$("$L" registry diff "$T/old.txt" "$T/old.txt" 2>/dev/null)" ] && ok || bad "a file against itself"

# usage and unreadable files: one line, the right status
"$L" registry diff "$T/old.txt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "one file: not a usage error"
"$L" registry diff --watch 41.0.0.x/8 "$T/old.txt" "$T/new.txt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "bad --watch"
printf 'AS1\nnot-a-prefix\n' > "$tmp/badwatch"
"$L" registry diff --watchlist "$tmp/badwatch" "$T/old.txt" "$T/new.txt" > /dev/null 2> "$tmp/bw.err"
[ $? -eq 2 ] && grep -q 'badwatch: line 2: not a prefix or AS number' "$tmp/bw.err" && ok || bad "bad watchlist line: $(cat "$tmp/bw.err")"
"$L" registry diff "$T/old.txt" "$tmp/nonexistent" > /dev/null 2> "$tmp/ne.err"
[ $? -eq 3 ] && [ "$(wc -l < "$tmp/ne.err")" -eq 1 ] && ok || bad "missing file: $(cat "$tmp/ne.err")"
printf 'hello\nworld\n' > "$tmp/foreign"
"$L" registry diff -q "$T/old.txt" "$tmp/foreign" > /dev/null 2> "$tmp/fo.err"
[ $? -eq 3 ] && grep -q 'no usable line' "$tmp/fo.err" && [ "$(wc -l < "$tmp/fo.err")" -eq 1 ] && ok || bad "foreign file: $(cat "$tmp/fo.err")"
gzip -c "$a" > "$tmp/a.gz"
"$L" registry diff --format csv "$tmp/a.gz" "$b" 2>/dev/null | cmp -s - <(python3 "$here/rdiff_oracle.py" "$a" "$b") && ok || bad "gzip input"

# --db: the changes kept, as events read back from the store: one per
# change, kind registry:CHANGE, the entity of the delegation, from OLD's
# end date to NEW's, the json line as details; a second run replaces
"$L" registry diff --format json --watchlist "$tmp/watch" "$b" "$c" \
    2>/dev/null > "$tmp/db.json"
for i in 1 2; do
	"$L" registry diff --watchlist "$tmp/watch" --db "$tmp/r.db" "$b" "$c" \
	    > /dev/null 2> "$tmp/db.err" && ok || bad "--db run $i: $(cat "$tmp/db.err")"
done
python3 - "$tmp/r.db" "$tmp/db.json" <<'PY' && ok || bad "stored registry events"
import ipaddress, json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT kind, entity, start, stop, detail FROM event ORDER BY id").fetchall()
lines = [json.loads(l) for l in open(sys.argv[2])]
assert len(lines) > 10 and len(rows) == len(lines), (len(rows), len(lines))
got = sorted((k, e, s, t, d) for k, e, s, t, d in rows)
want = []
for j in lines:
    r = j["resource"]
    if j["type"] == "asn":
        ent = "asn:" + r[2:].split("-")[0]
    elif "+" in r:	# the largest block the range starts with
        a, n = r.split("+")
        start = int(ipaddress.IPv4Address(a))
        size = min(int(n).bit_length() - 1, (start & -start).bit_length() - 1 if start else 32)
        ent = "prefix:%s/%d" % (a, 32 - size)
    else:
        ent = "prefix:" + r
    # 2023-03-23 and 2026-05-05, midnight UTC
    want.append(("registry:" + j["change"], ent, 1679529600, 1777939200,
                 json.dumps(j, separators=(",", ":"))))
assert got == sorted(want), [x for x in got if x not in want][:3]
PY
# without a version line (an end date), --db is refused before any write
grep -v '^2|' "$T/old.txt" > "$tmp/nover.txt"
"$L" registry diff --db "$tmp/r2.db" "$tmp/nover.txt" "$T/new.txt" \
    > /dev/null 2> "$tmp/nv.err"
[ $? -eq 3 ] && grep -q 'nover.txt: the first line is not a version line' \
    "$tmp/nv.err" && [ ! -e "$tmp/r2.db" ] && ok || bad "--db without a version line: $(cat "$tmp/nv.err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
