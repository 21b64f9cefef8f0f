#!/bin/sh
# A throwaway PostgreSQL cluster for the tests: `start DIR` makes one in
# DIR (initdb), listening only on a Unix socket in DIR on a random port,
# and prints its URL; `stop DIR` stops it and removes DIR. The cluster
# does not sync to disk (fsync, synchronous_commit and full_page_writes
# off): it is thrown away, and the tests kill clients, not the server.
# LL_PG_DURABLE=1 keeps PostgreSQL's defaults (for benchmarks).
# Run as root, the server runs as the user postgres (it refuses root).
set -eu
cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || {
	echo "pg-test-cluster: PostgreSQL's server is not installed" >&2; exit 1; }
as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
	mkdir -p "$dir"
	[ "$(id -u)" -ne 0 ] || chown postgres "$dir"
	as "$bin/initdb" -D "$dir/data" -A trust -U lifeline -E UTF8 \
	    --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
		echo "pg-test-cluster: initdb failed (see $dir/initdb.log)" >&2
		exit 1; }
	port=$((20000 + $$ % 20000))
	nosync="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	[ "${LL_PG_DURABLE:-0}" = 1 ] && nosync=""
	as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
	    -o "-c listen_addresses='' -c unix_socket_directories='$dir' \
	    -c port=$port $nosync -c max_connections=60" start \
	    >/dev/null 2>&1 || {
		echo "pg-test-cluster: the server did not start (see" \
		    "$dir/server.log)" >&2; exit 1; }
	echo "postgresql:///postgres?host=$dir&port=$port&user=lifeline"
	;;
stop)
	[ -d "$dir/data" ] && as "$bin/pg_ctl" -D "$dir/data" -m immediate \
	    -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
