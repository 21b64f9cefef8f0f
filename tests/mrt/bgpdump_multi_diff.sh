#!/bin/bash
# Differential test: `lifeline mrt dump -H` against Debian's `bgpdump -H`
# (its multi-line text) run here on every shared archive and crafted record.
# Where our reader deliberately differs from bgpdump's (docs/mrt.md), the
# difference itself is checked.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
T=${LL_TEST_DATA:-tests/data}
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! command -v bgpdump > /dev/null; then
	echo "SKIP: bgpdump is not installed (scripts/deps.sh check installs it)"
	exit 77
fi
if [ ! -d "$D/mrt" ]; then
	echo "SKIP: $D/mrt absent"
	exit 77
fi

same() {	# FILE: our -H output is bgpdump's, byte for byte
	"$L" mrt dump -H -q "$1" > "$tmp/ours" 2> /dev/null
	bgpdump -H "$1" > "$tmp/ref" 2> /dev/null
	if [ -s "$tmp/ref" ] && cmp -s "$tmp/ours" "$tmp/ref"; then ok
	else bad "${1#"$D"/}: differs from bgpdump -H: $(diff "$tmp/ref" "$tmp/ours" | head -3 | tr '\n' ' ')"; fi
}

# The early Zebra files and the crafted records go through the same check.
for f in "$T"/bgp/bgpls_update.mrt "$T"/bgp/unknown_afi_update.mrt; do same "$f"; done

declare -A special=(
	[bgpkit/rrc00.bview.20000111.0032.gz]=1
	[bgpkit/rrc00.updates.20000325.0345.gz]=1
	[mrtparse/bird_bgp]=1 [mrtparse/bird6_bgp]=1
	[mrtparse/openbgpd_rib_table]=1
	[mrtparse/openbgpd_rib_table-mp]=1
	[ripe-bgpdump/updates.nlri_mask_trailing_bits.gz]=1
	[pyasn/bview.20140112.1600_3samples.bz2]=1
)
n=0
while read -r f; do
	rel=${f#"$D"/mrt/}
	[ -n "${special[$rel]:-}" ] && continue
	same "$f"; n=$((n + 1))
done < <(find "$D/mrt" -type f ! -path '*/expect/*' | sort)
[ $n -ge 30 ] && ok || bad "only $n archives compared"

# bgpdump read OpenBGPD's 4-octet AGGREGATOR in TABLE_DUMP as a 2-octet AS
# and an address made of the AS's low half and half the real address: map
# ours through that bug, then the rest must match.
f=$D/mrt/mrtparse/openbgpd_rib_table
"$L" mrt dump -H "$f" | awk '/^AGGREGATOR: AS/ {
	as = substr($2, 3) + 0; split($3, ip, "."); lo = as % 65536;
	$0 = "AGGREGATOR: AS" int(as / 65536) " " int(lo / 256) "." (lo % 256) "." ip[1] "." ip[2] } { print }' > "$tmp/ours"
bgpdump -H "$f" 2>/dev/null | cmp -s - "$tmp/ours" && ok || bad "openbgpd_rib_table: differs beyond the AGGREGATOR bug"

# Early Zebra TABLE_DUMP batches: bgpdump prints the first route and gives
# up; our first block is its block, and every route follows.
f=$D/mrt/bgpkit/rrc00.bview.20000111.0032.gz
"$L" mrt dump -H -q "$f" > "$tmp/ours" 2>/dev/null; rc=$?
bgpdump -H "$f" 2>/dev/null > "$tmp/ref"
if [ $rc -eq 1 ] && head -c "$(wc -c < "$tmp/ref")" "$tmp/ours" | cmp -s - "$tmp/ref" &&
   [ "$(grep -c '^PREFIX: ' "$tmp/ours")" -eq "$("$L" mrt dump -q "$f" 2>/dev/null | wc -l)" ]
then ok; else bad "rrc00.bview.20000111.0032: rc=$rc, first block or route count differs"; fi

# BGP4MP_ENTRY, which bgpdump cannot read: the routes of the same router's
# TABLE_DUMP_V2 dump.
"$L" mrt dump -H "$D/mrt/mrtparse/openbgpd_rib_table-mp" > "$tmp/a" 2>/dev/null; rc=$?
"$L" mrt dump -H "$D/mrt/mrtparse/openbgpd_rib_table-v2" > "$tmp/b" 2>/dev/null
if [ $rc -eq 0 ] && grep -q '^TYPE: BGP4MP/ENTRY' "$tmp/a" &&
   diff -q <(grep '^PREFIX: ' "$tmp/a" | sort) <(grep '^PREFIX: ' "$tmp/b" | sort) > /dev/null
then ok; else bad "openbgpd_rib_table-mp: rc=$rc, prefixes differ from the TABLE_DUMP_V2 dump"; fi

# Damaged records: reported, never half printed.
f=$D/mrt/ripe-bgpdump/updates.nlri_mask_trailing_bits.gz
"$L" mrt dump -H "$f" > "$tmp/a" 2> "$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/a" ] && [ -s "$tmp/err" ]; then ok; else bad "nlri_mask_trailing_bits: rc=$rc"; fi

# Filters keep whole records: those with an element that passes.
f=$D/mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz
"$L" mrt dump -H --peer-asn 513 --type A "$f" > "$tmp/a" 2>/dev/null
want=$("$L" mrt dump --peer-asn 513 --type A "$f" | wc -l)
if [ "$want" -gt 0 ] && [ -s "$tmp/a" ] && ! grep '^FROM: ' "$tmp/a" | grep -qv ' AS513$'
then ok; else bad "-H --peer-asn 513: blocks from other peers"; fi
if [ "$(grep -c '^  ' "$tmp/a")" -ge "$want" ] && ! grep -q '^TYPE: .*Keepalive' "$tmp/a"
then ok; else bad "-H --peer-asn 513 --type A: fewer prefixes than the $want lines of -m, or keepalives"; fi

echo "bgpdump -H differential: $pass passed, $fail failed"
[ $fail -eq 0 ]
