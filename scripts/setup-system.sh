#!/usr/bin/env bash
# Installs what building bibia needs beyond the Rust toolchain: libclang
# and clang (oxigraph's RocksDB bindings are generated with bindgen). With
# --for-tests, also what the tests run when the machine has none: Python,
# Node.js and Chromium.
set -euo pipefail
missing=()
for pkg in libclang-dev clang; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${1:-}" = "--for-tests" ]; then
  # Python runs the tests' real SPARQL clients and the benchmark scripts.
  command -v python3 >/dev/null || missing+=(python3 python3-pip)
  # Node.js and Debian's Chromium run the browser test of the HTML pages
  # (tests/browser/pages.mjs, with playwright-core, which never downloads
  # a browser of its own).
  command -v node >/dev/null || missing+=(nodejs npm)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installation des paquets système manquants : ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo introuvable : installez Rust (rustup) d'abord" >&2; exit 2; }
