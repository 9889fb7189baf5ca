//! `xdedup pairs`: every verified pair at or above a score, as `{"a", "b", "score"}` lines.

use std::process::ExitCode;

use super::BatchArgs;

#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Smallest score written, in [0, 1] (default: --threshold).
    #[arg(long, allow_negative_numbers = true)]
    pub min_score: Option<f64>,
    /// Write every pair among copies (texts identical after normalization) and between the
    /// copies of two paired texts. By default a copy is paired only with its group's first
    /// document (score 1), and a near-duplicate pair names the first documents of the two groups.
    #[arg(long)]
    pub every_copy: bool,
    #[command(flatten)]
    pub timely: super::distributed::TimelyArgs,
    /// Print help (-h is timely's hostfile here).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

/// The columns of a `pairs` output.
pub const COLUMNS: [(&str, xdedup::io::write::Kind); 3] = {
    use xdedup::io::write::Kind;
    [("a", Kind::Text), ("b", Kind::Text), ("score", Kind::Float)]
};

/// One output row: the two documents' ids and their score, to three decimals.
pub fn row(a: &serde_json::Value, b: &serde_json::Value, score: f32) -> serde_json::Value {
    let score = (score as f64 * 1000.0).round() / 1000.0;
    serde_json::json!({ "a": a, "b": b, "score": score })
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let min = args.min_score.unwrap_or(args.batch.pipeline.config()?.threshold());
    // Copies score 1: a larger minimum would still let them through.
    anyhow::ensure!(
        (0.0..=1.0).contains(&min),
        "--min-score {min}: must be in [0, 1], as scores are"
    );
    if args.timely.engine == super::distributed::Engine::Timely {
        let task = xdedup::batch::Task::Pairs { min, every_copy: args.every_copy };
        return super::distributed::run(&args.batch, &args.timely, quiet, task, None);
    }
    let batch = args.batch.run(false, false, quiet)?;
    let c = &batch.clustering;
    let id = |d: u32| &batch.records[d as usize].id;
    let unread = args.batch.write(&batch, quiet, |out| {
        out.columns(&COLUMNS)?;
        for (a, b, score) in c.pairs(min, args.every_copy) {
            out.json(&row(id(a), id(b), score))?;
        }
        Ok(())
    })?;
    batch.leave();
    unread.status()
}
