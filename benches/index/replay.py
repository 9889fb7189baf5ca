"""Scales SaudiNewsNet up by replaying it with perturbations, for the index benchmark.

Each replay of an article drops about 5% of its words, replaces about 2% with another word of the
same article and shifts its time by one day per replay: a near-duplicate, as wire copies
reprinted by other papers are. Writes three JSON Lines files (id, time, text):

  archive.jsonl   the first N documents (originals, then replay 1, replay 2, ...)
  batch.jsonl     10,000 new documents: further replays, not in the archive
  queries.jsonl   1,000 documents to look up: other replays, not added anywhere

Deterministic for a given seed.
"""

import argparse
import datetime
import gzip
import json
import random


def perturb(words, rng):
    out = []
    for w in words:
        r = rng.random()
        if r < 0.05:
            continue
        out.append(rng.choice(words) if r < 0.07 else w)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    base = []
    with gzip.open(a.corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            text = (r.get("text") or "").strip()
            if text:
                base.append((r["id"], r.get("time") or "2015-01-01 00:00:00", text.split()))
    rng = random.Random(a.seed)

    def doc(i, replay, days=None):
        id_, time, words = base[i]
        days = replay if days is None else days
        t = datetime.datetime.fromisoformat(time) + datetime.timedelta(days=days)
        text = " ".join(words if replay == 0 else perturb(words, rng))
        return {"id": f"{id_}#{replay}", "time": t.isoformat(sep=" "), "text": text}

    def write(name, rows):
        with open(f"{a.out}/{name}", "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

    n = len(base)
    replays = -(-a.docs // n)
    write("archive.jsonl", (doc(k % n, k // n) for k in range(a.docs)))
    pick = random.Random(a.seed + 1)
    # Replay numbers past the archive's keep every id distinct.
    write("batch.jsonl", (doc(pick.randrange(n), replays + 1 + j, replays + 1) for j in range(10_000)))
    write("queries.jsonl", (doc(pick.randrange(n), replays + 20_000 + j, replays + 2) for j in range(1_000)))


if __name__ == "__main__":
    main()
