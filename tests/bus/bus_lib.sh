# Sourced by the bus tests (test_bus.sh, test_bus_merge.sh): their
# assertions and a NATS JetStream server on loopback. Needs T (the test's
# temporary directory); start_server sets SRV, PORT and URL.
fails=0
L() { "$LIFELINE" "$@"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() {	# check NAME WANT_RC GOT_RC [LOG]
	[ "$2" = "$3" ] || { fail "$1: exit $3, want $2"; [ $# -gt 3 ] &&
	    cat "$4"; }
}
has() { grep -qF -- "$3" "$2" || { fail "$1: no '$3' in:"; cat "$2"; }; }

# start_server [PORT]: JetStream on loopback; the port of the first start
# is random (-p -1) and read from the ports file. Returns 1 when the
# server does not come up (its log: $T/server.log).
start_server() {
	rm -f "$T"/ports/*.ports
	mkdir -p "$T/ports"
	nats-server -a 127.0.0.1 -p "${1:--1}" -js -sd "$T/js" \
	    --ports_file_dir "$T/ports" >>"$T/server.log" 2>&1 &
	SRV=$!
	i=0
	while [ ! -s "$T/ports/nats-server_$SRV.ports" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SRV" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	PORT=$(sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/' \
	    "$T/ports/nats-server_$SRV.ports")
	URL="nats://127.0.0.1:$PORT"
}
stop_server() { kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=""; }
