//! `xdedup pairs`: every verified pair at or above a score, as `{"a", "b", "score"}` lines.

use std::process::ExitCode;

use super::BatchArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Smallest score written (default: --threshold).
    #[arg(long)]
    pub min_score: Option<f64>,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let min = args.min_score.unwrap_or(args.batch.pipeline.config()?.threshold());
    let batch = args.batch.run(false, false, quiet)?;
    let c = &batch.clustering;
    let id = |d: u32| &batch.records[d as usize].id;
    args.batch.write(&batch, quiet, |out| {
        use xdedup::io::write::Kind;
        out.columns(&[("a", Kind::Text), ("b", Kind::Text), ("score", Kind::Float)])?;
        let mut pair = |a: u32, b: u32, score: f64| {
            let score = (score * 1000.0).round() / 1000.0;
            out.json(&serde_json::json!({ "a": id(a), "b": id(b), "score": score }))
        };
        // Exact duplicates (identical after normalization) pair with their group's first document.
        for group in &c.duplicates {
            for &d in &group[1..] {
                pair(group[0], d, 1.0)?;
            }
        }
        for e in c.edges.iter().filter(|e| e.score as f64 >= min) {
            pair(e.a, e.b, e.score as f64)?;
        }
        Ok(())
    })?;
    batch.leave();
    Ok(ExitCode::SUCCESS)
}
