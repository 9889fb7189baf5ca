#!/usr/bin/env bash
# How time and memory grow with the archive: SaudiNewsNet replayed with perturbations to 1M
# documents (benches/index/replay.py: each copy drops ~5% of its words and swaps ~2%, and its id
# `ORIGINAL#k` records which article it copies), clustered on 2 threads at several sizes. For each
# size: wall time, peak RSS, and the duplicate recall (the share of copies placed in the same
# story as their original; `recall.py`).
#
#   benches/scale/run.sh [SIZES...]              # default 100000 250000 500000 1000000
#   SETTINGS="--no-pivot" benches/scale/run.sh   # other cluster flags (default: the peers' job)
#
# The default settings are the near-duplicate job the peers run (word 3-grams, no IDF, Jaccard
# 0.5, 128 slots); `SETTINGS=` (empty) runs xdedup's own defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 250000 500000 1000000)
settings=${SETTINGS---shingle word:3 --no-idf --num-perm 128 --similarity jaccard -t 0.5 --no-pivot}
cargo build --release --quiet --bin xdedup
x=$PWD/target/release/xdedup
work=target/scale
mkdir -p "$work"
max=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)
# The replay is one random stream in document order: the first N lines of a longer archive are
# the archive of N documents.
if [ ! -f "$work/archive.jsonl" ] || [ "$(wc -l < "$work/archive.jsonl")" -lt "$max" ]; then
  python3 benches/index/replay.py --corpus ../shared/corpora/saudinewsnet.jsonl.gz --docs "$max" --out "$work"
fi
echo "settings: ${settings:-xdedup defaults}, 2 threads"
echo
echo "| documents | MB of JSONL | seconds | peak RSS, GiB (10⁹ bytes) | KB per document | documents/s | duplicate recall |"
echo "|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  head -n "$n" "$work/archive.jsonl" > "$work/in.jsonl"
  mb=$(( $(stat -c %s "$work/in.jsonl") / 1000000 ))
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$work/time" "$x" --threads 2 cluster -q $settings "$work/in.jsonl" -o "$work/out.jsonl"
  read -r s kb < "$work/time"
  recall=$(python3 benches/scale/recall.py "$work/out.jsonl")
  awk -v n="$n" -v mb="$mb" -v s="$s" -v kb="$kb" -v r="$recall" 'BEGIN {
    printf "| %d | %d | %.1f | %.2f GiB (%.2f GB) | %.1f | %.0f | %s |\n", n, mb, s, kb / 1048576, kb * 1024 / 1e9, kb / n, n / s, r }'
done
rm -f "$work/in.jsonl"
