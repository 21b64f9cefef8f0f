#!/usr/bin/env python3
"""Writes small MRT update archives (BGP4MP_MESSAGE_AS4 and
BGP4MP_STATE_CHANGE_AS4, RFC 6396 section 4.4) for the routing monitors'
crafted cases (tests/routing/test_monitors.sh).

  mkupdates.py cases OUT    the crafted cases below, plain MRT

Each step below says what it makes the monitors see; the expected alerts
are in cases.jsonl beside this script.
"""

import os
import socket
import struct
import sys

# attr() and as_path() (4-octet ASes, a tuple an AS_SET) are the RIB
# writer's of the visibility oracle.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "oracle"))
from mkrib import as_path, attr  # noqa: E402

T0 = 1700000000             # 2023-11-14T22:13:20Z
BGP4MP = 16
MESSAGE_AS4 = 4
STATE_CHANGE_AS4 = 5
PEERS = [(65001, "10.0.0.1"), (65002, "10.0.0.2"), (65003, "10.0.0.3"),
         (65004, "10.0.0.4")]
LOCAL = (65535, "10.0.0.254")


def mrt(ts, subtype, body):
    """Section 2: common header, then the message."""
    return struct.pack(">IHHI", ts, BGP4MP, subtype, len(body)) + body


def peer_head(peer):
    """Section 4.4.3/4.4.4: peer AS, local AS, interface, AFI, addresses."""
    asn, ip = peer
    return (struct.pack(">IIHH", asn, LOCAL[0], 0, 1) +
            socket.inet_aton(ip) + socket.inet_aton(LOCAL[1]))


def nlri(prefix):
    addr, ln = prefix.split("/")
    ln = int(ln)
    return bytes([ln]) + socket.inet_aton(addr)[:(ln + 7) // 8]


def update(ts, peer, announce=(), path=None, withdraw=()):
    """An UPDATE (RFC 4271 section 4.3) from peer, the path led by its AS."""
    wd = b"".join(nlri(p) for p in withdraw)
    attrs = b""
    if announce:
        attrs = (attr(0x40, 1, b"\x00") +
                 attr(0x40, 2, as_path([peer[0]] + list(path))) +
                 attr(0x40, 3, socket.inet_aton(peer[1])))
    msg = (struct.pack(">H", len(wd)) + wd + struct.pack(">H", len(attrs)) +
           attrs + b"".join(nlri(p) for p in announce))
    bgp = b"\xff" * 16 + struct.pack(">HB", 19 + len(msg), 2) + msg
    return mrt(ts, MESSAGE_AS4, peer_head(peer) + bgp)


def state(ts, peer, old, new):
    return mrt(ts, STATE_CHANGE_AS4, peer_head(peer) +
               struct.pack(">HH", old, new))


def cases():
    out = []
    three = PEERS[:3]
    # t0: every peer has the expected routes
    for p in PEERS:
        out.append(update(T0, p, ["192.0.2.0/24"], [64510, 64500]))
        out.append(update(T0, p, ["198.51.100.0/24"], [64501]))
        out.append(update(T0, p, ["198.18.0.0/24"], [64506]))
        out.append(update(T0, p, ["172.16.0.0/16"], [64505]))
        out.append(update(T0, p, ["198.19.0.0/24"], [3356, 64507]))
    # t0+60: three peers see 192.0.2.0/24 from AS64666 (hijack, and
    # rpki-invalid with the VRPs); a more specific of 198.51.100.0/24
    # from AS64666 (sub-prefix); the /25 of 203.0.113.0/24, whose more
    # specifics are ignored; 100.64.0.0/16, listed with asn 0 (squatting);
    # 10.10.0.0/16 with an AS_SET origin; AS64500 through AS64512, not a
    # listed upstream, and with AS64520 behind it, not a listed downstream
    for p in three:
        out.append(update(T0 + 60, p, ["192.0.2.0/24"], [64666]))
        out.append(update(T0 + 60, p, ["198.51.100.128/25"], [64666]))
        out.append(update(T0 + 60, p, ["203.0.113.128/25"], [64666]))
        out.append(update(T0 + 60, p, ["100.64.0.0/16"], [64777]))
        out.append(update(T0 + 60, p, ["10.10.0.0/16"],
                          [64510, (64503, 64504)]))
        out.append(update(T0 + 60, p, ["10.20.0.0/16"],
                          [64512, 64500, 64500, 64520]))
    # t0+90: two peers only see 172.16.0.0/16 from AS64666: below the
    # minimum, no alert; three see it through AS64999 (the path rule)
    for p in PEERS[:2]:
        out.append(update(T0 + 90, p, ["172.16.0.0/16"], [64666]))
    out.append(update(T0 + 90, PEERS[2], ["172.16.0.0/16"], [64999, 64505]))
    out.append(update(T0 + 91, PEERS[3], ["172.16.0.0/16"], [64999, 64505]))
    out.append(update(T0 + 92, PEERS[0], ["172.16.0.0/16"], [64999, 64505]))
    # t0+120: the hijack ends: the three peers have AS64500 back
    for p in three:
        out.append(update(T0 + 120, p, ["192.0.2.0/24"], [64510, 64500]))
    # t0+150: three peers see 198.19.0.0/24 through AS174, AS64530 and
    # AS3356: AS64530, between two Tier-1s, leaked it (and on as-rel.txt,
    # where it is a customer of both, it passed a route from one provider
    # to another)
    for p in three:
        out.append(update(T0 + 150, p, ["198.19.0.0/24"],
                          [174, 64530, 3356, 64507]))
    # t0+180: three peers withdraw 198.18.0.0/24 (the third by its session
    # going down, which withdraws its routes); with a minimum of three
    # for a loss, it fires at the third
    out.append(update(T0 + 180, PEERS[0], withdraw=["198.18.0.0/24"]))
    out.append(update(T0 + 181, PEERS[1], withdraw=["198.18.0.0/24"]))
    out.append(state(T0 + 182, PEERS[2], 6, 1))
    # t0+240: it is back at one of them: two peers lack it, fewer than the
    # minimum of three: the loss ends, visible again
    out.append(update(T0 + 240, PEERS[0], ["198.18.0.0/24"], [64506]))
    out.append(update(T0 + 241, PEERS[1], ["198.18.0.0/24"], [64506]))
    out.append(state(T0 + 299, PEERS[2], 1, 6))
    out.append(update(T0 + 300, PEERS[2], ["198.18.0.0/24"], [64506]))
    return b"".join(out)


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "cases":
        sys.exit(__doc__)
    with open(sys.argv[2], "wb") as f:
        f.write(cases())


if __name__ == "__main__":
    main()
