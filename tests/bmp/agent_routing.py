#!/usr/bin/env python3
"""`lifeline agent bmp --watchlist`: the routing monitors on a live feed.

- the sessions captured from FRR and GoBGP (tests/data/bmp), replayed on
  loopback: a sub-prefix announced with another origin fires when seen and
  ends when withdrawn; FRR's path shows a new upstream of a watched AS;
  routes of the expected origin raise nothing; with --db each alert is one
  event, whose end replaces it;
- a played session: two peers below --min-peers 3 raise nothing, a third
  fires the hijack once, and Peer Down of all three ends it.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent as A  # noqa: E402  (the session builders)

LIFELINE = os.environ["LIFELINE"]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                    "bmp")

WATCH = """10.1.0.0/16:
  asn: 65010
10.2.0.0/16:
  asn: 64999
198.51.100.0/24:
  asn: 64500
options:
  monitorASns:
    65010:
      upstreams: []
"""


def run(tmp, name, data, extra, expect):
    """Feeds data (bytes, or a function of the socket) to a collector and
    waits for expect alert lines; returns the alerts."""
    alerts = os.path.join(tmp, name + ".jsonl")
    err = open(os.path.join(tmp, name + ".err"), "w+")
    p = subprocess.Popen(
        [LIFELINE, "agent", "bmp", "--listen", "127.0.0.1:0", "--by", "asn",
         "--watchlist", os.path.join(tmp, "w.yml"), "--alerts", alerts] +
        extra, stdout=subprocess.DEVNULL, stderr=err)
    try:
        port = None
        for _ in range(200):
            err.flush()
            m = re.search(r"port (\d+)", open(err.name).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        assert port, "collector did not start: " + open(err.name).read()
        s = socket.create_connection(("127.0.0.1", port))
        if callable(data):
            data(s)
        else:
            s.sendall(data)
        lines = []
        for _ in range(200):
            if os.path.exists(alerts):
                lines = open(alerts).read().splitlines()
                if len(lines) >= expect:
                    break
            time.sleep(0.05)
        time.sleep(0.3)		# nothing more is to come
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=10) == 0, open(err.name).read()
        return [json.loads(l) for l in open(alerts).read().splitlines()]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def captures(tmp):
    for cap in ("frr", "gobgp"):
        data = open(os.path.join(DATA, cap + ".bmp"), "rb").read()
        db = os.path.join(tmp, cap + ".db")
        want = 4 if cap == "frr" else 2
        al = run(tmp, cap, data, ["--min-peers", "1", "--db", db], want)
        got = sorted((a["type"], a["prefix"], a["last_seen"] is None)
                     for a in al)
        exp = [("sub-prefix", "10.2.0.0/22", False),
               ("sub-prefix", "10.2.0.0/22", True)]
        if cap == "frr":	# the path is 65020 65010; 10.1.1.0/24 first
            exp += [("new-upstream", "10.1.1.0/24", False),
                    ("new-upstream", "10.1.1.0/24", True)]
            up = [a for a in al if a["type"] == "new-upstream"]
            assert up[0]["watched_as"] == 65010 and \
                up[0]["neighbour"] == 65020, up[0]
        assert got == sorted(exp), (cap, got)
        sp = [a for a in al if a["type"] == "sub-prefix"]
        assert sp[0]["seen_origin"] == 65010 and \
            sp[0]["expected_origin"] == [64999], sp[0]
        assert sp[1]["first_seen"] == sp[0]["first_seen"]
        rows = sqlite3.connect(db).execute(
            "SELECT kind, entity, stop IS NULL, detail FROM event "
            "ORDER BY kind").fetchall()
        kinds = [(k, e, o) for k, e, o, _ in rows]
        exp_db = [("routing:sub-prefix", "prefix:10.2.0.0/22", 0)]
        if cap == "frr":
            exp_db = [("routing:new-upstream", "asn:65010", 0)] + exp_db
        assert kinds == exp_db, (cap, kinds)
        assert json.loads(rows[-1][3])["last_seen"] is not None
        print("ok: %s capture: %d alert lines, %d events" %
              (cap, len(al), len(rows)))


def played(tmp):
    peers = [(64511, "192.0.2.11"), (64512, "192.0.2.12"),
             (64513, "192.0.2.13")]

    def feed(s):
        s.sendall(A.initiation(b"played"))
        for asn, addr in peers:
            s.sendall(A.peer_up(asn, addr) +
                      A.route_mon(asn, addr, ["198.51.100.0/24"], 64666))
            time.sleep(0.2)
        for asn, addr in peers:
            s.sendall(A.peer_down(asn, addr))
    al = run(tmp, "played", feed, ["--min-peers", "3"], 2)
    assert [(a["type"], a["last_seen"] is None, a["peer_count"])
            for a in al] == [("hijack", True, 3), ("hijack", False, 3)], al
    assert [p["asn"] for p in al[0]["peers"]] == [64511, 64512, 64513]
    print("ok: --min-peers 3 fires at the third peer; Peer Down ends it")


def main():
    tmp = tempfile.mkdtemp(prefix="ll-bmp-routing-")
    try:
        with open(os.path.join(tmp, "w.yml"), "w") as f:
            f.write(WATCH)
        captures(tmp)
        played(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
