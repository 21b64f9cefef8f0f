#!/usr/bin/env bash
# Builds the seed corpus from the real archives and runs each libFuzzer
# target for SECONDS seconds; any crash, leak, timeout or out-of-memory
# input is copied into tests/data/crashers/<target>/ (replayed by `make
# check`) and the run fails.
#
# usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
set -euo pipefail

build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
data=${LL_SHARED_DATA:-$root/../shared/data}
corpus=$root/fuzz/corpus
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_mrt_record fuzz_bgp_update fuzz_input \
    fuzz_geo_cache fuzz_store_chunk fuzz_sig_lean fuzz_rir fuzz_pfx2as \
    fuzz_text_args fuzz_vrp fuzz_evidence fuzz_bmp fuzz_watchlist \
    fuzz_import_series fuzz_import_ioda fuzz_import_monash fuzz_import_ndt \
    fuzz_import_ooni fuzz_bus_msg fuzz_impact_ref fuzz_probe_icmp \
    fuzz_probe_hist fuzz_routing_lean)

for t in "${targets[@]}" seed_split; do
	[ -x "$build/fuzz/$t" ] || { echo "fuzz: $build/fuzz/$t is missing;" \
	    "set up $build with CC=clang -Dfuzz=true" >&2; exit 2; }
done

# Seeds: real archives split into records and BGP messages, the hostile
# files, the crashers found so far.
seeds=$corpus/seeds
if [ ! -f "$seeds/.done" ]; then
	rm -rf "$seeds"
	mkdir -p "$seeds"/{mrt,bgp,input,geocache,chunk}
	if [ -d "$data/mrt" ]; then
		find "$data/mrt" -type f ! -name '*.md' ! -name '*.txt' \
		    ! -path '*/expect/*' -print0 | sort -z |
		    xargs -0 "$build/fuzz/seed_split" "$seeds/mrt" \
		    "$seeds/bgp" "$seeds/input" 2>/dev/null || true
	else
		echo "fuzz: $data/mrt is absent; seeding from tests/data only" >&2
	fi
	for f in "$root"/tests/data/hostile/*.mrt*; do
		[ -f "$f" ] || continue
		cp "$f" "$seeds/mrt/"
		{ printf '\0\0'; cat "$f"; } >"$seeds/input/$(basename "$f")"
	done
	# Small whole compressed streams for every codec.
	i=0
	for f in $(ls "$seeds/mrt" | grep -- '-head-' | head -8); do
		for z in gzip bzip2 xz zstd; do
			command -v $z >/dev/null || continue
			{ printf '\0\0'; $z -c <"$seeds/mrt/$f"; } \
			    >"$seeds/input/whole-$i.$z"
		done
		i=$((i + 1))
	done
	# A small sound geo cache (the harness's key) and chunk blobs.
	python3 - "$seeds" <<'PY'
import struct, sys
d = sys.argv[1]
key = b"lifeline geo\n"
def pad(b):
    return b + b"\0" * (-len(b) % 16)
out = pad(b"LLGEOC\0\1" + struct.pack("<II", 0x01020304, len(key)) + key)
regions = [b"\0" * 8, b"EG-C\0\0\0\0"]
out += pad(struct.pack("<I", len(regions)) + b"".join(regions))
def tree(af, coarse, starts, vals):
    t = struct.pack("<BBB5xQ", 1, af, coarse, len(starts))
    t += b"".join(s.to_bytes(16, "little") for s in starts)
    t += b"".join(struct.pack("<I", v) for v in vals)
    return pad(t)
eg = ord("E") << 8 | ord("G")
for i in range(8):
    af = 6 if i % 2 else 4
    if i // 2 == 2:
        out += struct.pack("<8xQ", 0)		# no region tree
        continue
    unit = 1 << (80 if af == 6 else 8)
    val = 8452 if i // 2 == 1 else eg | (1 << 16 if i // 2 == 3 else 0)
    out += tree(af, i // 2 == 3, [0, unit * 3, unit * 9], [0, val, 0])
open(d + "/geocache/small", "wb").write(out)
# Chunk blobs (store_chunk.h) behind the harness's two-byte entry count:
# the delta encoding, and the fixed entries of schema version 2.
def varint(v):
    b = b""
    while v >= 0x80:
        b += bytes([v & 0x7f | 0x80])
        v >>= 7
    return b + bytes([v])
def zz(v):
    return (v << 1) ^ (v >> 63) if v >= 0 else ((-v) << 1) - 1
def chunk(ents):
    b, po, pd, pi, ps = b"", 0, 0, 0, 0
    for off, val, src in ents:
        dt = off - po
        raw = val != int(val) or abs(val) > 2 ** 53
        b += varint(zz(dt - pd) << 2 | raw << 1 | (src != ps))
        if src != ps:
            b += varint(src)
        if raw:
            b += struct.pack("<d", val)
        else:
            b += varint(zz(int(val) - pi))
            pi = int(val)
        po, pd, ps = off, dt, src
    return struct.pack("<H", len(ents)) + b
for n in (1, 3, 72):
    ents = [(300 * i, 93482 - (i % 5) * 7 if i % 9 else i * 0.5, i // 30 + 1)
            for i in range(n)]
    open("%s/chunk/n%d" % (d, n), "wb").write(chunk(ents))
    v2 = b"".join(struct.pack("<IdI", o, v, s) for o, v, s in ents)
    open("%s/chunk/v2-n%d" % (d, n), "wb").write(struct.pack("<H", n) + v2)
PY
	touch "$seeds/.done"
fi
if [ ! -f "$seeds/.done-text" ]; then
	rm -rf "$seeds"/{rir,pfx2as,text}
	mkdir -p "$seeds"/{rir,pfx2as,text}
	# Text: slices of 40 lines of the real registry files (the head of
	# each, with its version and summary lines, and 20 more spread
	# through it), the hostile fixtures, and the texts users type.
	reg=$data/registry
	for f in "$reg"/rir-delegated/delegated-* "$reg"/caida-pfx2as/*.gz; do
		[ -f "$f" ] || continue
		case $f in *pfx2as*) d=$seeds/pfx2as ;; *) d=$seeds/rir ;; esac
		n=$(gzip -cdf "$f" | wc -l)
		for i in $(seq 0 20); do
			gzip -cdf "$f" | sed -n "$((i * n / 21 + 1)),+39p" \
			    >"$d/$(basename "$f" .gz)-$i"
		done
	done
	cp "$root"/tests/data/geo/rir-*.txt "$seeds/rir/"
	cp "$root"/tests/data/geo/pfx2as-*.txt "$seeds/pfx2as/"
	i=0
	for t in country:EG country:ir region:IR-07 region:US-CA asn:58224 \
	    asn:4294967295 prefix:208.65.152.0/22 prefix:2001:db8::/32 \
	    192.0.2.1 2001:db8::1 ::ffff:1.2.3.4 10.0.0.0/8 2011-01-27 \
	    2011-01-27T22:34:00Z "2011-01-27 22:34" 2011-01-27T22:34:59 \
	    @1296167640 1296167640 300 300s 5m 2h 1d; do
		printf '%s' "$t" >"$seeds/text/t$i"
		i=$((i + 1))
	done
	touch "$seeds/.done-text"
fi
echo "fuzz: seeds: $(ls "$seeds/mrt" | wc -l) MRT, $(ls "$seeds/bgp" | wc -l)" \
    "BGP, $(ls "$seeds/input" | wc -l) input, $(ls "$seeds/rir" | wc -l) RIR," \
    "$(ls "$seeds/pfx2as" | wc -l) pfx2as, $(ls "$seeds/text" | wc -l) text"

# VRP exports: the head of the real AFRINIC roas.csv, the rpki-client JSON.
if [ ! -d "$seeds/vrp" ]; then
	mkdir -p "$seeds/vrp"
	head -c 16000 "$data/rpki/ripe-archive-afrinic-roas-20211231.csv" \
	    > "$seeds/vrp/roas.csv" 2>/dev/null || true
	cp "$data/rpki/rpki-client-subset-20210727.json" "$seeds/vrp/" \
	    2>/dev/null || true
fi

# An evidence log: three signed records from real archives and their head.
mkdir -p "$seeds/evidence"
cp "$root"/tests/data/evidence/*.log "$seeds/evidence/" 2>/dev/null || true
# Watchlists: the crafted cases' prefixes.yml.
if [ ! -d "$seeds/watchlist" ]; then
	mkdir -p "$seeds/watchlist"
	cp "$root/tests/data/routing/prefixes.yml" "$seeds/watchlist/"
fi
# Importers: the real Monash, M-Lab and OONI samples, the fixtures.
if [ ! -d "$seeds/import_ooni" ]; then
	mkdir -p "$seeds"/import_{series,ioda,monash,ndt,ooni}
	head -c 16000 "$data/events/monash-ip-observatory/ven-2019-07-22_gif.csv" \
	    > "$seeds/import_monash/ven.csv" 2>/dev/null || true
	cp "$root"/tests/data/import/monash-*.csv "$seeds/import_monash/"
	cp "$data"/mlab/m-lab-etl-testdata/*.json "$seeds/import_ndt/" \
	    2>/dev/null || true
	head -n 8 "$data/ooni/ooni-fastpath-samples.jsonl" \
	    > "$seeds/import_ooni/samples.jsonl" 2>/dev/null || true
	cp "$root"/tests/data/import/series-*.csv "$seeds/import_series/"
	cp "$root"/tests/data/import/ioda.json "$seeds/import_ioda/"
fi

fail=0
for t in "${targets[@]}"; do
	case $t in
	fuzz_mrt_record) s=$seeds/mrt; maxlen=65536 ;;
	fuzz_bgp_update) s=$seeds/bgp; maxlen=8192 ;;
	fuzz_input) s=$seeds/input; maxlen=65536 ;;
	fuzz_geo_cache) s=$seeds/geocache; maxlen=65536 ;;
	fuzz_store_chunk) s=$seeds/chunk; maxlen=8192 ;;
	fuzz_sig_lean) s=$seeds/mrt; maxlen=8192 ;;
	fuzz_routing_lean) s=$seeds/mrt; maxlen=8192 ;;
	fuzz_rir) s=$seeds/rir; maxlen=8192 ;;
	fuzz_pfx2as) s=$seeds/pfx2as; maxlen=8192 ;;
	fuzz_text_args) s=$seeds/text; maxlen=256 ;;
	fuzz_vrp) s=$seeds/vrp; maxlen=65536 ;;
	fuzz_evidence) s=$seeds/evidence; maxlen=65536 ;;
	fuzz_bmp) s=$root/tests/data/bmp; maxlen=65536 ;;
	fuzz_watchlist) s=$seeds/watchlist; maxlen=16384 ;;
	fuzz_import_*) s=$seeds/${t#fuzz_}; maxlen=65536 ;;
	fuzz_bus_msg) s=$root/tests/data/bus; maxlen=65536 ;;
	fuzz_impact_ref) s=$root/tests/data/impact; maxlen=16384 ;;
	fuzz_probe_icmp) s=$root/tests/data/probe; maxlen=1500 ;;
	fuzz_probe_hist) s=$root/tests/data/probe-hist; maxlen=16384 ;;
	*) echo "fuzz: unknown target $t" >&2; exit 2 ;;
	esac
	work=$corpus/$t
	art=$corpus/artifacts/$t
	mkdir -p "$work" "$art"
	crashers=$root/tests/data/crashers/$t
	echo "fuzz: $t for ${secs}s"
	set +e
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    "$build/fuzz/$t" -max_total_time="$secs" -max_len=$maxlen \
	    -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art/" "$work" "$s" \
	    ${crashers:+$( [ -d "$crashers" ] && echo "$crashers")} \
	    >"$corpus/$t.log" 2>&1
	rc=$?
	set -e
	tail -n 12 "$corpus/$t.log" | grep -E '^(stat::|Done|INFO: fuzzing)' || true
	found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o \
	    -name 'timeout-*' -o -name 'oom-*' \) | sort)
	if [ -n "$found" ] || [ $rc -ne 0 ]; then
		mkdir -p "$crashers"
		# moved, so that the next run reports only what it finds
		for f in $found; do mv "$f" "$crashers/"; done
		echo "fuzz: $t FAILED (exit $rc); inputs kept in" \
		    "tests/data/crashers/$t/, log in $corpus/$t.log:" >&2
		grep -E 'ERROR: |SUMMARY: |runtime error' "$corpus/$t.log" |
		    head -n 5 >&2 || true
		fail=1
	fi
done
if [ $fail -ne 0 ]; then
	echo "fuzz: CRASHES FOUND; replay with $build/fuzz/<target> FILE" >&2
	exit 1
fi
echo "fuzz: no crash"
