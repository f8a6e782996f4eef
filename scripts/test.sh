#!/usr/bin/env bash
# Runs bibia's whole test suite (unit, integration, W3C SHACL conformance
# when ../shared is present).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
exec cargo test --locked "$@"
