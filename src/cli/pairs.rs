//! `xdedup pairs`: every verified pair at or above a score, as `{"a", "b", "score"}` lines.

use std::process::ExitCode;

use anyhow::Context;
use xdedup::io::write::Output;

use super::cluster::run_batch;
use super::progress::report;
use super::{InputArgs, OutputArgs, PipelineArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Smallest score written (default: --threshold).
    #[arg(long)]
    pub min_score: Option<f64>,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let min = args.min_score.unwrap_or(args.pipeline.config()?.threshold());
    let batch = run_batch(&args.input, &args.pipeline, false, quiet)?;
    let c = &batch.clustering;
    let id = |d: u32| &batch.records[d as usize].id;
    let target = args.output.output.as_deref();
    let name =
        || target.map(|p| p.display().to_string()).unwrap_or_else(|| "standard output".into());
    let mut out = Output::create(target).with_context(|| format!("{}: cannot create", name()))?;
    let mut write = |a: u32, b: u32, score: f64| {
        let line = serde_json::json!({ "a": id(a), "b": id(b), "score": (score * 1000.0).round() / 1000.0 });
        out.json(&line)
    };
    // Exact duplicates (identical after normalization) pair with their group's first document.
    for group in &c.duplicates {
        for &d in &group[1..] {
            write(group[0], d, 1.0).with_context(|| format!("{}: cannot write", name()))?;
        }
    }
    for e in c.edges.iter().filter(|e| e.score as f64 >= min) {
        write(e.a, e.b, e.score as f64).with_context(|| format!("{}: cannot write", name()))?;
    }
    out.finish().with_context(|| format!("{}: cannot write", name()))?;
    report(&batch, args.output.rejects.as_deref(), quiet)?;
    Ok(ExitCode::SUCCESS)
}
