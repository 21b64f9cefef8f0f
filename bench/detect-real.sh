#!/bin/bash
# Detection on real data: the Monash IP Observatory's Venezuela series of
# July 2019 (hourly connectivity of every state, the country rolled up) goes
# into a fresh store (`import monash`), `detect` runs over it, and
# bench/events_match.py compares the incidents with IODA's curated outage
# list and the Access Now STOP dataset where the series cover them:
# matched, missed and extra, with dates. docs/detection.md records the
# result.
#
# Usage: bench/detect-real.sh [LIFELINE]      (default build/lifeline)
# Environment: LL_SHARED_DATA (default ../shared/data), BENCH_OUT (default
#   bench/out/real).
# Exit status: 0 done, 2 set-up (77 when the shared data is absent).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ll=${1:-$(dirname "$here")/build/lifeline}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-$(dirname "$here")/../shared/data}}
out=${BENCH_OUT:-$here/out/real}
ev=$D/events
die() { echo "detect-real: $*" >&2; exit 2; }
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
[ -f "$ev/monash-ip-observatory/ven-2019-07-22_gif.csv" ] ||
	{ echo "detect-real: no shared data at $D" >&2; exit 77; }
command -v python3 >/dev/null || die "python3 is needed"

rm -rf "$out" && mkdir -p "$out" || die "cannot write $out"
db=$out/ve.db
"$ll" import monash --db "$db" \
	"$ev/monash-ip-observatory/ven-2019-07-22_gif.csv" 2>&1 | tail -n 1
"$ll" detect --db "$db" | grep -v ' ongoing \| partially restored ' ||
	die "detect failed"
"$ll" incidents list --db "$db" --format json >"$out/incidents.json" ||
	die "incidents list failed"
span=$("$ll" export --db "$db" --signal monash.connectivity \
	--entity country:VE 2>/dev/null | awk -F, 'NR > 1 && $1 != "" {
	if (lo == "") lo = $1; hi = $1 } END { print lo, hi }')
[ -n "$span" ] || die "no country:VE series in the store"
echo
# shellcheck disable=SC2086
python3 "$here/events_match.py" "$out/incidents.json" VE $span \
	"$ev/ioda_investigated_outages_cleaned_phase1+2.csv" \
	"$ev/accessnow-keepiton-stop-2016-2022" | tee "$out/report.md"
