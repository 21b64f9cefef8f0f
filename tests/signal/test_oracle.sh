#!/bin/bash
# Differential test of `lifeline bgp visibility` against an independent
# oracle, tests/signal/oracle.py (Python, standard library only, written from
# IODA's definition: CAIDA bgpview's visibility, per-as-visibility and
# per-geo-visibility consumers; see its header for what was read).
#
#   test_oracle.sh crafted   the hand-made RIBs of tests/data/oracle/mkrib.py:
#                            the oracle's values against values derived by
#                            hand (each with its reason), then lifeline
#                            against the oracle
#   test_oracle.sh real      every real RIB dump of $LL_SHARED_DATA/mrt
#                            (exit 77 when absent): lifeline against the
#                            oracle, per AS
#
# The oracle reads `lifeline mrt dump --format=jsonl` (and, for one archive,
# Debian's `bgpdump -m`, so that the oracle's input does not depend on our
# decoder alone); lifeline's CSV is read at its last bin (a RIB dump is one
# state).
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
T=${LL_TEST_DATA:?}
here=$(cd "$(dirname "$0")" && pwd)
O=(python3 "$here/oracle.py")
GEN=(python3 "$T/oracle/mkrib.py")
mode=${1:-crafted}
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# lifeline's values for FILE with the given options; exit 0 or 1 (data
# errors, e.g. a truncated archive) are both a result.
life() { # out file options...
	local out=$1 f=$2; shift 2
	"$L" bgp visibility "$@" "$f" > "$out" 2> "$tmp/life.err"
	local rc=$?
	if [ $rc -gt 1 ]; then
		bad "lifeline bgp visibility $* $(basename "$f"): exit $rc: $(head -2 "$tmp/life.err")"
		return 1
	fi
}

# compare LABEL ELEMENTS LIFELINE_CSV oracle-options...
compare() {
	local label=$1 el=$2 csv=$3; shift 3
	if "${O[@]}" --label "$label" "$@" --compare "$csv" "$el" 2>> "$tmp/oracle.log"; then ok
	else bad "$label: lifeline differs from the oracle (table above)"; fi
}

# hand LABEL EXPECTED ELEMENTS oracle-options...: the oracle's whole output
# must be the values derived by hand (lines "entity,value" in EXPECTED).
# With GOT set, the oracle's values are read from that file instead (written
# by a compare run with --out, to run the oracle once on a large input).
hand() {
	local label=$1 want=$2 el=$3; shift 3
	if [ -n "${GOT:-}" ]; then cp "$GOT" "$tmp/got"
	else "${O[@]}" --label "$label" "$@" "$el" > "$tmp/got" 2>> "$tmp/oracle.log"; fi
	if diff <(sed 's/ *#.*//; /^$/d' <<< "$want" | sort) <(sort "$tmp/got") > "$tmp/d"
	then ok
	else bad "$label: the oracle differs from the values derived by hand:"; sed 's/^/    /' "$tmp/d"; fi
}

crafted() {
	"${GEN[@]}" cases "$tmp/cases.mrt" || { bad "mkrib.py cases"; return; }
	"$L" mrt dump --format=jsonl "$tmp/cases.mrt" > "$tmp/cases.jsonl" 2> "$tmp/err" ||
		bad "mrt dump of the crafted RIB: $(head -1 "$tmp/err")"
	# Peers: AS 100 (two peers), 200, 300, 400 full-feed (33-35 IPv4
	# prefixes; --full-feed=50% of the largest); AS 500 holds 2, not
	# full-feed. So 4 full-feed ASNs vote: 0.5 is 2 ASNs, 0.75 is 3.
	local t want
	want50='
asn:64999,20      # filler: 20 /24s held by every full-feed peer
asn:65001,256     # MOAS 20.0.0.0/16, 3 ASNs of 4: each origin gets it all
asn:65002,256     # the other origin of the MOAS /16
asn:65010,256     # 30.0.0.0/16 counts whole, its customer /24 included
asn:65011,1       # the customer more-specific 30.0.5.0/24 counts for both
asn:65023,1       # 40.2.0.0/24: AS 100 (65023) and AS 200 (AS_SET): 2 of 4
asn:65030,1       # two /25s in 50.0.0.0/24: the one /24 holding them
asn:65041,262144  # 4.0.0.0/6 counts (2^18 /24s); 8.0.0.0/5 (65040) does not
asn:65050,1       # 60.0.0.0/24 held by AS 100 and 200: exactly 0.5 counts
asn:65052,1       # 62.0.0.0/24: 2 ASNs of 4 (0.5) though 2 peers of 5
asn:65055,2       # 65.0.0.0/23 (3 of 4) and its own /24 inside: 2, not 3
'
	# 65020/65021/65022 (AS_SET origins), 65040 (/5), 65051 (two peers
	# of one AS: 1 ASN of 4), 65053 (AS 400 and the non-full-feed peer:
	# 1 of 4), 65054 (only the non-full-feed peer) are absent at 50%.
	hand "crafted, 50%" "$want50" "$tmp/cases.jsonl" --full-feed=50%
	hand "crafted, 50%, bgpdump -m input" "$want50" <("$L" mrt dump "$tmp/cases.mrt") \
		--format bgpdump --full-feed=50%
	want='
asn:64999,20
asn:65001,256
asn:65002,256
asn:65010,256
asn:65011,1
asn:65023,1
asn:65030,1
asn:65041,262144
asn:65050,1
asn:65051,1       # 1 ASN of 4 (two peers of AS 100): > 0 counts at "any"
asn:65052,1
asn:65053,1       # AS 400 holds it (the non-full-feed peer does not count)
asn:65055,2
'
	# 65054 is held by the non-full-feed peer only: no vote, even at "any".
	hand "crafted, any" "$want" "$tmp/cases.jsonl" --full-feed=50% --visibility any
	hand "crafted, 25%" "$want" "$tmp/cases.jsonl" --full-feed=50% --visibility 25
	want='
asn:64999,20
asn:65001,256     # the MOAS /16: 3 of 4 = 0.75
asn:65002,256
asn:65010,256
asn:65011,1
asn:65030,1
asn:65041,262144
asn:65055,2       # the /23 (3 of 4) still counts
'
	# 65023, 65050, 65052 (2 of 4) drop out at 75%.
	hand "crafted, 75%" "$want" "$tmp/cases.jsonl" --full-feed=50% --visibility 75
	want='
asn:64999,20
asn:65010,256
asn:65011,1
asn:65030,1
asn:65041,262144
asn:65055,1       # only 65.0.1.0/24 is held by all four ASNs
'
	hand "crafted, 100%" "$want" "$tmp/cases.jsonl" --full-feed=50% --visibility 100
	want='
asn:64999,4       # four /48s held by every full-feed peer
asn:65060,65536   # 2001:db8::/32 is 2^16 /48s
asn:65061,2       # 2001:db8:1::/48, and the /64 counts as its /48
'
	# 65062 (2001:db8:3::/48, AS 300 only: 1 of 4) is absent; so is
	# 65063's 2000::/3, with --min-len6 6: Lifeline skips IPv6 prefixes
	# shorter than /6 as it does IPv4 ones (docs/signals.md, "Where this
	# differs from IODA"), which IODA's per-AS consumer does not.
	hand "crafted IPv6, 50%" "$want" "$tmp/cases.jsonl" --full-feed=50% --family 6 --min-len6 6
	want="$want
asn:65063,35184372088832  # IODA's rule: 2000::/3 is 2^45 /48s"
	hand "crafted IPv6, 50%, IODA's short prefixes" "$want" "$tmp/cases.jsonl" --full-feed=50% --family 6
	life "$tmp/l.csv" "$tmp/cases.mrt" --by asn --full-feed=50% --kind bgp6 &&
		compare "crafted IPv6, 50" "$tmp/cases.jsonl" "$tmp/l.csv" --full-feed=50% --family 6 --min-len6 6

	# lifeline against the oracle on the same file, at every threshold
	# (50% is lifeline's default: no option, so that this also runs where
	# --visibility is unknown).
	for t in any 25 50 75 100; do
		local opt=()
		[ "$t" != 50 ] && opt=(--visibility "$t")
		life "$tmp/l.csv" "$tmp/cases.mrt" --by asn --full-feed=50% "${opt[@]}" || continue
		compare "crafted, $t" "$tmp/cases.jsonl" "$tmp/l.csv" --full-feed=50% --visibility "$t"
	done

	# Per country, from a RIR delegated file (tests/data/oracle/mkrib.py
	# rir): 20.0.0.0/16 half EG, half SD; 30.0.0.0/16 EG; 40.0.0.0/14 SY;
	# 60.0.0.0/8 IR.
	"${GEN[@]}" rir "$tmp/rir.txt"
	want='
asn:64999,20
asn:65001,256
asn:65002,256
asn:65010,256
asn:65011,1
asn:65023,1
asn:65030,1
asn:65041,262144
asn:65050,1
asn:65052,1
asn:65055,2
country:EG,384    # 128 of the MOAS /16 and 256 of 30.0.0.0/16 (its /24 once)
country:SD,128    # the other half of 20.0.0.0/16
country:IR,1      # 60.0.0.0/24 (exactly 0.5); 61.0.0.0/24 is not visible
country:SY,1      # 40.2.0.0/24; 40.0.0.0/16, 40.1.0.0/24: AS_SET origins only
'
	hand "crafted, countries" "$want" "$tmp/cases.jsonl" --full-feed=50% --rir "$tmp/rir.txt"
	if life "$tmp/l.csv" "$tmp/cases.mrt" --by country --rir "$tmp/rir.txt" --full-feed=50%; then
		compare "crafted, countries" "$tmp/cases.jsonl" "$tmp/l.csv" --full-feed=50% \
			--rir "$tmp/rir.txt" --entities country
	fi

	# The relative rule at its boundary: AS 10 holds 4 prefixes, AS 20
	# exactly 2 (50%: full-feed with --full-feed=50%, not with 51%), AS 30
	# holds 1.
	"${GEN[@]}" pct "$tmp/pct.mrt" || { bad "mkrib.py pct"; return; }
	"$L" mrt dump --format=jsonl "$tmp/pct.mrt" > "$tmp/pct.jsonl" 2> "$tmp/err" ||
		bad "mrt dump pct: $(head -1 "$tmp/err")"
	want='
asn:65100,4       # 70.0.0-3.0/24: AS 10 of {10, 20}, 1 of 2
asn:65101,1       # 71.0.0.0/24: AS 20 alone, 1 of 2 (AS 30 is not full-feed)
'
	hand "50% of the largest table" "$want" "$tmp/pct.jsonl" --full-feed=50%
	want='
asn:65100,4       # AS 10 alone is full-feed: 1 of 1
'
	hand "51% of the largest table" "$want" "$tmp/pct.jsonl" --full-feed=51%
	for t in 50 51; do
		life "$tmp/l.csv" "$tmp/pct.mrt" --by asn --full-feed=$t% &&
			compare "$t% of the largest table" "$tmp/pct.jsonl" "$tmp/l.csv" --full-feed=$t%
	done

	# The default full-feed rule at its boundary: peer AS 1000 holds
	# exactly 400,000 IPv4 prefixes (full-feed: >= 400,000), AS 2000 holds
	# 399,999 (not). Made at test time (2 MB gzip); read as bgpdump text,
	# which the oracle splits faster than JSON.
	"${GEN[@]}" ff400k "$tmp/ff.gz" || { bad "mkrib.py ff400k"; return; }
	"$L" mrt dump "$tmp/ff.gz" > "$tmp/ff.txt" 2> "$tmp/err" || bad "mrt dump ff400k: $(head -1 "$tmp/err")"
	want='
asn:64000,399999  # AS 1000 alone votes (1 ASN of 1): its 399,999 /24s
asn:64002,1       # 99.0.1.0/24, held by AS 1000
'
	# 64001 (99.0.0.0/24) is held by AS 2000 only, which is not full-feed.
	: > "$tmp/l.csv"
	life "$tmp/l.csv" "$tmp/ff.gz" --by asn
	compare "400,000 prefixes" "$tmp/ff.txt" "$tmp/l.csv" --format bgpdump --out "$tmp/ffv"
	GOT=$tmp/ffv hand "400,000 prefixes" "$want" "$tmp/ff.txt"
}

real() {
	if [ ! -d "$D/mrt" ]; then
		echo "SKIP: $D/mrt absent"; exit 77
	fi
	# Every RIB dump (TABLE_DUMP, TABLE_DUMP_V2) of the shared data, with
	# the IPv4 or IPv6 family it holds. Not here: the 3-record bview
	# fragment without its PEER_INDEX_TABLE (nothing to compare), BIRD's
	# and OpenBGPD's BGP4MP_ENTRY / update dumps (not RIB dumps).
	# The pyasn files are the first MiB of bzip2 RIBs, cut: their tables
	# are partial, hence the relative full-feed rule (50% of the largest
	# peer's table) everywhere.
	local ribs=(
		"pyasn/rib.20140523.0600_firstMB.bz2 4"
		"pyasn/rib.20080501.0644_firstMB.bz2 4"
		"pyasn/rib6.20151101.0600_firstMB.bz2 6"
		"ripe-bgpdump/bview.20020722.2337.gz 4"
		"bgpkit/rrc00.bview.20000111.0032.gz 4"
		"ripe-bgpdump/bview.64k_stream_overflow.gz 6"
		"ripe-bgpdump/bview.ipv4_unicast_add_path.gz 4"
		"ripe-bgpdump/bview.ipv6_unicast_add_path.gz 6"
		"mrtparse/bird-mrtdump_rib 4"
		"mrtparse/bird6-mrtdump_rib 6"
		"mrtparse/openbgpd_rib_table 4"
		"mrtparse/openbgpd_rib_table-v2 4"
		"mrtparse/quagga_rib 4"
	)
	local n=0 e f fam
	for e in "${ribs[@]}"; do
		read -r f fam <<< "$e"
		[ -f "$D/mrt/$f" ] || { bad "$f absent"; continue; }
		n=$((n + 1))
		"$L" mrt dump --format=jsonl "$D/mrt/$f" > "$tmp/el" 2> /dev/null
		[ -s "$tmp/el" ] || { bad "$f: no element"; continue; }
		local fopt=() kopt=()
		[ "$fam" = 6 ] && fopt=(--family 6 --min-len6 6) kopt=(--kind bgp6)
		life "$tmp/l.csv" "$D/mrt/$f" --by asn --full-feed=50% "${kopt[@]}" || continue
		compare "$f" "$tmp/el" "$tmp/l.csv" --full-feed=50% "${fopt[@]}" --out "$tmp/ov"
		# Per country on a real table: the RIR delegated files of
		# 2014-06-30 (AFRINIC, APNIC, LACNIC, RIPE NCC; the shared data
		# has no ARIN file) with the RouteViews RIB of 2014-05-23.
		local R=$D/registry/rir-delegated rir=() r
		if [ "$f" = pyasn/rib.20140523.0600_firstMB.bz2 ]; then
			for r in afrinic apnic lacnic ripencc; do
				[ -f "$R/delegated-$r-20140630" ] && rir+=(--rir "$R/delegated-$r-20140630")
			done
			if [ ${#rir[@]} -eq 8 ]; then
				cat "$R"/delegated-{afrinic,apnic,lacnic,ripencc}-20140630 > "$tmp/rir"
				life "$tmp/l.csv" "$D/mrt/$f" --by country --full-feed=50% "${rir[@]}" &&
					compare "$f, countries" "$tmp/el" "$tmp/l.csv" --full-feed=50% \
						--rir "$tmp/rir" --entities country
			else bad "$R: the 2014-06-30 delegated files are absent"; fi
		fi
		# The oracle's input from Debian's bgpdump instead of our
		# decoder: the same oracle values for the 2002 RIS bview.
		if [ "$f" = ripe-bgpdump/bview.20020722.2337.gz ] && command -v bgpdump > /dev/null; then
			bgpdump -m "$D/mrt/$f" 2> /dev/null |
				"${O[@]}" --full-feed=50% --format bgpdump - > "$tmp/bd" 2> /dev/null
			if [ -s "$tmp/bd" ] && cmp -s "$tmp/bd" "$tmp/ov"; then ok
			else bad "$f: the oracle's values from bgpdump -m and from our jsonl differ"; fi
		fi
	done
	echo "$n real RIB dumps compared"
}

case $mode in
crafted) crafted ;;
real) real ;;
*) echo "usage: $0 crafted|real"; exit 2 ;;
esac
cat "$tmp/oracle.log" 2>/dev/null
echo "visibility oracle ($mode): $pass passed, $fail failed"
[ $fail -eq 0 ]
