//! Invariants that must hold for any input.

use proptest::prelude::*;
use xdedup::batch::{self, Entry, Silent};
use xdedup::io::{Input, Item, ReadOptions, read_inputs};
use xdedup::shingle::{Shingle, ShingleSpec};
use xdedup::sketch::{MinHasher, estimate};
use xdedup::verify::{WeightedSet, scores};
use xdedup::weights::Weighting;
use xdedup::{Config, Pipeline};

/// Words from a small vocabulary in two scripts, so random texts overlap.
fn text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "oil",
        "prices",
        "rise",
        "Riyadh",
        "museum",
        "train",
        "rain",
        "النفط",
        "أسعار",
        "الرياض",
        "متحف",
        "قطار",
        "الأمطار",
        "١٢",
        "2024",
        "!",
        "🎉",
        "،",
        "the",
        "of",
    ]);
    prop::collection::vec(words, 0..12).prop_map(|w| w.join(" "))
}

/// A JSON line: mostly good records, some broken ones.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => text().prop_map(|t| serde_json::json!({ "text": t }).to_string()),
        1 => Just("{\"text\": null}".to_string()),
        1 => Just("{not json".to_string()),
        1 => Just("{\"title\": \"no text\"}".to_string()),
        1 => Just("[1, 2]".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The signature agreement estimates weighted Jaccard within its error bound.
    #[test]
    fn minhash_estimate_within_error_bound(
        a in prop::collection::btree_set(0u64..400, 1..200),
        b in prop::collection::btree_set(0u64..400, 1..200),
        seed in any::<u64>(),
    ) {
        let weight = |f: u64| 0.5 + (f % 7) as f32;
        let sa = WeightedSet::new(a.iter().copied().collect(), weight);
        let sb = WeightedSet::new(b.iter().copied().collect(), weight);
        let exact = scores(&sa, &sb).jaccard;
        let k = 512;
        let h = MinHasher::new(k, seed);
        let est = estimate(&h.sketch(sa.features(), |i| sa.weight(i)), &h.sketch(sb.features(), |i| sb.weight(i)));
        // Five standard errors, plus slack for J near 0 or 1.
        let bound = 5.0 * (exact * (1.0 - exact) / k as f64).sqrt() + 0.01;
        prop_assert!((est - exact).abs() <= bound, "estimate {} exact {} bound {}", est, exact, bound);
    }

    /// Every input record is accounted for exactly once: clustered or rejected, in order.
    #[test]
    fn every_record_accounted_for(lines in prop::collection::vec(line(), 0..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        let inputs = [Input::Path(path)];
        let opts = ReadOptions::default();
        let mut read = 0;
        read_inputs(&inputs, &opts, |_| { read += 1; true });
        let b = batch::run(&inputs, &opts, &Pipeline::new(Config::default()), false, &Silent).unwrap();
        prop_assert_eq!(b.entries.len(), read);
        prop_assert_eq!(b.records.len() + b.rejected.len(), read);
        let mut seen_r = vec![false; b.records.len()];
        let mut seen_x = vec![false; b.rejected.len()];
        for e in &b.entries {
            match *e {
                Entry::Record(i) => { prop_assert!(!seen_r[i]); seen_r[i] = true; }
                Entry::Rejected(i) => { prop_assert!(!seen_x[i]); seen_x[i] = true; }
            }
        }
        prop_assert!(seen_r.iter().all(|&s| s) && seen_x.iter().all(|&s| s));
        prop_assert_eq!(b.clustering.story.len(), b.records.len());
        for r in &b.rejected {
            prop_assert!(r.origin.line >= 1 && !r.reason.is_empty());
        }
        // Non-empty lines are the records read.
        prop_assert_eq!(read, lines.iter().filter(|l| !l.trim().is_empty()).count());
    }

    /// The stories do not depend on the number of threads (with frequencies over documents,
    /// and over stories, which clusters twice).
    #[test]
    fn independent_of_thread_count(
        texts in prop::collection::vec(text(), 1..60),
        story_idf: bool,
    ) {
        let p = Pipeline::new(Config::builder().story_idf(story_idf).build().unwrap());
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| p.run(&texts))
        };
        let (one, three) = (run(1), run(3));
        prop_assert_eq!(&one.story, &three.story);
        prop_assert_eq!(&one.representative, &three.representative);
        prop_assert_eq!(one.score_to_rep, three.score_to_rep);
        prop_assert_eq!(one.story.len(), texts.len());
    }
}

/// Story labels are a partition, and items read agree with the reader's own view.
#[test]
fn reader_items_are_records_or_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    std::fs::write(&path, "{\"text\": \"a\"}\n{\"text\": 1}\n").unwrap();
    let mut items = Vec::new();
    read_inputs(&[Input::Path(path)], &ReadOptions::default(), |i| {
        items.push(i);
        true
    });
    assert!(matches!(items[0], Item::Record(_)));
    assert!(matches!(items[1], Item::Rejected(_)));
}

/// Features made while reading (a chunk at a time with each chunk's texts freed, and once the
/// shingles are chosen, by the reader's parse tasks: what a run that reads the texts no more
/// does) give the stories that features made after reading give, across the chunk boundaries
/// and with rejected records among them. Without IDF the parse tasks leave each text's
/// shingles as made, and only the compared ones are sorted into sets: the same stories, edges
/// and scores.
#[test]
fn features_made_while_reading_give_the_same_stories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    let word = |n: u32| -> String {
        let mut h = n.wrapping_mul(2_654_435_761);
        (0..6)
            .map(|_| {
                let c = (b'a' + (h % 26) as u8) as char;
                h = (h / 26) ^ (h.wrapping_mul(0x9E37_79B9) >> 7);
                c
            })
            .collect()
    };
    let mut lines = Vec::new();
    for i in 0..20_000u32 {
        if i % 997 == 0 {
            lines.push(format!("{{\"id\": \"bad{i}\", \"text\": null}}"));
            continue;
        }
        // Groups of three near-identical texts (one word of eight is their own) and, every fourth,
        // a text like no other; every tenth text is the one before again. Each text ends with
        // its first word again.
        let j = if i % 10 == 9 { i - 1 } else { i };
        let mut text: Vec<String> = if j % 4 == 3 {
            (0..8).map(|k| word(1_000_000 + j * 8 + k)).collect()
        } else {
            let g = j / 4;
            (0..8).map(|k| word(if k == j % 4 { 2_000_000 + j } else { g * 8 + k })).collect()
        };
        text.push(text[0].clone());
        lines.push(format!("{{\"id\": \"d{i}\", \"text\": \"{}\"}}", text.join(" ")));
    }
    std::fs::write(&path, lines.join("\n")).unwrap();
    let inputs = [Input::Path(path)];
    // A shingle family given in the settings has the parse tasks make the features from the
    // first record on; the default (chosen on the first texts) from the chunk after them.
    let fixed = ShingleSpec::Fixed(Shingle::Word(3));
    for (weighting, spec) in [
        (Weighting::Idf, ShingleSpec::Auto),
        (Weighting::Uniform, ShingleSpec::Auto),
        (Weighting::Uniform, fixed),
        (Weighting::Idf, fixed),
    ] {
        let cfg = Config::builder().weighting(weighting).shingle(spec).build().unwrap();
        let pipeline = Pipeline::new(cfg).without_pivot();
        let run = |keep_text| {
            let opts = ReadOptions { keep_text, ..ReadOptions::default() };
            batch::run(&inputs, &opts, &pipeline, false, &Silent).unwrap()
        };
        let (streamed, whole) = (run(false), run(true));
        assert!(streamed.records.iter().all(|r| r.text.is_empty()), "texts freed while reading");
        assert!(whole.records.iter().all(|r| !r.text.is_empty()));
        assert_eq!(streamed.rejected.len(), 21);
        assert_eq!(streamed.records.len(), whole.records.len());
        let (s, w) = (&streamed.clustering, &whole.clustering);
        assert_eq!(s.story, w.story, "{weighting:?} {spec:?}");
        assert_eq!(s.score_to_rep, w.score_to_rep, "{weighting:?} {spec:?}");
        let edges = |c: &xdedup::pipeline::Clustering| -> Vec<(u32, u32, f32)> {
            c.edges.iter().map(|e| (e.a, e.b, e.score)).collect()
        };
        assert_eq!(edges(s), edges(w), "{weighting:?} {spec:?}");
        assert_eq!(s.duplicates, w.duplicates, "{weighting:?} {spec:?}");
        assert!(s.stats.stories < streamed.records.len() * 3 / 4, "groups found");
        assert!(s.edges.len() > 1000 && !s.duplicates.is_empty(), "{weighting:?} {spec:?}");
    }
}

proptest! {
    /// The index stores set hashes: one is the xxh3 of the features' little-endian bytes, the
    /// same whether they are hashed at once or fed one by one.
    #[test]
    fn a_set_hash_is_the_xxh3_of_its_features_bytes(f in prop::collection::vec(any::<u64>(), 0..300)) {
        let mut streamed = xxhash_rust::xxh3::Xxh3::new();
        f.iter().for_each(|x| streamed.update(&x.to_le_bytes()));
        prop_assert_eq!(xdedup::pipeline::set_hash(&f), streamed.digest());
    }
}
