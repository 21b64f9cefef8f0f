#!/usr/bin/env bash
# `lifeline agent bmp` against real routers, in network namespaces made
# here: an injector (gobgpd) announces and withdraws prefixes to the router
# under test, which streams BMP to the collector; then the injector stops
# and the router reports its peer down.
#
#   [col 10.99.0.1] --veth-- [rt 10.99.0.2 | 10.99.1.2] --veth-- [inj 10.99.1.1]
#
# usage: routers.sh frr|gobgp   (as root; skips, 77, without namespaces or
# the daemons). The collector's view must be, as the signal says it:
# 10.1.0.0/24 + 10.1.1.0/24 + 10.2.0.0/22 of AS 65010 = 6 /24s, and
# 2001:db8:1::/48 + 2001:db8:2::/47 = 3 /48s (MP_REACH); after the /22 and
# the /47 are withdrawn, 2 and 1; after the peer goes down, no peer and
# no /24 or /48.
set -u
which=${1:?usage: routers.sh frr|gobgp}
LIFELINE=${LIFELINE:?LIFELINE is not set}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root: network namespaces need it"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v gobgpd >/dev/null && command -v gobgp >/dev/null ||
	skip "gobgpd is not installed (Debian package gobgpd)"
bgpd=/usr/lib/frr/bgpd
if [ "$which" = frr ]; then
	[ -x $bgpd ] || skip "FRR's bgpd is not installed (Debian package frr)"
	[ -f /usr/lib/x86_64-linux-gnu/frr/modules/bgpd_bmp.so ] ||
	    ls /usr/lib/*/frr/modules/bgpd_bmp.so >/dev/null 2>&1 ||
	    skip "FRR's BMP module (bgpd_bmp.so) is not installed"
fi

tag=llb$$
col=$tag-c rt=$tag-r inj=$tag-i
dir=$(mktemp -d "${TMPDIR:-/tmp}/ll-bmp-XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $col $rt $inj; do ip netns del $n 2>/dev/null; done
	[ -n "${LL_BMP_KEEP_DIR:-}" ] && cp -r "$dir" "$LL_BMP_KEEP_DIR"; rm -rf "$dir"
}
trap cleanup EXIT

ip netns add $col 2>/dev/null || skip "cannot create network namespaces"
ip netns add $rt && ip netns add $inj || exit 1
ip link add $tag-a type veth peer name $tag-b || skip "cannot create veth"
ip link add $tag-d type veth peer name $tag-e || exit 1
ip link set $tag-a netns $col && ip link set $tag-b netns $rt &&
ip link set $tag-d netns $rt && ip link set $tag-e netns $inj || exit 1
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }
nsx $col ip addr add 10.99.0.1/24 dev $tag-a
nsx $rt ip addr add 10.99.0.2/24 dev $tag-b
nsx $rt ip addr add 10.99.1.2/24 dev $tag-d
nsx $inj ip addr add 10.99.1.1/24 dev $tag-e
for n in $col $rt $inj; do nsx $n ip link set lo up; done
nsx $col ip link set $tag-a up; nsx $rt ip link set $tag-b up
nsx $rt ip link set $tag-d up; nsx $inj ip link set $tag-e up

# The collector: bins of 1 s, any peer with a route full-feed.
mkdir -p "$dir/cap"
ip netns exec $col "$LIFELINE" agent bmp --listen 10.99.0.1:11019 --allow 10.99.0.2 \
    --by asn --kind all --bin 1 --full-feed 1% \
    --capture "$dir/cap" --db "$dir/live.db" >"$dir/out.csv" 2>"$dir/agent.err" &
pids+=($!)
agent=$!

# The injector: AS 65010, routes added and removed through its API.
cat >"$dir/inj.toml" <<EOF
[global.config]
  as = 65010
  router-id = "10.99.1.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.1.2"
    peer-as = 65020
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
EOF
ip netns exec $inj gobgpd -f "$dir/inj.toml" -t toml --log-level=warn >"$dir/inj.log" 2>&1 &
pids+=($!)
injpid=$!

# The router under test: AS 65020, BMP pre-policy to the collector.
if [ "$which" = frr ]; then
	cat >"$dir/bgpd.conf" <<EOF
router bgp 65020
 bgp router-id 10.99.1.2
 no bgp ebgp-requires-policy
 neighbor 10.99.1.1 remote-as 65010
 neighbor 10.99.1.1 timers connect 1
 neighbor 10.99.1.1 disable-connected-check
 address-family ipv4 unicast
  neighbor 10.99.1.1 soft-reconfiguration inbound
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.99.1.1 activate
  neighbor 10.99.1.1 soft-reconfiguration inbound
 exit-address-family
 bmp targets coll
  bmp connect 10.99.0.1 port 11019 min-retry 100 max-retry 1000
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv6 unicast pre-policy
 exit
EOF
	ip netns exec $rt $bgpd -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" -Z -n -S \
	    -M bmp -P 0 --vty_socket "$dir" --log stdout \
	    >"$dir/rt.log" 2>&1 &
else
	cat >"$dir/rt.toml" <<EOF
[global.config]
  as = 65020
  router-id = "10.99.1.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.1.1"
    peer-as = 65010
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
[[bmp-servers]]
  [bmp-servers.config]
    address = "10.99.0.1"
    port = 11019
    route-monitoring-policy = "pre-policy"
EOF
	ip netns exec $rt gobgpd -f "$dir/rt.toml" -t toml --log-level=warn \
	    >"$dir/rt.log" 2>&1 &
fi
pids+=($!)

fail() {
	echo "FAIL ($which): $*"
	echo "--- collector stderr"; cat "$dir/agent.err"
	echo "--- collector output (last 15)"; tail -15 "$dir/out.csv"
	echo "--- router log (last 15)"; tail -15 "$dir/rt.log"
	exit 1
}
# Waits (up to 25 s) until the collector's output, after line $1, has a
# line matching $2; sets seen to the line count.
wait_for() {
	local from=$1 re=$2
	for _ in $(seq 250); do
		if tail -n +"$((from + 1))" "$dir/out.csv" | grep -qE "$re"; then
			seen=$(wc -l <"$dir/out.csv")
			return 0
		fi
		kill -0 $agent 2>/dev/null || fail "the collector exited"
		sleep 0.1
	done
	fail "no line /$re/ after line $from"
}

# The injector's API may take a moment to come up.
for _ in $(seq 50); do
	nsx $inj gobgp global rib add 10.1.0.0/24 >/dev/null 2>&1 && break
	sleep 0.1
done
nsx $inj gobgp global rib add 10.1.1.0/24 || fail "gobgp rib add"
nsx $inj gobgp global rib add 10.2.0.0/22 || fail "gobgp rib add"
nsx $inj gobgp global rib -a ipv6 add 2001:db8:1::/48 || fail "gobgp rib add"
nsx $inj gobgp global rib -a ipv6 add 2001:db8:2::/47 || fail "gobgp rib add"
seen=0
wait_for 0 ',bgp,asn:65010,6$'
wait_for "$seen" ',bgp.peers,collector:10.99.0.2,1$'
echo "ok ($which): 10.1.0.0/24, 10.1.1.0/24, 10.2.0.0/22 announced: 6 /24s"
wait_for 0 ',bgp6,asn:65010,3$'
echo "ok ($which): 2001:db8:1::/48, 2001:db8:2::/47 announced: 3 /48s"

before=$seen
nsx $inj gobgp global rib del 10.2.0.0/22 || fail "gobgp rib del"
nsx $inj gobgp global rib -a ipv6 del 2001:db8:2::/47 || fail "gobgp rib del"
wait_for "$before" ',bgp,asn:65010,2$'
wait_for "$before" ',bgp6,asn:65010,1$'
echo "ok ($which): 10.2.0.0/22 and 2001:db8:2::/47 withdrawn: 2 /24s, 1 /48"

kill $injpid
wait_for "$seen" ',bgp.peers,collector:10.99.0.2,0$'
# From the bin where the peer has gone, AS 65010 is seen no more.
last=$(tail -n +"$((seen + 1))" "$dir/out.csv" | grep -c ',bgp6\?,asn:65010,')
[ "$last" -eq 0 ] || fail "AS 65010 still visible after the peer went down"
echo "ok ($which): peer down: its table emptied"

kill -TERM $agent
wait $agent
rc=$?
[ $rc -eq 0 ] || fail "the collector exited $rc"
grep -q 'offset' "$dir/agent.err" && fail "the collector reported a bad message"
# The store got the same points, bin by bin.
"$LIFELINE" signal --db "$dir/live.db" --signal bgp --entity asn:65010 \
    >"$dir/stored.csv" 2>&1 || fail "lifeline signal: $(cat "$dir/stored.csv")"
grep -qE ',asn:65010,6$' "$dir/stored.csv" ||
    fail "the store lacks the 6 /24s: $(head -5 "$dir/stored.csv")"
grep -qE ',asn:65010,2$' "$dir/stored.csv" ||
    fail "the store lacks the 2 /24s"
echo "ok ($which): the store holds the live points"
# Keep the session's bytes for the decoder's tests and the fuzz seeds.
if [ -n "${LL_BMP_KEEP:-}" ]; then
	cp "$dir/cap/10.99.0.2.bmp" "$LL_BMP_KEEP/$which.bmp"
fi
exit 0
