#!/bin/bash
# Runs every registered test and ends with "N passed, N failed, N skipped".
set -u
build=${1:-build-asan}
log=$build/meson-logs/testlog.json
# One throwaway PostgreSQL cluster for the whole run; the tests that need
# it read $LL_TEST_PG and are skipped (77) when it could not be started.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/ll-pg-XXXXXX")
trap 'scripts/pg-test-cluster.sh stop "$pgdir"' EXIT
if url=$(scripts/pg-test-cluster.sh start "$pgdir"); then
	export LL_TEST_PG=$url
else
	echo "PostgreSQL could not be started: its tests are skipped" >&2
fi
meson test -C "$build" --print-errorlogs --num-processes 2 "${@:2}"
rc=$?
pass=0 fail=0 skip=0
if [ -f "$log" ]; then
	pass=$(grep -c '"result": "OK"' "$log" || true)
	skip=$(grep -c '"result": "SKIP"' "$log" || true)
	fail=$(grep -cE '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
fi
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
echo "$pass passed, $fail failed, $skip skipped"
# CI (.ci/run) has all the data: there a skip is a failure.
if [ "${LL_NO_SKIPS:-0}" = 1 ] && [ "$skip" -gt 0 ]; then
	grep '"result": "SKIP"' "$log" |
	    sed 's/^{"name": "\([^"]*\)".*/skipped: \1/' >&2
	echo "$skip tests skipped although LL_NO_SKIPS=1 (CI has the data)" >&2
	exit 1
fi
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
