#!/bin/bash
# PostgreSQL against SQLite for the same work, one run each, release build:
#   ingest    `ingest bgp` of BENCH_HOURS (default 6) of one simulated
#             collector (a RIB dump and an update file every 5 minutes,
#             ~100,000 IPv4 prefixes, 10 full-feed peers) into a new store
#   month     bench_store_month: a month of 5-minute points for 1,000
#             entities in one transaction, then a new connection reading
#             one entity's month
# The PostgreSQL server is a throwaway local cluster with PostgreSQL's
# default durability (scripts/pg-test-cluster.sh, LL_PG_DURABLE=1), over
# its Unix socket. Checks that both stores give the same series.
# Usage: bench/pg.sh [path/to/lifeline]         (default build/lifeline)
# Writes BENCH_OUT/pg.md (default bench/out) and prints it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ll=${1:-$(dirname "$here")/build/lifeline}
out=${BENCH_OUT:-$here/out}
hours=${BENCH_HOURS:-6}
die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
month=$(dirname "$ll")/bench_store_month
[ -x "$month" ] || die "no bench_store_month beside $ll (make build)"
command -v psql >/dev/null || die "no psql (scripts/deps.sh bench)"
T=$(mktemp -d)
P=$(mktemp -d)	# the cluster's own (its server may run as another user)
trap '"$here/../scripts/pg-test-cluster.sh" stop "$P"; rm -rf "$T"' EXIT
mkdir -p "$out"
now() { date +%s.%N; }
url=$(LL_PG_DURABLE=1 "$here/../scripts/pg-test-cluster.sh" start "$P") ||
	die "PostgreSQL did not start"
db() {	# db NAME: a new database of the cluster, as a URL
	psql -qX "$url" -c "CREATE DATABASE $1" >/dev/null || die "createdb $1"
	echo "postgresql:///$1?${url#*\?}"
}
ff="--full-feed=50% --collector sim"

"$ll" simulate --out "$T/mrt" --duration "${hours}h" --peers 10 >"$T/files" \
    2>/dev/null || die "simulate failed"
mapfile -t files <"$T/files"
gz=$(du -cb "${files[@]}" | tail -1 | cut -f1)

declare -A wall
ingest() {	# ingest NAME URL
	local t0
	t0=$(now)
	"$ll" ingest bgp --db "$2" $ff "${files[@]}" 2>"$T/$1.log" ||
		die "ingest into $1 failed: $(tail -1 "$T/$1.log")"
	wall[$1]=$(printf '%.2f' "$(echo "$(now) - $t0" | bc)")
}
ingest sqlite "$T/s.db"
pg_ingest=$(db ingest)
ingest postgresql "$pg_ingest"
points=$(sed -n 's/.* given), \([0-9]*\) points.*/\1/p' "$T/sqlite.log")
same=no
cmp -s <("$ll" export --db "$T/s.db") <("$ll" export --db "$pg_ingest") &&
    cmp -s <("$ll" signal --list --db "$T/s.db") \
    <("$ll" signal --list --db "$pg_ingest") && same=yes
sq_size=$(du -cb "$T"/s.db* | tail -1 | cut -f1)
pg_size=$(psql -qXAt "$pg_ingest" -c "SELECT pg_database_size(current_database())")

"$month" "$T/m.db" 1000 >"$T/msq" || die "bench_store_month on SQLite failed"
"$month" "$(db month)" 1000 >"$T/mpg" || die "bench_store_month on PostgreSQL failed"
field() { sed -n "s/.*$2.*/\1/p" "$1"; }
{
echo "| work | SQLite | PostgreSQL |"
echo "|---|---|---|"
echo "| \`ingest bgp\` of ${#files[@]} files ($((gz / 1000)) kB gzipped, ${hours} h of one simulated collector), $points points | ${wall[sqlite]} s | ${wall[postgresql]} s |"
echo "| ratio PostgreSQL / SQLite (ingest) | | $(echo "scale=2; ${wall[postgresql]} / ${wall[sqlite]}" | bc) |"
echo "| size after that ingest | $((sq_size / 1000)) kB | $((pg_size / 1000)) kB (the whole database) |"
echo "| a month of 5-minute points for 1,000 entities (8.64 million, one transaction) | $(field "$T/msq" 'in \([0-9.]*\) s (') s | $(field "$T/mpg" 'in \([0-9.]*\) s (') s |"
echo "| open the store and read one entity's month (8,640 points) | $(field "$T/msq" 'in \([0-9.]*\) ms') ms | $(field "$T/mpg" 'in \([0-9.]*\) ms') ms |"
echo "| the same series from both stores (\`export\`, \`signal --list\`) | $same | |"
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), nproc $(nproc)"
} | tee "$out/pg.md"
