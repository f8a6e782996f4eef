#!/usr/bin/env bash
# Builds bibia (the first time about 15 minutes on 2 cores; the tests reuse
# the same build) and serves the embedded demo data. Extra arguments go to
# `bibia serve`; benchmarks use `cargo build --release` instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-system.sh
# Non-incremental: the same build for both commands, and no stale
# incremental artefacts at link time.
export CARGO_INCREMENTAL=0
exec cargo run --locked -- serve "$@"
