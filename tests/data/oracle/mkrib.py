#!/usr/bin/env python3
"""Writes small MRT RIB dumps (TABLE_DUMP_V2, RFC 6396 section 4.3) for the
visibility oracle's crafted cases (tests/signal/test_oracle.sh).

  mkrib.py cases OUT        the crafted cases below (MOAS, a customer's
                            more-specific, AS_SET origins, a /25, a /5 and a
                            /6, several full-feed peers of one AS, a ratio
                            of exactly 0.5, IPv6 /48s), plain MRT
  mkrib.py ff400k OUT       two peers, one with exactly 400,000 IPv4
                            prefixes and one with 399,999 (gzip level 1)
  mkrib.py pct OUT          three peers for the --full-feed=P% boundary
  mkrib.py rir OUT          the RIR delegated file of the per-country case

Every expected value is derived by hand in test_oracle.sh, next to the case.
"""

import gzip
import socket
import struct
import sys

TS = 1700000100             # 2023-11-14T22:15:00Z: one 300 s bin
MRT_TABLE_DUMP_V2 = 13
PEER_INDEX_TABLE = 1
RIB_IPV4_UNICAST = 2
RIB_IPV6_UNICAST = 4


def mrt(subtype, body):
    """RFC 6396 section 2: common header, then the message."""
    return struct.pack(">IHHI", TS, MRT_TABLE_DUMP_V2, subtype,
                       len(body)) + body


def peer_index(peers):
    """Section 4.3.1: collector id, view name, then per peer its type (bit 0
    IPv6 address, bit 1 4-octet AS), BGP id, address and AS."""
    b = socket.inet_aton("192.0.2.255") + struct.pack(">H", 0)
    b += struct.pack(">H", len(peers))
    for ip, asn in peers:
        v6 = ":" in ip
        b += struct.pack(">B", (1 if v6 else 0) | 2)
        b += socket.inet_aton("192.0.2.%d" % (len(b) % 250 + 1))
        b += socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, ip)
        b += struct.pack(">I", asn)
    return mrt(PEER_INDEX_TABLE, b)


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, code, len(value)) + value
    return struct.pack(">BBB", flags, code, len(value)) + value


def as_path(path):
    """AS_PATH with 4-octet ASes (section 4.3.4). `path` is a list of ASes;
    a tuple inside it is an AS_SET."""
    segs, seq = b"", []

    def flush():
        nonlocal segs, seq
        if seq:
            segs += struct.pack(">BB", 2, len(seq))
            segs += b"".join(struct.pack(">I", a) for a in seq)
            seq = []
    for a in path:
        if isinstance(a, tuple):
            flush()
            segs += struct.pack(">BB", 1, len(a))
            segs += b"".join(struct.pack(">I", x) for x in a)
        else:
            seq.append(a)
    flush()
    return segs


def attrs(path, v6):
    b = attr(0x40, 1, b"\x00")                        # ORIGIN IGP
    b += attr(0x40, 2, as_path(path))
    if v6:
        # MP_REACH_NLRI in a RIB entry: next hop length and next hop only
        # (section 4.3.4).
        nh = socket.inet_pton(socket.AF_INET6, "2001:db8:ffff::1")
        b += attr(0x80, 14, struct.pack(">B", len(nh)) + nh)
    else:
        b += attr(0x40, 3, socket.inet_aton("192.0.2.1"))  # NEXT_HOP
    return b


def rib(seq, prefix, entries):
    """Section 4.3.2: RIB_IPV4_UNICAST / RIB_IPV6_UNICAST with entries
    [(peer index, AS path)]."""
    addr, _, ln = prefix.partition("/")
    length = int(ln)
    v6 = ":" in addr
    raw = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, addr)
    b = struct.pack(">IB", seq, length) + raw[:(length + 7) // 8]
    b += struct.pack(">H", len(entries))
    for idx, path in entries:
        a = attrs(path, v6)
        b += struct.pack(">HIH", idx, TS - 3600, len(a)) + a
    return mrt(RIB_IPV6_UNICAST if v6 else RIB_IPV4_UNICAST, b)


# The crafted cases. Peers 0-4 are the full-feed peers (four ASNs: AS 100
# twice, 200, 300, 400); peer 5 (AS 500) is not full-feed: it holds only two
# prefixes while the others hold every filler prefix (--full-feed=50%).
PEERS = [("10.0.0.1", 100), ("10.0.0.2", 100), ("10.0.0.3", 200),
         ("10.0.0.4", 300), ("10.0.0.5", 400), ("10.0.0.6", 500)]
FF = [0, 1, 2, 3, 4]
# Filler: 20 IPv4 /24s in 198.18.0.0/15 and 4 IPv6 /48s, origin AS 64999,
# held by every full-feed peer.
V4_FILL = ["198.18.%d.0/24" % i for i in range(20)]
V6_FILL = ["2001:db8:f%03x::/48" % i for i in range(4)]


def path(peer, *rest):
    return [PEERS[peer][1]] + list(rest)


def cases():
    c = []      # (prefix, [(peer, path)])

    def add(prefix, entries):
        c.append((prefix, entries))
    for p in V4_FILL + V6_FILL:
        add(p, [(i, path(i, 64999)) for i in FF])
    # MOAS: 20.0.0.0/16 held by AS 100 (both peers) and AS 300 with origin
    # 65001, by AS 200 with origin 65002; AS 400 does not hold it: 3/4.
    add("20.0.0.0/16", [(0, path(0, 65001)), (1, path(1, 65001)),
                        (2, path(2, 65002)), (3, path(3, 65001))])
    # A customer's more-specific: 30.0.0.0/16 from 65010, 30.0.5.0/24 from
    # its customer 65011, both held by all.
    add("30.0.0.0/16", [(i, path(i, 65010)) for i in FF])
    add("30.0.5.0/24", [(i, path(i, 65010, 65011)) for i in FF])
    # AS_SET origins: 40.0.0.0/16 ends in {65020,65021}; 40.1.0.0/24 in a
    # one-element set {65022}; both held by all, so neither origin counts.
    add("40.0.0.0/16", [(i, path(i, 65019, (65020, 65021))) for i in FF])
    add("40.1.0.0/24", [(i, path(i, 65019, (65022,))) for i in FF])
    # 40.2.0.0/24: AS 100 sees origin 65023, AS 200 sees {65023,65024}: two
    # ASNs of four hold it (0.5), 65023 is its only plain origin.
    add("40.2.0.0/24", [(0, path(0, 65023)), (2, path(2, (65023, 65024)))])
    # /25s: 50.0.0.0/25 and 50.0.0.128/25 from 65030, held by all.
    add("50.0.0.0/25", [(i, path(i, 65030)) for i in FF])
    add("50.0.0.128/25", [(i, path(i, 65030)) for i in FF])
    # /5 (ignored) from 65040 and /6 (counted) from 65041, held by all.
    add("8.0.0.0/5", [(i, path(i, 65040)) for i in FF])
    add("4.0.0.0/6", [(i, path(i, 65041)) for i in FF])
    # Exactly 0.5: 60.0.0.0/24 held by peer 0 (AS 100) and AS 200.
    add("60.0.0.0/24", [(0, path(0, 65050)), (2, path(2, 65050))])
    # One AS, two peers: 61.0.0.0/24 held by both peers of AS 100 only:
    # 1 ASN of 4 (0.25) although 2 peers of 5.
    add("61.0.0.0/24", [(0, path(0, 65051)), (1, path(1, 65051))])
    # 62.0.0.0/24 held by AS 200 and AS 300: 2 of 4 ASNs (0.5), 2 of 5
    # peers.
    add("62.0.0.0/24", [(2, path(2, 65052)), (3, path(3, 65052))])
    # 63.0.0.0/24: the non-full-feed peer and AS 400: 1 of 4 (0.25).
    add("63.0.0.0/24", [(4, path(4, 65053)), (5, path(5, 65053))])
    # 64.0.0.0/24: the non-full-feed peer only: no full-feed vote at all.
    add("64.0.0.0/24", [(5, path(5, 65054))])
    # 65.0.0.0/23 from 65055 held by AS 100, 200, 300 (3/4); its /24
    # 65.0.1.0/24 from 65055 too, held by all: 65055's own overlap.
    add("65.0.0.0/23", [(0, path(0, 65055)), (2, path(2, 65055)),
                        (3, path(3, 65055))])
    add("65.0.1.0/24", [(i, path(i, 65055)) for i in FF])
    # IPv6: 2001:db8::/32 from 65060 held by all; 2001:db8:1::/48 and
    # 2001:db8:2:1::/64 from 65061 held by all; 2001:db8:3::/48 from 65062
    # held by AS 300 only (1/4).
    add("2001:db8::/32", [(i, path(i, 65060)) for i in FF])
    add("2001:db8:1::/48", [(i, path(i, 65061)) for i in FF])
    add("2001:db8:2:1::/64", [(i, path(i, 65061)) for i in FF])
    add("2001:db8:3::/48", [(3, path(3, 65062))])
    # 2000::/3 from 65063, held by all: shorter than /6.
    add("2000::/3", [(i, path(i, 65063)) for i in FF])
    # RFC 6396 4.3.2: the RIB records in order; ours are sorted by family,
    # then address.
    def order(item):
        p = item[0]
        v6 = ":" in p
        a, _, ln = p.partition("/")
        raw = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, a)
        return (v6, raw, int(ln))
    c.sort(key=order)
    out = peer_index(PEERS)
    for seq, (p, entries) in enumerate(c):
        out += rib(seq, p, entries)
    return out


def ff400k(out):
    """Peer 0 (AS 1000) holds exactly 400,000 IPv4 prefixes: 99.0.1.0/24
    from 64002 and 399,999 /24s from 100.0.0.0 on, origin 64000. Peer 1 (AS
    2000) holds 399,999: 99.0.0.0/24 from 64001 and the first 399,998 of
    those /24s."""
    a0 = attrs([1000, 64000], False)
    a1 = attrs([2000, 64000], False)
    e0 = struct.pack(">HIH", 0, TS - 3600, len(a0)) + a0
    e1 = struct.pack(">HIH", 1, TS - 3600, len(a1)) + a1
    buf = [peer_index([("10.0.1.1", 1000), ("10.0.1.2", 2000)]),
           rib(0, "99.0.0.0/24", [(1, [2000, 64001])]),
           rib(1, "99.0.1.0/24", [(0, [1000, 64002])])]
    both = struct.pack(">H", 2) + e0 + e1
    one = struct.pack(">H", 1) + e0
    hdr = struct.Struct(">IHHI")
    body = struct.Struct(">IB3s")
    n = 399999
    for i in range(n):
        ents = both if i < n - 1 else one
        b = body.pack(i + 2, 24, ((100 << 16) + i).to_bytes(3, "big")) + ents
        buf.append(hdr.pack(TS, MRT_TABLE_DUMP_V2, RIB_IPV4_UNICAST, len(b)))
        buf.append(b)
    out.write(b"".join(buf))


def pct():
    """The relative full-feed rule at its boundary: AS 10 holds 4 IPv4
    prefixes (the largest table), AS 20 holds 2 (exactly 50% of it), AS 30
    holds 1 (25%)."""
    out = peer_index([("10.0.2.1", 10), ("10.0.2.2", 20), ("10.0.2.3", 30)])
    seq = 0
    for i in range(4):
        e = [(0, [10, 65100])] + ([(1, [20, 65100])] if i == 0 else [])
        out += rib(seq, "70.0.%d.0/24" % i, e)
        seq += 1
    out += rib(seq, "71.0.0.0/24", [(1, [20, 65101])])
    out += rib(seq + 1, "72.0.0.0/24", [(2, [30, 65102])])
    return out


def rir():
    """Countries for the per-country case: 20.0.0.0/16 is split between EG
    (the first half) and SD; 30.0.0.0/16 is EG; 40.0.0.0/14 is SY;
    60.0.0.0/8 is IR; 4.0.0.0/6 is not listed."""
    return ("2|test|20231114|4|19700101|20231114|+0000\n"
            "test|EG|ipv4|20.0.0.0|32768|20000101|allocated\n"
            "test|SD|ipv4|20.0.128.0|32768|20000101|allocated\n"
            "test|EG|ipv4|30.0.0.0|65536|20000101|allocated\n"
            "test|SY|ipv4|40.0.0.0|262144|20000101|allocated\n"
            "test|IR|ipv4|60.0.0.0|16777216|20000101|allocated\n")


def main(argv):
    if len(argv) != 3 or argv[1] not in ("cases", "ff400k", "rir", "pct"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "cases":
        with open(argv[2], "wb") as f:
            f.write(cases())
    elif argv[1] == "pct":
        with open(argv[2], "wb") as f:
            f.write(pct())
    elif argv[1] == "rir":
        with open(argv[2], "w", encoding="utf-8") as f:
            f.write(rir())
    else:
        with gzip.open(argv[2], "wb", compresslevel=1) as f:
            ff400k(f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
