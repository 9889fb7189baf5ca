//! The pivot stage (issue #4): names, numbers and a bilingual lexicon link texts across scripts.
//! Uses FreeDict's Arabic–English dictionary as Debian installs it (`scripts/test.sh` installs
//! `dict-freedict-ara-eng` when it is missing) and the parallel sets of `../shared/eval`.

mod util;

use std::path::PathBuf;
use std::sync::Arc;

use util::{shared, xdedup};
use xdedup::eval::{GoldDoc, GoldSet, eval_clusters, eval_retrieval, load};
use xdedup::pivot::Lexicon;
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
    // Shingles alone cannot cross scripts at all.
    let lexical = row(&rows, "arb", "lexical");
    assert!(lexical.top1 < 0.2, "{lexical:?}");
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
