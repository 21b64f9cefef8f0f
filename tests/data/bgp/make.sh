#!/usr/bin/env bash
# Writes the crafted MRT files of this directory (committed too, so the
# tests do not depend on this script) and, for those bgpdump can read, the
# `bgpdump -m` output they are compared with (*.bgpdump, made by Debian's
# bgpdump 1.6.2 when this script runs; tests/mrt/bgpdump_diff.sh checks it
# again whenever bgpdump is installed). Records are written in hex and
# turned into bytes by xxd, as in ../hostile/make.sh.
#
# usage: tests/data/bgp/make.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"

TS=6553f100			# 2023-11-14 22:13:20 UTC

hexlen() { printf "%0${2}x" $(( ${#1} / 2 )); }
# rec TYPE SUBTYPE BODYHEX: one MRT record (RFC 6396 section 2)
rec() { printf '%s%04x%04x%s%s' $TS "$1" "$2" "$(hexlen "$3" 8)" "$3"; }
hdr() { printf '%s%04x%04x%08x' $TS "$1" "$2" "$3"; }
bin() { xxd -r -p >"$1"; }

ORIGIN=40010100
ASPATH=40020602010000fde8		# AS_SEQUENCE 65000 (4-octet)
NEXTHOP=400304c0000202			# 192.0.2.2
# upd ATTRS NLRI: a whole BGP UPDATE message with its header
upd() {
	local body
	body=0000$(hexlen "$1" 4)$1$2
	printf 'ffffffffffffffffffffffffffffffff%04x02%s' \
	    $(( 19 + ${#body} / 2 )) "$body"
}
# BGP4MP_MESSAGE_AS4 (RFC 6396 4.4.3): AS 65000 -> AS 65001, IPv4
PEERHDR=0000fde80000fde900000001c0000202c0000201
msg4() { rec 16 4 "$PEERHDR$1"; }

# An UPDATE carrying a BGP-LS MP_REACH_NLRI (RFC 7752: AFI 16388, SAFI 71;
# next hop 192.0.2.2; one node NLRI of 9 octets) and 198.51.100.0/24 in its
# classic NLRI. The MP_REACH's first octet (0x40) is not 0: it is not the
# abbreviated form of RFC 6396 4.3.4, which only RIB entries have.
LS=40044704c0000202000001000903$(printf '%016d' 0)
MPLS=800e$(hexlen "$LS" 2)$LS
{ msg4 "$(upd $ORIGIN$ASPATH$NEXTHOP$MPLS 18c63364)"; } | bin bgpls_update.mrt

# The same with an AFI of 0x00ff (not assigned) whose next hop length (200)
# runs past the attribute: an unknown family's attribute is skipped whole,
# never read, so the UPDATE stands.
UNK=00ff01c8c0000202
MPUNK=800e$(hexlen "$UNK" 2)$UNK
{ msg4 "$(upd $ORIGIN$ASPATH$NEXTHOP$MPUNK 18c63365)"; } | bin unknown_afi_update.mrt

if command -v bgpdump >/dev/null; then
	for f in bgpls_update unknown_afi_update; do
		bgpdump -m "$f.mrt" >"$f.bgpdump" 2>/dev/null
	done
fi

# TABLE_DUMP (RFC 6396 4.2, AFI_IPv4) batching 40 entries with no
# attributes, as early Zebra wrote them: view and sequence, then entries of
# prefix, length, status, originated time, peer address, peer AS and an
# attribute length of 0, the smallest an entry can be (18 octets).
td1() {
	printf '00000007'
	for i in $(seq 0 39); do
		printf 'c633%02x0018015f5e1000c0000202fde80000' "$i"
	done
}
{ rec 12 1 "$(td1)"; } | bin td1_empty_attrs.mrt

# One good record, then a header whose length (3.75 GiB) a reader allowed
# records that large must find room for: gzip-compressed, so the input
# layer must allocate a window to hold it.
{ msg4 "$(upd $ORIGIN$ASPATH$NEXTHOP 18c63364)"; hdr 16 4 4026531840; } |
    xxd -r -p | gzip -9nc >huge_record.mrt.gz
ls -l ./*.mrt ./*.gz | awk '{print $5, $9}'
