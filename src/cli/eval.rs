//! `xdedup eval --gold FILE`: the current settings scored against labelled data.

use std::path::PathBuf;
use std::process::ExitCode;

use xdedup::eval::{ClusterScores, GoldSet, eval_clusters, eval_pairs, eval_retrieval, load};

use super::PipelineArgs;

/// `println!`, but an error to return instead of a panic: the table piped into `head` (a closed
/// pipe) ends the run quietly, as it does for the other commands.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?
    }};
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Labelled data: clustered documents (`text`, `cluster`, `lang`) or graded pairs (`a`,
    /// `b`, `score`), as JSON Lines, or as a CSV or TSV table (`.csv`, `.tsv`) whose header row
    /// names those fields; plain or compressed (gzip, zstd, bzip2, xz).
    #[arg(long, required = true)]
    pub gold: PathBuf,
    /// Only these languages' documents (repeatable): a separate run on that subset.
    #[arg(long)]
    pub lang: Vec<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Parallel sets (clusters are a text and its translations): instead of clustering, score
    /// every document against every document in this pivot language (e.g. eng): top-1 both
    /// ways and recall at precision 0.95 / 0.99, per language and score.
    #[arg(long, value_name = "LANG")]
    pub retrieval: Option<String>,
    /// Write each document's gold and predicted story (JSON lines) to this file, to study errors.
    #[arg(long)]
    pub predictions: Option<PathBuf>,
    /// Score these thresholds (comma-separated, e.g. 0.1,0.2,0.3,0.5), one row each, to choose
    /// one for a collection: each is a whole run at that threshold, its LSH bands derived from
    /// it as `cluster -t` derives them (unless --bands or --lsh-threshold fix them).
    #[arg(long, value_name = "T,T,…", value_delimiter = ',', num_args = 1..,
          conflicts_with_all = ["threshold", "retrieval", "predictions"],
          value_parser = sweep_threshold)]
    pub sweep: Vec<f64>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// A threshold of `--sweep`.
fn sweep_threshold(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if t > 0.0 && t <= 1.0 => Ok(t),
        _ => Err(format!("'{s}': a threshold is a number over 0 and at most 1")),
    }
}

/// One row of `--sweep`.
#[derive(serde::Serialize)]
struct SweepRow {
    threshold: f64,
    #[serde(flatten)]
    scores: ClusterScores,
}

/// The header row over [`row`]s, its first column named `first`.
fn header(first: &str) -> String {
    format!(
        "{first:<10} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "docs", "gold", "pred", "ARI", "pair-P", "pair-R", "pair-F1", "B3-F1"
    )
}

fn row(name: &str, s: &ClusterScores) -> String {
    format!(
        "{name:<10} {:>6} {:>6} {:>6} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}",
        s.items,
        s.gold_clusters,
        s.predicted_clusters,
        s.ari,
        s.pair_precision,
        s.pair_recall,
        s.pair_f1,
        s.bcubed_f1
    )
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let pipeline = args.pipeline.pipeline()?;
    let cfg = pipeline.config();
    let gold = [xdedup::io::Input::Path(args.gold.clone())];
    super::refuse_to_replace("--predictions", args.predictions.as_deref(), &gold)?;
    match load(&args.gold)? {
        GoldSet::Clusters(mut docs) => {
            if !args.lang.is_empty() {
                docs.retain(|d| d.lang.as_ref().is_some_and(|l| args.lang.contains(l)));
                anyhow::ensure!(!docs.is_empty(), "no documents in languages {:?}", args.lang);
            }
            if let Some(pivot) = &args.retrieval {
                let rows = eval_retrieval(&pipeline, &docs, pivot);
                anyhow::ensure!(!rows.is_empty(), "no documents in other languages than {pivot}");
                if args.json {
                    say!("{}", serde_json::to_string(&rows)?);
                    return Ok(ExitCode::SUCCESS);
                }
                say!(
                    "{}: {} documents, each language against {pivot}",
                    args.gold.display(),
                    docs.len()
                );
                say!(
                    "{:<8} {:<14} {:>11} {:>6} {:>8} {:>7} {:>7}",
                    "lang",
                    "score",
                    "docs",
                    "top-1",
                    "top-1 ←",
                    "R@P95",
                    "R@P99"
                );
                for r in &rows {
                    say!(
                        "{:<8} {:<14} {:>5}x{:<5} {:>6.3} {:>8.3} {:>7.3} {:>7.3}",
                        r.lang,
                        r.score,
                        r.docs,
                        r.pivot_docs,
                        r.top1,
                        r.top1_reverse,
                        r.recall_at_p95,
                        r.recall_at_p99
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            if !args.sweep.is_empty() {
                return sweep(&args, pipeline, &docs);
            }
            let r = eval_clusters(&pipeline, &docs);
            if let Some(path) = &args.predictions {
                super::write_output(Some(path), |out| {
                    use xdedup::io::write::Kind;
                    let names = ["id", "gold", "predicted", "lang", "text"];
                    out.columns(&names.map(|n| (n, Kind::Text)))?;
                    docs.iter().zip(&r.predicted).try_for_each(|(d, p)| {
                        out.json(&serde_json::json!({
                            "id": d.id, "gold": d.cluster, "predicted": p, "lang": d.lang, "text": d.text,
                        }))
                    })
                })?;
            }
            if args.json {
                say!("{}", serde_json::to_string(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            say!(
                "{}: {} documents; shingles {}, {} threshold {}, {} slots, {}x{} bands",
                args.gold.display(),
                docs.len(),
                r.stats.shingle.map(|s| s.to_string()).unwrap_or_default(),
                cfg.similarity(),
                cfg.threshold(),
                cfg.num_perm(),
                cfg.lsh().bands,
                cfg.lsh().rows
            );
            say!("{}", header("subset"));
            say!("{}", row("all", &r.overall));
            if r.per_lang.len() > 1 {
                for (l, s) in &r.per_lang {
                    say!("{}", row(l, s));
                }
                let c = &r.cross_language;
                say!(
                    "cross-language pairs: gold {} predicted {} precision {:.3} recall {:.3} F1 {:.3}",
                    c.gold_pairs,
                    c.predicted_pairs,
                    c.precision,
                    c.recall,
                    c.f1
                );
            }
            if !quiet {
                let s = &r.stats;
                eprintln!(
                    "xdedup: {} unique texts, {} candidate pairs, {} verified edges, {} stories",
                    s.unique, s.candidates.pairs, s.edges, s.stories
                );
            }
        }
        GoldSet::Pairs(_) if !args.sweep.is_empty() => {
            anyhow::bail!(
                "{}: graded pairs are scored by rank (Spearman), which no threshold changes: \
                 --sweep is for clustered documents",
                args.gold.display()
            );
        }
        GoldSet::Pairs(pairs) => {
            let r = eval_pairs(&pipeline, &pairs);
            if args.json {
                say!("{}", serde_json::to_string(&r)?);
                return Ok(ExitCode::SUCCESS);
            }
            say!("{}: {} pairs; {} similarity", args.gold.display(), r.pairs, cfg.similarity());
            say!("{:<12} {:>6} {:>9}", "languages", "pairs", "spearman");
            say!("{:<12} {:>6} {:>9.3}", "all", r.pairs, r.spearman);
            for (k, (n, rho)) in &r.per_lang {
                say!("{k:<12} {n:>6} {rho:>9.3}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--sweep`: the documents clustered at each threshold, one row each (or one JSON array),
/// the best ARI marked.
fn sweep(
    args: &Args,
    pipeline: xdedup::Pipeline,
    docs: &[xdedup::eval::GoldDoc],
) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::with_capacity(args.sweep.len());
    let mut shingle = None;
    for &t in &args.sweep {
        let mut given = args.pipeline.clone();
        given.threshold = Some(t);
        let p = pipeline.clone().with_config(given.config()?);
        let r = eval_clusters(&p, docs);
        shingle = r.stats.shingle;
        rows.push(SweepRow { threshold: t, scores: r.overall });
    }
    if args.json {
        say!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = pipeline.config();
    say!(
        "{}: {} documents; shingles {}, {}, {} slots",
        args.gold.display(),
        docs.len(),
        shingle.map(|s| s.to_string()).unwrap_or_default(),
        cfg.similarity(),
        cfg.num_perm()
    );
    say!("{}", header("threshold"));
    let best = rows.iter().map(|r| r.scores.ari).fold(f64::NEG_INFINITY, f64::max);
    for r in &rows {
        let mark = if r.scores.ari == best { "  <- best ARI" } else { "" };
        say!("{}{mark}", row(&r.threshold.to_string(), &r.scores));
    }
    Ok(ExitCode::SUCCESS)
}
