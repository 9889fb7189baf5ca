"""The persistent index against datasketch's MinHashLSH, on the same replayed documents.

For each contender: build an index of the archive (time, peak memory, size on disk), add a
10,000-document batch (time, peak memory), and look up 1,000 documents (median and p99 latency
per lookup, measured inside the process so start-up is not counted).

- xdedup with its defaults (IDF-weighted cosine, threshold 0.12, the bands it derives), as a
  nightly user runs it: every batch is verified and clustered into stories, on disk (LMDB);
- xdedup with datasketch's settings (unweighted Jaccard, word 3-grams, the same bands x rows);
- datasketch 2.0.0 MinHashLSH in memory with those bands x rows: signatures and bucket inserts
  only, no verification, no clustering, nothing on disk.

Prints a Markdown table and writes the raw figures to OUT/results.json.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def peak_of(cmd):
    """Seconds and peak RSS (MB) of one command, measured with /usr/bin/time."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.decode()}")
    rss = int(p.stderr.decode().strip().splitlines()[-1]) / 1024
    return dt, rss, p.stdout


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def xdedup(exe, out, name, flags):
    ix = os.path.join(out, f"ix-{name}")
    shutil.rmtree(ix, ignore_errors=True)
    subprocess.run([exe, "-q", "index", "create", ix, *flags], check=True)
    build, build_rss, _ = peak_of([exe, "-q", "index", "add", ix, f"{out}/archive.jsonl", "-o", "/dev/null"])
    size = du(ix)
    batch, batch_rss, _ = peak_of([exe, "-q", "index", "add", ix, f"{out}/batch.jsonl", "-o", "/dev/null"])
    _, _, q = peak_of([exe, "-q", "index", "query", ix, "--file", f"{out}/queries.jsonl", "--top", "5"])
    rows = [json.loads(l) for l in q.decode().splitlines()]
    micros = [r["micros"] for r in rows]
    # Found: a story holding a copy of the same article is among the hits.
    found = sum(
        1
        for r in rows
        if any(
            str(d[0]).split("#")[0] == str(r["id"]).split("#")[0]
            for h in r["hits"]
            for d in h["documents"]
        )
    )
    stats = json.loads(subprocess.run([exe, "index", "stats", ix, "--json"], capture_output=True, check=True).stdout)
    shutil.rmtree(ix, ignore_errors=True)
    return {
        "name": f"xdedup index ({name})",
        "build_s": build,
        "build_rss_mb": build_rss,
        "size_mb": size / 1e6,
        "batch_s": batch,
        "batch_rss_mb": batch_rss,
        "query_median_ms": statistics.median(micros) / 1000,
        "query_p99_ms": pct(micros, 0.99) / 1000,
        "queries_found": found,
        "stories": stats["stories"],
        "bands": dict(stats["settings"])["bands"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--xdedup", required=True)
    ap.add_argument("--python", required=True, help="interpreter with datasketch installed")
    a = ap.parse_args()

    results = []
    results.append(xdedup(a.xdedup, a.out, "defaults", []))
    jac = ["--similarity", "jaccard", "--threshold", "0.5", "--no-idf", "--shingle", "word:3"]
    results.append(xdedup(a.xdedup, a.out, "datasketch settings", jac))
    bands = results[-1]["bands"]
    _, _, ds = peak_of([a.python, os.path.join(os.path.dirname(__file__), "datasketch_lsh.py"), "--dir", a.out, "--bands", bands])
    results.append(json.loads(ds.decode().strip().splitlines()[-1]))

    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    ds = results[-1]
    mine = results[1]
    print("| | build archive | peak memory | size on disk | add 10k batch | batch peak memory | lookup median | lookup p99 | lookups finding their article |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        size = f"{r['size_mb']:.0f} MB" if r['size_mb'] else "(in memory only)"
        print(
            f"| {r['name']} | {r['build_s']:.0f} s | {r['build_rss_mb']:.0f} MB | {size}"
            f" | {r['batch_s']:.1f} s | {r['batch_rss_mb']:.0f} MB | {r['query_median_ms']:.2f} ms"
            f" | {r['query_p99_ms']:.2f} ms | {r['queries_found']} / 1000 |"
        )
    print()
    print(
        f"Same settings ({bands} bands): xdedup / datasketch time ratio: build {mine['build_s'] / ds['build_s']:.2f}, "
        f"batch {mine['batch_s'] / ds['batch_s']:.2f}, median lookup {mine['query_median_ms'] / ds['query_median_ms']:.2f}; "
        f"peak memory ratio {mine['build_rss_mb'] / ds['build_rss_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
