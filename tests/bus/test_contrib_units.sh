#!/bin/sh
# The systemd units in contrib/ start commands Lifeline accepts: each
# service's ExecStart, with the paths and URLs of a test (a closed NATS
# port, a scratch store, an archive), must get past option parsing and
# fail only where it should, on the unreachable NATS server (exit 3,
# never 2 = usage); with systemd-analyze, each unit file verifies. Uses
# $LIFELINE, $LL_SOURCE_ROOT.
set -u
L=${LIFELINE:?}
S=${LL_SOURCE_ROOT:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
mrt="$D/mrt/bgpkit/rrc00.bview.20000111.0032.gz"
[ -r "$mrt" ] || { echo "SKIP: $mrt is absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0 n=0
mkdir -p "$T/archives/rrc00" "$T/spool"
cp "$mrt" "$T/archives/rrc00/"
: >"$T/nats.creds"
for unit in "$S"/contrib/*.service; do
	name=$(basename "$unit")
	# ExecStart, its continuation lines joined
	cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | sed 's/\\$//' |
	    tr '\n' ' ' | sed 's/^ExecStart=//')
	[ -n "$cmd" ] || { echo "FAIL: $name: no ExecStart"; fails=$((fails + 1)); continue; }
	# the unit's Environment= settings, then the test's paths
	envs=$(sed -n 's/^Environment=//p' "$unit")
	cmd=$(printf '%s' "$cmd" | sed -e "s|/usr/local/bin/lifeline|$L|g" \
	    -e "s|/etc/lifeline/nats.creds|$T/nats.creds|g" \
	    -e "s|/var/lib/lifeline/archives|$T/archives|g" \
	    -e "s|/var/lib/lifeline/spool|$T/spool|g" \
	    -e 's|%i|rrc00|g')
	(
		for e in $envs; do export "${e?}"; done
		export NATS_URL=nats://127.0.0.1:1 LIFELINE_DB="$T/$name.db"
		# ${VAR} as systemd expands it
		eval "set -- $cmd"
		"$@"
	) >"$T/out" 2>&1 </dev/null
	rc=$?
	n=$((n + 1))
	if [ "$rc" != 3 ]; then
		echo "FAIL: $name: exit $rc, want 3 (NATS unreachable):"
		cat "$T/out"; fails=$((fails + 1))
	elif ! grep -q '127.0.0.1:1' "$T/out"; then
		echo "FAIL: $name: the failure does not name the NATS URL:"
		cat "$T/out"; fails=$((fails + 1))
	fi
done
if command -v systemd-analyze >/dev/null 2>&1; then
	for unit in "$S"/contrib/*.service "$S"/contrib/*.timer; do
		# missing users and binaries are the machine's, not the unit's
		systemd-analyze verify --man=no "$unit" 2>&1 |
		    grep -v -e 'lifeline' -e 'No such file' -e 'Failed to' \
		    -e 'user' -e 'group' -e '^$' >"$T/v" || true
		[ -s "$T/v" ] && { echo "FAIL: $(basename "$unit"):"; cat "$T/v";
		    fails=$((fails + 1)); }
	done
fi
[ "$fails" -eq 0 ] || exit 1
echo "contrib units: $n services start commands lifeline accepts"
