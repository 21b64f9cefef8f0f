#!/bin/sh
# `make format-check`: the lines this branch changed in C files since it
# left main (committed or not) against .clang-format; FILES="a.c b.h" checks
# those whole files instead. Prints what clang-format would change; exits 1
# when anything would. Not part of `make check`.
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
	clang-format --dry-run --Werror "$@"
	echo "format-check: $# files as .clang-format wants"; exit 0
fi
base=$(git merge-base HEAD main 2>/dev/null || git rev-parse HEAD)
out=$(git diff -U0 --no-color "$base" -- '*.c' '*.h' |
    clang-format-diff -p1 2>&1 || true)
if [ -n "$out" ]; then
	echo "$out"; echo "format-check: changed lines differ from .clang-format" >&2
	exit 1
fi
echo "format-check: changed lines as .clang-format wants"
