//! Scoring the pipeline against labelled data (`xdedup eval`).
//!
//! Two kinds of gold file, both JSON Lines (formats in `../shared/eval/README.md`):
//! - clustered sets: `{"id", "text", "cluster", "lang"?}`, scored by ARI, pairwise and B-cubed
//!   precision/recall/F1, overall, per language and over cross-language pairs;
//! - pair sets: `{"a", "b", "score", "lang_a"?, "lang_b"?}`, scored by the Spearman correlation of
//!   the verified similarity with the human grade.

pub mod metrics;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Origin, Result};
use crate::pipeline::{Pipeline, RunStats};
use crate::verify::scores;
pub use metrics::{ClusterScores, CrossScores, cluster_scores, cross_language_scores, spearman};

/// One labelled document of a clustered set.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDoc {
    /// Document id (string or number).
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Text.
    pub text: String,
    /// Gold story.
    #[serde(deserialize_with = "id_string")]
    pub cluster: String,
    /// Language code, when given.
    #[serde(default)]
    pub lang: Option<String>,
}

/// One graded pair.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldPair {
    /// First text.
    pub a: String,
    /// Second text.
    pub b: String,
    /// Human grade.
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

/// A gold file's contents.
#[derive(Debug, Clone)]
pub enum GoldSet {
    /// Clustered documents.
    Clusters(Vec<GoldDoc>),
    /// Graded pairs.
    Pairs(Vec<GoldPair>),
}

/// Reads a gold file, deciding its kind from the first record.
pub fn load(path: &Path) -> Result<GoldSet> {
    let io = |source| Error::Io { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let origin =
        |line: usize| Origin { file: path.display().to_string().into(), line: line as u64 };
    let mut docs = Vec::new();
    let mut pairs = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| Error::Record {
            origin: origin(i + 1),
            id: None,
            reason: format!("not JSON: {e}"),
        })?;
        let bad = |e: serde_json::Error| Error::Record {
            origin: origin(i + 1),
            id: v.get("id").map(|x| x.to_string()),
            reason: format!("not a gold record: {e}"),
        };
        if v.get("cluster").is_some() {
            docs.push(serde_json::from_value(v.clone()).map_err(bad)?);
        } else {
            pairs.push(serde_json::from_value(v.clone()).map_err(bad)?);
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
    let result = pipeline.run(&texts);
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
    let prepared = pipeline.prepare(shingle, pipeline.features(&texts, shingle));
    let sim = pipeline.config().similarity();
    let predicted: Vec<f64> = (0..pairs.len())
        .map(|i| {
            let (a, b) = (prepared.node_of[2 * i], prepared.node_of[2 * i + 1]);
            scores(&prepared.sets[a as usize], &prepared.sets[b as usize]).get(sim)
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
