#!/bin/bash
# The evidence log through the CLI on a real store (two RIS update files
# ingested): keygen, record, list, verify, export; the exported log checked
# with standard tools alone (openssl, sha256sum, python3's json), as a
# third party would; a tampered copy refused with the record named.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
ris=$D/mrt/ris-2021-gatech-cs6250
[ -d "$ris" ] || { echo "SKIP: $ris is absent"; exit 77; }
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
# shellcheck source=../store_db.sh
. "${LL_SOURCE_ROOT:?}/tests/store_db.sh"
store_db evidence_cli s.db	# or a PostgreSQL database (LL_TEST_BACKEND)

"$L" ingest bgp --db "$DB" --full-feed 50% --warmup 5m "$ris"/*.gz 2>/dev/null ||
    { echo "FAIL: ingest"; exit 1; }
"$L" keygen --out k 2>err; [ $? -eq 0 ] && ok || bad "keygen: $(cat err)"
[ "$(stat -c %a k)" = 600 ] && ok || bad "secret key mode $(stat -c %a k)"
"$L" keygen --out k 2>err; [ $? -eq 3 ] && grep -q 'never overwritten' err && ok ||
    bad "keygen overwrote: $(cat err)"
set -f	# $R holds the URL, whose '?' is no pattern
R="--db $DB --key k --signal bgp --from 2021-01-01T04:55Z --to 2021-01-01T05:05Z"
"$L" evidence record $R --entity asn:8452 --note 'AS8452, two files' 2>err &&
    grep -q 'record 1 appended' err && ok || bad "record 1: $(cat err)"
"$L" evidence record $R --entity country:EG 2>err && ok || bad "record 2: $(cat err)"
"$L" evidence record $R --entity asn:4294967295 2>err; rc=$?
[ $rc -eq 1 ] && grep -q 'no point' err && ok || bad "a series with no point: exit $rc"
[ "$("$L" evidence list --db "$DB" | wc -l)" -eq 3 ] && ok || bad "list"
"$L" evidence verify --db "$DB" --pub k.pub 2>err && grep -q '2 records verified' err &&
    ok || bad "verify store: $(cat err)"
"$L" evidence export --db "$DB" --out log 2>err && ok || bad "export: $(cat err)"
"$L" evidence verify --log log --pub k.pub 2>/dev/null && ok || bad "verify log"
# the record holds the points and the archives' SHA-256
python3 - log "$ris" <<'PY' && ok || bad "record content"
import hashlib, json, os, sys
rec = json.loads(open(sys.argv[1]).readline())
body = rec["body"]
assert rec["v"] == 1 and rec["seq"] == 1 and rec["kind"] == "snapshot"
assert body["entity"] == "asn:8452" and len(body["points"]) >= 1
names = {a["name"]: a["sha256"] for a in body["archives"]}
for f in os.listdir(sys.argv[2]):
    if f in names:
        assert names[f] == hashlib.sha256(open(os.path.join(sys.argv[2], f), "rb").read()).hexdigest()
assert names, "no archive listed"
PY
# a third party: openssl for the signatures, sha256sum for the chain
if command -v openssl >/dev/null && command -v xxd >/dev/null; then
	for n in 1 2; do
		sed -n "$((2 * n - 1))p" log | tr -d '\n' > msg
		sed -n "$((2 * n))p" log | cut -c5- | xxd -r -p > sig
		openssl pkeyutl -verify -pubin -inkey k.pub.pem -rawin -in msg \
		    -sigfile sig >/dev/null 2>&1 && ok || bad "openssl: record $n"
	done
	h=$(sed -n 1,2p log | sha256sum | cut -c1-64)
	p=$(sed -n 3p log | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["prev"])')
	[ "$h" = "$p" ] && ok || bad "sha256sum chain: $h != $p"
fi
# tampered: one digit of a value changed
sed '1s/"points":\[\["\([^"]*\)",\([0-9]\)/"points":[["\1",9/' log > log2
cmp -s log log2 && bad "the tampering changed nothing"
"$L" evidence verify --log log2 2>err; rc=$?
[ $rc -eq 1 ] && grep -q 'record 1: the signature does not match' err && ok ||
    bad "tampered log: exit $rc: $(cat err)"
# a log written by an earlier build (tests/data/evidence) still verifies:
# the format is stable
F=${LL_TEST_DATA:-tests/data}/evidence
"$L" evidence verify --log "$F/three-records.log" --pub "$F/three-records.pub" 2>err &&
    grep -q '3 records verified' err && ok || bad "fixture log: $(cat err)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
