#!/usr/bin/env bash
# cibuildwheel's before-all: install what the C client's build needs (OpenSSL 3 headers and
# libraries, libyaml, zlib) on each image family the wheels are built on.
#
#   musllinux_1_2 (Alpine)         apk: OpenSSL 3, libyaml, zlib from the distribution
#   manylinux_2_28 (AlmaLinux 8)   dnf: libyaml (PowerTools) and zlib; the distribution's
#                                  OpenSSL is 1.1, so OpenSSL 3 is built from its release
#                                  tarball (checked by sha256) into /usr/local
#   macOS runners                  Homebrew: openssl@3, libyaml (zlib comes with the SDK)
#
# auditwheel / delocate then copy libssl, libcrypto and libyaml into the wheel.
set -euo pipefail

OPENSSL_VERSION=3.5.4
OPENSSL_SHA256=967311f84955316969bdb1d8d4b983718ef42338639c621ec4c34fddef355e99

build_openssl() {
  local tarball="/tmp/openssl-$OPENSSL_VERSION.tar.gz"
  curl --fail --silent --show-error --location --retry 3 -o "$tarball" \
    "https://github.com/openssl/openssl/releases/download/openssl-$OPENSSL_VERSION/openssl-$OPENSSL_VERSION.tar.gz"
  echo "$OPENSSL_SHA256  $tarball" | sha256sum --check --strict -
  tar -xzf "$tarball" -C /tmp
  (
    cd "/tmp/openssl-$OPENSSL_VERSION"
    ./Configure --prefix=/usr/local --libdir=lib --openssldir=/usr/local/ssl shared no-tests no-docs
    make -j"$(nproc)" > /tmp/openssl-build.log 2>&1 || { tail -50 /tmp/openssl-build.log; exit 1; }
    make install_sw > /dev/null
  )
  echo /usr/local/lib > /etc/ld.so.conf.d/openssl3.conf
  ldconfig
  /usr/local/bin/openssl version
}

if command -v apk > /dev/null; then
  apk add --no-cache openssl-dev yaml-dev zlib-dev
elif command -v dnf > /dev/null; then
  dnf install -y dnf-plugins-core
  dnf config-manager --set-enabled powertools
  dnf install -y libyaml-devel zlib-devel perl
  build_openssl
elif command -v brew > /dev/null; then
  brew install openssl@3 libyaml
else
  echo "install_build_deps.sh: no apk, dnf or brew here; install OpenSSL 3, libyaml and zlib headers by hand" >&2
  exit 1
fi
