#!/bin/sh
# build.sh - configure and build in _build/ (out of tree), then install
# (to /usr/local unless PREFIX is set).  Extra arguments go to configure.
set -e
cd "$(dirname "$0")/.."
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure --prefix="${PREFIX:-/usr/local}" "$@"
make -j"$(nproc)"
make install >/dev/null
echo "build: installed bottleneck into ${PREFIX:-/usr/local}"
