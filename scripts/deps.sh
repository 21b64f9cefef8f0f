#!/bin/sh
# Installs the Debian 12 packages lifeline needs, when missing.
# As root it runs apt-get; otherwise it prints the command and fails.
# Usage: scripts/deps.sh [build|check|fuzz|bench]
set -eu
build="gcc meson ninja-build pkg-config zlib1g-dev libbz2-dev liblzma-dev
 libzstd-dev libisal-dev libsqlite3-dev libpq-dev libloc-dev libloc-database
 libmaxminddb-dev libcurl4-openssl-dev libssl-dev libjansson-dev libsodium-dev
 libyaml-dev libnats-dev libcmocka-dev libmicrohttpd-dev"
check="$build libcmocka-dev libmicrohttpd-dev libjansson-dev bgpdump
 gzip bzip2 xz-utils zstd python3 frr gobgpd nats-server postgresql
 iproute2 nftables"
fuzz="$check clang libclang-rt-14-dev"
bench="$build postgresql nats-server bgpdump isal lbzip2 bzip2 gzip xz-utils zstd
 time bc iproute2"
case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
fuzz) want=$fuzz ;;
bench) want=$bench ;;
*) echo "usage: $0 build|check|fuzz|bench" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing >/dev/null
