#!/bin/bash
# `lifeline resilience`: crafted topologies whose figures were computed by
# hand (tests/data/resilience/*.routes say how; mkrib.py writes them as
# TABLE_DUMP_V2 RIBs, and withdrawals as BGP4MP updates), then the real RIBs
# (RouteViews 2014, RIS 2002) and RIS updates of 2021 against an
# independent computation (resilience_oracle.py over Debian
# bgpdump's reading of the same archives), and usage errors.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
T=${LL_TEST_DATA:?}/resilience
here=$(cd "$(dirname "$0")" && pwd)
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# crafted: exact figures
for c in single star disjoint withdrawn; do
	python3 "$here/mkrib.py" "$tmp/$c.mrt" < "$T/$c.routes"
	"$L" resilience --format csv --entity country:ZA --rir "$T/delegated-test" "$tmp/$c.mrt" > "$tmp/$c.csv" 2> "$tmp/$c.err"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "$c: exit $rc: $(cat "$tmp/$c.err")"
	cmp -s "$tmp/$c.csv" "$T/$c.expected" && ok || { bad "$c:"; diff "$T/$c.expected" "$tmp/$c.csv"; }
done
"$L" resilience --entity country:ZA --rir "$T/delegated-test" "$tmp/single.mrt" | head -1 > "$tmp/head"
[ "$(cat "$tmp/head")" = "country:ZA: 4 prefixes, 1024 addresses, 4 origin ASes; 10 peers in 10 ASes; 1 international gateways, 1 transit networks" ] &&
    ok || bad "single: summary $(cat "$tmp/head")"
"$L" resilience --format json --entity country:ZA --rir "$T/delegated-test" "$tmp/star.mrt" > "$tmp/star.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert (j["peers"], j["peer_ases"], j["gateways"], j["transits"]) == (11, 10, 4, 1), j' "$tmp/star.json" &&
    ok || bad "star: JSON summary"
# a country with no route: a warning, no rows
"$L" resilience --format csv --entity country:FR --rir "$T/delegated-test" "$tmp/single.mrt" > "$tmp/fr" 2> "$tmp/fr.err"
[ "$(wc -l < "$tmp/fr")" -eq 1 ] && grep -q 'no route to country:FR' "$tmp/fr.err" && ok || bad "no route: $(cat "$tmp/fr.err")"

# usage
"$L" resilience "$tmp/single.mrt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no --entity: not a usage error"
"$L" resilience --entity asn:1 "$tmp/single.mrt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--entity asn:1"
"$L" resilience --entity country:ZA --format xml "$tmp/single.mrt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--format xml"
"$L" resilience --entity country:ZA --family ipv5 "$tmp/single.mrt" > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--family ipv5"
"$L" resilience --entity country:ZA --rir "$T/delegated-test" "$tmp/none.mrt" > /dev/null 2> "$tmp/n.err"
[ $? -eq 3 ] && [ "$(wc -l < "$tmp/n.err")" -eq 1 ] && ok || bad "missing archive: $(cat "$tmp/n.err")"
"$L" resilience --help | grep -q 'trimmed mean' && ok || bad "--help"

# real RIBs against the oracle
R=$D/registry/rir-delegated
rib14=$D/mrt/pyasn/rib.20140523.0600_firstMB.bz2
rib02=$D/mrt/ripe-bgpdump/bview.20020722.2337.gz
if [ ! -f "$rib14" ] || [ ! -f "$rib02" ] || [ ! -f "$R/delegated-apnic-20140630" ]; then
	echo "SKIP: real RIBs or delegated files absent in $D"; exit 77
fi
command -v bgpdump >/dev/null || { echo "SKIP: bgpdump is not installed"; exit 77; }
real() {	# name, archives (a space-separated list), delegated, cc, least peer ASes[, ipv6]
	for f in $2; do bgpdump -m "$f" 2>/dev/null; done | python3 "$here/resilience_oracle.py" "$3" "$4" ${6:-} > "$tmp/$1.want"
	"$L" resilience -q --format json --family "${6:-ipv4}" --entity "country:$4" --rir "$3" $2 > "$tmp/$1.got" 2>/dev/null
	if python3 "$here/rescmp.py" "$tmp/$1.got" "$tmp/$1.want"; then ok; else bad "$1: lifeline and the oracle differ"; fi
	python3 - "$tmp/$1.got" "$5" <<'PY' && ok || bad "$1: too little seen"
import json, sys
j = json.load(open(sys.argv[1]))
print("%s %s: %d prefixes, %d peer ASes, %d gateways, top %s" % (j["entity"], j["family"], j["prefixes"], j["peer_ases"], j["gateways"],
      [(a["asn"], round(a["hegemony"], 3)) for a in j["ases"][:3]]))
assert j["peer_ases"] >= int(sys.argv[2]) and j["prefixes"] >= 20 and j["gateways"] > 0
PY
}
real jp2014 "$rib14" "$R/delegated-apnic-20140630" JP 20
# the 1 MiB RIB is cut short: figures from what was read, exit status 1
"$L" resilience --format csv --entity country:JP --rir "$R/delegated-apnic-20140630" "$rib14" > /dev/null 2> "$tmp/cut.err"
[ $? -eq 1 ] && grep -q 'truncated' "$tmp/cut.err" && ok || bad "truncated RIB: $(cat "$tmp/cut.err")"
real za2002 "$rib02" "$R/delegated-afrinic-20140630" ZA 2
# IPv6, weighted by /48s: RouteViews' IPv6 RIB of 2015 (its first MiB)
# for Japan, on APNIC's delegations of 2016-01-30
rib6=$D/mrt/pyasn/rib6.20151101.0600_firstMB.bz2
if [ -f "$rib6" ] && [ -f "$R/delegated-apnic-extended-20160130" ]; then
	real jp2015v6 "$rib6" "$R/delegated-apnic-extended-20160130" JP 20 ipv6
	"$L" resilience -q --family ipv6 --entity country:JP --rir "$R/delegated-apnic-extended-20160130" "$rib6" 2>/dev/null |
	    head -1 | grep -q '^country:JP: 213 prefixes, 343437687.00 IPv6 /48s, 144 origin ASes; 27 peers in 23 ASes' && ok ||
	    bad "IPv6 table summary"
	# the IPv4 run of the same file sees none of it
	n=$("$L" resilience -q --format csv --entity country:JP --rir "$R/delegated-apnic-extended-20160130" "$rib6" 2>/dev/null | wc -l)
	[ "$n" -eq 1 ] && ok || bad "IPv4 run of an IPv6 RIB: $n lines"
else
	bad "the IPv6 RIB or APNIC's 2016 delegated file is absent"
fi
# updates: the last announcement of a peer and prefix counts
upd=$(ls "$D"/mrt/ris-2021-gatech-cs6250/*.gz 2>/dev/null | tr '\n' ' ')
if [ -n "$upd" ] && [ -f "$R/delegated-ripencc-20140630" ]; then
	real ru2021 "$upd" "$R/delegated-ripencc-20140630" RU 5
else
	bad "the 2021 RIS updates or the RIPE NCC delegated file are absent"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
