#!/bin/sh
# Throttling through the CLI: ten days of hourly probing and NDT
# download throughput for two countries, imported as series. In IR the
# throughput halves for twelve hours while probing holds: a nationwide
# throttling incident. In VE probing falls to 30% in the same hours and
# the throughput with it: a shutdown, which the speed tests confirm
# (confidence 0.75), with no throttling verdict.
set -u
L=${LIFELINE:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

python3 - "$tmp/series.csv" <<'PY' || exit 1
import random, sys
random.seed(5)
t0 = 1546300800  # 2019-01-01T00:00Z
with open(sys.argv[1], "w") as f:
    f.write("time,entity,kind,value\n")
    for h in range(240):
        down = 200 <= h < 212
        for cc, probe_lo in (("IR", 1.0), ("VE", 0.3)):
            p = 1000 * (probe_lo if down else 1.0) * random.gauss(1, 0.01)
            n = 50 * (0.5 if down else 1.0) * random.gauss(1, 0.02)
            f.write("%d,country:%s,probe,%.2f\n" % (t0 + h * 3600, cc, p))
            f.write("%d,country:%s,ndt.down,%.2f\n" % (t0 + h * 3600, cc, n))
PY
"$L" import series --db "$tmp/db" "$tmp/series.csv" >/dev/null 2>"$tmp/err" ||
	{ cat "$tmp/err"; fail "import"; }
"$L" detect --db "$tmp/db" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "detect"; }
"$L" incidents list --db "$tmp/db" --format json >"$tmp/json" || fail "list"
python3 - "$tmp/json" <<'PY' || fails=$((fails + 1))
import json, sys
incs = {i["scope"][0]: i for i in json.load(open(sys.argv[1]))}
assert sorted(incs) == ["country:IR", "country:VE"], incs
ir, ve = incs["country:IR"], incs["country:VE"]
assert ir["class"] == "nationwide throttling", ir
assert ir["start"] == "2019-01-09T08:00:00Z", ir["start"]
assert ir["end"] == "2019-01-09T20:00:00Z", ir["end"]
assert "ndt.down:throttle" in ir["signals"], ir["signals"]
assert not any(s.startswith("probe:") for s in ir["signals"]), ir["signals"]
assert abs(ir["confidence"] - 0.5) < 1e-9, ir
assert ve["class"] == "nationwide shutdown", ve
assert ve["start"] == "2019-01-09T08:00:00Z", ve["start"]
assert "ndt.down:perf" in ve["signals"], ve["signals"]
assert "ndt.down:throttle" not in ve["signals"], ve["signals"]
assert abs(ve["confidence"] - 0.75) < 1e-9, ve
PY
[ "$fails" = 0 ] || exit 1
echo "detect-throttle: ok"
