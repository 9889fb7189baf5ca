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
    /// Write every pair among copies (texts identical after normalization) and between the
    /// copies of two paired texts. By default a copy is paired only with its group's first
    /// document (score 1), and a near-duplicate pair names the first documents of the two groups.
    #[arg(long)]
    pub every_copy: bool,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let min = args.min_score.unwrap_or(args.batch.pipeline.config()?.threshold());
    let batch = args.batch.run(false, false, quiet)?;
    let c = &batch.clustering;
    let id = |d: u32| &batch.records[d as usize].id;
    let unread = args.batch.write(&batch, quiet, |out| {
        use xdedup::io::write::Kind;
        out.columns(&[("a", Kind::Text), ("b", Kind::Text), ("score", Kind::Float)])?;
        for (a, b, score) in c.pairs(min, args.every_copy) {
            let score = (score as f64 * 1000.0).round() / 1000.0;
            out.json(&serde_json::json!({ "a": id(a), "b": id(b), "score": score }))?;
        }
        Ok(())
    })?;
    batch.leave();
    unread.status()
}
