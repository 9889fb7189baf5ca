//! Hostile input, one test per row of `RELIABILITY.md`: what each kind of broken or strange
//! input gets from the command line. Each run must end with status 0 (or 2 for a fatal error
//! that names the file), never a panic, and account for every record.

mod util;

use std::io::Write;
use std::path::Path;

use util::{json_lines, stderr, xdedup};

const OK: &str = "Oil prices rise after producers agree to extend output cuts";

fn run(dir: &Path, args: &[&str]) -> (Vec<serde_json::Value>, String, Option<i32>) {
    let out = xdedup(dir, args, None);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    (json_lines(&out.stdout), err, out.status.code())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn invalid_utf8_inside_an_arabic_letter_rejects_that_line_only() {
    let dir = tempfile::tempdir().unwrap();
    // سلام with its second letter cut after the first byte, in a text file and in a CSV.
    let mut text = format!("{OK}\n").into_bytes();
    text.extend_from_slice(b"\xd8\xb3\xd9 \xd8\xa7\xd9\x85\n");
    text.extend_from_slice(format!("{OK} today\n").as_bytes());
    std::fs::write(dir.path().join("news.txt"), &text).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "news.txt"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows.len(), 3);
    assert!(err.contains("news.txt:2: document 2: invalid UTF-8"), "{err}");
    assert!(rows[1]["cluster"].is_null());
    assert_eq!(rows[0]["cluster"], rows[2]["cluster"]);

    let mut csv = b"id,text\n1,".to_vec();
    csv.extend_from_slice(OK.as_bytes());
    csv.extend_from_slice(b"\n2,\xd8\xb3\xd9\n");
    std::fs::write(dir.path().join("news.csv"), &csv).unwrap();
    let (rows, err, _) = run(dir.path(), &["cluster", "news.csv"]);
    assert_eq!(rows.len(), 2);
    assert!(err.contains("news.csv:3") && err.contains("UTF-8"), "{err}");
}

/// An old Arabic archive in Windows-1256: every record rejected as not UTF-8, with one hint
/// at the end that names the flag; read with `--encoding`, its stories are found, and `dedup`
/// writes the kept rows in UTF-8.
#[test]
fn an_input_in_another_encoding_is_named_and_read_with_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "id,title\n1,رئيس كوريا الجنوبية يعتذر لكوريا الشمالية\n\
               2,رئيس كوريا الجنوبية يعتذر لكوريا الشمالية اليوم\n3,أمين الناتو يرحب بجهود أمريكا\n";
    let (cp1256, _, lossy) = encoding_rs::WINDOWS_1256.encode(csv);
    assert!(!lossy);
    std::fs::write(dir.path().join("old.csv.gz"), gzip(&cp1256)).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "old.csv.gz", "--text-field", "title"]);
    assert_eq!(code, Some(0));
    assert!(rows.iter().all(|r| r["cluster"].is_null()), "{rows:?}");
    assert!(
        err.contains(
            "warning: 3 records are not UTF-8 (the first: old.csv.gz:2); if the input is \
                      in another encoding, name it: --encoding windows-1256"
        ),
        "{err}"
    );
    let args = ["old.csv.gz", "--text-field", "title", "--encoding", "windows-1256"];
    let (rows, err, code) = run(dir.path(), &[&["cluster"][..], &args].concat());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows[0]["cluster"], rows[1]["cluster"]);
    assert_ne!(rows[0]["cluster"], rows[2]["cluster"]);
    assert!(!err.contains("UTF-8"), "{err}");
    let out = xdedup(dir.path(), &[&["dedup", "-q"][..], &args].concat(), None);
    let kept: Vec<&str> = csv.lines().enumerate().filter(|(i, _)| *i != 2).map(|l| l.1).collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), kept.join("\n") + "\n");
    let (_, err, code) = run(dir.path(), &["cluster", "old.csv.gz", "--encoding", "klingon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("'klingon' is not an encoding label (examples: windows-1256"), "{err}");
}

#[test]
fn a_csv_quote_that_never_closes_rejects_its_line_and_reads_the_records_it_took() {
    let dir = tempfile::tempdir().unwrap();
    // Written by a spreadsheet (CRLF), with a quote missing after record 2's text: the csv
    // crate reads on to record 3's opening quote, so record 3 would vanish into record 2.
    let csv = format!(
        "id,text\r\n1,\"{OK}\"\r\n2,\"Gold climbs\r\n3,\"Rain in Riyadh\"\r\n\r\n4,\"{OK} again\"\r\n"
    );
    std::fs::write(dir.path().join("news.csv"), csv).unwrap();
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        let mut args = vec!["cluster", "news.csv"];
        args.extend(engine);
        let (rows, err, code) = run(dir.path(), &args);
        assert_eq!(code, Some(0));
        assert!(
            err.contains("news.csv:3: document 2: unbalanced quotes")
                && err.contains("line 4 is read as a record of its own"),
            "{err}"
        );
        assert!(err.contains("4 records read: 3 documents in 2 stories"), "{err}");
        let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "2", "3", "4"], "{engine:?}");
        assert!(rows[1]["cluster"].is_null());
        assert!(rows[2]["cluster"].is_string(), "{rows:?}");
        assert_eq!(rows[3]["line"], serde_json::Value::Null, "a record has no line field");
        assert_eq!(rows[0]["cluster"], rows[3]["cluster"]);
    }
    let (_, err, code) = run(dir.path(), &["dedup", "news.csv", "-o", "kept.csv"]);
    assert_eq!(code, Some(0), "{err}");
    let kept = std::fs::read_to_string(dir.path().join("kept.csv")).unwrap();
    assert!(kept.contains("\r\n3,\"Rain in Riyadh\"\r\n"), "rows end as the header row: {kept}");
    // A TSV written without quoting (MySQL, PostgreSQL) is read with --no-quotes, each quote
    // character kept as text, its backslash escapes decoded, and `dedup` writes its rows back
    // as they were.
    let tsv = format!(
        "id\ttext\n1\t\"{OK}\" he said\n2\t\"Gold climbs\n3\tRain in Riyadh\n\
         4\tMarkets close\\nhigher\\tagain \\\\o/\n"
    );
    std::fs::write(dir.path().join("db.tsv"), &tsv).unwrap();
    let (_, err, code) = run(dir.path(), &["dedup", "db.tsv", "--no-quotes", "-o", "kept.tsv"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("kept.tsv")).unwrap(), tsv);
    let (rows, err, _) = run(dir.path(), &["cluster", "db.tsv"]);
    assert!(rows[1]["cluster"].is_null() && err.contains("--no-quotes"), "{err}");
    // `--strict` stops there, naming it.
    let (_, err, code) = run(dir.path(), &["cluster", "news.csv", "--strict"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("news.csv:3") && err.contains("unbalanced quotes"), "{err}");
}

#[test]
fn text_field_missing_null_number_or_array() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        format!(r#"{{"id": "ok", "text": "{OK}"}}"#),
        r#"{"id": "missing"}"#.to_owned(),
        r#"{"id": "null", "text": null}"#.to_owned(),
        r#"{"id": "number", "text": 42}"#.to_owned(),
        r#"{"id": "array", "text": ["a", 2]}"#.to_owned(),
        r#"["not", "an", "object"]"#.to_owned(),
    ];
    std::fs::write(dir.path().join("f.jsonl"), lines.join("\n")).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "f.jsonl"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows.len(), 6);
    for (line, id) in [(2, "missing"), (3, "null"), (4, "number"), (5, "array")] {
        assert!(err.contains(&format!("f.jsonl:{line}: document {id}: ")), "{id}: {err}");
        assert!(rows[line - 1]["cluster"].is_null());
    }
    assert!(err.contains("f.jsonl:6:"), "{err}");
    assert!(
        err.contains("6 records read: 1 document in 1 story") && err.contains("5 rejected"),
        "{err}"
    );
    assert!(err.contains("is an array, expected a string or an array of strings"), "{err}");
    // An array of strings is a text by paragraphs, a line each: the same story as the text.
    let lines = [
        format!(r#"{{"id": "whole", "text": "{OK}\nTraders cite the weak dollar."}}"#),
        format!(
            r#"{{"id": "paragraphs", "text": ["{OK}", null, "Traders cite the weak dollar."]}}"#
        ),
    ];
    std::fs::write(dir.path().join("p.jsonl"), lines.join("\n")).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "p.jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows[1]["cluster"], "whole", "{rows:?}");
    assert_eq!(rows[1]["score"], 1.0, "{rows:?}");
}

/// A file that gives no document, every record rejected for what a reading mistake makes of
/// records (its text in another field than `--text-field` says, or lines that are not JSON
/// objects: a CSV or text file under a `.jsonl` name), was read with the wrong options: its
/// records are rejected one by one as before, and the run ends with status 2 naming it, on
/// both engines and for the index. A file with some usable records does not change the status.
#[test]
fn a_file_whose_every_record_is_misread_ends_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let body = format!("{{\"id\": 1, \"body\": \"{OK}\"}}\n{{\"id\": 2, \"body\": \"{OK}\"}}\n");
    std::fs::write(d.join("body.jsonl"), body).unwrap();
    std::fs::write(d.join("nested.jsonl"), "{\"id\": 3, \"text\": {\"ar\": \"x\"}}\n").unwrap();
    std::fs::write(d.join("ok.jsonl"), format!("{{\"id\": 4, \"text\": \"{OK}\"}}\n")).unwrap();
    std::fs::write(d.join("table.jsonl"), format!("id,text\n5,{OK}\n")).unwrap();
    std::fs::write(d.join("semi.csv"), format!("id,text\n6;{OK}\n7;{OK}\n")).unwrap();
    for engine in [&[][..], &["--engine", "timely", "-w", "2"]] {
        let mut args =
            vec!["cluster", "body.jsonl", "ok.jsonl", "nested.jsonl", "table.jsonl", "semi.csv"];
        args.extend(engine);
        let (rows, err, code) = run(d, &args);
        assert_eq!((rows.len(), code), (8, Some(2)), "{engine:?}: {err}");
        assert!(rows[0]["rejected"].as_str().unwrap().starts_with("missing text field 'text'"));
        assert!(rows[2]["cluster"].is_string(), "{rows:?}");
        assert!(
            err.contains(
                "4 input files gave no document, every record rejected: body.jsonl (2 records; \
                 the first: missing text field 'text' (fields: body, id)); nested.jsonl (1 \
                 record; the first: text field 'text' is an object"
            ),
            "{engine:?}: {err}"
        );
        assert!(err.contains("; table.jsonl (2 records; the first: malformed JSON"), "{err}");
        let semi = "; semi.csv (2 records; the first: malformed record: 1 field where the header \
                    row has 2)";
        assert!(err.contains(semi), "{err}");
        let hints = "(is the text in another field? --text-field; is the file in another format? \
                     --format; are its fields split by another delimiter? --delimiter)\n";
        assert!(err.ends_with(hints), "{err}");
    }
    let (rows, err, code) = run(d, &["cluster", "body.jsonl", "--text-field", "body"]);
    assert_eq!((rows.len(), code), (2, Some(0)), "{err}");
    let (rows, err, code) = run(d, &["cluster", "table.jsonl", "--format", "csv"]);
    assert_eq!((rows.len(), code), (1, Some(0)), "{err}");
    // Some records with the field and some without: bad records, not a wrong field.
    let mixed = format!("{{\"id\": 5}}\n{{\"id\": 6, \"text\": \"{OK}\"}}\nnot json\n");
    std::fs::write(d.join("mixed.jsonl"), mixed).unwrap();
    let (rows, err, code) = run(d, &["cluster", "mixed.jsonl"]);
    assert_eq!((rows.len(), code), (3, Some(0)), "{err}");
    assert!(!err.contains("gave no document"), "{err}");
    // A night's file with the wrong field is not an empty night for the index either.
    assert_eq!(run(d, &["index", "create", "ix"]).2, Some(0));
    let (_, err, code) = run(d, &["index", "add", "ix", "ok.jsonl", "body.jsonl"]);
    assert_eq!(code, Some(2), "{err}");
    let named = "1 input file gave no document, every record rejected: body.jsonl (2 records";
    assert!(err.contains(named), "{err}");
}

#[test]
fn truncated_gzip_and_zstd_keep_what_was_read_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    // Enough lines for several zstd blocks (a block is decoded whole or not at all).
    let n = 20_000;
    let body: String =
        (0..n).map(|i| format!("{{\"id\": {i}, \"text\": \"{OK} {i}\"}}\n")).collect();
    let gz = gzip(body.as_bytes());
    std::fs::write(dir.path().join("cut.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    let zst = ruzstd::encoding::compress_to_vec(
        body.as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    std::fs::write(dir.path().join("cut.jsonl.zst"), &zst[..zst.len() / 2]).unwrap();
    for name in ["cut.jsonl.gz", "cut.jsonl.zst"] {
        let (rows, err, code) = run(dir.path(), &["cluster", name]);
        // Status 2 at the end, as zcat would: the records after the cut are lost.
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(&format!("{name}:0: read error after line")), "{name}: {err}");
        assert!(err.contains("1 input file could not be read in full: cut.jsonl"), "{err}");
        // The records before the cut are there, and the cut itself is reported as rejected.
        assert!(rows.len() > 1 && rows.len() <= n, "{name}: {}", rows.len());
        assert!(rows.last().unwrap()["cluster"].is_null());
    }
}

/// A bzip2 file is read, whatever its size (files of 1 MiB and more are read in byte ranges,
/// which must not take it for text); a damaged xz file is refused naming its format, instead of
/// every line rejected as invalid UTF-8; the other inputs are read.
#[test]
fn a_bzip2_input_is_read_and_a_damaged_xz_one_refused_by_name() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut records = String::new();
    for i in 0u64..40_000 {
        let word = |k: u64| format!("{:x}", (i * 4 + k).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let text = format!("{} {} {} {}", word(0), word(1), word(2), word(3));
        records.push_str(&format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n"));
    }
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    e.write_all(records.as_bytes()).unwrap();
    let big = e.finish().unwrap();
    assert!(big.len() > 1 << 20, "{} bytes: read in byte ranges if plain", big.len());
    std::fs::write(d.join("big.jsonl.bz2"), big).unwrap();
    let noise: Vec<u8> = (0..100u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(d.join("small.jsonl.xz"), [&b"\xFD7zXZ\x00"[..], &noise].concat()).unwrap();
    std::fs::write(d.join("ok.jsonl"), format!("{{\"id\": \"ok\", \"text\": \"{OK}\"}}\n"))
        .unwrap();
    let (rows, err, code) = run(d, &["cluster", "big.jsonl.bz2", "small.jsonl.xz", "ok.jsonl"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("small.jsonl.xz:0: cannot read: xz: "), "{err}");
    assert!(err.contains("1 input file could not be read in full"), "{err}");
    assert_eq!(rows.len(), 40_002, "the records of both files, and one refusal");
    assert_eq!(rows.iter().filter(|r| r["cluster"].is_string()).count(), 40_001);
    assert!(!err.contains("invalid UTF-8"), "{err}");
}

#[test]
fn a_100_mb_document_is_cut_with_a_warning_and_a_10_mb_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let word = "كلمة word ";
    let huge = word.repeat(100_000_000 / word.len());
    let line = format!(
        "{{\"id\": \"huge\", \"text\": \"{huge}\"}}\n{{\"id\": \"ok\", \"text\": \"{OK}\"}}\n"
    );
    std::fs::write(dir.path().join("huge.jsonl"), line).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "huge.jsonl"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows.len(), 2);
    assert!(err.contains("huge.jsonl:1: document huge: text cut to the size limit"), "{err}");
    assert!(rows[0]["cluster"].is_string());

    // Ten megabytes on one line with no newline at the end of the file: one document.
    let ten = "abc def ".repeat(10_000_000 / 8);
    std::fs::write(dir.path().join("ten.txt"), ten).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "ten.txt"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["cluster"].is_string());
}

#[test]
fn punctuation_emoji_or_diacritics_only_are_rejected_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let texts = ["?!... ---", "🎉🎉 🙂", "\u{064E}\u{0650}\u{0651}\u{0652}", "\u{0640}\u{0640}"];
    let mut body = format!("{OK}\n");
    for t in texts {
        body.push_str(t);
        body.push('\n');
    }
    std::fs::write(dir.path().join("f.txt"), body).unwrap();
    let (rows, err, _) = run(dir.path(), &["cluster", "f.txt"]);
    assert_eq!(rows.len(), 5);
    for line in 2..=5 {
        assert!(
            err.contains(&format!("f.txt:{line}: document {line}: no letter or digit")),
            "{line}: {err}"
        );
    }
}

#[test]
fn combining_mark_floods_and_bidi_controls_stay_linear() {
    let dir = tempfile::tempdir().unwrap();
    let flood = format!("a{}", "\u{0301}".repeat(1_000_000));
    let zalgo: String = OK.chars().flat_map(|c| [c, '\u{0336}', '\u{0489}']).collect();
    let bidi = format!("\u{202E}{OK}\u{202C}\u{2066}\u{200F}");
    let body = format!("{flood}\n{zalgo}\n{bidi}\n{OK}\n");
    std::fs::write(dir.path().join("f.txt"), body).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "f.txt"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), 4);
    // Marks and controls vanish in normalization: the three spellings of OK are one story.
    assert_eq!(rows[1]["cluster"], rows[3]["cluster"]);
    assert_eq!(rows[2]["cluster"], rows[3]["cluster"]);
}

#[test]
fn every_script_gets_features() {
    let dir = tempfile::tempdir().unwrap();
    let samples = [
        "Latin text here",
        "Ελληνικά κείμενα",
        "Русский текст",
        "Հայերեն տեքստ",
        "עברית טקסט",
        "العربية نص",
        "ܣܘܪܝܝܐ",
        "ދިވެހި",
        "ߒߞߏ",
        "हिन्दी पाठ",
        "বাংলা লেখা",
        "ਪੰਜਾਬੀ",
        "ગુજરાતી",
        "ଓଡ଼ିଆ",
        "தமிழ் உரை",
        "తెలుగు",
        "ಕನ್ನಡ",
        "മലയാളം",
        "සිංහල",
        "ไทย ข้อความ",
        "ລາວ",
        "བོད་ཡིག",
        "မြန်မာ",
        "ქართული",
        "한국어 텍스트",
        "日本語のテキスト",
        "中文文本",
        "ᠮᠣᠩᠭᠣᠯ",
        "ខ្មែរ",
        "አማርኛ",
        "ᏣᎳᎩ",
        "ᐃᓄᒃᑎᑐᑦ",
        "ᚠᚢᚦᚨᚱᚲ",
        "𐌰𐍄𐌹𐌻𐌰",
        "𓀀𓀁𓀂",
        "ꦧꦱꦗꦮ",
        "Tiếng Việt",
        "Türkçe metin",
    ];
    std::fs::write(dir.path().join("f.txt"), samples.join("\n")).unwrap();
    let (rows, err, code) = run(dir.path(), &["cluster", "f.txt"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), samples.len());
    for (r, s) in rows.iter().zip(samples) {
        assert!(r["cluster"].is_string(), "{s}: {r}");
    }
    // Different scripts never meet: every line is its own story.
    let stories: std::collections::BTreeSet<_> =
        rows.iter().map(|r| r["cluster"].to_string()).collect();
    assert_eq!(stories.len(), samples.len());
}

#[test]
fn empty_files_directories_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty.jsonl"), b"").unwrap();
    let (rows, err, code) = run(d, &["cluster", "empty.jsonl"]);
    assert_eq!(code, Some(0));
    assert!(rows.is_empty());
    assert!(err.contains("0 records read"), "{err}");
    // Among other inputs, an empty file or a folder with no file in it is named in a warning
    // (a feed that came empty), and the status stays 0.
    std::fs::create_dir_all(d.join("nothing/inside")).unwrap();
    std::fs::write(d.join("one.txt"), format!("{OK}\n")).unwrap();
    for cmd in [&["cluster"][..], &["index", "add", "ix0"], &["cluster", "--engine", "timely"]] {
        if cmd[0] == "index" {
            assert_eq!(run(d, &["index", "create", "ix0"]).2, Some(0));
        }
        let mut args = cmd.to_vec();
        args.extend(["--doc-per-file", "nothing", "empty.jsonl", "one.txt"]);
        let (rows, err, code) = run(d, &args);
        assert_eq!((rows.len(), code), (1, Some(0)), "{cmd:?}: {err}");
        assert!(err.contains("xdedup: warning: nothing: no file in the folder\n"), "{err}");
        assert!(err.contains("xdedup: warning: empty.jsonl: empty file\n"), "{err}");
    }

    std::fs::create_dir(d.join("adir")).unwrap();
    std::fs::write(d.join("ok.txt"), format!("{OK}\n")).unwrap();
    let (rows, err, code) = run(d, &["cluster", "adir", "nowhere.jsonl", "ok.txt"]);
    assert!(err.contains("adir") && err.contains("directory"), "{err}");
    assert!(err.contains("nowhere.jsonl") && err.contains("cannot read"), "{err}");
    // The file errors are rejected records; the readable file is clustered and written...
    assert_eq!(rows.iter().filter(|r| r["cluster"].is_string()).count(), 1);
    assert_eq!(rows.iter().filter(|r| r["line"] == 0 && r["cluster"].is_null()).count(), 2);
    assert!(err.contains("1 document in") && err.contains("2 rejected"), "{err}");
    // ...and the run ends with status 2 naming both, as grep and cat do.
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("2 input files could not be read in full: adir ("), "{err}");
    assert!(err.contains("; nowhere.jsonl (cannot read"), "{err}");
    // Fifty are named; the rest counted.
    let many: Vec<String> = (0..52).map(|i| format!("gone{i}.jsonl")).collect();
    let mut args = vec!["cluster", "-q", "ok.txt"];
    args.extend(many.iter().map(String::as_str));
    let (rows, err, code) = run(d, &args);
    assert_eq!((rows.len(), code), (53, Some(2)), "{err}");
    assert!(err.contains("52 input files could not be read in full: gone0.jsonl ("), "{err}");
    assert!(err.contains("gone49.jsonl (") && !err.contains("gone50.jsonl ("), "{err}");
    assert!(err.contains("; and 2 more (all of them in the output and --rejects)"), "{err}");
    // The same for the other batch commands, the output written all the same.
    for cmd in [
        &["dedup", "nowhere.jsonl", "ok.txt", "-o", "kept.txt"][..],
        &["pairs", "nowhere.jsonl", "ok.txt", "-o", "pairs.jsonl"],
        &["index", "add", "ix", "nowhere.jsonl", "ok.txt", "-o", "added.jsonl"],
    ] {
        if cmd[0] == "index" {
            assert_eq!(run(d, &["index", "create", "ix"]).2, Some(0));
        }
        let (_, err, code) = run(d, cmd);
        assert_eq!(code, Some(2), "{cmd:?}: {err}");
        assert!(err.contains("1 input file could not be read in full: nowhere.jsonl"), "{err}");
        assert!(d.join(cmd[cmd.len() - 1]).exists(), "{cmd:?}");
    }
    let kept = std::fs::read_to_string(d.join("kept.txt")).unwrap();
    assert_eq!(kept.trim(), OK);
    let added = std::fs::read_to_string(d.join("added.jsonl")).unwrap();
    assert!(added.contains("\"status\":\"added\""), "{added}");

    // One document per file: a file that cannot be read (a dangling link; root reads through
    // any permission) is an input not read, under its document id; one that is not UTF-8 is a
    // rejected record and does not change the status.
    #[cfg(unix)]
    {
        let docs = d.join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("a.txt"), OK).unwrap();
        std::fs::write(docs.join("b.txt"), b"caf\xe9").unwrap();
        let (rows, err, code) = run(d, &["cluster", "docs", "--doc-per-file"]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(rows.iter().filter(|r| r["cluster"].is_null()).count(), 1, "{rows:?}");
        std::os::unix::fs::symlink(d.join("nowhere.txt"), docs.join("gone.txt")).unwrap();
        let (rows, err, code) = run(d, &["cluster", "docs", "--doc-per-file"]);
        assert_eq!((rows.len(), code), (3, Some(2)), "{err}");
        let gone = rows.iter().find(|r| r["id"] == "gone.txt").expect("the unread document's row");
        assert!(gone["cluster"].is_null() && gone["line"] == 0, "{gone}");
        assert!(rows.iter().any(|r| r["id"] == "a.txt" && r["cluster"].is_string()), "{rows:?}");
        assert!(err.contains("1 input file could not be read in full: "), "{err}");
        assert!(err.contains("gone.txt (cannot read"), "{err}");
    }
}

#[test]
fn duplicate_ids_keep_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{{\"id\": 1, \"text\": \"{OK}\"}}\n{{\"id\": 1, \"text\": \"another text entirely\"}}\n"
    );
    std::fs::write(dir.path().join("f.jsonl"), body).unwrap();
    let (rows, err, _) = run(dir.path(), &["cluster", "f.jsonl"]);
    assert_eq!(rows.len(), 2);
    assert!(err.contains("f.jsonl:2: document 1: duplicate id (first seen at f.jsonl:1)"), "{err}");
}

#[test]
fn same_output_for_1_2_and_8_threads_on_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let seed = util::shared("seed/seed-stories.jsonl").display().to_string();
    let outs: Vec<Vec<u8>> = ["1", "2", "8"]
        .iter()
        .map(|t| xdedup(dir.path(), &["--threads", t, "cluster", &seed, "-q"], None).stdout)
        .collect();
    assert!(!outs[0].is_empty());
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}
