#!/usr/bin/env bash
# The persistent-index benchmark: SaudiNewsNet replayed with perturbations to N documents
# (default 1,000,000), indexed by xdedup (defaults, and datasketch's settings) and by datasketch's
# MinHashLSH, then a 10k batch added and 1,000 documents looked up. Prints a Markdown table
# (pasted into BENCHMARKS.md); raw figures in target/index-bench/results.json.
#
#   benches/index/run.sh [N_DOCS]
#
# Needs about 30 GB of disk at 1M documents and runs for about an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
out=target/index-bench
venv=target/peers-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q datasketch==2.0.0 rensa==0.5.0 gaoya==0.2.2 numpy
fi
cargo build --release --quiet
mkdir -p "$out"
python3 benches/index/replay.py --corpus ../shared/corpora/saudinewsnet.jsonl.gz --docs "$n" --out "$out"
python3 benches/index/bench.py --out "$out" --xdedup target/release/xdedup --python "$venv/bin/python"
