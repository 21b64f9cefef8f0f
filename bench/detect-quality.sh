#!/bin/bash
# Detection quality on ground truth: `lifeline simulate --scenario all`
# writes every scenario's series and truth.jsonl; each scenario goes into a
# fresh store (`import series`; the two BGP scenarios, MRT archives of
# `lifeline simulate --country/--asn`, through `ingest bgp`), `detect`
# runs over it, and
# bench/truth_match.py matches the incidents against the truth: precision,
# recall and time to detect per class, false alarms per entity-month where
# nothing happened, and the continuous shutdown under the pinned baseline
# against the IODA-parity detector alone. docs/detection.md records the
# figures.
#
# Usage: bench/detect-quality.sh [--short] [--check] [--seed S] [LIFELINE]
#   --short   the short scenarios (2 days of history, a 12-day continuous
#             shutdown): what `make check` runs
#   --check   assert every event's class, detection within its bins,
#             campaign and (open events) openness; exit 1 otherwise
# Environment: BENCH_OUT (default bench/out/quality), XFAIL (events
#   expected to miss, comma-separated ids; default none).
# Exit status: 0 done (or all checks passed), 1 a check failed, 2 set-up.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
short= check= seed=1
while [ $# -gt 0 ]; do
	case $1 in
	--short) short=--short; shift ;;
	--check) check=--check; shift ;;
	--seed) seed=$2; shift 2 ;;
	*) break ;;
	esac
done
ll=${1:-$(dirname "$here")/build/lifeline}
out=${BENCH_OUT:-$here/out/quality}
xfail=${XFAIL-}
die() { echo "detect-quality: $*" >&2; exit 2; }
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
command -v python3 >/dev/null || die "python3 is needed to match the truth"

rm -rf "$out" && mkdir -p "$out/sim" || die "cannot write $out"
"$ll" simulate --scenario all $short --seed "$seed" --out "$out/sim" \
	>/dev/null 2>"$out/simulate.err" || die "simulate: $(cat "$out/simulate.err")"
# detect over a store, the incidents and critical alerts kept for matching
detect_store() { # NAME
	"$ll" detect --db "$out/$1.db" >"$out/$1.detect" 2>>"$out/$1.err" ||
		die "detect $1: $(cat "$out/$1.err")"
	"$ll" incidents list --db "$out/$1.db" --format json >"$out/$1.json" ||
		die "incidents list $1"
	# the alert table, for the IODA-parity detector alone
	if command -v sqlite3 >/dev/null; then
		sqlite3 -csv "$out/$1.db" "SELECT detector, entity, time, level
		    FROM alert WHERE level = 'critical'" >"$out/$1.alerts.csv"
	fi
}
names=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["record"] == "scenario": print(r["scenario"])' "$out/sim/truth.jsonl")
for n in $names; do
	"$ll" import series --db "$out/$n.db" "$out/sim/$n.csv" >/dev/null \
		2>"$out/$n.err" || die "import $n: $(cat "$out/$n.err")"
	detect_store "$n"
done
# BGP: MRT archives of a country's and of one AS's withdrawal (the
# location database is needed; without it they are left out)
[ -n "$short" ] || for target in "--country EG" "--asn 24863 --country EG"; do
	d=$out/sim/bgp-$(echo "$target" | tr -dc 'a-zA-Z0-9')
	# shellcheck disable=SC2086
	if ! "$ll" simulate --out "$d" $target --seed "$seed" >"$d.files" \
	    2>"$d.err"; then
		echo "detect-quality: BGP scenario $target left out: $(tail -n 1 "$d.err")" >&2
		continue
	fi
	n=$(python3 -c 'import json,sys
print(json.loads(open(sys.argv[1]).readline())["scenario"])' "$d/truth.jsonl")
	cat "$d/truth.jsonl" >>"$out/sim/truth.jsonl"
	# shellcheck disable=SC2046
	"$ll" ingest bgp --db "$out/$n.db" --collector sim --full-feed 90% \
		$(cat "$d.files") >/dev/null 2>"$out/$n.err" ||
		die "ingest $n: $(tail -n 1 "$out/$n.err")"
	detect_store "$n"
done
if [ -n "$check" ]; then
	python3 "$here/truth_match.py" "$out/sim/truth.jsonl" "$out" --check \
		--xfail="$xfail"
	exit $?
fi
python3 "$here/truth_match.py" "$out/sim/truth.jsonl" "$out" \
	>"$out/verdicts.jsonl" || die "matching failed"
python3 "$here/truth_match.py" "$out/sim/truth.jsonl" "$out" --report |
	tee "$out/report.md"
