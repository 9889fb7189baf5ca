//! `xdedup cluster`: one JSON line per input record, in input order.

use std::process::ExitCode;

use anyhow::Context;
use xdedup::batch::{self, Batch, Entry};
use xdedup::io::{id_text, write::Output};

use super::progress::{Spinner, rejected_json, report};
use super::{InputArgs, OutputArgs, PipelineArgs};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// Runs the batch job with a progress spinner.
pub fn run_batch(
    input: &InputArgs,
    pipeline: &PipelineArgs,
    keep_raw: bool,
    quiet: bool,
) -> anyhow::Result<Batch> {
    let pipeline = pipeline.pipeline()?;
    let spinner = Spinner::new(quiet);
    let batch = batch::run(
        &input.inputs(),
        &input.read_options(keep_raw),
        &pipeline,
        input.strict,
        &spinner,
    );
    spinner.finish();
    Ok(batch?)
}

/// The story name of each story: the id of its first document.
pub fn story_names(batch: &Batch) -> Vec<String> {
    let c = &batch.clustering;
    let mut names = vec![String::new(); c.stats.stories];
    for (d, &s) in c.story.iter().enumerate() {
        if names[s as usize].is_empty() {
            names[s as usize] = id_text(&batch.records[d].id);
        }
    }
    names
}

/// One output line of `cluster` for a clustered document.
#[derive(serde::Serialize)]
struct Row<'a> {
    id: &'a serde_json::Value,
    cluster: &'a str,
    representative: bool,
    score: f64,
    size: u32,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let batch = run_batch(&args.input, &args.pipeline, false, quiet)?;
    let c = &batch.clustering;
    let names = story_names(&batch);
    let mut sizes = vec![0u32; c.stats.stories];
    for &s in &c.story {
        sizes[s as usize] += 1;
    }
    let target = args.output.output.as_deref();
    let name =
        || target.map(|p| p.display().to_string()).unwrap_or_else(|| "standard output".into());
    let mut out = Output::create(target).with_context(|| format!("{}: cannot create", name()))?;
    for e in &batch.entries {
        let written = match *e {
            Entry::Record(d) => {
                let s = c.story[d] as usize;
                out.json(&Row {
                    id: &batch.records[d].id,
                    cluster: &names[s],
                    representative: c.representative[s] as usize == d,
                    score: (c.score_to_rep[d] as f64 * 1000.0).round() / 1000.0,
                    size: sizes[s],
                })
            }
            Entry::Rejected(r) => out.json(&rejected_json(&batch.rejected[r])),
        };
        written.with_context(|| format!("{}: cannot write", name()))?;
    }
    out.finish().with_context(|| format!("{}: cannot write", name()))?;
    report(&batch, args.output.rejects.as_deref(), quiet)?;
    Ok(ExitCode::SUCCESS)
}
