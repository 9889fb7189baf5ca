//! `xdedup cluster`: one JSON line per input record, in input order.

use std::process::ExitCode;

use xdedup::batch::{Batch, Entry};
use xdedup::io::id_text;

use super::BatchArgs;
use super::progress::rejected_json;

/// The first document of each story: its id is the story's name.
fn first_documents(batch: &Batch) -> Vec<u32> {
    let c = &batch.clustering;
    let mut first = vec![u32::MAX; c.stats.stories];
    for (d, &s) in c.story.iter().enumerate() {
        if first[s as usize] == u32::MAX {
            first[s as usize] = d as u32;
        }
    }
    first
}

/// A story's name, written as the text of its first document's id ([`id_text`]) where the row
/// is serialized. Making every name a `String` first was serial time at the end of a run (3 ms
/// on the peers' job on the whole corpus, on 1 thread and on 2), done before the rows are made
/// in parallel.
pub struct StoryName<'a>(pub &'a serde_json::Value);

impl serde::Serialize for StoryName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::String(text) => s.serialize_str(text),
            id => s.collect_str(id),
        }
    }
}

/// One output line of `cluster` for a clustered document; `C` is the story name.
#[derive(serde::Serialize)]
pub struct Row<'a, C: serde::Serialize> {
    pub id: &'a serde_json::Value,
    pub cluster: C,
    pub representative: bool,
    pub score: f64,
    pub size: u32,
}

/// One output line of `cluster`: a clustered document or a rejected record.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Line<'a> {
    Story(Row<'a, StoryName<'a>>),
    Rejected(super::progress::RejectedRow<'a>),
}

#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub timely: super::distributed::TimelyArgs,
    /// Print help (-h is timely's hostfile here).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Also write a review report: one self-contained HTML page with the stories largest
    /// first, shared words highlighted, and the score distribution against the threshold.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<std::path::PathBuf>,
}

/// Checks, before a run, that its review report can be written at `report`: a file that is no
/// input, that can be created, and whose name says no format of records (the report is an
/// HTML page: under `stories.csv` a table reader, under `stories.parquet` the run's end, would
/// find it is not one).
pub fn probe_report(
    input: &super::InputArgs,
    report: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    input.refuse_as_output("--report", report)?;
    if let Some(p) = report.filter(|p| xdedup::io::format_named(p).is_some()) {
        anyhow::bail!(
            "--report {}: the report is one HTML page, and this name is that of a file of \
             records: name it .html",
            p.display()
        );
    }
    super::probe_output(report)
}

/// Writes the review report of a run (either engine's) to `path`; `shingle`: the shingles the
/// run used.
pub fn write_report(
    path: &std::path::Path,
    contents: &xdedup::io::report::Contents,
    args: &super::PipelineArgs,
    shingle: &str,
) -> anyhow::Result<()> {
    let pipeline = args.config()?;
    let settings = xdedup::io::report::ReportSettings {
        threshold: pipeline.threshold(),
        settings: format!(
            "{} similarity, threshold {}, shingles {shingle}, {} slots, {}x{} bands{}",
            pipeline.similarity(),
            pipeline.threshold(),
            pipeline.num_perm(),
            pipeline.lsh().bands,
            pipeline.lsh().rows,
            if args.model.is_some() { ", with the sentence encoder" } else { "" }
        ),
        normalizer: xdedup::text::Normalizer::new(pipeline.stem()),
    };
    let html = xdedup::io::report::render_report(contents, &settings);
    super::write_output(Some(path), |out| out.line(&html))
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    let Args { batch: args, report, timely, .. } = args;
    if timely.engine == super::distributed::Engine::Timely {
        let task = xdedup::batch::Task::Cluster;
        return super::distributed::run(&args, &timely, quiet, task, report);
    }
    probe_report(&args.input, report.as_deref())?;
    let batch = args.run(false, report.is_some(), quiet)?;
    let c = &batch.clustering;
    let first = first_documents(&batch);
    let name = |s: usize| StoryName(&batch.records[first[s] as usize].id);
    let mut sizes = vec![0u32; c.stats.stories];
    for &s in &c.story {
        sizes[s as usize] += 1;
    }
    let unread = args.write(&batch, quiet, |out| {
        out.columns(&super::progress::story_columns(&[]))?;
        out.json_rows(batch.entries.len(), |i| match batch.entries[i] {
            Entry::Record(d) => {
                let s = c.story[d] as usize;
                Line::Story(Row {
                    id: &batch.records[d].id,
                    cluster: name(s),
                    representative: c.representative[s] as usize == d,
                    score: (c.score_to_rep[d] as f64 * 1000.0).round() / 1000.0,
                    size: sizes[s],
                })
            }
            Entry::Rejected(r) => Line::Rejected(rejected_json(&batch.rejected[r])),
        })
    })?;
    if let Some(path) = &report {
        let names: Vec<String> =
            first.iter().map(|&d| id_text(&batch.records[d as usize].id)).collect();
        let contents = xdedup::io::report::Contents::of_batch(&batch, &names);
        let shingle = c.stats.shingle.map(|s| s.to_string()).unwrap_or_default();
        write_report(path, &contents, &args.pipeline, &shingle)?;
    }
    batch.leave();
    unread.status()
}
