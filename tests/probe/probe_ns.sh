#!/usr/bin/env bash
# `lifeline agent probe` against hosts in network namespaces made here,
# nothing else: three /24 blocks, each behind its own veth pair.
#
#   [prober 10.76.i.1] --veth pi/ti-- [host i: 10.76.i.2, 10.77.i.1-20]
#
# Rounds of 2 s (--round 2, --timeout 0.3: the short round the test
# needs; the real one is 11 minutes). Each change must show within one
# round (at the latest in the second round reported after it, the first
# having possibly begun before it):
#   block 1: its link goes down (0), comes back (1);
#   block 2: its host drops echo requests with nft (0), then not (1);
#   block 3: netem adds 150 ms (probe.rtt >= 150), then 90% loss
#            (probe.loss); where the kernel lacks netem, a responder that
#            answers 150 ms late (echo_delay.py) and nft's random drop.
# Safety: block 10.77.9.0/24 is in the history but not in the target list:
# it is refused, and an nft counter in the prober's namespace proves that
# no packet went to it. Then `lifeline signal` reads the series back.
#
# usage: probe_ns.sh (as root; skips, 77, where namespaces cannot be made)
set -u
LIFELINE=${LIFELINE:?LIFELINE is not set}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root: network namespaces need it"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
command -v tc >/dev/null || skip "tc (iproute2) is not installed"

tag=llp$$
pr=$tag-p
dir=$(mktemp -d "${TMPDIR:-/tmp}/ll-probe-XXXXXX")
agent=
cleanup() {
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
	for n in $pr $tag-1 $tag-2 $tag-3; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT

ip netns add $pr 2>/dev/null || skip "cannot create network namespaces"
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }
nsx $pr ip link set lo up
for i in 1 2 3; do
	h=$tag-$i
	ip netns add $h || exit 1
	ip link add $tag-p$i type veth peer name $tag-t$i || skip "cannot create veth"
	ip link set $tag-p$i netns $pr && ip link set $tag-t$i netns $h || exit 1
	nsx $pr ip addr add 10.76.$i.1/30 dev $tag-p$i
	nsx $pr ip link set $tag-p$i up
	nsx $pr ip route add 10.77.$i.0/24 via 10.76.$i.2
	nsx $h ip link set lo up
	nsx $h ip addr add 10.76.$i.2/30 dev $tag-t$i
	nsx $h ip link set $tag-t$i up
	for a in $(seq 1 20); do nsx $h ip addr add 10.77.$i.$a/32 dev lo; done
done

# The target list, the history (USC/ISI format: hex_ip, history, score),
# where the blocks are (AS 64501 for blocks 1 and 2, 64503 for 3; NL).
printf '# lab blocks\n10.77.1.0/24\n10.77.2.0/24\n10.77.3.0/24\n10.77.4.0/24\n' \
    >"$dir/targets"
{
	printf '#fsdb -F t hex_ip history score\n'
	for b in 1 2 3 9; do
		for a in $(seq 1 20); do printf '0a4d%02x%02x\tffff\t99\n' $b $a; done
	done
	# Too few ever-responsive addresses to track: 10.77.4.0/24.
	for a in $(seq 1 5); do printf '0a4d04%02x\t1\t10\n' $a; done
	printf '0a4d0415\t0\t0\n'			# never responsive
	printf 'zz4d0416\tffff\t99\n'			# bad line
	printf '# | end of file\n'
} >"$dir/history"
printf '10.77.1.0\t24\t64501\n10.77.2.0\t24\t64501\n10.77.3.0\t24\t64503\n' \
    >"$dir/pfx2as"
printf 'test|NL|ipv4|10.77.0.0|65536|20000101|allocated\n' >"$dir/rir"

# Every packet the prober's namespace sends to the refused block counts.
nsx $pr nft add table inet llp
nsx $pr nft add chain inet llp out '{ type filter hook output priority 0; }'
nsx $pr nft add rule inet llp out ip daddr 10.77.9.0/24 counter

ip netns exec $pr "$LIFELINE" agent probe --targets "$dir/targets" \
    --hitlist "$dir/history" --round 2 --timeout 0.3 --pps 500 --seed 7 \
    --pfx2as "$dir/pfx2as" --rir "$dir/rir" --db "$dir/probe.db" \
    >"$dir/out.csv" 2>"$dir/agent.err" &
agent=$!

fail() {
	echo "FAIL: $*"
	echo "--- prober stderr"; cat "$dir/agent.err"
	echo "--- prober output (last 30)"; tail -30 "$dir/out.csv"
	exit 1
}
# The values of kind for entity printed after line $1, one a line.
vals() {
	tail -n +"$(($1 + 1))" "$dir/out.csv" | grep -F ",$2,$3," | cut -d, -f4
}
# Waits until, after line $1, kind/entity has been reported twice (the
# round under way at the change, and the next), or matches $4 (awk
# condition on v) earlier; fails unless one of those two matched.
within_round() {
	local from=$1 kind=$2 ent=$3 cond=$4 what=$5
	for _ in $(seq 100); do
		local v
		v=$(vals "$from" "$kind" "$ent" | head -2)
		if echo "$v" | awk "{ v = \$1 } ($cond) { ok = 1 } END { exit !ok }"
		then
			echo "ok: $what (values after the change: $(echo $v))"
			return 0
		fi
		[ "$(echo "$v" | grep -c .)" -ge 2 ] &&
			fail "$what: not within one round: $(echo $v)"
		kill -0 $agent 2>/dev/null || fail "the prober exited"
		sleep 0.2
	done
	fail "$what: no round reported"
}
lines() { wc -l <"$dir/out.csv"; }

within_round 0 probe prefix:10.77.1.0/24 'v == 1' "block 1 up"
within_round 0 probe prefix:10.77.2.0/24 'v == 1' "block 2 up"
within_round 0 probe prefix:10.77.3.0/24 'v == 1' "block 3 up"
within_round 0 probe asn:64501 'v == 2' "AS 64501: 2 blocks up"
within_round 0 probe country:NL 'v == 3' "NL: 3 blocks up"
base=$(vals 0 probe.rtt prefix:10.77.3.0/24 | head -1)
grep -q '20 refused outside --targets' "$dir/agent.err" ||
    fail "10.77.9.0/24 not refused"
grep -q '1 blocks with fewer than 15' "$dir/agent.err" ||
    fail "the sparse block 10.77.4.0/24 not set apart"
grep -q 'history:[0-9]*: hex_ip is not 8 hex digits' "$dir/agent.err" ||
    fail "the bad line not reported with its line number"

n=$(lines); nsx $tag-1 ip link set $tag-t1 down
within_round "$n" probe prefix:10.77.1.0/24 'v == 0' "link down: block 1 down"
within_round "$n" probe asn:64501 'v == 1' "link down: AS 64501: 1 block up"
n=$(lines); nsx $tag-1 ip link set $tag-t1 up
within_round "$n" probe prefix:10.77.1.0/24 'v == 1' "link up: block 1 up"

n=$(lines)
nsx $tag-2 nft add table inet llp
nsx $tag-2 nft add chain inet llp in '{ type filter hook input priority 0; }'
nsx $tag-2 nft add rule inet llp in icmp type echo-request drop
within_round "$n" probe prefix:10.77.2.0/24 'v == 0' "nft drop: block 2 down"
n=$(lines); nsx $tag-2 nft delete table inet llp
within_round "$n" probe prefix:10.77.2.0/24 'v == 1' "nft drop removed: block 2 up"

awk -v b="$base" 'BEGIN { exit !(b < 50) }' || fail "base RTT $base ms"
# Delay and loss: netem where the kernel has it; else (a kernel built
# without sch_netem) a responder that answers 150 ms late and nft's random
# drop, which the prober cannot tell from netem's.
if nsx $pr tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	nsx $pr tc qdisc del dev lo root
	netem=1
	n=$(lines); nsx $pr tc qdisc add dev $tag-p3 root netem delay 150ms
else
	netem=
	echo "note: this kernel has no netem (sch_netem): delay by a responder" \
	    "that waits 150 ms, loss by nft's random drop"
	nsx $tag-3 sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	nsx $tag-3 python3 "$(dirname "$0")/echo_delay.py" 150 >"$dir/echo.out" \
	    2>&1 &
	echo_pid=$!
	for _ in $(seq 50); do grep -q ready "$dir/echo.out" && break; sleep 0.1; done
	n=$(lines)
fi
within_round "$n" probe.rtt prefix:10.77.3.0/24 'v >= 150' \
    "delay: block 3 RTT from $base ms to >= 150 ms"
within_round "$n" probe.rtt asn:64503 'v >= 150' "delay: AS 64503 RTT"

n=$(lines)
if [ -n "$netem" ]; then
	nsx $pr tc qdisc change dev $tag-p3 root netem loss 90%
else
	kill $echo_pid; wait $echo_pid 2>/dev/null
	nsx $tag-3 sysctl -qw net.ipv4.icmp_echo_ignore_all=0
	n=$(lines)
	nsx $pr nft add rule inet llp out ip daddr 10.77.3.0/24 \
	    numgen random mod 10 '<' 9 drop
fi
for _ in $(seq 100); do
	[ "$(vals "$n" probe.loss prefix:10.77.3.0/24 | wc -l)" -ge 5 ] && break
	sleep 0.2
done
loss=$(vals "$n" probe.loss prefix:10.77.3.0/24 | head -5 |
    awk '{ s += $1; n++ } END { if (n == 5) printf "%.2f", s / n }')
[ -n "$loss" ] || fail "no 5 rounds of probe.loss"
awk -v l="$loss" 'BEGIN { exit !(l > 0.2) }' ||
    fail "loss 90%: probe.loss of block 3 is $loss over 5 rounds"
echo "ok: loss 90%: probe.loss of block 3 is $loss over 5 rounds"
before=$(vals 0 probe.loss prefix:10.77.1.0/24 | head -1)
[ "$before" = 0 ] || fail "block 1 lost probes before any change: $before"

kill -TERM $agent
wait $agent
rc=$?
agent=
[ $rc -eq 0 ] || fail "the prober exited $rc"
sent=$(nsx $pr nft list chain inet llp out | grep 10.77.9 |
    grep -o 'packets [0-9]*' | awk '{ print $2 }')
[ "$sent" = 0 ] || fail "$sent packets went to the refused block"
echo "ok: no packet to 10.77.9.0/24 (outside the target list)"

# The store holds the series.
"$LIFELINE" signal --db "$dir/probe.db" --signal probe --entity asn:64501 \
    >"$dir/s1.csv" 2>&1 || fail "lifeline signal: $(cat "$dir/s1.csv")"
grep -qE ',asn:64501,2$' "$dir/s1.csv" && grep -qE ',asn:64501,1$' \
    "$dir/s1.csv" || fail "the store's probe series: $(cat "$dir/s1.csv")"
"$LIFELINE" signal --db "$dir/probe.db" --signal probe.rtt \
    --entity prefix:10.77.3.0/24 >"$dir/s2.csv" 2>&1 ||
    fail "lifeline signal: $(cat "$dir/s2.csv")"
awk -F, '$3 >= 150 { ok = 1 } END { exit !ok }' "$dir/s2.csv" ||
    fail "the store's probe.rtt lacks the delay: $(cat "$dir/s2.csv")"
"$LIFELINE" signal --db "$dir/probe.db" --signal probe.loss \
    --entity country:NL >"$dir/s3.csv" 2>&1 ||
    fail "lifeline signal: $(cat "$dir/s3.csv")"
awk -F, '$3 > 0 { ok = 1 } END { exit !ok }' "$dir/s3.csv" ||
    fail "the store's probe.loss lacks the loss: $(cat "$dir/s3.csv")"
echo "ok: lifeline signal shows probe, probe.rtt and probe.loss from the store"
exit 0
