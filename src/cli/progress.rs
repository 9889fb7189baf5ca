//! Progress on standard error: a spinner when it is a terminal, nothing otherwise; and the
//! messages every batch command prints (warnings, rejected records, the summary).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use xdedup::batch::{self, Batch};
use xdedup::io::{Rejected, id_text};

/// A spinner that shows the stage and the records read.
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    pub fn new(quiet: bool) -> Spinner {
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner(Some(bar))
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl batch::Progress for Spinner {
    fn stage(&self, name: &str) {
        if let Some(b) = &self.0 {
            b.set_message(name.to_owned());
        }
    }

    fn read(&self, n: usize) {
        if let Some(b) = &self.0 {
            b.set_message(format!("reading: {n} records"));
        }
    }
}

/// Rejected records listed one by one on standard error before the rest are counted.
const MAX_MESSAGES: usize = 50;

/// One rejected record as an output line.
#[derive(serde::Serialize)]
pub struct RejectedRow<'a> {
    id: &'a Option<serde_json::Value>,
    cluster: Option<()>,
    rejected: &'a str,
    file: &'a str,
    line: u64,
}

pub fn rejected_json(r: &Rejected) -> RejectedRow<'_> {
    RejectedRow {
        id: &r.id,
        cluster: None,
        rejected: &r.reason,
        file: &r.origin.file,
        line: r.origin.line,
    }
}

/// Prints warnings and rejected records (unless quiet), writes the rejects file if asked, and
/// prints the summary line that accounts for every record read.
pub fn report(batch: &Batch, rejects: Option<&std::path::Path>, quiet: bool) -> anyhow::Result<()> {
    if !quiet {
        for r in batch.records.iter().filter(|r| r.truncated) {
            eprintln!(
                "xdedup: warning: {}: document {}: text cut to the size limit",
                r.origin,
                id_text(&r.id)
            );
        }
        for r in batch.rejected.iter().take(MAX_MESSAGES) {
            let id =
                r.id.as_ref().map(|i| format!("document {}: ", id_text(i))).unwrap_or_default();
            eprintln!("xdedup: {}: {id}{}", r.origin, r.reason);
        }
        if batch.rejected.len() > MAX_MESSAGES {
            eprintln!(
                "xdedup: … and {} more rejected records (all of them: --rejects FILE, or the cluster output)",
                batch.rejected.len() - MAX_MESSAGES
            );
        }
    }
    if let Some(path) = rejects {
        super::write_output(Some(path), |out| {
            batch.rejected.iter().try_for_each(|r| out.json(&rejected_json(r)))
        })?;
    }
    if !quiet {
        let s = &batch.clustering.stats;
        eprintln!(
            "xdedup: {} records read: {} documents in {} stories ({} duplicates, {} exact), {} rejected; shingles {}",
            batch.read(),
            batch.records.len(),
            s.stories,
            batch.duplicates(),
            s.documents - s.unique,
            batch.rejected.len(),
            s.shingle.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    Ok(())
}
