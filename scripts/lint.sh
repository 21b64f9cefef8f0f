#!/bin/sh
# Fast checks run by `make lint` and `make check` (well under 5 s):
#  1. banned C functions that invite overflows (as curl bans them);
#  2. no library layer prints, exits or reads the environment: only src/cmd;
#  3. tests count skips: no bare cmocka skip() or cmocka_run_group_tests()
#     (both would let a test pass for want of data: tests/testutil.h);
#  4. functions of src/ at most $maxlines lines, but for the shrinking
#     allowlist scripts/lint-long-functions.txt;
#  5. layering: a module includes only headers of its own layer or below
#     (docs/architecture.md), same-layer uses only as listed, and no
#     module includes another's private *_int.h.
# clang-format and clang-tidy are not part of it: `make format-check`,
# `make tidy`.
set -eu
cd "$(dirname "$0")/.."
maxlines=100
fail=0
report() {	# report TITLE TEXT
	if [ -n "$2" ]; then
		echo "lint: $1:" >&2; echo "$2" >&2; fail=1
	fi
}

bad=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets)\s*\(' src fuzz tests --include='*.c' --include='*.h' || true)
report "banned function" "$bad"

bad=$(grep -rnE '\b(exit|printf|puts|perror|getenv)\s*\(' src --include='*.c' | grep -v '^src/cmd/' | grep -v 'fprintf\|snprintf\|vsnprintf' || true)
report "only src/cmd may print, exit or read the environment" "$bad"

bad=$(grep -rnE '(^|[^_a-z])(skip\(\)|_?cmocka_run_group_tests(_name)?\s*\()' tests --include='*.c' | grep -v '^tests/testutil\.c:' || true)
report "tests skip with test_skip()/test_shared_or_skip() and run with test_main() (tests/testutil.h), so a group without its data exits 77, not 0" "$bad"

# 4. Function size: OpenBSD style puts the name at the start of a line and
# the braces of a function body in column 0.
bad=$(find src -name '*.c' | sort | xargs awk -v max="$maxlines" '
	FNR == 1 { name = ""; fn = "" }
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
	/^\{/ && name != "" { start = FNR; fn = name }
	/^\}/ && fn != "" { print FILENAME, fn, FNR - start + 1; fn = ""; name = "" }
' | awk -v max="$maxlines" '
	NR == FNR { if ($0 !~ /^#/ && NF == 2) allow[$1 " " $2] = 1; next }
	{ key = $1 " " $2; seen[key] = 1 }
	$3 > max && !(key in allow) {
		print $1 ": " $2 "() is " $3 " lines (limit " max "): split it" }
	$3 <= max && (key in allow) {
		print $1 ": " $2 "() is " $3 " lines now: remove it from scripts/lint-long-functions.txt" }
	END { for (k in allow) if (!(k in seen)) {
		split(k, a, " "); print a[1] ": " a[2] "() is gone: remove it from scripts/lint-long-functions.txt" } }
' scripts/lint-long-functions.txt -)
report "function size" "$bad"

# 5. Layers (docs/architecture.md). Same-layer uses allowed: net -> util,
# mrt -> input, mrt -> bgp, fetch -> input, fetch -> mrt, bmp -> mrt, bmp -> bgp (a DAG: no cycle
# is possible).
bad=$(grep -rnE '^#[[:space:]]*include[[:space:]]+"' src | awk '
	BEGIN {
		n = split("util:0 net:0 input:1 bgp:1 mrt:1 bmp:1 geo:1 fetch:1 sim:1 import:1 signal:2 store:2 ingest:3 routing:3 detect:3 evidence:3 impact:3 bus:4 probe:4 cmd:5", t, " ")
		for (i = 1; i <= n; i++) { split(t[i], kv, ":"); layer[kv[1]] = kv[2] }
		same["net util"] = same["mrt input"] = same["mrt bgp"] = same["fetch input"] = same["fetch mrt"] = same["bmp mrt"] = same["bmp bgp"] = 1
	}
	{
		split($0, loc, ":"); split(loc[1], p, "/"); from = p[2]
		hdr = $0; sub(/^[^"]*"/, "", hdr); sub(/".*/, "", hdr)
		if (!(from in layer)) { print loc[1] ": module " from " is not in the layer table of scripts/lint.sh"; next }
		if (hdr !~ /\//) next			# config.h and the like
		split(hdr, h, "/"); to = h[1]
		if (to == from) next
		if (!(to in layer)) { print loc[1] ":" loc[2] ": includes " hdr ": no module " to; next }
		if (h[2] ~ /_int\.h$/) { print loc[1] ":" loc[2] ": includes " hdr ", private to " to; next }
		if (layer[to] > layer[from] || (layer[to] == layer[from] && !((from " " to) in same)))
			print loc[1] ":" loc[2] ": " from " (layer " layer[from] ") includes " hdr " (layer " layer[to] ")"
	}')
report "layering (docs/architecture.md)" "$bad"

exit $fail
