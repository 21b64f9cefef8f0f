#!/bin/bash
# Differential test: `lifeline mrt dump` against the reference output of
# Debian's `bgpdump -m` 1.6.2, whose SHA-256 for every archive is recorded in
# ../shared/data/PROVENANCE.md (made independently of this project). Where
# bgpdump is wrong (docs/mrt.md), our output is first mapped back through
# bgpdump's bug and must then match, or is checked against an independent
# source; damaged archives are checked for what they must report.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
T=${LL_TEST_DATA:-tests/data}
P=$D/PROVENANCE.md
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Crafted records (tests/data/bgp/make.sh) against the output bgpdump gave
# for them, kept beside them; and against bgpdump itself when installed.
for want in "$T"/bgp/*.bgpdump; do
	f=${want%.bgpdump}.mrt
	"$L" mrt dump "$f" > "$tmp/out" 2> "$tmp/err"; rc=$?
	if [ $rc -eq 0 ] && [ -s "$want" ] && cmp -s "$tmp/out" "$want" &&
	    [ ! -s "$tmp/err" ]
	then ok; else bad "${f##*/}: rc=$rc, output differs from ${want##*/}: $(head -1 "$tmp/err")"; fi
	if command -v bgpdump > /dev/null; then
		bgpdump -m "$f" 2>/dev/null | cmp -s - "$want" && ok ||
		    bad "${want##*/} is not what bgpdump -m prints"
	fi
done

if [ ! -f "$P" ] || [ ! -d "$D/mrt" ]; then
	echo "SKIP: $D/mrt or PROVENANCE.md absent ($pass crafted checks passed, $fail failed)"
	[ $fail -eq 0 ] && exit 77
	exit 1
fi

# group/file -> reference sha256 of `bgpdump -m` output
awk -F'|' '
/^#### `mrt\// { g = $0; sub(/^#### `mrt\//, "", g); sub(/\/`.*/, "", g) }
/^\| `/ && g != "" { f = $2; gsub(/[ `]/, "", f); h = $(NF-1); gsub(/[ `]/, "", h);
	if (length(h) == 64 && h ~ /^[0-9a-f]+$/) print g "/" f, h }
/^#### / && $0 !~ /mrt\// { g = "" }' "$P" > "$tmp/ref"
[ -s "$tmp/ref" ] || { echo "FAIL: no MRT references parsed from PROVENANCE.md"; exit 1; }

# Files whose bgpdump output is wrong, and how we map ours back to it.
declare -A mapper=(
	[bgpkit/rrc00.updates.19990903.1041.gz]=w_static
	[bgpkit/rrc00.updates.19991214.1621.gz]=w_static
	[bgpkit/rrc00.updates.20000102.2014.gz]=w_static
	[mrtparse/openbgpd_rib_table]=agg16
)
# bgpdump printed the prefix of deprecated-BGP withdrawals with inet_ntoa's
# static buffer, so the peer address appears in its place.
w_static() { awk -F'|' 'BEGIN{OFS="|"} $1=="BGP" && $3=="W" { split($6, p, "/"); $6 = $4 "/" p[2] } { print }'; }
# bgpdump read OpenBGPD's 4-octet AGGREGATOR in TABLE_DUMP as a 2-octet AS
# and an address made of the AS's low half and half the real address.
agg16() { awk -F'|' 'BEGIN{OFS="|"} $1=="TABLE_DUMP" && $14 != "" {
	split($14, a, " "); split(a[2], ip, ".");
	as = a[1] + 0; hi = int(as / 65536); lo = as % 65536;
	$14 = hi " " int(lo / 256) "." (lo % 256) "." ip[1] "." ip[2] } { print }'; }

# Checked separately below.
declare -A special=(
	[bgpkit/rrc00.bview.20000111.0032.gz]=1
	[bgpkit/rrc00.updates.20000325.0345.gz]=1
	[mrtparse/bird_bgp]=1 [mrtparse/bird6_bgp]=1
	[mrtparse/openbgpd_rib_table-mp]=1
	[ripe-bgpdump/updates.nlri_mask_trailing_bits.gz]=1
)

while read -r rel want; do
	f=$D/mrt/$rel
	[ -f "$f" ] || { bad "$rel listed but absent"; continue; }
	[ -n "${special[$rel]:-}" ] && continue
	"$L" mrt dump "$f" > "$tmp/out" 2> "$tmp/err"
	m=${mapper[$rel]:-cat}
	got=$($m < "$tmp/out" | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then ok; else bad "$rel: output differs from bgpdump -m (mapper $m)"; fi
done < "$tmp/ref"

# Truncated bzip2 RIBs: every whole record printed, the cut reported.
for f in pyasn/rib.20080501.0644_firstMB.bz2 pyasn/rib.20140523.0600_firstMB.bz2; do
	"$L" mrt dump "$D/mrt/$f" > /dev/null 2> "$tmp/err"; rc=$?
	if [ $rc -eq 1 ] && grep -q "offset [0-9]*: .*truncated.*bzip2\|bzip2.*truncated\|ends early\|stream truncated" "$tmp/err"
	then ok; else bad "$f: want exit 1 and a truncation report, got $rc: $(head -2 "$tmp/err")"; fi
done
# A RIB without its PEER_INDEX_TABLE: each record reported once.
"$L" mrt dump "$D/mrt/pyasn/bview.20140112.1600_3samples.bz2" > "$tmp/out" 2> "$tmp/err"; rc=$?
n=$(grep -c "PEER_INDEX_TABLE" "$tmp/err")
if [ $rc -eq 1 ] && [ "$n" -eq 3 ] && [ ! -s "$tmp/out" ]; then ok; else bad "3samples: rc=$rc reports=$n"; fi
# --strict stops at the first bad record.
"$L" mrt dump --strict "$D/mrt/pyasn/bview.20140112.1600_3samples.bz2" > /dev/null 2> "$tmp/err"; rc=$?
n=$(grep -c "PEER_INDEX_TABLE" "$tmp/err")
if [ $rc -eq 1 ] && [ "$n" -eq 1 ]; then ok; else bad "--strict: rc=$rc reports=$n"; fi

# BIRD dumped ADD-PATH sessions under plain subtypes: bgpdump prints 0.0.0.0/0
# garbage; we read the path ids. Same routes as the BIRD dump that uses the
# RFC 8050 subtypes (made by the same setup) are all among ours.
for p in bird bird6; do
	"$L" mrt dump "$D/mrt/mrtparse/${p}_bgp" > "$tmp/a" 2> "$tmp/err"; rc=$?
	"$L" mrt dump "$D/mrt/mrtparse/${p}-mrtdump_bgp" > "$tmp/b" 2>/dev/null
	grep '|A|' "$tmp/a" | cut -d'|' -f6,8- | sort -u > "$tmp/x"
	grep '|A|' "$tmp/b" | cut -d'|' -f6,8- | sort -u > "$tmp/y"
	missing=$(comm -13 "$tmp/x" "$tmp/y" | wc -l)
	z=$(grep -c '0\.0\.0\.0/0' "$tmp/a")
	if [ $rc -eq 0 ] && [ "$missing" -eq 0 ] && [ "$z" -eq 0 ] && [ -s "$tmp/x" ]; then ok
	else bad "${p}_bgp: rc=$rc routes differ from ${p}-mrtdump_bgp or 0/0 garbage ($z)"; fi
done

# BGP4MP_ENTRY (OpenBGPD table-mp): bgpdump prints nothing; our routes are
# those of the same router's TABLE_DUMP_V2 dump.
"$L" mrt dump "$D/mrt/mrtparse/openbgpd_rib_table-mp" > "$tmp/a" 2>/dev/null; rc=$?
"$L" mrt dump "$D/mrt/mrtparse/openbgpd_rib_table-v2" > "$tmp/b" 2>/dev/null
if [ $rc -eq 0 ] && [ -s "$tmp/a" ] && diff -q <(cut -d'|' -f6- "$tmp/a" | sort) <(cut -d'|' -f6- "$tmp/b" | sort) >/dev/null
then ok; else bad "openbgpd_rib_table-mp: routes differ from openbgpd_rib_table-v2"; fi

# An UPDATE whose NLRI ends with a cut prefix: bgpdump drops the cut one and
# prints 11.13.0.0/13 unmasked; we report the record and print none of it.
"$L" mrt dump "$D/mrt/ripe-bgpdump/updates.nlri_mask_trailing_bits.gz" > "$tmp/a" 2> "$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/a" ] && grep -q "offset 0: BGP4MP record: NLRI: prefix /11" "$tmp/err"
then ok; else bad "nlri_mask_trailing_bits: rc=$rc $(head -1 "$tmp/err")"; fi

# Two damaged boundaries: both reported with their offsets, the rest decoded.
"$L" mrt dump "$D/mrt/bgpkit/rrc00.updates.20000325.0345.gz" > "$tmp/a" 2> "$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "offset 188: " "$tmp/err" && grep -q "offset 14756: " "$tmp/err" &&
   [ "$(grep -c ': offset ' "$tmp/err")" -eq 2 ] &&
   [ "$(awk -F'|' '$2 < 953955900 || $2 > 953957100' "$tmp/a" | wc -l)" -eq 0 ] &&
   [ "$(wc -l < "$tmp/a")" -gt 2046 ]
then ok; else bad "rrc00.updates.20000325.0345: rc=$rc $(head -3 "$tmp/err")"; fi

# Early Zebra TABLE_DUMP: records batch many routes and declare lengths 4
# bytes short. bgpdump prints the first route and gives up; we read on with
# the corrected length, say so once, and the first line is bgpdump's line.
f=bgpkit/rrc00.bview.20000111.0032.gz
"$L" mrt dump "$D/mrt/$f" > "$tmp/a" 2> "$tmp/err"; rc=$?
want=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/ref")
first=$(head -1 "$tmp/a" | sha256sum | cut -d' ' -f1)
if [ $rc -eq 1 ] && [ "$(grep -c ': offset ' "$tmp/err")" -eq 1 ] &&
   grep -q "offset 0: TABLE_DUMP record length is 4 bytes short" "$tmp/err" &&
   [ "$first" = "$want" ] && [ "$(wc -l < "$tmp/a")" -gt 400000 ] &&
   [ "$(cut -d'|' -f1,3 "$tmp/a" | sort -u)" = "TABLE_DUMP|B" ]
then ok; else bad "$f: rc=$rc $(head -2 "$tmp/err")"; fi

echo "bgpdump differential: $pass passed, $fail failed"
[ $fail -eq 0 ]
