#!/usr/bin/env bash
# Times two xdedup binaries on the same job, interleaved (A, B, A, B, ...), and prints the
# minimum, first quartile and median wall time of each. On a machine whose speed drifts by 10-30%
# within minutes, a before/after figure from one run of each (or from the harness's fastest of
# 3, one row after the other) can land on either side of a change; interleaving spreads the
# drift over both.
#
#   benches/peers/ab.sh BIN_A BIN_B [THREADS] [RUNS] [DOCS.jsonl] [-- CLUSTER FLAGS...]
#
# Defaults: 1 thread, 20 runs each, the peers' job (word 3-grams, no IDF, Jaccard 0.5, 128
# slots, no pivot stage) on DOCS.jsonl (default: the first 10,000 articles of SaudiNewsNet,
# written to target/peers-docs.jsonl on first use, as benches/peers/peers.py loads them).
set -euo pipefail
cd "$(dirname "$0")/../.."
a=$1 b=$2 threads=${3:-1} runs=${4:-20} docs=${5:-target/peers-docs.jsonl}
shift $(( $# < 5 ? $# : 5 ))
[ "${1:-}" = "--" ] && shift
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--shingle word:3 --no-idf --num-perm 128 --similarity jaccard -t 0.5 --no-pivot)
if [ ! -f "$docs" ]; then
  python3 - "$docs" <<'PY'
import gzip, json, sys
n = 0
with gzip.open("../shared/corpora/saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as f, \
        open(sys.argv[1], "w", encoding="utf-8") as out:
    for line in f:
        r = json.loads(line)
        text = ((r.get("title") or "") + "\n" + (r.get("text") or "")).strip()
        if text:
            out.write(json.dumps({"id": n, "text": text}, ensure_ascii=False) + "\n")
            n += 1
        if n == 10000:
            break
PY
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$runs"); do
  for which in A B; do
    bin=$a; [ $which = B ] && bin=$b
    start=$(date +%s%N)
    "$bin" --threads "$threads" cluster "$docs" -q "${flags[@]}" -o "$out/$which.jsonl"
    echo "$which $(( $(date +%s%N) - start ))"
  done
done | python3 -c '
import statistics, sys
times = {"A": [], "B": []}
for line in sys.stdin:
    which, ns = line.split()
    times[which].append(int(ns) / 1e9)
for which, v in times.items():
    v.sort()
    print(f"{which}: min {v[0]:.3f} s, first quartile {v[len(v) // 4]:.3f} s, median {statistics.median(v):.3f} s ({len(v)} runs)")
'
cmp -s "$out/A.jsonl" "$out/B.jsonl" && echo "same output" || echo "the outputs differ"
