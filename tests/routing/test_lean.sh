#!/bin/bash
# routing check feeds the monitors from a lean reading of update records
# (prefixes and AS path straight from the record's bytes); --full-decode
# feeds them from the full decoder. On every MRT update archive of the
# shared data (1999-2021, BGP4MP of every subtype, damaged ones; RIB dumps
# take the full decoder either way), with watchlists that make every
# monitor fire, both must give the same alerts, the same summary and the
# same exit status.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
mrt=$D/mrt
vrps=$D/rpki/ripe-archive-afrinic-roas-20211231.csv
[ -d "$mrt/ris-2021-gatech-cs6250" ] && [ -r "$vrps" ] ||
    { echo "SKIP: $mrt or $vrps is absent"; exit 77; }
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mapfile -t files < <(find "$mrt" -type f ! -name '*.txt' ! -name '*.md' |
    grep -v -e /expect/ -e bview -e /rib -e _rib | sort)
[ "${#files[@]}" -gt 20 ] && ok || bad "only ${#files[@]} archives"

# observed: what the 2021 RIS files show for three ASes, checked against
# every other year (new origins and neighbours)
"$L" watch generate --asn 11830 --asn 17439 --asn 18881 --neighbours -q \
    -o "$tmp/observed.yml" "$mrt"/ris-2021-gatech-cs6250/*.gz ||
    bad "watch generate: exit $?"
# strict: a 32nd of the IPv4 space and a v6 block expecting a
# documentation AS (sub-prefix hijacks, squatting), an ignored hole, a path
# rule, transit ASes whose every neighbour is new, and an origin with
# RPKI-invalid routes
cat > "$tmp/strict.yml" <<'EOF'
0.0.0.0/5:
  description: a 32nd of IPv4
  asn: 64496
  ignoreMorespecifics: false
  path:
    maxLength: 3
4.0.0.0/8:
  asn: 0
6.0.0.0/7:
  asn: 64496
  ignore: true
2001:4000::/18:
  asn: [64496, 64497]
options:
  monitorASns:
    174: { upstreams: [1], downstreams: [] }
    3356: { upstreams: [1], downstreams: [] }
    1299: { upstreams: [1] }
    6939: { downstreams: [2] }
    701: { upstreams: [1], downstreams: [] }
    37100: { upstreams: [1], downstreams: [] }
    29975: { group: rpki }
EOF

for wl in observed strict; do
	for mode in lean full; do
		extra=()
		[ $mode = full ] && extra=(--full-decode)
		"$L" routing check "${extra[@]}" --watchlist "$tmp/$wl.yml" \
		    --vrps "$vrps" --min-peers 1 --min-peers-loss 2 -q \
		    "${files[@]}" > "$tmp/$wl.$mode" 2> "$tmp/$wl.$mode.err"
		echo $? > "$tmp/$wl.$mode.rc"
	done
	cmp -s "$tmp/$wl.lean" "$tmp/$wl.full" && ok ||
	    { bad "$wl: alerts differ"; diff "$tmp/$wl.lean" "$tmp/$wl.full" | head -5; }
	cmp -s "$tmp/$wl.lean.err" "$tmp/$wl.full.err" && ok ||
	    bad "$wl: summaries differ: $(cat "$tmp/$wl.lean.err" "$tmp/$wl.full.err")"
	cmp -s "$tmp/$wl.lean.rc" "$tmp/$wl.full.rc" && ok ||
	    bad "$wl: exit $(cat "$tmp/$wl.lean.rc") against $(cat "$tmp/$wl.full.rc")"
	grep -q ' route elements, [0-9]* alerts' "$tmp/$wl.lean.err" && ok ||
	    bad "$wl: no summary: $(cat "$tmp/$wl.lean.err")"
done
# reading ahead: update records go to the feeding thread in batches while
# RIB records are decoded by the reader once the ring is empty (a 2002
# TABLE_DUMP RIB, then a TABLE_DUMP_V2 one that needs its peer table), all
# in one stream through a pipe: the same alerts as the full decoder (and
# on one thread), and every element of every part fed
ris=("$mrt"/ris-2021-gatech-cs6250/*.gz)
bview=$mrt/ripe-bgpdump/bview.20020722.2337.gz
qrib=$mrt/mrtparse/quagga_rib
elems() { sed -n 's/.* \([0-9]*\) route elements.*/\1/p' "$1"; }
if [ -r "$bview" ] && [ -r "$qrib" ] && [ "${#ris[@]}" -ge 2 ]; then
	mix() { zcat "${ris[0]}" "$bview"; cat "$qrib"; zcat "${ris[1]}"; }
	sum=0
	for part in "${ris[0]}" "$bview" "$qrib" "${ris[1]}"; do
		"$L" routing check --watchlist "$tmp/strict.yml" -q "$part" \
		    > /dev/null 2> "$tmp/part.err"
		sum=$((sum + $(elems "$tmp/part.err")))
	done
	for mode in lean one full; do
		extra=()
		[ $mode = full ] && extra=(--full-decode)
		[ $mode = one ] && extra=(--one-thread)
		mix | "$L" routing check "${extra[@]}" --watchlist \
		    "$tmp/strict.yml" --vrps "$vrps" --min-peers 1 \
		    --min-peers-loss 2 -q - > "$tmp/mix.$mode" \
		    2> "$tmp/mix.$mode.err"
		echo $? > "$tmp/mix.$mode.rc"
	done
	cmp -s "$tmp/mix.lean" "$tmp/mix.full" && ok ||
	    bad "mixed stream: alerts differ"
	cmp -s "$tmp/mix.one" "$tmp/mix.full" &&
	    cmp -s "$tmp/mix.one.err" "$tmp/mix.full.err" && ok ||
	    bad "mixed stream: --one-thread differs"
	cmp -s "$tmp/mix.lean.err" "$tmp/mix.full.err" && ok ||
	    bad "mixed stream: $(cat "$tmp/mix.lean.err" "$tmp/mix.full.err")"
	cmp -s "$tmp/mix.lean.rc" "$tmp/mix.full.rc" && ok ||
	    bad "mixed stream: exit $(cat "$tmp/mix.lean.rc" "$tmp/mix.full.rc")"
	[ "$(elems "$tmp/mix.lean.err")" = "$sum" ] && [ "$sum" -gt 150000 ] &&
	    ok || bad "mixed stream: $(elems "$tmp/mix.lean.err") elements," \
	    "the parts have $sum"
	[ "$(wc -l < "$tmp/mix.lean")" -gt 100 ] && ok ||
	    bad "mixed stream: only $(wc -l < "$tmp/mix.lean") alerts"
else
	echo "note: no mixed-stream check ($bview or $qrib absent)"
fi

# the comparison means something only if the monitors fired, and of
# every kind the lists can raise
types() { sed 's/^{"type":"\([a-z-]*\)".*/\1/' "$1" | sort -u | tr '\n' ' '; }
t=$(types "$tmp/observed.lean")
for want in new-upstream new-downstream visibility-loss visible-again; do
	case " $t" in *" $want "*) ok ;; *) bad "observed: no $want alert ($t)" ;; esac
done
t=$(types "$tmp/strict.lean")
for want in sub-prefix squatting path new-upstream new-downstream \
    rpki-invalid as-set route-leak; do
	case " $t" in *" $want "*) ok ;; *) bad "strict: no $want alert ($t)" ;; esac
done
[ "$(wc -l < "$tmp/strict.lean")" -gt 1000 ] && ok ||
    bad "strict: only $(wc -l < "$tmp/strict.lean") alerts"

echo "lean against full decode: $pass passed, $fail failed" \
    "($(wc -l < "$tmp/observed.lean") + $(wc -l < "$tmp/strict.lean") alerts)"
[ "$fail" -eq 0 ]
