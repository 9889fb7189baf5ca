//! The pivot stage (issue #4): names, numbers and a bilingual lexicon link texts across scripts.
//! Uses FreeDict's Arabic–English dictionary as Debian installs it (`scripts/test.sh` installs
//! `dict-freedict-ara-eng` when it is missing) and the parallel sets of `../shared/eval`.

mod util;

use std::path::PathBuf;
use std::sync::Arc;

use util::{shared, xdedup};
use xdedup::eval::{GoldDoc, GoldSet, eval_clusters, eval_retrieval, load};
use xdedup::pivot::Lexicon;
use xdedup::shingle::text_script;
use xdedup::{Config, Pipeline};

const FREEDICT: &str = "/usr/share/dictd/freedict-ara-eng.index";

fn freedict() -> PathBuf {
    let p = PathBuf::from(FREEDICT);
    assert!(p.exists(), "{FREEDICT} not found: apt-get install dict-freedict-ara-eng");
    p
}

fn docs(rel: &str) -> Vec<GoldDoc> {
    match load(&shared(rel)).expect("gold file loads") {
        GoldSet::Clusters(d) => d,
        GoldSet::Pairs(_) => panic!("{rel}: expected clustered documents"),
    }
}

fn row<'a>(
    rows: &'a [xdedup::eval::RetrievalScores],
    lang: &str,
    score: &str,
) -> &'a xdedup::eval::RetrievalScores {
    rows.iter().find(|r| r.lang == lang && r.score == score).expect("row present")
}

#[test]
fn freedict_links_ntrex_translations_both_ways() {
    let lex = Arc::new(Lexicon::load(&freedict()).expect("FreeDict loads"));
    assert!(lex.len() > 15_000, "{} source words", lex.len());
    let docs = docs("eval/ntrex128-docs.jsonl");
    let with = Pipeline::new(Config::default()).with_lexicon(lex);
    let rows = eval_retrieval(&with, &docs, "eng");
    let arb = row(&rows, "arb", "pivot:cosine");
    assert_eq!((arb.top1, arb.top1_reverse), (1.0, 1.0), "{arb:?}");
    assert!(arb.recall_at_p95 >= 0.95, "{arb:?}");
    // Shingles share only the numbers across scripts: far from enough.
    let lexical = row(&rows, "arb", "lexical");
    assert!(lexical.top1 < 0.8 && lexical.recall_at_p95 < 0.5, "{lexical:?}");
    // Without a lexicon, names and numbers still find most translations.
    let plain = eval_retrieval(&Pipeline::new(Config::default()), &docs, "eng");
    let names = row(&plain, "arb", "pivot:cosine");
    assert!(names.top1 >= 0.8 && names.top1 < arb.top1 + 1e-9, "{names:?}");
}

#[test]
fn pivot_links_arabic_and_english_un_documents_into_stories() {
    let docs: Vec<GoldDoc> = docs("eval/un-v1-docs.jsonl")
        .into_iter()
        .filter(|d| matches!(d.lang.as_deref(), Some("ar" | "en")))
        .collect();
    let lex = Arc::new(Lexicon::load(&freedict()).expect("FreeDict loads"));
    let off = eval_clusters(&Pipeline::new(Config::default()).without_pivot(), &docs);
    let on = eval_clusters(&Pipeline::new(Config::default()).with_lexicon(lex), &docs);
    let (a, b) = (&off.cross_language, &on.cross_language);
    assert!(a.recall < 0.01, "without the pivot: {a:?}");
    assert!(b.recall > 10.0 * a.recall.max(0.005) && b.precision > 0.5, "with it: {b:?}");
    assert!(on.overall.ari > off.overall.ari + 0.05, "{} vs {}", on.overall.ari, off.overall.ari);
}

#[test]
fn monolingual_runs_are_untouched() {
    // One script only: no pivot features are made, the clustering is the lexical one.
    let docs: Vec<GoldDoc> = docs("eval/og2021-titles.jsonl")
        .into_iter()
        .filter(|d| d.lang.as_deref() == Some("ara"))
        .collect();
    let off = eval_clusters(&Pipeline::new(Config::default()).without_pivot(), &docs);
    let on = eval_clusters(&Pipeline::new(Config::default()), &docs);
    assert_eq!(on.predicted, off.predicted);
}

#[test]
fn similar_explains_pivot_matches() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdedup(
        dir.path(),
        &[
            "similar",
            "--explain",
            "--threshold",
            "0.2",
            "--lexicon",
            FREEDICT,
            "NATO chief Mark Rutte says 12,000 North Korean troops are in Russia",
            "الأمين العام لحلف الناتو مارك روته: ١٢ ألف جندي من كوريا الشمالية في روسيا",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("different scripts: counts"), "{text}");
    assert!(text.contains("[RT: rutte / روت]"), "{text}");
    assert!(text.contains("[russia: russia / روسيا]"), "{text}");
    assert!(text.contains("pivot numbers: [12]"), "{text}");
    // A kind with nothing shared says so.
    let same_script = xdedup(
        dir.path(),
        &["similar", "--explain", "Rutte in Brussels", "Rutte in Brussels today"],
        None,
    );
    let text = String::from_utf8_lossy(&same_script.stdout);
    assert!(text.contains("pivot numbers: none\n"), "{text}");
    // A missing lexicon is a clear error, exit 2.
    let bad = xdedup(dir.path(), &["similar", "a", "b", "--lexicon", "nope.index"], None);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("lexicon") && err.contains("nope.index"), "{err}");
}

#[test]
fn seed_english_sentence_joins_its_arabic_article() {
    // Issue #4's seed check: the one-sentence English report joins the six-paragraph Arabic
    // article it summarises (by containment of its pivot features); the tweet on the same
    // topic does not, and the stories of issue #2 stay as they were.
    let dir = tempfile::tempdir().unwrap();
    let seed = shared("seed/seed-stories.jsonl");
    let run = |extra: &[&str]| {
        let mut args = vec!["cluster", seed.to_str().unwrap(), "-q"];
        args.extend_from_slice(extra);
        let out = xdedup(dir.path(), &args, None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        util::groups(&util::json_lines(&out.stdout))
    };
    let with = run(&["--lexicon", FREEDICT]);
    let story_of = |groups: &[Vec<String>], id: &str| {
        groups.iter().find(|g| g.iter().any(|x| x == id)).cloned().unwrap_or_default()
    };
    assert_eq!(story_of(&with, "nk-troops-ar"), ["nk-troops-ar", "nk-troops-en"], "{with:?}");
    assert_eq!(story_of(&with, "nk-tweet"), ["nk-tweet"], "{with:?}");
    let without = run(&["--no-pivot"]);
    for id in ["medvedev-title", "related-03"] {
        assert_eq!(story_of(&with, id), story_of(&without, id), "{id}");
    }
}

/// An index created with a lexicon stores pivot features and links across scripts night by
/// night as one `cluster --lexicon` run does; it needs its lexicon on every command.
#[test]
fn an_index_with_a_lexicon_links_across_scripts_night_by_night() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(shared("eval/un-v1-docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| matches!(r["lang"].as_str(), Some("ar" | "en")))
        .collect();
    let write = |name: &str, rows: &[serde_json::Value]| {
        let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(d.join(name), text).unwrap();
    };
    let ok = |args: &[&str]| {
        let out = xdedup(d, args, None);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    write("all.jsonl", &rows);
    ok(&["index", "create", "ix", "--lexicon", FREEDICT]);
    let n = rows.len();
    for b in 0..4 {
        write(&format!("night-{b}.jsonl"), &rows[b * n / 4..(b + 1) * n / 4]);
        ok(&["index", "add", "ix", &format!("night-{b}.jsonl"), "--lexicon", FREEDICT, "-q"]);
    }
    let story = |out: &std::process::Output| -> std::collections::BTreeMap<String, String> {
        util::json_lines(&out.stdout)
            .iter()
            .map(|r| (util::id_of(r), r["cluster"].as_str().unwrap().to_owned()))
            .collect()
    };
    let index = story(&ok(&["index", "export", "ix"]));
    let once = story(&ok(&["cluster", "all.jsonl", "--lexicon", FREEDICT, "-q"]));
    let ids: Vec<&String> = once.keys().collect();
    let a: Vec<&str> = ids.iter().map(|i| index[*i].as_str()).collect();
    let b: Vec<&str> = ids.iter().map(|i| once[*i].as_str()).collect();
    let agreement = xdedup::eval::cluster_scores(&b, &a).ari;
    // Stories that hold both an Arabic and an English document.
    let lang: std::collections::BTreeMap<String, String> =
        rows.iter().map(|r| (util::id_of(r), r["lang"].as_str().unwrap().to_owned())).collect();
    let mixed = |s: &std::collections::BTreeMap<String, String>| {
        let mut by: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        for (id, c) in s {
            by.entry(c).or_default().insert(lang[id].as_str());
        }
        by.values().filter(|l| l.len() == 2).count()
    };
    eprintln!(
        "index vs one run ARI {agreement:.4}; stories with both languages: index {}, one run {}",
        mixed(&index),
        mixed(&once)
    );
    assert!(agreement >= 0.9, "{agreement}");
    assert!(mixed(&index) >= 100 && mixed(&index) * 10 >= mixed(&once) * 9);
    // A query in Arabic finds the story of its English translation.
    let ar = rows.iter().find(|r| r["lang"] == "ar").unwrap();
    let en = rows.iter().find(|r| r["lang"] == "en" && r["cluster"] == ar["cluster"]).unwrap();
    let text = ar["text"].as_str().unwrap();
    let out = xdedup(d, &["index", "query", "ix", text, "--json", "--lexicon", FREEDICT], None);
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["cluster"].as_str(), Some(index[&util::id_of(en)].as_str()), "{hits:?}");
    // Without the lexicon, or with one on a plain index: clear errors.
    let out = xdedup(d, &["index", "add", "ix", "night-0.jsonl"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(util::stderr(&out).contains("was created with --lexicon"), "{}", util::stderr(&out));
    ok(&["index", "create", "plain"]);
    let out = xdedup(d, &["index", "add", "plain", "night-0.jsonl", "--lexicon", FREEDICT], None);
    assert!(util::stderr(&out).contains("was created without --lexicon"));
    // Removal takes pivot features along; the rest stays readable.
    ok(&["index", "remove", "ix", "--id", &util::id_of(en)]);
    ok(&["index", "compact", "ix"]);
    let stats: serde_json::Value =
        serde_json::from_slice(&ok(&["index", "stats", "ix", "--json"]).stdout).unwrap();
    assert_eq!(stats["documents"], n as u64 - 1);
    assert!(stats["lexicon"].as_str().unwrap().starts_with("freedict-ara-eng.index"));
}

#[test]
fn og2021_all_languages_gain_from_the_pivot_between_languages() {
    // Issue #4: all-language clustering above the run without the pivot stage. The input names
    // each headline's language, so the pivot counts between languages, not only scripts.
    let docs = docs("eval/og2021-titles.jsonl");
    let off = eval_clusters(&Pipeline::new(Config::default()).without_pivot(), &docs);
    let on = eval_clusters(&Pipeline::new(Config::default()), &docs);
    eprintln!(
        "ARI {:.4} -> {:.4}, cross-language recall {:.3} -> {:.3}",
        off.overall.ari, on.overall.ari, off.cross_language.recall, on.cross_language.recall
    );
    assert!(on.overall.ari > off.overall.ari + 0.001, "{} vs {}", on.overall.ari, off.overall.ari);
    assert!(on.cross_language.recall > off.cross_language.recall);
    // Each language alone is one group: the pivot stage does not run, nothing changes.
    for l in ["eng", "ara"] {
        let one: Vec<GoldDoc> =
            docs.iter().filter(|d| d.lang.as_deref() == Some(l)).cloned().collect();
        let a = eval_clusters(&Pipeline::new(Config::default()).without_pivot(), &one);
        let b = eval_clusters(&Pipeline::new(Config::default()), &one);
        assert_eq!(a.predicted, b.predicted, "{l}");
    }
}

/// The batch job frees each chunk's texts once it knows the collection needs pivot features: a
/// collection whose second language comes after the first chunk gets the pivot features of the
/// texts it kept until then, and the stories are those of a run that keeps every text
/// (`--report` reads them after clustering).
#[test]
fn pivot_features_of_texts_read_before_the_second_language() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(shared("eval/un-v1-docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lang = |l: &'static str| rows.iter().filter(move |r| r["lang"] == l);
    // The Arabic documents written in Arabic (one is in Latin letters), then Arabic filler past
    // the first chunks of records (1,024 each), then the English documents.
    let arabic = text_script("عربي");
    let mut input = String::new();
    for r in lang("ar").filter(|r| text_script(r["text"].as_str().unwrap()) == arabic) {
        input += &format!("{r}\n");
    }
    for i in 0..7500 {
        let filler = serde_json::json!({"id": format!("filler-{i}"), "text": format!("تقرير رقم {i} عن الميزانية")});
        input += &format!("{filler}\n");
    }
    for r in lang("en") {
        input += &format!("{r}\n");
    }
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["cluster", "in.jsonl", "--lexicon", FREEDICT, "-q"];
        args.extend_from_slice(extra);
        let out = xdedup(dir.path(), &args, None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let streamed = run(&[]);
    let kept = run(&["--report", "report.html"]);
    assert!(streamed == kept, "the run that frees texts early clusters differently");
    let both = util::groups(&util::json_lines(&streamed))
        .into_iter()
        .filter(|g| g.iter().any(|x| x.ends_with("/ar")) && g.iter().any(|x| x.ends_with("/en")))
        .count();
    assert!(both > 100, "only {both} stories join an Arabic and an English document");
}
