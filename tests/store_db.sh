# Sourced by shell tests: store_db NAME PATH sets DB to the store a test
# uses: PATH, or with LL_TEST_BACKEND=postgresql a fresh database NAME of
# the run's test cluster ($LL_TEST_PG, started by scripts/run-tests.sh),
# as a URL; exits 77 (skipped) when there is no cluster.
store_db() {
	if [ "${LL_TEST_BACKEND:-}" != postgresql ]; then
		DB=$2
		return 0
	fi
	if [ -z "${LL_TEST_PG:-}" ]; then
		echo "SKIP: no PostgreSQL test cluster (\$LL_TEST_PG is not set;" \
		    "make check starts one)"
		exit 77
	fi
	psql -qX -v ON_ERROR_STOP=1 "$LL_TEST_PG" \
	    -c "SET client_min_messages = warning" \
	    -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" \
	    -c "CREATE DATABASE \"$1\"" >/dev/null ||
		{ echo "FAIL: cannot make database $1"; exit 1; }
	DB="postgresql:///$1?${LL_TEST_PG#*\?}"
}
