#!/usr/bin/env python3
"""An independent route origin validation (RFC 6811) for the tests.

Reads VRP CSV files (a header naming ASN, IP Prefix and Max Length) and
`bgpdump -m` output on stdin, and prints one line per route, sorted as
lifeline prints them: prefix,origin,state,announcements. Written apart
from lifeline's C (Python's ipaddress, a dictionary of exact VRP
prefixes), so that both agreeing means something.
"""
import csv
import ipaddress
import sys


def load_vrps(paths):
    vrps = {}
    for path in paths:
        with open(path, newline="") as f:
            rows = csv.reader(f)
            head = [h.strip().lower() for h in next(rows)]
            ia, ip, im = (head.index("asn"), head.index("ip prefix"),
                          head.index("max length"))
            for row in rows:
                asn = int(row[ia].strip().upper().removeprefix("AS"))
                net = ipaddress.ip_network(row[ip].strip())
                vrps.setdefault(net, set()).add((asn, int(row[im])))
    return vrps


def state(vrps, net, origin):
    covered = as_seen = False
    for length in range(net.prefixlen + 1):
        for asn, maxlen in vrps.get(net.supernet(new_prefix=length), ()):
            covered = True
            if origin is not None and asn == origin and asn != 0:
                if net.prefixlen <= maxlen:
                    return "valid"
                as_seen = True
    if not covered:
        return "not-found"
    return "invalid-length" if as_seen else "invalid-as"


def origin_of(path):
    toks = path.split()
    if not toks or not toks[-1].isdigit():
        return None          # an AS_SET "{..}" or an empty path: NONE
    return int(toks[-1])


def main():
    vrps = load_vrps(sys.argv[1:])
    seen = {}
    for line in sys.stdin:
        f = line.rstrip("\n").split("|")
        if len(f) < 7 or f[2] not in ("A", "B"):
            continue
        key = (ipaddress.ip_network(f[5]), origin_of(f[6]))
        seen[key] = seen.get(key, 0) + 1
    def order(k):
        net, origin = k
        return (net.version, net.network_address.packed, net.prefixlen,
                -1 if origin is None else origin)
    for net, origin in sorted(seen, key=order):
        print("%s,%s,%s,%d" % (net, "none" if origin is None else origin,
                               state(vrps, net, origin), seen[(net, origin)]))


main()
