//! Scoring the pipeline against labelled data (`xdedup eval`).
//!
//! Two kinds of gold file, JSON Lines (formats in `../shared/eval/README.md`) or CSV/TSV tables
//! of the same fields:
//! - clustered sets: `{"id", "text", "cluster", "lang"?}`, scored by ARI, pairwise and B-cubed
//!   precision/recall/F1, overall, per language and over cross-language pairs;
//! - pair sets: `{"a", "b", "score", "lang_a"?, "lang_b"?}`, scored by the Spearman correlation of
//!   the verified similarity with the human grade;
//! - and, for parallel sets (each cluster a text and its translations), cross-language
//!   retrieval ([`eval_retrieval`]): every document of each language scored against every
//!   document of a pivot language, top-1 both ways and recall at precision 0.95 / 0.99.

pub mod metrics;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Origin, Result};
use crate::pipeline::{Pipeline, RunStats};
use crate::verify::{Similarity, scores};
pub use metrics::{
    ClusterScores, CrossScores, cluster_scores, cross_language_scores, csls, recall_at_precision,
    spearman,
};

/// One labelled document of a clustered set.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDoc {
    /// Document id (string or number).
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Text.
    pub text: String,
    /// Gold story (a string or a number; `null` is refused: it would make every unlabelled
    /// document one story).
    #[serde(deserialize_with = "label_string")]
    pub cluster: String,
    /// Language code, when given.
    #[serde(default)]
    pub lang: Option<String>,
    /// Its time, when given (for the time window, [`crate::config::Window`]).
    #[serde(default)]
    pub time: Option<String>,
}

/// One graded pair.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldPair {
    /// First text.
    pub a: String,
    /// Second text.
    pub b: String,
    /// Human grade (a number, or a string that holds one, as spreadsheets export it).
    #[serde(deserialize_with = "grade")]
    pub score: f64,
    /// Language of `a`.
    #[serde(default)]
    pub lang_a: Option<String>,
    /// Language of `b`.
    #[serde(default)]
    pub lang_b: Option<String>,
}

fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Null => Ok(String::new()),
        v => Ok(v.to_string()),
    }
}

fn label_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Ok(s),
        v @ serde_json::Value::Number(_) => Ok(v.to_string()),
        v => Err(D::Error::custom(format!(
            "\"cluster\" is {v}: a label is a string or a number (leave a document without a \
             label out of the gold file)"
        ))),
    }
}

fn grade<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    use serde::de::Error;
    let v = serde_json::Value::deserialize(d)?;
    let n = match &v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    };
    n.ok_or_else(|| D::Error::custom(format!("\"score\" is {v}: a grade is a number")))
}

/// A gold file's contents.
#[derive(Debug, Clone)]
pub enum GoldSet {
    /// Clustered documents.
    Clusters(Vec<GoldDoc>),
    /// Graded pairs.
    Pairs(Vec<GoldPair>),
}

/// Reads a gold file, deciding its kind from its records: JSON Lines, or a CSV or TSV table
/// (named `.csv` or `.tsv`) whose header row names the same fields; plain or compressed, as
/// inputs are read.
pub fn load(path: &Path) -> Result<GoldSet> {
    let io = |source| Error::Io { path: path.to_owned(), source };
    let text = crate::io::Input::Path(path.to_owned()).read_text(None).map_err(io)?;
    let origin = |line: u64| Origin { file: path.display().to_string().into(), line };
    let mut docs = Vec::new();
    let mut pairs = Vec::new();
    let mut take = |v: serde_json::Value, line: u64| -> Result<()> {
        let bad = |e: serde_json::Error| Error::Record {
            origin: origin(line),
            id: v.get("id").map(|x| x.to_string()),
            reason: format!("not a gold record: {e}"),
        };
        if v.get("cluster").is_some() {
            docs.push(serde_json::from_value(v.clone()).map_err(bad)?);
        } else if v.get("a").is_none() && v.get("b").is_none() {
            return Err(Error::Record {
                origin: origin(line),
                id: v.get("id").map(|x| x.to_string()),
                reason: "not a gold record: neither a labelled document (\"text\" and \
                         \"cluster\") nor a graded pair (\"a\", \"b\" and \"score\")"
                    .into(),
            });
        } else {
            pairs.push(serde_json::from_value(v.clone()).map_err(bad)?);
        }
        Ok(())
    };
    match crate::io::format_named(path) {
        Some(f @ (crate::io::Format::Csv | crate::io::Format::Tsv)) => {
            let mut r =
                csv::ReaderBuilder::new().delimiter(f.delimiter()).from_reader(text.as_bytes());
            let names = r.headers().map_err(|e| Error::Format {
                path: path.to_owned(),
                reason: format!("cannot read the header row: {e}"),
            })?;
            let names: Vec<String> = names.iter().map(str::to_owned).collect();
            for row in r.records() {
                let row = row.map_err(|e| Error::Record {
                    origin: origin(e.position().map_or(0, |p| p.line())),
                    id: None,
                    reason: format!("malformed record: {e}"),
                })?;
                let line = row.position().map_or(0, |p| p.line());
                // An empty cell is no value (a document without a language), but an empty
                // label is named as one.
                let given = |(k, v): &(&String, &str)| !v.is_empty() || *k == "cluster";
                let fields = names.iter().zip(row.iter()).filter(given);
                let v = fields.map(|(k, v)| (k.clone(), serde_json::Value::from(v)));
                take(v.collect(), line)?;
            }
        }
        _ => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v = serde_json::from_str(line).map_err(|e| Error::Record {
                    origin: origin(i as u64 + 1),
                    id: None,
                    reason: format!("not JSON: {e}"),
                })?;
                take(v, i as u64 + 1)?;
            }
        }
    }
    match (docs.is_empty(), pairs.is_empty()) {
        (false, true) => Ok(GoldSet::Clusters(docs)),
        (true, false) => Ok(GoldSet::Pairs(pairs)),
        (true, true) => Err(Error::Format { path: path.to_owned(), reason: "no records".into() }),
        (false, false) => Err(Error::Format {
            path: path.to_owned(),
            reason: "mixes clustered records (with \"cluster\") and pairs (with \"a\", \"b\")"
                .into(),
        }),
    }
}

/// Scores of one clustering run against gold clusters.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    /// All documents together.
    pub overall: ClusterScores,
    /// Restricted to each language's documents (same run).
    pub per_lang: BTreeMap<String, ClusterScores>,
    /// Pairs of documents in different languages.
    pub cross_language: CrossScores,
    /// Pipeline counts.
    #[serde(skip)]
    pub stats: RunStats,
    /// Per document: its predicted story.
    #[serde(skip)]
    pub predicted: Vec<u32>,
}

/// Clusters the gold documents and scores the result.
pub fn eval_clusters(pipeline: &Pipeline, docs: &[GoldDoc]) -> ClusterReport {
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let langs: Vec<Option<&str>> = docs.iter().map(|d| d.lang.as_deref()).collect();
    let times: Vec<Option<i64>> =
        docs.iter().map(|d| crate::io::time::seconds(d.time.as_deref()?)).collect();
    let result = pipeline.run_with(&texts, Some(&langs), Some(&times));
    let gold: Vec<&str> = docs.iter().map(|d| d.cluster.as_str()).collect();
    let lang: Vec<&str> = docs.iter().map(|d| d.lang.as_deref().unwrap_or("")).collect();
    let overall = cluster_scores(&gold, &result.story);
    let mut per_lang = BTreeMap::new();
    let mut langs: Vec<&str> = lang.clone();
    langs.sort_unstable();
    langs.dedup();
    for l in langs.iter().filter(|l| !l.is_empty()) {
        let idx: Vec<usize> = (0..docs.len()).filter(|&i| lang[i] == *l).collect();
        let g: Vec<&str> = idx.iter().map(|&i| gold[i]).collect();
        let p: Vec<u32> = idx.iter().map(|&i| result.story[i]).collect();
        per_lang.insert(l.to_string(), cluster_scores(&g, &p));
    }
    let cross_language = cross_language_scores(&gold, &result.story, &lang);
    ClusterReport {
        overall,
        per_lang,
        cross_language,
        stats: result.stats,
        predicted: result.story,
    }
}

/// Scores of graded pairs.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    /// Pairs scored.
    pub pairs: usize,
    /// Spearman correlation of the verified similarity with the grade, all pairs.
    pub spearman: f64,
    /// The same per language pair (`ar-en`, …).
    pub per_lang: BTreeMap<String, (usize, f64)>,
}

/// Scores every pair with the pipeline's similarity (weights from all the file's texts).
pub fn eval_pairs(pipeline: &Pipeline, pairs: &[GoldPair]) -> PairReport {
    let texts: Vec<&str> = pairs.iter().flat_map(|p| [p.a.as_str(), p.b.as_str()]).collect();
    let shingle = pipeline.resolve_shingle(&texts);
    let mut prepared = pipeline.prepare(shingle, pipeline.features(&texts, shingle));
    pipeline.enrich(&mut prepared, &texts);
    let predicted: Vec<f64> = (0..pairs.len())
        .map(|i| {
            let (a, b) = (prepared.node_of[2 * i], prepared.node_of[2 * i + 1]);
            pipeline.pair_score(&prepared, a, b) as f64
        })
        .collect();
    let gold: Vec<f64> = pairs.iter().map(|p| p.score).collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pairs.iter().enumerate() {
        let key = format!(
            "{}-{}",
            p.lang_a.as_deref().unwrap_or("?"),
            p.lang_b.as_deref().unwrap_or("?")
        );
        groups.entry(key).or_default().push(i);
    }
    let per_lang = groups
        .into_iter()
        .map(|(k, idx)| {
            let x: Vec<f64> = idx.iter().map(|&i| predicted[i]).collect();
            let y: Vec<f64> = idx.iter().map(|&i| gold[i]).collect();
            (k, (idx.len(), spearman(&x, &y)))
        })
        .collect();
    PairReport { pairs: pairs.len(), spearman: spearman(&predicted, &gold), per_lang }
}

/// Retrieval scores of one language against the pivot language, under one score.
#[derive(Debug, Clone, Serialize)]
pub struct RetrievalScores {
    /// Which score ranked the pairs: `lexical`, `semantic`, `combined`, or `semantic+csls`.
    pub score: String,
    /// The language scored against the pivot.
    pub lang: String,
    /// Its documents.
    pub docs: usize,
    /// Documents in the pivot language.
    pub pivot_docs: usize,
    /// Share of the language's documents whose best-scoring pivot document is a translation.
    pub top1: f64,
    /// The same from the pivot side.
    pub top1_reverse: f64,
    /// Recall of translation pairs at precision 0.95, all pairs ranked by score.
    pub recall_at_p95: f64,
    /// Recall at precision 0.99.
    pub recall_at_p99: f64,
}

/// Scores every document of each language against every document of `pivot` that translates
/// one of them (a parallel set: gold clusters are a text and its translations), with the pipeline's lexical score, and with
/// an encoder also its semantic and combined scores and the hubness-corrected semantic score
/// (CSLS, k = 3). Weights come from all the file's texts, as in a clustering run.
pub fn eval_retrieval(pipeline: &Pipeline, docs: &[GoldDoc], pivot: &str) -> Vec<RetrievalScores> {
    use rayon::prelude::*;

    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let shingle = pipeline.resolve_shingle(&texts);
    let mut prepared = pipeline.prepare(shingle, pipeline.features(&texts, shingle));
    pipeline.enrich(&mut prepared, &texts);
    let sim = pipeline.config().similarity();
    let lang = |d: &GoldDoc| d.lang.clone().unwrap_or_default();
    let parallel = {
        let mut seen = std::collections::HashSet::new();
        docs.iter().all(|d| seen.insert((d.cluster.as_str(), d.lang.as_deref())))
    };
    let mut langs: Vec<String> = docs.iter().map(lang).filter(|l| l != pivot).collect();
    langs.sort_unstable();
    langs.dedup();
    let mut out = Vec::new();
    for l in &langs {
        let a: Vec<usize> = (0..docs.len()).filter(|&i| &lang(&docs[i]) == l).collect();
        // The pivot side: pivot documents that translate some document of this language (each
        // language against its own English side, as in the Tatoeba protocol; for a fully
        // aligned set, all pivot documents).
        let stories: std::collections::HashSet<&str> =
            a.iter().map(|&i| docs[i].cluster.as_str()).collect();
        // In a set that is not parallel (stories hold several texts of one language, as in
        // OG2021), all pivot documents compete, and only documents with a pivot-language
        // story-mate count for top-1.
        let b: Vec<usize> = (0..docs.len())
            .filter(|&i| {
                lang(&docs[i]) == pivot && (!parallel || stories.contains(docs[i].cluster.as_str()))
            })
            .collect();
        let node = |i: usize| prepared.node_of[i] as usize;
        let matrix = |f: &(dyn Fn(usize, usize) -> f32 + Sync)| -> Vec<f32> {
            (0..a.len() * b.len())
                .into_par_iter()
                .map(|x| f(node(a[x / b.len()]), node(b[x % b.len()])))
                .collect()
        };
        let mut kinds: Vec<(String, Vec<f32>)> = vec![(
            "lexical".into(),
            matrix(&|x, y| scores(&prepared.sets[x], &prepared.sets[y]).get(sim) as f32),
        )];
        if let Some(p) = &prepared.pivots {
            for s in [Similarity::Cosine, Similarity::Containment, Similarity::Jaccard] {
                let name = format!("pivot:{}", s);
                kinds.push((name, matrix(&|x, y| scores(&p.get(x), &p.get(y)).get(s) as f32)));
            }
        }
        if let Some(v) = &prepared.vectors {
            let semantic = matrix(&|x, y| v[x].score(&v[y]));
            let corrected = csls(&semantic, a.len(), b.len(), 3);
            kinds.push(("semantic".into(), semantic));
            kinds.push((
                "combined".into(),
                matrix(&|x, y| pipeline.pair_score(&prepared, x as u32, y as u32)),
            ));
            kinds.push(("semantic+csls".into(), corrected));
        }
        let truth: Vec<bool> = (0..a.len() * b.len())
            .map(|x| docs[a[x / b.len()]].cluster == docs[b[x % b.len()]].cluster)
            .collect();
        for (name, m) in kinds {
            let best = |range: &mut dyn Iterator<Item = usize>| {
                range.max_by(|&x, &y| m[x].total_cmp(&m[y]).then(y.cmp(&x))).map(|x| truth[x])
            };
            let askable: Vec<usize> =
                (0..a.len()).filter(|&i| (0..b.len()).any(|j| truth[i * b.len() + j])).collect();
            let hits = askable
                .iter()
                .filter(|&&i| best(&mut (i * b.len()..(i + 1) * b.len())).unwrap_or(false))
                .count();
            let askable_rev: Vec<usize> =
                (0..b.len()).filter(|&j| (0..a.len()).any(|i| truth[i * b.len() + j])).collect();
            let hits_rev = askable_rev
                .iter()
                .filter(|&&j| best(&mut (0..a.len()).map(|i| i * b.len() + j)).unwrap_or(false))
                .count();
            let scored: Vec<(f32, bool)> = m.iter().copied().zip(truth.iter().copied()).collect();
            out.push(RetrievalScores {
                score: name,
                lang: l.clone(),
                docs: a.len(),
                pivot_docs: b.len(),
                top1: hits as f64 / askable.len().max(1) as f64,
                top1_reverse: hits_rev as f64 / askable_rev.len().max(1) as f64,
                recall_at_p95: recall_at_precision(&scored, 0.95),
                recall_at_p99: recall_at_precision(&scored, 0.99),
            });
        }
    }
    out
}
