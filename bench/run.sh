#!/bin/bash
# Lifeline's speed and memory benchmark.
#
# Measures, in one run and on one corpus (bench/corpus.sh), lifeline against
# what users would pick instead: Debian's `bgpdump -m`, Isolario's bgpscanner,
# CAIDA's libparsebgp (decode only) and the raw limits (cat, gzip -dc,
# igzip -dc, bzip2 -dc, lbzip2 -d -n2). Wall time is the best of BENCH_REPS
# runs (default 3), peak RSS comes from GNU time (%M). It first checks that
# lifeline's bgpdump output equals bgpdump's on the corpus: a benchmark of a
# wrong program means nothing.
#
# Tools that are not installed are reported as "not available". bgpscanner
# and libparsebgp have no Debian package: docs/performance.md says how they
# were built for the recorded figures; point BGPSCANNER / PARSEBGP at the
# binaries, or put them under BENCH_TOOLS (default /tmp/bench-tools).
#
# Usage: bench/run.sh [path/to/lifeline]      (default build/lifeline)
# Environment: BENCH_REPS, BENCH_TOOLS, BGPDUMP, BGPSCANNER, PARSEBGP,
#   LIFELINE_DECODE_ARGS (the decode-only mode, e.g. "--format=none"),
#   BENCH_SKIP_VERIFY=1 (skip the output comparison), BENCH_OUT,
#   BENCH_ONLY (regex of run keys, e.g. 'cat|gzip|ll_gz'), BENCH_QUIET_WAIT
#   (seconds to wait at most for the load average to fall below 0.7).
# Writes bench/out/results.md and prints it. Exit status: 0 done, 1 lifeline's
# output differs from bgpdump's, 2 usage or set-up failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ll=${1:-$repo/build/lifeline}
reps=${BENCH_REPS:-3}
tools=${BENCH_TOOLS:-/tmp/bench-tools}
out=${BENCH_OUT:-$here/out}
export BENCH_OUT=$out

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
"$here/corpus.sh" || die "could not build the corpus"

# --- corpus facts -----------------------------------------------------------
cval() { awk -v k="$1" '$1 == k { print $2; exit }' "$out/corpus.txt"; }
plain=$out/corpus.mrt
gz=$out/corpus.mrt.gz
bz2=$out/corpus.mrt.bz2
rib=$out/rib+updates.mrt
period=$out/period.mrt
bytes=$(cval bytes)
records=$(cval records)
rib_bytes=$(cval rib_bytes)
period_bytes=$(cval period_bytes)
mrt_bytes() { case $1 in rib) echo "$rib_bytes" ;; period) echo "$period_bytes" ;; none) echo 0 ;; *) echo "$bytes" ;; esac; }
input_name() { case $1 in plain) echo corpus.mrt ;; gz) echo corpus.mrt.gz ;; bz2) echo corpus.mrt.bz2 ;; rib) echo rib+updates.mrt ;; period) echo period.mrt ;; none) echo - ;; esac; }
fmt() { awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; }

# --- tools ------------------------------------------------------------------
first_exec() { for p in "$@"; do [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return; }; done; }
bgpdump=${BGPDUMP:-$(first_exec "$(command -v bgpdump)")}
bgpscanner=${BGPSCANNER:-$(first_exec "$(command -v bgpscanner)" \
    "$tools/bgpscanner/build/bgpscanner")}
parsebgp=${PARSEBGP:-$(first_exec "$(command -v parsebgp)" \
    "$tools/inst/bin/parsebgp" "$tools/libparsebgp/tools/parsebgp")}
gnutime=$(first_exec /usr/bin/time)
igzip=$(command -v igzip || true)
lbzip2=$(command -v lbzip2 || true)

# lifeline's decode-only mode (the ingest path without printing).
if [ -z "${LIFELINE_DECODE_ARGS+x}" ]; then
	LIFELINE_DECODE_ARGS=""
	help=$("$ll" mrt dump --help 2>&1 || true)
	for f in none null count; do
		if grep -Eq -- "(--format[= ][^ ]*|[|,]) ?$f\b|\b$f\b.*decode" <<<"$help"; then
			LIFELINE_DECODE_ARGS="--format=$f"
			break
		fi
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lifeline-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- measuring --------------------------------------------------------------
declare -A T C R S  # best wall s, CPU s (user+sys) of that run, peak RSS KiB, status
declare -A LABEL INPUT PRE CMD
declare -a ORDER

# measure KEY "LABEL" INPUT_NAME [PRE_FUNCTION] -- command...
# Registers a run; run_all runs every registered command once per round,
# BENCH_REPS rounds, so that load from elsewhere on the machine spreads over
# all tools alike. Keeps the best wall time and the largest peak RSS.
measure() {
	local key=$1
	LABEL[$key]=$2; INPUT[$key]=$3; PRE[$key]=""
	shift 3
	if [ "$1" != "--" ]; then PRE[$key]=$1; shift; fi
	shift
	ORDER+=("$key")
	if [ -n "${BENCH_ONLY:-}" ] && ! [[ $key =~ ^(${BENCH_ONLY})$ ]]; then
		S[$key]="skipped (BENCH_ONLY)"; return
	fi
	if [ ! -x "$1" ] && ! command -v "$1" >/dev/null 2>&1; then
		S[$key]="not available"; return
	fi
	CMD[$key]=$(printf '%q ' "$@")
	S[$key]=ok
}

# run_one KEY: one timed run. A non-zero exit marks the row failed, except
# exit 1 from lifeline (data errors in the input), which is only noted.
run_one() {
	local key=$1 t0 t1 rc m cpu wall
	[ -n "${PRE[$key]}" ] && "${PRE[$key]}"
	t0=$EPOCHREALTIME
	if [ -n "$gnutime" ]; then
		eval "\"\$gnutime\" -f '%M %U %S' -o \"\$tmp/rss\" ${CMD[$key]}" >/dev/null 2>"$tmp/err"
	else
		eval "${CMD[$key]}" >/dev/null 2>"$tmp/err"
	fi
	rc=$?
	t1=$EPOCHREALTIME
	if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [[ ${CMD[$key]} == "$(printf '%q' "$ll") "* ]]; }; then
		S[$key]="failed (exit $rc: $(grep -v '^Command exited' "$tmp/err" | head -1 | cut -c1-80))"
		unset "T[$key]" "C[$key]" "R[$key]"
		return
	fi
	[ "$rc" -eq 1 ] && S[$key]="exit 1 (data errors reported)"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
	cpu=""
	if [ -n "$gnutime" ]; then
		read -r m u sy < <(grep -E '^[0-9]+ [0-9.]+ [0-9.]+$' "$tmp/rss" | tail -1)
		if [ -n "${m:-}" ]; then
			[ "$m" -gt "${R[$key]:-0}" ] && R[$key]=$m
			cpu=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')
		fi
	fi
	if [ -z "${T[$key]:-}" ] || awk -v a="$wall" -v b="${T[$key]}" 'BEGIN { exit !(a < b) }'; then
		T[$key]=$wall; C[$key]=$cpu
	fi
}

run_all() {
	local r k
	for ((r = 1; r <= reps; r++)); do
		for k in "${ORDER[@]}"; do
			case ${S[$k]} in ok | "exit 1"*) ;; *) continue ;; esac
			note "round $r/$reps: ${LABEL[$k]} ($(input_name "${INPUT[$k]}"))"
			run_one "$k"
		done
	done
}

fresh_db() { rm -f "$tmp"/bench.db*; }

# Warm the page cache so that every run reads from memory.
cat "$plain" "$gz" "$bz2" "$rib" "$period" >/dev/null

# --- correctness first ------------------------------------------------------
# hash_lines: counts the lines of stdin and leaves their sha256 for hash_of.
hash_lines() { rm -f "$tmp/h"; tee >(sha256sum > "$tmp/h.part" && mv "$tmp/h.part" "$tmp/h") | wc -l; }
hash_of() {
	local i
	for ((i = 0; i < 300; i++)); do [ -s "$tmp/h" ] && break; sleep 0.1; done
	cut -d' ' -f1 "$tmp/h"
}
verify_rows=()
verify_bad=0
if [ "${BENCH_SKIP_VERIFY:-0}" != 1 ] && [ -n "$bgpdump" ]; then
	note "verifying: bgpdump -m vs lifeline mrt dump --format=bgpdump"
	n=$("$bgpdump" -m "$plain" 2>/dev/null | hash_lines)
	ref=$(hash_of)
	verify_rows+=("| \`bgpdump -m\` corpus.mrt | $n | \`${ref:0:16}\` | reference |")
	for f in "$plain" "$gz" "$bz2"; do
		n=$("$ll" mrt dump --format=bgpdump "$f" 2>"$tmp/verify.err" | hash_lines)
		h=$(hash_of)
		if [ "$h" = "$ref" ]; then v="identical"; else v="**DIFFERS**"; verify_bad=1; fi
		verify_rows+=("| lifeline $(basename "$f") | $n | \`${h:0:16}\` | $v |")
	done
fi

# parsebgp prints "Read N messages"; check that it read the whole input.
parsebgp_check() {
	local key=$1 file=$2 want=$3 n
	n=$("$parsebgp" -q "mrt:$file" 2>&1 | sed -n 's/.*Read \([0-9]*\) messages.*/\1/p')
	if [ "$n" != "$want" ]; then
		S[$key]="incomplete: read ${n:-0} of $want records"
	fi
}

# --- the runs ---------------------------------------------------------------
measure cat "cat" plain -- cat "$plain"
measure gzip "gzip -dc" gz -- gzip -dc "$gz"
measure igzip "igzip -dc" gz -- ${igzip:-igzip} -dc "$gz"
measure bzip2 "bzip2 -dc" bz2 -- bzip2 -dc "$bz2"
measure lbzip2 "lbzip2 -d -n2" bz2 -- ${lbzip2:-lbzip2} -d -n2 -c "$bz2"

measure bgpdump "bgpdump -m" plain -- ${bgpdump:-bgpdump} -m "$plain"
measure bgpdump_gz "bgpdump -m" gz -- ${bgpdump:-bgpdump} -m "$gz"
measure bgpdump_bz2 "bgpdump -m" bz2 -- ${bgpdump:-bgpdump} -m "$bz2"
measure bgpdump_H "bgpdump -H" plain -- ${bgpdump:-bgpdump} -H "$plain"

measure scan "bgpscanner" plain -- ${bgpscanner:-bgpscanner} "$plain"
measure scan_gz "bgpscanner" gz -- ${bgpscanner:-bgpscanner} "$gz"
measure scan_bz2 "bgpscanner" bz2 -- ${bgpscanner:-bgpscanner} "$bz2"

measure lpb "libparsebgp decode-only (parsebgp -q)" plain -- ${parsebgp:-parsebgp} -q "mrt:$plain"
measure lpb_period "libparsebgp decode-only (parsebgp -q)" period -- ${parsebgp:-parsebgp} -q "mrt:$period"

measure ll "lifeline mrt dump --format=bgpdump" plain -- "$ll" mrt dump --format=bgpdump "$plain"
measure ll_gz "lifeline mrt dump --format=bgpdump" gz -- "$ll" mrt dump --format=bgpdump "$gz"
measure ll_bz2 "lifeline mrt dump --format=bgpdump" bz2 -- "$ll" mrt dump --format=bgpdump "$bz2"
measure ll_H "lifeline mrt dump -H" plain -- "$ll" mrt dump -H "$plain"
if [ -n "$LIFELINE_DECODE_ARGS" ]; then
	measure lldec "lifeline mrt dump $LIFELINE_DECODE_ARGS" plain -- "$ll" mrt dump $LIFELINE_DECODE_ARGS "$plain"
	measure lldec_gz "lifeline mrt dump $LIFELINE_DECODE_ARGS" gz -- "$ll" mrt dump $LIFELINE_DECODE_ARGS "$gz"
	measure lldec_bz2 "lifeline mrt dump $LIFELINE_DECODE_ARGS" bz2 -- "$ll" mrt dump $LIFELINE_DECODE_ARGS "$bz2"
	measure lldec_period "lifeline mrt dump $LIFELINE_DECODE_ARGS" period -- "$ll" mrt dump $LIFELINE_DECODE_ARGS "$period"
else
	ORDER+=(lldec); LABEL[lldec]="lifeline decode-only"; INPUT[lldec]=plain
	S[lldec]="not available (no decode-only format in \`mrt dump --help\`)"
fi
measure vis "lifeline bgp visibility --by country --full-feed 50%" period -- \
    "$ll" bgp visibility --by country --full-feed 50% --warmup 5m "$period"
measure vis_rib "lifeline bgp visibility --by country --full-feed 50%" rib -- \
    "$ll" bgp visibility --by country --full-feed 50% "$rib"
# The location map is cached between runs (LIFELINE_CACHE_DIR, docs/
# lifeline.md): the signal runs use a warm cache, as every run after a
# machine's first does; geo_cold shows what the first run pays.
export LIFELINE_CACHE_DIR=$tmp/cache
"$ll" geo lookup 192.0.2.1 >/dev/null 2>&1 || true
measure geo_cold "lifeline geo lookup (no cache: libloc read whole)" none -- \
    env LIFELINE_CACHE_DIR= "$ll" geo lookup 192.0.2.1
measure geo_warm "lifeline geo lookup (cached map)" none -- \
    "$ll" geo lookup 192.0.2.1
measure ingest "lifeline ingest bgp --full-feed 50% (fresh SQLite DB)" period fresh_db -- \
    "$ll" ingest bgp --db "$tmp/bench.db" --full-feed 50% --warmup 5m "$period"
measure ingest_rib "lifeline ingest bgp --full-feed 50% (fresh SQLite DB)" rib fresh_db -- \
    "$ll" ingest bgp --db "$tmp/bench.db" --full-feed 50% "$rib"

# Optionally wait (up to BENCH_QUIET_WAIT seconds) for the machine to calm
# down: timings on a loaded 2-core machine mean little.
for ((w = 0; w < ${BENCH_QUIET_WAIT:-0}; w += 10)); do
	awk '{ exit !($1 < 0.7) }' /proc/loadavg && break
	[ "$w" -eq 0 ] && note "waiting for the load average to drop below 0.7"
	sleep 10
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_all
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$parsebgp" ]; then
	[ "${S[lpb]}" = ok ] && parsebgp_check lpb "$plain" "$records"
	[ "${S[lpb_period]}" = ok ] && parsebgp_check lpb_period "$period" "$(cval period_records)"
fi

# --- report -----------------------------------------------------------------

# ratio NUM_KEY DEN_KEY: T[num] / T[den], or empty.
ratio() {
	[ -n "${T[$1]:-}" ] && [ -n "${T[$2]:-}" ] || return 0
	awk -v a="${T[$1]}" -v b="${T[$2]}" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}

# rx NUM_KEY DEN_KEY: "1.23x", or "n/a".
rx() { local r; r=$(ratio "$1" "$2"); if [ -n "$r" ]; then echo "${r}x"; else echo "n/a"; fi; }

# cratio NUM_KEY DEN_KEY: the same for CPU time (user+sys); less sensitive to
# load from elsewhere, but not the target's measure for threaded programs.
cratio() {
	[ -n "${C[$1]:-}" ] && [ -n "${C[$2]:-}" ] || return 0
	awk -v a="${C[$1]}" -v b="${C[$2]}" 'BEGIN { if (b > 0) printf "%.2fx", a / b }'
}

# target_row "TEXT" NUM DEN OP LIMIT: a row saying "NUM / DEN = x (target OP LIMIT)".
target_row() {
	local text=$1 r verdict
	r=$(ratio "$2" "$3")
	if [ -z "$r" ]; then
		echo "| $text | n/a | $4 ${5}x | not measured | |"
		return
	fi
	if awk -v r="$r" -v op="$4" -v l="$5" 'BEGIN { exit !((op == ">=" && r >= l) || (op == "<=" && r <= l) || (op == ">" && r > l)) }'; then
		verdict=met
	else
		verdict="**missed**"
	fi
	echo "| $text | ${r}x | $4 ${5}x | $verdict | $(cratio "$2" "$3") |"
}

ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
gitrev() { git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo "?"; }

report() {
	local cpu llrev
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	llrev=${LIFELINE_REV:-$(gitrev "$repo")}
	echo "# Lifeline benchmark results"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); lifeline at commit $llrev ($("$ll" --version 2>/dev/null))"
	echo "- machine: $(nproc) CPUs, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
	echo "- corpus: $(fmt "$bytes" '%.0f') bytes of MRT ($(cval copies) copies of $(cval unit_records) records from $(grep -c '^source ' "$out/corpus.txt") real update archives), $records records;" \
	    "gzip -6 $(cval gz_bytes) bytes, bzip2 -9 $(cval bz2_bytes) bytes; RIB+updates sample $rib_bytes bytes, $(cval rib_records) records;" \
	    "period.mrt (signal runs) $period_bytes bytes, $(cval period_records) records, $(cval period_copies) time-shifted copies of rrc04 2021-01-01 04:55-05:05"
	echo "- method: best wall time of $reps rounds (each round runs every command once, so outside load spreads over all), stdout to /dev/null, page cache warm; MB/s = MB (10^6 bytes) of decompressed MRT per second; CPU = user+sys seconds of the best run; peak RSS = largest of the runs (GNU time %M)"
	echo "- load average (1, 5, 15 min): $load_before before, $load_after after"
	echo "- tools: bgpdump $(ver bgpdump) (Debian), bgpscanner ${bgpscanner:+at $(gitrev "$(dirname "$(dirname "$bgpscanner")")") }${bgpscanner:-not available}, libparsebgp ${parsebgp:+at $(gitrev "$tools/libparsebgp") }${parsebgp:-not available}, gzip $(ver gzip), isal $(ver isal), bzip2 $(ver bzip2), lbzip2 $(ver lbzip2)"
	echo
	if [ ${#verify_rows[@]} -eq 0 ]; then
		echo "Output check: not done (bgpdump not available, or BENCH_SKIP_VERIFY=1)."
		echo
	else
		echo "## Output check (bgpdump -m vs lifeline, whole corpus)"
		echo
		echo "| output | lines | sha256 | verdict |"
		echo "|---|---:|---|---|"
		printf '%s\n' "${verify_rows[@]}"
		echo
	fi
	echo "## Targets"
	echo
	echo "| ratio of wall times | measured | target | verdict | CPU-time ratio |"
	echo "|---|---:|---:|---|---:|"
	target_row "bgpdump -m / lifeline dump, plain" bgpdump ll ">=" 10
	target_row "bgpscanner / lifeline dump, plain" scan ll ">" 1
	target_row "lifeline dump gzip / gzip -dc" ll_gz gzip "<=" 1.3
	target_row "lifeline dump bzip2 / lbzip2 -d -n2" ll_bz2 lbzip2 "<=" 1.4
	target_row "libparsebgp decode-only / lifeline decode-only" lpb lldec ">=" 1
	target_row "libparsebgp decode-only / lifeline ingest bgp (period.mrt)" lpb_period ingest ">=" 0.8
	if [ -n "${R[ingest_rib]:-}" ]; then
		local mib
		mib=$(fmt "${R[ingest_rib]}" '%.0f')
		mib=$(awk -v k="$mib" 'BEGIN { printf "%.0f", k / 1024 }')
		echo "| peak RSS, ingest bgp of RIB + updates | $mib MiB | < 1024 MiB | $( [ "$mib" -lt 1024 ] && echo met || echo '**missed**') | |"
	else
		echo "| peak RSS, ingest bgp of RIB + updates | n/a | < 1024 MiB | not measured | |"
	fi
	echo
	echo "Other ratios (no target): bgpdump -m / lifeline dump on gzip $(rx bgpdump_gz ll_gz), on bzip2 $(rx bgpdump_bz2 ll_bz2);" \
	    "bgpdump -H / lifeline dump -H (multi-line text), plain $(rx bgpdump_H ll_H);" \
	    "bgpscanner / lifeline dump on gzip $(rx scan_gz ll_gz), on bzip2 $(rx scan_bz2 ll_bz2);" \
	    "lifeline dump gzip / igzip -dc $(rx ll_gz igzip); lifeline decode-only gzip / gzip -dc $(rx lldec_gz gzip), bzip2 / lbzip2 -d -n2 $(rx lldec_bz2 lbzip2)."
	echo
	echo "## All runs"
	echo
	echo "| run | input | wall (s) | CPU (s) | MB/s | peak RSS (MiB) | status |"
	echo "|---|---|---:|---:|---:|---:|---|"
	local k t mbs rss
	for k in "${ORDER[@]}"; do
		t=${T[$k]:-}
		if [ -n "$t" ]; then
			mbs=$(awk -v b="$(mrt_bytes "${INPUT[$k]}")" -v t="$t" 'BEGIN { printf "%.0f", b / 1e6 / t }')
			t=$(fmt "$t" '%.3f')
		else
			mbs=""; t=""
		fi
		rss=""
		[ -n "${R[$k]:-}" ] && rss=$(awk -v k="${R[$k]}" 'BEGIN { printf "%.1f", k / 1024 }')
		echo "| ${LABEL[$k]} | $(input_name "${INPUT[$k]}") | $t | ${C[$k]:-} | $mbs | $rss | ${S[$k]} |"
	done
}

report | tee "$out/results.md"
[ "$verify_bad" -eq 0 ] || { note "lifeline's output differs from bgpdump's"; exit 1; }
exit 0
