#!/usr/bin/env python3
"""An independent computation of `lifeline resilience` for the tests.

resilience_oracle.py DELEGATED CC [ipv6] < bgpdump-m-output prints JSON: the
summary and, per AS, hegemony, chokepoint, upstream, upstream_of, gateway,
transit and domestic, by the definitions of docs/methodology.md. Written
apart from lifeline's C: Python's ipaddress, dictionaries, and direct
enumeration of more-specifics instead of a sorted sweep. With ipv6, the
country's IPv6 space weighted by /48s, counted in /56s (a /48 is 256):
prefixes from /16 to /56; one longer than /48 counts by its first address.
"""
import bisect
import ipaddress
import json
import sys
from collections import defaultdict


V6 = len(sys.argv) > 3 and sys.argv[3] == "ipv6"
UNIT = 2 ** 72 if V6 else 1          # addresses in a unit: a /56, or one
SPLIT = 48 if V6 else 24             # the location's granularity
MINLEN, MAXLEN = (16, 56) if V6 else (8, 32)


def load_ranges(path, cc):
    r = []
    for line in open(path):
        f = line.strip().split("|")
        if len(f) >= 7 and f[1] == cc and f[2] == ("ipv6" if V6 else "ipv4") and f[6] in ("allocated", "assigned"):
            s = int(ipaddress.ip_address(f[3]))
            r.append((s, s + (2 ** (128 - int(f[4])) if V6 else int(f[4]))))
    r.sort()
    return r


def country_count(ranges, starts, net):
    lo = int(net.network_address)
    hi = lo + net.num_addresses
    if net.prefixlen > SPLIT:
        i = bisect.bisect_right(starts, lo) - 1
        return net.num_addresses // UNIT if i >= 0 and ranges[i][0] <= lo < ranges[i][1] else 0
    n = 0
    for s, e in ranges[max(0, bisect.bisect_right(starts, lo) - 1):]:
        if s >= hi:
            break
        n += max(0, min(e, hi) - max(s, lo))
    return n // UNIT


def dedup(path):
    out = []
    for a in path:
        if not out or out[-1] != a:
            out.append(a)
    return out


def exclusive(prefixes, cnt):
    """cnt less the cnt of the direct more-specifics in the set."""
    nets = sorted(prefixes, key=lambda n: n.prefixlen)
    excl = {}
    for p in nets:
        subs = [q for q in nets if q != p and q.subnet_of(p)]
        direct = [q for q in subs if not any(r != q and q.subnet_of(r) for r in subs)]
        excl[p] = cnt[p] - sum(cnt[q] for q in direct)
    return excl


def main():
    ranges = load_ranges(sys.argv[1], sys.argv[2])
    starts = [s for s, _ in ranges]
    cnt, routes, nets = {}, {}, {}
    orig_total, orig_cc = defaultdict(int), defaultdict(int)
    for line in sys.stdin:
        f = line.rstrip("\n").split("|")
        if len(f) < 6 or f[2] not in ("A", "B", "W") or (":" in f[5]) != V6:
            continue
        net = nets.get(f[5])
        if net is None:
            net = nets[f[5]] = ipaddress.ip_network(f[5])
            cnt[net] = country_count(ranges, starts, net) if MINLEN <= net.prefixlen <= MAXLEN else 0
        if not MINLEN <= net.prefixlen <= MAXLEN:
            continue
        key = (f[3], int(f[4]), net)
        if f[2] == "W":
            if cnt[net]:
                routes[key] = None
            continue
        if "{" in f[6] or not f[6].strip():
            continue
        path = dedup([int(a) for a in f[6].split()])
        orig_total[path[-1]] += net.num_addresses // UNIT
        orig_cc[path[-1]] += cnt[net]
        if cnt[net]:
            routes[key] = path
    routes = {k: v for k, v in routes.items() if v is not None}
    dom = lambda a: orig_cc[a] > 0 and 2 * orig_cc[a] > orig_total[a]

    # hegemony: per peer, per peer AS, trimmed over peer ASes
    bypeer = defaultdict(dict)
    for (ip, pas, net), path in routes.items():
        bypeer[(ip, pas)][net] = path
    group = defaultdict(list)
    for peer, rts in bypeer.items():
        ex = exclusive(rts.keys(), cnt)
        w = sum(ex.values())
        if w == 0:
            continue
        bc = defaultdict(float)
        for net, path in rts.items():
            for a in set(path):
                bc[a] += ex[net]
        group[peer[1]].append({a: v / w for a, v in bc.items()})
    peer_ases = len(group)
    pergroup = {g: {a: sum(d.get(a, 0) for d in ds) / len(ds) for a in set().union(*ds)}
                for g, ds in group.items()}
    hege = {}
    t = peer_ases // 10
    for a in set().union(*pergroup.values()) if pergroup else ():
        vals = sorted(pergroup[g].get(a, 0.0) for g in pergroup)
        mid = vals[t:peer_ases - t]
        hege[a] = sum(mid) / len(mid) if mid else 0.0

    # per prefix: chokepoints, upstreams, gateways, transits
    byprefix = defaultdict(list)
    for (ip, pas, net), path in routes.items():
        byprefix[net].append(path)
    gex = exclusive(byprefix.keys(), cnt)
    total = sum(gex.values())
    choke, up, gw, tr = (defaultdict(int) for _ in range(4))
    pairs, origins = set(), set()
    for net, paths in byprefix.items():
        w = gex[net]
        for a in set.intersection(*(set(p) for p in paths)):
            choke[a] += w
        ups, gws, trs = set(), set(), set()
        for p in paths:
            origins.add(p[-1])
            if len(p) >= 2:
                ups.add(p[-2])
                pairs.add((p[-2], p[-1]))
            for k in range(len(p) - 1, -1, -1):
                if not dom(p[k]):
                    if k < len(p) - 1:
                        trs.add(p[k])
                        gws.add(p[k + 1])
                    break
        for s, d in ((ups, up), (gws, gw), (trs, tr)):
            for a in s:
                d[a] += w
    upof = defaultdict(int)
    for u, _ in pairs:
        upof[u] += 1
    rows = {}
    for a in set(hege) | set(choke) | set(up) | set(gw) | set(tr):
        row = {"hegemony": hege.get(a, 0.0), "chokepoint": choke[a] / total,
               "upstream": up[a] / total, "upstream_of": upof[a],
               "gateway": gw[a] / total, "transit": tr[a] / total, "domestic": dom(a)}
        if any(row[k] for k in ("hegemony", "chokepoint", "upstream", "gateway", "transit")):
            rows[a] = row
    print(json.dumps({
        "prefixes": len(byprefix), ("slash48s" if V6 else "addresses"): round(total / 256, 2) if V6 else total, "origins": len(origins),
        "peers": sum(len(ds) for ds in group.values()), "peer_ases": peer_ases,
        "gateways": sum(1 for a in rows if rows[a]["gateway"] > 0),
        "transits": sum(1 for a in rows if rows[a]["transit"] > 0),
        "ases": rows}))


main()
