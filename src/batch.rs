//! The batch job: inputs → records → stories, with every input record accounted for.
//!
//! `cluster`, `dedup` and `pairs` are one run of this job with different writers. A record
//! ends in exactly one of: a story (as its representative or as a member), or the rejected
//! list (unreadable, malformed, empty, duplicate id, or no letter or digit at all).

use crate::error::{Error, Result};
use crate::io::{Input, Item, ReadOptions, Record, Rejected, read_inputs};
use crate::pipeline::{Clustering, Pipeline};

/// Where each input record went, in input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Index into [`Batch::records`] (and the clustering's documents).
    Record(usize),
    /// Index into [`Batch::rejected`].
    Rejected(usize),
}

/// A finished batch run.
#[derive(Debug)]
pub struct Batch {
    /// Usable records, in input order.
    pub records: Vec<Record>,
    /// Rejected records, in input order.
    pub rejected: Vec<Rejected>,
    /// Every input record in order.
    pub entries: Vec<Entry>,
    /// Stories of `records`.
    pub clustering: Clustering,
}

impl Batch {
    /// Records read (usable and rejected).
    pub fn read(&self) -> usize {
        self.entries.len()
    }

    /// Documents in stories of two or more, other than each story's representative.
    pub fn duplicates(&self) -> usize {
        self.records.len() - self.clustering.stats.stories
    }
}

/// Progress callbacks (a terminal progress bar, or nothing).
pub trait Progress {
    /// A stage starts.
    fn stage(&self, _name: &str) {}
    /// Records read so far.
    fn read(&self, _n: usize) {}
}

/// No progress display.
pub struct Silent;

impl Progress for Silent {}

/// Reads `inputs` and clusters their records. With `strict`, the first rejected record is an
/// error; otherwise rejected records are collected and the run goes on.
pub fn run(
    inputs: &[Input],
    read: &ReadOptions,
    pipeline: &Pipeline,
    strict: bool,
    progress: &dyn Progress,
) -> Result<Batch> {
    let mut records = Vec::new();
    let mut rejected = Vec::new();
    let mut entries = Vec::new();
    let mut first_error = None;
    progress.stage("reading");
    read_inputs(inputs, read, |item| {
        match item {
            Item::Record(r) => {
                entries.push(Entry::Record(records.len()));
                records.push(r);
            }
            Item::Rejected(r) => {
                if strict {
                    first_error = Some(r);
                    return false;
                }
                entries.push(Entry::Rejected(rejected.len()));
                rejected.push(r);
            }
        }
        if entries.len() % 4096 == 0 {
            progress.read(entries.len());
        }
        true
    });
    if let Some(r) = first_error {
        return Err(Error::Record {
            origin: r.origin,
            id: r.id.as_ref().map(crate::io::id_text),
            reason: r.reason,
        });
    }

    progress.stage("normalizing and shingling");
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let shingle = pipeline.resolve_shingle(&texts);
    let mut features = pipeline.features(&texts, shingle);
    drop(texts);

    // Texts with no letter or digit cannot be compared with anything: report them.
    if features.iter().any(|f| f.is_empty()) {
        let mut kept = Vec::with_capacity(records.len());
        let mut kept_features = Vec::with_capacity(records.len());
        let mut remap = Vec::with_capacity(records.len());
        for (r, f) in records.into_iter().zip(features) {
            if f.is_empty() {
                if strict {
                    let id = Some(crate::io::id_text(&r.id));
                    let reason = "no letter or digit after normalization".into();
                    return Err(Error::Record { origin: r.origin, id, reason });
                }
                remap.push(Entry::Rejected(rejected.len()));
                rejected.push(Rejected {
                    origin: r.origin,
                    id: Some(r.id),
                    reason: "no letter or digit after normalization".into(),
                });
            } else {
                remap.push(Entry::Record(kept.len()));
                kept.push(r);
                kept_features.push(f);
            }
        }
        for e in &mut entries {
            if let Entry::Record(i) = *e {
                *e = remap[i];
            }
        }
        records = kept;
        features = kept_features;
    }

    progress.stage("weighting");
    let prepared = pipeline.prepare(shingle, features);
    progress.stage("sketching, banding, verifying, clustering");
    let clustering = pipeline.cluster(&prepared);
    Ok(Batch { records, rejected, entries, clustering })
}
