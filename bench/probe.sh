#!/bin/bash
# The prober's speed (root: network namespaces). One namespace answers
# for 10.128.0.0/9 (a local route: every address of it replies to echo
# requests, as the kernel's own); the prober, in another, tracks
# BENCH_BLOCKS /24 blocks (default 32768, 15 addresses each in the
# history) for three rounds of 2 s with a timeout of 0.1 s, at caps
# (BENCH_CAPS, default 1000 5000 15000) that bind: the blocks ask for
# more than a cap lets through in a round.
#   sent/s     probes sent a second over the three rounds (6 s), against
#              the cap (a probe starts no later than a timeout before the
#              round's end: 95% of the cap at most)
#   CPU        user + system time of the prober, and its share of the wall
#   per probe  CPU a probe, the history's load taken off (a run with one
#              block in the target list reads the same history)
#   blocks     blocks one agent can track in 11-minute rounds on one core
#              at that cost, one probe a block and round (Trinocular's
#              steady state): 660 s / CPU a probe
# Usage: bench/probe.sh [path/to/lifeline]   (default build/lifeline;
#   says so and does nothing when not root)
# Writes BENCH_OUT/probe.md (default bench/out) and prints it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ll=${1:-$(dirname "$here")/build/lifeline}
out=${BENCH_OUT:-$here/out}
blocks=${BENCH_BLOCKS:-32768}
caps=${BENCH_CAPS:-1000 5000 15000}
die() { echo "bench: $*" >&2; exit 2; }
case $ll in /*) ;; *) ll=$PWD/$ll ;; esac
[ -x "$ll" ] || die "no lifeline binary at $ll (make build)"
if [ "$(id -u)" -ne 0 ]; then
	echo "bench: the prober's bench skipped: it needs root (namespaces, a raw socket)" >&2
	exit 0
fi
gnutime=/usr/bin/time
[ -x $gnutime ] || die "no GNU time (scripts/deps.sh bench)"
tag=llpb$$
T=$(mktemp -d)
trap 'ip netns del $tag-p 2>/dev/null; ip netns del $tag-h 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$out"

ip netns add $tag-p || die "cannot create network namespaces"
ip netns add $tag-h || die "cannot create network namespaces"
ip link add $tag-a type veth peer name $tag-b || die "cannot create veth"
ip link set $tag-a netns $tag-p && ip link set $tag-b netns $tag-h || exit 2
ip -n $tag-p addr add 10.75.0.1/30 dev $tag-a
ip -n $tag-h addr add 10.75.0.2/30 dev $tag-b
for n in p h; do ip -n $tag-$n link set lo up; done
ip -n $tag-p link set $tag-a up
ip -n $tag-h link set $tag-b up
ip -n $tag-p route add 10.128.0.0/9 via 10.75.0.2
ip -n $tag-h route add local 10.128.0.0/9 dev lo
# Echo replies are not rate-limited by default; make sure.
ip netns exec $tag-h sysctl -qw net.ipv4.icmp_ratelimit=0 2>/dev/null

echo 10.128.0.0/9 >"$T/targets"
echo 10.128.0.0/24 >"$T/one"
awk -v n="$blocks" 'BEGIN {
	print "#fsdb -F t hex_ip history score"
	for (b = 0; b < n; b++)
		for (a = 1; a <= 15; a++)
			printf "%02x%02x%02x%02x\tffff\t99\n", 10, 128 + int(b / 256), b % 256, a
}' >"$T/history"

# run TARGETS PPS ROUNDS: sets wall, cpu, sent, replies
run() {
	ip netns exec $tag-p $gnutime -f 'time %e %U %S' "$ll" agent probe \
	    --targets "$1" --hitlist "$T/history" --pps "$2" --rounds "$3" \
	    --round 2 --timeout 0.1 --by block --seed 1 >/dev/null 2>"$T/err" ||
	    die "agent probe failed: $(tail -3 "$T/err")"
	wall=$(awk '$1 == "time" { print $2 }' "$T/err")
	cpu=$(awk '$1 == "time" { print $3 + $4 }' "$T/err")
	sent=$(grep -o '[0-9]* probes sent' "$T/err" | awk '{ print $1 }')
	replies=$(grep -o '[0-9]* replies' "$T/err" | awk '{ print $1 }')
}
run "$T/one" 1000 1	# the history read, one block probed
load_cpu=$cpu
{
echo "History: $blocks blocks, $((blocks * 15)) addresses; reading it costs $load_cpu s of CPU (taken off below)."
echo
echo "| cap (pps) | probes sent | replies | wall | sent/s | CPU (user+sys) | CPU share | CPU a probe | blocks in 11-min rounds, one core |"
echo "|---|---|---|---|---|---|---|---|---|"
} >"$out/probe.md"
for cap in $caps; do
	run "$T/targets" "$cap" 3
	awk -v cap="$cap" -v s="$sent" -v r="$replies" -v w="$wall" -v c="$cpu" \
	    -v l="$load_cpu" 'BEGIN {
		pc = (c - l) / s
		printf "| %d | %d | %d | %.1f s | %.0f | %.2f s | %.0f%% | %.1f us | %.1f M |\n",
		    cap, s, r, w, s / 6, c, 100 * c / w, pc * 1e6, 660 / pc / 1e6
	}' >>"$out/probe.md"
done
cat "$out/probe.md"
