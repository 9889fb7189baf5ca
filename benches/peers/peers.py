"""Side-by-side timing of xdedup and the MinHash tools people use today.

Same documents (title + text of the first N articles of saudinewsnet), same shingles (word
3-grams of the lower-cased, whitespace-split text for the peers; xdedup's own normalization and
word 3-grams), 128 permutations, unweighted Jaccard, LSH threshold 0.5, single thread.

Peers get their input already tokenized in memory (tokenizing is timed separately); xdedup reads
a plain JSONL file from disk and includes parsing, normalization and writing its output.
"""

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def load(path, n):
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            text = ((r.get("title") or "") + "\n" + (r.get("text") or "")).strip()
            if text:
                docs.append(text)
            if len(docs) == n:
                break
    return docs


def shingles(text):
    words = text.lower().split()
    if len(words) < 3:
        return [" ".join(words)]
    return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--xdedup", required=True)
    ap.add_argument("--corpus", required=True)
    a = ap.parse_args()

    docs = load(a.corpus, a.docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    rows = []

    t_tok, toks = timed(lambda: [shingles(d) for d in docs])
    rows.append(("Python lower+split word 3-grams (tokenizing only)", t_tok))

    import datasketch
    import gaoya
    import rensa

    # datasketch is slow: time a sample and scale.
    k = min(len(docs), 2000)

    def ds():
        sigs = []
        for s in toks[:k]:
            m = datasketch.MinHash(num_perm=128, seed=1)
            m.update_batch([x.encode("utf-8") for x in s])
            sigs.append(m)
        return sigs

    t_ds, _ = timed(ds)
    rows.append((f"datasketch 2.0.0 MinHash.update_batch (signatures; {k} docs, scaled)", t_ds * len(docs) / k))

    def rs():
        sigs = []
        for s in toks:
            m = rensa.RMinHash(num_perm=128, seed=1)
            m.update(s)
            sigs.append(m)
        return sigs

    t_rs, rsigs = timed(rs)
    rows.append(("rensa 0.5.0 RMinHash.update (signatures)", t_rs))

    def rs_pipeline():
        sigs = [shingles(d) for d in docs]
        ms = []
        for s in sigs:
            m = rensa.RMinHash(num_perm=128, seed=1)
            m.update(s)
            ms.append(m)
        lsh = rensa.RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)
        for i, m in enumerate(ms):
            lsh.insert(i, m)
        parent = list(range(len(ms)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for i, m in enumerate(ms):
            for j in lsh.query(m):
                if j != i and ms[i].jaccard(ms[j]) >= 0.5:
                    parent[find(i)] = find(j)
        return len({find(i) for i in range(len(ms))})

    t_rp, n_rp = timed(rs_pipeline)
    rows.append((f"Python tokenize + rensa + RMinHashLSH + verify + union-find (whole; {n_rp} clusters)", t_rp))

    def gy():
        idx = gaoya.minhash.MinHashStringIndex(
            hash_size=32, jaccard_threshold=0.5, num_bands=16, band_size=8,
            analyzer="word", lowercase=True, ngram_range=(3, 3))
        for i, d in enumerate(docs):
            idx.insert_document(i, d)
        return idx

    t_gy, _ = timed(gy)
    rows.append(("gaoya 0.2.2 MinHashStringIndex insert (its own word 3-grams + signatures + LSH)", t_gy))

    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "docs.jsonl")
        with open(inp, "w", encoding="utf-8") as f:
            for i, d in enumerate(docs):
                f.write(json.dumps({"id": i, "text": d}, ensure_ascii=False) + "\n")
        for threads in (1, 2):
            # The peers' job: word 3-gram MinHash, no IDF, Jaccard 0.5, no cross-script pivot
            # stage (they have none; its cost is measured apart in BENCHMARKS.md).
            cmd = [a.xdedup, "cluster", inp, "--threads", str(threads), "--shingle", "word:3",
                   "--no-idf", "--num-perm", "128", "--similarity", "jaccard", "-t", "0.5", "-q",
                   "--no-pivot",
                   "-o", os.path.join(tmp, "out.jsonl")]
            t_x, _ = timed(lambda: subprocess.run(cmd, check=True))
            with open(os.path.join(tmp, "out.jsonl")) as f:
                stories = len({json.loads(l)["cluster"] for l in f})
            rows.append((f"xdedup cluster, {threads} thread(s) (whole: read, normalize, sketch, LSH, verify, average link; {stories} stories)", t_x))
        cmd = [a.xdedup, "cluster", inp, "--threads", "1", "-q", "-o", os.path.join(tmp, "out.jsonl")]
        t_d, _ = timed(lambda: subprocess.run(cmd, check=True))
        rows.append(("xdedup cluster, 1 thread, its defaults (IDF, cosine, t=0.12)", t_d))

    print(f"{len(docs)} documents, {mb:.1f} MB of text, peak RSS of the Python side "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB\n")
    print("| tool and stage | seconds | docs/s | MB/s |")
    print("|---|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} | {len(docs) / t:,.0f} | {mb / t:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
