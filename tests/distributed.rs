#![cfg(feature = "timely")]
//! `cluster --engine timely` (and `dedup`, `pairs`): the batch job in two real processes over
//! loopback TCP gives the stories (kept rows, pairs) of the single-process job; a failed process ends the run with an error, never a
//! hang or an output that looks complete.

mod util;

use std::io::{BufRead, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use util::{encoder_model, json_lines, shared, stderr, xdedup};
use xdedup::eval::metrics::cluster_scores;

/// A hostfile for `n` processes on free loopback ports.
fn hostfile(dir: &Path, n: usize) -> PathBuf {
    let listeners: Vec<TcpListener> =
        (0..n).map(|_| TcpListener::bind("127.0.0.1:0").expect("a free port")).collect();
    let lines: Vec<String> = listeners
        .iter()
        .map(|l| format!("127.0.0.1:{}", l.local_addr().expect("address").port()))
        .collect();
    let path = dir.join("hosts");
    std::fs::write(&path, lines.join("\n") + "\n").expect("hostfile");
    path
}

fn spawn(dir: &Path, args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xdedup"))
        .env_remove("XDEDUP_MODEL")
        .env_remove("XDEDUP_LEXICON")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xdedup runs")
}

/// Waits for `child`, at most `limit`: a run that hangs fails the test instead of the suite.
fn wait(child: &mut Child, limit: Duration) -> (i32, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("an xdedup process still runs after {limit:?}: the run hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The command line of process `p` of `n` (× 1 worker) running `command` (`cluster` or
/// `dedup`) on `inputs` into `out`.
fn timely_args(
    command: &str,
    n: usize,
    p: usize,
    hosts: &Path,
    out: &Path,
    extra: &[&str],
    inputs: &[&Path],
) -> Vec<String> {
    let mut args: Vec<String> =
        [command, "--engine", "timely", "-n"].iter().map(|s| s.to_string()).collect();
    args.extend([n.to_string(), "-p".into(), p.to_string(), "-h".into()]);
    args.extend([hosts.display().to_string(), "-o".into(), out.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args
}

/// `cluster` in `n` processes × 1 worker over loopback; returns the output's rows.
fn cluster_processes(dir: &Path, n: usize, inputs: &[&Path], extra: &[&str]) -> Vec<u8> {
    processes_into(dir, "cluster", &format!("out-{n}.jsonl"), n, inputs, extra)
}

/// `command` in `n` processes × 1 worker over loopback, into the output file `name` (its
/// extension picks the format); returns its bytes.
fn processes_into(
    dir: &Path,
    command: &str,
    name: &str,
    n: usize,
    inputs: &[&Path],
    extra: &[&str],
) -> Vec<u8> {
    let hosts = hostfile(dir, n);
    let out = dir.join(name);
    let mut children: Vec<Child> = (0..n)
        .map(|p| spawn(dir, &timely_args(command, n, p, &hosts, &out, extra, inputs)))
        .collect();
    for (p, c) in children.iter_mut().enumerate() {
        let (code, err) = wait(c, Duration::from_secs(600));
        assert_eq!(code, 0, "process {p}: {err}");
    }
    std::fs::read(&out).expect("the merged output")
}

/// `command` in this process, on the local engine; returns its standard output.
fn single(dir: &Path, command: &str, inputs: &[&Path], extra: &[&str]) -> Vec<u8> {
    let mut args = vec![command, "-q"];
    args.extend_from_slice(extra);
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(inputs.iter().map(String::as_str));
    let o = xdedup(dir, &args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    o.stdout
}

/// Adjusted Rand index between the stories of two outputs of the same input.
fn agreement(a: &[u8], b: &[u8]) -> f64 {
    let (a, b) = (json_lines(a), json_lines(b));
    assert_eq!(a.len(), b.len());
    let ids = |rows: &[serde_json::Value]| -> Vec<String> {
        rows.iter().map(|r| r["id"].to_string()).collect()
    };
    assert_eq!(ids(&a), ids(&b), "the same records in the same order");
    let story = |rows: &[serde_json::Value]| -> Vec<String> {
        rows.iter().map(|r| r["cluster"].to_string()).collect()
    };
    cluster_scores(&story(&a), &story(&b)).ari
}

/// FreeDict's Arabic–English dictionary (`scripts/test.sh` installs it).
fn freedict() -> PathBuf {
    let p = PathBuf::from("/usr/share/dictd/freedict-ara-eng.index");
    assert!(p.exists(), "{} not found: apt-get install dict-freedict-ara-eng", p.display());
    p
}

#[test]
fn the_pivot_stage_with_a_lexicon_gives_the_single_process_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lexicon = freedict().display().to_string();
    // UN documents in six languages: cross-language links from names, numbers, translations.
    let un = shared("eval/un-v1-docs.jsonl");
    let args = ["--lexicon", lexicon.as_str(), "--max-bucket", "100000"];
    let one = single(dir.path(), "cluster", &[&un], &args);
    let two = cluster_processes(dir.path(), 2, &[&un], &args);
    assert!(one == two, "UN with FreeDict: 2 processes differ from 1");
    // The seed: the English sentence joins the Arabic article it reports.
    let seed = shared("seed/seed-stories.jsonl");
    let rows = json_lines(&cluster_processes(dir.path(), 2, &[&seed], &["--lexicon", &lexicon]));
    let story = |id: &str| rows.iter().find(|r| r["id"] == id).expect(id)["cluster"].clone();
    assert_eq!(story("nk-troops-en"), story("nk-troops-ar"));
    assert_ne!(story("nk-tweet"), story("nk-troops-ar"));
}

/// Frequencies over stories: the first stories, the (feature, story) counts, the edges scored
/// again and the second clustering, across two processes, give one process's output.
#[test]
fn story_frequencies_in_two_processes_give_the_single_process_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gold = shared("eval/og2021-titles.jsonl");
    let args = ["--story-idf", "--max-bucket", "100000"];
    let one = single(dir.path(), "cluster", &[&gold], &args);
    let two = cluster_processes(dir.path(), 2, &[&gold], &args);
    assert!(one == two, "--story-idf: 2 processes differ from 1");
    let plain = single(dir.path(), "cluster", &[&gold], &args[1..]);
    assert!(one != plain, "--story-idf changed nothing");
}

#[test]
fn og2021_in_two_processes_gives_the_single_process_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gold = shared("eval/og2021-titles.jsonl");
    // Defaults, so with the pivot stage (OG2021 is in nine languages). Without sampled buckets
    // every stage is exact: byte-identical output.
    // The review report too: the same page (723 stories of two or more, 500 shown).
    let (d, one_report, two_report) = (dir.path(), "--report=one.html", "--report=two.html");
    let one = single(d, "cluster", &[&gold], &["--max-bucket", "100000", one_report]);
    let two = cluster_processes(d, 2, &[&gold], &["--max-bucket", "100000", two_report]);
    assert!(one == two, "2 processes differ from 1 without bucket sampling");
    let one = std::fs::read_to_string(d.join("one.html")).expect("the local report");
    let two = std::fs::read_to_string(d.join("two.html")).expect("the report");
    assert!(two.contains("223 smaller stories not shown"), "{}", &two[..2000]);
    assert!(one == two, "2 processes wrote another report than 1");
    // Defaults: buckets over 200 are sampled, per worker here; the stories agree all the same.
    let one = single(dir.path(), "cluster", &[&gold], &[]);
    let two = cluster_processes(dir.path(), 2, &[&gold], &[]);
    let ari = agreement(&one, &two);
    eprintln!("OG2021, defaults, 1 vs 2 processes: ARI {ari:.4}, identical: {}", one == two);
    assert!(ari >= 0.99, "ARI {ari}");
    // No part file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("parts"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Parquet in and out: the merged output is the local engine's file, byte for byte.
#[cfg(feature = "parquet")]
#[test]
fn parquet_in_two_processes_gives_the_single_process_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    util::og2021_parquet(&d.join("og.parquet"));
    same_parquet_file(d, "cluster", &d.join("og.parquet"), &["--max-bucket", "100000"]);
}

/// `command` on `input` into Parquet in this process and in two: the two files must be one.
#[cfg(feature = "parquet")]
fn same_parquet_file(d: &Path, command: &str, input: &Path, args: &[&str]) {
    let mut local = vec![command, "-q", "-o", "one.parquet"];
    local.extend_from_slice(args);
    local.push(input.to_str().expect("path"));
    let o = xdedup(d, &local, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let one = std::fs::read(d.join("one.parquet")).expect("the local output");
    let two = processes_into(d, command, "two.parquet", 2, &[input], args);
    assert!(one.starts_with(b"PAR1") && one.len() > 10_000, "{command}: {} bytes", one.len());
    assert!(one == two, "{command}: 2 processes wrote another Parquet file than 1");
}

/// `dedup` in two processes keeps the rows one process keeps, under every rule, each row as
/// it was read.
#[test]
fn dedup_in_two_processes_keeps_the_single_process_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let gold = shared("eval/og2021-titles.jsonl");
    let lines: std::collections::HashSet<String> =
        std::fs::read_to_string(&gold).expect("gold").lines().map(str::to_owned).collect();
    // With times read, the time window parts stories in both engines.
    let exact = ["--max-bucket", "100000", "--time-field", "time"];
    let stories: std::collections::HashSet<String> =
        json_lines(&single(d, "cluster", &[&gold], &exact))
            .iter()
            .map(|r| r["cluster"].to_string())
            .collect();
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for keep in ["first", "longest", "earliest", "central"] {
        let args = ["--max-bucket", "100000", "--time-field", "time", "--keep", keep];
        let one = single(d, "dedup", &[&gold], &args);
        let two = processes_into(d, "dedup", "two.jsonl", 2, &[&gold], &args);
        assert!(one == two, "--keep {keep}: 2 processes kept other rows than 1");
        let rows = std::str::from_utf8(&two).expect("UTF-8");
        assert_eq!(rows.lines().count(), stories.len(), "--keep {keep}: one row per story");
        assert!(rows.lines().all(|l| lines.contains(l)), "--keep {keep}: rows as they were read");
        assert!(!kept.contains(&two), "--keep {keep} kept the rows of another rule");
        kept.push(two);
    }
}

/// A near-copy printed weeks later joins its first printing's story and keeps the story whole
/// (`cli::a_late_near_copy_keeps_its_story_whole`): in two processes, where the window is
/// applied at each component's owner, as in one.
#[test]
fn a_late_near_copy_in_two_processes_keeps_the_single_process_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let news = [
        ("a", "2024-01-01T08:00:00Z", "Heavy rain floods streets in Jeddah as schools close"),
        ("b", "2024-01-01T20:00:00Z", "Jeddah streets flooded after heavy rain, schools shut"),
        ("c", "2024-01-20T09:00:00Z", "Heavy rain floods Jeddah streets again"),
        ("d", "2024-02-01T09:00:00Z", "Heavy rain floods streets in Jeddah as all schools close"),
        ("e", "2024-01-02T09:00:00Z", "Central bank raises interest rates by half a point"),
        ("f", "2024-01-03T09:00:00Z", "Oil prices fall as demand weakens in Asia"),
    ];
    let rows: Vec<String> = news
        .iter()
        .map(|(id, t, text)| serde_json::json!({"id": id, "t": t, "text": text}).to_string())
        .collect();
    let input = d.join("news.jsonl");
    std::fs::write(&input, rows.join("\n") + "\n").expect("input");
    let one = single(d, "cluster", &[&input], &["--time-field", "t"]);
    let two = cluster_processes(d, 2, &[&input], &["--time-field", "t"]);
    assert!(one == two, "2 processes differ from 1");
    let story = |id: &str| {
        let rows = json_lines(&two);
        rows.iter().find(|r| r["id"] == id).expect("the row")["cluster"].clone()
    };
    assert!(story("b") == story("a") && story("d") == story("a"));
    assert_ne!(story("c"), story("a"));
}

/// CSV in two processes: the header row once, records that span lines kept whole, a
/// malformed record reported as one process reports it.
#[test]
fn dedup_of_csv_in_two_processes_writes_the_single_process_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rows = json_lines(&std::fs::read(shared("eval/og2021-titles.jsonl")).expect("gold"));
    let mut csv = String::from("id,text\n");
    for (i, r) in rows.iter().take(600).enumerate() {
        let mut text = r["text"].as_str().expect("text").replace('"', "\"\"");
        if i % 7 == 0 {
            text = text.replacen(' ', "\n", 1);
        }
        csv += &format!("{},\"{text}\"\n", r["id"].as_str().expect("id"));
        if i == 300 {
            csv += "short-row\n";
        }
    }
    let input = d.join("titles.csv");
    std::fs::write(&input, &csv).expect("csv");
    let one = single(d, "dedup", &[&input], &["--rejects", "one.rej"]);
    let two = processes_into(d, "dedup", "two.csv", 2, &[&input], &["--rejects", "two.rej"]);
    assert!(one == two, "2 processes wrote another table than 1");
    let table = std::str::from_utf8(&two).expect("UTF-8");
    assert!(table.starts_with("id,text\n") && table.matches("id,text").count() == 1);
    // The first record spans two lines, and is its story's first.
    let first = rows[0]["text"].as_str().expect("text").replacen(' ', "\n", 1);
    assert!(table.contains(&format!("\"{first}\"\n")), "{table}");
    assert!(table.lines().count() > 100, "{} lines", table.lines().count());
    let (r1, r2) = (std::fs::read(d.join("one.rej")), std::fs::read(d.join("two.rej")));
    let rejected = r2.expect("the rejections");
    assert_eq!(r1.expect("the local rejections"), rejected);
    let rejected = json_lines(&rejected);
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["id"], "short-row");
}

/// Parquet in and out: the kept rows with all their columns, as one process writes them.
#[cfg(feature = "parquet")]
#[test]
fn dedup_of_parquet_in_two_processes_writes_the_single_process_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    util::og2021_parquet(&d.join("og.parquet"));
    let args = ["--max-bucket", "100000", "--keep", "longest"];
    same_parquet_file(d, "dedup", &d.join("og.parquet"), &args);
}

/// Inputs that make no one table stop every process with the local engine's message.
#[test]
fn dedup_of_a_table_and_json_lines_in_two_processes_fails_in_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("a.csv"), "id,text\n1,one story here\n2,another story there\n")
        .expect("csv");
    let (csv, seed) = (d.join("a.csv"), shared("seed/seed-stories.jsonl"));
    let hosts = hostfile(d, 2);
    // Named `.csv`, the output would refuse the JSON Lines input by its name before the run;
    // named as no format, the mix is found once the workers have read.
    let out = d.join("out.txt");
    let mut children: Vec<Child> = (0..2)
        .map(|p| spawn(d, &timely_args("dedup", 2, p, &hosts, &out, &[], &[&csv, &seed])))
        .collect();
    for (p, c) in children.iter_mut().enumerate() {
        let (code, err) = wait(c, Duration::from_secs(120));
        assert_eq!(code, 2, "process {p}: {err}");
        assert!(err.contains("seed-stories.jsonl: not CSV or TSV"), "process {p}: {err}");
    }
    assert!(!out.exists(), "an output was written");
}

/// `pairs` in two processes lists the pairs one process lists, in the same order, copies and
/// all; rejected records are reported, not listed.
#[test]
fn pairs_in_two_processes_lists_the_single_process_pairs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let gold = shared("eval/og2021-titles.jsonl");
    let extra = d.join("extra.jsonl");
    std::fs::write(
        &extra,
        "{\"id\": \"empty\", \"text\": \"…\"}\n\
         {\"id\": \"copy\", \"text\": \"Iran's Basketball Team Held At Airport Over 'Unauthorized Food Items'\"}\n",
    )
    .expect("extra");
    let inputs: [&Path; 2] = [&gold, &extra];
    for args in [&["--max-bucket", "100000"][..], &["--max-bucket", "100000", "--every-copy"]] {
        let rejects: Vec<&str> = [args, &["--rejects", "one.rej"]].concat();
        let one = single(d, "pairs", &inputs, &rejects);
        let rejects: Vec<&str> = [args, &["--rejects", "two.rej"]].concat();
        let two = processes_into(d, "pairs", "two.jsonl", 2, &inputs, &rejects);
        assert!(one == two, "{args:?}: 2 processes listed other pairs than 1");
        let rows = json_lines(&two);
        assert!(rows.len() > 10_000, "{args:?}: {} pairs", rows.len());
        let copy = rows.iter().find(|r| r["b"] == "copy").expect("the copy is paired");
        assert_eq!((&copy["a"], copy["score"].as_f64()), (&"6628239427".into(), Some(1.0)));
        let rejected = std::fs::read(d.join("two.rej")).expect("the rejections");
        assert_eq!(std::fs::read(d.join("one.rej")).expect("the local rejections"), rejected);
        assert_eq!(json_lines(&rejected)[0]["id"], "empty");
    }
    // As Parquet: the same file.
    #[cfg(feature = "parquet")]
    same_parquet_file(d, "pairs", &gold, &["--max-bucket", "100000"]);
}

/// With the sentence encoder: embeddings made where each node is, semantic candidates in
/// their own buckets, vectors shipped with the sets; stories and pairs as one process finds
/// them, and the encoder changes them.
#[test]
fn the_sentence_encoder_in_two_processes_gives_the_single_process_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let gold = std::fs::read_to_string(shared("eval/og2021-titles.jsonl")).expect("gold");
    let head: String = gold.lines().take(1500).map(|l| format!("{l}\n")).collect();
    let input = d.join("titles.jsonl");
    std::fs::write(&input, head).expect("titles");
    let model = encoder_model().display().to_string();
    let exact = ["--max-bucket", "100000"];
    let with_model = ["--max-bucket", "100000", "--model", &model];
    for command in ["cluster", "pairs"] {
        let one = single(d, command, &[&input], &with_model);
        let two = processes_into(d, command, "two.jsonl", 2, &[&input], &with_model);
        assert!(one == two, "{command}: 2 processes wrote other lines than 1");
        let lexical = single(d, command, &[&input], &exact);
        assert!(one != lexical, "{command}: the encoder changed nothing");
    }
}

/// A folder read one document per file: its files dealt between two processes give the
/// stories, kept rows and pairs of one process, bad files reported under their paths.
#[test]
fn a_folder_of_documents_in_two_processes_gives_the_single_process_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let rows = json_lines(&std::fs::read(shared("eval/og2021-titles.jsonl")).expect("gold"));
    let folder = d.join("news");
    for r in rows.iter().take(800) {
        let sub = folder.join(r["lang"].as_str().expect("lang"));
        std::fs::create_dir_all(&sub).expect("folder");
        let text = r["text"].as_str().expect("text").replacen(' ', "\n", 1);
        std::fs::write(sub.join(format!("{}.txt", r["id"].as_str().expect("id"))), text)
            .expect("file");
    }
    std::fs::write(folder.join("latin1.txt"), b"caf\xe9 au lait").expect("file");
    std::fs::write(folder.join("empty.txt"), b"  \n").expect("file");
    let inputs: [&Path; 1] = [&folder];
    let opts = ["--doc-per-file", "--max-bucket", "100000"];
    for command in ["cluster", "dedup", "pairs"] {
        let one = single(d, command, &inputs, &opts);
        let two = processes_into(d, command, "two.jsonl", 2, &inputs, &opts);
        assert!(one == two, "{command}: 2 processes wrote other lines than 1");
        let lines = json_lines(&two);
        match command {
            "cluster" => {
                assert_eq!(lines.len(), 802, "one line per file");
                let bad: Vec<&serde_json::Value> =
                    lines.iter().filter(|l| l["rejected"].is_string()).collect();
                assert_eq!(bad.len(), 2, "{bad:?}");
                assert_eq!(
                    (&bad[0]["id"], &bad[1]["id"]),
                    (&"empty.txt".into(), &"latin1.txt".into())
                );
                assert!(lines.iter().filter(|l| l["size"].as_u64() > Some(1)).count() > 100);
            }
            // Each kept file as a JSON line of its path and its whole text.
            "dedup" => assert!(lines.iter().any(|l| {
                let path = l["id"].as_str().expect("id");
                let text = std::fs::read_to_string(folder.join(path)).expect("the kept file");
                l["text"] == text.as_str() && text.contains('\n')
            })),
            _ => assert!(lines.len() > 100, "{} pairs", lines.len()),
        }
    }
}

/// `n` SaudiNewsNet articles, the corpus replayed with perturbations (each replay drops about
/// 5% of the words and swaps neighbours at about 2%), as JSON Lines.
fn replay(path: &Path, n: usize) {
    let gz = std::fs::File::open(shared("corpora/saudinewsnet.jsonl.gz")).expect("corpus");
    let articles: Vec<String> = std::io::BufReader::new(flate2::read::GzDecoder::new(gz))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.expect("line")).expect("json");
            v["text"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("replay file"));
    for i in 0..n {
        let (round, a) = (i / articles.len(), i % articles.len());
        let mut words: Vec<&str> = articles[a].split_whitespace().collect();
        if round > 0 {
            let h = |j: usize, salt: u64| {
                xxhash_rust::xxh3::xxh3_64_with_seed(
                    &(i as u64 * 1_000_003 + j as u64).to_le_bytes(),
                    salt,
                ) % 100
            };
            let mut kept: Vec<&str> =
                words.iter().enumerate().filter(|(j, _)| h(*j, 1) >= 5).map(|(_, w)| *w).collect();
            for j in 1..kept.len() {
                if h(j, 2) < 2 {
                    kept.swap(j - 1, j);
                }
            }
            words = kept;
        }
        let rec = serde_json::json!({ "id": format!("r{round}-{a}"), "text": words.join(" ") });
        writeln!(out, "{rec}").expect("write");
    }
    out.flush().expect("flush");
}

#[test]
fn saudinewsnet_replayed_to_100k_in_two_processes_gives_the_single_process_stories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("replay.jsonl");
    replay(&input, 100_000);
    let one = single(dir.path(), "cluster", &[&input], &[]);
    let two = cluster_processes(dir.path(), 2, &[&input], &[]);
    let ari = agreement(&one, &two);
    eprintln!(
        "SaudiNewsNet 100k replayed, 1 vs 2 processes: ARI {ari:.4}, identical: {}",
        one == two
    );
    assert!(ari >= 0.99, "ARI {ari}");
}

#[test]
fn a_killed_process_ends_the_run_with_an_error_and_no_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("replay.jsonl");
    replay(&input, 31_030);
    let hosts = hostfile(dir.path(), 2);
    let out = dir.path().join("out.jsonl");
    let args = |p: usize| timely_args("cluster", 2, p, &hosts, &out, &[], &[&input]);
    let mut first = spawn(dir.path(), &args(0));
    let mut second = spawn(dir.path(), &args(1));
    std::thread::sleep(Duration::from_millis(1500));
    second.kill().expect("kill");
    let _ = second.wait();
    let (code, err) = wait(&mut first, Duration::from_secs(120));
    assert_ne!(code, 0, "the survivor must fail: {err}");
    assert!(err.contains("distributed run failed"), "{err}");
    assert!(!out.exists(), "no output from a failed run");
    assert!(!dir.path().join(".out.jsonl.parts").exists(), "the parts folder is left behind");
}

#[test]
fn a_bad_record_under_strict_stops_every_process_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bad.jsonl");
    let mut lines: Vec<String> = (0..50)
        .map(|i| format!("{{\"id\":{i},\"text\":\"story number {i} about the weather\"}}"))
        .collect();
    lines[37] = "{\"id\":37,\"text\":".into();
    std::fs::write(&input, lines.join("\n") + "\n").expect("input");
    let hosts = hostfile(dir.path(), 2);
    let out = dir.path().join("out.jsonl");
    let mut children: Vec<Child> = (0..2)
        .map(|p| {
            let args = timely_args("cluster", 2, p, &hosts, &out, &["--strict"], &[&input]);
            spawn(dir.path(), &args)
        })
        .collect();
    for c in &mut children {
        let (code, err) = wait(c, Duration::from_secs(60));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("bad.jsonl:38"), "names file and line: {err}");
    }
    assert!(!out.exists());
    assert!(!dir.path().join(".out.jsonl.parts").exists(), "the parts folder is left behind");
    // Without --strict the record is reported in its place and the rest clustered.
    let rows = json_lines(&cluster_processes(dir.path(), 2, &[&input], &[]));
    assert_eq!(rows.len(), 50);
    assert!(rows[37]["rejected"].as_str().is_some_and(|r| r.contains("malformed")), "{}", rows[37]);
    // A missing input file: the rest clustered and written, the run's status 2 naming it.
    let missing = dir.path().join("nowhere.jsonl");
    let out = dir.path().join("out-missing.jsonl");
    let mut children: Vec<Child> = (0..2)
        .map(|p| {
            spawn(dir.path(), &timely_args("cluster", 2, p, &hosts, &out, &[], &[&missing, &input]))
        })
        .collect();
    let results: Vec<(i32, String)> =
        children.iter_mut().map(|c| wait(c, Duration::from_secs(60))).collect();
    // Every process ends with status 2: the merging one names the file, the other counts it.
    assert!(results.iter().all(|(code, _)| *code == 2), "{results:?}");
    assert!(results[0].1.contains("1 input file could not be read in full: "), "{results:?}");
    assert!(results[0].1.contains("nowhere.jsonl ("), "{results:?}");
    let other = "1 input file could not be read in full (the merging process, -p 0, names them";
    assert!(results[1].1.contains(other), "{results:?}");
    let rows = json_lines(&std::fs::read(&out).expect("the merged output"));
    assert_eq!(rows.len(), 51);
    assert_eq!(rows[0]["line"], 0);
}

/// The warnings of a run about records it used (texts cut to the size limit, times not read)
/// are printed by the merging process as one process prints them.
#[test]
fn warnings_about_records_are_the_single_process_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("w.jsonl");
    let lines: Vec<String> = (0..60)
        .map(|i| {
            let time = match i {
                23 => "\"01/05/2024\"".to_owned(),
                41 => "\"yesterday\"".to_owned(),
                _ => format!("{}", 1_700_000_000 + i),
            };
            let text =
                if i % 20 == 7 { "a very long text ".repeat(10) } else { format!("story {i}") };
            format!("{{\"id\":\"d{i}\",\"t\":{time},\"text\":\"{text}\"}}")
        })
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").expect("input");
    let args = ["--time-field", "t", "--keep", "earliest", "--max-doc-bytes", "60"];
    let warnings = |err: &str| -> Vec<String> {
        err.lines().filter(|l| l.starts_with("xdedup: warning")).map(str::to_owned).collect()
    };
    let mut local_args = vec!["dedup"];
    local_args.extend(args);
    let name = input.display().to_string();
    local_args.push(&name);
    let o = xdedup(dir.path(), &local_args, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = warnings(&stderr(&o));
    assert_eq!(expected.len(), 4, "three cut texts and the times: {expected:?}");
    assert!(expected[3].contains("2 documents' times are not"), "{expected:?}");
    let hosts = hostfile(dir.path(), 2);
    let out = dir.path().join("out.jsonl");
    let mut children: Vec<Child> = (0..2)
        .map(|p| spawn(dir.path(), &timely_args("dedup", 2, p, &hosts, &out, &args, &[&input])))
        .collect();
    let results: Vec<(i32, String)> =
        children.iter_mut().map(|c| wait(c, Duration::from_secs(60))).collect();
    assert!(results.iter().all(|(code, _)| *code == 0), "{results:?}");
    assert_eq!(warnings(&results[0].1), expected);
    assert_eq!(warnings(&results[1].1), Vec::<String>::new(), "only the merging process prints");
    assert_eq!(std::fs::read(&out).expect("the merged output"), o.stdout);
}

#[test]
fn a_peer_that_never_starts_ends_the_run_after_the_connect_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hosts = hostfile(dir.path(), 2);
    let out = dir.path().join("out.jsonl");
    let seed = shared("seed/seed-stories.jsonl");
    let args = timely_args("cluster", 2, 0, &hosts, &out, &["--connect-timeout", "2"], &[&seed]);
    let mut alone = spawn(dir.path(), &args);
    let (code, err) = wait(&mut alone, Duration::from_secs(60));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not every process connected within 2 s"), "{err}");
    assert!(!out.exists());
    assert!(!dir.path().join(".out.jsonl.parts").exists(), "the parts folder is left behind");
}

/// The merging process stopped by a signal while it waits for its peers (or works) removes
/// the parts folder, as a failed run does, and dies of the signal.
#[test]
fn a_signal_to_the_merging_process_leaves_no_parts_folder() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let hosts = hostfile(dir.path(), 2);
    let out = dir.path().join("out.jsonl");
    let parts = dir.path().join(".out.jsonl.parts");
    let seed = shared("seed/seed-stories.jsonl");
    let args = timely_args("cluster", 2, 0, &hosts, &out, &[], &[&seed]);
    let mut alone = spawn(dir.path(), &args);
    let start = Instant::now();
    while !parts.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "no parts folder made");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: signals a child of this process, still running (not waited for).
    unsafe { libc::kill(alone.id() as i32, libc::SIGTERM) };
    let status = alone.wait().expect("wait");
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(!parts.exists(), "the parts folder is left behind");
    assert!(!out.exists());
}
