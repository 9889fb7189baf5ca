#!/usr/bin/env bash
# The timely engine's scaling on this machine: SaudiNewsNet replayed with perturbations to N
# documents (benches/index/replay.py), clustered by the local engine and by the timely engine with
# 1 and 2 workers in one process and with 2 processes x 1 worker over loopback TCP; the same
# stories are checked, and the 2-process run prints each stage's time and the bytes it sent.
#
#   benches/distributed/run.sh [N]      # default 100000
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
cargo build --release --quiet
x=$PWD/target/release/xdedup
work=target/bench-distributed
mkdir -p "$work"
data=$work/replay-$n
mkdir -p "$data"
[ -f "$data/archive.jsonl" ] ||
  python3 benches/index/replay.py --corpus ../shared/corpora/saudinewsnet.jsonl.gz --docs "$n" --out "$data"
in=$data/archive.jsonl
printf '%s documents, %s MB\n\n' "$n" "$(( $(stat -c %s "$in") / 1000000 ))"
t() { /usr/bin/time -f '%e %M' -o "$work/time" "$@"; read -r s kb < "$work/time"; echo "$s s, peak RSS $((kb / 1024)) MB"; }
echo "| run | seconds, peak RSS |"
echo "|---|---|"
echo "| local engine, 1 thread | $(t "$x" --threads 1 cluster -q --no-pivot "$in" -o "$work/local1.jsonl") |"
echo "| local engine, 2 threads | $(t "$x" --threads 2 cluster -q --no-pivot "$in" -o "$work/local2.jsonl") |"
echo "| timely, 1 process x 1 worker | $(t "$x" --threads 1 cluster -q --no-pivot --engine timely -w 1 "$in" -o "$work/w1.jsonl") |"
echo "| timely, 1 process x 2 workers | $(t "$x" --threads 2 cluster -q --no-pivot --engine timely -w 2 "$in" -o "$work/w2.jsonl") |"
printf '127.0.0.1:24301\n127.0.0.1:24302\n' > "$work/hosts"
# (timely prints its connection progress on standard output: not part of the table)
"$x" --threads 1 cluster -q --no-pivot --engine timely -n 2 -p 1 -h "$work/hosts" "$in" -o "$work/p2.jsonl" >/dev/null 2>&1 &
echo "| timely, 2 processes x 1 worker (loopback) | $(t "$x" --threads 1 cluster -q --no-pivot --engine timely -n 2 -p 0 -h "$work/hosts" "$in" -o "$work/p2.jsonl" 2>/dev/null >/dev/null; cat "$work/time" | awk '{printf "%s s, peak RSS %d MB", $1, $2/1024}') |"
wait
for f in local2 w1; do
  cmp -s "$work/local1.jsonl" "$work/$f.jsonl" && echo "$f: identical to the local run" || echo "$f: differs from the local run (in sampled buckets: see the README)"
done
for f in w2 p2; do
  cmp -s "$work/w1.jsonl" "$work/$f.jsonl" && echo "$f: identical to the 1-worker timely run" || echo "$f: DIFFERS from the 1-worker timely run"
done
echo
echo "Stage costs, 2 processes x 1 worker (seconds: the slower worker; records and bytes: sent to the other worker):"
"$x" --threads 1 cluster --no-pivot --engine timely --stage-costs -n 2 -p 1 -h "$work/hosts" "$in" -o "$work/p2.jsonl" >/dev/null 2>&1 &
"$x" --threads 1 cluster --no-pivot --engine timely --stage-costs -n 2 -p 0 -h "$work/hosts" "$in" -o "$work/p2.jsonl" >/dev/null
wait
