#!/usr/bin/env bash
# Runs bibia's whole test suite (unit, integration, W3C SHACL conformance
# when ../shared is present).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
# The real SPARQL clients that tests/sparql_clients.rs runs against the
# endpoint (PyPI); in CI that test fails without them.
if ! python3 -c 'import SPARQLWrapper, rdflib' 2>/dev/null; then
  echo "Installation des clients SPARQL Python (SPARQLWrapper, rdflib)" >&2
  pins=("SPARQLWrapper==2.0.0" "rdflib==7.6.0")
  python3 -m pip install --quiet --disable-pip-version-check "${pins[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${pins[@]}"
fi
# Non-incremental: the same build for both commands, and no stale
# incremental artefacts at link time.
export CARGO_INCREMENTAL=0
exec cargo test --locked "$@"
