//! `xdedup cluster`: one JSON line per input record, in input order.

use std::process::ExitCode;

use xdedup::batch::{Batch, Entry};
use xdedup::io::id_text;

use super::BatchArgs;
use super::progress::rejected_json;

/// The story name of each story: the id of its first document.
fn story_names(batch: &Batch) -> Vec<String> {
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

pub fn run(args: BatchArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let batch = args.run(false, quiet)?;
    let c = &batch.clustering;
    let names = story_names(&batch);
    let mut sizes = vec![0u32; c.stats.stories];
    for &s in &c.story {
        sizes[s as usize] += 1;
    }
    args.write(&batch, quiet, |out| {
        for e in &batch.entries {
            match *e {
                Entry::Record(d) => {
                    let s = c.story[d] as usize;
                    out.json(&Row {
                        id: &batch.records[d].id,
                        cluster: &names[s],
                        representative: c.representative[s] as usize == d,
                        score: (c.score_to_rep[d] as f64 * 1000.0).round() / 1000.0,
                        size: sizes[s],
                    })?
                }
                Entry::Rejected(r) => out.json(&rejected_json(&batch.rejected[r]))?,
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
