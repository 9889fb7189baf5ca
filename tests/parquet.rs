//! Parquet in and out: the same stories as from JSON Lines, streamed, with clear errors.
#![cfg(feature = "parquet")]

mod util;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use util::{id_of, json_lines, og2021_parquet, shared, stderr, xdedup};
use xdedup::io::parquet::{Kind, Writer, read};

/// id → column `col` of a Parquet output.
fn parquet_column(path: &Path, col: &str) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    read(path, "id", col, None, None, None, &mut |r| {
        let (id, text) = (r.id, r.text);
        let id = match id.expect("id") {
            Value::String(s) => s,
            v => v.to_string(),
        };
        out.insert(id, text.map(str::to_owned));
        true
    })
    .unwrap();
    out
}

#[test]
fn jsonl_and_parquet_runs_give_the_same_stories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let og = shared("eval/og2021-titles.jsonl");
    og2021_parquet(&d.join("og.parquet"));
    let out = xdedup(d, &["cluster", og.to_str().unwrap(), "-o", "a.jsonl", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xdedup(d, &["cluster", "og.parquet", "-o", "b.parquet", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let from_jsonl: BTreeMap<String, Option<String>> =
        json_lines(&std::fs::read(d.join("a.jsonl")).unwrap())
            .iter()
            .map(|r| (id_of(r), r["cluster"].as_str().map(str::to_owned)))
            .collect();
    let from_parquet = parquet_column(&d.join("b.parquet"), "cluster");
    assert_eq!(from_jsonl.len(), 5743);
    assert_eq!(from_parquet, from_jsonl, "identical stories, story names included");
    // Pairs too, and a Parquet output of pairs has one row per pair.
    let out = xdedup(d, &["pairs", "og.parquet", "-o", "p.parquet", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xdedup(d, &["pairs", og.to_str().unwrap(), "-q"], None);
    let pairs = json_lines(&out.stdout);
    let mut n = 0;
    read(&d.join("p.parquet"), "a", "b", None, None, None, &mut |_| {
        n += 1;
        true
    })
    .unwrap();
    assert_eq!(n, pairs.len());
    // The index reads Parquet as it reads JSON Lines; the records of new stories are the rows
    // of the input, with every column, as they are from JSON Lines.
    assert!(xdedup(d, &["index", "create", "ix"], None).status.success());
    let args = ["index", "add", "ix", "og.parquet", "--time-field", "time", "-o", "added.parquet"];
    let out = xdedup(d, &[&args[..], &["-q", "--new", "new.parquet"]].concat(), None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(xdedup(d, &["index", "create", "iy"], None).status.success());
    let args = ["index", "add", "iy", og.to_str().unwrap(), "--time-field", "time", "-o", "y"];
    let out = xdedup(d, &[&args[..], &["-q", "--new", "new.jsonl"]].concat(), None);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut new = Vec::new();
    read(&d.join("new.parquet"), "id", "text", None, Some("time"), Some("lang"), &mut |r| {
        new.push(serde_json::json!({"id": r.id, "text": r.text, "time": r.time, "lang": r.lang}));
        true
    })
    .unwrap();
    let want: Vec<Value> = json_lines(&std::fs::read(d.join("new.jsonl")).unwrap())
        .iter()
        .map(|r| serde_json::json!({"id": r["id"], "text": r["text"], "time": r["time"], "lang": r["lang"]}))
        .collect();
    assert!(want.len() > 900, "one record per story: {}", want.len());
    assert_eq!(new, want);
    assert_eq!(
        parquet_column(&d.join("added.parquet"), "status")
            .values()
            .filter(|s| s.as_deref() == Some("added"))
            .count(),
        5743
    );
}

#[test]
fn bad_parquet_input_gets_clear_errors_and_every_row_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut w = Writer::new(&[("id", Kind::Count), ("body", Kind::Text)]).unwrap();
    w.push(serde_json::json!({"id": 1, "body": "first text about the olympics"})).unwrap();
    w.push(serde_json::json!({"id": 2, "body": null})).unwrap();
    w.push(serde_json::json!({"id": 3, "body": "first text about the olympics!"})).unwrap();
    std::fs::write(d.join("x.parquet"), w.finish().unwrap()).unwrap();
    // No text column: the columns there are named.
    let out = xdedup(d, &["cluster", "x.parquet", "-q"], None);
    let line = json_lines(&out.stdout).remove(0);
    assert!(
        line["rejected"].as_str().unwrap().contains("no column 'text' (columns: id, body)"),
        "{line}"
    );
    // With the right column: the null text is rejected with its row, numeric ids stay numbers.
    let out = xdedup(d, &["cluster", "x.parquet", "--text-field", "body"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[1]["line"], 2);
    assert!(rows[1]["rejected"].as_str().unwrap().contains("null"));
    assert_eq!(rows[0]["cluster"], rows[2]["cluster"]);
    assert!(stderr(&out).contains("x.parquet:2"), "{}", stderr(&out));
    // Not Parquet at all; Parquet from standard input; an output with no Parquet form.
    std::fs::write(d.join("fake.parquet"), b"{\"id\": 1}\n").unwrap();
    let out = xdedup(d, &["cluster", "fake.parquet", "-q"], None);
    assert!(
        json_lines(&out.stdout)[0]["rejected"].as_str().unwrap().contains("not a Parquet file")
    );
    let out = xdedup(d, &["cluster", "-", "--format", "parquet", "-q"], None);
    assert!(
        json_lines(&out.stdout)[0]["rejected"].as_str().unwrap().contains("not standard input")
    );
    // dedup keeps Parquet rows whole; from JSON Lines it refuses before writing anything.
    let out = xdedup(
        d,
        &["dedup", "x.parquet", "--text-field", "body", "-o", "kept.parquet", "-q"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut kept = Vec::new();
    read(&d.join("kept.parquet"), "id", "body", None, None, None, &mut |r| {
        let (id, text) = (r.id, r.text);
        kept.push((id, text.map(str::to_owned)));
        true
    })
    .unwrap();
    assert_eq!(
        kept,
        vec![(Some(Value::from(1)), Some("first text about the olympics".to_owned()))]
    );
    // Parquet known by its other extension, or by --format, is Parquet as well.
    std::fs::copy(d.join("x.parquet"), d.join("x.pq")).unwrap();
    std::fs::copy(d.join("x.parquet"), d.join("x.data")).unwrap();
    for args in [&["x.pq"][..], &["x.data", "--format", "parquet"]] {
        let mut a = vec!["dedup", "--text-field", "body", "-o", "kept.pq.parquet", "-q"];
        a.extend(args);
        let out = xdedup(d, &a, None);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(d.join("kept.pq.parquet")).unwrap(),
            std::fs::read(d.join("kept.parquet")).unwrap()
        );
    }
    // From any other format: refused by the input's name, before the run.
    std::fs::write(d.join("x.jsonl"), "{\"id\": 1, \"text\": \"some text\"}\n").unwrap();
    std::fs::create_dir(d.join("dpf")).unwrap();
    std::fs::write(d.join("dpf").join("a.txt"), "some text").unwrap();
    for args in [&["x.parquet", "x.jsonl"][..], &["dpf", "--doc-per-file"], &["-"]] {
        let mut a = vec!["dedup", "-o", "kept2.parquet", "-q"];
        a.extend(args);
        let out = xdedup(d, &a, Some(b"x\n"));
        assert_eq!(out.status.code(), Some(2));
        let name = args.iter().find(|a| !a.ends_with(".parquet") && !a.starts_with("--")).unwrap();
        assert!(
            stderr(&out).contains(&format!(
                "{name}: dedup writes Parquet (kept2.parquet) only from Parquet inputs"
            )),
            "{}",
            stderr(&out)
        );
        assert!(!d.join("kept2.parquet").exists(), "no half-written output");
    }
}
