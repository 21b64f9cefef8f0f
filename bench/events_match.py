#!/usr/bin/env python3
"""Compares the incidents `lifeline detect` found in real series with
curated outage lists, where the series cover them.

  events_match.py INCIDENTS.json CC FROM TO IODA.csv STOP_DIR

INCIDENTS.json is `incidents list --format json`; CC the country (ISO 3166
alpha-2) the series are of; [FROM, TO] the span the series cover (ISO 8601
UTC). IODA.csv is IODA's curated outage list (times in UTC), STOP_DIR the
Access Now #KeepItOn STOP dataset (one CSV a year or period, dates only).

An entry of a list is covered when it is about the country and overlaps
the span; STOP entries that are service-based (social media blocked, the
network up) are covered by no connectivity signal and are listed apart.
An entry matches an incident of the country that overlaps it (an IODA
entry: within an hour either side; a STOP entry: its days). Prints
Markdown: matched, missed and extra, with dates.
"""
import csv
import glob
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone

NAMES = {"VE": "venezuela", "IR": "iran", "MM": "myanmar", "UA": "ukraine",
         "RU": "russia", "US": "united states"}
SLACK = timedelta(hours=1)


def utc(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)


def ioda_time(s):
    """IODA's list writes times two ways: "Monday, July 22, 2019, 8:50:00
    PM" and "4/14/2020  22:0:00 PM" (a 24-hour clock with a stray AM/PM).
    None when neither fits."""
    s = s.strip()
    for f in ("%A, %B %d, %Y, %I:%M:%S %p", "%A, %B %d, %Y, %I:%M %p"):
        try:
            return datetime.strptime(s, f).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    m = re.match(r"(\d+)/(\d+)/(\d{4})\s+(\d+):(\d+)(?::(\d+))?", s)
    if m:
        mo, d, y, h, mi = (int(x) for x in m.groups()[:5])
        if h < 24:
            return datetime(y, mo, d, h, mi, tzinfo=timezone.utc)
    return None


def load_ioda(path, cc, lo, hi):
    out, bad = [], 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.reader(f):
            if len(r) < 8 or r[0] == "ID" or \
                    r[3].strip().lower() != NAMES.get(cc, cc.lower()):
                continue
            a, b = ioda_time(r[1]), ioda_time(r[2])
            if a is None:
                bad += 1
                continue
            b = b or a
            if a <= hi and b >= lo:
                out.append({"id": r[0], "start": a, "end": b,
                            "scope": r[7].strip(), "cause": r[10].strip()})
    return out, bad


def load_stop(d, cc, lo, hi):
    out = []
    for p in sorted(glob.glob(os.path.join(d, "*.csv"))):
        with open(p, encoding="utf-8-sig", newline="") as f:
            rd = csv.reader(f)
            head = [h.strip() for h in next(rd, [])]
            for r in rd:
                row = dict(zip(head, (x.strip() for x in r)))
                if NAMES.get(cc, cc.lower()) not in \
                        row.get("country", "").lower():
                    continue
                try:
                    a = datetime.strptime(row["start_date"], "%Y-%m-%d")
                except (KeyError, ValueError):
                    continue
                a = a.replace(tzinfo=timezone.utc)
                try:
                    b = datetime.strptime(row.get("end_date", ""),
                                          "%Y-%m-%d").replace(
                        tzinfo=timezone.utc)
                except ValueError:
                    b = a
                b += timedelta(days=1)
                if a <= hi and b >= lo:
                    out.append({"id": row.get("ID", "?"), "start": a,
                                "end": b,
                                "scope": row.get("geo_scope", ""),
                                "type": row.get("full or service-based",
                                                "")})
    return out


def fmt(t):
    return t.strftime("%Y-%m-%d %H:%M") if t else "open"


def main(argv):
    incs = json.load(open(argv[1]))
    cc, lo, hi = argv[2], utc(argv[3]), utc(argv[4])
    ioda, bad = load_ioda(argv[5], cc, lo, hi)
    stop = load_stop(argv[6], cc, lo, hi)
    far = datetime(1970, 1, 1, tzinfo=timezone.utc)
    end = datetime(2100, 1, 1, tzinfo=timezone.utc)
    n_ioda = len(load_ioda(argv[5], cc, far, end)[0])
    all_stop = load_stop(argv[6], cc, far, end)
    for i in incs:
        i["_s"] = utc(i["start"])
        i["_e"] = utc(i["end"]) if i["end"] else hi
        i["_m"] = []
    print("Series span: %s to %s (UTC); country %s. IODA's list has %d "
          "entries of the country, %d in the span; STOP has %d (%d "
          "service-based), %d in the span." % (
              fmt(lo), fmt(hi), cc, n_ioda, len(ioda), len(all_stop),
              sum(1 for e in all_stop
                  if e["type"].lower().startswith("service")), len(stop)))
    print()
    print("| list | entry | scope | dates (UTC) | verdict | incidents |")
    print("|---|---|---|---|---|---|")
    for src, lst, slack in (("IODA", ioda, SLACK),
                            ("STOP", stop, timedelta(0))):
        for e in lst:
            if src == "STOP" and e["type"].lower().startswith("service"):
                print("| %s | %s | %s | %s to %s | not covered (service-"
                      "based: the network stays up) | - |" % (
                          src, e["id"], e["scope"], fmt(e["start"]),
                          fmt(e["end"])))
                continue
            m = [i for i in incs if i["_s"] <= e["end"] + slack and
                 i["_e"] >= e["start"] - slack]
            for i in m:
                i["_m"].append(src + " " + e["id"])
            print("| %s | %s | %s | %s to %s | %s | %s |" % (
                src, e["id"], e["scope"], fmt(e["start"]), fmt(e["end"]),
                "matched" if m else "missed",
                ", ".join("%d (%s to %s)" % (i["id"], fmt(i["_s"]),
                                            fmt(utc(i["end"]) if i["end"]
                                                else None)) for i in m)
                or "-"))
    for i in incs:
        if not i["_m"]:
            print("| - | - | %s | %s to %s | extra: incident %d, %s | "
                  "%d |" % (",".join(i["scope"][:3]) +
                            (",..." if len(i["scope"]) > 3 else ""),
                            fmt(i["_s"]),
                            fmt(utc(i["end"]) if i["end"] else None),
                            i["id"], i["class"], i["id"]))
    if bad:
        print()
        print("%d IODA entries of the country had a time that could not "
              "be read." % bad)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
