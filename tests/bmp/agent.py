#!/usr/bin/env python3
"""`lifeline agent bmp` with routers played by this script on loopback:

- a silent router that sent half a message does not hold up another;
- --max-sessions and --allow refuse the sessions they should;
- a bad message is reported with its offset in the session and closes
  that session only, whose peers' tables are emptied;
- Peer Down empties a peer's table; the other sessions go on.

The signal is read from the collector's output as it prints each bin.
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

LIFELINE = os.environ["LIFELINE"]


def peer_hdr(asn, addr, flags=0):
    return (struct.pack(">BBQ", 0, flags, 0) + b"\0" * 12 +
            socket.inet_aton(addr) + struct.pack(">I", asn) +
            socket.inet_aton("10.0.0.1") + struct.pack(">II", 1700000000, 0))


def bmp(mtype, body):
    return struct.pack(">BIB", 3, 6 + len(body), mtype) + body


def bgp(mtype, body):
    return b"\xff" * 16 + struct.pack(">HB", 19 + len(body), mtype) + body


def open_msg(asn):
    return bgp(1, struct.pack(">BHHIB", 4, asn, 90, 0x0a000001, 0))


def update(prefixes, origin, withdraw=()):
    def nlri(ps):
        out = b""
        for p in ps:
            net, ln = p.split("/")
            ln = int(ln)
            out += bytes([ln]) + socket.inet_aton(net)[:(ln + 7) // 8]
        return out
    wd = nlri(withdraw)
    attrs = b""
    if prefixes:
        attrs = (b"\x40\x01\x01\x00" +
                 b"\x40\x02\x0a\x02\x02" + struct.pack(">II", 64500, origin) +
                 b"\x40\x03\x04" + socket.inet_aton("192.0.2.1"))
    return bgp(2, struct.pack(">H", len(wd)) + wd +
               struct.pack(">H", len(attrs)) + attrs + nlri(prefixes))


def initiation(name):
    return bmp(4, struct.pack(">HH", 2, len(name)) + name)


def peer_up(asn, addr):
    return bmp(3, peer_hdr(asn, addr) + b"\0" * 12 +
               socket.inet_aton("192.0.2.2") + struct.pack(">HH", 179, 4000) +
               open_msg(65000) + open_msg(asn & 0xffff))


def route_mon(asn, addr, prefixes, origin, withdraw=()):
    return bmp(0, peer_hdr(asn, addr) + update(prefixes, origin, withdraw))


def peer_down(asn, addr):
    return bmp(2, peer_hdr(asn, addr) + b"\x02\x00\x00")


class Agent:
    def __init__(self, tmp):
        self.out = open(os.path.join(tmp, "out.csv"), "w+")
        self.err = open(os.path.join(tmp, "err.txt"), "w+")
        self.p = subprocess.Popen(
            [LIFELINE, "agent", "bmp", "--listen", "127.0.0.1:0",
             "--max-sessions", "2", "--allow", "127.0.0.1", "--by", "asn",
             "--kind", "all", "--bin", "1", "--full-feed", "1"],
            stdout=self.out, stderr=self.err)
        m = self.wait_err(r"listening on \S+ port (\d+)")
        self.port = int(m.group(1))
        self.seen = 0

    def text(self, f):
        f.flush()
        with open(f.name) as g:
            return g.read()

    def wait_err(self, pattern):
        for _ in range(200):
            m = re.search(pattern, self.text(self.err))
            if m:
                return m
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("collector stderr lacks /%s/:\n%s" %
                             (pattern, self.text(self.err)))

    def wait_out(self, pattern):
        """Waits for a line matching pattern after the last one seen."""
        for _ in range(200):
            lines = self.text(self.out).splitlines()
            for i in range(self.seen, len(lines)):
                if re.search(pattern, lines[i]):
                    self.seen = i + 1
                    return lines[self.seen:]
            time.sleep(0.05)
        raise AssertionError("collector output lacks /%s/ after line %d:\n%s"
                             % (pattern, self.seen, "\n".join(
                                 self.text(self.out).splitlines()[-12:])))

    def connect(self, src="127.0.0.1"):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", self.port))
        return s


def closed(s):
    s.settimeout(5)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def main():
    tmp = tempfile.mkdtemp(prefix="ll-bmp-agent-")
    a = Agent(tmp)
    try:
        # A: half a Peer Up, then silence.
        slow = a.connect()
        up_a = peer_up(64511, "192.0.2.11")
        slow.sendall(initiation(b"slow") + up_a[:30])
        # B: a whole session, while A is silent.
        b = a.connect()
        msgs = (initiation(b"rt-b") + peer_up(64512, "192.0.2.12") +
                route_mon(64512, "192.0.2.12",
                          ["198.51.100.0/24", "203.0.112.0/23"], 64501))
        b.sendall(msgs)
        a.wait_out(r",bgp,asn:64501,3$")
        print("ok: a silent router does not hold up another")
        # C: over --max-sessions; D: not --allow'ed.
        c = a.connect()
        assert closed(c), "the third session was not refused"
        a.wait_err(r"127\.0\.0\.1: refused: already 2 sessions")
        d = a.connect("127.0.0.2")
        assert closed(d), "a router not --allow'ed was not refused"
        a.wait_err(r"127\.0\.0\.2: not an --allow'ed router")
        print("ok: --max-sessions and --allow refuse")
        # B sends a message of BMP version 1: reported at its offset.
        bad = bytearray(initiation(b"x"))
        bad[0] = 1
        b.sendall(bytes(bad))
        a.wait_err(r"127\.0\.0\.1: offset %d: BMP version 1, not 3" %
                   len(msgs))
        assert closed(b), "the bad session was not closed"
        rest = a.wait_out(r",bgp.peers,collector:127\.0\.0\.1,0$")
        print("ok: a bad message closes its session at offset %d" % len(msgs))
        # A finishes its message and announces: still served.
        slow.sendall(up_a[30:] +
                     route_mon(64511, "192.0.2.11", ["192.0.2.0/24"], 64502))
        rest = a.wait_out(r",bgp,asn:64502,1$")
        assert not any(",asn:64501," in l for l in rest), \
            "the closed session's routes are still counted"
        # Peer Down empties A's peer.
        slow.sendall(peer_down(64511, "192.0.2.11"))
        a.wait_out(r",bgp.peers,collector:127\.0\.0\.1,0$")
        rest = a.wait_out(r",bgp.peers,collector:all,0$")
        assert not any(",asn:64502," in l for l in rest), \
            "Peer Down left routes"
        print("ok: the other session goes on; Peer Down empties its table")
        a.p.send_signal(signal.SIGTERM)
        rc = a.p.wait(timeout=10)
        assert rc == 0, "collector exit %d" % rc
        a.wait_err(r"session closed \(collector stopping\): 4 messages, 3 route")
    finally:
        if a.p.poll() is None:
            a.p.kill()
            a.p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
