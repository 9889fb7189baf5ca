//! Progress on standard error: a spinner when it is a terminal, nothing otherwise; and the
//! messages every batch command prints (warnings, rejected records, the summary).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use xdedup::io::write::Kind;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use xdedup::batch::{self, Batch};
use xdedup::io::report::counted;
use xdedup::io::{Misread, NAMED_FIELD_OPTIONS, Notices, Record, Rejected, Tally, id_text};

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

/// The warning at the end of a run about the records a [`Tally`] counted.
pub trait Warn {
    /// `xdedup: warning: {N one|N many} {what} (the first: …){tail}`, unless none was
    /// counted or the run is quiet; `what` is told whether the count is one (`its`/`their`).
    fn warn(
        &self,
        quiet: bool,
        one_many: (&str, &str),
        what: impl FnOnce(bool) -> String,
        tail: &str,
    );
}

impl Warn for Tally {
    fn warn(
        &self,
        quiet: bool,
        (one, many): (&str, &str),
        what: impl FnOnce(bool) -> String,
        tail: &str,
    ) {
        if let Some(first) = self.first.as_ref().filter(|_| !quiet) {
            let n = counted(self.count as usize, one, many);
            eprintln!("xdedup: warning: {n} {} (the first: {first}){tail}", what(self.count == 1));
        }
    }
}

/// One rejected record as an output line.
#[derive(serde::Serialize)]
pub struct RejectedRow<'a> {
    id: &'a Option<serde_json::Value>,
    cluster: Option<()>,
    rejected: &'a str,
    file: &'a str,
    line: u64,
}

/// Columns of a rejected record's row, for Parquet outputs.
pub const REJECTED_COLUMNS: [(&str, Kind); 3] =
    [("rejected", Kind::Text), ("file", Kind::Text), ("line", Kind::Count)];

/// Columns of a rejects file's row ([`rejected_json`]), for Parquet outputs.
fn rejects_columns() -> Vec<(&'static str, Kind)> {
    let mut columns = vec![("id", Kind::Text), ("cluster", Kind::Text)];
    columns.extend(REJECTED_COLUMNS);
    columns
}

/// Columns of a story assignment row (`cluster`, and with `extra` after them `index add`),
/// rejected records' columns included, for Parquet outputs.
pub fn story_columns(extra: &[(&'static str, Kind)]) -> Vec<(&'static str, Kind)> {
    let mut columns = vec![
        ("id", Kind::Text),
        ("cluster", Kind::Text),
        ("representative", Kind::Bool),
        ("score", Kind::Float),
        ("size", Kind::Count),
    ];
    columns.extend_from_slice(extra);
    columns.extend(REJECTED_COLUMNS);
    columns
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

/// Warnings and rejected records of a run, reported as records come (a batch at a time): the
/// first ones on standard error, all of them in the `--rejects` file if asked.
pub struct Rejections {
    quiet: bool,
    total: usize,
    file: Option<(std::path::PathBuf, xdedup::io::write::Output)>,
    unread: Vec<String>,
    /// Records whose time field holds no date or time that is read.
    unread_times: Tally,
    /// Records without a value in each field that options name ([`Notices::lacking`]).
    lacking: [Tally; 3],
    /// Records whose text spells NULL ([`Notices::null_texts`]).
    null_texts: Tally,
    /// Records rejected as not UTF-8: an input in another encoding, most likely.
    not_utf8: Tally,
    /// The files that gave a record, or are named as not read in full.
    accounted: HashSet<Arc<str>>,
    /// Records rejected for what a reading mistake would make of them ([`Rejected::misread`]),
    /// by file, in runs of one file: how many, the first one's reason and its mistake.
    misread: Vec<(Arc<str>, usize, String, Misread)>,
}

/// The input files a run could not read to their end: missing, unreadable, a directory, cut
/// short (a rejection at line 0 is the whole file's, see [`Rejected::origin`]). The run reads
/// and writes everything else, every record accounted for, then ends with status 2 (as grep
/// and cat do), so that a script or a nightly job does not take a wrong path for an empty day.
///
/// So are the files that gave no document, every record rejected for what a reading mistake
/// makes of records (a missing text field, lines that are not JSON objects, CSV records without
/// the header row's fields): the run was given the wrong `--text-field`, format or delimiter for
/// them, and its output holds none of their documents.
#[must_use = "the run's exit status"]
pub struct Unread {
    unread: Vec<String>,
    misread: Vec<String>,
    /// The mistakes the misread files point at.
    mistakes: Vec<Misread>,
}

impl Unread {
    /// Success when every input was read to its end and gave a document or a record rejected
    /// for something else than a reading mistake, else the error that names the others.
    pub fn status(self) -> anyhow::Result<std::process::ExitCode> {
        let list = |files: &[String]| {
            let shown = files.len().min(MAX_MESSAGES);
            let more = match files.len() - shown {
                0 => String::new(),
                n => format!("; and {n} more (all of them in the output and --rejects)"),
            };
            format!("{}{more}", files[..shown].join("; "))
        };
        let mut said = Vec::new();
        if !self.unread.is_empty() {
            let n = counted(self.unread.len(), "input file", "input files");
            said.push(format!("{n} could not be read in full: {}", list(&self.unread)));
        }
        if !self.misread.is_empty() {
            let n = counted(self.misread.len(), "input file", "input files");
            said.push(format!(
                "{n} gave no document, every record rejected: {}",
                list(&self.misread)
            ));
        }
        if said.is_empty() {
            return Ok(std::process::ExitCode::SUCCESS);
        }
        let hints: Vec<&str> = self
            .mistakes
            .iter()
            .map(|m| match m {
                Misread::TextField => "is the text in another field? --text-field",
                Misread::Format => "is the file in another format? --format",
                Misread::Fields => "are its fields split by another delimiter? --delimiter",
            })
            .collect();
        let hint =
            if hints.is_empty() { String::new() } else { format!(" ({})", hints.join("; ")) };
        anyhow::bail!("{}; everything else was read and written{hint}", said.join("; "))
    }
}

impl Rejections {
    pub fn new(path: Option<&std::path::Path>, quiet: bool) -> anyhow::Result<Rejections> {
        let file = match path {
            Some(p) => {
                let mut out = xdedup::io::write::Output::create(Some(p))
                    .with_context(|| format!("{}: cannot create", p.display()))?;
                out.columns(&rejects_columns())
                    .with_context(|| format!("{}: cannot create", p.display()))?;
                Some((p.to_owned(), out))
            }
            None => None,
        };
        Ok(Rejections {
            quiet,
            total: 0,
            file,
            unread: Vec::new(),
            unread_times: Tally::default(),
            lacking: Default::default(),
            null_texts: Tally::default(),
            not_utf8: Tally::default(),
            accounted: HashSet::new(),
            misread: Vec::new(),
        })
    }

    /// Reports the truncated records and the rejected ones of one batch, and counts the
    /// records whose time is in no form [`xdedup::io::time`] reads.
    pub fn note(&mut self, records: &[Record], rejected: &[Rejected]) -> anyhow::Result<()> {
        self.notices(&Notices::of(records));
        for r in rejected.iter().filter(|r| r.reason.starts_with("invalid UTF-8")) {
            self.not_utf8.add(|| r.origin.to_string());
        }
        for (r, mistake) in rejected.iter().filter_map(|r| Some((r, r.misread()?))) {
            match self.misread.last_mut() {
                Some((file, n, ..)) if *file == r.origin.file => *n += 1,
                _ => self.misread.push((r.origin.file.clone(), 1, r.reason.clone(), mistake)),
            }
        }
        if !self.quiet {
            for r in rejected.iter().take(MAX_MESSAGES.saturating_sub(self.total)) {
                let id =
                    r.id.as_ref().map(|i| format!("document {}: ", id_text(i))).unwrap_or_default();
                eprintln!("xdedup: {}: {id}{}", r.origin, r.reason);
            }
        }
        if let Some((p, out)) = &mut self.file {
            rejected
                .iter()
                .try_for_each(|r| out.json(&rejected_json(r)))
                .with_context(|| format!("{}: cannot write", p.display()))?;
        }
        self.total += rejected.len();
        for r in rejected.iter().filter(|r| r.origin.line == 0) {
            self.unread.push(format!("{} ({})", r.origin.file, r.reason));
            self.accounted.insert(r.origin.file.clone());
        }
        Ok(())
    }

    /// Prints the truncated records of `n` (unless quiet) and counts its unread times, for
    /// the warning at the end.
    pub fn notices(&mut self, n: &Notices) {
        if !self.quiet {
            for place in &n.truncated {
                eprintln!("xdedup: warning: {place}: text cut to the size limit");
            }
        }
        self.unread_times.merge(&n.unread_times);
        for (all, these) in self.lacking.iter_mut().zip(&n.lacking) {
            all.merge(these);
        }
        self.null_texts.merge(&n.null_texts);
        self.accounted.extend(n.files.iter().cloned());
    }

    /// Counts the rejected records not shown and closes the rejects file; returns the inputs
    /// not read to their end.
    pub fn finish(self) -> anyhow::Result<Unread> {
        self.unread_times.warn(
            self.quiet,
            ("document's time is", "documents' times are"),
            |_| "not a date or time xdedup reads".into(),
            "; such times are not ordered with the others (dates, ISO 8601 and RFC 2822 times, \
             seconds since 1970, Hijri dates are; a date in numbers whose day and month could be \
             either, 05/07/2015, is read with --day-first or --month-first; one whose year is \
             1300-1499, 1436/10/05, with its calendar's mark, 1436/10/05 هـ or ه.ش)",
        );
        let after = [
            "; the line number stands for the id",
            "; read without a title",
            "; dedup --keep earliest ranks them last, index remove --older-than keeps them",
        ];
        for ((tally, option), tail) in self.lacking.iter().zip(NAMED_FIELD_OPTIONS).zip(after) {
            tally.warn(
                self.quiet,
                ("record has", "records have"),
                |_| format!("no {option} value"),
                tail,
            );
        }
        self.null_texts.warn(
            self.quiet,
            ("record's text is", "records' texts are"),
            |_| "NULL, \\N, null or None".into(),
            "; if that is how the input writes no value, name it (--null NULL, --null '\\N') \
             and such records are rejected as empty, not kept as copies of one text",
        );
        self.not_utf8.warn(
            self.quiet,
            ("record is", "records are"),
            |_| "not UTF-8".into(),
            "; if the input is in another encoding, name it: --encoding windows-1256 (or \
             iso-8859-6) for Arabic, windows-1252 for Western European, …",
        );
        if !self.quiet && self.total > MAX_MESSAGES {
            eprintln!(
                "xdedup: … and {} more rejected records (all of them: --rejects FILE, or the output)",
                self.total - MAX_MESSAGES
            );
        }
        if let Some((p, out)) = self.file {
            out.finish().with_context(|| format!("{}: cannot write", p.display()))?;
        }
        let mut misread: Vec<(Arc<str>, usize, String, Misread)> = Vec::new();
        for (file, n, reason, m) in
            self.misread.into_iter().filter(|f| !self.accounted.contains(&f.0))
        {
            match misread.last_mut() {
                Some(f) if f.0 == file => f.1 += n,
                _ => misread.push((file, n, reason, m)),
            }
        }
        let mut mistakes: Vec<Misread> = Vec::new();
        for m in misread.iter().map(|f| f.3) {
            if !mistakes.contains(&m) {
                mistakes.push(m);
            }
        }
        let misread = misread
            .into_iter()
            .map(|(file, n, reason, _)| {
                let records = counted(n, "record", "records");
                format!("{file} ({records}; the first: {reason})")
            })
            .collect();
        Ok(Unread { unread: self.unread, misread, mistakes })
    }
}

/// Prints warnings and rejected records (unless quiet), writes the rejects file if asked, and
/// prints the summary line that accounts for every record read.
pub fn report(
    batch: &Batch,
    rejects: Option<&std::path::Path>,
    quiet: bool,
) -> anyhow::Result<Unread> {
    let mut r = Rejections::new(rejects, quiet)?;
    r.note(&batch.records, &batch.rejected)?;
    let unread = r.finish()?;
    if !quiet {
        let s = &batch.clustering.stats;
        let shingle = s.shingle.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
        let counts = Counts {
            read: batch.read() as u64,
            documents: batch.records.len() as u64,
            stories: s.stories as u64,
            exact: (s.documents - s.unique) as u64,
            rejected: batch.rejected.len() as u64,
        };
        eprintln!("{}", counts.summary(&shingle));
    }
    Ok(unread)
}

/// What a clustering run's summary line counts.
pub struct Counts {
    pub read: u64,
    pub documents: u64,
    pub stories: u64,
    /// Documents identical to an earlier one after normalization.
    pub exact: u64,
    pub rejected: u64,
}

impl Counts {
    /// The summary line that accounts for every record read (the engines add to it).
    pub fn summary(&self, shingle: &str) -> String {
        format!(
            "xdedup: {} read: {} in {} ({}, {} exact), {} rejected; shingles {shingle}",
            counted(self.read, "record", "records"),
            counted(self.documents, "document", "documents"),
            counted(self.stories, "story", "stories"),
            counted(self.documents - self.stories, "duplicate", "duplicates"),
            self.exact,
            self.rejected,
        )
    }
}
