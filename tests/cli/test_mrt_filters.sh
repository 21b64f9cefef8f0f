#!/bin/sh
# `lifeline mrt dump`'s bgpreader-style filters on real archives: each
# filtered dump is exactly the lines of the unfiltered one (bgpdump -m's,
# checked against bgpdump by tests/mrt/bgpdump_diff.sh) that the filter
# names, selected here with awk on the unfiltered text; JSONL names the
# collector and the file; bgpdump's -m is accepted.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
UPD=$D/mrt/ris-2021-gatech-cs6250/ris.rrc04.updates.1609476900.300.gz
RIB=$D/mrt/ripe-bgpdump/bview.20020722.2337.gz
[ -f "$UPD" ] && [ -f "$RIB" ] || { echo "skip: $UPD or $RIB absent"; exit 77; }
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$L" mrt dump "$UPD" > "$tmp/all" || fail "unfiltered dump"
"$L" mrt dump -m "$UPD" | cmp -s - "$tmp/all" || fail "-m differs from the default"
"$L" mrt dump "$RIB" > "$tmp/rib" || fail "unfiltered RIB dump"

# same NAME AWK-CONDITION FILE -- FILTER...: the filtered dump of FILE is
# the unfiltered lines AWK-CONDITION keeps, and not empty.
same() {
	name=$1 cond=$2 all=$3 file=$4; shift 5
	awk -F'|' "$cond" "$all" > "$tmp/want"
	"$L" mrt dump "$@" "$file" > "$tmp/got" 2> "$tmp/err" ||
	    { fail "$name: exit $?: $(cat "$tmp/err")"; return; }
	[ -s "$tmp/want" ] || fail "$name: the case selects nothing"
	cmp -s "$tmp/want" "$tmp/got" ||
	    fail "$name: $(wc -l < "$tmp/got") lines, want $(wc -l < "$tmp/want")"
}
same "--type W" '$3 == "W"' "$tmp/all" "$UPD" -- --type W
same "--type A,STATE" '$3 == "A" || $3 == "STATE"' "$tmp/all" "$UPD" -- --type A,STATE
same "--peer-asn" '$5 == 29222 || $5 == 25091' "$tmp/all" "$UPD" -- \
	--peer-asn 29222 --peer-asn AS25091
same "--origin-asn" '$3 == "A" && $7 ~ /(^| )132116$/' "$tmp/all" "$UPD" -- \
	--origin-asn 132116
same "--prefix exact" '$6 == "45.248.172.0/24"' "$tmp/all" "$UPD" -- \
	--prefix 45.248.172.0/24
same "--more-specific" '$6 ~ /^45\.248\.17[2-5]\./' "$tmp/all" "$UPD" -- \
	--prefix 45.248.172.0/22 --more-specific
same "--less-specific" '$6 == "45.248.172.0/22" || $6 == "45.248.172.0/23" || $6 == "45.248.172.0/24" || $6 == "45.248.0.0/16"' \
	"$tmp/all" "$UPD" -- --prefix 45.248.172.0/24 --less-specific
same "--from --to" '$2 >= 1609477000 && $2 < 1609477100' "$tmp/all" "$UPD" -- \
	--from 2021-01-01T04:56:40Z --to @1609477100
same "RIB --type B --prefix" '$6 ~ /^193\./' "$tmp/rib" "$RIB" -- \
	--type B --prefix 193.0.0.0/8 --more-specific
same "--collector" '1' "$tmp/all" "$UPD" -- --collector rrc04

"$L" mrt dump --collector rrc00 "$UPD" > "$tmp/got" 2> "$tmp/err" || fail "--collector rrc00: exit $?"
[ ! -s "$tmp/got" ] || fail "--collector rrc00 printed rrc04's lines"
cp "$UPD" "$tmp/noname.gz"
"$L" mrt dump --collector rrc04 "$tmp/noname.gz" > "$tmp/got" 2> "$tmp/err"
[ ! -s "$tmp/got" ] && grep -q "^lifeline: warning: mrt dump: .*names no collector" "$tmp/err" ||
	fail "a file without a collector in its path: $(cat "$tmp/err")"

# bgpdump's -M (dates, 8 fields), as bgpdump prints it, also filtered.
if command -v bgpdump >/dev/null; then
	bgpdump -M "$UPD" 2>/dev/null > "$tmp/want"
	"$L" mrt dump -M "$UPD" > "$tmp/got" 2> "$tmp/err" || fail "-M: exit $?"
	cmp -s "$tmp/want" "$tmp/got" || fail "-M differs from bgpdump -M: $(diff "$tmp/want" "$tmp/got" | head -n 3)"
	bgpdump -M "$UPD" 2>/dev/null | awk -F'|' '$3 == "W"' > "$tmp/want"
	"$L" mrt dump -M --type W "$UPD" | cmp -s "$tmp/want" - || fail "-M --type W"
else
	echo "note: bgpdump is not installed; -M not compared"
fi

# JSONL: the collector and the file on every object.
"$L" mrt dump --format=jsonl --type W --peer-asn 29222 "$UPD" > "$tmp/got"
n=$(wc -l < "$tmp/got")
[ "$n" = "$(awk -F'|' '$3 == "W" && $5 == 29222' "$tmp/all" | wc -l)" ] || fail "jsonl filtered: $n lines"
[ "$(grep -c ",\"collector\":\"rrc04\",\"file\":\"$UPD\"}\$" "$tmp/got")" = "$n" ] ||
	fail "jsonl objects without collector and file: $(head -n 1 "$tmp/got")"

# Usage errors: one line, exit 2.
for args in "--type X" "--prefix 1.2.3" "--more-specific" "--peer-asn x" "--from 20210101" "--format=bgpdump-x"; do
	"$L" mrt dump $args "$UPD" > "$tmp/got" 2> "$tmp/err"; rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^lifeline: mrt dump: ' "$tmp/err" ||
		fail "mrt dump $args: exit $rc: $(cat "$tmp/err")"
done

[ "$fails" = 0 ] || exit 1
echo "mrt dump filters: ok"
