//! The batch job: inputs → records → stories, with every input record accounted for.
//!
//! `cluster`, `dedup` and `pairs` are one run of this job with different writers. A record
//! ends in exactly one of: a story (as its representative or as a member), or the rejected
//! list (unreadable, malformed, empty, duplicate id, or no letter or digit at all).

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::{
    Header, Input, Item, Prepare, ReadOptions, Record, Rejected, read_inputs_prepared,
};
use crate::pipeline::{
    AUTO_SAMPLE, Census, Clustering, FeatureSets, PackedSets, Pipeline, PivotScope, Prepared,
};
use crate::shingle::{Shingle, ShingleSpec};
use crate::weights::Weighting;

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
    /// The header rows of the CSV and TSV inputs, in input order, when records were kept raw.
    pub headers: Vec<Header>,
    /// Stories of `records`.
    pub clustering: Clustering,
    /// The nodes and their feature sets, as the clustering compared them (each without the
    /// features no other holds): for a caller that scores more pairs of them. They are freed
    /// with the batch; the command line leaves the whole batch to the end of the process
    /// instead (see [`Batch::leave`]).
    pub prepared: Prepared,
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

    /// Leaves the batch's memory to the end of the process, for a program that ends once it
    /// has written the batch out: the system takes the memory back at once, where freeing
    /// every record and set was serial time at the end of a run. (A worker freeing the sets
    /// while the output was written took a worker from the writing: on 2 threads, the peers'
    /// 10k job wrote its rows in 3.5–4.3 ms, against 1.8–3.3 ms with the sets left.)
    pub fn leave(self) {
        std::mem::forget(self);
    }
}

/// What a job writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Task {
    /// `cluster`: every record's story.
    Cluster,
    /// `dedup`: one record of each story, kept by this rule, as it was read (the reader must
    /// keep records raw).
    Dedup(Keep),
    /// `pairs`: every verified pair scoring at least `min`, as one machine lists them (see
    /// [`Clustering::pairs`], whose `every_copy` this is).
    Pairs {
        /// The smallest score listed.
        min: f64,
        /// Every pair among copies and between the copies of two paired documents.
        every_copy: bool,
    },
}

/// Which record of each story `dedup` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Keep {
    /// The story's first document in input order.
    First,
    /// The longest text (ties: the first).
    Longest,
    /// The earliest by --time-field: times compared as the moments they are (dates, ISO 8601 and
    /// RFC 2822 times, seconds since 1970: [`crate::io::time`]); then times in no form that is
    /// read, compared as text; documents without a time last; ties: the first.
    Earliest,
    /// The document most similar to the rest of its story.
    Central,
}

/// A record's standing under a [`Keep`] rule: each story keeps its member of least rank. Its
/// last part is the record's place in input order.
pub type Rank = (u64, crate::io::time::Instant, Box<str>, u64);

impl Keep {
    /// The rank of a record: `order` is its place in input order, `chars` its text's length in
    /// characters, `time` its time field and `representative` whether it represents its story.
    pub fn rank(self, order: u64, chars: u64, time: Option<&str>, representative: bool) -> Rank {
        match self {
            Keep::First => (0, 0, "".into(), order),
            Keep::Longest => (u64::MAX - chars, 0, "".into(), order),
            Keep::Earliest => match time.map(|t| (crate::io::time::instant(t), t)) {
                Some((Some(at), _)) => (0, at, "".into(), order),
                Some((None, t)) => (1, 0, t.into(), order),
                None => (2, 0, "".into(), order),
            },
            Keep::Central => (u64::from(!representative), 0, "".into(), order),
        }
    }
}

/// The header row of the one table `dedup` writes when its inputs are CSV or TSV: `headers`
/// (in input order) must all be the same row, and every input that gave records (`files`) one
/// of theirs. `None` when no input is a table.
pub fn table_header<'a>(
    headers: &'a [Header],
    mut files: impl Iterator<Item = &'a str>,
) -> std::result::Result<Option<&'a Header>, String> {
    let Some(first) = headers.first() else { return Ok(None) };
    // Inputs with different header rows would put rows under the wrong columns.
    if let Some(h) = headers.iter().find(|h| h.columns != first.columns) {
        return Err(format!(
            "{}: its header row ({}) is not that of {} ({}): the rows written as read make one table; give it \
             inputs with the same columns, or one run each",
            h.file, h.columns, first.file, first.columns
        ));
    }
    // Nor can it hold JSON lines or text lines among its rows.
    let tables: std::collections::HashSet<&str> = headers.iter().map(|h| &*h.file).collect();
    if let Some(f) = files.find(|f| !tables.contains(f)) {
        return Err(format!(
            "{f}: not CSV or TSV, unlike {}: the rows written as read make one table; give it inputs of one \
             format, or one run each",
            first.file
        ));
    }
    Ok(Some(first))
}

/// Progress callbacks (a terminal progress bar, or nothing). Called from a worker of the pool
/// while reading.
pub trait Progress: Sync {
    /// A stage starts.
    fn stage(&self, _name: &str) {}
    /// Records read so far.
    fn read(&self, _n: usize) {}
}

/// No progress display.
pub struct Silent;

impl Progress for Silent {}

/// Records read so far, with every input record's place.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Usable records, in input order.
    pub records: Vec<Record>,
    /// Rejected records, in input order.
    pub rejected: Vec<Rejected>,
    /// Every input record in order.
    pub entries: Vec<Entry>,
    /// The header rows of the CSV and TSV inputs (see [`Item::Header`]).
    pub headers: Vec<Header>,
}

/// The reason given for a text with nothing to compare.
pub const NO_FEATURES: &str = "no letter or digit after normalization";

/// Record `r` rejected for having nothing to compare ([`NO_FEATURES`]).
pub fn featureless(r: Record) -> Rejected {
    Rejected { origin: r.origin, id: Some(r.id), reason: NO_FEATURES.into() }
}

/// A rejected record as the error `--strict` stops with.
pub fn record_error(r: Rejected) -> Error {
    Error::Record { origin: r.origin, id: r.id.as_ref().map(crate::io::id_text), reason: r.reason }
}

impl Loaded {
    /// Takes one item from a reader. With `strict`, a rejected record is an error.
    pub fn take(&mut self, item: Item, strict: bool) -> Result<()> {
        match item {
            Item::Record(r) => {
                self.entries.push(Entry::Record(self.records.len()));
                self.records.push(r);
            }
            Item::Rejected(r) => {
                if strict {
                    return Err(record_error(r));
                }
                self.entries.push(Entry::Rejected(self.rejected.len()));
                self.rejected.push(r);
            }
            Item::Header(h) => self.headers.push(h),
        }
        Ok(())
    }

    /// Moves the records whose feature set is empty (no letter or digit) to the rejected list
    /// and returns the features of the others, still parallel to `records`.
    pub fn reject_featureless(
        &mut self,
        features: Vec<Box<[u64]>>,
        strict: bool,
    ) -> Result<Vec<Box<[u64]>>> {
        Ok(self.reject_featureless_with::<PackedSets>(features, None, strict)?.0)
    }

    /// [`Loaded::reject_featureless`], dropping the same records from `pivots` (per record,
    /// as [`Pipeline::features_and_pivots`] makes them).
    pub fn reject_featureless_with<P: PerRecord>(
        &mut self,
        features: Vec<Box<[u64]>>,
        mut pivots: Option<P>,
        strict: bool,
    ) -> Result<(FeatureSets, Option<P>)> {
        if !features.iter().any(|f| f.is_empty()) {
            return Ok((features, pivots));
        }
        if let Some(p) = pivots.as_mut() {
            p.keep(|i| !features[i].is_empty());
        }
        let records = std::mem::take(&mut self.records);
        let mut kept_features = Vec::with_capacity(records.len());
        let mut remap = Vec::with_capacity(records.len());
        for (r, f) in records.into_iter().zip(features) {
            if f.is_empty() {
                let rejected = featureless(r);
                if strict {
                    return Err(record_error(rejected));
                }
                remap.push(Entry::Rejected(self.rejected.len()));
                self.rejected.push(rejected);
            } else {
                remap.push(Entry::Record(self.records.len()));
                self.records.push(r);
                kept_features.push(f);
            }
        }
        for e in &mut self.entries {
            if let Entry::Record(i) = *e {
                *e = remap[i];
            }
        }
        Ok((kept_features, pivots))
    }
}

/// Something per record, from which records can be dropped: the pivot features
/// [`Loaded::reject_featureless_with`] drops with their records.
pub trait PerRecord {
    /// Keeps what `keep` names by its record's place, in order.
    fn keep(&mut self, keep: impl Fn(usize) -> bool);
}

impl PerRecord for FeatureSets {
    fn keep(&mut self, keep: impl Fn(usize) -> bool) {
        let mut i = 0;
        self.retain(|_| {
            i += 1;
            keep(i - 1)
        });
    }
}

impl PerRecord for PackedSets {
    fn keep(&mut self, keep: impl Fn(usize) -> bool) {
        self.retain(keep);
    }
}

/// Reads every record of `inputs`. With `strict`, the first rejected record is an error;
/// otherwise rejected records are collected and the run goes on.
pub fn load(
    inputs: &[Input],
    read: &ReadOptions,
    strict: bool,
    progress: &dyn Progress,
) -> Result<Loaded> {
    load_with(inputs, read, strict, progress, &Prepare::new(), |_| {})
}

/// [`load`], with `prepare`'s step applied by the reader (see [`Prepare`]), calling `after`
/// with what is loaded so far after each record.
///
/// The read runs on a worker of the pool, where the reading thread parses too while the next
/// chunk to take is still being parsed (see `io::read`). Off the pool it is a third thread on
/// two CPUs: on the whole SaudiNewsNet corpus with 2 threads, the same read took 408 / 493 ms
/// there against 382 / 418 ms on a worker (min / median of 8 interleaved runs).
fn load_with(
    inputs: &[Input],
    read: &ReadOptions,
    strict: bool,
    progress: &dyn Progress,
    prepare: &Prepare,
    mut after: impl FnMut(&mut Loaded) + Send,
) -> Result<Loaded> {
    on_a_worker(|| {
        let mut loaded = Loaded::default();
        let mut error = None;
        read_inputs_prepared(inputs, read, prepare, |item| {
            if let Err(e) = loaded.take(item, strict) {
                error = Some(e);
                return false;
            }
            after(&mut loaded);
            if loaded.entries.len() % 4096 == 0 {
                progress.read(loaded.entries.len());
            }
            true
        });
        match error {
            Some(e) => Err(e),
            None => Ok(loaded),
        }
    })
}

/// Runs `work` here when this thread is one of the pool's workers, else on one of them.
fn on_a_worker<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() { work() } else { rayon::scope(|_| work()) }
}

/// Records whose features are made between two frees of their texts (see [`run`]). Small, so
/// that the memory freed with a chunk's texts is what the next chunks' features and texts take:
/// with chunks of 8,192 records every later page was a fresh one, and in this VM a first touch
/// costs about 3.5 µs (page faults were 9% of a 1-thread profile). On the peers' 10k job: 16.2k
/// → 10.1k page faults, peak RSS 62 → 41 MB, 7% less time on 1 thread and on 2.
const FREE_CHUNK: usize = 1024;

/// The records' texts, in order.
fn texts_of(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.text.as_str()).collect()
}

/// Gives back the memory of the records' texts (the run reads them no more), in parallel: the
/// workers that parsed them allocated them, and on the reading thread alone their frees were
/// serial time in which a 2-thread run's workers waited.
fn free_texts(records: &mut [Record]) {
    records.par_iter_mut().with_min_len(256).for_each(|r| r.text = String::new());
}

/// Bytes of text a run keeps while it cannot tell whether the pivot stage will need them (see
/// [`run`]): past them it makes the pivot features as it reads, whether they are needed or not.
/// The 31,030 SaudiNewsNet articles hold 96 MB.
const KEEP_TEXT_BYTES: usize = 256 << 20;

/// The features (and pivot features) of a run's records, made while it reads them.
struct Streaming<'p> {
    pipeline: &'p Pipeline,
    pivoting: bool,
    census: Census,
    features: FeatureSets,
    pivots: PackedSets,
    /// The texts of the records before this one are freed.
    freed: usize,
    /// Bytes of the texts kept (those of the records from `freed` on) while the census finds
    /// one group, and the most to keep ([`KEEP_TEXT_BYTES`], or what a test gives).
    kept: usize,
    budget: usize,
    /// The kept texts passed the budget: pivot features are made from then on.
    over_budget: bool,
}

impl Streaming<'_> {
    /// Whether the pivot features are made as the records are read: once they are found to
    /// be in several language groups, or once the texts kept until then pass the budget.
    fn making_pivots(&self) -> bool {
        self.pivoting && (self.census.several() || self.over_budget)
    }

    /// Makes the features of the records past those made so far, and their pivot features
    /// once [`Streaming::making_pivots`] (with those of the records before, whose texts were
    /// kept for them). Frees the texts no stage will read.
    fn featurize(&mut self, records: &mut [Record], shingle: Shingle) {
        let done = self.features.len();
        let texts = texts_of(&records[done..]);
        if self.pivoting && !self.making_pivots() {
            let langs: Vec<Option<&str>> =
                records[done..].iter().map(|r| r.lang.as_deref()).collect();
            self.census.add(&texts, Some(&langs));
            self.kept += texts.iter().map(|t| t.len()).sum::<usize>();
            self.over_budget |= self.kept > self.budget;
        }
        if self.making_pivots() {
            if self.pivots.len() < done {
                let kept = texts_of(&records[self.pivots.len()..done]);
                self.pivots.extend(self.pipeline.pivot_features(&kept));
            }
            let (f, p) = self.pipeline.features_with_pivots(&texts, shingle);
            self.features.extend(f);
            self.pivots.extend(p);
        } else {
            self.features.extend(self.pipeline.shingles(&texts, shingle));
        }
        drop(texts);
        if !self.pivoting || self.making_pivots() {
            free_texts(&mut records[self.freed..]);
            self.freed = records.len();
        }
    }

    /// Takes the features the reader made for the last of `records` (see [`Prepare`]), after
    /// making those of the records before it that arrived without; false when it arrived
    /// without.
    fn take_prepared(&mut self, records: &mut [Record], shingle: Shingle) -> bool {
        let Some((last, before)) = records.split_last_mut() else { return false };
        let Some(features) = last.features.take() else { return false };
        if self.features.len() < before.len() {
            self.featurize(before, shingle);
        }
        self.features.push(features);
        if self.freed == before.len() {
            self.freed = records.len();
        }
        true
    }
}

/// Reads `inputs` and clusters their records. With `strict`, the first rejected record is an
/// error; otherwise rejected records are collected and the run goes on.
pub fn run(
    inputs: &[Input],
    read: &ReadOptions,
    pipeline: &Pipeline,
    strict: bool,
    progress: &dyn Progress,
) -> Result<Batch> {
    run_keeping(inputs, read, pipeline, strict, progress, KEEP_TEXT_BYTES)
}

/// [`run`], keeping up to `budget` bytes of text for the pivot stage.
fn run_keeping(
    inputs: &[Input],
    read: &ReadOptions,
    pipeline: &Pipeline,
    strict: bool,
    progress: &dyn Progress,
    budget: usize,
) -> Result<Batch> {
    // Unless the texts are wanted again (in the output, or by the sentence encoder), the
    // features are made while reading and the texts freed: the texts of the whole input are
    // never in memory together (they would be its largest part, and the memory they held would
    // stay the process's for the rest of the run). Once the shingles are chosen (on the first
    // records), a run without the pivot stage has the reader make each record's features in
    // the task that parses it (`Prepare`) and give up its text there; other records' features
    // are made a chunk at a time, and each chunk's texts freed at once.
    //
    // The pivot stage needs pivot features only for a collection in more than one language
    // group (a language the input names, or a script: `Census`), which the reading finds out
    // as it goes: until then the texts are kept (a collection in one group keeps them to the
    // end, for `enrich_with` to decide on the features' own scripts); from then on each chunk
    // gets its pivot features with its features, the chunks kept before get theirs, and all
    // their texts are freed. So it goes too once the texts kept pass `KEEP_TEXT_BYTES`: a
    // large collection in one group then spends the time of the pivot features it may not
    // need, rather than the memory of all its texts.
    let stream = !read.keep_text && pipeline.encoder().is_none();
    let pivoting = pipeline.pivoter().is_some();
    let mut streaming = Streaming {
        pipeline,
        pivoting,
        census: Census::default(),
        features: Vec::new(),
        pivots: PackedSets::default(),
        freed: 0,
        kept: 0,
        budget,
        over_budget: false,
    };
    let prepare = Prepare::new();
    let prepare_with = |sh: Shingle| {
        if stream && !pivoting {
            prepare.get_or_init(|| {
                let pipeline = pipeline.clone();
                Box::new(move |r: &mut Record| {
                    r.features = Some(pipeline.text_shingles(&r.text, sh));
                    r.text = String::new();
                })
            });
        }
    };
    // A shingle family given in the settings needs no sample: the reader makes the features
    // from the first record on. (Waiting for the first 1,000 records, then making theirs apart
    // with a worker often idle, cost the peers' 10k job about 5% on 2 threads.)
    let mut shingle = match pipeline.config().shingle() {
        ShingleSpec::Fixed(sh) => Some(sh),
        ShingleSpec::Auto => None,
    };
    if let Some(sh) = shingle {
        prepare_with(sh);
    }
    progress.stage("reading");
    let mut loaded = load_with(inputs, read, strict, progress, &prepare, |loaded| {
        if let Some(sh) = shingle
            && streaming.take_prepared(&mut loaded.records, sh)
        {
            return;
        }
        let n = loaded.records.len();
        if !stream || (shingle.is_none() && n < AUTO_SAMPLE) {
            return;
        }
        // The shingle family is chosen on the first texts, as for a whole input.
        let sh =
            *shingle.get_or_insert_with(|| pipeline.resolve_shingle(&texts_of(&loaded.records)));
        prepare_with(sh);
        if n - streaming.features.len() >= FREE_CHUNK {
            streaming.featurize(&mut loaded.records, sh);
        }
    })?;
    progress.stage("normalizing and shingling");
    let shingle = shingle.unwrap_or_else(|| pipeline.resolve_shingle(&texts_of(&loaded.records)));
    let (features, pivots) = if stream {
        streaming.featurize(&mut loaded.records, shingle);
        let made = streaming.making_pivots();
        (streaming.features, made.then_some(streaming.pivots))
    } else {
        let texts = texts_of(&loaded.records);
        let langs: Vec<Option<&str>> = loaded.records.iter().map(|r| r.lang.as_deref()).collect();
        let both = pipeline.features_and_pivots(&texts, shingle, Some(&langs));
        drop((texts, langs));
        both
    };
    // Texts with no letter or digit cannot be compared with anything: report them.
    let (features, pivots) = loaded.reject_featureless_with(features, pivots, strict)?;

    // The pivot stage runs before the sets are weighed: what it keeps of the pivot sets
    // (`PivotScope::BetweenGroups`) is far less than it found, and the weighing (which held a
    // run's peak memory) gets that back.
    let mut prepared = pipeline.collapse(shingle, features);
    let langs: Vec<Option<&str>> = loaded.records.iter().map(|r| r.lang.as_deref()).collect();
    prepared.group_by_language(&langs);
    drop(langs);
    if pipeline.config().window().is_some() && loaded.records.iter().any(|r| r.time.is_some()) {
        let times: Vec<Option<i64>> =
            loaded.records.iter().map(|r| crate::io::time::seconds(r.time.as_deref()?)).collect();
        prepared.set_times(&times);
    }
    let enriched = pipeline.encoder().is_some() || pipeline.pivoter().is_some();
    if enriched {
        progress.stage(if pipeline.encoder().is_some() {
            "pivot tokens, embedding"
        } else {
            "pivot tokens"
        });
        let texts = texts_of(&loaded.records);
        pipeline.enrich_with(&mut prepared, &texts, pivots, PivotScope::BetweenGroups);
    }
    if !read.keep_text {
        free_texts(&mut loaded.records);
    }
    // What the pivot stage or the texts kept to here leave free goes back to the system, and
    // what the weighing does. A run that did neither (its texts were freed a chunk at a time
    // while reading) has little to give back, and what it gives back the next stage faults in
    // again: in a `perf` timeline of the peers' 10k job on 2 threads, the trims ran on the
    // calling thread while both workers waited.
    if enriched || (!stream && !read.keep_text) {
        crate::memory::give_back_free_memory();
    }
    progress.stage("weighting");
    pipeline.weigh(&mut prepared);
    if pipeline.config().weighting() == Weighting::Idf {
        crate::memory::give_back_free_memory();
    }
    progress.stage("sketching, banding, verifying, clustering");
    let clustering = pipeline.cluster(&mut prepared);
    let Loaded { records, rejected, entries, headers } = loaded;
    Ok(Batch { records, rejected, entries, headers, clustering, prepared })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// A collection whose texts all name one language needs no pivot features: the run keeps
    /// its texts instead. Past the budget of kept text it makes them as it reads, and a second
    /// language after that still pairs with the texts before: the stories are those of a run
    /// that keeps every text.
    #[test]
    fn pivot_features_past_the_budget_of_kept_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let line = |id: String, lang: &str, text: String| {
            serde_json::json!({"id": id, "lang": lang, "text": text}).to_string() + "\n"
        };
        let city = |i: usize| 10_000 + 7 * i;
        let troops = |i: usize| 50_000 + 13 * i;
        let mut input = String::new();
        for i in 0..3000 {
            let text = format!("روته يعلن إرسال {} جنديا إلى مدينة {}", troops(i), city(i));
            input += &line(format!("ar-{i}"), "ar", text);
        }
        let one_language = input.clone();
        for i in 0..3000 {
            let text = format!("Rutte announces {} troops for city {}", troops(i), city(i));
            input += &line(format!("en-{i}"), "en", text);
        }
        let pipeline = Pipeline::new(Config::default());
        let run = |budget: usize, keep_text: bool| {
            let opts = ReadOptions { keep_text, ..ReadOptions::default() };
            run_keeping(&[Input::Path(path.clone())], &opts, &pipeline, false, &Silent, budget)
                .unwrap()
        };
        // One language: the stories are the same whether its texts were kept to the end or
        // its pivot features made as it was read, and no pivot scores count.
        std::fs::write(&path, &one_language).unwrap();
        let kept = run(usize::MAX, false);
        assert!(kept.prepared.pivots.is_none());
        let made = run(1000, false);
        assert!(made.prepared.pivots.is_none());
        assert_eq!(made.clustering.story, kept.clustering.story);
        // The English texts come after the Arabic ones' texts were freed.
        std::fs::write(&path, &input).unwrap();
        let edges = |b: &Batch| -> Vec<(u32, u32, f32)> {
            b.clustering.edges.iter().map(|e| (e.a, e.b, e.score)).collect()
        };
        let whole = run(KEEP_TEXT_BYTES, true);
        for budget in [1000, usize::MAX] {
            let streamed = run(budget, false);
            assert!(streamed.records.iter().all(|r| r.text.is_empty()), "{budget}");
            assert_eq!(streamed.clustering.story, whole.clustering.story, "{budget}");
            assert_eq!(edges(&streamed), edges(&whole), "{budget}");
        }
        let story = &whole.clustering.story;
        let joined = (0..3000).filter(|&i| story[i] == story[3000 + i]).count();
        assert!(joined > 2000, "only {joined} Arabic texts join their English one");
    }
}
