#!/usr/bin/env python3
"""Compares `lifeline resilience --format json` (argv[1]) with
resilience_oracle.py's output (argv[2]): the summary exactly, each AS's
figures within 1e-6. Prints the differences; exits 1 when there are any."""
import json
import sys

got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = []
for k in ("prefixes", "addresses", "slash48s", "origins", "peers", "peer_ases", "gateways", "transits"):
    if k in want and got.get(k) != want[k]:
        bad.append("%s: lifeline %s, oracle %s" % (k, got[k], want[k]))
rows = {str(r["asn"]): r for r in got["ases"]}
if set(rows) != set(want["ases"]):
    bad.append("ASes only in lifeline: %s; only in the oracle: %s" % (
        sorted(set(rows) - set(want["ases"]))[:10], sorted(set(want["ases"]) - set(rows))[:10]))
for a in set(rows) & set(want["ases"]):
    for k, v in want["ases"][a].items():
        g = rows[a][k]
        if (abs(g - v) > 1e-6) if isinstance(v, float) else g != v:
            bad.append("AS%s %s: lifeline %s, oracle %s" % (a, k, g, v))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
