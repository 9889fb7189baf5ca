//! Per-stage and whole-run throughput on real Arabic news (`../shared/corpora/saudinewsnet`).
//!
//! `cargo bench --bench pipeline`; the figures go into BENCHMARKS.md. Each stage runs on the same
//! fixed sample (the first `SAMPLE` articles) and asserts on its result so nothing is optimized
//! away or silently broken.

use std::io::BufRead;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xdedup::candidates::candidate_pairs;
use xdedup::cluster::average_link;
use xdedup::io::{Input, Item, ReadOptions, read_inputs};
use xdedup::shingle::{Scratch, Shingle, shingle_into};
use xdedup::sketch::{MinHasher, SketchScratch};
use xdedup::text::{Normalized, Normalizer};
use xdedup::verify::scores;
use xdedup::{Config, Pipeline};

const SAMPLE: usize = 2000;

fn articles(n: usize) -> Vec<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/saudinewsnet.jsonl.gz");
    let file = std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the benchmarks need ../shared)", path.display()));
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    reader
        .lines()
        .take(n)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("readable")).expect("JSON");
            format!("{}\n{}", v["title"].as_str().unwrap_or(""), v["text"].as_str().unwrap_or(""))
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let texts = articles(SAMPLE);
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let norm = Normalizer::default();
    let shingle = Shingle::Word(3);
    let pipeline = Pipeline::new(Config::builder().threshold(0.5).build().expect("valid"));

    // Stage 1, reading: the sample as JSON Lines (an id, a title, the text and a field that
    // is not read), parsed into records. Its throughput is counted in the file's bytes.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let jsonl = dir.path().join("sample.jsonl");
    let (mut lines, mut want) = (String::new(), 0);
    for (i, t) in texts.iter().enumerate() {
        let (title, text) = t.split_once('\n').unwrap_or(("", t));
        let line = serde_json::json!({ "id": i, "title": title, "text": text, "url": "x" });
        lines += &format!("{line}\n");
        // A record's text is its title, a newline and its text, or its text alone; a blank
        // one is rejected.
        let full = if title.trim().is_empty() { text } else { t };
        want += if full.trim().is_empty() { 0 } else { full.len() };
    }
    std::fs::write(&jsonl, &lines).expect("written");
    let read = ReadOptions { title_field: Some("title".into()), ..ReadOptions::default() };
    let mut g = c.benchmark_group("stage");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(lines.len() as u64));
    g.bench_function("read JSON Lines", |b| {
        let inputs = [Input::Path(jsonl.clone())];
        b.iter(|| {
            let mut got = 0;
            read_inputs(&inputs, &read, |item| {
                if let Item::Record(r) = item {
                    got += r.text.len();
                }
                true
            });
            assert_eq!(got, want);
        })
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("normalize", |b| {
        let mut out = Normalized::default();
        b.iter(|| {
            let mut tokens = 0;
            for t in &texts {
                norm.normalize_into(t, &mut out);
                tokens += out.len();
            }
            assert!(tokens > 100 * SAMPLE);
        })
    });
    let normalized: Vec<Normalized> = texts.iter().map(|t| norm.normalize(t)).collect();
    g.bench_function("shingle word:3", |b| {
        let (mut s, mut out) = (Scratch::default(), Vec::new());
        b.iter(|| {
            let mut n = 0;
            for t in &normalized {
                shingle_into(t, shingle, &mut s, &mut out);
                n += out.len();
            }
            assert!(n > 0);
        })
    });
    let features = pipeline.features(&texts, shingle);
    let prepared = pipeline.prepare(shingle, features);
    g.bench_function("sketch 128 weighted", |b| {
        let h = MinHasher::new(128, 1);
        let mut scratch = SketchScratch::default();
        let mut out = vec![0u32; 128];
        b.iter(|| {
            for s in &prepared.sets {
                h.sketch_into(s.features(), |i| s.weight(i), &mut scratch, &mut out);
            }
            assert!(out.iter().any(|&x| x != 0));
        })
    });
    g.bench_function("sketch 128 uniform", |b| {
        let h = MinHasher::new(128, 1);
        let mut scratch = SketchScratch::default();
        let mut out = vec![0u32; 128];
        b.iter(|| {
            for s in &prepared.sets {
                h.sketch_uniform_into(s.features(), |_| false, &mut scratch, &mut out);
            }
            assert!(out.iter().any(|&x| x != 0));
        })
    });
    let sigs = pipeline.signatures(&prepared);
    g.bench_function("band + candidates", |b| {
        b.iter(|| {
            let (pairs, stats) = candidate_pairs(&pipeline.config().lsh(), &sigs, 200);
            assert_eq!(pairs.len() as u64, stats.pairs);
        })
    });
    let (pairs, _) = candidate_pairs(&pipeline.config().lsh(), &sigs, 200);
    g.bench_function("verify", |b| {
        b.iter(|| {
            let n = pairs
                .iter()
                .filter(|&&(a, c)| {
                    scores(&prepared.sets[a as usize], &prepared.sets[c as usize]).cosine > 0.5
                })
                .count();
            assert!(n <= pairs.len());
        })
    });
    let edges: Vec<(u32, u32, f32)> = pairs
        .iter()
        .map(|&(a, c)| {
            (a, c, scores(&prepared.sets[a as usize], &prepared.sets[c as usize]).cosine as f32)
        })
        .collect();
    let sizes: Vec<u32> = prepared.members.iter().map(|m| m.len() as u32).collect();
    g.bench_function("cluster", |b| {
        b.iter(|| {
            let labels = average_link(&sizes, &edges, 0.5);
            assert_eq!(labels.len(), sizes.len());
        })
    });
    g.finish();

    let mut g = c.benchmark_group("whole run");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("texts to stories (auto shingles)", |b| {
        let p = Pipeline::new(Config::default());
        b.iter(|| {
            let r = p.run(&texts);
            assert!(r.stats.stories > 0 && r.stats.stories <= SAMPLE);
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
