//! The command line, run as a user would, in a temporary directory.

mod util;

use std::collections::BTreeMap;
use std::io::Write;

use util::{groups, id_of, id_text_lines, json_lines, root, shared, stderr, xdedup};

fn sample() -> String {
    root().join("corpus/sample.jsonl").display().to_string()
}

/// Gold groups of a labelled JSONL file.
fn gold_groups(path: &std::path::Path) -> Vec<Vec<String>> {
    let rows = json_lines(&std::fs::read(path).unwrap());
    groups(&rows)
}

#[test]
fn cluster_sample_matches_its_labels_and_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(dir.path(), &["cluster", &sample(), "-o", "stories.jsonl"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let rows = json_lines(&std::fs::read(dir.path().join("stories.jsonl")).unwrap());
    let input = json_lines(&std::fs::read(sample()).unwrap());
    // One line per input document, in input order.
    let ids: Vec<String> = rows.iter().map(id_of).collect();
    let want: Vec<String> = input.iter().map(id_of).collect();
    assert_eq!(ids, want);
    for r in &rows {
        assert!(
            r["cluster"].is_string() && r["representative"].is_boolean() && r["score"].is_number()
        );
    }
    assert_eq!(groups(&rows), gold_groups(&root().join("corpus/sample.jsonl")));
    // The summary accounts for every record.
    assert!(
        stderr(&out).contains("28 records read: 28 documents in 13 stories"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn seed_stories_apology_and_medvedev() {
    let dir = tempfile::tempdir().unwrap();
    let seed = shared("seed/seed-stories.jsonl");
    let out = xdedup(dir.path(), &["cluster", seed.to_str().unwrap(), "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    let story: BTreeMap<String, String> =
        rows.iter().map(|r| (id_of(r), r["cluster"].as_str().unwrap().to_owned())).collect();
    let members = |s: &str| -> Vec<&str> {
        let mut v: Vec<&str> =
            story.iter().filter(|(_, c)| *c == s).map(|(i, _)| i.as_str()).collect();
        v.sort();
        v
    };
    // medvedev-title, medvedev-body and related-02 form one story, and nothing else joins it.
    assert_eq!(
        members(&story["medvedev-title"]),
        ["medvedev-body", "medvedev-title", "related-02"]
    );
    // The five apology headlines form one story: related-01 has the apology as a verb
    // (`يعتذر`, read as the noun `اعتذار`) after a lead clause about martial law (`..`, read
    // for its main clause). related-09 (a different story sharing most of its words) stays
    // out, and so does everything else.
    assert_eq!(
        members(&story["related-03"]),
        ["related-01", "related-03", "related-04", "related-05", "related-06"]
    );
    assert_ne!(story["related-09"], story["related-03"]);
}

#[test]
fn bad_records_are_reported_and_every_record_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad =
        b"{\"id\": \"a\", \"text\": \"Oil prices rise after producers agree to cuts\"}\n".to_vec();
    bad.extend_from_slice(b"{\"id\": \"b\", \"text\": null}\n");
    bad.extend_from_slice(b"{broken\n");
    bad.extend_from_slice(b"{\"id\": \"c\", \"text\": \"\xd8\xb3\xd9\"}\n");
    bad.extend_from_slice(b"{\"id\": \"d\", \"text\": \"!!! \xf0\x9f\x8e\x89\"}\n");
    bad.extend_from_slice(
        b"{\"id\": \"e\", \"text\": \"Oil prices rise after producers agree to output cuts\"}\n",
    );
    std::fs::write(dir.path().join("bad.jsonl"), &bad).unwrap();
    let out = xdedup(dir.path(), &["cluster", "bad.jsonl", "--rejects", "rej.jsonl"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 6, "one line per input record");
    let err = stderr(&out);
    assert!(err.contains("bad.jsonl:2: document b: text field 'text' is null"), "{err}");
    assert!(err.contains("bad.jsonl:3: malformed JSON"), "{err}");
    assert!(err.contains("bad.jsonl:4: document c: invalid UTF-8"), "{err}");
    assert!(err.contains("bad.jsonl:5: document d: no letter or digit"), "{err}");
    assert!(err.contains("6 records read: 2 documents in 1 story"), "{err}");
    assert!(err.contains("4 rejected"), "{err}");
    assert_eq!(rows[0]["cluster"], rows[5]["cluster"]);
    assert!(rows[1]["cluster"].is_null() && rows[1]["rejected"].is_string());
    assert_eq!(rows[2]["line"], 3);
    let rej = json_lines(&std::fs::read(dir.path().join("rej.jsonl")).unwrap());
    assert_eq!(rej.len(), 4);

    // --strict stops at the first bad record, naming it, with status 2 and no output file.
    let out = xdedup(dir.path(), &["cluster", "bad.jsonl", "--strict", "-o", "x.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.jsonl:2: document b: text field 'text' is null"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("x.jsonl").exists());
}

#[test]
fn compressed_csv_text_and_stdin_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Oil prices rise after producers agree to extend output cuts\n\
                Oil prices climb as producers agree to extend output cuts\n\
                New museum of Islamic art opens in Riyadh\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.path().join("news.txt.gz"), gz.finish().unwrap()).unwrap();
    let out = xdedup(dir.path(), &["cluster", "news.txt.gz", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let g = groups(&json_lines(&out.stdout));
    assert_eq!(g, vec![vec!["1".to_string(), "2".into()], vec!["3".into()]]);

    let csv = "id,headline\nx,\"Oil prices rise, producers agree to extend output cuts\"\ny,Oil prices climb as producers agree to extend output cuts\n";
    std::fs::write(dir.path().join("news.csv"), csv).unwrap();
    let out = xdedup(dir.path(), &["cluster", "news.csv", "--text-field", "headline", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(groups(&json_lines(&out.stdout)), vec![vec!["x".to_string(), "y".into()]]);

    // A spreadsheet's `;` export, and dedup writing it back as it was read (its quotes kept,
    // though the comma needs none there).
    let semi = csv.replace("id,headline", "id;headline").replace("x,", "x;").replace("y,", "y;");
    std::fs::write(dir.path().join("semi.csv"), &semi).unwrap();
    let args = ["semi.csv", "--text-field", "headline", "--delimiter", ";", "-q"];
    let out = xdedup(dir.path(), &[&["cluster"][..], &args].concat(), None);
    assert_eq!(groups(&json_lines(&out.stdout)), vec![vec!["x".to_string(), "y".into()]]);
    let out = xdedup(dir.path(), &[&["dedup"][..], &args].concat(), None);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "id;headline\nx;\"Oil prices rise, producers agree to extend output cuts\"\n"
    );
    let out = xdedup(dir.path(), &["cluster", "semi.csv", "--delimiter", "\"", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a quote or a line break cannot separate fields"));

    let out = xdedup(dir.path(), &["cluster", "-", "-q"], Some(text.as_bytes()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&out.stdout).len(), 3);

    // zstd, detected by content whatever the name.
    let zst = ruzstd::encoding::compress_to_vec(
        text.as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    std::fs::write(dir.path().join("news.txt.zst"), zst).unwrap();
    let out = xdedup(dir.path(), &["cluster", "news.txt.zst", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        groups(&json_lines(&out.stdout)),
        vec![vec!["1".to_string(), "2".into()], vec!["3".into()]]
    );

    // A JSON array of objects, gzipped, from standard input too; dedup writes JSON Lines.
    let rows: Vec<serde_json::Value> = text
        .lines()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("j{i}"), "text": t}))
        .collect();
    let array = serde_json::to_string_pretty(&rows).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(array.as_bytes()).unwrap();
    std::fs::write(dir.path().join("news.json.gz"), gz.finish().unwrap()).unwrap();
    for (args, stdin) in [(["news.json.gz"], None), (["-"], Some(array.as_bytes()))] {
        let out = xdedup(dir.path(), &[&["cluster", "-q"][..], &args].concat(), stdin);
        assert!(out.status.success(), "{}", stderr(&out));
        let g = groups(&json_lines(&out.stdout));
        assert_eq!(g, vec![vec!["j0".to_string(), "j1".into()], vec!["j2".into()]]);
    }
    let out = xdedup(dir.path(), &["dedup", "news.json.gz", "-q"], None);
    let kept = json_lines(&out.stdout);
    assert_eq!(kept, [rows[0].clone(), rows[2].clone()]);

    // One document per file under a directory; ids are relative paths.
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    for (i, line) in text.lines().enumerate() {
        let name = if i == 2 { docs.join("sub/c.txt") } else { docs.join(format!("{i}.txt")) };
        std::fs::write(name, line).unwrap();
    }
    let out = xdedup(dir.path(), &["cluster", "docs", "--doc-per-file", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        groups(&json_lines(&out.stdout)),
        vec![vec!["0.txt".to_string(), "1.txt".into()], vec!["sub/c.txt".into()]]
    );
    // The same folder under version control, copied from a Mac, with a link back up the tree
    // and one to a folder already read: each file once, hidden files and folders left out (the
    // loop read every file forty times; `.git` gave its objects as documents).
    std::fs::create_dir_all(docs.join(".git/objects/ab")).unwrap();
    std::fs::write(docs.join(".git/objects/ab/cdef"), b"x\x9c\xcb\x48\xcd\xc9").unwrap();
    std::fs::write(docs.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(docs.join("sub/.DS_Store"), b"\0\0\0\x01Bud1").unwrap();
    std::os::unix::fs::symlink("..", docs.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("sub", docs.join("also-sub")).unwrap();
    let out = xdedup(dir.path(), &["cluster", "docs", "--doc-per-file"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 records read: 3 documents in 2 stories"), "{}", stderr(&out));
    let ids: Vec<String> = json_lines(&out.stdout).iter().map(id_of).collect();
    assert_eq!(ids, ["0.txt", "1.txt", "sub/c.txt"], "each file once, under its own path");
    // A folder that holds only hidden files is empty, and said to be.
    std::fs::create_dir_all(dir.path().join("dots/.cache")).unwrap();
    std::fs::write(dir.path().join("dots/.cache/x"), "Oil prices rise").unwrap();
    let out = xdedup(dir.path(), &["cluster", "dots", "--doc-per-file"], None);
    assert!(stderr(&out).contains("warning: dots: no file in the folder"), "{}", stderr(&out));
}

/// `dedup` of a table writes each kept row as it was read: a spreadsheet's export that quotes
/// every field, with doubled quotes and a line break inside a field, comes back with the same
/// bytes a row (what `grep -Fxf kept.csv export.csv` checks), under its byte order mark (which
/// tells a spreadsheet the file is UTF-8), records ending in CR LF as its header row does. A
/// second input whose header row names the same columns without quotes adds its rows under the
/// first's, with the first's line ending.
#[test]
fn dedup_writes_table_rows_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let export = concat!(
        "\u{FEFF}\"id\",\"title\",\"text\"\r\n",
        "\"1\",\"Oil\",\"Oil prices rise after producers agree to extend output cuts\"\r\n",
        "\"2\",\"Oil\",\"Oil prices rise after producers agree to extend the output cuts\"\r\n",
        "\"3\",\"Quote\",\"The minister said \"\"no\"\" to the plan,\r\nthen left\"\r\n",
    );
    std::fs::write(d.join("export.csv"), export).unwrap();
    std::fs::write(d.join("more.csv"), "id,title,text\n4,Wheat,\"Wheat harvest, hit\"\n").unwrap();
    let want = concat!(
        "\u{FEFF}\"id\",\"title\",\"text\"\r\n",
        "\"1\",\"Oil\",\"Oil prices rise after producers agree to extend output cuts\"\r\n",
        "\"3\",\"Quote\",\"The minister said \"\"no\"\" to the plan,\r\nthen left\"\r\n",
        "4,Wheat,\"Wheat harvest, hit\"\r\n",
    );
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        let args = [&["dedup", "export.csv", "more.csv", "-q"][..], engine].concat();
        let out = xdedup(d, &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{engine:?}");
    }
    // A table in UTF-16 (a spreadsheet's "Unicode text") is written in UTF-8, under a BOM.
    let utf16: Vec<u8> =
        "\u{FEFF}id\ttext\n1\tOil up\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(d.join("unicode.tsv"), utf16).unwrap();
    let out = xdedup(d, &["dedup", "unicode.tsv", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "\u{FEFF}id\ttext\n1\tOil up\n");
    // Without a BOM, none is written, and rows end in LF as the header row does.
    std::fs::write(d.join("plain.csv"), "id,text\n1,\"Oil\r\nup\"\n").unwrap();
    let out = xdedup(d, &["dedup", "plain.csv", "-q"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "id,text\n1,\"Oil\r\nup\"\n");
    // JSON and text lines keep their own ends: CR LF where they had it, LF where not.
    let lines = concat!(
        "{\"id\": 1, \"text\": \"Oil prices rise after producers agree to extend output cuts\"}\r\n",
        "{\"id\": 2, \"text\": \"Oil prices rise after producers agree to extend the output cuts\"}\r\n",
        "{\"id\": 3, \"text\": \"Wheat harvest hit by drought\"}\n",
        "{\"id\": 4, \"text\": \"Museum returns stolen paintings\"}\r\n",
    );
    let kept: Vec<&str> = lines.split_inclusive('\n').collect();
    let texts: String = lines
        .lines()
        .map(|l| format!("{}\r\n", &l[l.find(": \"").unwrap() + 3..l.len() - 2]))
        .collect();
    std::fs::write(d.join("windows.jsonl"), lines).unwrap();
    std::fs::write(d.join("windows.txt"), &texts).unwrap();
    let want_text: String = texts
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| format!("{l}\r\n"))
        .collect();
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        let out = xdedup(d, &[&["dedup", "windows.jsonl", "-q"][..], engine].concat(), None);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), [kept[0], kept[2], kept[3]].concat());
        let out = xdedup(d, &[&["dedup", "windows.txt", "-q"][..], engine].concat(), None);
        assert_eq!(String::from_utf8_lossy(&out.stdout), want_text, "{engine:?}");
    }
}

/// An output named `.csv` or `.tsv` (or `.csv.gz`) is a table of the JSON lines' fields, on
/// either engine, rejected records' rows included; `dedup` writes one only from tables, and
/// refuses before the run an input it knows is not one.
#[test]
fn outputs_named_csv_or_tsv_are_tables_of_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bad = "{\"id\": \"x\", \"body\": \"no text\"}\n{\"id\": \"y\", \"text\": \"A \\\"quoted\\\", split text\"}\n";
    std::fs::write(d.join("bad.jsonl"), bad).unwrap();
    let ok = |args: &[&str]| {
        let out = xdedup(d, args, None);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    // The table's rows, as the JSON lines' fields in the header's order.
    let table = |name: &str, delimiter: u8| -> Vec<Vec<String>> {
        let bytes = xdedup::io::Input::Path(d.join(name)).read_text(None).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(bytes.as_bytes());
        r.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
    };
    let as_table = |lines: &[serde_json::Value], names: &[String]| -> Vec<Vec<String>> {
        let cell = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let rows = lines.iter().map(|l| names.iter().map(|n| cell(&l[n])).collect());
        std::iter::once(names.to_vec()).chain(rows).collect()
    };
    let sample = sample();
    let json = json_lines(&ok(&["cluster", &sample, "bad.jsonl", "-q"]).stdout);
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        ok(&[&["cluster", &sample, "bad.jsonl", "-o", "s.csv", "-q"][..], engine].concat());
        let rows = table("s.csv", b',');
        assert_eq!(rows[0][..5], ["id", "cluster", "representative", "score", "size"]);
        assert_eq!(rows, as_table(&json, &rows[0]), "{engine:?}");
        assert_eq!(rows.len(), 31);
    }
    let pairs = json_lines(&ok(&["pairs", &sample, "-q"]).stdout);
    ok(&["pairs", &sample, "-o", "p.tsv.gz", "-q"]);
    let rows = table("p.tsv.gz", b'\t');
    assert_eq!(rows[0], ["a", "b", "score"]);
    assert_eq!(rows, as_table(&pairs, &rows[0]));
    ok(&["cluster", &sample, "bad.jsonl", "--rejects", "r.csv", "-o", "s.jsonl", "-q"]);
    assert_eq!(
        table("r.csv", b','),
        [
            ["id", "cluster", "rejected", "file", "line"],
            ["x", "", "missing text field 'text' (fields: body, id)", "bad.jsonl", "1"]
        ]
    );
    let out = xdedup(d, &["dedup", &sample, "-o", "kept.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("dedup writes a table (kept.csv) only from CSV or TSV inputs"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("kept.csv").exists());
    // Nor does a table's row make a JSON line.
    std::fs::write(d.join("news.csv"), "id,text\n1,Gold climbs\n").unwrap();
    let out = xdedup(d, &["dedup", "news.csv", "-o", "kept.jsonl.gz"], None);
    assert_eq!(out.status.code(), Some(2));
    let want = "news.csv: dedup writes JSON lines (kept.jsonl.gz) only from inputs other than CSV \
                or TSV, their rows as they were; name the output .csv";
    assert!(stderr(&out).contains(want), "{}", stderr(&out));
}

#[test]
fn dedup_keeps_one_original_record_per_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(
        dir.path(),
        &["dedup", &sample(), "-o", "unique.jsonl", "--keep", "longest", "-q"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let kept = std::fs::read_to_string(dir.path().join("unique.jsonl")).unwrap();
    let input = std::fs::read_to_string(sample()).unwrap();
    assert_eq!(kept.lines().count(), 13);
    // Records are written exactly as read.
    for line in kept.lines() {
        assert!(input.lines().any(|l| l == line), "{line}");
    }
    assert!(kept.contains("\"en-oil-2\""), "the longest oil headline is kept: {kept}");

    // --keep earliest by a time field, times compared as moments whatever their form (as text,
    // `2024-05-02` and `1714600000` sort before `Wed, …`); then times that are not read;
    // records without a time last.
    let news = "{\"id\": \"a\", \"t\": \"2024-05-02\", \"text\": \"Oil prices rise after producers agree to extend output cuts\"}\n\
                {\"id\": \"b\", \"t\": \"Wed, 01 May 2024 10:00:00 GMT\", \"text\": \"Oil prices rise after producers agree to extend the output cuts\"}\n\
                {\"id\": \"c\", \"text\": \"Oil prices rise after producers agree to extend output cuts again\"}\n\
                {\"id\": \"d\", \"t\": \"01/05/2024\", \"text\": \"Oil prices rise after the producers agree to extend output cuts\"}\n\
                {\"id\": \"e\", \"t\": 1714600000, \"text\": \"Oil prices rise after producers agree to extend output cuts\"}\n";
    std::fs::write(dir.path().join("t.jsonl"), news).unwrap();
    let earliest = |lines: &[&str]| {
        std::fs::write(dir.path().join("t.jsonl"), lines.join("\n")).unwrap();
        let args = ["dedup", "t.jsonl", "--time-field", "t", "--keep", "earliest"];
        let out = xdedup(dir.path(), &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        let kept = json_lines(&out.stdout);
        assert_eq!(kept.len(), 1, "{kept:?}");
        (kept[0]["id"].as_str().unwrap().to_owned(), stderr(&out))
    };
    let all: Vec<&str> = news.lines().collect();
    let (kept, err) = earliest(&all);
    assert_eq!(kept, "b");
    assert!(
        err.contains(
            "warning: 1 document's time is not a date or time xdedup reads (the first: \
                      t.jsonl:4, document d: \"01/05/2024\")"
        ),
        "{err}"
    );
    assert_eq!(earliest(&[all[0], all[2], all[3], all[4]]).0, "e", "seconds since 1970");
    assert_eq!(earliest(&[all[2], all[3]]).0, "d", "a time not read, before none");
    // A Hijri date (Umm al-Qura) is a moment too: 22 Shawwal 1445 is 1 May 2024, at midnight
    // before `b`'s ten o'clock, and 23 Shawwal after it.
    let hijri = |day: &str| {
        all[2].replace("\"id\": \"c\",", &format!("\"id\": \"f\", \"t\": \"{day} شوال 1445 هـ\","))
    };
    assert_eq!(earliest(&[all[0], all[1], &hijri("22")]).0, "f");
    assert_eq!(earliest(&[all[0], all[1], &hijri("23")]).0, "b");
    // A date whose day and month could be either is read as --day-first or --month-first say
    // (a copy of `a`'s text, so one story however far apart the two dates are read).
    let either = all[3]
        .replace("01/05/2024", "03/05/2024")
        .replace("after the producers", "after producers");
    std::fs::write(dir.path().join("t.jsonl"), [all[0], &either].join("\n")).unwrap();
    for (order, kept) in [("--day-first", "a"), ("--month-first", "d")] {
        let args = ["dedup", "t.jsonl", "--time-field", "t", "--keep", "earliest", order];
        let out = xdedup(dir.path(), &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(json_lines(&out.stdout)[0]["id"], kept, "{order}");
        assert!(!stderr(&out).contains("not a date or time"), "{}", stderr(&out));
    }
    let out = xdedup(dir.path(), &["dedup", "t.jsonl", "--keep", "earliest", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--keep earliest needs --time-field"));

    let csv = "id,text\n1,Oil prices rise after producers agree to extend output cuts\n2,Oil prices rise after producers agree to extend the output cuts\n";
    std::fs::write(dir.path().join("n.csv"), csv).unwrap();
    let out = xdedup(dir.path(), &["dedup", "n.csv", "-q"], None);
    let kept = "id,text\n1,Oil prices rise after producers agree to extend output cuts\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), kept);
    // The same rows from standard input keep their header row too, and a second input with the
    // same header adds rows, not a second header.
    let out = xdedup(dir.path(), &["dedup", "-", "--format", "csv", "-q"], Some(csv.as_bytes()));
    assert_eq!(String::from_utf8_lossy(&out.stdout), kept, "{}", stderr(&out));
    std::fs::write(dir.path().join("m.csv"), "id,text\n3,Wheat harvest hit by drought\n").unwrap();
    let out = xdedup(dir.path(), &["dedup", "n.csv", "m.csv", "-q"], None);
    let both = format!("{kept}3,Wheat harvest hit by drought\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), both, "{}", stderr(&out));
    // Inputs with different columns would put rows under the wrong header: refused, nothing
    // written.
    std::fs::write(dir.path().join("w.csv"), "id,text,url\n4,Wheat harvest hit,http://x\n")
        .unwrap();
    let out = xdedup(dir.path(), &["dedup", "n.csv", "w.csv", "-o", "kept.csv", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("w.csv: its header row (id,text,url) is not that of n.csv (id,text)"),
        "{err}"
    );
    assert!(!dir.path().join("kept.csv").exists());
    // So would JSON lines among the rows: refused by name before the run for a table output,
    // once read for any other.
    let out = xdedup(dir.path(), &["dedup", "n.csv", "t.jsonl", "-o", "kept.csv", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("t.jsonl: dedup writes a table (kept.csv) only from CSV or TSV"), "{err}");
    assert!(!dir.path().join("kept.csv").exists());
    let out = xdedup(dir.path(), &["dedup", "n.csv", "t.jsonl", "-o", "kept.out", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("t.jsonl: not CSV or TSV, unlike n.csv"), "{err}");
    assert!(!dir.path().join("kept.out").exists());
}

#[test]
fn pairs_lists_verified_edges() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(dir.path(), &["pairs", &sample(), "--min-score", "0.3", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    assert!(!rows.is_empty());
    for r in &rows {
        let s = r["score"].as_f64().unwrap();
        assert!((0.3..=1.0).contains(&s), "{r}");
        assert!(r["a"].is_string() && r["b"].is_string());
    }
    assert!(rows.iter().any(|r| r["a"] == "en-flood-1" && r["b"] == "en-flood-2"));
    // A minimum outside [0, 1] is refused (over 1, copies' score 1 would still pass it), a
    // negative one by the same message, not clap's "unexpected argument '-1'".
    for bad in ["2", "-1"] {
        let out = xdedup(dir.path(), &["pairs", &sample(), "--min-score", bad], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains(&format!("--min-score {bad}: must be in [0, 1]")),
            "{}",
            stderr(&out)
        );
    }
    let out = xdedup(dir.path(), &["cluster", &sample(), "-t", "-0.5"], None);
    assert!(stderr(&out).contains("--threshold -0.5: must be in (0, 1]"), "{}", stderr(&out));
    // A size limit of 0 cut every text to nothing (each then rejected as having no letter),
    // and 0 bands were said to exceed the slots.
    for (args, said) in [
        (["--max-doc-bytes", "0"], "invalid value '0' for '--max-doc-bytes"),
        (["--bands", "0x4"], "--bands 0x4: needs at least one band of one row"),
    ] {
        let out = xdedup(dir.path(), &[&["cluster", &sample()][..], &args].concat(), None);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(said), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

/// An output, rejects file or report that cannot be created stops the command before it reads
/// anything, not after the whole run, and names the path and why.
#[test]
fn an_output_that_cannot_be_created_fails_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    for (flag, path, why) in [
        ("-o", "folder", "folder: cannot create: it is a directory"),
        ("-o", "missing/out.jsonl", "cannot create: its folder missing does not exist"),
        ("--rejects", "folder", "folder: cannot create: it is a directory"),
        ("--report", "missing/r.html", "missing/r.html: cannot create: its folder missing"),
    ] {
        let out = xdedup(dir.path(), &["cluster", &sample(), flag, path], None);
        assert_eq!(out.status.code(), Some(2), "{flag} {path}");
        let err = stderr(&out);
        assert!(err.contains(why), "{flag} {path}: {err}");
        assert!(!err.contains("records read"), "{flag} {path}: the run went ahead: {err}");
    }
    let out = xdedup(dir.path(), &["dedup", &sample(), "-o", "folder"], None);
    assert!(stderr(&out).contains("folder: cannot create: it is a directory"), "{}", stderr(&out));
    assert!(!dir.path().join("missing").exists());
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["folder"], "no temporary file left behind");
}

/// Copies (the same text after normalization) pair with their group's first document unless
/// `--every-copy` asks for each pair among them and with their near-duplicates.
#[test]
fn pairs_every_copy_lists_the_pairs_of_copies() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("copies.jsonl");
    let rows = [
        ("a", "The minister resigned on Monday after the vote in parliament"),
        ("b", "THE MINISTER resigned on Monday after the vote in parliament!"),
        ("c", "The minister resigned on Monday after a vote in parliament"),
        ("d", "the minister resigned on monday after the vote in parliament"),
        ("e", "Football results from the weekend league games"),
    ];
    std::fs::write(&input, id_text_lines(&rows)).unwrap();
    let pairs = |extra: &[&str]| {
        let mut args = vec!["pairs", input.to_str().unwrap(), "--min-score", "0.3", "-q"];
        args.extend(extra);
        let out = xdedup(dir.path(), &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        json_lines(&out.stdout)
            .iter()
            .map(|r| {
                let score = r["score"].as_f64().unwrap();
                (r["a"].as_str().unwrap().to_string(), r["b"].as_str().unwrap().to_string(), score)
            })
            .collect::<Vec<_>>()
    };
    let named = |ps: &[(String, String, f64)]| -> Vec<(String, String)> {
        ps.iter().map(|(a, b, _)| (a.clone(), b.clone())).collect()
    };
    let own = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    let first = pairs(&[]);
    assert_eq!(named(&first), own(&[("a", "b"), ("a", "d"), ("a", "c")]));
    let every = pairs(&["--every-copy"]);
    assert_eq!(
        named(&every),
        own(&[("a", "b"), ("a", "d"), ("b", "d"), ("a", "c"), ("b", "c"), ("c", "d")])
    );
    // Each copy's pair with `c` has the score of the first document's.
    let score_ac = first[2].2;
    assert!(score_ac < 1.0);
    assert!(every[3..].iter().all(|p| p.2 == score_ac), "{every:?}");
}

/// Han and Kana, one token a character: as a bag of characters, `上海发生地震` (an earthquake in
/// Shanghai) and `海上发生地震` (at sea) were copies of each other, and so were `かぎ` (a key)
/// and `かき` (an oyster), the voicing mark dropped. Pairs of characters in a row and the kept
/// mark tell them apart; the same text is still a copy.
#[test]
fn han_order_and_kana_voicing_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        ("0", "上海发生地震"),
        ("1", "海上发生地震"),
        ("2", "かぎをなくした"),
        ("3", "かきをなくした"),
        ("4", "上海发生地震"),
    ];
    std::fs::write(dir.path().join("cjk.jsonl"), id_text_lines(&rows)).unwrap();
    let out = xdedup(dir.path(), &["cluster", "cjk.jsonl"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let scores: Vec<f64> =
        json_lines(&out.stdout).iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores[1] < 0.9 && scores[3] < 0.9, "{scores:?}");
    assert_eq!(scores[4], 1.0, "{scores:?}");
}

/// `corpus/cjk.jsonl`, each language clustered alone and all three together, gives its labelled
/// stories: Korean re-wordings whose particles differ (`대통령이` / `대통령은`), Chinese
/// headlines that share characters but no words kept apart. One known miss: `上海发生地震` and `海上发生地震 无海啸预警`
/// (Shanghai, at sea) share every word but one, and are one story.
#[test]
fn cjk_sample_stories_by_language() {
    let dir = tempfile::tempdir().unwrap();
    let rows = json_lines(&std::fs::read(root().join("corpus/cjk.jsonl")).unwrap());
    // Each language alone, then all three in one file (Korean does not count as Chinese when
    // the weights are made, so the stories stay the same).
    for lang in ["zho", "jpn", "kor", "all"] {
        let mine: Vec<&serde_json::Value> =
            rows.iter().filter(|r| lang == "all" || r["lang"] == lang).collect();
        let text: String = mine.iter().map(|r| r.to_string() + "\n").collect();
        std::fs::write(dir.path().join("in.jsonl"), text).unwrap();
        let out = xdedup(dir.path(), &["cluster", "in.jsonl"], None);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut want: Vec<serde_json::Value> = mine.into_iter().cloned().collect();
        for r in &mut want {
            if r["id"] == "zh-11" {
                r["cluster"] = "zh-quake-sh".into();
            }
        }
        assert_eq!(groups(&json_lines(&out.stdout)), groups(&want), "{lang}");
    }
}

/// `corpus/thai.jsonl` under word 3-grams (what long texts get): Thai keeps spaces between
/// phrases only, and the reworded copy, a word changed in each phrase, shared no 3 phrases in a
/// row with its original; read in windows of about three words, the two are one story, and
/// another flood in other words stays apart.
#[test]
fn thai_articles_under_word_grams() {
    let dir = tempfile::tempdir().unwrap();
    let gold = root().join("corpus/thai.jsonl");
    let out = xdedup(dir.path(), &["cluster", gold.to_str().unwrap(), "--shingle", "word:3"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let want = json_lines(&std::fs::read(&gold).unwrap());
    assert_eq!(groups(&json_lines(&out.stdout)), groups(&want));
    assert_eq!(groups(&want).len(), 3);
}

#[test]
fn similar_exit_codes_and_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let a = "South Korea's president apologises to the North";
    let b = "South Korean president apologizes to North Korea";
    let out = xdedup(dir.path(), &["similar", a, b, "--explain"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("similar: cosine"), "{text}");
    assert!(text.contains("[president]"), "{text}");
    let out = xdedup(dir.path(), &["similar", a, "Olympic flame arrives in Tokyo"], None);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(dir.path().join("b.txt"), b).unwrap();
    let out = xdedup(dir.path(), &["similar", a, "@b.txt", "--json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["similar"], true);
    // A file is read as inputs are: compressed, or in another encoding named.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&encoding_rs::WINDOWS_1256.encode("رئيس كوريا الجنوبية يعتذر").0).unwrap();
    std::fs::write(dir.path().join("ar.txt.gz"), gz.finish().unwrap()).unwrap();
    let ar = ["similar", "@ar.txt.gz", "رئيس كوريا الجنوبية يعتذر"];
    let out = xdedup(dir.path(), &ar, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ar.txt.gz: cannot read: invalid UTF-8 at byte 1"),
        "{}",
        stderr(&out)
    );
    let out = xdedup(dir.path(), &[&ar[..], &["--encoding", "windows-1256"]].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A file named without its `@` is not compared as the text of its name.
    let out = xdedup(dir.path(), &["similar", "b.txt", a], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("b.txt: names a file, and a text is taken as it is written: @b.txt"),
        "{}",
        stderr(&out)
    );
    let out = xdedup(dir.path(), &["similar", a, "@missing.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.txt: cannot read"), "{}", stderr(&out));
    // Nothing to compare is an error naming the text, not a verdict.
    let out = xdedup(dir.path(), &["similar", "", ""], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("text A: no letter or digit"), "{}", stderr(&out));
    std::fs::write(dir.path().join("emoji.txt"), "⚡️ 🙂 !!").unwrap();
    let out = xdedup(dir.path(), &["similar", a, "@emoji.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("emoji.txt: no letter or digit"), "{}", stderr(&out));
    let out = xdedup(dir.path(), &["similar", a, b, "--threshold", "7"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--threshold"), "{}", stderr(&out));
    // Flags for collections are shown (shared with `cluster`) but named when they do nothing;
    // the verdict is the same.
    let out = xdedup(dir.path(), &["similar", a, b, "--window", "3d", "--linkage", "single"], None);
    assert_eq!(out.status.code(), Some(0));
    let want = "warning: --linkage, --window do nothing to two texts compared on their own";
    assert!(stderr(&out).contains(want), "{}", stderr(&out));
    let out = xdedup(dir.path(), &["similar", a, b, "--num-perm", "256"], None);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let og = shared("eval/og2021-titles.jsonl");
    let og = og.to_str().unwrap();
    let one = xdedup(dir.path(), &["cluster", og, "--threads", "1", "-q"], None);
    let two = xdedup(dir.path(), &["cluster", og, "--threads", "2", "-q"], None);
    let eight = xdedup(dir.path(), &["cluster", og, "--threads", "8", "-q"], None);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, eight.stdout);
    assert_eq!(json_lines(&one.stdout).len(), 5743);
}

#[test]
fn eval_scores_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(dir.path(), &["eval", "--gold", &sample(), "--json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["per_lang"]["ara"]["ari"], 1.0);
    assert_eq!(v["per_lang"]["eng"]["ari"], 1.0);
    assert!(v["overall"]["ari"].as_f64().unwrap() > 0.9);
}

/// A gold file kept as a table (CSV, or TSV gzipped) scores as the same records in JSON Lines
/// do; an empty label in it is named, not taken as a story.
#[test]
fn eval_reads_gold_tables_and_compressed_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let docs: Vec<serde_json::Value> = std::fs::read_to_string(sample())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let table = |delimiter: u8| {
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
        w.write_record(["id", "text", "cluster", "lang"]).unwrap();
        for v in &docs {
            let cell = |k: &str| v[k].as_str().map_or_else(|| v[k].to_string(), str::to_owned);
            w.write_record([cell("id"), cell("text"), cell("cluster"), cell("lang")]).unwrap();
        }
        w.into_inner().unwrap()
    };
    std::fs::write(d.join("gold.csv"), table(b',')).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &table(b'\t')).unwrap();
    std::fs::write(d.join("gold.tsv.gz"), gz.finish().unwrap()).unwrap();
    let report = |gold: &str| {
        let out = xdedup(d, &["eval", "--gold", gold, "--json"], None);
        assert!(out.status.success(), "{gold}: {}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let want = report(&sample());
    assert_eq!(want["per_lang"]["ara"]["ari"], 1.0);
    assert_eq!(report("gold.csv"), want);
    assert_eq!(report("gold.tsv.gz"), want);
    std::fs::write(d.join("bad.csv"), "id,text,cluster\n1,Oil up,s1\n2,Gold down,\n").unwrap();
    let out = xdedup(d, &["eval", "--gold", "bad.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    let want = "bad.csv:3: document \"2\": not a gold record: \"cluster\" is \"\"";
    assert!(stderr(&out).contains(want), "{}", stderr(&out));
}

/// `eval --sweep` scores each threshold as a whole run at it would score: its row at a
/// threshold is the plain `eval -t` of that threshold, and the row with the best ARI is marked.
#[test]
fn eval_sweeps_thresholds_as_runs_at_each_would_score() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gold = sample();
    let json = |args: &[&str]| {
        let out = xdedup(d, &[&["eval", "--gold", &gold, "--json"][..], args].concat(), None);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let rows = json(&["--sweep", "0.05,0.12,0.9"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, t) in rows.iter().zip(["0.05", "0.12", "0.9"]) {
        assert_eq!(row["threshold"].to_string(), t);
        let alone = json(&["-t", t]);
        assert_eq!(row["ari"], alone["overall"]["ari"], "{t}");
        assert_eq!(row["predicted_clusters"], alone["overall"]["predicted_clusters"], "{t}");
    }
    // At 0.9 only copies merge: more stories than at 0.12.
    assert!(rows[2]["predicted_clusters"].as_u64() > rows[1]["predicted_clusters"].as_u64());
    let out = xdedup(d, &["eval", "--gold", &gold, "--sweep", "0.12,0.9"], None);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    let marked: Vec<&str> = table.lines().filter(|l| l.ends_with("<- best ARI")).collect();
    assert_eq!(marked.len(), 1, "{table}");
    assert!(marked[0].starts_with("0.12 "), "{table}");
    // Refused: a threshold out of range, with -t, and for graded pairs.
    for (args, why) in [
        (&["--sweep", "0.1,1.5"][..], "a threshold is a number over 0 and at most 1"),
        (&["--sweep", "0.1", "-t", "0.2"], "cannot be used with"),
    ] {
        let out = xdedup(d, &[&["eval", "--gold", &gold][..], args].concat(), None);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(why), "{}", stderr(&out));
    }
    std::fs::write(d.join("pairs.jsonl"), "{\"a\":\"x y\",\"b\":\"x z\",\"score\":1}\n").unwrap();
    let out = xdedup(d, &["eval", "--gold", "pairs.jsonl", "--sweep", "0.1"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--sweep is for clustered documents"), "{}", stderr(&out));
}

#[test]
fn eval_names_the_line_of_a_gold_file_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    for (content, expected) in [
        ("{\"id\":1,\"text\":\"a b\"}\n", "g.jsonl:1: document 1: not a gold record: neither"),
        (
            "{\"a\":\"x\",\"b\":\"y\",\"score\":1}\n{\"a\":\"p\",\"b\":\"q\"}\n",
            "g.jsonl:2: not a gold record: missing field `score`",
        ),
        (
            "{\"a\":\"x\",\"b\":\"y\",\"score\":1}\n{\"id\":2,\"text\":\"t\",\"cluster\":\"c\"}\n",
            "mixes clustered records",
        ),
        ("{\"a\":\"x\",\n", "g.jsonl:1: not JSON"),
        (
            "{\"a\":\"x\",\"b\":\"y\",\"score\":\"high\"}\n",
            "g.jsonl:1: not a gold record: \"score\" is \"high\": a grade is a number",
        ),
        (
            "{\"id\":1,\"text\":\"a\",\"cluster\":\"s\"}\n{\"id\":2,\"text\":\"b\",\"cluster\":null}\n",
            "g.jsonl:2: document 2: not a gold record: \"cluster\" is null: a label is a string or a number",
        ),
    ] {
        std::fs::write(dir.path().join("g.jsonl"), content).unwrap();
        let out = xdedup(dir.path(), &["eval", "--gold", "g.jsonl"], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(expected), "{content}: {}", stderr(&out));
    }
    // A grade written as a string that holds a number (a spreadsheet's export) is that number:
    // the same correlation as the grades written as numbers.
    let texts = [
        ("Gold climbs for a third day", "Gold climbs for the third day"),
        ("Gold climbs for a third day", "Gold prices climb again"),
        ("Gold climbs for a third day", "Oil falls as stocks rise"),
    ];
    let mut spearman = Vec::new();
    for quote in ["", "\""] {
        let lines: String = texts
            .iter()
            .zip(["5", "3.5", " 0 "])
            .map(|((a, b), g)| {
                format!("{{\"a\":\"{a}\",\"b\":\"{b}\",\"score\":{quote}{g}{quote}}}\n")
            })
            .collect();
        std::fs::write(dir.path().join("g.jsonl"), lines).unwrap();
        let out = xdedup(dir.path(), &["eval", "--gold", "g.jsonl", "--json"], None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        spearman.push(v["spearman"].clone());
    }
    assert!(spearman[0].as_f64().is_some_and(|r| r > 0.9), "{spearman:?}");
    assert_eq!(spearman[0], spearman[1]);
    // A file that is not there is named once, its cause once.
    let out = xdedup(dir.path(), &["eval", "--gold", "none.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).trim(), "xdedup: none.jsonl: No such file or directory (os error 2)");
}

#[test]
fn closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let og = shared("eval/og2021-titles.jsonl");
    // `xdedup ARGS | reader` in bash, with the pipeline's status xdedup's.
    let piped = |args: &str, reader: &str| {
        let bin = env!("CARGO_BIN_EXE_xdedup");
        let cmd = format!("set -o pipefail; '{bin}' {args} '{}' -q | {reader}", og.display());
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .env_remove("XDEDUP_MODEL")
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args}: {}", stderr(&out));
        out
    };
    let out = piped("cluster", "head -n 1");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    // The evaluation's table too (it printed with a panic on a closed pipe).
    piped("eval --lang ara --gold", "true");
}

#[test]
fn write_errors_are_not_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        panic!("/dev/full is needed to simulate a full disk");
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xdedup"))
        .env_remove("XDEDUP_MODEL")
        .args(["cluster", &sample(), "-q"])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("standard output: cannot write"), "{}", stderr(&out));

    // A device named with -o is written in place, not replaced by a renamed temporary file
    // (which once turned this machine's /dev/null into a plain file full of build output).
    let out = xdedup(dir.path(), &["cluster", &sample(), "-q", "-o", "/dev/full"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/dev/full: cannot write"), "{}", stderr(&out));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/full").unwrap().file_type().is_char_device());
    let out = xdedup(dir.path(), &["cluster", &sample(), "-q", "-o", "/dev/null"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn utf16_nul_bytes_bidi_and_crlf_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Oil prices rise after producers agree to extend output cuts\r\n\
                Oil\u{0} prices rise after producers agree to extend output cuts\r\n\
                \u{202B}أسعار النفط ترتفع\u{202C}\r\n";
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(dir.path().join("news.txt"), utf16).unwrap();
    let out = xdedup(dir.path(), &["cluster", "news.txt", "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["cluster"], rows[1]["cluster"], "a NUL byte separates words like a space");
    assert_ne!(rows[0]["cluster"], rows[2]["cluster"]);
}

/// The output contract, byte for byte: a change to normalization, shingles, weights, signatures
/// or clustering that moves any story or score on the sample shows up here. If the change is
/// intended, regenerate with `xdedup cluster corpus/sample.jsonl -q > tests/golden/sample-cluster.jsonl`
/// and say why in the commit.
#[test]
fn golden_sample_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(dir.path(), &["cluster", &sample(), "-q"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let golden = std::fs::read_to_string(root().join("tests/golden/sample-cluster.jsonl")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), golden);
}

/// Without `--report` (and without a stage that reads texts again) `cluster` frees each text
/// as soon as its features are made; the stories must not change.
#[test]
fn freeing_texts_early_changes_no_story() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for settings in
        [vec!["--no-pivot"], vec!["--no-pivot", "--shingle", "word:3", "--no-idf"], vec![]]
    {
        let input = sample();
        let run = |extra: &[&str]| {
            let mut args = vec!["cluster", input.as_str(), "-q"];
            args.extend(&settings);
            args.extend(extra);
            let out = xdedup(d, &args, None);
            assert!(out.status.success(), "{}", stderr(&out));
            out.stdout
        };
        let freed = run(&[]);
        let kept = run(&["--report", "r.html"]);
        assert!(!freed.is_empty());
        assert_eq!(String::from_utf8_lossy(&freed), String::from_utf8_lossy(&kept), "{settings:?}");
    }
}

#[test]
fn completions_and_man_pages_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let commands =
        ["cluster", "dedup", "pairs", "similar", "eval", "embed", "index", "completions", "man"];
    for shell in ["bash", "zsh", "fish"] {
        let out = xdedup(dir.path(), &["completions", shell], None);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for c in commands {
            assert!(text.contains(c), "{shell} completions lack {c}");
        }
        assert!(text.contains("--threshold"), "{shell}: flags are completed too");
    }
    let out = xdedup(dir.path(), &["man"], None);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH xdedup 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    let man_dir = dir.path().join("man1");
    std::fs::create_dir(&man_dir).unwrap();
    assert!(
        xdedup(dir.path(), &["man", "--dir", man_dir.to_str().unwrap()], None).status.success()
    );
    for c in commands {
        let sub = std::fs::read_to_string(man_dir.join(format!("xdedup-{c}.1"))).unwrap();
        assert!(sub.contains(&format!(".TH xdedup-{c} 1")), "{c}");
    }
    assert!(
        std::fs::read_to_string(man_dir.join("xdedup.1")).unwrap().contains("xdedup\\-cluster")
    );
}

/// An output that is one of the inputs, by any path to the same file, is refused before
/// anything is read: it is moved into place once the inputs are read, and would replace them.
#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let news = "{\"id\": 1, \"text\": \"Gold climbs\", \"cluster\": \"g\"}\n";
    std::fs::write(d.join("news.jsonl"), news).unwrap();
    std::fs::hard_link(d.join("news.jsonl"), d.join("link.jsonl")).unwrap();
    let runs: [&[&str]; 5] = [
        &["cluster", "news.jsonl", "-o", "./news.jsonl"],
        &["dedup", "news.jsonl", "-o", "kept.jsonl", "--rejects", "link.jsonl"],
        &["cluster", "news.jsonl", "--report", "news.jsonl"],
        &["pairs", "other.jsonl", "news.jsonl", "-o", "news.jsonl"],
        &["eval", "--gold", "news.jsonl", "--predictions", "link.jsonl"],
    ];
    for args in runs {
        let out = xdedup(d, args, None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("news.jsonl, which the output would replace"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(d.join("news.jsonl")).unwrap(), news, "{args:?}");
    }
    assert!(!d.join("kept.jsonl").exists());
    // Another file is written as ever.
    let out = xdedup(d, &["cluster", "news.jsonl", "-o", "stories.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A field an option names (a title, a time, an id other than `id`) that the first record of a
/// JSON Lines file lacks is named in a warning before the run (a typo read the file without
/// titles, its ids line numbers, without a word); a CSV without such a column is refused.
#[test]
fn a_named_field_missing_from_the_first_record_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let news = "{\"id\": \"a\", \"title\": \"Gold\", \"text\": \"Gold climbs\"}\n{\"id\": \"b\", \"text\": \"Oil falls\"}\n";
    std::fs::write(d.join("news.jsonl"), news).unwrap();
    std::fs::write(d.join("news.csv"), "id,text\na,Gold climbs\n").unwrap();
    let run = |args: &[&str]| {
        let out = xdedup(d, args, None);
        (out.status.code(), stderr(&out))
    };
    let (code, err) = run(&["cluster", "news.jsonl", "--title-field", "titel", "--id-field", "ID"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "xdedup: warning: news.jsonl: its first record has no field --id-field 'ID', nor \
             --title-field 'titel' (fields: id, text, title)"
        ),
        "{err}"
    );
    let (code, err) = run(&["cluster", "news.jsonl", "--title-field", "title"]);
    assert_eq!(code, Some(0));
    assert!(!err.contains("first record"), "{err}");
    let (_, err) = run(&["cluster", "news.jsonl", "--title-field", "titel", "-q"]);
    assert!(err.is_empty(), "{err}");
    let (code, err) = run(&["cluster", "news.csv", "--title-field", "titel"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("news.csv:0: no column 'titel' for --title-field (columns: id, text)"),
        "{err}"
    );
}

#[test]
fn records_without_a_named_field_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A title missing, null and blank; a time missing and empty; an id missing and null.
    let news = [
        r#"{"id": "a", "title": "Gold", "text": "Gold climbs", "at": "2024-05-01"}"#,
        r#"{"id": "b", "text": "Oil falls", "at": "2024-05-02"}"#,
        r#"{"title": null, "text": "Wheat rises", "at": ""}"#,
        r#"{"id": null, "title": "  ", "text": "Rice steady"}"#,
        "",
    ]
    .join("\n");
    std::fs::write(d.join("news.jsonl"), news).unwrap();
    std::fs::write(d.join("news.csv"), "id,title,text,at\nx,,Gold climbs,\n,T,Oil falls,2024\n")
        .unwrap();
    let run = |args: &[&str]| {
        let out = xdedup(d, args, None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stderr(&out)
    };
    let named = ["--title-field", "title", "--time-field", "at"];
    let err = run(&[&["cluster", "news.jsonl"][..], &named].concat());
    assert!(
        err.contains(
            "xdedup: warning: 3 records have no --title-field value (the first: news.jsonl:2, \
             document b); read without a title"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "xdedup: warning: 2 records have no --time-field value (the first: news.jsonl:3, \
             document 3); dedup --keep earliest ranks them last, index remove --older-than \
             keeps them"
        ),
        "{err}"
    );
    // The default id field is not named by the user: a file without ids is numbered quietly.
    assert!(!err.contains("--id-field"), "{err}");
    let err = run(&["cluster", "news.jsonl", "--id-field", "id"]);
    assert!(!err.contains("warning"), "{err}");
    let err = run(&["cluster", "news.jsonl", "--id-field", "key"]);
    assert!(
        err.contains(
            "xdedup: warning: 4 records have no --id-field value (the first: news.jsonl:1, \
             document 1); the line number stands for the id"
        ),
        "{err}"
    );
    // A CSV's empty cells count as no value, and the timely engine gathers the same counts.
    let csv = [&["cluster", "news.csv", "news.jsonl"][..], &named].concat();
    let local = run(&csv);
    let title = "4 records have no --title-field value (the first: news.csv:2, document x)";
    let time = "3 records have no --time-field value (the first: news.csv:2, document x)";
    assert!(local.contains(title) && local.contains(time), "{local}");
    let timely = run(&[&csv[..], &["--engine", "timely", "-w", "2"]].concat());
    let warnings = |err: &str| {
        err.lines().filter(|l| l.contains("warning")).map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(warnings(&local), warnings(&timely));
    assert_eq!(warnings(&local).len(), 2, "{local}");
    let err = run(&[&["cluster", "news.jsonl", "-q"][..], &named].concat());
    assert!(err.is_empty(), "{err}");
}

/// `mysql -B` writes a NULL text as the word `NULL`: read as a text, every such row is an exact
/// copy of the others and `dedup` keeps one. The run warns of them; `--null NULL` makes them
/// no text (rejected, accounted for), on either engine.
#[test]
fn texts_that_spell_null_are_warned_of_and_null_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tsv = "id\ttext\n1\tNULL\n2\tGold climbs on a weak dollar\n3\tNULL\n4\tNULL\n";
    std::fs::write(d.join("dump.tsv"), tsv).unwrap();
    let run = |args: &[&str]| {
        let out = xdedup(d, &[&["dedup", "dump.tsv", "--no-quotes"][..], args].concat(), None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        (String::from_utf8(out.stdout.clone()).unwrap(), stderr(&out))
    };
    let (kept, err) = run(&[]);
    assert_eq!(kept, "id\ttext\n1\tNULL\n2\tGold climbs on a weak dollar\n");
    assert!(
        err.contains(
            "xdedup: warning: 3 records' texts are NULL, \\N, null or None (the first: \
             dump.tsv:2, document 1); if that is how the input writes no value, name it \
             (--null NULL, --null '\\N')"
        ),
        "{err}"
    );
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        let (kept, err) = run(&[&["--null", "NULL"][..], engine].concat());
        assert_eq!(kept, "id\ttext\n2\tGold climbs on a weak dollar\n", "{engine:?}");
        assert!(err.contains("dump.tsv:5: document 4: empty text"), "{err}");
        assert!(err.contains("4 records read: 1 document in 1 story"), "{err}");
        assert!(!err.contains("warning"), "{err}");
    }
}

/// The first report of the rain story, `a` in [`rain_news`].
const RAIN_A: &str = "Heavy rain floods streets in Jeddah as schools close";

/// Six reports with times, as JSON lines: `a` and `b` one story twelve hours apart, `c` a
/// follow-up in its words three weeks later, `d` (`late`) a month later, `e` and `f` other news.
fn rain_news(late: String) -> String {
    let news = [
        ("a", "2024-01-01T08:00:00Z", RAIN_A),
        ("b", "2024-01-01T20:00:00Z", "Jeddah streets flooded after heavy rain, schools shut"),
        ("c", "2024-01-20T09:00:00Z", "Heavy rain floods Jeddah streets again"),
        ("d", "2024-02-01T09:00:00Z", &late),
        ("e", "2024-01-02T09:00:00Z", "Central bank raises interest rates by half a point"),
        ("f", "2024-01-03T09:00:00Z", "Oil prices fall as demand weakens in Asia"),
    ];
    news.iter()
        .map(|(id, t, text)| serde_json::json!({"id": id, "t": t, "text": text}).to_string() + "\n")
        .collect()
}

/// With times read (`--time-field`), the time window parts two reports days apart that share
/// words but not text, keeps a copy printed weeks later with its first printing, and does not
/// let that copy pull in what falls between the two printings; `--window` widens it or turns
/// it off, and the index places the same file the same way.
#[test]
fn the_time_window_parts_reports_days_apart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("news.jsonl"), rain_news(RAIN_A.to_owned() + ".")).unwrap();
    let stories = |args: &[&str]| -> Vec<Vec<String>> {
        let out = xdedup(d, &[&["cluster", "news.jsonl", "-q"][..], args].concat(), None);
        assert!(out.status.success(), "{}", stderr(&out));
        groups(&json_lines(&out.stdout))
    };
    let parted = vec![vec!["a", "b", "d"], vec!["c"], vec!["e"], vec!["f"]];
    let together = vec![vec!["a", "b", "c", "d"], vec!["e"], vec!["f"]];
    assert_eq!(stories(&["--time-field", "t"]), parted, "the default window, two days");
    assert_eq!(stories(&[]), together, "no times read");
    assert_eq!(stories(&["--time-field", "t", "--window", "off"]), together);
    assert_eq!(stories(&["--time-field", "t", "--window", "3w"]), together);
    assert_eq!(stories(&["--time-field", "t", "--window", "10d"]), parted);
    let out = xdedup(d, &["cluster", "news.jsonl", "--window", "2 days"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected a number and a unit"), "{}", stderr(&out));
    // The index: the same stories, and the window it was created with.
    let ok = |args: &[&str]| {
        let out = xdedup(d, args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    ok(&["index", "create", "ix"]);
    let added = ok(&["index", "add", "ix", "news.jsonl", "--time-field", "t", "-q"]);
    assert_eq!(groups(&json_lines(&added.stdout)), parted);
    // A lookup at a time: stored reports out of the window are not hits (only `c`, the text
    // itself); without a time, every stored report is.
    let again = "Heavy rain floods Jeddah streets again";
    let hits = |extra: &[&str]| -> Vec<String> {
        let args = [&["index", "query", "ix", again, "--json"][..], extra].concat();
        let out = xdedup(d, &args, None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        hits.iter().map(|h| h["cluster"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(hits(&["--time", "2024-01-20T09:00:00Z"]), ["c"]);
    assert_eq!(hits(&[]), ["c", "a"]);
    std::fs::write(
        d.join("q.jsonl"),
        format!("{{\"id\": \"q\", \"t\": \"20 January 2024\", \"text\": \"{again}\"}}\n"),
    )
    .unwrap();
    let out = ok(&["index", "query", "ix", "--file", "q.jsonl", "--time-field", "t"]);
    assert_eq!(json_lines(&out.stdout)[0]["hits"].as_array().unwrap().len(), 1);
    let out = xdedup(d, &["index", "query", "ix", again, "--time", "yesterday"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--time \"yesterday\": not a date or time"), "{}", stderr(&out));
    let out = xdedup(d, &["index", "query", "ix", again, "--time", "05/01/2024"], None);
    assert!(stderr(&out).contains("--day-first or --month-first"), "{}", stderr(&out));
    assert_eq!(hits(&["--time", "20/01/2024", "--day-first"]), ["c"]);
    ok(&["index", "create", "open", "--window", "off"]);
    let added = ok(&["index", "add", "open", "news.jsonl", "--time-field", "t", "-q"]);
    assert_eq!(groups(&json_lines(&added.stdout)), together);
}

/// A near-copy printed weeks later (not an exact copy) joins its first printing's story
/// without pushing out the story's other report: it is read as printed with its copy, as an
/// exact copy is. Before, `b`'s zero to the late `d` halved its average to `{a, d}` and `b`
/// stood alone. The same in the index, and a lookup of the late text finds both reports.
#[test]
fn a_late_near_copy_keeps_its_story_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let late = "Heavy rain floods streets in Jeddah as all schools close";
    std::fs::write(d.join("news.jsonl"), rain_news(late.to_owned())).unwrap();
    let ok = |args: &[&str]| {
        let out = xdedup(d, args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    // `d` is a near-copy of `a`, not a copy: its own node, weeks after `a` and `b`.
    let pairs = json_lines(&ok(&["pairs", "news.jsonl", "-q", "--min-score", "0"]).stdout);
    let score = |x: &str, y: &str| {
        let p = pairs.iter().find(|p| p["a"] == x && p["b"] == y).expect("the pair");
        p["score"].as_f64().unwrap()
    };
    assert!((0.7..0.9).contains(&score("a", "d")), "{pairs:?}");
    assert!(score("a", "b") < 2.0 * 0.12, "b's zero to d would outvote it: {pairs:?}");
    let whole = vec![vec!["a", "b", "d"], vec!["c"], vec!["e"], vec!["f"]];
    let out = ok(&["cluster", "news.jsonl", "-q", "--time-field", "t"]);
    assert_eq!(groups(&json_lines(&out.stdout)), whole);
    ok(&["index", "create", "ix"]);
    let added = ok(&["index", "add", "ix", "news.jsonl", "--time-field", "t", "-q"]);
    assert_eq!(groups(&json_lines(&added.stdout)), whole);
    let out = ok(&["index", "query", "ix", late, "--json", "--time", "2024-02-01T09:00:00Z"]);
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<&str> =
        hits[0]["documents"].as_array().unwrap().iter().map(|d| d[0].as_str().unwrap()).collect();
    assert_eq!(found, ["d", "a", "b"], "{hits:?}");
}

/// `--story-idf`: the words the reports of one story repeat weigh as that story's, not as
/// common words. On the OG2021 headlines (all languages) the stories are better than with
/// frequencies over documents, and as independent of the thread count; where frequencies
/// cannot be counted over stories (an index), or without IDF, it is refused,
/// and `similar` names it as doing nothing.
#[test]
fn story_frequencies_form_better_headline_stories() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let og = shared("eval/og2021-titles.jsonl");
    let og = og.to_str().unwrap();
    let ari = |extra: &[&str]| -> f64 {
        let mut args = vec!["eval", "--gold", og, "--json", "-q"];
        args.extend_from_slice(extra);
        let out = xdedup(d, &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["overall"]["ari"].as_f64().unwrap()
    };
    let (docs, stories) = (ari(&[]), ari(&["--story-idf"]));
    eprintln!("OG2021, all languages: ARI {docs:.3} over documents, {stories:.3} over stories");
    assert!(stories > docs + 0.03, "over stories {stories}, over documents {docs}");
    let run = |extra: &[&str]| {
        let mut args = vec!["cluster", og, "-q"];
        args.extend_from_slice(extra);
        let out = xdedup(d, &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let one = run(&["--story-idf", "--threads", "1"]);
    assert_eq!(one, run(&["--story-idf", "--threads", "2"]));
    assert_eq!(json_lines(&one).len(), 5743);
    for (args, want) in [
        (&["index", "create", "ix", "--story-idf"][..], "--story-idf: an index counts"),
        (&["cluster", og, "--story-idf", "--no-idf"][..], "it needs IDF weighting"),
    ] {
        let out = xdedup(d, args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
    assert!(!d.join("ix").exists(), "the refused index was not created");
    let out = xdedup(d, &["similar", "a b c", "a b d", "--story-idf"], None);
    assert!(stderr(&out).contains("--story-idf does nothing"), "{}", stderr(&out));
}
