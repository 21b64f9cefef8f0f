#!/usr/bin/env bash
# Writes the crafted hostile MRT files of this directory (committed too, so
# the tests do not depend on this script). Each file is a few good records
# around one defect; tests/mrt/test_hostile.c states what the decoder must
# do with each. Records are written in hex and turned into bytes by xxd.
#
# usage: tests/data/hostile/make.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"

TS=6553f100			# 2023-11-14 22:13:20 UTC

# hexlen HEX: the byte length of HEX as NBYTES hex digits (printf width)
hexlen() { printf "%0${2}x" $(( ${#1} / 2 )); }

# rec TYPE SUBTYPE BODYHEX: one MRT record (RFC 6396 section 2)
rec() { printf '%s%04x%04x%s%s' $TS "$1" "$2" "$(hexlen "$3" 8)" "$3"; }

# a raw header with any length: hdr TYPE SUBTYPE LEN
hdr() { printf '%s%04x%04x%08x' $TS "$1" "$2" "$3"; }

# Path attributes (RFC 4271 4.3); AS numbers are 4 octets (AS4 sessions and
# TABLE_DUMP_V2).
ORIGIN=40010100
ASPATH=40020602010000fde8	# AS_SEQUENCE 65000
NEXTHOP=400304c0000202			# 192.0.2.2
ATTRS=$ORIGIN$ASPATH$NEXTHOP

# upd ATTRS NLRI [WITHDRAWN]: a whole BGP UPDATE message with its header
upd() {
	local w=${3:-} body
	body=$(hexlen "$w" 4)$w$(hexlen "$1" 4)$1$2
	printf 'ffffffffffffffffffffffffffffffff%04x02%s' \
	    $(( 19 + ${#body} / 2 )) "$body"
}

# BGP4MP_MESSAGE_AS4 (RFC 6396 4.4.3) body: AS 65000 -> AS 65001, IPv4
PEERHDR=0000fde80000fde900000001c0000202c0000201
msg4() { printf '%s%s' $PEERHDR "$1"; }
GOODUPD=$(msg4 "$(upd $ATTRS 18c63364)")	# announces 198.51.100.0/24
good() { rec 16 4 "$GOODUPD"; }
# BGP4MP_ET (RFC 6396 3): usec, then the same body
goodet() { rec 17 4 "$(printf '%08x' "${1:-500000}")$GOODUPD"; }

# TABLE_DUMP_V2 (RFC 6396 4.3.1): collector 192.0.2.1, one peer
# (type 2: AS4, IPv4; id 10.0.0.1; 192.0.2.2; AS 65000)
pit() { rec 13 1 c000020100000001020a000001c00002020000fde8; }
# rib PREFIXHEX [PEERIDX] [ATTRLEN]: RIB_IPV4_UNICAST with one entry
rib() {
	local alen=${3:-$(hexlen $ATTRS 4)}
	rec 13 2 "00000007${1}0001${2:-0000}5f5e1000${alen}$ATTRS"
}
GOODRIB=18c63364				# 198.51.100.0/24

bin() { xxd -r -p >"$1"; }

# prefix length 255 (RFC 6396 4.3.2 / RFC 4271 4.3), with the 32 octets a
# length of 255 would take, so only the length itself is wrong
P255=ff$(printf '%064d' 0)
{ pit; rib $P255; rib $GOODRIB; } | bin rib_plen255.mrt
{ good; rec 16 4 "$(msg4 "$(upd $ATTRS $P255)")"; good; } | bin nlri_plen255.mrt

# peer index 5 with a one-peer PEER_INDEX_TABLE (RFC 6396 4.3.4)
{ pit; rib $GOODRIB 0005; rib $GOODRIB; } | bin peer_index_oob.mrt

# a RIB entry's attribute length (256) past the end of the record
{ pit; rib $GOODRIB 0000 0100; rib $GOODRIB; } | bin attr_len_past_rib.mrt

# an attribute (AS_PATH, 255 octets) past the end of the attribute block
{ good; rec 16 4 "$(msg4 "$(upd ${ORIGIN}4002ff02010000fde8 \
    18c63364)")"; good; } | bin attr_len_past_update.mrt

# AS_PATH segment of 10 ASes in an attribute holding one (RFC 4271 4.3)
{ good; rec 16 4 "$(msg4 "$(upd ${ORIGIN}400206020a0000fde8$NEXTHOP \
    18c63364)")"; good; } | bin aspath_seg_past.mrt

# MP_REACH_NLRI (RFC 4760 3) whose next-hop length (200) is past the
# attribute: AFI 2, SAFI 1, NH length 200, then 4 octets
{ good; rec 16 4 "$(msg4 "$(upd ${ORIGIN}${ASPATH}800e08000201c800000000 \
    '')")"; good; } | bin mpreach_nh_past.mrt

# a header saying 4 GiB - 1 of body, between two good records
{ good; hdr 16 4 4294967295; good; } | bin len_4g.mrt

# nothing at all
: >empty.mrt

# zero-length records of every decoded type, each of which needs a body,
# then one good record: TABLE_DUMP v4 and v6, PEER_INDEX_TABLE, RIB IPv4
# and IPv6, RIB_GENERIC, the ADD-PATH RIB, BGP4MP STATE_CHANGE, MESSAGE,
# MESSAGE_AS4, STATE_CHANGE_AS4, BGP4MP_ET MESSAGE_AS4, the old BGP UPDATE
# and STATE_CHANGE
{ for ts in "12 1" "12 2" "13 1" "13 2" "13 4" "13 6" "13 8" "16 0" \
    "16 1" "16 4" "16 5" "17 4" "5 1" "5 3"; do
	hdr $ts 0
  done; good; } | bin zero_len.mrt

# RIB entries before any PEER_INDEX_TABLE (RFC 6396 4.3.1)
{ rib $GOODRIB; pit; rib $GOODRIB; } | bin rib_before_pit.mrt

# the last record cut 5 octets short
{ pit; rib $GOODRIB; rib $GOODRIB | head -c -10; } | bin truncated_final.mrt

# 37 octets of garbage between two good records: the reader must find the
# second one again
{ good; printf 'ee%.0s' $(seq 37); good; } | bin garbage_between.mrt

# BGP4MP_ET with 1000000 microseconds (RFC 6396 3: less than a second)
{ goodet 999999; goodet 1000000; goodet 0; } | bin et_usec.mrt

# a gzip stream of 40 good records cut before its end (and its trailer)

# (each announcing its own prefix, so that deflate cannot fold them into one
# back-reference): 40 x 79 octets, of which zlib can deliver the first
# records before the cut.
for i in $(seq 0 39); do
	rec 16 4 "$(msg4 "$(upd $ATTRS "$(printf '180a%02x%02x' $((i * 7)) $i)")")"
done | xxd -r -p | gzip -9nc >gzip_src.tmp
head -c $(( $(stat -c %s gzip_src.tmp) * 5 / 10 )) gzip_src.tmp >gzip_cut.mrt.gz
rm -f gzip_src.tmp

# a bzip2 file of many blocks with the second block damaged: 3000 good
# records (237 kB) in blocks of 100 kB. The byte flipped is in block 2.
for _ in $(seq 3000); do good; done | xxd -r -p >bzip2_src.tmp
bzip2 -1c bzip2_src.tmp >bzip2_bad_block.mrt.bz2
rm -f bzip2_src.tmp
size=$(stat -c %s bzip2_bad_block.mrt.bz2)
at=$(( size / 2 ))
b=$(xxd -s $at -l 1 -p bzip2_bad_block.mrt.bz2)
printf '%02x' $(( 0x$b ^ 0x55 )) | xxd -r -p |
    dd of=bzip2_bad_block.mrt.bz2 bs=1 seek=$at conv=notrunc status=none
ls -l *.mrt *.gz *.bz2 | awk '{print $5, $9}'
