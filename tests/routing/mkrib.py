#!/usr/bin/env python3
"""Writes a small TABLE_DUMP_V2 RIB (RFC 6396 section 4.3) for the
resilience tests: mkrib.py OUT < ROUTES, a route a line:
PEER_IP PEER_AS PREFIX AS AS ... (the AS path, peer first, origin last).
Prefixes go into RIB_IPV4_UNICAST records in the order first seen. A line
"W PEER_IP PEER_AS PREFIX" is a withdrawal, written after the RIB as a
BGP4MP_MESSAGE_AS4 UPDATE (RFC 6396 section 4.4.3)."""
import ipaddress
import struct
import sys

TS = 1700000000


def mrt(subtype, body):
    return struct.pack(">IHHI", TS, 13, subtype, len(body)) + body


def attrs(path):
    seg = struct.pack(">BB", 2, len(path)) + b"".join(struct.pack(">I", a) for a in path)
    return (struct.pack(">BBB", 0x40, 1, 1) + b"\x00" +          # ORIGIN IGP
            struct.pack(">BBB", 0x40, 2, len(seg)) + seg +         # AS_PATH
            struct.pack(">BBB", 0x40, 3, 4) + bytes([192, 0, 2, 1]))  # NEXT_HOP


def withdrawal(ip, asn, pfx):
    net = ipaddress.ip_network(pfx)
    nb = (net.prefixlen + 7) // 8
    wd = bytes([net.prefixlen]) + net.network_address.packed[:nb]
    upd = struct.pack(">H", len(wd)) + wd + struct.pack(">H", 0)
    msg = b"\xff" * 16 + struct.pack(">HB", 19 + len(upd), 2) + upd
    body = struct.pack(">IIHH", asn, 64512, 0, 1) + ipaddress.ip_address(ip).packed
    body += bytes([10, 0, 0, 1]) + msg
    return struct.pack(">IHHI", TS + 1, 16, 4, len(body)) + body


def main():
    peers, ribs, wds = [], {}, []
    for line in sys.stdin:
        f = line.split("#")[0].split()
        if not f:
            continue
        if f[0] == "W":
            wds.append(withdrawal(f[1], int(f[2]), f[3]))
            continue
        peer = (f[0], int(f[1]))
        if peer not in peers:
            peers.append(peer)
        ribs.setdefault(f[2], []).append((peers.index(peer), [int(a) for a in f[3:]]))
    out = bytearray()
    body = bytes([10, 0, 0, 1]) + struct.pack(">H", 0) + struct.pack(">H", len(peers))
    for ip, asn in peers:
        body += struct.pack(">B", 2) + ipaddress.ip_address(ip).packed * 2 + struct.pack(">I", asn)
    out += mrt(1, body)
    for seq, (pfx, entries) in enumerate(ribs.items()):
        net = ipaddress.ip_network(pfx)
        nb = (net.prefixlen + 7) // 8
        body = struct.pack(">IB", seq, net.prefixlen) + net.network_address.packed[:nb]
        body += struct.pack(">H", len(entries))
        for idx, path in entries:
            a = attrs(path)
            body += struct.pack(">HIH", idx, TS, len(a)) + a
        out += mrt(2, body)
    for w in wds:
        out += w
    open(sys.argv[1], "wb").write(out)


main()
