//! The batch job across workers, threads and processes, on timely dataflow.
//!
//! The same stages as [`crate::batch::run`], with the data spread over the workers (`-w`
//! threads in each of `-n` processes, over TCP between processes) and moved between them by
//! timely exchanges ([`mod@exchange`]) where a stage needs data another worker holds:
//!
//! 1. **read**: each worker parses its share of every input: its byte range of a large plain
//!    file, or the records dealt to it round robin from a compressed or small one, or the
//!    files dealt to it from a folder read one document per file (see
//!    [`crate::io::read_share`]); a record's key is its input and place (line, or file in the
//!    folder), which orders the output;
//! 2. **ids**: ids are checked for repeats at the worker owning the id's hash;
//! 3. **shingles**: `auto` is resolved from the first texts of the whole input;
//! 4. **normalize and shingle** where the record is; texts with no feature are rejected;
//! 5. **exact duplicates**: records with the same feature set meet at the worker owning the
//!    set's hash; the first in input order leads the group (a *node*), the others follow it;
//! 6. **weights**: document frequencies are counted where the nodes are, summed at the worker
//!    owning each feature and sent back to the workers holding it;
//! 7. **sketch and band** where the node is; each band key goes to the worker owning the key,
//!    which forms the bucket's candidate pairs (the bucket cap comes from every worker's bucket
//!    sizes, as on one machine);
//! 8. **verify**: each pair goes to the worker holding its second node, which sends that node's
//!    weighted set on to the worker holding the first, which scores the pair;
//! 9. **cluster**: connected components of the verified edges by label propagation (each round
//!    one exchange), then each component's nodes and edges go to one worker, which runs the
//!    same average-link clustering as one machine, picks representatives and asks for each
//!    member's score against its representative (step 8 again);
//! 10. **write**: every worker writes its records' outcomes to a part file, in key order; when
//!     all parts are written, worker 0 merges them into the output. A `dedup` job
//!     ([`Task::Dedup`]) first finds each story's kept record at the worker owning the story's
//!     name, and writes only the kept records' rows, as they were read; a `pairs` job
//!     ([`Task::Pairs`]) writes the verified pairs instead, each at a worker holding one of its
//!     nodes.
//!
//! Average link never merges across components, so clustering each component apart gives the
//! stories of one machine. What differs from one machine: buckets over the cap (sampled) are
//! windowed in an order of node keys rather than of node numbers and with a per-worker budget,
//! so runs with oversized buckets may pair a few different documents; and exact duplicates are
//! found by a 128-bit hash of the feature set rather than by comparing the sets.
//!
//! The pivot stage runs as on one machine (pivot features in the shingling pass, weighted by
//! their rarity among all nodes, rare-key candidates at each feature's owner, pivot evidence in
//! the pair scores), and so does the sentence encoder (each node's embeddings made where it is,
//! after step 5; semantic band keys bucketed at their owners in step 7; embeddings shipped with
//! the sets in step 8, a pair only the semantic bands propose scored on them alone).
//!
//! With frequencies over stories (`--story-idf`), step 9 runs twice: after the first average
//! link, each node learns its story, the frequencies are counted over stories
//! (`story_freq`: each (feature, story) at the feature's owner), the sets weighed again,
//! every edge scored again (step 8) and each component clustered again, as one machine does.

pub mod exchange;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use timely::worker::Worker;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::batch::{Keep, NO_FEATURES, Rank, Task, record_error, table_header};
use crate::candidates::PROBE_KEYS;
use crate::candidates::{PAIR_BUDGET, add_sizes, bucket_cap, bucket_sizes};
use crate::config::Config;
use crate::embed::{DocVectors, Encoder};
use crate::io::report::Contents;
use crate::io::{
    Header, Input, Item, Notices, ReadOptions, Record, Rejected, Share, id_text, plan_ranges,
    read_share,
};
use crate::pipeline::semantic_score;
use crate::pipeline::{AUTO_SAMPLE, Pipeline, dominant_script, group_of, sample_length, set_hash};
use crate::pivot::Lexicon;
use crate::shingle::{SCRIPT_CLASSES, script_class};
use crate::verify::{Times, WeightedSet, combine, pivot_pair, times_of, window_edges};
use crate::weights::{DocFreq, Sharded, Weighting};
pub use exchange::StageCost;
use exchange::{agree, all_gather, exchange, gather_at_first, owner, stage};

/// What the job reads and how it compares.
#[derive(Debug, Clone)]
pub struct Job {
    /// The inputs, the same list in every process.
    pub inputs: Vec<Input>,
    /// How to read them.
    pub read: ReadOptions,
    /// Pipeline settings.
    pub config: Config,
    /// Stop at the first bad record.
    pub strict: bool,
    /// Measure each stage's time and the bytes it sends (see [`Sink::costs`]).
    pub measure: bool,
    /// Run the pivot stage (cross-language names, numbers and, with a lexicon, translations)
    /// when the input holds several languages or scripts, as the local engine does.
    pub pivot: bool,
    /// The bilingual lexicon of the pivot stage, read by every worker.
    pub lexicon: Option<std::path::PathBuf>,
    /// What the job writes.
    pub task: Task,
    /// The sentence encoder (`--model`): embeddings of each node's first document, semantic
    /// candidates and scores, as on one machine.
    pub model: Option<Model>,
    /// Gather what a review report shows ([`Sink::report`]): the texts are then kept to the
    /// end of the run.
    pub report: bool,
}

/// The sentence encoder of a job, loaded once per process and shared by its workers.
#[derive(Clone)]
pub struct Model {
    /// Where it was read from (what the job's fingerprint compares).
    pub path: std::path::PathBuf,
    /// The encoder.
    pub encoder: std::sync::Arc<Encoder>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Model({})", self.path.display())
    }
}

/// A verified pair of a `pairs` job.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// Its place in the output: copies (0) before edges (1), then the pair's nodes, then its
    /// documents (the order in which one machine lists them).
    pub order: [u64; 5],
    /// The first document's id, as JSON.
    pub a: String,
    /// The second document's id, as JSON.
    pub b: String,
    /// Their score.
    pub score: f32,
}

/// What became of one input record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// In a story.
    Story {
        /// The record's id.
        id: serde_json::Value,
        /// The story's name: the id of its first document.
        story: String,
        /// Whether it is the story's representative.
        representative: bool,
        /// Its similarity to the representative.
        score: f32,
        /// Documents in the story.
        size: u32,
    },
    /// Rejected, with the reason.
    Rejected(Rejected),
    /// `dedup`: kept as its story's one record, which was read as this row (a JSON or text
    /// line, or a CSV record, as [`Record::raw`]). The other members of a story have no
    /// outcome in a `dedup` job's parts.
    Kept(Box<str>),
}

/// Counts over the whole run (every worker's added up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Records read.
    pub read: u64,
    /// Records clustered.
    pub documents: u64,
    /// Stories.
    pub stories: u64,
    /// Documents identical (after normalization) to an earlier one.
    pub exact: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Input files not read to their end (rejections at line 0: missing, unreadable, cut short).
    pub unread: u64,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        self.read += o.read;
        self.documents += o.documents;
        self.stories += o.stories;
        self.exact += o.exact;
        self.rejected += o.rejected;
        self.unread += o.unread;
    }
}

/// Where the workers' outcomes go.
pub trait Sink: Send + Sync {
    /// Writes one worker's outcomes (sorted by key: input order) as its part of the output.
    fn write_part(
        &self,
        worker: usize,
        peers: usize,
        outcomes: &[(u64, Outcome)],
    ) -> Result<(), String>;
    /// Writes one worker's part of a `pairs` job: its pairs (sorted by their order) and its
    /// rejected records (sorted by key).
    fn write_pairs(
        &self,
        worker: usize,
        peers: usize,
        pairs: &[PairRow],
        rejected: &[(u64, &Rejected)],
    ) -> Result<(), String>;
    /// Called once, by worker 0, before [`Sink::finish`], with what the review report shows
    /// when the job asks for one ([`Job::report`]).
    fn report(&self, _contents: &Contents, _shingle: &str) -> Result<(), String> {
        Ok(())
    }
    /// Called once, by worker 0, when every worker has written its part: joins the parts.
    /// `notices` are every worker's, in input order; `header` is the header row of a `dedup`
    /// job's table (see [`table_header`]).
    fn finish(
        &self,
        peers: usize,
        totals: &Totals,
        notices: &Notices,
        shingle: &str,
        header: Option<&Header>,
    ) -> Result<(), String>;
    /// Called by worker 0 with every worker's stage costs, when the job measures them.
    fn costs(&self, _per_worker: &[Vec<StageCost>], _totals: &Totals) {}
}

/// The key of the item at `place` (its line, or its file's number in a directory read one
/// document per file) of input `input`: their order is input order.
pub fn record_key(input: usize, place: u64) -> u64 {
    ((input as u64) << 40) | (place & ((1 << 40) - 1))
}

/// Runs the job on one timely worker (call it from every worker of a `timely::execute`).
pub fn work(w: &mut Worker, job: &Job, sink: &dyn Sink) -> Result<Totals, String> {
    let mut pipeline = Pipeline::new(job.config.clone());
    if !job.pivot {
        pipeline = pipeline.without_pivot();
    }
    if let Some(path) = &job.lexicon {
        let lexicon = Lexicon::load(path).map_err(|e| format!("lexicon: {e}"))?;
        pipeline = pipeline.with_lexicon(std::sync::Arc::new(lexicon));
    }
    let (me, peers) = (w.index(), w.peers());
    if job.measure {
        exchange::measure();
    }
    // Every process must run the same job: a different flag in one would send the workers down
    // different sequences of exchanges, which wait for each other for ever.
    let fingerprint = xxh3_64(format!("{job:?}").as_bytes());
    let prints = all_gather(w, fingerprint);
    if prints.iter().any(|&p| p != fingerprint) {
        return Err(format!(
            "the processes were not given the same job (inputs, fields and settings must be \
             the same for every process; only -p differs): fingerprints {prints:x?}"
        ));
    }
    stage("read");
    // 1. Read this worker's share: its byte range of large plain files (line numbers from every
    // range's newline count), its dealt records of the others.
    let plan = plan_ranges(&job.inputs, &job.read, me, peers);
    let counts: Vec<Vec<Option<u64>>> =
        all_gather(w, plan.iter().map(|r| r.map(|r| r.newlines)).collect::<Vec<_>>());
    let ranges = plan
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let before: u64 = counts[..me].iter().map(|c| c[i].unwrap_or(0)).sum();
            r.map(|r| (r, before))
        })
        .collect();
    let share = Share { index: me, peers, ranges };
    let mut records: Vec<(u64, Record)> = Vec::new();
    let mut rejected: Vec<(u64, Rejected)> = Vec::new();
    let mut headers: Vec<(u64, Header)> = Vec::new();
    let mut error = None;
    read_share(&job.inputs, &job.read, Some(&share), None, &mut |i, place, item| {
        match item {
            Item::Record(r) => records.push((record_key(i, place), r)),
            Item::Rejected(r) => {
                let key = record_key(i, place);
                if job.strict {
                    error = Some((key, record_error(r).to_string()));
                    return false;
                }
                rejected.push((key, r));
            }
            Item::Header(h) => headers.push((i as u64, h)),
        }
        true
    });
    agree(w, error)?;
    let notices = gather_notices(w, &records);
    // `dedup` writes one table, under the header row of its CSV or TSV inputs.
    let header = match job.task {
        Task::Dedup(_) => one_table(w, headers, &records)?,
        _ => None,
    };

    stage("ids");
    // 2. Repeated ids: the first record in input order keeps its id.
    let claims: Vec<(u64, String, u64, u64, String)> = records
        .iter()
        .map(|(k, r)| {
            let id = id_text(&r.id);
            (owner(xxh3_64(id.as_bytes()), peers), id, *k, me as u64, r.origin.to_string())
        })
        .collect();
    let mut claims = exchange(w, claims, |c| c.0);
    claims.sort_unstable_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let mut repeats: Vec<(u64, u64, String)> = Vec::new();
    for group in claims.chunk_by(|a, b| a.1 == b.1) {
        for c in &group[1..] {
            repeats.push((c.3, c.2, format!("duplicate id (first seen at {})", group[0].4)));
        }
    }
    let repeats: HashMap<u64, String> =
        exchange(w, repeats, |r| r.0).into_iter().map(|r| (r.1, r.2)).collect();
    let mut error = None;
    if !repeats.is_empty() {
        let mut kept = Vec::with_capacity(records.len());
        for (k, r) in records {
            match repeats.get(&k) {
                Some(reason) => {
                    let rej = Rejected { origin: r.origin, id: Some(r.id), reason: reason.clone() };
                    if job.strict && error.is_none() {
                        error = Some((k, record_error(rej.clone()).to_string()));
                    }
                    rejected.push((k, rej));
                }
                None => kept.push((k, r)),
            }
        }
        records = kept;
    }
    agree(w, error)?;

    stage("normalize, shingle");
    // 3. `auto` shingles from the first texts of the whole input.
    let norm = pipeline.normalizer();
    let sample: Vec<(u64, u64)> = records
        .iter()
        .take(AUTO_SAMPLE)
        .map(|(k, r)| (*k, sample_length(&norm, &r.text) as u64))
        .collect();
    let mut sample: Vec<(u64, u64)> = all_gather(w, sample).concat();
    sample.sort_unstable();
    sample.truncate(AUTO_SAMPLE);
    let counts: Vec<usize> = sample.iter().map(|s| s.1 as usize).collect();
    let shingle = job.config.shingle().resolve(&counts);

    // 4. Features where the records are (pivot features in the same pass when the whole
    // input holds several language groups: the languages it names, or the scripts of the
    // texts that name none, as `Census` counts them); none: rejected.
    let texts: Vec<&str> = records.iter().map(|(_, r)| r.text.as_str()).collect();
    let several = pipeline.pivoter().is_some() && {
        let langs: Vec<Option<&str>> = records.iter().map(|(_, r)| r.lang.as_deref()).collect();
        let census = crate::pipeline::Census::of(&texts, Some(&langs));
        // Each worker's census: several groups, or its one group to compare with the others'.
        let all: Vec<(bool, Option<u8>)> = all_gather(w, (census.several(), census.group()));
        all.iter().any(|c| c.0) || distinct(all.iter().filter_map(|c| c.1)).len() > 1
    };
    let (features, mut pivots) = if several {
        let (f, p) = pipeline.features_with_pivots(&texts, shingle);
        (f, p)
    } else {
        (pipeline.features(&texts, shingle), Vec::new())
    };
    drop(texts);
    let mut docs: Vec<(u64, Record, Box<[u64]>)> = Vec::with_capacity(records.len());
    let mut doc_pivots: Vec<Box<[u64]>> = Vec::new();
    // `dedup`: each document's length in characters, for `--keep longest`.
    let mut lengths: Vec<u64> = Vec::new();
    let mut error = None;
    for (i, ((k, mut r), f)) in records.into_iter().zip(features).enumerate() {
        // From here on a record is its id, origin and language (and, for `dedup`, its row and
        // length): the text is not needed again, unless the encoder reads it or a report shows
        // it.
        let keep = job.report || job.model.is_some();
        if matches!(job.task, Task::Dedup(_)) && !f.is_empty() {
            lengths.push(r.text.chars().count() as u64);
            // A text line is its own row.
            if r.raw.is_none() {
                let text = if keep { r.text.clone() } else { std::mem::take(&mut r.text) };
                r.raw = Some(text.into());
            }
        }
        if !keep {
            r.text = String::new();
        }
        let p = pivots.get_mut(i).map(std::mem::take);
        if f.is_empty() {
            let rej = Rejected { origin: r.origin, id: Some(r.id), reason: NO_FEATURES.into() };
            if job.strict && error.is_none() {
                error = Some((k, record_error(rej.clone()).to_string()));
            }
            rejected.push((k, rej));
        } else {
            docs.push((k, r, f));
            doc_pivots.extend(p);
        }
    }
    drop(pivots);
    agree(w, error)?;

    stage("exact duplicates");
    // 5. Exact duplicates meet at the owner of their set's hash.
    // With the time window, each document's time goes along, and the group's times back.
    let timed = job.config.window().is_some();
    let sets: Vec<(u64, u64, u64, u64, u64, Option<i64>)> = docs
        .iter()
        .map(|(k, r, f)| {
            let h = set_hash(f);
            let bytes: Vec<u8> = f.iter().flat_map(|x| x.to_le_bytes()).collect();
            let time = r.time.as_deref().filter(|_| timed).and_then(crate::io::time::seconds);
            (owner(h, peers), h, xxh3_64_with_seed(&bytes, 0x5E7), *k, me as u64, time)
        })
        .collect();
    let mut sets = exchange(w, sets, |s| s.0);
    sets.sort_unstable_by_key(|s| (s.1, s.2, s.3));
    // (member's worker, member, leader, leader's worker, group size, group's times: to the
    // leader only)
    let mut follow: Vec<(u64, u64, u64, u64, u32, Vec<i64>)> = Vec::new();
    for group in sets.chunk_by(|a, b| (a.1, a.2) == (b.1, b.2)) {
        let lead = &group[0];
        for s in group {
            let times = if s.3 == lead.3 {
                times_of(group.iter().filter_map(|s| s.5)).into_vec()
            } else {
                Vec::new()
            };
            follow.push((s.4, s.3, lead.3, lead.4, group.len() as u32, times));
        }
    }
    let mut follow = exchange(w, follow, |f| f.0);
    // This worker's nodes (the groups it leads), and who follows each.
    let by_key: HashMap<u64, usize> = docs.iter().enumerate().map(|(i, d)| (d.0, i)).collect();
    let mut leader_of: Vec<(u64, u64)> = vec![(0, 0); docs.len()];
    for f in &follow {
        leader_of[by_key[&f.1]] = (f.2, f.3);
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_at: HashMap<u64, usize> = HashMap::new();
    for (i, (k, r, _)) in docs.iter().enumerate() {
        if leader_of[i].0 == *k {
            node_at.insert(*k, nodes.len());
            nodes.push(Node { key: *k, doc: i, size: 0, name: id_text(&r.id), followers: vec![] });
        }
    }
    // Each node's times, for the time window (empty without one).
    let mut times: Vec<Times> = vec![Times::default(); nodes.len()];
    for f in &mut follow {
        if f.1 == f.2 {
            nodes[node_at[&f.1]].size = f.4;
            times[node_at[&f.1]] = std::mem::take(&mut f.5).into();
        }
    }
    // Each follower tells its leader where it is: (leader's worker, leader, follower, worker).
    let followers: Vec<(u64, u64, u64, u64)> =
        follow.iter().filter(|f| f.1 != f.2).map(|f| (f.3, f.2, f.1, me as u64)).collect();
    for (_, lead, k, fw) in exchange(w, followers, |f| f.0) {
        nodes[node_at[&lead]].followers.push((k, fw));
    }
    let exact: u64 = nodes.iter().map(|n| n.size as u64 - 1).sum();
    // With the sentence encoder: each node's embeddings, from its first document's text, as
    // on one machine. The texts go then, unless a report shows them.
    let vectors: Option<Vec<DocVectors>> = job.model.as_ref().map(|m| {
        stage("embed");
        let firsts: Vec<&str> = nodes.iter().map(|n| docs[n.doc].1.text.as_str()).collect();
        m.encoder.embed_vectors(&firsts)
    });
    if !job.report {
        for d in &mut docs {
            d.1.text = String::new();
        }
    }
    let node_features: Vec<Box<[u64]>> =
        nodes.iter().map(|n| std::mem::take(&mut docs[n.doc].2)).collect();
    for d in &mut docs {
        // A follower's features are its leader's.
        d.2 = Box::default();
    }

    stage("weights (document frequencies)");
    // 6. Document frequencies: counted where the nodes are, summed at each feature's owner.
    let mut weighted: Vec<WeightedSet> = match job.config.weighting() {
        Weighting::Uniform => node_features.into_iter().map(WeightedSet::uniform).collect(),
        Weighting::Idf => {
            let df = doc_freq(w, &node_features);
            node_features.into_iter().map(|f| WeightedSet::new(f, |x| df.idf(x))).collect()
        }
    };

    // Language groups (the script, or the language the input names) and the pivot sets,
    // weighted by their rarity among the nodes, when the nodes are in more than one group.
    let groups: Vec<u8> = nodes
        .iter()
        .zip(&weighted)
        .map(|(n, set)| group_of(dominant_script(set.features()), docs[n.doc].1.lang.as_deref()))
        .collect();
    let mixed = several && {
        let mine: Vec<u8> = distinct(groups.iter().copied().filter(|&g| g != 0));
        distinct(all_gather(w, mine).into_iter().flatten()).len() > 1
    };
    let pivot_sets: Option<Vec<WeightedSet>> = mixed.then(|| {
        let sets: Vec<Box<[u64]>> =
            nodes.iter().map(|n| std::mem::take(&mut doc_pivots[n.doc])).collect();
        let df = doc_freq(w, &sets);
        sets.into_iter().map(|f| WeightedSet::new(f, |x| df.idf(x))).collect()
    });
    drop(doc_pivots);

    stage("sketch, band, candidates");
    // 7. Signatures and band keys where the nodes are; buckets at each key's owner.
    let lsh = job.config.lsh();
    let signatures = pipeline.signatures_of(&weighted);
    let mut keys: Vec<(u64, u64, u64)> = Vec::with_capacity(nodes.len() * lsh.bands);
    for (n, sig) in nodes.iter().zip(&signatures) {
        lsh.keys(sig, |_, key| keys.push((key, n.key, me as u64)));
    }
    drop(signatures);
    let max_bucket = job.config.max_bucket();
    let mut pairs: Vec<(Pair, u8)> =
        bucket_pairs(w, keys, nodes.len(), max_bucket).into_iter().map(|p| (p, LEXICAL)).collect();
    if let Some(piv) = &pivot_sets {
        // Cross-language candidates: nodes sharing rare pivot features.
        let more = rare_key_pairs(w, &nodes, piv, &groups, max_bucket);
        pairs.extend(more.into_iter().map(|p| (p, PIVOT)));
    }
    if let Some(v) = &vectors {
        // Semantic candidates: SimHash bands of the embeddings, in buckets of their own.
        let mut keys: Vec<(u64, u64, u64)> = Vec::new();
        for (n, v) in nodes.iter().zip(v) {
            keys.extend(pipeline.semantic_keys(v).into_iter().map(|k| (k, n.key, me as u64)));
        }
        let more = bucket_pairs(w, keys, nodes.len(), max_bucket);
        pairs.extend(more.into_iter().map(|p| (p, SEMANTIC)));
    }
    // A pair found more than once is scored as its first kind says.
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);

    stage("verify");
    // 8. Verify every candidate where its first node is, with the second node's set sent there.
    // What scoring reads of this worker's nodes, with their sets as weighed now (a macro: the
    // sets are weighed again with frequencies over stories, and a closure would borrow them
    // for as long as it lives).
    macro_rules! held {
        () => {
            Held {
                node_at: &node_at,
                sets: &weighted,
                pivots: pivot_sets.as_deref(),
                groups: &groups,
                vectors: vectors.as_deref(),
                me: me as u64,
            }
        };
    }
    let scored = score_pairs(w, &pipeline, &held!(), pairs, true);
    // With frequencies over stories, the edges are scored again: which of them only the
    // semantic bands proposed (scored on their embeddings alone) is kept for then.
    // (A config with frequencies over stories weighs by IDF: the builder checks it.)
    let story_idf = job.config.story_idf();
    let semantic_only: Vec<bool> = match story_idf {
        true => scored.iter().filter(|e| e.3 > 0.0).map(|e| e.4).collect(),
        false => Vec::new(),
    };
    // (x, y, y's worker, score), held at x's worker; the time window is applied where each
    // component is clustered, where a node's near-copies are known (`window_edges`).
    let mut edges: Vec<(u64, u64, u64, f32)> =
        scored.into_iter().filter(|e| e.3 > 0.0).map(|e| (e.0, e.1, e.2, e.3)).collect();

    stage("connected components");
    // 9. Connected components by label propagation, then each component clustered at its owner.
    // First the components of the edges each worker holds (union-find, smallest key as the
    // root), each as a star of (node, root) links; label propagation then runs over the stars,
    // which are far fewer than the edges of a crowd of near-duplicates.
    let mut parent: HashMap<u64, u64> = HashMap::new();
    let mut worker_of: HashMap<u64, u64> = HashMap::new();
    fn find(parent: &mut HashMap<u64, u64>, x: u64) -> u64 {
        let mut r = x;
        while let Some(&p) = parent.get(&r).filter(|&&p| p != r) {
            r = p;
        }
        let mut y = x;
        while y != r {
            let next = parent[&y];
            parent.insert(y, r);
            y = next;
        }
        r
    }
    for &(x, y, yw, _) in &edges {
        worker_of.insert(x, me as u64);
        worker_of.insert(y, yw);
        parent.entry(x).or_insert(x);
        parent.entry(y).or_insert(y);
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        if rx != ry {
            parent.insert(rx.max(ry), rx.min(ry));
        }
    }
    let touched: Vec<u64> = parent.keys().copied().collect();
    // (holder of the node, node, neighbour, its worker), both ways.
    let mut links: Vec<(u64, u64, u64, u64)> = Vec::new();
    for k in touched {
        let r = find(&mut parent, k);
        if r != k {
            links.push((worker_of[&k], k, r, worker_of[&r]));
            links.push((worker_of[&r], r, k, worker_of[&k]));
        }
    }
    let mut adj: Vec<Vec<(u64, u64)>> = vec![Vec::new(); nodes.len()];
    for (_, k, nb, nbw) in exchange(w, links, |l| l.0) {
        adj[node_at[&k]].push((nb, nbw));
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    let mut label: Vec<u64> = nodes.iter().map(|n| n.key).collect();
    let mut changed: Vec<usize> = (0..nodes.len()).filter(|&i| !adj[i].is_empty()).collect();
    let mut rounds = 0;
    loop {
        let mut msgs: Vec<(u64, u64, u64)> = Vec::new();
        for &i in &changed {
            for &(nb, nbw) in &adj[i] {
                if label[i] < nb {
                    msgs.push((nbw, nb, label[i]));
                }
            }
        }
        let got = exchange(w, msgs, |m| m.0);
        let mut next: Vec<usize> = Vec::new();
        for (_, nb, l) in got {
            let i = node_at[&nb];
            if l < label[i] {
                label[i] = l;
                next.push(i);
            }
        }
        next.sort_unstable();
        next.dedup();
        let moving: u64 = all_gather(w, next.len() as u64).iter().sum();
        rounds += 1;
        if moving == 0 {
            break;
        }
        changed = next;
    }
    if job.measure && me == 0 {
        eprintln!("xdedup: connected components: {rounds} rounds of label propagation");
    }
    stage("average link per component");
    // Nodes (with their times) and edges to the component's owner.
    type Member = (u64, u64, u64, u64, u32, String, Vec<i64>);
    let members: Vec<Member> = (0..nodes.len())
        .filter(|&i| !adj[i].is_empty())
        .map(|i| {
            let n = &nodes[i];
            let t = times[i].to_vec();
            (owner(label[i], peers), label[i], n.key, me as u64, n.size, n.name.clone(), t)
        })
        .collect();
    let mut members = exchange(w, members, |m| m.0);
    members.sort_unstable_by_key(|m| m.2);
    let local: HashMap<u64, u32> =
        members.iter().enumerate().map(|(i, m)| (m.2, i as u32)).collect();
    let sizes: Vec<u32> = members.iter().map(|m| m.4).collect();
    let member_times: Vec<Times> =
        members.iter_mut().map(|m| std::mem::take(&mut m.6).into()).collect();
    // The edges of each component at its owner, windowed, in its members' numbering.
    let component_graph = |w: &mut Worker, edges: &[(u64, u64, u64, f32)]| {
        let comp_edges: Vec<(u64, u64, u64, u64, f32)> = edges
            .iter()
            .map(|&(x, y, _, s)| {
                let l = label[node_at[&x]];
                (owner(l, peers), l, x.min(y), x.max(y), s)
            })
            .collect();
        let mut comp_edges = exchange(w, comp_edges, |e| e.0);
        comp_edges.sort_unstable_by_key(|e| (e.2, e.3));
        let mut graph: Vec<(u32, u32, f32)> =
            comp_edges.iter().map(|e| (local[&e.2], local[&e.3], e.4)).collect();
        window_edges(&mut graph, &member_times, job.config.window());
        graph
    };
    let link = |graph: &[(u32, u32, f32)]| {
        crate::cluster::cluster(job.config.linkage(), &sizes, graph, job.config.threshold())
    };
    let mut graph = component_graph(w, &edges);
    let mut cluster = link(&graph);
    if story_idf {
        // Frequencies over these stories (as `Pipeline::cluster`): each node learns its story,
        // the sets are weighed again, every edge is scored again (in the same components:
        // average link never merges across them), and each component clustered again.
        let named: Vec<(u64, u64, u64)> =
            members.iter().zip(&cluster).map(|(m, &c)| (m.3, m.2, members[c as usize].2)).collect();
        let mut story_of: Vec<u64> = nodes.iter().map(|n| n.key).collect();
        for (_, node, s) in exchange(w, named, |x| x.0) {
            story_of[node_at[&node]] = s;
        }
        let df = story_freq(w, &weighted, &story_of);
        weighted = std::mem::take(&mut weighted)
            .into_iter()
            .map(|s| WeightedSet::new(s.into_features(), |x| df.idf(x)))
            .collect();
        let pairs: Vec<(Pair, u8)> = edges
            .iter()
            .zip(&semantic_only)
            .map(|(&(x, y, yw, _), &semantic)| {
                let (a, aw, b, bw) =
                    if x < y { (x, me as u64, y, yw) } else { (y, yw, x, me as u64) };
                (Pair { a, aw, b, bw }, if semantic { SEMANTIC } else { LEXICAL })
            })
            .collect();
        edges = score_pairs(w, &pipeline, &held!(), pairs, true)
            .into_iter()
            .filter(|e| e.3 > 0.0)
            .map(|e| (e.0, e.1, e.2, e.3))
            .collect();
        graph = component_graph(w, &edges);
        cluster = link(&graph);
    }
    // Representative: the largest within-story similarity mass, ties to the first node.
    let mut mass: Vec<f64> = sizes.iter().map(|&m| (m as f64 - 1.0).max(0.0) * m as f64).collect();
    for &(a, b, s) in &graph {
        if cluster[a as usize] == cluster[b as usize] {
            let w = s as f64 * sizes[a as usize] as f64 * sizes[b as usize] as f64;
            mass[a as usize] += w;
            mass[b as usize] += w;
        }
    }
    let mut rep: HashMap<u32, u32> = HashMap::new();
    let mut story_size: HashMap<u32, u32> = HashMap::new();
    for (i, &c) in cluster.iter().enumerate() {
        *story_size.entry(c).or_default() += sizes[i];
        match rep.get(&c) {
            Some(&r) if mass[r as usize] >= mass[i] => {}
            _ => {
                rep.insert(c, i as u32);
            }
        }
    }
    let component_stories = rep.len() as u64;
    // (node's worker, node, story name, representative node, its worker, story size)
    let verdicts: Vec<(u64, u64, String, u64, u64, u32)> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let c = cluster[i];
            let r = &members[rep[&c] as usize];
            (m.3, m.2, members[c as usize].5.clone(), r.2, r.3, story_size[&c])
        })
        .collect();
    let verdicts = exchange(w, verdicts, |v| v.0);
    // Stories of the nodes with no verified edge: themselves.
    let mut story: Vec<(String, u64, u32)> =
        nodes.iter().map(|n| (n.name.clone(), n.key, n.size)).collect();
    for (_, node, name, r, _, size) in &verdicts {
        story[node_at[node]] = (name.clone(), *r, *size);
    }
    let singles = nodes.iter().enumerate().filter(|(i, _)| adj[*i].is_empty()).count() as u64;
    stage("scores to representatives");
    let to_rep: Vec<(Pair, u8)> = verdicts
        .iter()
        .filter(|v| v.1 != v.3)
        .map(|v| (Pair { a: v.1, aw: me as u64, b: v.3, bw: v.4 }, LEXICAL))
        .collect();
    let rep_scores: HashMap<u64, f32> = score_pairs(w, &pipeline, &held!(), to_rep, false)
        .into_iter()
        .map(|s| (s.0, s.3))
        .collect();

    stage("write");
    // 10. Every record's outcome, at the worker that read it.
    let mut outcomes: Vec<(u64, Outcome)> = Vec::with_capacity(docs.len() + rejected.len());
    let mut to_followers: Vec<(u64, u64, String, f32, u32)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let (name, r, size) = &story[i];
        let score = if *r == n.key { 1.0 } else { rep_scores[&n.key] };
        outcomes.push((
            n.key,
            Outcome::Story {
                id: docs[n.doc].1.id.clone(),
                story: name.clone(),
                representative: *r == n.key,
                score,
                size: *size,
            },
        ));
        for &(k, fw) in &n.followers {
            to_followers.push((fw, k, name.clone(), score, *size));
        }
    }
    for (_, k, name, score, size) in exchange(w, to_followers, |f| f.0) {
        let d = &docs[by_key[&k]];
        let story =
            Outcome::Story { id: d.1.id.clone(), story: name, representative: false, score, size };
        outcomes.push((k, story));
    }
    outcomes.extend(rejected.into_iter().map(|(k, r)| (k, Outcome::Rejected(r))));
    outcomes.sort_unstable_by_key(|o| o.0);
    let read = outcomes.len() as u64;
    let mut report = job.report.then(|| report_contents(w, &outcomes, &docs, &by_key, &edges));
    if let Task::Dedup(rule) = job.task {
        outcomes = keep_one(w, rule, outcomes, &mut docs, &by_key, &lengths);
    }
    let mine = Totals {
        read,
        documents: docs.len() as u64,
        stories: component_stories + singles,
        exact,
        rejected: outcomes.iter().filter(|o| matches!(o.1, Outcome::Rejected(_))).count() as u64,
        unread: outcomes
            .iter()
            .filter(|o| matches!(&o.1, Outcome::Rejected(r) if r.origin.line == 0))
            .count() as u64,
    };
    let written = match job.task {
        Task::Pairs { min, every_copy } => {
            let held = Copies { nodes: &nodes, docs: &docs, leader_of: &leader_of };
            let pairs = pair_rows(w, &held, &edges, min, every_copy);
            let rejected: Vec<(u64, &Rejected)> = outcomes
                .iter()
                .filter_map(|(k, o)| match o {
                    Outcome::Rejected(r) => Some((*k, r)),
                    _ => None,
                })
                .collect();
            sink.write_pairs(me, peers, &pairs, &rejected)
        }
        _ => sink.write_part(me, peers, &outcomes),
    };
    let written = written.err().map(|e| (me as u64, e));
    agree(w, written)?;
    let mut totals = Totals::default();
    for t in all_gather(w, mine) {
        totals += t;
    }
    if job.measure {
        let costs = all_gather(w, exchange::costs());
        if me == 0 {
            sink.costs(&costs, &totals);
        }
    }
    if me == 0 {
        if let Some(contents) = report.as_mut() {
            contents.read = totals.read;
            contents.documents = totals.documents;
            contents.stories = totals.stories;
            contents.rejected = totals.rejected;
            sink.report(contents, &shingle.to_string())?;
        }
        sink.finish(peers, &totals, &notices, &shingle.to_string(), header.as_ref())?;
    }
    Ok(totals)
}

/// Every worker's [`Notices`] of its `records`, at worker 0 (the others get none), in input
/// order, as one machine gathers them.
fn gather_notices(w: &mut Worker, records: &[(u64, Record)]) -> Notices {
    /// A tally's count, and its first record's key and description.
    type Counted = (u64, Option<(u64, String)>);
    fn count(into: &mut Counted, count: u64, first: Option<(u64, String)>) {
        into.0 += count;
        if let Some(f) = first
            && into.1.as_ref().is_none_or(|a| f.0 < a.0)
        {
            into.1 = Some(f);
        }
    }
    let mut truncated: Vec<(u64, String)> = Vec::new();
    let mut tallies: Vec<Counted> = Notices::default().tallies_mut().map(|_| (0, None)).collect();
    let mut files: Vec<(u64, String)> = Vec::new();
    // One record's notices at a time, taken out with their key (no allocation per record).
    let mut n = Notices::default();
    for (k, r) in records {
        n.note(r);
        truncated.extend(n.truncated.drain(..).map(|t| (*k, t)));
        for (t, into) in n.tallies_mut().zip(&mut tallies) {
            count(into, std::mem::take(&mut t.count), t.first.take().map(|f| (*k, f)));
        }
        n.files.clear();
        if files.last().is_none_or(|f| *f.1 != *r.origin.file) {
            files.push((*k, r.origin.file.to_string()));
        }
    }
    let mut truncated_all = Vec::new();
    let mut files_all = Vec::new();
    let mut tallies_all: Vec<Counted> = tallies.iter().map(|_| (0, None)).collect();
    for (t, tallies, used) in gather_at_first(w, vec![(truncated, tallies, files)]) {
        truncated_all.extend(t);
        for (into, (n, first)) in tallies_all.iter_mut().zip(tallies) {
            count(into, n, first);
        }
        files_all.extend(used);
    }
    let mut all = Notices::default();
    truncated_all.sort_unstable_by_key(|t| t.0);
    all.truncated = truncated_all.into_iter().map(|t| t.1).collect();
    for (t, (n, first)) in all.tallies_mut().zip(tallies_all) {
        *t = crate::io::Tally { count: n, first: first.map(|f| f.1) };
    }
    files_all.sort_unstable_by_key(|f| f.0);
    all.files = files_all.into_iter().map(|f| f.1.into()).collect();
    all.files.dedup();
    all
}

/// The candidate pairs of band keys `(key, node, node's worker)`: each key goes to its owner,
/// which pairs the nodes of its bucket; buckets over the cap (from every worker's bucket sizes,
/// as on one machine) are sampled in windows.
fn bucket_pairs(
    w: &mut Worker,
    keys: Vec<(u64, u64, u64)>,
    nodes: usize,
    max_bucket: usize,
) -> Vec<Pair> {
    let peers = w.peers();
    let mut keys = exchange(w, keys, move |k| owner(k.0, peers));
    keys.sort_unstable();
    let sizes = bucket_sizes(keys.chunk_by(|a, b| a.0 == b.0).map(|b| b.len()).filter(|&m| m > 1));
    let node_count: u64 = all_gather(w, nodes as u64).iter().sum();
    let histogram = all_gather(w, sizes).iter().fold(Vec::new(), |h, part| add_sizes(&h, part));
    let cap = bucket_cap(&histogram, node_count as usize, max_bucket.max(2), PAIR_BUDGET);
    let mut pairs: Vec<Pair> = Vec::new();
    let mut budget: HashMap<u64, u32> = HashMap::new();
    for bucket in keys.chunk_by(|a, b| a.0 == b.0).filter(|b| b.len() > 1) {
        if bucket.len() <= cap {
            for (i, a) in bucket.iter().enumerate() {
                for b in &bucket[i + 1..] {
                    pairs.push(Pair { a: a.1, aw: a.2, b: b.1, bw: b.2 });
                }
            }
        } else {
            // Sampled as on one machine: windows in a fixed pseudo-random order, each node in at
            // most 2 × cap window pairs (counted per worker here).
            let mut members: Vec<(u64, u64)> = bucket.iter().map(|x| (x.1, x.2)).collect();
            members
                .sort_unstable_by_key(|&(k, _)| (xxh3_64_with_seed(&k.to_le_bytes(), 0x0B5E), k));
            let budget_cap = 2 * cap as u32;
            for i in 0..members.len() {
                let a = members[i];
                for &b in &members[i + 1..(i + cap).min(members.len())] {
                    if budget.get(&a.0).copied().unwrap_or(0) >= budget_cap {
                        break;
                    }
                    if budget.get(&b.0).copied().unwrap_or(0) < budget_cap {
                        *budget.entry(a.0).or_default() += 1;
                        *budget.entry(b.0).or_default() += 1;
                        let (a, b) = if a.0 < b.0 { (a, b) } else { (b, a) };
                        pairs.push(Pair { a: a.0, aw: a.1, b: b.0, bw: b.1 });
                    }
                }
            }
        }
    }
    pairs
}

/// What the review report shows, but the counts of [`Totals`], as one machine finds it
/// ([`Contents::of_batch`]); complete at worker 0 only.
///
/// The stories shown are the largest, ties in order of their first documents. Each worker
/// offers its own largest by size and by the first document *it* holds: a story among the
/// largest of all is among those of the worker holding its first document (every story above
/// it there is above it overall), so worker 0 chooses from the offers, and every worker then
/// sends the members it holds of the chosen stories. Stories of two or more are counted at
/// their representatives; each verified pair's score once, where the pair was verified.
fn report_contents(
    w: &mut Worker,
    outcomes: &[(u64, Outcome)],
    docs: &[(u64, Record, Box<[u64]>)],
    by_key: &HashMap<u64, usize>,
    edges: &[(u64, u64, u64, f32)],
) -> Contents {
    use crate::io::report::{BINS, MAX_STORIES, Member, Story, bin, language, shown_text};
    let (mut multi, mut in_multi) = (0u64, 0u64);
    let mut firsts: HashMap<&str, (u32, u64)> = HashMap::new();
    // Outcomes are in key order: a story's first entry is its first document here.
    for (k, o) in outcomes {
        if let Outcome::Story { story, size, representative, .. } = o
            && *size > 1
        {
            firsts.entry(story).or_insert((*size, *k));
            if *representative {
                multi += 1;
                in_multi += *size as u64;
            }
        }
    }
    // (size, first document, name), largest first, then by first document
    let largest = |firsts: HashMap<&str, (u32, u64)>| {
        let mut stories: Vec<(u32, u64, String)> =
            firsts.into_iter().map(|(n, (s, k))| (s, k, n.to_owned())).collect();
        stories.sort_unstable_by(|a, b| (b.0, a.1).cmp(&(a.0, b.1)));
        stories.truncate(MAX_STORIES);
        stories
    };
    let offer = largest(firsts);
    let mut scores = vec![0u64; BINS];
    for e in edges {
        scores[bin(e.3)] += 1;
    }
    let counts = exchange::gather_at_first(w, vec![(multi, in_multi, scores)]);
    let offers = exchange::gather_at_first(w, offer);
    let mut firsts: HashMap<&str, (u32, u64)> = HashMap::new();
    for (size, k, name) in &offers {
        let first = firsts.entry(name).or_insert((*size, *k));
        first.1 = first.1.min(*k);
    }
    // Worker 0's choice, to every worker.
    let chosen: Vec<String> = all_gather(w, largest(firsts).into_iter().map(|s| s.2).collect())
        .into_iter()
        .next()
        .unwrap_or_default();
    let rank: HashMap<&str, u32> =
        chosen.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
    // (story's rank, 0 for the representative, score, key, id, language, text)
    type Row = (u32, u8, f32, u64, String, String, String);
    let rows: Vec<Row> = outcomes
        .iter()
        .filter_map(|(k, o)| {
            let Outcome::Story { id, story, representative, score, .. } = o else { return None };
            let &r = rank.get(story.as_str())?;
            let d = &docs[by_key[k]].1;
            let text = if *representative { &d.text[..] } else { shown_text(&d.text) };
            let lang = language(d.lang.as_deref(), &d.text).to_owned();
            Some((r, !representative as u8, *score, *k, id_text(id), lang, text.to_owned()))
        })
        .collect();
    let mut rows = exchange::gather_at_first(w, rows);
    rows.sort_unstable_by(|a, b| {
        (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)).then(a.3.cmp(&b.3))
    });
    let mut contents = Contents { scores: vec![0; BINS], ..Contents::default() };
    for (m, i, bins) in counts {
        contents.multi += m;
        contents.in_multi += i;
        contents.scores.iter_mut().zip(bins).for_each(|(x, y)| *x += y);
    }
    if w.index() == 0 {
        contents.shown =
            chosen.iter().map(|name| Story { name: name.clone(), members: Vec::new() }).collect();
    }
    for (r, _, score, _, id, language, text) in rows {
        contents.shown[r as usize].members.push(Member { id, language, score, text });
    }
    contents
}

/// The documents a worker holds, with the exact-duplicate groups they are in.
struct Copies<'a> {
    nodes: &'a [Node],
    docs: &'a [(u64, Record, Box<[u64]>)],
    /// Per document: its group's leader and the leader's worker.
    leader_of: &'a [(u64, u64)],
}

/// `pairs`: the verified pairs scoring at least `min` and the pairs of copies, as one machine
/// lists them ([`crate::pipeline::Clustering::pairs`]). Each group of copies is gathered, with
/// its documents' ids, where its leader is, which lists the group's pairs; each edge goes to
/// the worker of its second node with the first node's group, and is listed there.
fn pair_rows(
    w: &mut Worker,
    held: &Copies,
    edges: &[(u64, u64, u64, f32)],
    min: f64,
    every_copy: bool,
) -> Vec<PairRow> {
    let id = |d: &Record| serde_json::to_string(&d.id).expect("an id as JSON");
    // (leader's worker, leader, follower, its id)
    let followers: Vec<(u64, u64, u64, String)> = held
        .docs
        .iter()
        .zip(held.leader_of)
        .filter(|(d, l)| l.0 != d.0)
        .map(|(d, l)| (l.1, l.0, d.0, id(&d.1)))
        .collect();
    // Each node's documents (key, id), in input order: its leader first.
    let mut groups: HashMap<u64, Vec<(u64, String)>> =
        held.nodes.iter().map(|n| (n.key, vec![(n.key, id(&held.docs[n.doc].1))])).collect();
    for (_, lead, k, i) in exchange(w, followers, |f| f.0) {
        groups.get_mut(&lead).expect("the leader is here").push((k, i));
    }
    let mut rows = Vec::new();
    for g in groups.values_mut() {
        g.sort_unstable();
        let firsts = if every_copy { g.len() } else { 1 };
        for i in 0..firsts {
            for y in &g[i + 1..] {
                let (a, b) = (g[i].1.clone(), y.1.clone());
                rows.push(PairRow { order: [0, g[0].0, 0, g[i].0, y.0], a, b, score: 1.0 });
            }
        }
    }
    let listed = |g: &[(u64, String)]| if every_copy { g.to_vec() } else { g[..1].to_vec() };
    // (second node's worker, second node, first node, score, the first node's documents)
    type Shipped = (u64, u64, u64, f32, Vec<(u64, String)>);
    let shipped: Vec<Shipped> = edges
        .iter()
        .filter(|e| e.3 as f64 >= min)
        .map(|&(x, y, yw, s)| (yw, y, x, s, listed(&groups[&x])))
        .collect();
    for (_, y, x, score, xs) in exchange(w, shipped, |s| s.0) {
        // The held node's documents are read in place, not copied for each of its edges.
        let g = &groups[&y];
        let ys = if every_copy { &g[..] } else { &g[..1] };
        let (ga, gb) = if x < y { (&xs[..], ys) } else { (ys, &xs[..]) };
        for p in ga {
            for q in gb {
                let (lo, hi) = if p.0 < q.0 { (p, q) } else { (q, p) };
                rows.push(PairRow {
                    order: [1, x.min(y), x.max(y), p.0, q.0],
                    a: lo.1.clone(),
                    b: hi.1.clone(),
                    score,
                });
            }
        }
    }
    rows.sort_unstable_by_key(|r| r.order);
    rows
}

/// The header row of the table a `dedup` job writes, as on one machine ([`table_header`]):
/// every worker's header rows and the inputs it read records from are gathered, so that every
/// worker agrees on the row, or fails with the same error.
fn one_table(
    w: &mut Worker,
    headers: Vec<(u64, Header)>,
    records: &[(u64, Record)],
) -> Result<Option<Header>, String> {
    type Row = (u64, String, String, String, bool, bool);
    let mine: Vec<Row> = headers
        .into_iter()
        .map(|(i, h)| (i, h.file.to_string(), h.raw, h.columns, h.bom, h.crlf))
        .collect();
    let mut files: Vec<(u64, String)> = Vec::new();
    for (k, r) in records {
        let input = k >> 40;
        if files.last().is_none_or(|f| f.0 != input) {
            files.push((input, r.origin.file.to_string()));
        }
    }
    let mut all_headers: Vec<Row> = Vec::new();
    let mut all_files: Vec<(u64, String)> = Vec::new();
    for (h, f) in all_gather(w, (mine, files)) {
        all_headers.extend(h);
        all_files.extend(f);
    }
    // Each input's header row once (every worker dealt records of an input reads its header).
    all_headers.sort_unstable();
    all_headers.dedup_by_key(|h| h.0);
    all_files.sort_unstable();
    all_files.dedup();
    let headers: Vec<Header> = all_headers
        .into_iter()
        .map(|(_, file, raw, columns, bom, crlf)| Header {
            file: file.into(),
            raw,
            columns,
            bom,
            crlf,
        })
        .collect();
    Ok(table_header(&headers, all_files.iter().map(|f| f.1.as_str()))?.cloned())
}

/// `dedup`: the record each story keeps, its member of least [`Rank`], found at the worker
/// owning the story's name. The kept records' outcomes become their rows as read; the other
/// members' are left out.
fn keep_one(
    w: &mut Worker,
    rule: Keep,
    outcomes: Vec<(u64, Outcome)>,
    docs: &mut [(u64, Record, Box<[u64]>)],
    by_key: &HashMap<u64, usize>,
    lengths: &[u64],
) -> Vec<(u64, Outcome)> {
    let (me, peers) = (w.index() as u64, w.peers());
    // (story's owner, story, the member's rank, its worker)
    let bids: Vec<(u64, String, Rank, u64)> = outcomes
        .iter()
        .filter_map(|(k, o)| match o {
            Outcome::Story { story, representative, .. } => {
                let d = by_key[k];
                let time = docs[d].1.time.as_deref();
                let rank = rule.rank(*k, lengths[d], time, *representative);
                Some((owner(xxh3_64(story.as_bytes()), peers), story.clone(), rank, me))
            }
            _ => None,
        })
        .collect();
    let mut bids = exchange(w, bids, |b| b.0);
    bids.sort_unstable_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    // (the kept member's worker, its key)
    let won: Vec<(u64, u64)> =
        bids.chunk_by(|a, b| a.1 == b.1).map(|g| (g[0].3, g[0].2.3)).collect();
    let won: std::collections::HashSet<u64> =
        exchange(w, won, |x| x.0).into_iter().map(|x| x.1).collect();
    outcomes
        .into_iter()
        .filter_map(|(k, o)| match o {
            Outcome::Story { .. } => won.contains(&k).then(|| {
                let raw = docs[by_key[&k]].1.raw.take().unwrap_or_default();
                (k, Outcome::Kept(raw))
            }),
            o => Some((k, o)),
        })
        .collect()
}

/// A group of identical documents, led by its first.
struct Node {
    /// The leader's key.
    key: u64,
    /// The leader's place in the worker's documents.
    doc: usize,
    /// Documents in the group.
    size: u32,
    /// The leader's id, as stories are named.
    name: String,
    /// The other documents: (key, worker).
    followers: Vec<(u64, u64)>,
}

/// What proposed a candidate pair, in the order that decides how a pair proposed twice is
/// scored (as on one machine): a pair the lexical bands propose is scored in full, one only the
/// semantic bands and perhaps the pivot stage propose on its semantic evidence alone, one only
/// the pivot stage proposes in full.
const LEXICAL: u8 = 0;
/// See [`LEXICAL`].
const SEMANTIC: u8 = 1;
/// See [`LEXICAL`].
const PIVOT: u8 = 2;

/// A pair of nodes, each with the worker that holds it; `a < b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
struct Pair {
    a: u64,
    aw: u64,
    b: u64,
    bw: u64,
}

/// The nodes this worker holds.
struct Held<'a> {
    node_at: &'a HashMap<u64, usize>,
    sets: &'a [WeightedSet],
    /// Pivot sets, when the pivot stage runs.
    pivots: Option<&'a [WeightedSet]>,
    /// Language groups.
    groups: &'a [u8],
    /// Embeddings, with the sentence encoder.
    vectors: Option<&'a [DocVectors]>,
    me: u64,
}

/// Scores each pair where one of its nodes is held, the other node's weighted set sent there
/// once per worker that needs it. With `balance`, a pair is scored at either node's worker (by
/// a hash of the pair: where the input puts related documents on one worker, scoring at the
/// first node's would load that worker with most pairs); without, at `a`'s.
///
/// Returns `(x, y, y's worker, score)` at the worker holding `x`, where `{x, y} = {a, b}`; the
/// score is always `score(a, b)`.
fn score_pairs(
    w: &mut Worker,
    pipeline: &Pipeline,
    held: &Held,
    pairs: Vec<(Pair, u8)>,
    balance: bool,
) -> Vec<(u64, u64, u64, f32, bool)> {
    // (shipper's worker, shipped node, scorer's node, scorer's worker, the shipped node is `a`,
    // what proposed the pair)
    let routed: Vec<(u64, u64, u64, u64, bool, u8)> = pairs
        .into_iter()
        .map(|(p, kind)| {
            let flip = balance
                && xxh3_64_with_seed(&(p.a ^ p.b.rotate_left(29)).to_le_bytes(), 7) & 1 == 1;
            if flip {
                (p.aw, p.a, p.b, p.bw, true, kind)
            } else {
                (p.bw, p.b, p.a, p.aw, false, kind)
            }
        })
        .collect();
    let mut routed = exchange(w, routed, |r| r.0);
    // A pair proposed at several workers meets itself here: its first kind decides.
    routed.sort_unstable_by_key(|r| (r.1, r.3, r.2, r.4, r.5));
    routed.dedup_by_key(|r| (r.1, r.3, r.2, r.4));
    // (scorer's worker, shipped node, its worker, its set, its pivot set, its group, its
    // embeddings, the scorers' nodes)
    type Shipment = (u64, u64, u64, Parts, Parts, u8, Option<DocVectors>, Vec<(u64, bool, bool)>);
    let parts = |set: &WeightedSet| (set.features().to_vec(), set.weights().to_vec());
    let mut out: Vec<Shipment> = Vec::new();
    for group in routed.chunk_by(|x, y| (x.1, x.3) == (y.1, y.3)) {
        let i = held.node_at[&group[0].1];
        let scorers = group.iter().map(|r| (r.2, r.4, r.5 == SEMANTIC)).collect();
        let pivot = held.pivots.map(|p| parts(&p[i])).unwrap_or_default();
        out.push((
            group[0].3,
            group[0].1,
            held.me,
            parts(&held.sets[i]),
            pivot,
            held.groups[i],
            held.vectors.map(|v| v[i].clone()),
            scorers,
        ));
    }
    let got = exchange(w, out, |s| s.0);
    let sim = pipeline.config().similarity();
    let mut scored = Vec::new();
    for (_, y, yw, set, pivot, group, vectors, scorers) in got {
        let shipped = WeightedSet::from_parts(set.0.into(), set.1.into());
        let shipped_pivot = WeightedSet::from_parts(pivot.0.into(), pivot.1.into());
        for (x, shipped_is_a, semantic_only) in scorers {
            let i = held.node_at[&x];
            let local = &held.sets[i];
            let (a, b) = if shipped_is_a { (&shipped, local) } else { (local, &shipped) };
            let local_v = held.vectors.map(|v| &v[i]);
            let (av, bv) = if shipped_is_a {
                (vectors.as_ref(), local_v)
            } else {
                (local_v, vectors.as_ref())
            };
            let score = match (av, bv) {
                // As `Pipeline::cluster`: a pair only the semantic bands propose is scored on
                // its semantic evidence alone.
                (Some(av), Some(bv)) if semantic_only => {
                    combine(0.0, None, Some(semantic_score(av, bv)))
                }
                _ => {
                    // As `Pipeline::pair_score`: pivot evidence between language groups only.
                    let pivot = held.pivots.filter(|_| held.groups[i] != group).and_then(|p| {
                        let (pa, pb) = if shipped_is_a {
                            (&shipped_pivot, &p[i])
                        } else {
                            (&p[i], &shipped_pivot)
                        };
                        pivot_pair(pa, pb, sim)
                    });
                    pipeline.score(a, pivot, av, b, bv)
                }
            };
            scored.push((x, y, yw, score, semantic_only));
        }
    }
    scored
}

/// A weighted set's features and weights, as sent between workers.
type Parts = (Vec<u64>, Vec<f32>);

/// The distinct items of `items`, sorted, at most two of them (enough to tell one from several).
fn distinct<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = Vec::new();
    for x in items {
        if !v.contains(&x) {
            v.push(x);
            if v.len() == 2 {
                break;
            }
        }
    }
    v.sort();
    v
}

/// Candidate pairs from rare shared pivot features, as [`crate::candidates::rare_key_pairs`]
/// makes them on one machine: every node posts its pivot features at each feature's owner,
/// learns how many nodes hold each, and probes with its [`PROBE_KEYS`] rarest features held by
/// 2 to `max_bucket` nodes; a probe pairs the node with the feature's holders in other groups.
fn rare_key_pairs(
    w: &mut Worker,
    nodes: &[Node],
    pivots: &[WeightedSet],
    groups: &[u8],
    max_bucket: usize,
) -> Vec<Pair> {
    let (me, peers) = (w.index() as u64, w.peers());
    // (feature's owner, feature, node, its worker, its group)
    type Posting = (u64, u64, u64, u64, u8);
    let posts: Vec<Posting> = nodes
        .iter()
        .zip(pivots)
        .zip(groups)
        .flat_map(|((n, p), &g)| {
            p.features().iter().map(move |&f| (owner(f, peers), f, n.key, me, g))
        })
        .collect();
    let mut postings = exchange(w, posts, |p| p.0);
    postings.sort_unstable_by_key(|p| (p.1, p.2));
    let lists: HashMap<u64, &[Posting]> =
        postings.chunk_by(|a, b| a.1 == b.1).map(|l| (l[0].1, l)).collect();
    // (node's worker, node, feature, holders)
    let counts: Vec<(u64, u64, u64, u32)> =
        postings.iter().map(|p| (p.3, p.2, p.1, lists[&p.1].len() as u32)).collect();
    let mut held: HashMap<u64, HashMap<u64, u32>> = HashMap::new();
    for (_, node, f, len) in exchange(w, counts, |c| c.0) {
        held.entry(node).or_default().insert(f, len);
    }
    let mut probes: Vec<Posting> = Vec::new();
    for ((n, p), &g) in nodes.iter().zip(pivots).zip(groups) {
        let Some(lens) = held.get(&n.key) else { continue };
        // Shared, not crowded features, rarest first (ties by feature), as on one machine.
        let mut keys: Vec<usize> = (0..p.len())
            .filter(|&k| {
                lens.get(&p.features()[k]).is_some_and(|&l| l >= 2 && l as usize <= max_bucket)
            })
            .collect();
        keys.sort_by(|&x, &y| {
            p.weight(y).total_cmp(&p.weight(x)).then(p.features()[x].cmp(&p.features()[y]))
        });
        for k in keys.into_iter().take(PROBE_KEYS) {
            let f = p.features()[k];
            probes.push((owner(f, peers), f, n.key, me, g));
        }
    }
    let mut pairs = Vec::new();
    for (_, f, node, nw, g) in exchange(w, probes, |p| p.0) {
        for &(_, _, other, ow, og) in lists[&f] {
            if og != g {
                let (a, b) = if node < other {
                    ((node, nw), (other, ow))
                } else {
                    ((other, ow), (node, nw))
                };
                pairs.push(Pair { a: a.0, aw: a.1, b: b.0, bw: b.1 });
            }
        }
    }
    pairs
}

/// Document frequencies over stories (as [`DocFreq::over_stories`] on one machine): `story[i]`
/// names the story of this worker's set `i`. Each (feature, story) goes to the feature's owner,
/// which counts its distinct stories and sends the count back to the workers holding it; each
/// story's script classes go to the story's owner, which counts the story once per class.
fn story_freq(w: &mut Worker, sets: &[WeightedSet], story: &[u64]) -> DocFreq {
    let (me, peers) = (w.index() as u64, w.peers());
    let mut sent: Vec<(u64, u64, u64, u64)> = Vec::new();
    let mut classes: Vec<(u64, u64, u32)> = Vec::with_capacity(sets.len());
    for (set, &s) in sets.iter().zip(story) {
        let mut mask = 0u32;
        for &f in set.features() {
            sent.push((owner(f, peers), f, s, me));
            mask |= 1 << script_class(f);
        }
        classes.push((owner(s, peers), s, mask));
    }
    // The nodes of one story here share most of their features: each pair goes once.
    sent.sort_unstable();
    sent.dedup();
    let mut got = exchange(w, sent, |x| x.0);
    got.sort_unstable_by_key(|x| (x.1, x.2, x.3));
    let mut back: Vec<(u64, u64, u32)> = Vec::new();
    for group in got.chunk_by(|a, b| a.1 == b.1) {
        let stories = group.chunk_by(|a, b| a.2 == b.2).count() as u32;
        let mut askers: Vec<u64> = group.iter().map(|x| x.3).collect();
        askers.sort_unstable();
        askers.dedup();
        back.extend(askers.into_iter().map(|a| (a, group[0].1, stories)));
    }
    drop(got);
    let df: Sharded<u32> = exchange(w, back, |x| x.0).into_iter().map(|x| (x.1, x.2)).collect();
    let mut masks = exchange(w, classes, |x| x.0);
    masks.sort_unstable_by_key(|x| x.1);
    let mut class_docs = [0u64; SCRIPT_CLASSES];
    let mut stories = 0u64;
    for group in masks.chunk_by(|a, b| a.1 == b.1) {
        let mask = group.iter().fold(0, |m, x| m | x.2);
        stories += 1;
        for (c, n) in class_docs.iter_mut().enumerate() {
            *n += u64::from(mask >> c & 1);
        }
    }
    let (stories, class_docs) = summed(w, stories, class_docs);
    DocFreq::from_parts(stories, class_docs, df)
}

/// Every worker's count of sets and of sets per script class, summed.
fn summed(
    w: &mut Worker,
    sets: u64,
    classes: [u64; SCRIPT_CLASSES],
) -> (u64, [u64; SCRIPT_CLASSES]) {
    let mut all = [0u64; SCRIPT_CLASSES];
    let mut total = 0;
    for (n, c) in all_gather(w, (sets, classes.to_vec())) {
        total += n;
        for (x, y) in all.iter_mut().zip(c) {
            *x += y;
        }
    }
    (total, all)
}

/// Document frequencies of the features of `sets` over every worker's sets: counted here,
/// summed at each feature's owner, and the sums for this worker's features sent back.
fn doc_freq(w: &mut Worker, sets: &[Box<[u64]>]) -> DocFreq {
    let (me, peers) = (w.index() as u64, w.peers());
    let (docs, classes, counts) = DocFreq::from_sets(sets).into_parts();
    let sent: Vec<(u64, u64, u32, u64)> =
        counts.into_iter().map(|(f, c)| (owner(f, peers), f, c, me)).collect();
    let mut got = exchange(w, sent, |x| x.0);
    got.sort_unstable_by_key(|x| (x.1, x.3));
    let mut back: Vec<(u64, u64, u32)> = Vec::with_capacity(got.len());
    for group in got.chunk_by(|a, b| a.1 == b.1) {
        let total: u32 = group.iter().map(|x| x.2).sum();
        back.extend(group.iter().map(|x| (x.3, x.1, total)));
    }
    let df: Sharded<u32> = exchange(w, back, |x| x.0).into_iter().map(|x| (x.1, x.2)).collect();
    let (docs, class_docs) = summed(w, docs, classes);
    DocFreq::from_parts(docs, class_docs, df)
}
