#!/usr/bin/env python3
"""An independent registry diff for the tests: two RIR delegated files in,
the changes out as `lifeline registry diff --format csv` prints them (a
header, then one line a change). Written apart from lifeline's C (Python's
ipaddress and dictionaries keyed by delegation), so that both agreeing
means something. No filters: the test filters both sides itself.
"""
import ipaddress
import sys


def load(path):
    recs = {}
    first = True
    for line in open(path):
        line = line.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("|")
        if first:
            first = False
            if f[0][:1].isdigit():
                continue
        if len(f) >= 6 and f[5] == "summary":
            continue
        reg, cc, typ, start, value, date, status = f[:7]
        oid = f[7] if len(f) >= 8 else ""
        if typ == "asn":
            key = (0, int(start), int(value))
        else:
            key = ((1 if typ == "ipv4" else 2),
                   int(ipaddress.ip_address(start)), int(value))
        recs.setdefault(key, (reg, cc, typ, start, value, date, status, oid))
    return recs


def resource(r):
    reg, cc, typ, start, value, *_ = r
    v = int(value)
    if typ == "asn":
        return "AS%s" % start if v == 1 else "AS%s-AS%d" % (start, int(start) + v - 1)
    if typ == "ipv6":
        return "%s/%d" % (ipaddress.ip_address(start), v)
    try:
        net = ipaddress.ip_network("%s/%d" % (start, 32 - v.bit_length() + 1))
        if net.num_addresses == v:
            return str(net)
    except ValueError:
        pass
    return "%s+%d" % (start, v)


def side(r):
    return ",,," if r is None else "%s,%s,%s,%s" % (r[1], r[6], r[7], r[5])


def main():
    old, new = load(sys.argv[1]), load(sys.argv[2])
    print("change,registry,type,resource,old_cc,old_status,old_id,old_date,"
          "new_cc,new_status,new_id,new_date")
    real = lambda cc: cc not in ("", "ZZ")
    for key in sorted(set(old) | set(new)):
        o, n = old.get(key), new.get(key)
        r = o or n
        changes = []
        if n is None:
            changes.append("removed")
        elif o is None:
            changes.append("new")
        else:
            if o[7] and n[7] and o[7] != n[7]:
                changes.append("transfer")
            if real(o[1]) and real(n[1]) and o[1] != n[1]:
                changes.append("country")
            if o[6] != n[6]:
                changes.append("status")
        for c in changes:
            print("%s,%s,%s,%s,%s,%s" % (c, r[0], r[2], resource(r), side(o), side(n)))


main()
