#!/bin/sh
# The README's scale-out set-up (between its readme-test markers), run as
# written: two agents ship two collectors' archives through a real
# nats-server, one consumer merges them into a PostgreSQL database, and
# `lifeline signal` reads it. Each command must succeed and print every
# output line the README shows ("..." stands for lines left out). Only
# what cannot be the same here is replaced: the NATS port, the database's
# URL (the test cluster's), ../shared/data. Skipped (77) without
# nats-server, the data, or the PostgreSQL test cluster.
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
[ -d "$D/mrt/bgpkit" ] || { echo "SKIP: $D/mrt/bgpkit is absent"; exit 77; }
command -v nats-server >/dev/null 2>&1 ||
	{ echo "SKIP: no nats-server (scripts/deps.sh check)"; exit 77; }
T=$(mktemp -d)
SRV=""
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
# shellcheck source=../store_db.sh
. "${LL_SOURCE_ROOT:?}/tests/store_db.sh"
LL_TEST_BACKEND=postgresql store_db readme_scale "$T/unused"
mkdir -p "$T/ports"
nats-server -a 127.0.0.1 -p -1 -js -sd "$T/js" --ports_file_dir "$T/ports" \
    >"$T/server.log" 2>&1 &
SRV=$!
i=0
while [ ! -s "$T/ports/nats-server_$SRV.ports" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$SRV" 2>/dev/null; then
		echo "SKIP: nats-server did not start"; SRV=""; exit 77
	fi
	sleep 0.1
done
PORT=$(sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/' "$T/ports/nats-server_$SRV.ports")
export LIFELINE_T="$T" LIFELINE_PORT="$PORT" LIFELINE_PG="$DB" LIFELINE_D="$D"
python3 - "${LL_SOURCE_ROOT}/README.md" <<'PY'
import os, re, subprocess, sys
text = open(sys.argv[1]).read()
m = re.search(r'<!-- readme-test: scale-out[^>]*-->(.*?)<!-- /readme-test -->',
              text, re.S)
assert m, "no readme-test markers in the README"
lines = [l[4:] for l in m.group(1).splitlines() if l.startswith('    ')]
# commands ("$ ...", continued by a trailing backslash) and what they show
steps, i = [], 0
while i < len(lines):
    assert lines[i].startswith('$ '), lines[i]
    cmd = lines[i][2:]
    while cmd.endswith('\\'):
        i += 1
        cmd = cmd[:-1] + ' ' + lines[i].strip()
    i += 1
    out = []
    while i < len(lines) and not lines[i].startswith('$ '):
        out.append(lines[i]); i += 1
    steps.append((cmd, out))
assert len(steps) >= 6, steps
env = os.environ
ran = 0
for cmd, want in steps:
    if cmd.startswith('createdb ') or cmd.startswith('nats-server '):
        continue        # the test made its own
    cmd = (cmd.replace('nats://127.0.0.1:4222', 'nats://127.0.0.1:' + env['LIFELINE_PORT'])
              .replace('postgresql:///lifeline', "'" + env['LIFELINE_PG'] + "'")
              .replace('../shared/data', env['LIFELINE_D']))
    assert cmd.startswith('lifeline '), cmd
    cmd = '"$LIFELINE" ' + cmd[len('lifeline '):]
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                       cwd=env['LIFELINE_T'])
    got = (p.stdout + p.stderr).splitlines()
    if p.returncode != 0:
        sys.exit("FAIL: exit %d: %s\n%s" % (p.returncode, cmd, p.stdout + p.stderr))
    for w in want:
        if w != '...' and w not in got:
            sys.exit("FAIL: %s\n  the README shows: %s\n  got:\n%s" %
                     (cmd, w, '\n'.join('    ' + g for g in got)))
    ran += 1
print("readme scale-out: %d commands as the README shows them" % ran)
PY
