#!/usr/bin/env python3
"""Independent oracle for the BGP visibility signal, per AS and per country.

Reads the route elements of ONE RIB dump (the output of `lifeline mrt dump
--format=jsonl` or of `bgpdump -m`), computes IODA's visibility values from
scratch and, with --compare, checks the CSV of `lifeline bgp visibility` against
them.  It shares no code with lifeline's C: it is a second implementation of
the definition, written from IODA's public sources, which were read (not
copied) for it:

  CAIDA/bgpview lib/consumers/bvc_visibility.c
      find_ff_peers(): a peer is full-feed for an IP version when its table
      holds at least (>=) IPV4_FULLFEED_SIZE 400000 / IPV6_FULLFEED_SIZE 10000
      prefixes of that version (every prefix length counts); the full-feed
      peer *ASNs* are a set, full_feed_peer_asns_cnt is its size.
  CAIDA/bgpview lib/consumers/bvc_perasvisibility.c
      compute_origin_pfx_visibility(): IPv4 prefixes with a mask shorter than
      pfx_vis_mask_len_threshold (ROUTED_PFX_MIN_MASK_LEN 6) are skipped; for
      each prefix, the distinct peer ASNs of the full-feed peers holding it
      (ff_asns) and the distinct origins they see (add_origin(): only an
      origin segment of type ASN, so an AS_SET origin is skipped).
      peras_info_update(): ratio = |ff_asns| / full_feed_peer_asns_cnt; the
      prefix goes to every origin AS at thresholds 0 ("min_1_ff_peer_asn"),
      0.25, 0.5, 0.75, 1 when ratio >= threshold (MOAS: every origin).
      The per-AS value is bgpstream_patricia_tree_count_24subnets() of the
      AS's visible prefixes: distinct /24s, overlaps once.
  CAIDA/bgpstream (libbgpstream) lib/utils/bgpstream_utils_patricia.c
      bgpstream_patricia_tree_count_subnets(): a prefix of /24 or longer
      counts as the one /24 that holds it.
  CAIDA/bgpview lib/consumers/bvc_pergeovisibility.c
      compute_geo_pfx_visibility(), per_geo_update(): the same votes; per
      country, the /24s of the visible prefixes (with a plain origin) that
      hold addresses of that country.

IPv6 (--family 6): the same votes over the IPv6 full-feed peers, counting
distinct /48s (a longer prefix counts as the /48 holding it); IODA counts
/64s there, Lifeline /48s.

Options (all optional but the input):
  --format jsonl|bgpdump    input format (default jsonl); '-' reads stdin
  --full-feed N|P%          IPv4 full-feed rule: >= N prefixes (default
                            400000), or >= P% of the largest peer's IPv4
                            table, computed as lifeline does:
                            n > 0 and n * 100 >= P * max (doubles)
  --full-feed6 N|P%         the same for IPv6 (default 10000; with a P% IPv4
                            rule and no --full-feed6, the same P% of the
                            largest IPv6 table)
  --visibility any|25|50|75|100   threshold (default 50)
  --family 4|6              /24s of IPv4 (default) or /48s of IPv6
  --min-len6 N              IPv6 prefixes shorter than /N are ignored
                            (default 0: IODA's per-AS consumer skips short
                            IPv4 prefixes only; Lifeline skips IPv6 ones
                            shorter than /6 too, docs/signals.md)
  --rir FILE                RIR delegated stats (registry|cc|ipv4|start|n|..):
                            also compute country:CC values (IPv4 only)
  --compare CSV             lifeline's `time,entity,value` output (or
                            `time,kind,entity,value`): the last bin is
                            compared with the oracle; differences are
                            printed as a table, exit 1 if any
  --entities asn,country    the kinds --compare compares (default asn)
  --expect ENTITY=VALUE     (repeatable) check the oracle's own value against
                            a value derived by hand; exit 1 if it differs
  --label TEXT              name of the input in messages
  --out FILE                also write the oracle's values there
Without --compare the oracle prints its values as `entity,value` lines.
"""

import bisect
import itertools
import json
import re
import socket
import sys

THRESHOLDS = {"any": 0, "25": 1, "50": 2, "75": 3, "100": 4}  # quarters


def die(msg):
    print("oracle: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_prefix(text):
    """'a.b.c.d/n' or 'x::/n' -> (family, address as int, length)."""
    addr, _, ln = text.partition("/")
    length = int(ln)
    if ":" in addr:
        a = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), "big")
        if not 0 <= length <= 128:
            raise ValueError(text)
        return (6, a >> (128 - length) << (128 - length) if length else 0,
                length)
    a = int.from_bytes(socket.inet_aton(addr), "big")
    if not 0 <= length <= 32:
        raise ValueError(text)
    return (4, a >> (32 - length) << (32 - length) if length else 0, length)


def origin_of(last):
    """The origin AS from the last token of an AS path as bgpdump prints it:
    None when there is none or it is not a plain AS (an AS_SET '{..}', a
    confederation '(..)' / '[..]': '(65001 65002)' ends in '65002)')."""
    return int(last) if last.isdigit() else None


def read_tables(stream, fmt):
    """Every RIB element into its peer's table: {peer: {prefix text: last
    token of the AS path}}; a later element of the same prefix replaces an
    earlier one (ADD-PATH paths of one prefix: the last one). Also {peer:
    peer ASN}."""
    tables, peer_asn = {}, {}
    jsonl = fmt == "jsonl"
    loads = json.loads
    # docs/mrt.md gives the order of the fields; a line it does not fit (an
    # escape in a string, a field moved) is read with the JSON parser.
    quick = re.compile(r'\{"type":"R","time":"[^"]*","ts":\d+,"usec":\d+,'
                       r'"peer_ip":"([^"\\]*)",'
                       r'"peer_asn":(\d+),"prefix":"([^"\\]*)",'
                       r'"path_id":\d+,"as_path":"([^"\\]*)"').match
    for line in stream:
        if jsonl:
            m = quick(line)
            if m is not None:
                ip, asn, pfx, path = m.groups()
                peer = (ip, int(asn))
            else:
                if '"R"' not in line:
                    continue
                e = loads(line)
                if e.get("type") != "R":
                    continue
                peer = (e["peer_ip"], e["peer_asn"])
                pfx, path = e["prefix"], e["as_path"]
        else:
            f = line.split("|", 8)
            if len(f) < 8 or f[2] != "B":
                continue
            peer = (f[3], int(f[4]))
            pfx = f[5]
            # TABLE_DUMP2_AP puts the path id before the AS path.
            path = f[7] if f[0].endswith("_AP") else f[6]
        t = tables.get(peer)
        if t is None:
            t = tables[peer] = {}
            peer_asn[peer] = peer[1]
        t[pfx] = path.rpartition(" ")[2]
    return tables, peer_asn


def full_feed_rule(text, default):
    if text is None:
        return ("abs", default)
    if text.endswith("%"):
        return ("pct", float(text[:-1]))
    return ("abs", int(text))


def is_full_feed(n, rule, largest):
    kind, v = rule
    if kind == "pct":
        return n > 0 and float(n) * 100.0 >= v * float(largest)
    return n > 0 and n >= v


def unit_range(key):
    """The /24s (IPv4) or /48s (IPv6) a prefix covers, as [lo, hi)."""
    fam, addr, length = key
    unit, width = (24, 32) if fam == 4 else (48, 128)
    lo = addr >> (width - unit)
    if length >= unit:
        return lo, lo + 1
    return lo, lo + (1 << (unit - length))


def union_size(ranges):
    total, end = 0, -1
    for lo, hi in sorted(ranges):
        if lo >= end:
            total += hi - lo
            end = hi
        elif hi > end:
            total += hi - end
            end = hi
    return total


def read_rir(path):
    """IPv4 ranges of an NRO delegated-stats file: sorted (lo, hi, cc),
    addresses [lo, hi)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.strip().split("|")
            if len(p) < 7 or p[2] != "ipv4" or line.startswith("#"):
                continue
            if p[1] in ("", "*") or not p[4].isdigit():
                continue
            a = int.from_bytes(socket.inet_aton(p[3]), "big")
            out.append((a, a + int(p[4]), p[1].upper()))
    return sorted(out)


def country_counts(vis_ranges, rir):
    """/24s of the union of the visible ranges, per country of the RIR file:
    a /24 counts for every country holding some of its addresses (IODA's
    per_geo_update() rounds each address run of a country up to whole
    /24s). Lifeline gives a /24 shared by several countries to the one
    holding most of it; the test's RIR file has no such /24."""
    merged = []
    for lo, hi in sorted(vis_ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    counts = {}
    starts = [r[0] for r in rir]
    ends = [r[1] for r in rir]
    reach = list(itertools.accumulate(ends, max))  # ranges may overlap
    for lo24, hi24 in merged:
        lo, hi = lo24 << 8, hi24 << 8
        # the first range that can reach lo: ranges before it end <= lo
        i = bisect.bisect_right(reach, lo)
        while i < len(rir) and starts[i] < hi:
            s, e = max(lo, starts[i]), min(hi, ends[i])
            if s < e:
                # the /24s that [s, e) touches
                cc = rir[i][2]
                counts[cc] = counts.get(cc, 0) + ((e - 1) >> 8) - (s >> 8) + 1
            i += 1
    return counts


def compute(tables, peer_asn, ff4, ff6, quarters, family, rir=None,
            min_len6=0):
    size = {}
    for peer, t in tables.items():
        n4 = sum(1 for k in t if ":" not in k)
        size[peer] = (n4, len(t) - n4)
    max4 = max((s[0] for s in size.values()), default=0)
    max6 = max((s[1] for s in size.values()), default=0)
    if family == 4:
        ff = [p for p in tables if is_full_feed(size[p][0], ff4, max4)]
    else:
        ff = [p for p in tables if is_full_feed(size[p][1], ff6, max6)]
    ff_asns = sorted({peer_asn[p] for p in ff})
    bit = {a: 1 << i for i, a in enumerate(ff_asns)}
    stats = {"peers": len(tables), "ff_peers": len(ff),
             "ff_asns": len(ff_asns), "max4": max4, "max6": max6}
    # Per prefix text: the full-feed peer ASNs holding it (a bit each) and
    # the plain origins they see (one AS, or a set for a MOAS prefix).
    holders, origins = {}, {}
    for p in ff:
        b = bit[peer_asn[p]]
        for text, last in tables[p].items():
            holders[text] = holders.get(text, 0) | b
            if last.isdigit():
                o = int(last)
                cur = origins.get(text)
                if cur is None:
                    origins[text] = o
                elif isinstance(cur, set):
                    cur.add(o)
                elif cur != o:
                    origins[text] = {cur, o}
    per_as = {}
    vis_ranges = []
    nvis = 0
    need = quarters * len(ff_asns)
    for text, mask in holders.items():
        # ratio >= quarters/4, exactly: 4 * holders >= quarters * total
        if 4 * mask.bit_count() < need:
            continue
        key = parse_prefix(text)
        if key[0] != family or key[2] < (6 if family == 4 else min_len6):
            continue
        nvis += 1
        o = origins.get(text)
        if o is None:
            # No full-feed peer sees a plain origin: the prefix counts for no
            # AS and no country (both consumers need valid_origins > 0).
            continue
        r = unit_range(key)
        vis_ranges.append(r)
        for x in (o if isinstance(o, set) else (o,)):
            per_as.setdefault(x, []).append(r)
    stats["visible_prefixes"] = nvis
    values = {"asn:%d" % o: union_size(rs) for o, rs in per_as.items()}
    if rir is not None:
        for cc, v in country_counts(vis_ranges, rir).items():
            values["country:" + cc] = v
    return values, stats


def read_lifeline(path):
    """Values of the last bin of lifeline's CSV, by entity."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line == "time,entity,value":
                continue
            f = line.split(",")
            if len(f) == 4:         # time,kind,entity,value
                f = [f[0], f[2], f[3]]
            if len(f) != 3 or not f[2].isdigit():
                die("%s: not a time,entity,value line: %s" % (path, line))
            rows.append((f[0], f[1], int(f[2])))
    if not rows:
        return {}
    last = max(r[0] for r in rows)
    return {ent: v for t, ent, v in rows if t == last}


def main(argv):
    opts = {"format": "jsonl", "visibility": "50", "family": "4"}
    expects = []
    inp = None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            name, eq, val = a[2:].partition("=")
            if not eq:
                i += 1
                if i >= len(argv):
                    die("--%s needs a value" % name)
                val = argv[i]
            if name == "expect":
                ent, _, v = val.partition("=")
                expects.append((ent, int(v)))
            elif name in ("format", "full-feed", "full-feed6", "visibility",
                          "family", "rir", "compare", "label", "entities",
                          "out", "min-len6"):
                opts[name] = val
            else:
                die("unknown option --" + name)
        elif inp is None:
            inp = a
        else:
            die("one input only")
        i += 1
    if inp is None:
        die("usage: oracle.py [options] ELEMENTS|- (see the header)")
    if opts["visibility"] not in THRESHOLDS:
        die("--visibility: any, 25, 50, 75 or 100")
    if opts["format"] not in ("jsonl", "bgpdump"):
        die("--format: jsonl or bgpdump")
    family = int(opts["family"])
    if family not in (4, 6):
        die("--family: 4 or 6")
    ff4 = full_feed_rule(opts.get("full-feed"), 400000)
    ff6txt = opts.get("full-feed6")
    if ff6txt is None and ff4[0] == "pct":
        ff6 = ff4
    else:
        ff6 = full_feed_rule(ff6txt, 10000)
    rir = read_rir(opts["rir"]) if "rir" in opts else None

    stream = sys.stdin if inp == "-" else open(inp, encoding="utf-8")
    with stream:
        tables, peer_asn = read_tables(stream, opts["format"])
    values, st = compute(tables, peer_asn, ff4, ff6,
                         THRESHOLDS[opts["visibility"]], family, rir,
                         int(opts.get("min-len6", "0")))
    label = opts.get("label", inp)
    print("%s: %d peers, %d full-feed peers of %d ASNs (IPv%d), %d visible "
          "prefixes" % (label, st["peers"], st["ff_peers"], st["ff_asns"],
                        family, st["visible_prefixes"]), file=sys.stderr)
    rc = 0
    for ent, want in expects:
        got = values.get(ent, 0)
        if got != want:
            print("%s: oracle says %s=%d, derived by hand %d" %
                  (label, ent, got, want))
            rc = 1
    lines = ["%s,%d\n" % (e, values[e]) for e in sorted(values) if values[e]]
    if "out" in opts:
        with open(opts["out"], "w", encoding="utf-8") as f:
            f.writelines(lines)
    if "compare" not in opts:
        sys.stdout.writelines(lines)
        return rc
    theirs = read_lifeline(opts["compare"])
    kinds = tuple(k + ":" for k in opts.get("entities", "asn").split(","))
    mine = {e: v for e, v in values.items() if v and e.startswith(kinds)}
    theirs = {e: v for e, v in theirs.items() if v and e.startswith(kinds)}
    ents = sorted(set(mine) | set(theirs),
                  key=lambda e: (e.split(":")[0], int(e[4:]) if
                                 e.startswith("asn:") else 0, e))
    diff = [(e, mine.get(e, 0), theirs.get(e, 0)) for e in ents
            if mine.get(e, 0) != theirs.get(e, 0)]
    print("%s: %d entities compared, %d differ (IPv%d, visibility %s)" %
          (label, len(ents), len(diff), family, opts["visibility"]))
    if diff:
        print("  %-16s %10s %10s" % ("entity", "oracle", "lifeline"))
        for e, a, b in diff[:20]:
            print("  %-16s %10d %10d" % (e, a, b))
        if len(diff) > 20:
            print("  ... %d more" % (len(diff) - 20))
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
