#!/bin/bash
# watch generate and routing check on the real 2021 RIS update files: the
# generated watchlist holds exactly the prefixes bgpdump shows the ASes
# originating, raises no alert on the files it came from, and the
# monitors fire on real routes once it is edited (another expected
# origin: hijack; an upstream removed: new-upstream).
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
ris=$D/mrt/ris-2021-gatech-cs6250
[ -d "$ris" ] || { echo "SKIP: $ris is absent"; exit 77; }
command -v bgpdump >/dev/null || { echo "SKIP: bgpdump is not installed"; exit 77; }
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$L" watch generate --asn 11830 --asn AS17439 --asn 18881 --neighbours \
    -o "$tmp/w.yml" "$ris"/*.gz 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "generate: exit $rc: $(cat "$tmp/err")"
# the oracle: prefixes of A and B lines whose origin is one of the ASes
for f in "$ris"/*.gz; do bgpdump -m "$f" 2>/dev/null; done |
    awk -F'|' '$3 == "A" || $3 == "B" { n = split($7, a, " ");
	if (a[n] == 11830 || a[n] == 17439 || a[n] == 18881) print $6 }' |
    sort -u > "$tmp/want"
python3 - "$tmp/w.yml" > "$tmp/got" <<'PY'
import sys
for line in open(sys.argv[1]):
    if line[0] not in " #o\n" and line.rstrip().endswith(":"):
        print(line.rstrip()[:-1])
PY
sort -o "$tmp/got" "$tmp/got"
[ "$(wc -l < "$tmp/want")" -gt 1000 ] && ok || bad "oracle: only $(wc -l < "$tmp/want") prefixes"
cmp -s "$tmp/want" "$tmp/got" && ok || { bad "generated prefixes differ from bgpdump's:"; diff "$tmp/want" "$tmp/got" | head -5; }
# a prefix of two origins lists both
grep -A4 '^2804:7f7::/35:' "$tmp/w.yml" | tr -d '\n' | grep -q -- '- 10429    - 18881' && ok || bad "MOAS prefix: $(grep -A4 '^2804:7f7::/35:' "$tmp/w.yml")"

"$L" routing check --watchlist "$tmp/w.yml" "$ris"/*.gz > "$tmp/alerts" 2> "$tmp/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "check: exit $rc: $(cat "$tmp/err")"
[ -s "$tmp/alerts" ] && bad "alerts on the files the list came from: $(head -3 "$tmp/alerts")" || ok
grep -q '1555 watched prefixes, 3 watched ASes, 64893 route elements, 0 alerts' "$tmp/err" && ok || bad "summary: $(cat "$tmp/err")"

# edited: 2800:d300:4800::/37 (29 announcements) expects AS64496; AS11830
# loses upstream 1239
python3 - "$tmp/w.yml" > "$tmp/e.yml" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out, i, sect = [], 0, None
while i < len(lines):
    l = lines[i]
    if l == "2800:d300:4800::/37:":
        out += [l, '  description: "edited"', "  asn: 64496"]
        i += 1
        while lines[i].startswith("  "):
            if lines[i].startswith("  ignore") or lines[i].startswith("  group"):
                out.append(lines[i])
            i += 1
        continue
    if l == "    11830:":
        sect = 11830
    elif l.startswith("    1") and l.endswith(":"):
        sect = None
    if not (sect == 11830 and l == "        - 1239"):
        out.append(l)
    i += 1
print("\n".join(out), end="")
PY
"$L" routing check --watchlist "$tmp/e.yml" "$ris"/*.gz > "$tmp/alerts" 2> "$tmp/err"
grep -q '^{"type":"hijack","prefix":"2800:d300:4800::/37","watch_prefix":"2800:d300:4800::/37","description":"edited","group":"default","expected_origin":\[64496\],"seen_origin":11830,' "$tmp/alerts" && ok || bad "no hijack on the edited prefix: $(head -c 600 "$tmp/alerts")"
grep -q '"type":"new-upstream".*"watched_as":11830,"group":"default","neighbour":1239,"expected_upstreams":\[1299\]' "$tmp/alerts" && ok || bad "no new upstream 1239: $(grep new-up "$tmp/alerts" | head -c 600)"
grep -v '"prefix":"2800:d300:4800::/37"' "$tmp/alerts" | grep -v '"neighbour":1239' | grep -q . && bad "other alerts: $(grep -v 2800:d300:4800 "$tmp/alerts" | grep -v '"neighbour":1239' | head -c 600)" || ok

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
