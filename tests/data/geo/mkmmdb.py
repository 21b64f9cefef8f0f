#!/usr/bin/env python3
"""Writes the small MaxMind-format city databases used by tests/geo.

Written from the public MaxMind DB format specification (version 2.0):
a binary search tree (24-bit records), 16 zero bytes, the data section,
then the metadata marker and a metadata map. Run from this directory:
    python3 mkmmdb.py        # writes city-test.mmdb and city-test-v4.mmdb
"""
import ipaddress
import struct

# network -> (country iso_code, subdivision iso_code or None)
NETWORKS = [
    ("41.32.0.0/16", "EG", "C"),
    ("41.33.0.0/16", "EG", "ALX"),
    ("41.32.10.0/24", "EG", "GZ"),
    ("41.32.6.0/24", "SD", "KH"),     # disagrees with the RIR fixture
    ("8.8.8.0/24", "US", "CA"),
    ("1.0.0.0/24", "AU", None),       # no subdivision: no region
    ("2c0f:fc88::/32", "EG", "C"),
]


def ctrl(typ, size):
    first = (typ << 5) if typ <= 7 else 0
    if size < 29:
        first |= size
        extra = b""
    elif size < 29 + 256:
        first |= 29
        extra = bytes([size - 29])
    elif size < 285 + 65536:
        first |= 30
        extra = (size - 285).to_bytes(2, "big")
    else:
        first |= 31
        extra = (size - 65821).to_bytes(3, "big")
    ext = bytes([typ - 7]) if typ > 7 else b""
    return bytes([first]) + ext + extra


def enc(v, typ=None):
    if isinstance(v, str):
        b = v.encode()
        return ctrl(2, len(b)) + b
    if isinstance(v, dict):
        out = ctrl(7, len(v))
        for k, x in v.items():
            out += enc(k) + (enc(*x) if isinstance(x, tuple) else enc(x))
        return out
    if isinstance(v, list):
        return ctrl(11, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, int):
        t = typ or 6
        b = v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""
        return ctrl(t, len(b)) + b
    raise TypeError(v)


def record(cc, sub):
    r = {"country": {"iso_code": cc, "names": {"en": cc}}}
    if sub is not None:
        r["subdivisions"] = [{"iso_code": sub}]
    return r


def alias(nodes, bits, depth, rec):
    cur = 0
    for i in range(depth):
        bit = (bits >> (127 - i)) & 1
        if i == depth - 1:
            nodes[cur][bit] = rec
            return
        r = nodes[cur][bit]
        if r is not None and r[0] == "n":
            cur = r[1]
            continue
        nodes.append([r, r])
        nodes[cur][bit] = ("n", len(nodes) - 1)
        cur = len(nodes) - 1


def build(ip_version):
    nodes = [[None, None]]          # None empty, ("n", i), ("d", off)
    data = b""
    offsets = {}
    nets = [(ipaddress.ip_network(n), cc, s) for n, cc, s in NETWORKS]
    nets.sort(key=lambda x: x[0].prefixlen)     # least specific first
    for net, cc, sub in nets:
        if net.version == 6 and ip_version == 4:
            continue
        if net.version == 4 and ip_version == 6:
            bits = int(net.network_address)
            width, depth = 128, 96 + net.prefixlen
        else:
            bits = int(net.network_address)
            width, depth = net.max_prefixlen, net.prefixlen
        blob = enc(record(cc, sub))
        if blob not in offsets:
            offsets[blob] = len(data)
            data += blob
        leaf = ("d", offsets[blob])
        cur = 0
        for i in range(depth):
            bit = (bits >> (width - 1 - i)) & 1
            if i == depth - 1:
                nodes[cur][bit] = leaf
                break
            rec = nodes[cur][bit]
            if rec is not None and rec[0] == "n":
                cur = rec[1]
                continue
            nodes.append([rec, rec])            # push the parent down
            nodes[cur][bit] = ("n", len(nodes) - 1)
            cur = len(nodes) - 1
    if ip_version == 6:
        # As MaxMind's writers do: ::ffff:0:0/96 and 2002::/16 lead to the
        # IPv4 subtree at ::/96 (readers walking the tree must skip them).
        v4 = 0
        for _ in range(96):
            v4 = nodes[v4][0][1]
        alias(nodes, 0xffff << 32, 96, ("n", v4))
        alias(nodes, 0x2002 << 112, 16, ("n", v4))
    n = len(nodes)
    tree = b""
    for left, right in nodes:
        for rec in (left, right):
            if rec is None:
                v = n
            elif rec[0] == "n":
                v = rec[1]
            else:
                v = n + 16 + rec[1]
            tree += v.to_bytes(3, "big")
    meta = {
        "binary_format_major_version": (2, 5),
        "binary_format_minor_version": (0, 5),
        "build_epoch": (1700000000, 9),
        "database_type": "Lifeline-Test-City",
        "description": {"en": "lifeline test fixture (tests/data/geo)"},
        "ip_version": (ip_version, 5),
        "languages": ["en"],
        "node_count": (n, 6),
        "record_size": (24, 5),
    }
    return tree + bytes(16) + data + b"\xab\xcd\xefMaxMind.com" + enc(meta)


if __name__ == "__main__":
    with open("city-test.mmdb", "wb") as f:
        f.write(build(6))
    with open("city-test-v4.mmdb", "wb") as f:
        f.write(build(4))
