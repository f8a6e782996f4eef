#!/usr/bin/env bash
# Shows that a load is all-or-nothing: a large generated file is loaded and
# the process is killed with SIGKILL at several moments; after each kill the
# store is reopened and must hold either every use case of the file or none,
# with a public projection that agrees. A last run kills the process in the
# narrow window between the commit of the full store and that of the public
# projection (a build with the `fault-injection` feature pauses there when
# BIBIA_FAULT says so): on reopening, bibia sees that the projection is
# behind and rebuilds it.
#
#   scripts/crash-load.sh [PROJECTS]   (default 40000, about a million triples)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=${1:-40000}
# BIBIA_BIN=path uses an existing binary (built with --features
# fault-injection) instead of a release build.
bin=${BIBIA_BIN:-target/release/bibia}
[ -n "${BIBIA_BIN:-}" ] || cargo build --release --locked -q --features fault-injection
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$bin generate --projects "$projects" -o "$work/big.nt"
expected=$(grep -c '#type> <https://w3id.org/bibia/def#UseCase>' "$work/big.nt")
echo "fichier : $(wc -l < "$work/big.nt") triplets, $expected cas d'usage"
count_use_cases() { # DIR FULL?
  local flag=""; [ "$2" = full ] && flag="--full"
  $bin export --data-dir "$1" $flag --format nt 2>/dev/null | grep -c '#type> <https://w3id.org/bibia/def#UseCase>' || true
}
status=0
for delay in 0.5 1 2 3 4 5 6 8 10 15; do
  dir="$work/data-$delay"
  # Start from a store that already holds the model.
  $bin load --data-dir "$dir" data/reference/regions.ttl >/dev/null 2>&1
  $bin load --data-dir "$dir" "$work/big.nt" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then killed="tué après ${delay} s"; else killed="terminé avant ${delay} s"; fi
  wait "$pid" 2>/dev/null || true
  full=$(count_use_cases "$dir" full)
  public=$(count_use_cases "$dir" public)
  verdict="OK"
  if { [ "$full" != 0 ] && [ "$full" != "$expected" ]; } || [ "$full" != "$public" ]; then verdict="ÉCHEC"; status=1; fi
  printf '%-22s base complète : %6s cas d'"'"'usage, projection publique : %6s  %s\n' "$killed" "$full" "$public" "$verdict"
done
# The window between the two commits.
dir="$work/data-window"
$bin load --data-dir "$dir" data/reference/regions.ttl >/dev/null 2>&1
BIBIA_FAULT=pause-after-full-commit $bin load --data-dir "$dir" "$work/big.nt" 2>"$work/window.log" &
pid=$!
until grep -q BIBIA_FAULT "$work/window.log" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "le binaire ne s'est pas arrêté entre les deux écritures : construit sans --features fault-injection ?"
    exit 1
  fi
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
full=$(count_use_cases "$dir" full)
public=$(count_use_cases "$dir" public)
verdict="OK"
if [ "$full" != "$expected" ] || [ "$public" != "$expected" ]; then verdict="ÉCHEC"; status=1; fi
printf '%-22s base complète : %6s cas d'"'"'usage, projection publique : %6s  %s\n' "tué entre les commits" "$full" "$public" "$verdict"
exit $status
