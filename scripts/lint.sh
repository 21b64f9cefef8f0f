#!/bin/sh
# Bans the C functions that invite overflows (as curl does), and checks that
# no library layer prints or exits: only src/cmd may.
set -eu
cd "$(dirname "$0")/.."
bad=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets)\s*\(' src fuzz tests --include='*.c' --include='*.h' || true)
if [ -n "$bad" ]; then
	echo "lint: banned function:" >&2; echo "$bad" >&2; exit 1
fi
bad=$(grep -rnE '\b(exit|printf|puts|perror|getenv)\s*\(' src --include='*.c' | grep -v '^src/cmd/' | grep -v 'fprintf\|snprintf\|vsnprintf' || true)
if [ -n "$bad" ]; then
	echo "lint: only src/cmd may print, exit or read the environment:" >&2; echo "$bad" >&2; exit 1
fi
