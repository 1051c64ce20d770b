#!/bin/sh
# install-deps.sh - install the Debian 12 packages that Bottleneck needs
# to build, test and run.  Run as root; does nothing when all are there.
set -e
pkgs="build-essential autoconf automake libtool pkg-config
  libltdl-dev libcurl4-openssl-dev libyaml-dev libjson-c-dev
  libsqlite3-dev libcmocka-dev libuv1-dev libc-ares-dev libssl-dev libiperf-dev libmnl-dev
  ethtool
  libmicrohttpd-dev libprotobuf-c-dev protobuf-c-compiler libsnappy-dev
  sqlite3 python3 clang-format clang libclang-rt-dev iproute2 iputils-ping fping procps curl
  mtr-tiny
  nginx-light dnsmasq-base openssl iperf3
  chromium poppler-utils fonts-dejavu-core
  prometheus python3-aiosmtpd"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
    grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends $missing >/dev/null
fi
echo "install-deps: all build and test dependencies are installed"
