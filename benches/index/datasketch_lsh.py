"""datasketch 2.0.0 MinHashLSH on the replayed archive: build, a 10k batch, 1,000 lookups.

Word 3-grams of the lower-cased, whitespace-split text, 128 permutations, the given bands x rows.
Prints one JSON object (the fields bench.py tabulates).
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time

import datasketch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "peers"))
from peers import shingles  # noqa: E402  (the same shingles as the peers table)


def docs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("text", "").strip():
                yield r["id"], r["text"]


def minhash(text):
    m = datasketch.MinHash(num_perm=128, seed=1)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--bands", required=True, help="BxR")
    a = ap.parse_args()
    b, r = (int(x) for x in a.bands.split("x"))
    lsh = datasketch.MinHashLSH(num_perm=128, params=(b, r))

    t = time.perf_counter()
    for id_, text in docs(f"{a.dir}/archive.jsonl"):
        lsh.insert(id_, minhash(text), check_duplication=False)
    build = time.perf_counter() - t
    build_rss = peak_mb()

    t = time.perf_counter()
    for id_, text in docs(f"{a.dir}/batch.jsonl"):
        lsh.insert(id_, minhash(text), check_duplication=False)
    batch = time.perf_counter() - t

    micros, found = [], 0
    for id_, text in docs(f"{a.dir}/queries.jsonl"):
        t = time.perf_counter()
        hits = lsh.query(minhash(text))
        micros.append((time.perf_counter() - t) * 1e6)
        article = id_.split("#")[0]
        found += any(h.split("#")[0] == article for h in hits)
    micros.sort()
    print(
        json.dumps(
            {
                "name": f"datasketch 2.0.0 MinHashLSH ({a.bands}, in memory)",
                "build_s": build,
                "build_rss_mb": build_rss,
                "size_mb": 0,
                "batch_s": batch,
                "batch_rss_mb": peak_mb(),
                "query_median_ms": statistics.median(micros) / 1000,
                "query_p99_ms": micros[min(len(micros) - 1, int(0.99 * len(micros)))] / 1000,
                "queries_found": found,
            }
        )
    )


if __name__ == "__main__":
    main()
