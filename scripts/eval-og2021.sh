#!/usr/bin/env bash
# Reproduces the OG2021 figures of EVALUATION.md: the defaults on all languages, English only and
# Arabic only, over three hash seeds (LSH samples candidates, so results move a little with the
# seed), the same without the time window (`--window off`: the text alone), and the single-link
# (union-find) comparison, and `--story-idf` (frequencies over stories).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
x=./target/release/xdedup
gold=../shared/eval/og2021-titles.jsonl
ari() { "$x" eval --gold "$gold" -q "$@" | awk '$1 == "all" { print $5 }'; }
printf '%-34s %6s %6s %6s\n' "settings" "all" "eng" "ara"
for seed in default 1 2 3; do
  s=(); [ "$seed" = default ] || s=(--seed "$seed")
  printf '%-34s %6s %6s %6s\n' "defaults, seed $seed" "$(ari "${s[@]}")" \
    "$(ari --lang eng "${s[@]}")" "$(ari --lang ara "${s[@]}")"
done
for w in 2d off; do
  printf '%-34s %6s %6s %6s\n' "--story-idf, --window $w" "$(ari --story-idf --window $w)" \
    "$(ari --lang eng --story-idf --window $w)" "$(ari --lang ara --story-idf --window $w)"
done
for w in off 1d 3d 5d; do
  printf '%-34s %6s %6s %6s\n' "defaults, --window $w" "$(ari --window $w)" \
    "$(ari --lang eng --window $w)" "$(ari --lang ara --window $w)"
done
for t in 0.4 0.5 0.6; do
  printf '%-34s %6s %6s %6s\n' "single link (union-find), t=$t" "$(ari --linkage single -t $t)" \
    "$(ari --lang eng --linkage single -t $t)" "$(ari --lang ara --linkage single -t $t)"
done
tb=(--no-idf --no-stem --shingle word:1 --similarity jaccard --linkage single)
for t in 0.3 0.5; do
  printf '%-34s %6s %6s %6s\n' "textbook words+Jaccard+UF, t=$t" "$(ari "${tb[@]}" -t $t)" \
    "$(ari --lang eng "${tb[@]}" -t $t)" "$(ari --lang ara "${tb[@]}" -t $t)"
done
