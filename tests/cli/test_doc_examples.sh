#!/bin/sh
# The diagnostics docs/mrt.md shows as examples are what `lifeline mrt dump`
# prints for those real archives today: every indented example line of the
# form "ARCHIVE: offset N: ..." must appear, word for word, among the
# reports for ARCHIVE (found by name under the shared data's mrt/).
set -u
L=${LIFELINE:?}
D=${LL_SHARED_DATA:-${LL_SHARED_DATA_CONFIGURED:-../shared/data}}
doc=${LL_SOURCE_ROOT:-.}/docs/mrt.md
if [ ! -d "$D/mrt" ]; then
	echo "SKIP: $D/mrt is absent"; exit 77
fi
fails=0 n=0
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
examples=$(grep -E '^    [A-Za-z0-9._-]+\.(gz|bz2|xz|zst): offset [0-9]+: ' "$doc")
[ -n "$examples" ] || { echo "FAIL: no example reports found in $doc"; exit 1; }
echo "$examples" | sed 's/^    //' | while IFS= read -r line; do
	name=${line%%: offset*}
	f=$(find "$D/mrt" -name "$name" | head -n 1)
	if [ -z "$f" ]; then
		echo "SKIP: $name (an example of $doc) is absent"; exit 77
	fi
	"$L" mrt dump --format=none "$f" 2>&1 >/dev/null |
	    sed "s|^$(dirname "$f")/||" >"$tmp"
	if ! grep -qxF -- "$line" "$tmp"; then
		echo "FAIL: docs/mrt.md shows a report $name does not give:"
		echo "  doc: $line"
		grep -F ": offset ${line#*: offset }" "$tmp" >/dev/null ||
		    sed 's/^/  got: /' "$tmp" | grep -v 'records decoded'
		exit 1
	fi
done
rc=$?
[ "$rc" -eq 0 ] && echo "doc examples: $(echo "$examples" | wc -l) reports as docs/mrt.md shows them"
exit $rc
