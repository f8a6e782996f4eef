#!/usr/bin/env bash
# Load throughput: `bibia load` (parsing, SHACL validation, atomic commit to
# the full store and to the public projection) against `oxigraph load` from
# the PyPI package on the same generated N-Triples file.
#
#   bench/bulk-load.sh [PROJECTS]   (default 40000, about a million triples)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=${1:-40000}
command -v oxigraph >/dev/null || pip install -q oxigraph
# BIBIA_BIN=path uses an existing binary instead of a release build.
bin=${BIBIA_BIN:-target/release/bibia}
[ -n "${BIBIA_BIN:-}" ] || cargo build --release --locked -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$bin generate --projects "$projects" -o "$work/big.nt" 2>/dev/null
triples=$(wc -l < "$work/big.nt")
# The model is loaded first so that the timed load is the file alone.
$bin load --data-dir "$work/bibia" data/reference/regions.ttl >/dev/null 2>&1
t0=$(date +%s.%N)
$bin load --data-dir "$work/bibia" "$work/big.nt" 2>"$work/bibia.log"
t1=$(date +%s.%N)
oxigraph load --location "$work/oxigraph" --file "$work/big.nt" >/dev/null 2>&1
t2=$(date +%s.%N)
python3 - "$triples" "$t0" "$t1" "$t2" <<'PY'
import sys
n, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:])
b, o = t1 - t0, t2 - t1
print(f"triplets : {n}")
print(f"bibia load (validation + projection) : {b:7.2f} s  {n / b:12,.0f} triplets/s")
print(f"oxigraph load (brut)                 : {o:7.2f} s  {n / o:12,.0f} triplets/s")
print(f"rapport bibia / oxigraph             : {o / b:7.2f}  (objectif >= 0.5)")
PY
