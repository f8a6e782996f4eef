#!/usr/bin/env bash
# Runs bibia's whole test suite (unit, integration, W3C SHACL conformance
# when ../shared is present).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh --for-tests
# The real SPARQL clients that tests/sparql/clients.rs runs against the
# endpoint, and pySHACL, the second check of the DCAT-AP catalogue
# (tests/catalog.rs), from PyPI; in CI those tests fail without them.
if ! python3 -c 'import SPARQLWrapper, rdflib, pyshacl' 2>/dev/null; then
  echo "Installation des outils Python des tests (SPARQLWrapper, rdflib, pySHACL)" >&2
  pins=("SPARQLWrapper==2.0.0" "rdflib==7.6.0" "pyshacl==0.40.1")
  python3 -m pip install --quiet --disable-pip-version-check "${pins[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${pins[@]}"
fi
# The npm packages of the browser test of the HTML pages (tests/pages/),
# exactly as package-lock.json pins them; playwright-core drives Debian's
# Chromium and downloads no browser.
if [ ! -d tests/browser/node_modules ]; then
  echo "Installation des paquets npm du test des pages dans le navigateur (playwright-core, axe-core)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
# Non-incremental: the same build for both commands, and no stale
# incremental artefacts at link time.
export CARGO_INCREMENTAL=0
exec cargo test --locked "$@"
