#!/bin/bash
# make demo: the one place a newcomer starts. Gets real-format archives
# (the public RIS archive for Egypt's 2011-01-27 shutdown when it can be
# reached, else `lifeline simulate` over real Egyptian prefixes), ingests
# them into a store, detects the outage, and prints the BGP visibility
# series around the event with the incident found, its start and
# restoration; every state change of the incident is signed into the
# evidence log, and the demo ends with the incident's evidence bundle,
# exported and verified as a third party would, its signed impact shown.
set -eu
L=${1:-build/lifeline}
[ -x "$L" ] || L=build/src/cmd/lifeline
OUT=${DEMO_DIR:-demo}
DB=$OUT/lifeline.db
mkdir -p "$OUT"
rm -f "$DB" "$DB-wal" "$DB-shm"

FROM=2011-01-27T22:00Z
TO=2011-01-28T00:00Z
files=()
echo "demo: fetching RIS rrc00 archives for $FROM .. $TO (Egypt's shutdown)"
if "$L" fetch --project ris --collector rrc00 --from "$FROM" --to "$TO" \
	--dir "$OUT/ris" --retries 1 > "$OUT/files.txt" 2> "$OUT/fetch.log" &&
	[ -s "$OUT/files.txt" ]; then
	mapfile -t files < "$OUT/files.txt"
	collector=rrc00
	# 2011 tables held ~350k prefixes, under IODA's 400k of today
	fullfeed=90%
	echo "demo: fetched ${#files[@]} archives"
else
	echo "demo: the public archive is not reachable from here ($(tail -1 "$OUT/fetch.log"))"
	echo "demo: simulating instead: 10 full-feed peers over real Egyptian prefixes"
	echo "      from the location database, all withdrawn at 22:34Z, back at 23:25Z"
	rm -rf "$OUT/sim"
	"$L" simulate --out "$OUT/sim" --country EG --start "$FROM" --duration 2h \
		--outage-from 2011-01-27T22:34Z --outage-to 2011-01-27T23:25Z \
		--seed 1 > "$OUT/files.txt"
	mapfile -t files < "$OUT/files.txt"
	collector=sim
	# synthetic tables hold ~100k IPv4 prefixes, not the 400k of a real
	# full feed: count peers with at least 90% of the largest table
	fullfeed=90%
fi

echo "demo: ingesting ${#files[@]} archives into $DB"
"$L" ingest bgp --db "$DB" --collector "$collector" --full-feed "$fullfeed" "${files[@]}"
echo "demo: ingesting again is a no-op (archives are known by SHA-256):"
"$L" ingest bgp --db "$DB" --collector "$collector" --full-feed "$fullfeed" "${files[@]}"

echo
echo "demo: a key pair to sign the evidence (lifeline keygen), a new one each run:"
rm -f "$OUT/demo-key" "$OUT/demo-key.pub" "$OUT/demo-key.pub.pem"
"$L" keygen --out "$OUT/demo-key"
echo
echo "demo: detecting outages in the store (lifeline detect --key):"
"$L" detect --db "$DB" --key "$OUT/demo-key"
# the incident that holds Egypt: its id, class, start and end
inc=$("$L" incidents list --db "$DB" | awk -F'\t' 'NR > 1 && $9 ~ /(^|,)country:EG(,|$)/ {
	print $1 "\t" $2 "\t" $6 "\t" $7; exit }')
IFS=$'\t' read -r iid iclass istart iend <<< "${inc:-}" || true
echo
echo "BGP visibility of Egypt (/24s seen by at least half of the full-feed peer ASes),"
echo "with what detect made of it:"
"$L" signal --db "$DB" --entity country:EG --signal bgp --from "$FROM" --to "$TO" |
	awk -F, -v s="${istart:-}" -v e="${iend:-}" -v id="${iid:-}" -v cl="${iclass:-}" '
	NR == 1 { next } { v[NR] = $3; t[NR] = $1; if ($3 > max) max = $3 }
	END { for (i = 2; i <= NR; i++) {
		n = max ? int(40 * v[i] / max) : 0; bar = "";
		for (j = 0; j < n; j++) bar = bar "#";
		note = "";
		if (id != "" && t[i] == s) note = "<- incident " id " detected: " cl;
		else if (id != "" && t[i] == e) note = "<- incident " id " restored";
		else if (id != "" && t[i] > s && (e == "open" || t[i] < e)) note = "   (down)";
		printf "  %s %7d %-40s %s\n", t[i], v[i], bar, note } }'
if [ -n "${iid:-}" ]; then
	echo
	"$L" incidents show "$iid" --db "$DB" | cut -c1-200
fi
if [ -n "${iid:-}" ]; then
	echo
	echo "demo: exporting the evidence bundle of incident $iid and checking it:"
	B=$OUT/bundle-incident-$iid
	rm -rf "$B"
	"$L" evidence export "$iid" --out "$B" --db "$DB"
	(cd "$B" && sha256sum -c --quiet MANIFEST.sha256) && echo "  sha256sum -c MANIFEST.sha256: every file as exported"
	if command -v python3 >/dev/null; then
		python3 "$B/verify.py" "$B" | sed 's/^/  python3 verify.py: /' | cut -c1-160
	fi
	"$L" evidence check "$B" --pub "$OUT/demo-key.pub" | cut -c1-160
	if command -v python3 >/dev/null; then
		# the impact the signed records hold (no user or country table in
		# the demo: those figures say "no data", and why, in impact.json)
		python3 - "$B/impact.json" <<'PY' | sed 's/^/  impact.json (signed): /'
import json, sys
for f in json.load(open(sys.argv[1]))["figures"]:
    v = "no data" if f["value"] is None else "%.15g %s" % (f["value"], f["unit"])
    print("%-9s %s  [%s]" % (f["name"], v, f["method"]))
PY
	fi
	"$L" incidents show "$iid" --format md --db "$DB" > "$OUT/incident-$iid.md"
fi
echo
echo "Where to look:"
echo "  database:     $DB   ($L signal --db $DB --entity country:EG --signal bgp --from $FROM --to $TO)"
echo "  one AS:       $L signal --db $DB --entity asn:8452 --signal bgp --from $FROM --to $TO"
echo "  the archives: $(dirname "${files[0]}")   ($L mrt dump FILE | head)"
echo "  incidents:    $L incidents list --db $DB --format json"
if [ -n "${iid:-}" ]; then
	echo "  evidence:     $B   (README.txt says how anyone checks it; charts/*.svg open in a browser)"
	echo "  the report:   $OUT/incident-$iid.md   (the norms it cites: data/norms.tsv, docs/evidence.md)"
fi
echo "  the signal:   docs/signals.md; detection: docs/methodology.md; every command: docs/lifeline.md"
