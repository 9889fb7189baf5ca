"""Duplicate recall of a `cluster` output over a replayed archive (benches/index/replay.py).

A copy's id is `ORIGINAL#k` with k >= 1, the original's `ORIGINAL#0`. Prints the share of copies
whose story is their original's, and the counts, as `0.9876 (12345 of 12500 copies)`.
"""

import json
import sys


def main(path):
    story = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "cluster" in r:
                story[str(r["id"])] = r["cluster"]
    copies = together = 0
    for id_, s in story.items():
        base, _, k = id_.rpartition("#")
        if k == "0" or not base:
            continue
        original = story.get(base + "#0")
        if original is None:
            continue  # the original was rejected (empty text)
        copies += 1
        together += original == s
    print(f"{together / max(copies, 1):.4f} ({together} of {copies} copies)")


if __name__ == "__main__":
    main(sys.argv[1])
