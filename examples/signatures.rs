//! Times two loops over the same texts, one thread, for `benches/peers/run.sh`:
//!
//! - **signatures**: xdedup's signatures from raw text: normalization, word 3-grams (hashed, in
//!   text order: a signature needs them neither sorted nor without repeats) and a 128-slot
//!   MinHash with uniform weights (what the pipeline does without IDF), the peers' settings;
//! - **limit**: the plain loop the issue calls the practical limit: lowercase the text, split it
//!   on white space, hash each word (xxh3) and each run of three word hashes.
//!
//! ```sh
//! cargo run --release --example signatures -- DOCS.jsonl [ROUNDS]
//! ```
//!
//! `DOCS.jsonl` has one `{"text": …}` per line. Each loop runs `ROUNDS` times (default 3), the
//! two alternating, and the fastest round of each is printed as one JSON line.

use std::time::Instant;

use xdedup::shingle::{Scratch, Shingle, shingles_into};
use xdedup::sketch::{MinHasher, SketchScratch};
use xdedup::text::{Normalized, Normalizer};
use xxhash_rust::xxh3::xxh3_64;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: signatures DOCS.jsonl [ROUNDS]")?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(3);
    let mut texts = Vec::new();
    for (i, line) in std::fs::read_to_string(&path)?.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v["text"].as_str().ok_or_else(|| format!("{path}:{}: no text", i + 1))?;
        texts.push(text.to_owned());
    }
    let bytes: usize = texts.iter().map(String::len).sum();

    let (mut best_sig, mut best_limit) = (f64::INFINITY, f64::INFINITY);
    let (mut check_sig, mut check_limit) = (0u64, 0u64);
    for _ in 0..rounds {
        let t = Instant::now();
        check_sig = signatures(&texts);
        best_sig = best_sig.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        check_limit = limit(&texts);
        best_limit = best_limit.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({
            "docs": texts.len(),
            "bytes": bytes,
            "signatures_seconds": best_sig,
            "limit_seconds": best_limit,
            "checksums": [check_sig, check_limit],
        })
    );
    Ok(())
}

/// Normalize, shingle and sketch every text; returns a checksum of the signatures.
fn signatures(texts: &[String]) -> u64 {
    let normalizer = Normalizer::default();
    let hasher = MinHasher::new(128, 1);
    let (mut norm, mut scratch, mut features) =
        (Normalized::default(), Scratch::default(), Vec::new());
    let mut sketch = SketchScratch::default();
    let mut sig = vec![0u32; 128];
    let mut check = 0u64;
    for t in texts {
        normalizer.normalize_into(t, &mut norm);
        shingles_into(&norm, Shingle::Word(3), &mut scratch, &mut features);
        hasher.sketch_uniform_into(&features, |_| false, &mut sketch, &mut sig);
        check = check.wrapping_add(u64::from(sig[0]));
    }
    check
}

/// Lowercase, split on white space, hash words and word 3-grams; returns a checksum.
fn limit(texts: &[String]) -> u64 {
    let mut check = 0u64;
    for t in texts {
        let lower = t.to_lowercase();
        let (mut a, mut b) = (0u64, 0u64);
        for w in lower.split_whitespace() {
            let h = xxh3_64(w.as_bytes());
            check = check.wrapping_add(a.rotate_left(2) ^ b.rotate_left(1) ^ h);
            (a, b) = (b, h);
        }
    }
    check
}
