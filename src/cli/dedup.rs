//! `xdedup dedup`: one representative per story, its record written as it was read.

use std::cmp::Ordering;
use std::process::ExitCode;

use clap::ValueEnum;
use xdedup::batch::Entry;

use super::BatchArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Keep {
    /// The story's first document in input order.
    First,
    /// The longest text (ties: the first).
    Longest,
    /// The earliest by --time-field (compared as text, so ISO 8601 times sort right; documents
    /// without a time come last; ties: the first).
    Earliest,
    /// The document most similar to the rest of its story.
    Central,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Which document of each story to keep.
    #[arg(long, value_enum, default_value_t = Keep::First)]
    pub keep: Keep,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.keep != Keep::Earliest || args.batch.input.time_field.is_some(),
        "--keep earliest needs --time-field"
    );
    let batch = args.batch.run(true, true, quiet)?;
    let c = &batch.clustering;
    let recs = &batch.records;
    // The kept document of each story.
    let mut kept: Vec<Option<usize>> = vec![None; c.stats.stories];
    for (d, &s) in c.story.iter().enumerate() {
        let slot = &mut kept[s as usize];
        let better = match (*slot, args.keep) {
            (None, _) => true,
            (Some(_), Keep::First) => false,
            (Some(k), Keep::Longest) => recs[d].text.chars().count() > recs[k].text.chars().count(),
            (Some(k), Keep::Earliest) => match (&recs[d].time, &recs[k].time) {
                (Some(a), Some(b)) => a.cmp(b) == Ordering::Less,
                (Some(_), None) => true,
                _ => false,
            },
            (Some(_), Keep::Central) => c.representative[s as usize] as usize == d,
        };
        if better {
            *slot = Some(d);
        }
    }
    let mut keep = vec![false; recs.len()];
    for k in kept.into_iter().flatten() {
        keep[k] = true;
    }
    // The kept CSV or TSV rows under their header row, once: inputs with different header rows
    // would put rows under the wrong columns.
    let header = batch.headers.first().map(|h| &h.raw);
    if let Some(h) = batch.headers.iter().find(|h| Some(&h.raw) != header) {
        let first = &batch.headers[0];
        anyhow::bail!(
            "{}: its header row ({}) is not that of {} ({}): dedup writes one table; give it \
             inputs with the same columns, or one run each",
            h.file,
            h.raw,
            first.file,
            first.raw
        );
    }
    // Nor can it hold JSON lines or text lines among its rows.
    if let Some(first) = batch.headers.first() {
        let tables: std::collections::HashSet<&str> =
            batch.headers.iter().map(|h| &*h.file).collect();
        if let Some(r) = batch.records.iter().find(|r| !tables.contains(&*r.origin.file)) {
            anyhow::bail!(
                "{}: not CSV or TSV, unlike {}: dedup writes one table; give it inputs of one \
                 format, or one run each",
                r.origin.file,
                first.file
            );
        }
    }
    let unread = args.batch.write(&batch, quiet, |out| {
        if out.is_parquet() {
            return parquet_rows(&batch, &keep, out);
        }
        if let Some(h) = &header {
            out.line(h)?;
        }
        for e in &batch.entries {
            if let Entry::Record(d) = *e
                && keep[d]
            {
                out.line(recs[d].raw.as_deref().unwrap_or(&recs[d].text))?;
            }
        }
        Ok(())
    })?;
    batch.leave();
    unread.status()
}

/// A Parquet output of Parquet inputs: the kept rows with every column as read.
#[cfg(feature = "parquet")]
fn parquet_rows(
    batch: &xdedup::batch::Batch,
    keep: &[bool],
    out: &mut xdedup::io::write::Output,
) -> std::io::Result<()> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut by_file: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (d, r) in batch.records.iter().enumerate() {
        let file: &str = &r.origin.file;
        if !by_file.contains_key(file) {
            order.push(file);
        }
        let rows = by_file.entry(file).or_default();
        if keep[d] {
            rows.insert(r.origin.line);
        }
    }
    let unsupported = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
    for f in &order {
        if !f.to_lowercase().ends_with(".parquet") {
            return Err(unsupported(format!(
                "{f}: dedup writes Parquet from Parquet inputs (their rows as they were); name the output .jsonl"
            )));
        }
    }
    let files: Vec<(&std::path::Path, &BTreeSet<u64>)> =
        order.iter().map(|f| (std::path::Path::new(*f), &by_file[f])).collect();
    let bytes = xdedup::io::parquet::copy_rows(&files).map_err(unsupported)?;
    out.bytes(&bytes)
}

#[cfg(not(feature = "parquet"))]
fn parquet_rows(
    _: &xdedup::batch::Batch,
    _: &[bool],
    _: &mut xdedup::io::write::Output,
) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "this xdedup was built without Parquet support",
    ))
}
