#!/usr/bin/env bash
# Runs bibia's whole test suite (unit, integration, W3C SHACL conformance
# when ../shared is present).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
# Non-incremental: the same build for both commands, and no stale
# incremental artefacts at link time.
export CARGO_INCREMENTAL=0
exec cargo test --locked "$@"
