#!/bin/bash
# `lifeline rpki validate` against an independent computation
# (tests/routing/rov_oracle.py over Debian bgpdump's reading of the same
# archives): the 2021 RIS update files against the AFRINIC VRPs of
# 2021-12-31 and the rpki-client JSON sample, route by route; the totals
# and per-origin counts add up to the per-route states; bad input.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
here=$(cd "$(dirname "$0")" && pwd)
ris=$D/mrt/ris-2021-gatech-cs6250
csv=$D/rpki/ripe-archive-afrinic-roas-20211231.csv
json=$D/rpki/rpki-client-subset-20210727.json
if [ ! -d "$ris" ] || [ ! -f "$csv" ] || [ ! -f "$json" ]; then
	echo "SKIP: $ris or the VRP files in $D/rpki are absent"; exit 77
fi
command -v bgpdump >/dev/null || { echo "SKIP: bgpdump is not installed"; exit 77; }
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The JSON sample's 18 VRPs as CSV, for the oracle (jq-free: python).
python3 - "$json" > "$tmp/json.csv" <<'PY'
import json, sys
print("ASN,IP Prefix,Max Length")
for r in json.load(open(sys.argv[1]))["roas"]:
    print("%s,%s,%s" % (str(r["asn"]).upper().removeprefix("AS"), r["prefix"], r["maxLength"]))
PY
for f in "$ris"/*.gz; do bgpdump -m "$f" 2>/dev/null; done > "$tmp/dump"

check() {	# name, oracle VRP files..., -- lifeline --vrps args...
	local name=$1; shift
	local ofiles=()
	while [ "$1" != -- ]; do ofiles+=("$1"); shift; done; shift
	python3 "$here/rov_oracle.py" "${ofiles[@]}" < "$tmp/dump" > "$tmp/$name.want"
	"$L" rpki validate --by prefix "$@" "$ris"/*.gz 2> "$tmp/$name.err" |
	    tail -n +2 > "$tmp/$name.got"
	if ! cmp -s "$tmp/$name.want" "$tmp/$name.got"; then
		bad "$name: lifeline and the oracle differ:"; diff "$tmp/$name.want" "$tmp/$name.got" | head -5
	elif [ "$(wc -l < "$tmp/$name.got")" -lt 18000 ]; then
		bad "$name: only $(wc -l < "$tmp/$name.got") routes"
	else
		ok
	fi
	echo "$name: $(cut -d, -f3 "$tmp/$name.got" | sort | uniq -c | tr '\n' ' ')"
}
check afrinic "$csv" -- --vrps "$csv"
check rpkiclient "$tmp/json.csv" -- --vrps "$json"
check both "$csv" "$tmp/json.csv" -- --vrps "$csv" --vrps "$json"
# the AFRINIC set covers African space: some valid routes, not only not-found
grep -q ',valid,' "$tmp/afrinic.got" && ok || bad "afrinic: no valid route"
grep -q ',invalid-as,' "$tmp/afrinic.got" && ok || bad "afrinic: no invalid route (there is one)"

# totals and per-origin counts agree with the per-route list
"$L" rpki validate --vrps "$csv" "$ris"/*.gz 2>/dev/null > "$tmp/total"
want=$(awk -F, '{ n++; s[$3]++ } END { printf "%d,%d,%d,%d,%d,%d", n, s["valid"],
    s["invalid-as"] + s["invalid-length"], s["invalid-as"], s["invalid-length"], s["not-found"] }' "$tmp/afrinic.got")
[ "$(tail -1 "$tmp/total")" = "$want" ] && ok || bad "total $(tail -1 "$tmp/total") != $want"
"$L" rpki validate --vrps "$csv" --by origin --format jsonl "$ris"/*.gz 2>/dev/null > "$tmp/origin"
sum=$(python3 -c '
import json, sys
t = [0, 0, 0]
for l in open(sys.argv[1]):
    o = json.loads(l); t[0] += o["routes"]; t[1] += o["valid"]; t[2] += o["not_found"]
print("%d,%d,%d" % tuple(t))' "$tmp/origin")
[ "$sum" = "$(echo "$want" | cut -d, -f1,2,6)" ] && ok || bad "per-origin sums $sum"

# bad input: one clear line each, the right exit status
printf 'ASN,IP Prefix,Max Length\nAS1,10.0.0.0/8,8\nAS2,10.0.0.1/8,8\nASx,10.0.0.0/8,8\nAS3,10.0.0.0/16,12\n' > "$tmp/bad.csv"
"$L" rpki validate --vrps "$tmp/bad.csv" "$ris"/*.gz > /dev/null 2> "$tmp/bad.err"; rc=$?
[ $rc -eq 1 ] && ok || bad "bad VRP lines: exit $rc, want 1"
grep -q 'bad.csv: line 3: prefix has host bits set' "$tmp/bad.err" && ok || bad "no line-3 report: $(cat "$tmp/bad.err")"
grep -q 'bad.csv: line 4: bad ASN' "$tmp/bad.err" && ok || bad "no line-4 report"
grep -q 'bad.csv: line 5: max length' "$tmp/bad.err" && ok || bad "no line-5 report"
printf 'hello,world\n1,2\n' > "$tmp/foreign.csv"
"$L" rpki validate --vrps "$tmp/foreign.csv" "$ris"/*.gz > /dev/null 2> "$tmp/f.err"; rc=$?
[ $rc -eq 3 ] && [ "$(wc -l < "$tmp/f.err")" -eq 1 ] && grep -q 'not a VRP CSV export' "$tmp/f.err" && ok ||
    bad "foreign file: exit $rc: $(cat "$tmp/f.err")"
"$L" rpki validate --vrps "$tmp/nonexistent" "$ris"/*.gz > /dev/null 2> "$tmp/n.err"; rc=$?
[ $rc -eq 3 ] && [ "$(wc -l < "$tmp/n.err")" -eq 1 ] && ok || bad "missing VRP file: exit $rc"
"$L" rpki validate "$ris"/*.gz > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "no --vrps: exit $rc, want 2"
"$L" rpki validate --help | grep -q 'RFC 6811' && ok || bad "--help"
cat "$csv" | "$L" rpki validate --vrps /dev/stdin "$ris"/*.gz 2>/dev/null | tail -1 > "$tmp/pipe"
[ "$(cat "$tmp/pipe")" = "$want" ] && ok || bad "VRPs from a pipe: $(cat "$tmp/pipe")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
