"""The Python package against the same data the Rust tests use (../shared beside the repo)."""

import json
import pathlib
import re
import subprocess
import threading

import pytest

import xdedup

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def jsonl(path):
    if not path.exists():
        pytest.fail(f"{path} not found: the tests need ../shared beside the repository")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_similarity_scores_and_verdict():
    same = xdedup.similarity(
        "South Korea's president apologises to the North",
        "South Korean president apologizes to North Korea",
    )
    assert same["similar"] and same["score"] > 0.4
    assert "north" in same["shared"]
    other = xdedup.similarity("South Korea's president apologises", "Olympic flame arrives in Tokyo")
    assert not other["similar"] and other["score"] < 0.1
    # Arabic diacritics and letter variants are normalized away.
    assert xdedup.similarity("رَئِيسُ كوريا", "رئيس كوريا")["score"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="similarity"):
        xdedup.similarity("a", "b", similarity="euclid")
    # A text with nothing to compare is an error, not a score of 0.
    with pytest.raises(ValueError, match="b: no letter or digit"):
        xdedup.similarity("South Korea", "!!! 🙂")


FREEDICT = pathlib.Path("/usr/share/dictd/freedict-ara-eng.index")


def test_lexicon_links_scripts_in_similarity_and_the_index(tmp_path):
    assert FREEDICT.exists(), "apt-get install dict-freedict-ara-eng"
    en = "NATO chief Mark Rutte says 12,000 North Korean troops are in Russia"
    ar = "الأمين العام لحلف الناتو مارك روته: ١٢ ألف جندي من كوريا الشمالية في روسيا"
    s = xdedup.similarity(en, ar, lexicon=FREEDICT, threshold=0.2)
    assert s["similar"] and s["pivot"] > 0.2 and s["cosine"] < 0.1
    assert ("name", "RT") in s["pivot_shared"] and ("number", "12") in s["pivot_shared"]
    ix = xdedup.Index.create(tmp_path / "ix", lexicon=FREEDICT)
    ix.add([{"id": "en", "text": en}, {"id": "other", "text": "Heavy rain floods Tokyo streets"}])
    del ix
    with pytest.raises(ValueError, match="was created with --lexicon"):
        xdedup.Index.open(tmp_path / "ix")
    ix = xdedup.Index.open(tmp_path / "ix", lexicon=FREEDICT)
    hits = ix.query(ar)
    assert hits and hits[0]["cluster"] == "en"


def test_deduper_finds_the_seed_stories():
    rows = jsonl(SHARED / "seed" / "seed-stories.jsonl")
    stories = xdedup.Deduper().fit(rows)
    assert len(stories) == len(rows)
    by_id = dict(zip((r["id"] for r in rows), stories))
    assert by_id["medvedev-title"] == by_id["medvedev-body"] == by_id["related-02"]
    five = ["related-01", "related-03", "related-04", "related-05", "related-06"]
    apology = {by_id[i] for i in five}
    assert len(apology) == 1
    assert by_id["related-09"] not in apology
    # Story ids are ids of first documents; plain strings are numbered by position.
    assert set(stories) <= set(by_id)
    assert xdedup.Deduper().fit(iter(["a story about rain", "a story about rain", "elections"])) == [0, 0, 2]
    # Frequencies over stories: the Medvedev story and the five apology headlines stay together
    # (related-09 joins them there: the Korea words count once for the apology's five).
    by_story = dict(zip((r["id"] for r in rows), xdedup.Deduper(story_idf=True).fit(rows)))
    for ids in (["medvedev-title", "medvedev-body", "related-02"], five):
        assert len({by_story[i] for i in ids}) == 1
    with pytest.raises(ValueError, match="needs IDF weighting"):
        xdedup.Deduper(story_idf=True, idf=False)


def test_pairs_and_settings():
    texts = ["the central bank raised rates today", "the central bank raised rates", "football results"]
    pairs = xdedup.Deduper(threshold=0.3).pairs(texts)
    assert [(a, b) for a, b, _ in pairs] == [(0, 1)]
    assert all(s >= 0.3 for _, _, s in pairs)
    assert xdedup.Deduper(threshold=0.3).pairs(texts, min_score=0.99) == []
    with pytest.raises(ValueError, match="must be in"):
        xdedup.Deduper().pairs(texts, min_score=2)
    copies = ["the central bank raised rates today", "The Central Bank raised rates today!",
              "the central bank raised rates", "football results"]
    deduper = xdedup.Deduper(threshold=0.3)
    assert [(a, b) for a, b, _ in deduper.pairs(copies)] == [(0, 1), (0, 2)]
    every = deduper.pairs(copies, every_copy=True)
    assert [(a, b) for a, b, _ in every] == [(0, 1), (0, 2), (1, 2)]
    assert every[0][2] == 1.0 and every[1][2] == every[2][2] < 1.0
    with pytest.raises(TypeError, match="item 1"):
        xdedup.Deduper().fit(["ok", 3])
    with pytest.raises(ValueError, match="text"):
        xdedup.Deduper().fit([{"id": 1}])


def test_the_time_window(tmp_path):
    news = [
        {"id": "a", "time": "2024-01-01T08:00:00Z", "text": "Heavy rain floods streets in Jeddah as schools close"},
        {"id": "b", "time": "2024-01-01T20:00:00Z", "text": "Jeddah streets flooded after heavy rain, schools shut"},
        {"id": "c", "time": "2024-01-20T09:00:00Z", "text": "Heavy rain floods Jeddah streets again"},
        {"id": "e", "time": "2024-01-02T09:00:00Z", "text": "Central bank raises interest rates by half a point"},
    ]
    # Two days by default: the report 19 days later is another story; off, or without times, it joins.
    assert xdedup.Deduper().fit(news) == ["a", "a", "c", "e"]
    assert xdedup.Deduper(window="off").fit(news) == ["a", "a", "a", "e"]
    assert xdedup.Deduper(window="3w").fit(news) == ["a", "a", "a", "e"]
    untimed = [{k: v for k, v in d.items() if k != "time"} for d in news]
    assert xdedup.Deduper().fit(untimed) == ["a", "a", "a", "e"]
    assert ("a", "c") not in [(a, b) for a, b, _ in xdedup.Deduper().pairs(news)]
    with pytest.raises(ValueError, match="--window"):
        xdedup.Deduper(window="2 days")
    index = xdedup.Index.create(tmp_path / "ix")
    assert [r["cluster"] for r in index.add(news)] == ["a", "a", "c", "e"]
    again = news[2]["text"]
    assert [h["cluster"] for h in index.query(again, time="2024-01-20T09:00:00Z")] == ["c"]
    assert [h["cluster"] for h in index.query(again)][:2] == ["c", "a"]
    with pytest.raises(ValueError, match="not a date or time"):
        index.query(again, time="yesterday")


def test_index_round_trip(tmp_path):
    rows = jsonl(SHARED / "eval" / "og2021-titles.jsonl")[:600]
    ix = xdedup.Index.create(tmp_path / "ix")
    first = ix.add(rows[:300])
    assert [r["status"] for r in first] == ["added"] * 300
    # Into an empty index, each story's first document is fresh, and only it.
    firsts = {}
    for r in first:
        firsts.setdefault(r["cluster"], r["id"])
    assert [r["id"] for r in first if r["fresh"]] == [r["id"] for r in first if firsts[r["cluster"]] == r["id"]]
    again = ix.add(rows[:10])
    assert [r["status"] for r in again] == ["skipped"] * 10
    assert not any(r["fresh"] for r in again)
    assert not any(r["changed"] for r in again)
    # An id added again with another text (a corrected article) is skipped, and said so.
    edited = ix.add([{"id": rows[3]["id"], "text": rows[3]["text"] + " (updated)"}, rows[4]])
    assert [(r["status"], r["changed"]) for r in edited] == [("skipped", True), ("skipped", False)]
    del ix
    ix = xdedup.Index.open(tmp_path / "ix")
    second = ix.add(rows[300:] + [{"id": "empty", "text": "!!!"}])
    assert second[-1]["status"] == "rejected" and second[-1]["cluster"] is None
    assert ix.stats()["documents"] == 600
    st = ix.stats()
    assert st["settings"]["threshold"] == "0.12" and st["settings"]["linkage"] == "average"
    assert st["shingle"] == "mixed:4" and st["unfinished_add"] is None and st["size_on_disk"] > 0
    hits = ix.query(rows[0]["text"])
    assert hits and hits[0]["score"] == pytest.approx(1.0) and hits[0]["similar"]
    with pytest.raises(ValueError, match="no letter or digit"):
        ix.query("... !!!")
    # A generator is read once, times included: the index keeps them for removal by age.
    third = ix.add({"id": f"g{i}", "text": f"generator story number {i} about rowing", "time": "2000-01-01"} for i in range(3))
    assert [r["status"] for r in third] == ["added"] * 3
    del ix
    binary = ROOT / "target" / "release" / "xdedup"
    assert binary.exists(), "build the command line first (scripts/test.sh runs cargo test before pytest)"
    subprocess.run([binary, "index", "remove", tmp_path / "ix", "--older-than", "2001-01-01", "-q"], check=True)
    ix = xdedup.Index.open(tmp_path / "ix")
    assert ix.stats()["documents"] == 600, "exactly the three dated 2000 went"
    # Removal and export from Python: the ids as add took them (ints stay ints).
    exported = ix.export()
    assert len(exported) == 600 and exported[0]["id"] == rows[0]["id"]
    assert all(e["cluster"] for e in exported)
    out = ix.remove([rows[0]["id"], "no-such-id"])
    assert out == {"removed": 1, "unknown": ["no-such-id"], "unread_times": 0, "untimed": 0}
    assert ix.remove(rows[1]["id"])["removed"] == 1, "one id, not its characters"
    assert ix.stats()["documents"] == 598
    assert {e["id"] for e in ix.export()} == {e["id"] for e in exported[2:]}
    assert ix.remove(older_than="0") == {"removed": 0, "unknown": [], "unread_times": 0, "untimed": 0}, "every time is after 1970"
    assert ix.remove(older_than="9999")["removed"] == 598, "every one of them has a time before the year 9999"
    with pytest.raises(ValueError, match="not a time xdedup reads"):
        ix.remove(older_than="last week")
    assert ix.stats()["documents"] == 0 and ix.export() == []
    # Compaction gives the space back and leaves the index open for more.
    sizes = ix.compact()
    assert 0 < sizes["after"] < sizes["before"], sizes
    assert [r["status"] for r in ix.add(rows[:5])] == ["added"] * 5
    assert ix.stats()["documents"] == 5 and ix.query(rows[0]["text"])[0]["score"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="either ids or older_than"):
        ix.remove()
    with pytest.raises(ValueError, match="not an index"):
        xdedup.Index.open(tmp_path / "nowhere")


def test_the_gil_is_released_while_clustering():
    texts = [r["text"] for r in jsonl(SHARED / "eval" / "og2021-titles.jsonl")] * 2
    done = threading.Event()

    def work():
        xdedup.Deduper().fit(texts)
        done.set()

    t = threading.Thread(target=work)
    ticks = 0
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    # Holding the GIL, the Rust call would leave this loop a handful of turns between switches.
    assert ticks > 100_000, ticks


def test_readme_example_runs_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "README has a python example"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})


def test_a_night_begun_again_after_a_failure_keeps_its_fresh_documents(tmp_path):
    rows = jsonl(SHARED / "eval" / "og2021-titles.jsonl")[:400]
    ix = xdedup.Index.create(tmp_path / "ix")
    assert ix.begin_run(["night-1"]) == {"state": "new"}
    first = ix.add(rows[:200])
    fresh = [r["id"] for r in first if r["fresh"]]
    assert fresh
    del ix  # the night fails here, before end_run
    ix = xdedup.Index.open(tmp_path / "ix")
    assert ix.stats()["unfinished_add"] == ["night-1"]
    assert ix.begin_run(["night-1"]) == {"state": "resumed", "fresh": len(fresh)}
    again = ix.add(rows[:400])
    assert [r["status"] for r in again[:200]] == ["skipped"] * 200
    assert [r["id"] for r in again[:200] if r["fresh"]] == fresh
    ix.end_run()
    assert ix.stats()["unfinished_add"] is None
    # A finished night is not resumed: the next one begins anew, and its skipped are not fresh.
    assert ix.begin_run(["night-1"]) == {"state": "new"}
    assert not any(r["fresh"] for r in ix.add(rows[:10]))
