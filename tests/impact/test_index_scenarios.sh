#!/bin/sh
# The access index on the detection scenarios of `lifeline simulate
# --scenario` (the short ones), imported with `lifeline import series` as
# bench/detect-quality.sh does. The scenarios write probing reachability
# (`probe`) and NDT throughput and latency (`ndt.down`, `ndt.rtt`) per
# country, region and AS. The event's days come from truth.jsonl:
#  - throttling (NDT throughput down, RTT up, reachability intact): on
#    the event's days "fast" is at least 10 points under every day before
#    it, and "available" stays within 5 points of 100;
#  - nationwide (a shutdown of several hours: probing reachability lost):
#    on the event's day "available" and "reliable" are at least 10 points
#    under every day before it; "available" is 100 again the day after.
set -u
L=${LIFELINE:?}
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for sc in throttling nationwide; do
	"$L" simulate --scenario "$sc" --short --seed 1 --out "$tmp/$sc" \
		>/dev/null 2>"$tmp/err" || { fail "simulate $sc: $(cat "$tmp/err")"; continue; }
	"$L" import series --db "$tmp/$sc.db" "$tmp/$sc/$sc.csv" >/dev/null \
		2>"$tmp/err" || { fail "import $sc: $(cat "$tmp/err")"; continue; }
	# the country of the scenario's event, and its range (three words)
	# shellcheck disable=SC2046
	set -- $(python3 - "$tmp/$sc/truth.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = [r for r in rows if r["record"] == "scenario"][0]
e = [r for r in rows if r["record"] == "event"][0]
print(e["entity"], s["from"][:10], s["to"][:10])
PY
)
	"$L" index --db "$tmp/$sc.db" --entity "$1" --from "$2" --to "$3" \
		--format json >"$tmp/$sc.json" 2>"$tmp/err" ||
		{ fail "index $sc: $(cat "$tmp/err")"; continue; }
	python3 - "$sc" "$tmp/$sc.json" "$tmp/$sc/truth.jsonl" <<'PY' || fail "$sc: the index does not show it"
import json, sys
sc, days = sys.argv[1], json.load(open(sys.argv[2]))
ev = [json.loads(l) for l in open(sys.argv[3])]
ev = [r for r in ev if r["record"] == "event"][0]
first, last = ev["start"][:10], ev["end"][:10]
before = [d for d in days if d["date"] < first]
during = [d for d in days if first <= d["date"] <= last]
after = [d for d in days if d["date"] > last]
def score(d, dim):
    s = d[dim]["score"]
    assert s is not None, (d["date"], dim, "no data")
    return s
def kinds(d, dim):
    return {m["kind"] for m in d[dim]["measurements"]}
assert before and during, (first, last, [d["date"] for d in days])
for d in days:
    assert kinds(d, "available") == {"probe"}, d["available"]
    assert kinds(d, "fast") == {"ndt.down", "ndt.rtt"}, d["fast"]
    print(sc, d["date"], "available", score(d, "available"), "reliable",
          score(d, "reliable"), "fast", score(d, "fast"))
if sc == "throttling":
    for d in during:
        assert score(d, "fast") <= min(score(b, "fast") for b in before) - 10, d["date"]
    for d in days:
        assert score(d, "available") >= 95, d["date"]
else:
    for dim in ("available", "reliable"):
        for d in during:
            assert score(d, dim) <= min(score(b, dim) for b in before) - 10, (d["date"], dim)
    assert after and all(score(d, "available") == 100 for d in after)
PY
done
[ "$fails" -eq 0 ] || exit 1
echo "ok"
