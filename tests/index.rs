//! The persistent index, driven through the command line as the nightly job drives it.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use util::{encoder_model, groups, id_of, json_lines, root, shared, stderr, xdedup};
use xdedup::eval::metrics::cluster_scores;

fn sample() -> String {
    root().join("corpus/sample.jsonl").display().to_string()
}

fn ok(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = xdedup(dir, args, None);
    assert!(out.status.success(), "xdedup {args:?}: {}", stderr(&out));
    out
}

/// The index's current stories, as `index export` prints them, by id.
fn exported(dir: &Path, index: &str) -> BTreeMap<String, String> {
    let out = ok(dir, &["index", "export", index]);
    json_lines(&out.stdout)
        .iter()
        .map(|r| (id_of(r), r["cluster"].as_str().unwrap().to_owned()))
        .collect()
}

fn stat(dir: &Path, index: &str) -> serde_json::Value {
    let out = ok(dir, &["index", "stats", index, "--json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// OG2021 sorted by time, ids and times as in the file.
fn og2021_by_time() -> Vec<serde_json::Value> {
    let mut rows = json_lines(&std::fs::read(shared("eval/og2021-titles.jsonl")).unwrap());
    rows.sort_by_key(|r| (r["time"].as_str().unwrap_or("").to_owned(), id_of(r)));
    rows
}

fn write_jsonl(path: &Path, rows: &[serde_json::Value]) {
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn create_add_query_stats_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["index", "create", "ix"]);
    // Nothing stored yet: no story to find (exit 1), but a text with nothing to look up is
    // still an error (exit 2).
    let out = xdedup(d, &["index", "query", "ix", "South Korea apologises"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = xdedup(d, &["index", "query", "ix", "!!!"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the query text: no letter or digit"), "{}", stderr(&out));
    // A file named as the text is refused, with the two ways to look it up.
    std::fs::write(d.join("night.jsonl"), "{\"text\": \"South Korea apologises\"}\n").unwrap();
    let out = xdedup(d, &["index", "query", "ix", "night.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("@night.jsonl is") && err.contains("--file night.jsonl looks"), "{err}");
    let out = ok(d, &["index", "add", "ix", &sample(), "-o", "a.jsonl"]);
    assert!(stderr(&out).contains("28 records read: 28 added"), "{}", stderr(&out));
    let added = json_lines(&std::fs::read(d.join("a.jsonl")).unwrap());
    let rows = &added;
    // The contract of `cluster`, one line per input record, in order, plus the story's status.
    let input = json_lines(&std::fs::read(sample()).unwrap());
    assert_eq!(
        rows.iter().map(id_of).collect::<Vec<_>>(),
        input.iter().map(id_of).collect::<Vec<_>>()
    );
    assert!(rows.iter().all(|r| r["new_story"] == true && r["status"] == "added"));
    // One batch into an empty index is the one-shot run: the sample's labelled stories.
    let gold = groups(&input);
    assert_eq!(groups(rows), gold);
    let cluster = ok(d, &["cluster", &sample()]);
    assert_eq!(groups(&json_lines(&cluster.stdout)), gold);

    let s = stat(d, "ix");
    assert_eq!(s["documents"], 28);
    assert_eq!(s["stories"], 13);
    assert_eq!(s["batches"], 1);
    assert_eq!(s["shingle"], "mixed:4");
    assert!(s["size_on_disk"].as_u64().unwrap() > 0);

    // A stored headline, reworded, finds its story first; exit 0 as it is similar.
    let first = &input[0];
    let text = first["text"].as_str().unwrap();
    let out = xdedup(d, &["index", "query", "ix", text, "--json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let story = rows[0]["cluster"].as_str().unwrap();
    assert_eq!(hits[0]["cluster"], story);
    assert_eq!(hits[0]["score"], 1.0);
    assert_eq!(hits[0]["similar"], true);
    // Something unrelated: not similar, exit 1.
    let out = xdedup(d, &["index", "query", "ix", "Zebras and quokkas sing in the Andes"], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    // Nothing to look up is an error, not "nothing similar stored"; in a file of queries, such a
    // record is reported as `add` reports it and the others are looked up.
    let out = xdedup(d, &["index", "query", "ix", "!!! 🙂"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no letter or digit"), "{}", stderr(&out));
    let queries = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "q1", "text": "… ⚡️"}),
        serde_json::json!({"id": "q2", "text": text})
    );
    std::fs::write(d.join("queries.jsonl"), queries).unwrap();
    let out = xdedup(d, &["index", "query", "ix", "--file", "queries.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = json_lines(&out.stdout);
    assert_eq!(rows[0]["id"], "q1");
    assert_eq!(rows[0]["rejected"], "no letter or digit after normalization");
    assert_eq!(rows[1]["id"], "q2");
    assert_eq!(rows[1]["hits"][0]["cluster"], story);
    // To a file with -o: the same lines; never over the queries, nor as a table.
    let out =
        xdedup(d, &["index", "query", "ix", "--file", "queries.jsonl", "-o", "hits.jsonl"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let written = json_lines(&std::fs::read(d.join("hits.jsonl")).unwrap());
    let no_micros = |rows: &[serde_json::Value]| {
        let mut rows = rows.to_vec();
        rows.iter_mut().for_each(|r| drop(r.as_object_mut().unwrap().remove("micros")));
        rows
    };
    assert_eq!(no_micros(&written), no_micros(&rows));
    for (o, why) in [
        ("./queries.jsonl", "which the output would replace"),
        ("hits.csv", "not a table or Parquet"),
    ] {
        let out = xdedup(d, &["index", "query", "ix", "--file", "queries.jsonl", "-o", o], None);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(why), "{}", stderr(&out));
    }
    assert!(std::fs::read_to_string(d.join("queries.jsonl")).unwrap().contains("q2"));
    let out = xdedup(d, &["index", "query", "ix", text, "--json", "-o", "one.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let one: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("one.json")).unwrap()).unwrap();
    assert_eq!(one[0]["cluster"], story);
    // A file of queries is read with add's options: its fields, its format, its encoding.
    let arabic = input.iter().position(|r| r["lang"] == "ara").unwrap();
    let csv = format!("ref;body\nq3;{}\n", input[arabic]["text"].as_str().unwrap());
    std::fs::write(d.join("queries.csv"), encoding_rs::WINDOWS_1256.encode(&csv).0).unwrap();
    let args = ["--id-field", "ref", "--text-field", "body", "--delimiter", ";"];
    let query = ["index", "query", "ix", "--file", "queries.csv", "--encoding", "cp1256"];
    let out = xdedup(d, &[&query[..], &args].concat(), None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hits = json_lines(&out.stdout);
    assert_eq!(hits[0]["id"], "q3");
    assert_eq!(hits[0]["hits"][0]["cluster"], added[arabic]["cluster"]);
    // A file that cannot be read is an error (status 2), not "no story matched" (1); so is a
    // bad record under --strict.
    let out = xdedup(d, &["index", "query", "ix", "--file", "nowhere.jsonl"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nowhere.jsonl:0"), "{}", stderr(&out));
    let out = xdedup(d, &["index", "query", "ix", "--file", "queries.jsonl", "--strict"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("queries.jsonl:1: document q1: no letter or digit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn settings_are_stored_and_a_different_flag_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["index", "create", "ix", "--threshold", "0.2", "--num-perm", "64"]);
    let s = stat(d, "ix");
    let settings: BTreeMap<String, String> = s["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kv| (kv[0].as_str().unwrap().to_owned(), kv[1].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(settings["threshold"], "0.2");
    assert_eq!(settings["num-perm"], "64");
    // The same values again are fine; a different one names the flag and the way out.
    ok(d, &["index", "add", "ix", &sample(), "--threshold", "0.2", "-o", "a.jsonl"]);
    let out = xdedup(d, &["index", "add", "ix", &sample(), "--num-perm", "128"], None);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(
        e.contains("created with --num-perm 64, not 128") && e.contains("leave the flag out"),
        "{e}"
    );
    // Not an index; an index where one exists.
    let out = xdedup(d, &["index", "stats", "nowhere"], None);
    assert!(stderr(&out).contains("is not an index"), "{}", stderr(&out));
    let out = xdedup(d, &["index", "create", "ix"], None);
    assert!(stderr(&out).contains("already holds an index"), "{}", stderr(&out));
}

#[test]
fn re_adding_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["index", "create", "ix"]);
    ok(d, &["index", "add", "ix", &sample(), "-o", "first.jsonl"]);
    let before = exported(d, "ix");
    let out = ok(d, &["index", "add", "ix", &sample(), "-o", "again.jsonl"]);
    assert!(
        stderr(&out).contains("0 added") && stderr(&out).contains("28 skipped"),
        "{}",
        stderr(&out)
    );
    let again = json_lines(&std::fs::read(d.join("again.jsonl")).unwrap());
    let first = json_lines(&std::fs::read(d.join("first.jsonl")).unwrap());
    for (a, f) in again.iter().zip(&first) {
        assert_eq!(a["status"], "skipped");
        assert_eq!(a["cluster"], f["cluster"]);
    }
    assert_eq!(exported(d, "ix"), before);
    assert_eq!(stat(d, "ix")["documents"], 28);
    assert!(!stderr(&out).contains("another text"), "{}", stderr(&out));
    // An id that comes back with another text (a corrected article) is still skipped, and
    // said so; the same text written differently (case, punctuation) is the same text.
    let rows = json_lines(&std::fs::read(sample()).unwrap());
    let mut edited = rows.clone();
    edited[3]["text"] = "an entirely different report about a museum opening".into();
    edited[1]["text"] = format!("{}!", edited[1]["text"].as_str().unwrap().to_uppercase()).into();
    edited[7]["text"] = "and another rewritten text, on rowing this time".into();
    write_jsonl(&d.join("edited.jsonl"), &edited);
    let out = ok(d, &["index", "add", "ix", "edited.jsonl", "-o", "edited-out.jsonl"]);
    let first = format!("edited.jsonl:4, document {}", util::id_of(&rows[3]));
    assert!(
        stderr(&out).contains(&format!(
            "warning: 2 skipped records hold another text than the one indexed under their id \
             (the first: {first})"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(exported(d, "ix"), before, "the stored texts are kept");
}

#[test]
fn batches_in_date_order_agree_with_one_shot_clustering() {
    nights_agree_with_one_shot_clustering(&[], &[]);
}

/// The same with times read (`--time-field`): the time window parts pairs days apart in the
/// index as in one run, and a batch still reaches the stories it would change.
#[test]
fn with_the_time_window_batches_agree_too() {
    nights_agree_with_one_shot_clustering(&[], &["--time-field", "time"]);
}

/// The same with the sentence encoder: embeddings stored, semantic candidates and scores.
#[test]
fn with_the_encoder_batches_agree_too() {
    let model = encoder_model().display().to_string();
    nights_agree_with_one_shot_clustering(&["--model", &model], &[]);
}

/// The same with a lexicon: pivot features stored, rare-key candidates and pivot scores.
#[test]
fn with_a_lexicon_batches_agree_too() {
    let lexicon = "/usr/share/dictd/freedict-ara-eng.index";
    assert!(
        Path::new(lexicon).exists(),
        "{lexicon} missing: apt-get install dict-freedict-ara-eng"
    );
    nights_agree_with_one_shot_clustering(&["--lexicon", lexicon], &[]);
}

/// A semantic index links a translation no lexical feature could, refuses commands without
/// the encoder (and a plain index refuses one), and removal takes the embeddings along.
#[test]
fn a_semantic_index_finds_translations_and_needs_its_encoder() {
    let model = encoder_model().display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        serde_json::json!({"id": "en-1", "text": "The Olympic torch relay was cancelled in Tokyo because of the pandemic."}),
        serde_json::json!({"id": "en-2", "text": "Heavy rain caused floods in several cities in Germany."}),
        serde_json::json!({"id": "en-3", "text": "The central bank raised interest rates by half a point."}),
    ];
    write_jsonl(&d.join("en.jsonl"), &rows);
    ok(d, &["index", "create", "sem", "--model", &model]);
    ok(d, &["index", "add", "sem", "en.jsonl", "--model", &model, "-o", "a.jsonl"]);
    let arabic = "تسببت الأمطار الغزيرة في فيضانات في عدة مدن في ألمانيا.";
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&ok_or_1(
        d,
        &["index", "query", "sem", arabic, "--json", "--model", &model],
    ))
    .unwrap();
    assert_eq!(hits[0]["cluster"], "en-2", "{hits:?}");
    assert_eq!(hits.len(), 1, "unrelated stories score 0: {hits:?}");
    // Without the encoder: a clear error, for add and query alike.
    for args in [&["index", "add", "sem", "en.jsonl"][..], &["index", "query", "sem", "torch"][..]]
    {
        let out = xdedup(d, args, None);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("was created with --model"), "{}", stderr(&out));
    }
    ok(d, &["index", "create", "plain"]);
    let out = xdedup(d, &["index", "add", "plain", "en.jsonl", "--model", &model], None);
    assert!(stderr(&out).contains("was created without --model"), "{}", stderr(&out));
    // Removal and compaction keep the rest readable.
    ok(d, &["index", "remove", "sem", "--id", "en-3"]);
    ok(d, &["index", "compact", "sem"]);
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&ok_or_1(
        d,
        &["index", "query", "sem", arabic, "--json", "--model", &model],
    ))
    .unwrap();
    assert_eq!(hits[0]["cluster"], "en-2");
    assert_eq!(stat(d, "sem")["documents"], 2);
}

/// 10 date-ordered nights into an index against one `cluster` run, with `extra` flags on
/// every command.
fn nights_agree_with_one_shot_clustering(extra: &[&str], read: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = og2021_by_time();
    write_jsonl(&d.join("all.jsonl"), &rows);
    let with = |args: &[&str]| -> Vec<String> {
        args.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let run = |args: &[&str]| {
        let all = with(args);
        ok(d, &all.iter().map(String::as_str).collect::<Vec<_>>())
    };
    run(&["index", "create", "ix"]);
    let n = rows.len();
    let mut last_move: BTreeMap<String, String> = BTreeMap::new();
    for b in 0..10 {
        let name = format!("night-{b}.jsonl");
        write_jsonl(&d.join(&name), &rows[b * n / 10..(b + 1) * n / 10]);
        let add = ["index", "add", "ix", &name, "-o", "out.jsonl", "--moves", "moves.jsonl"];
        run(&[&add[..], read].concat());
        for m in json_lines(&std::fs::read(d.join("moves.jsonl")).unwrap()) {
            assert_ne!(m["from"], m["to"]);
            last_move.insert(id_of(&m), m["to"].as_str().unwrap().to_owned());
        }
    }
    let index = exported(d, "ix");
    // Stored documents do move as nights go by, and each is where its last move put it.
    assert!(!last_move.is_empty());
    for (id, to) in &last_move {
        assert_eq!(&index[id], to, "{id}");
    }
    let once: BTreeMap<String, String> =
        json_lines(&run(&[&["cluster", "all.jsonl"][..], read].concat()).stdout)
            .iter()
            .map(|r| (id_of(r), r["cluster"].as_str().unwrap().to_owned()))
            .collect();
    assert_eq!(index.len(), n);
    let ids: Vec<&String> = once.keys().collect();
    let a: Vec<&str> = ids.iter().map(|i| index[*i].as_str()).collect();
    let b: Vec<&str> = ids.iter().map(|i| once[*i].as_str()).collect();
    let agreement = cluster_scores(&b, &a).ari;
    eprintln!("ARI between the index after 10 nights and one cluster run: {agreement:.4}");
    assert!(agreement >= 0.95, "ARI between index and one-shot run {agreement:.3}");
    // And the same quality against the labels.
    let gold: BTreeMap<String, String> =
        rows.iter().map(|r| (id_of(r), r["cluster"].as_str().unwrap().to_owned())).collect();
    let g: Vec<&str> = ids.iter().map(|i| gold[*i].as_str()).collect();
    let (ari_index, ari_once) = (cluster_scores(&g, &a).ari, cluster_scores(&g, &b).ari);
    eprintln!("ARI against the labels: index {ari_index:.4}, one cluster run {ari_once:.4}");
    assert!(ari_index >= 0.35 && ari_index > ari_once - 0.02, "{ari_index:.3} vs {ari_once:.3}");
}

#[test]
fn remove_by_id_and_by_time_then_compact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<serde_json::Value> = og2021_by_time().into_iter().take(600).collect();
    write_jsonl(&d.join("some.jsonl"), &rows);
    ok(d, &["index", "create", "ix"]);
    ok(d, &["index", "add", "ix", "some.jsonl", "--time-field", "time", "-o", "a.jsonl"]);
    let first = id_of(&rows[0]);
    let text = rows[0]["text"].as_str().unwrap().to_owned();
    let out = ok(d, &["index", "remove", "ix", "--id", &first, "--id", "no-such-id"]);
    assert!(stderr(&out).contains("removed 1 document from"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of the ids given is not in the index: no-such-id"));
    assert_eq!(stat(d, "ix")["documents"], 599);
    assert!(!exported(d, "ix").contains_key(&first));
    let hits: Vec<serde_json::Value> =
        serde_json::from_slice(&ok_or_1(d, &["index", "query", "ix", &text, "--json"])).unwrap();
    assert!(hits.iter().all(|h| h["score"] != 1.0 || h["documents"][0][0] != rows[0]["id"]));
    // Older than the 300th document's time.
    let cut = rows[300]["time"].as_str().unwrap().to_owned();
    let older = rows.iter().filter(|r| r["time"].as_str().unwrap() < cut.as_str()).count();
    ok(d, &["index", "remove", "ix", "--older-than", &cut]);
    let left = exported(d, "ix");
    assert_eq!(left.len(), 600 - older.max(1));
    assert_eq!(stat(d, "ix")["documents"].as_u64().unwrap() as usize, left.len());
    // Re-adding the removed ones brings them back; compaction keeps everything.
    ok(d, &["index", "add", "ix", "some.jsonl", "--time-field", "time", "-o", "b.jsonl"]);
    assert_eq!(exported(d, "ix").len(), 600);
    let before = exported(d, "ix");
    ok(d, &["index", "compact", "ix"]);
    assert_eq!(exported(d, "ix"), before);
    assert_eq!(stat(d, "ix")["documents"], 600);
}

/// `index add --new`: tonight's records less those of stories seen before and less tonight's own
/// repeats, one per new story, its first, written byte for byte as read: JSON lines as they
/// were (spacing, key order), a spreadsheet's CSV under its BOM and header row with CR LF.
/// A re-run adds nothing and finds nothing new.
#[test]
fn add_writes_the_records_of_new_stories_as_they_were_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let oil = "Oil prices rise after producers agree to extend output cuts";
    let budget = "Parliament passes the annual budget bill after a long debate";
    let night1 = [
        ("a1", oil.to_owned()),
        ("a2", format!("{oil} again")),
        ("b1", "Wheat harvest hit by drought in the southern provinces".to_owned()),
    ];
    let night2 = [
        ("c1", format!("{oil} on Monday")),
        ("d1", budget.to_owned()),
        ("a1", oil.to_owned()),
        ("d2", format!("{budget} on Monday")),
        ("e1", "Museum returns stolen paintings to their owners".to_owned()),
    ];
    let line =
        |(id, text): &(&str, String)| format!("{{\"text\":  \"{text}\", \"id\": \"{id}\"}}\n");
    let csv_row = |(id, text): &(&str, String)| format!("\"{id}\",\"{text}\"\r\n");
    let jsonl = |rows: &[(&str, String)]| rows.iter().map(line).collect::<String>();
    let csv = |rows: &[(&str, String)]| {
        format!("\u{FEFF}\"id\",\"text\"\r\n{}", rows.iter().map(csv_row).collect::<String>())
    };
    std::fs::write(d.join("night1.jsonl"), jsonl(&night1)).unwrap();
    std::fs::write(d.join("night2.jsonl"), jsonl(&night2)).unwrap();
    std::fs::write(d.join("night1.csv"), csv(&night1)).unwrap();
    std::fs::write(d.join("night2.csv"), csv(&night2)).unwrap();
    let new_ones = [night2[1].clone(), night2[4].clone()];
    for (ext, want) in [("jsonl", jsonl(&new_ones)), ("csv", csv(&new_ones))] {
        let ix = format!("ix-{ext}");
        ok(d, &["index", "create", &ix, "-q"]);
        let first =
            ok(d, &["index", "add", &ix, &format!("night1.{ext}"), "--new", "n1", "-o", "a1"]);
        assert!(stderr(&first).contains("2 new records written to n1"), "{}", stderr(&first));
        let new = format!("new.{ext}");
        ok(d, &["index", "add", &ix, &format!("night2.{ext}"), "--new", &new, "-o", "a2"]);
        let got = std::fs::read_to_string(d.join(&new)).unwrap();
        assert_eq!(got, want, "{ext}");
        // Run again: every id is stored, nothing is new; a table keeps its header row.
        ok(d, &["index", "add", &ix, &format!("night2.{ext}"), "--new", &new, "-o", "a3"]);
        let again = std::fs::read_to_string(d.join(&new)).unwrap();
        assert_eq!(again, if ext == "csv" { "\u{FEFF}\"id\",\"text\"\r\n" } else { "" });
    }
    // An output that cannot hold the inputs' rows is refused before anything is added.
    ok(d, &["index", "create", "ix-x", "-q"]);
    let out = xdedup(d, &["index", "add", "ix-x", "night1.jsonl", "--new", "new.csv"], None);
    assert_eq!(out.status.code(), Some(2));
    let want = "night1.jsonl: index add --new writes a table (new.csv) only from CSV or TSV inputs";
    assert!(stderr(&out).contains(want), "{}", stderr(&out));
    assert_eq!(stat(d, "ix-x")["documents"], 0);
}

/// A night's add that fails part-way (here `--strict` at a damaged record, after its first
/// batches were committed), run again once the file is mended, lists in `--new` the same
/// records as an unbroken run: the records the failed run committed are skipped, and those of
/// them that started a story are still tonight's new ones.
#[test]
fn add_new_run_again_after_a_failure_lists_what_an_unbroken_run_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line = |id: &str, text: &str| format!("{{\"id\": \"{id}\", \"text\": \"{text}\"}}\n");
    let oil = "Oil prices rise after producers agree to extend output cuts";
    std::fs::write(d.join("night1.jsonl"), line("a1", oil)).unwrap();
    let night2 = [
        line("b1", "Wheat harvest hit by drought in the southern provinces"),
        line("a2", &format!("{oil} again")),
        line("c1", "Parliament passes the annual budget bill after a long debate"),
        line("b2", "Wheat harvest hit by drought in the southern provinces again"),
        line("d1", "Museum returns stolen paintings to their owners"),
        line("c2", "Parliament passes the annual budget bill after a long debate on Monday"),
    ];
    let mended = night2.concat();
    let damaged =
        format!("{}{{\"id\": \"x\", \"text\": \n{}", night2[..4].concat(), night2[4..].concat());
    let add2 = ["index", "add", "ix", "night2.jsonl", "--batch-size", "2", "--strict"];
    let with = |extra: &[&'static str]| [&add2[..], extra].concat();

    // The unbroken run.
    ok(d, &["index", "create", "whole", "-q"]);
    ok(d, &["index", "add", "whole", "night1.jsonl", "-q"]);
    std::fs::write(d.join("night2.jsonl"), &mended).unwrap();
    let mut whole = with(&["--new", "whole.jsonl", "-q"]);
    whole[2] = "whole";
    ok(d, &whole);
    let want = std::fs::read_to_string(d.join("whole.jsonl")).unwrap();
    assert_eq!(want, [&night2[0][..], &night2[2], &night2[4]].concat());

    // The same night cut short after its first two batches, then run again.
    ok(d, &["index", "create", "ix", "-q"]);
    ok(d, &["index", "add", "ix", "night1.jsonl", "-q"]);
    std::fs::write(d.join("night2.jsonl"), &damaged).unwrap();
    let failed = xdedup(d, &with(&["--new", "new.jsonl"]), None);
    assert_ne!(failed.status.code(), Some(0), "{}", stderr(&failed));
    assert_eq!(stat(d, "ix")["documents"], 5);
    let unfinished = stat(d, "ix")["unfinished_add"].clone();
    assert!(unfinished[0].as_str().unwrap().ends_with("night2.jsonl"), "{unfinished}");
    std::fs::write(d.join("night2.jsonl"), &mended).unwrap();
    let again = ok(d, &with(&["--new", "new.jsonl"]));
    assert!(
        stderr(&again).contains("going on with the add of these inputs that did not finish"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(d.join("new.jsonl")).unwrap(), want);
    // It finished: the same add once more is a new night, with nothing new in it.
    let once_more = ok(d, &with(&["--new", "new.jsonl"]));
    assert!(!stderr(&once_more).contains("did not finish"), "{}", stderr(&once_more));
    assert_eq!(stat(d, "ix")["unfinished_add"], serde_json::Value::Null);
    assert_eq!(std::fs::read_to_string(d.join("new.jsonl")).unwrap(), "");

    // Cut short again, then another file added: the unfinished add is named, not resumed.
    std::fs::write(d.join("night3.jsonl"), line("e1", "Comet passes close to the earth")).unwrap();
    std::fs::write(
        d.join("night3b.jsonl"),
        format!("{}{{\"id\": \"y\", \"text\": \n", line("f1", "Flood waters rise in the valley")),
    )
    .unwrap();
    let cut =
        xdedup(d, &["index", "add", "ix", "night3b.jsonl", "--batch-size", "1", "--strict"], None);
    assert_ne!(cut.status.code(), Some(0), "{}", stderr(&cut));
    let other = ok(d, &["index", "add", "ix", "night3.jsonl", "--new", "n3.jsonl"]);
    assert!(
        stderr(&other).contains("warning: an add of ")
            && stderr(&other).contains("night3b.jsonl did not finish"),
        "{}",
        stderr(&other)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("n3.jsonl")).unwrap(),
        line("e1", "Comet passes close to the earth")
    );
}

/// Times in different forms (a feed's RFC 2822 dates, seconds and milliseconds since 1970, ISO
/// times with an offset) are compared as the moments they are: compared as text, `1577836800`
/// (2020) sorts before `2019-…` and RFC 2822 dates sort by the day's name.
#[test]
fn remove_older_than_compares_times_as_moments_whatever_their_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = [
        ("old-epoch", serde_json::json!(1_500_000_000)), // 2017-07-14
        ("new-epoch", serde_json::json!(1_577_836_800)), // 2020-01-01T00:00:00Z
        ("old-ms", serde_json::json!("1262304000000")),  // 2010-01-01, milliseconds
        ("old-feed", serde_json::json!("Sun, 31 Dec 2017 23:00:00 GMT")),
        ("new-feed", serde_json::json!("Fri, 03 Jan 2020 09:00:00 +0300")),
        ("old-offset", serde_json::json!("2020-01-01T01:00:00+03:00")), // 2019-12-31T22:00Z
        ("new-iso", serde_json::json!("2020-01-01 00:00:00")),
        ("old-dmy", serde_json::json!("31/12/2017 23:00")),
        ("unread", serde_json::json!("05/07/2017")), // the 5th of July or the 7th of May?
        ("old-hijri", serde_json::json!("10 ربيع الآخر 1439 هـ")), // 2017-12-28
        ("new-hijri", serde_json::json!("8 جمادى الأولى 1441هـ")), // 2020-01-03
    ];
    let texts = [
        "flood waters rise in the river valley",
        "parliament passes the annual budget bill",
        "a comet passes close to the earth tonight",
        "the national team wins the football final",
        "new vaccine trial shows promising results",
        "stock markets fall on trade worries",
        "wildfire forces thousands from their homes",
        "museum returns stolen paintings to owners",
        "bridge reopens after two years of repairs",
        "the central bank holds interest rates steady",
        "astronauts return safely from the space station",
    ];
    let jsonl: Vec<serde_json::Value> = rows
        .iter()
        .zip(texts)
        .map(|((id, t), text)| serde_json::json!({"id": id, "text": text, "time": t}))
        .collect();
    write_jsonl(&d.join("mixed.jsonl"), &jsonl);
    ok(d, &["index", "create", "ix"]);
    ok(d, &["index", "add", "ix", "mixed.jsonl", "--time-field", "time", "-o", "a.jsonl"]);
    let out = ok(d, &["index", "remove", "ix", "--older-than", "2020-01-01"]);
    let err = stderr(&out);
    assert!(err.contains("removed 6 documents"), "{err}");
    assert!(err.contains("1 document kept: its time is not a date or time xdedup reads"), "{err}");
    let left: BTreeSet<String> = exported(d, "ix").into_keys().collect();
    let expected = ["new-epoch", "new-feed", "new-hijri", "new-iso", "unread"];
    assert_eq!(left, expected.iter().map(|s| s.to_string()).collect());
    // Added --day-first, the date whose day and month could be either is read, and goes too.
    ok(d, &["index", "create", "ix-dmy"]);
    ok(d, &["index", "add", "ix-dmy", "mixed.jsonl", "--time-field", "time", "--day-first", "-q"]);
    // A cut whose day and month could be either is refused, or read as the flag says.
    let out = xdedup(d, &["index", "remove", "ix-dmy", "--older-than", "01/12/2017"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("give --day-first or --month-first"), "{}", stderr(&out));
    let cut = ["index", "remove", "ix-dmy", "--older-than", "01/12/2017", "--month-first"];
    let out = ok(d, &cut); // January 12th: only old-ms (2010) is older
    assert!(stderr(&out).contains("removed 1 document "), "{}", stderr(&out));
    // The cut as a Hijri date: 6 Jumada al-Awwal 1441 is 2020-01-01.
    let out = ok(d, &["index", "remove", "ix-dmy", "--older-than", "6 جمادى الأولى 1441 هـ"]);
    assert!(stderr(&out).contains("removed 6 documents"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("kept"), "{}", stderr(&out));
    // A cut that is not a time is refused, and nothing goes.
    let out = xdedup(d, &["index", "remove", "ix", "--older-than", "last week"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"last week\": not a time xdedup reads"), "{}", stderr(&out));
    assert_eq!(exported(d, "ix").len(), 5);
    // A batch added without --time-field has no times to compare: its documents are kept, and
    // said to be (a retention job would otherwise remove nothing in silence).
    let untimed = [
        serde_json::json!({"id": "u1", "text": "glacier retreat measured by satellites", "time": 1}),
        serde_json::json!({"id": "u2", "text": "city council approves new tram line", "time": 1}),
    ];
    write_jsonl(&d.join("untimed.jsonl"), &untimed);
    ok(d, &["index", "add", "ix", "untimed.jsonl", "-o", "b.jsonl"]);
    let out = ok(d, &["index", "remove", "ix", "--older-than", "2020-01-01"]);
    let err = stderr(&out);
    assert!(err.contains("removed 0 documents"), "{err}");
    assert!(err.contains("2 documents kept: they were stored without a time"), "{err}");
    assert_eq!(exported(d, "ix").len(), 7);
}

fn ok_or_1(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = xdedup(dir, args, None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    out.stdout
}

/// Kills a real `index add` twenty times at scattered moments; every reopened index holds whole
/// batches only, and a re-run completes it.
#[test]
fn kill_9_during_add_leaves_whole_batches_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = og2021_by_time();
    let rows = &rows[..2000];
    write_jsonl(&d.join("all.jsonl"), rows);
    let n = rows.len();
    let mut cut_midway = 0;
    // Twenty kills at scattered moments (a fixed pseudo-random sequence, 5 to 700 ms).
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let delays: Vec<u64> = (0..20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            5 + x % 700
        })
        .collect();
    for (round, delay_ms) in delays.into_iter().enumerate() {
        let ix = format!("ix{round}");
        ok(d, &["index", "create", &ix]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xdedup"))
            .env_remove("XDEDUP_MODEL")
            .args([
                "index",
                "add",
                &ix,
                "all.jsonl",
                "--batch-size",
                "250",
                "-q",
                "-o",
                "out.jsonl",
            ])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let docs = stat(d, &ix)["documents"].as_u64().unwrap() as usize;
        assert!(
            docs.is_multiple_of(250) || docs == n,
            "round {round}: {docs} documents is not whole batches"
        );
        eprintln!("round {round}: killed after {delay_ms} ms holding {docs} of {n} documents");
        cut_midway += (docs > 0 && docs < n) as usize;
        let held = exported(d, &ix);
        assert_eq!(held.len(), docs);
        // The ids held are exactly the first batches of the input.
        let want: BTreeSet<String> = rows[..docs].iter().map(id_of).collect();
        assert_eq!(held.keys().cloned().collect::<BTreeSet<_>>(), want, "round {round}");
        // The re-run skips them and adds the rest.
        let out = ok(d, &["index", "add", &ix, "all.jsonl", "-o", "rerun.jsonl"]);
        assert!(stderr(&out).contains(&format!("{docs} skipped")), "{}", stderr(&out));
        assert_eq!(exported(d, &ix).len(), n);
    }
    assert!(cut_midway > 0, "no kill landed between two commits");
}

/// A nightly `index add` stopped by a signal (Ctrl-C, a scheduler's timeout) leaves none of
/// its outputs' temporary files behind, and dies of the signal; a signal the run was started
/// with ignored (`nohup`'s SIGHUP) stays ignored.
#[test]
fn a_signal_during_add_leaves_no_temporary_output() {
    use std::io::Write;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["index", "create", "ix"]);
    for (signal, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGINT, "SIGINT")] {
        let mut add = Command::new(env!("CARGO_BIN_EXE_xdedup"));
        add.env_remove("XDEDUP_MODEL")
            .args(["index", "add", "ix", "-", "-q", "-o", "out.jsonl", "--rejects", "bad.jsonl"])
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            add.pre_exec(|| {
                libc::signal(libc::SIGHUP, libc::SIG_IGN);
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = add.spawn().unwrap();
        // Standard input stays open: the run waits for more records, its outputs created.
        let mut input = child.stdin.take().unwrap();
        writeln!(input, r#"{{"id": "a", "text": "the first record of the night"}}"#).unwrap();
        let temporary = || {
            std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect::<Vec<_>>()
        };
        let start = std::time::Instant::now();
        while temporary().len() < 2 {
            assert!(start.elapsed() < Duration::from_secs(60), "no output created");
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: signals a child of this process, still running (not waited for).
        unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
        std::thread::sleep(Duration::from_millis(200));
        assert!(child.try_wait().unwrap().is_none(), "{name}: an ignored SIGHUP ended the run");
        // SAFETY: as above.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(signal), "{name}: {status:?}");
        assert_eq!(temporary(), Vec::<String>::new(), "{name}");
        assert!(!d.join("out.jsonl").exists() && !d.join("bad.jsonl").exists(), "{name}");
        drop(input);
    }
}

#[test]
fn readers_work_while_an_add_is_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = og2021_by_time();
    write_jsonl(&d.join("all.jsonl"), &rows);
    ok(d, &["index", "create", "ix"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_xdedup"))
        .env_remove("XDEDUP_MODEL")
        .args(["index", "add", "ix", "all.jsonl", "--batch-size", "300", "-q", "-o", "out.jsonl"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let text = rows[0]["text"].as_str().unwrap();
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        seen.push(stat(d, "ix")["documents"].as_u64().unwrap());
        ok_or_1(d, &["index", "query", "ix", text]);
    }
    assert!(child.wait().unwrap().success());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen.len() >= 2, "the add finished before a reader ran: {seen:?}");
    assert_eq!(stat(d, "ix")["documents"].as_u64().unwrap() as usize, rows.len());
}

/// An index written by format version 2, kept in the repository: if the layout changes, this
/// fails until the version is bumped and the frozen copy refreshed on purpose. Format 3 has
/// the same layout (see `FORMAT_VERSION`): a format-2 index opens and grows in its format.
#[test]
fn frozen_index_of_the_current_format_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let frozen = root().join("tests/data/index-v2");
    std::fs::create_dir(d.join("ix")).unwrap();
    std::fs::copy(frozen.join("data.mdb"), d.join("ix/data.mdb")).unwrap();
    let s = stat(d, "ix");
    assert_eq!(s["format"], 2);
    assert_eq!(s["documents"], 28);
    // It was made before the time window: it goes on without one, as it was created.
    assert!(s["settings"].as_array().unwrap().contains(&serde_json::json!(["window", "off"])));
    let want = std::fs::read_to_string(frozen.join("export.jsonl")).unwrap();
    let out = ok(d, &["index", "export", "ix"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    // Still accepts batches: the sample again is all skipped.
    let out = ok(d, &["index", "add", "ix", &sample(), "-o", "again.jsonl"]);
    assert!(stderr(&out).contains("28 skipped"), "{}", stderr(&out));
    assert_eq!(stat(d, "ix")["format"], 2);
}

/// Version 1 stored band keys of the previous sketch (ProbMinHash run feature by feature), which
/// new documents would not meet: it is refused with what to do, and left as it was.
#[test]
fn an_index_of_an_older_format_is_refused_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("old")).unwrap();
    let old = d.join("old/data.mdb");
    std::fs::copy(root().join("tests/data/index-v1/data.mdb"), &old).unwrap();
    let before = std::fs::read(&old).unwrap();
    for args in [
        vec!["index", "stats", "old"],
        vec!["index", "query", "old", "Flood waters rise in the capital"],
        vec!["index", "add", "old", &sample(), "-o", "out.jsonl"],
    ] {
        let out = xdedup(d, &args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("has format version 1; this xdedup reads versions 2 to 3")
                && err.contains("rebuild the index"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read(&old).unwrap(), before, "the old index was changed");
}

/// Random bit flips in a real index file: every command ends with status 0, 1 or 2, never a
/// crash or a panic, and never prints a document the index did not hold.
#[test]
fn bit_flips_in_the_index_file_never_crash_or_invent_documents() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let frozen = root().join("tests/data/index-v2");
    let bytes = std::fs::read(frozen.join("data.mdb")).unwrap();
    let known: BTreeSet<String> = json_lines(&std::fs::read(frozen.join("export.jsonl")).unwrap())
        .iter()
        .map(id_of)
        .collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut failed = 0;
    for trial in 0..40 {
        let mut damaged = bytes.clone();
        for _ in 0..[1, 8, 64][trial % 3] {
            let i = (next() % damaged.len() as u64) as usize;
            damaged[i] ^= 1 << (next() % 8);
        }
        let ix = format!("ix{trial}");
        std::fs::create_dir(d.join(&ix)).unwrap();
        std::fs::write(d.join(&ix).join("data.mdb"), &damaged).unwrap();
        for args in [
            vec!["index", "export", ix.as_str()],
            vec!["index", "query", ix.as_str(), "Flood waters rise in the capital"],
            vec!["index", "stats", ix.as_str()],
        ] {
            let out = xdedup(d, &args, None);
            let code = out.status.code();
            assert!(matches!(code, Some(0..=2)), "trial {trial} {args:?}: {:?}", out.status);
            assert!(!stderr(&out).contains("panicked"), "trial {trial}: {}", stderr(&out));
            failed += (code == Some(2)) as usize;
            if args[1] == "export" && code == Some(0) {
                for r in json_lines(&out.stdout) {
                    assert!(known.contains(&id_of(&r)), "trial {trial}: invented {r}");
                }
            }
        }
    }
    assert!(failed > 0, "no damage was ever noticed");
}

#[test]
fn a_damaged_index_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["index", "create", "ix"]);
    std::fs::write(d.join("ix/data.mdb"), b"not an LMDB file at all").unwrap();
    let out = xdedup(d, &["index", "stats", "ix"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("index ix"), "{}", stderr(&out));
}

/// Every file `index add` and `index export` write takes a `.parquet` name: the moves and the
/// rejects files too (they failed at their first row before, after the batch was committed),
/// with the rows their JSON lines hold.
#[cfg(feature = "parquet")]
#[test]
fn moves_rejects_and_exports_are_written_as_parquet_when_so_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<serde_json::Value> = og2021_by_time().into_iter().take(1200).collect();
    write_jsonl(&d.join("first.jsonl"), &rows[..600]);
    let mut second = rows[600..].to_vec();
    second.push(serde_json::json!({"id": "bad", "body": "no text field"}));
    write_jsonl(&d.join("second.jsonl"), &second);
    // Parquet rows, as JSON values with the columns given.
    let parquet_rows = |name: &str, columns: &[&str]| -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned).unwrap_or(v.to_string());
        xdedup::io::parquet::read(
            &d.join(name),
            columns[0],
            columns[1],
            Some(columns[2]),
            None,
            None,
            &mut |r| {
                let title = r.title.map(str::to_owned).unwrap_or_default();
                rows.push(vec![text(r.id.as_ref().unwrap()), r.text.unwrap().to_owned(), title]);
                true
            },
        )
        .unwrap();
        rows
    };
    let json_rows = |name: &str, columns: &[&str]| -> Vec<Vec<String>> {
        json_lines(&std::fs::read(d.join(name)).unwrap())
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| r[c].as_str().map(str::to_owned).unwrap_or(r[c].to_string()))
                    .collect()
            })
            .collect()
    };
    for (ix, ext) in [("a", "jsonl"), ("b", "parquet")] {
        ok(d, &["index", "create", ix]);
        ok(d, &["index", "add", ix, "first.jsonl"]);
        let (moves, rejects) = (format!("moves.{ext}"), format!("rejects.{ext}"));
        let args = ["index", "add", ix, "second.jsonl", "--moves", &moves, "--rejects", &rejects];
        ok(d, &[&args[..], &["-o", &format!("out.{ext}"), "-q"]].concat());
        ok(d, &["index", "export", ix, "-o", &format!("export.{ext}")]);
    }
    let moves = json_rows("moves.jsonl", &["id", "from", "to"]);
    assert!(!moves.is_empty());
    assert_eq!(parquet_rows("moves.parquet", &["id", "from", "to"]), moves);
    let rejected = json_rows("rejects.jsonl", &["id", "rejected", "file"]);
    assert_eq!(rejected.len(), 1);
    assert_eq!(parquet_rows("rejects.parquet", &["id", "rejected", "file"]), rejected);
    let export = json_rows("export.jsonl", &["id", "cluster", "cluster"]);
    assert_eq!(export.len(), 1200);
    assert_eq!(parquet_rows("export.parquet", &["id", "cluster", "cluster"]), export);
}
