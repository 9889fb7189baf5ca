//! The in-memory job: texts → stories, calling each stage in order.
//!
//! normalize → shingle → (exact duplicates collapse) → weight → pivot and embed
//! (language-neutral signals, [`Pipeline::enrich`]) → sketch → band → candidates → verify →
//! cluster. Every stage is a plain function of plain data in its own module; this file only
//! wires them and keeps the bookkeeping between documents and the unique feature sets ("nodes")
//! that the later stages work on.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::candidates::{CandidateStats, candidate_pairs, candidate_pairs_by, rare_key_pairs};
use crate::cluster::Groups;
use crate::config::Config;
use crate::embed::{DocVectors, Encoder};
use crate::lsh::LshParams;
use crate::pivot::{Lexicon, Pivoter};
use crate::shingle::{
    Scratch, Shingle, ShingleSpec, is_number_feature, shingle_into, shingles_into,
};
use crate::sketch::{MinHasher, SketchScratch};
use crate::text::{Normalized, Normalizer, Reading};
use crate::verify::{
    CodedList, IndexedSets, Similarity, Times, WeighedList, WeightedSet, combine, pivot_pair,
    scores, times_of, window_edges,
};
use crate::weights::{DocFreq, FeatureMap, Weighting};

/// One feature set per document, in input order.
pub type FeatureSets = Vec<Box<[u64]>>;

/// Feature lists one after another in one allocation, with where each ends: the documents'
/// pivot features from the reading to the pivot stage. As a list of their own each (one
/// allocation a document among the feature sets made with them, all freed at once when the
/// stage had read them), they left holes the rest of the run could not give back: in the 1M
/// replay, 100 million pivot features, and 3.53 GB resident after the LSH stage against 3.25.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedSets {
    features: Vec<u64>,
    ends: Vec<usize>,
}

impl PackedSets {
    /// Number of lists.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no lists.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// List `i`.
    pub fn get(&self, i: usize) -> &[u64] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.features[start..self.ends[i]]
    }

    /// Appends `lists`, freeing each once it is copied.
    pub fn extend(&mut self, lists: impl IntoIterator<Item = Box<[u64]>>) {
        for l in lists {
            self.features.extend_from_slice(&l);
            self.ends.push(self.features.len());
        }
    }

    /// Keeps the lists `keep` names (by their place), in order, moving them in place.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let (mut start, mut to, mut kept) = (0, 0, 0);
        for i in 0..self.ends.len() {
            let end = self.ends[i];
            if keep(i) {
                self.features.copy_within(start..end, to);
                to += end - start;
                self.ends[kept] = to;
                kept += 1;
            }
            start = end;
        }
        self.features.truncate(to);
        self.ends.truncate(kept);
    }
}

impl From<FeatureSets> for PackedSets {
    fn from(lists: FeatureSets) -> Self {
        let mut packed = PackedSets {
            features: Vec::with_capacity(lists.iter().map(|l| l.len()).sum()),
            ends: Vec::with_capacity(lists.len()),
        };
        packed.extend(lists);
        packed
    }
}

/// Documents looked at to resolve `--shingle auto`.
pub const AUTO_SAMPLE: usize = 1000;

/// A way to make a normalized text's features: [`shingle_into`] (a set) or [`shingles_into`] (the
/// shingles as made).
type ShingleMaker = fn(&Normalized, Shingle, &mut Scratch, &mut Vec<u64>);

/// Most texts one task of a parallel loop over texts normalizes. Rayon otherwise stops
/// splitting a loop once it has as many pieces as threads, twice over: on 2 threads the
/// last quarter of a chunk's texts (0.12 s of the 0.28 s its 8,192 articles took) was one
/// thread's, the other idle.
pub const TEXTS_PER_TASK: usize = 32;
/// Most sets one task of a parallel loop over sets sketches (for the same reason).
const SETS_PER_TASK: usize = 256;

/// A thread's buffers for stages 1–2: the normalized text, the shingler's scratch, the
/// features and the pivot features of the text at hand.
#[derive(Default)]
struct TextBuffers {
    norm: Normalized,
    scratch: Scratch,
    features: Vec<u64>,
    pivots: Vec<u64>,
}

/// Capacity in bytes above which a thread's [`TextBuffers`] are given back after use: one
/// enormous document should not hold its size on every thread for the rest of the run.
const KEEP_BUFFERS: usize = 1 << 20;

thread_local! {
    static TEXT_BUFFERS: std::cell::RefCell<TextBuffers> = Default::default();
}

/// Runs `f` with this thread's [`TextBuffers`]. They outlive the parallel loops' tasks
/// (`map_init` made new ones for each task of 32 texts, and growing them again was 3.5% of
/// a 1-thread run in `realloc` and first touches of pages).
fn with_text_buffers<R>(f: impl FnOnce(&mut TextBuffers) -> R) -> R {
    TEXT_BUFFERS.with_borrow_mut(|b| {
        let r = f(b);
        if b.norm.capacity() > KEEP_BUFFERS {
            *b = TextBuffers::default();
        }
        r
    })
}

/// SimHash bands × rows for semantic candidates: a pair of cosine 0.6 becomes a candidate with
/// probability 0.87, 0.8 with 0.9996, 0.3 with 0.33.
pub const SEMANTIC_LSH: LshParams = LshParams { bands: 48, rows: 10 };
/// Seed of the SimHash hyperplanes.
const SEMANTIC_SEED: u64 = 0x05E3_A471;
/// Semantic candidates whose mean vectors are less similar than this are not aligned line by
/// line: their alignment stays below what [`combine`] counts (on UN and NTREX documents, no pair
/// aligned above 0.7 had a mean-vector cosine under 0.6).
pub const SEMANTIC_FLOOR: f32 = 0.5;

/// A verified pair of documents (indices into the input) and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// First document (the smaller index).
    pub a: u32,
    /// Second document.
    pub b: u32,
    /// Verified score under the configured similarity.
    pub score: f32,
}

/// Counts from one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    /// Documents clustered.
    pub documents: usize,
    /// Distinct feature sets (documents minus exact duplicates after normalization).
    pub unique: usize,
    /// Documents with no features (no letter or digit): each is its own story.
    pub empty: usize,
    /// The shingle family used.
    pub shingle: Option<Shingle>,
    /// Candidate stage counts.
    pub candidates: CandidateStats,
    /// Verified edges kept (score above zero).
    pub edges: usize,
    /// Stories formed.
    pub stories: usize,
}

/// The result of clustering `n` documents.
#[derive(Debug, Clone, Default)]
pub struct Clustering {
    /// Per document: its story, numbered 0.. in order of the story's first document.
    pub story: Vec<u32>,
    /// Per story: the representative document (the member most similar to the others).
    pub representative: Vec<u32>,
    /// Per document: verified score to its story's representative (1 for the representative).
    pub score_to_rep: Vec<f32>,
    /// Verified edges between distinct nodes (exact duplicates are implied, see `duplicates`).
    pub edges: Vec<Edge>,
    /// Groups of documents with identical feature sets, each listed in input order (only groups
    /// of two or more).
    pub duplicates: Vec<Vec<u32>>,
    /// Counts.
    pub stats: RunStats,
}

impl Clustering {
    /// The verified pairs, as `(a, b, score)` with `a < b`: copies first, then the edges that
    /// score at least `min`.
    ///
    /// Documents identical after normalization are one node of the graph. By default each copy
    /// is paired once, with its group's first document (score 1), and a pair between two groups
    /// names their first documents: every pair is implied and none repeated. With `every_copy`,
    /// each pair inside a group and each pair between the members of two paired groups is
    /// listed (a group of `k` copies alone gives `k(k-1)/2`).
    pub fn pairs(&self, min: f64, every_copy: bool) -> impl Iterator<Item = (u32, u32, f32)> + '_ {
        // Copies score 1, below a minimum over 1 (which no pair reaches).
        let copies = self.duplicates.iter().filter(move |_| min <= 1.0).flat_map(move |g| {
            let firsts = if every_copy { g.len() } else { 1 };
            (0..firsts).flat_map(move |i| g[i + 1..].iter().map(move |&d| (g[i], d, 1.0)))
        });
        let group_of: HashMap<u32, usize> = if every_copy {
            self.duplicates.iter().enumerate().map(|(k, g)| (g[0], k)).collect()
        } else {
            HashMap::new()
        };
        let edges = self.edges.iter().filter(move |e| e.score as f64 >= min).flat_map(move |e| {
            let (ga, gb) = (self.copies_of(&group_of, &e.a), self.copies_of(&group_of, &e.b));
            ga.iter().flat_map(move |&x| gb.iter().map(move |&y| (x.min(y), x.max(y), e.score)))
        });
        copies.chain(edges)
    }

    /// Document `d` and its copies: the group of `duplicates` that `group_of` (a group's first
    /// document → its place) finds for `d`, or `d` alone.
    fn copies_of<'a>(&'a self, group_of: &HashMap<u32, usize>, d: &'a u32) -> &'a [u32] {
        group_of.get(d).map_or(std::slice::from_ref(d), |&k| &self.duplicates[k])
    }
}

/// Documents prepared for comparison: one weighted set per unique feature set.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The shingle family used.
    pub shingle: Shingle,
    /// Per document: its node.
    pub node_of: Vec<u32>,
    /// Per node: its documents, in input order.
    pub members: Groups,
    /// Per node: the weighted feature set (once clustered, without the features no other node
    /// holds, which it still counts: see [`WeightedSet::forget_unshared`]).
    pub sets: Vec<WeightedSet>,
    /// Per node, its embeddings (with `--model`): those of the node's first document.
    pub vectors: Option<Vec<DocVectors>>,
    /// Per node, its pivot features (names, numbers, English words and translations: see
    /// [`crate::pivot`]), weighted by their rarity among all the nodes, those
    /// [`Pipeline::enrich_with`]'s scope keeps; `None` without the pivot stage.
    pub pivots: Option<IndexedSets>,
    /// Pairs of nodes that share rare pivot features, found by [`Pipeline::enrich`] among the
    /// nodes with lexical features (see [`rare_key_pairs`]), sorted; empty without pivot sets.
    pub pivot_pairs: Vec<(u32, u32)>,
    /// Per node, its language group: the script class most of its features are written in
    /// (see [`crate::shingle::script_class`]; 0 for every node of a pipeline without the pivot
    /// stage, the only one that reads them), or, after [`Prepared::group_by_language`], its
    /// language when the input names one (see [`group_of`]). Pivot scores count only between
    /// different groups.
    pub scripts: Vec<u8>,
    /// Per node, the times of its documents (see [`Times`]), when the input gives times (see
    /// [`Prepared::set_times`]); empty otherwise.
    pub times: Vec<Times>,
}

/// First group number given to a named language (script classes are below it).
const LANGUAGE_GROUPS: usize = 16;

impl Prepared {
    /// Groups nodes by the language the input names for their first document (`langs`: per
    /// document, in input order), so pivot scores count between texts in different languages
    /// even in one script (an English and a Spanish report); a node whose document names no
    /// language stays in its script's group ([`group_of`]).
    pub fn group_by_language(&mut self, langs: &[Option<&str>]) {
        for (n, m) in self.members.iter().enumerate() {
            if let Some(l) = langs[m[0] as usize] {
                self.scripts[n] = group_of(self.scripts[n], Some(l));
            }
        }
    }

    /// Gives each node its documents' times (`times`: per document, in input order,
    /// seconds since 1970; a document without one adds nothing), for the time window
    /// ([`crate::config::Window`]).
    pub fn set_times(&mut self, times: &[Option<i64>]) {
        self.times = self
            .members
            .iter()
            .map(|m| times_of(m.iter().filter_map(|&d| times[d as usize])))
            .collect();
    }

    /// The language group whose pivot sets need keep only what other groups hold (see
    /// [`PivotScope::BetweenGroups`]): the one with the most nodes.
    fn largest_group(&self) -> u8 {
        let mut nodes = [0usize; 256];
        for &g in &self.scripts {
            nodes[g as usize] += 1;
        }
        let largest = (0..=255u8).max_by_key(|&g| (nodes[g as usize], std::cmp::Reverse(g)));
        largest.expect("256 groups")
    }
}

/// Which pivot features the nodes keep (see [`Pipeline::enrich_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivotScope {
    /// Every one, so that any two nodes' pivot sets can be compared (evaluation compares
    /// languages of one group).
    All,
    /// Those that can count: pivot scores count only between language groups
    /// ([`Pipeline::pair_score`]), so a node of the largest group keeps only the features some
    /// node of another group holds, and goes on counting the others in its length and totals
    /// (see [`IndexedSets`]): every score is the same. On a replay of 100k Arabic articles
    /// with a few in Latin script, 5.3M of 10.0M pivot features stay.
    BetweenGroups,
}

/// The language group of a text in script class `script` whose input names language `lang`:
/// the language's own group (a hash of its name, the same in every run and in the index), or
/// the script's when no language is named.
pub fn group_of(script: u8, lang: Option<&str>) -> u8 {
    match lang.filter(|l| !l.is_empty()) {
        Some(l) => {
            let h = xxhash_rust::xxh3::xxh3_64(l.as_bytes()) as usize;
            (LANGUAGE_GROUPS + h % (256 - LANGUAGE_GROUPS)) as u8
        }
        None => script,
    }
}

/// Whether the texts seen so far fall in more than one language group, the groups the pivot
/// stage pairs across ([`group_of`]): a text's language when the input names one, otherwise
/// the script most of its letters are written in (see [`crate::shingle::text_script`]). Taken
/// a chunk of texts at a time; once true it stays true.
///
/// A collection whose texts all name one language needs no pivot features, whatever scripts
/// some of its texts are written in (an English article among Arabic ones labelled `ara`):
/// pivot scores count only between groups.
#[derive(Debug, Clone, Default)]
pub struct Census {
    group: Option<u8>,
    several: bool,
}

impl Census {
    /// The census of `texts`, with the language the input names for each (`langs`, per text,
    /// or `None` when the input names none).
    pub fn of<T: AsRef<str> + Sync>(texts: &[T], langs: Option<&[Option<&str>]>) -> Census {
        let mut census = Census::default();
        census.add(texts, langs);
        census
    }

    /// Counts the groups of `texts` (see [`Census::of`]). A text that names its language is
    /// not read: its script does not decide its group.
    pub fn add<T: AsRef<str> + Sync>(&mut self, texts: &[T], langs: Option<&[Option<&str>]>) {
        if self.several {
            return;
        }
        let named = |i: usize| langs.and_then(|l| l[i]).filter(|l| !l.is_empty());
        let groups: Vec<u8> = texts
            .par_iter()
            .enumerate()
            .map(|(i, t)| match named(i) {
                Some(l) => group_of(0, Some(l)),
                None => crate::shingle::text_script(t.as_ref()),
            })
            .collect();
        for g in groups.into_iter().filter(|&g| g != 0) {
            match self.group {
                None => self.group = Some(g),
                Some(first) if first != g => {
                    self.several = true;
                    return;
                }
                Some(_) => {}
            }
        }
    }

    /// More than one group so far.
    pub fn several(&self) -> bool {
        self.several
    }

    /// The one group found so far (`None` before any text with letters or a named language,
    /// and once there are several).
    pub fn group(&self) -> Option<u8> {
        self.group.filter(|_| !self.several)
    }
}

/// Runs the stages with one [`Config`], and with a sentence encoder when one is given.
#[derive(Debug, Clone)]
pub struct Pipeline {
    cfg: Config,
    encoder: Option<Arc<Encoder>>,
    pivoter: Option<Pivoter>,
    /// How texts are read ([`Reading`]).
    reading: Reading,
}

impl Pipeline {
    /// A pipeline with checked settings.
    pub fn new(cfg: Config) -> Self {
        Pipeline {
            cfg,
            encoder: None,
            pivoter: Some(Pivoter::default()),
            reading: Reading::default(),
        }
    }

    /// The same pipeline (its encoder and pivot stage) under other settings.
    pub fn with_config(mut self, cfg: Config) -> Self {
        self.cfg = cfg;
        self
    }

    /// The same pipeline with pivot tokens translated through `lexicon` (see [`crate::pivot`]).
    pub fn with_lexicon(mut self, lexicon: Arc<Lexicon>) -> Self {
        self.pivoter = Some(Pivoter::new(Some(lexicon)));
        self
    }

    /// The same pipeline without the pivot stage (no cross-script names, numbers or
    /// translations).
    pub fn without_pivot(mut self) -> Self {
        self.pivoter = None;
        self
    }

    /// The same pipeline reading as `reading` says (an index goes on reading as it stored its
    /// documents).
    pub fn with_reading(mut self, reading: Reading) -> Self {
        self.reading = reading;
        self
    }

    /// The pivot stage, when it runs.
    pub fn pivoter(&self) -> Option<&Pivoter> {
        self.pivoter.as_ref()
    }

    /// The same pipeline with semantic signatures and scores from `encoder`: candidates also
    /// come from SimHash bands of document embeddings, and every pair is scored by
    /// [`combine`] of its lexical and semantic scores.
    pub fn with_encoder(mut self, encoder: Arc<Encoder>) -> Self {
        self.encoder = Some(encoder);
        self
    }

    /// The sentence encoder, when one is used.
    pub fn encoder(&self) -> Option<&Encoder> {
        self.encoder.as_deref()
    }

    /// The sentence encoder, shared.
    pub fn encoder_arc(&self) -> Option<Arc<Encoder>> {
        self.encoder.clone()
    }

    /// Stage 3b, the language-neutral signals of each node's first document: its pivot
    /// features (weighted by their rarity among the nodes) and, with an encoder, its
    /// embeddings. `texts` are the documents `prepared` was made from, in the same order.
    pub fn enrich<T: AsRef<str> + Sync>(&self, prepared: &mut Prepared, texts: &[T]) {
        self.enrich_with(prepared, texts, None, PivotScope::All)
    }

    /// [`Pipeline::enrich`] with the documents' pivot features already made (per document, in
    /// input order, by [`Pipeline::features_and_pivots`]), so the texts are not normalized
    /// twice, and the pivot features kept that `scope` says. Call it once the nodes' groups are
    /// final ([`Prepared::group_by_language`]).
    pub fn enrich_with<T: AsRef<str> + Sync>(
        &self,
        prepared: &mut Prepared,
        texts: &[T],
        pivots: Option<PackedSets>,
        scope: PivotScope,
    ) {
        let firsts: Vec<&str> =
            prepared.members.iter().map(|m| texts[m[0] as usize].as_ref()).collect();
        // Pivot scores count only between scripts: a collection in one script needs none.
        let scripts = prepared.scripts.iter().filter(|&&k| k != 0);
        let mixed = scripts.clone().any(|&k| Some(&k) != scripts.clone().next());
        if self.pivoter.is_some() && mixed {
            // Each node's list: its first document's.
            let (packed, of_node): (PackedSets, Vec<usize>) = match pivots {
                Some(per_doc) => {
                    (per_doc, prepared.members.iter().map(|m| m[0] as usize).collect())
                }
                None => (self.pivot_features(&firsts).into(), (0..firsts.len()).collect()),
            };
            let lists: Vec<&[u64]> = of_node.iter().map(|&d| packed.get(d)).collect();
            drop(of_node);
            match crate::weights::coded_weights(&lists, 1 << 16) {
                Some((codes, palette)) => {
                    let coded: Vec<CodedList> = lists
                        .into_par_iter()
                        .zip(codes)
                        .map(|(f, c)| CodedList::new(f, c, &palette))
                        .collect();
                    self.index_pivots(prepared, &coded, scope);
                }
                // More distinct weights than codes (never seen): the lists are copied into
                // sets of their own, one `f32` a feature.
                None => {
                    let sets = weigh_by_idf(lists.into_iter().map(Box::from).collect());
                    self.index_pivots(prepared, &sets, scope);
                }
            }
        }
        if let Some(enc) = &self.encoder {
            prepared.vectors = Some(enc.embed_vectors(&firsts));
        }
    }

    /// The pivot stage's candidate pairs ([`rare_key_pairs`]) and the pivot sets the nodes keep
    /// under `scope`, from each node's weighed pivot features.
    fn index_pivots<S: WeighedList>(
        &self,
        prepared: &mut Prepared,
        lists: &[S],
        scope: PivotScope,
    ) {
        // Nodes without lexical features take no part (they are each their own story).
        let feats: Vec<&[u64]> = lists
            .iter()
            .zip(&prepared.sets)
            .map(|(p, s)| if s.is_empty() { &[][..] } else { p.features() })
            .collect();
        let weight = |i: usize, k: usize| lists[i].weight(k);
        prepared.pivot_pairs =
            rare_key_pairs(&feats, weight, &prepared.scripts, self.cfg.max_bucket());
        drop(feats);
        let largest = prepared.largest_group();
        let scripts = &prepared.scripts;
        let whole = |i: usize| scope == PivotScope::All || scripts[i] != largest;
        prepared.pivots = Some(IndexedSets::new(lists, whole));
    }

    /// The pivot features of each text (none without the pivot stage), as
    /// [`Pivoter::pivot_into`] makes them.
    pub fn pivot_features<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<Box<[u64]>> {
        let Some(pivoter) = &self.pivoter else {
            return vec![Box::default(); texts.len()];
        };
        let norm = self.normalizer();
        texts
            .par_iter()
            .with_max_len(TEXTS_PER_TASK)
            .map(|t| {
                with_text_buffers(|b| {
                    norm.normalize_into(t.as_ref(), &mut b.norm);
                    pivoter.pivot_into(&b.norm, &mut b.pivots);
                    b.pivots.as_slice().into()
                })
            })
            .collect()
    }

    /// The verified score of nodes `a` and `b`: lexical under the configured similarity,
    /// combined with their pivot evidence when they are written in different scripts and with
    /// the semantic score when they have embeddings (see [`combine`]).
    pub fn pair_score(&self, p: &Prepared, a: u32, b: u32) -> f32 {
        let (a, b) = (a as usize, b as usize);
        let v = p.vectors.as_ref();
        let pivot = p
            .pivots
            .as_ref()
            .filter(|_| p.scripts[a] != p.scripts[b])
            .and_then(|x| pivot_pair(&x.get(a), &x.get(b), self.cfg.similarity()));
        self.score(&p.sets[a], pivot, v.map(|v| &v[a]), &p.sets[b], v.map(|v| &v[b]))
    }

    /// The verified score of two weighted sets, combined (see [`combine`]) with their pivot
    /// score when they are written in different scripts, and with the semantic score of their
    /// embeddings when both have one.
    pub fn score(
        &self,
        a: &WeightedSet,
        pivot: Option<f32>,
        av: Option<&DocVectors>,
        b: &WeightedSet,
        bv: Option<&DocVectors>,
    ) -> f32 {
        let lexical = crate::verify::lexical(a, b, self.cfg.similarity()) as f32;
        let semantic = av.zip(bv).map(|(x, y)| semantic_score(x, y));
        combine(lexical, pivot, semantic)
    }

    /// SimHash signatures (one 0/1 slot per hyperplane) of documents' mean embeddings, for
    /// banding with [`SEMANTIC_LSH`].
    pub fn semantic_signatures<'a>(
        &self,
        vectors: impl IntoParallelIterator<Item = &'a DocVectors>,
    ) -> Vec<Box<[u32]>> {
        let hasher = semantic_hasher();
        vectors.into_par_iter().map(|v| hasher.sketch(&v.mean())).collect()
    }

    /// The semantic band keys of one document (salted apart from the lexical keys, so both
    /// kinds can share one postings table).
    pub fn semantic_keys(&self, v: &DocVectors) -> Vec<u64> {
        let sig = semantic_hasher().sketch(&v.mean());
        let mut keys = Vec::with_capacity(SEMANTIC_LSH.bands);
        SEMANTIC_LSH.keys(&sig, |_, k| keys.push(k ^ SEMANTIC_KEY_SALT));
        keys
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The normalizer these settings use.
    pub fn normalizer(&self) -> Normalizer {
        Normalizer::new(self.cfg.stem()).with_reading(self.reading)
    }

    /// Resolves `auto` shingles from the first documents of a collection.
    pub fn resolve_shingle<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Shingle {
        if let ShingleSpec::Fixed(shingle) = self.cfg.shingle() {
            return shingle;
        }
        let norm = self.normalizer();
        let counts: Vec<usize> = texts[..texts.len().min(AUTO_SAMPLE)]
            .par_iter()
            .with_max_len(TEXTS_PER_TASK)
            .map(|t| sample_length(&norm, t.as_ref()))
            .collect();
        self.cfg.shingle().resolve(&counts)
    }

    /// Stage 1–2: normalized, shingled feature set of each text, in input order.
    pub fn features<T: AsRef<str> + Sync>(&self, texts: &[T], shingle: Shingle) -> Vec<Box<[u64]>> {
        self.each_made_by(texts, shingle, shingle_into)
    }

    /// [`Pipeline::text_shingles`] of each text, in parallel: what this pipeline's own
    /// [`Pipeline::collapse`] needs of them.
    pub fn shingles<T: AsRef<str> + Sync>(&self, texts: &[T], shingle: Shingle) -> Vec<Box<[u64]>> {
        self.each_made_by(texts, shingle, self.shingle_maker())
    }

    /// Stages 1–2 of each text, in parallel, its features made by `make`.
    fn each_made_by<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
        shingle: Shingle,
        make: ShingleMaker,
    ) -> Vec<Box<[u64]>> {
        texts
            .par_iter()
            .with_max_len(TEXTS_PER_TASK)
            .map(|t| self.text_made_by(t.as_ref(), shingle, make))
            .collect()
    }

    /// Stages 1–2 of one text, on this thread: its feature set.
    pub fn text_features(&self, text: &str, shingle: Shingle) -> Box<[u64]> {
        self.text_made_by(text, shingle, shingle_into)
    }

    /// Stages 1–2 of one text, on this thread, for this pipeline's own [`Pipeline::collapse`]
    /// (a reader's [`crate::io::Prepare`] step): without IDF and the pivot stage, its shingles
    /// as they were made ([`crate::shingle::shingles_into`]), which is all a signature needs;
    /// only the sets that are compared are sorted, later (on the peers' 10k articles, sorting
    /// every text's shingles took a fifth of making the signatures, and 56% of the unique texts
    /// are never sorted). Otherwise its feature set: document frequencies count sets, and the
    /// pivot stage reads their scripts.
    pub fn text_shingles(&self, text: &str, shingle: Shingle) -> Box<[u64]> {
        self.text_made_by(text, shingle, self.shingle_maker())
    }

    /// How [`Pipeline::text_shingles`] makes a text's features.
    fn shingle_maker(&self) -> ShingleMaker {
        if self.keeps_shingles() { shingles_into } else { shingle_into }
    }

    /// `text` normalized, and its features made by `make` ([`shingle_into`] or
    /// [`shingles_into`]), in this thread's buffers.
    fn text_made_by(&self, text: &str, shingle: Shingle, make: ShingleMaker) -> Box<[u64]> {
        with_text_buffers(|b| {
            self.normalizer().normalize_into(text, &mut b.norm);
            make(&b.norm, shingle, &mut b.scratch, &mut b.features);
            b.features.as_slice().into()
        })
    }

    /// Whether [`Pipeline::text_shingles`] leaves a text's shingles as made.
    fn keeps_shingles(&self) -> bool {
        self.cfg.weighting() == Weighting::Uniform && self.pivoter.is_none()
    }

    /// Stages 1–2 as [`Pipeline::features`], and in the same pass each text's pivot features
    /// ([`Pivoter::pivot_into`]) when the pivot stage runs and the texts fall in more than one
    /// language group ([`Census`]: the language `langs` names for a text, or its script); one
    /// group needs no pivot features.
    pub fn features_and_pivots<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
        shingle: Shingle,
        langs: Option<&[Option<&str>]>,
    ) -> (FeatureSets, Option<PackedSets>) {
        if self.pivoter.is_none() || !Census::of(texts, langs).several() {
            return (self.features(texts, shingle), None);
        }
        let (features, pivots) = self.features_with_pivots(texts, shingle);
        (features, Some(pivots.into()))
    }

    /// Stages 1–2 and each text's pivot features in one normalization pass, whatever the
    /// languages (the persistent index needs them for every document: the archive may hold
    /// other languages); no pivot features without the pivot stage.
    pub fn features_with_pivots<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
        shingle: Shingle,
    ) -> (FeatureSets, FeatureSets) {
        let Some(pivoter) = &self.pivoter else {
            return (self.features(texts, shingle), vec![Box::default(); texts.len()]);
        };
        let norm = self.normalizer();
        let (features, pivots) = texts
            .par_iter()
            .with_max_len(TEXTS_PER_TASK)
            .map(|t| {
                with_text_buffers(|b| {
                    norm.normalize_into(t.as_ref(), &mut b.norm);
                    shingle_into(&b.norm, shingle, &mut b.scratch, &mut b.features);
                    pivoter.pivot_into(&b.norm, &mut b.pivots);
                    (b.features.as_slice().into(), b.pivots.as_slice().into())
                })
            })
            .unzip();
        (features, pivots)
    }

    /// Collapses identical feature sets and weights the rest.
    pub fn prepare(&self, shingle: Shingle, features: Vec<Box<[u64]>>) -> Prepared {
        let mut prepared = self.collapse(shingle, features);
        self.weigh(&mut prepared);
        prepared
    }

    /// Collapses identical feature sets; each unique one weighs 1 a feature until
    /// [`Pipeline::weigh`]. The features may be texts' shingles as made
    /// ([`Pipeline::text_shingles`]): those of a node that is not a set yet stay
    /// [`WeightedSet::shingled`] until [`Pipeline::cluster`] compares it.
    pub fn collapse(&self, shingle: Shingle, features: Vec<Box<[u64]>>) -> Prepared {
        let shingled = self.keeps_shingles();
        let Collapsed { node_of, members, unique, .. } =
            if shingled { collapse_shingles(features) } else { collapse(features) };
        // Only the pivot stage reads the scripts: without it they are not counted (a pass
        // over every feature, 1% of the peers' 10k job).
        let counted = self.pivoter.is_some();
        // One pass over each set while it is in cache.
        let (scripts, sets): (Vec<u8>, Vec<WeightedSet>) = unique
            .into_par_iter()
            .with_max_len(SETS_PER_TASK)
            .map(|f| {
                let script = if counted { dominant_script(&f) } else { 0 };
                (script, if shingled { WeightedSet::shingled(f) } else { WeightedSet::uniform(f) })
            })
            .unzip();
        let (vectors, pivots, pivot_pairs) = (None, None, Vec::new());
        Prepared {
            shingle,
            node_of,
            members,
            sets,
            vectors,
            pivots,
            pivot_pairs,
            scripts,
            times: Vec::new(),
        }
    }

    /// Weighs the nodes' sets as configured: by IDF over the nodes themselves, or uniformly
    /// (as [`Pipeline::collapse`] leaves them: no document frequencies to count, which cost
    /// 10% of a run).
    pub fn weigh(&self, prepared: &mut Prepared) {
        if self.cfg.weighting() == Weighting::Idf {
            let sets = std::mem::take(&mut prepared.sets);
            prepared.sets =
                weigh_by_idf(sets.into_iter().map(WeightedSet::into_features).collect());
        }
    }

    /// Clusters `texts` into stories.
    pub fn run<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Clustering {
        self.run_with_languages(texts, None)
    }

    /// Clusters `texts` into stories, with the language of each when the input names it (see
    /// [`Prepared::group_by_language`]).
    pub fn run_with_languages<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
        langs: Option<&[Option<&str>]>,
    ) -> Clustering {
        self.run_with(texts, langs, None)
    }

    /// Clusters `texts` into stories, with the language of each and its time (seconds since
    /// 1970) when the input names them.
    pub fn run_with<T: AsRef<str> + Sync>(
        &self,
        texts: &[T],
        langs: Option<&[Option<&str>]>,
        times: Option<&[Option<i64>]>,
    ) -> Clustering {
        let shingle = self.resolve_shingle(texts);
        let (features, pivots) = self.features_and_pivots(texts, shingle, langs);
        let mut prepared = self.collapse(shingle, features);
        if let Some(l) = langs {
            prepared.group_by_language(l);
        }
        if let Some(t) = times {
            prepared.set_times(t);
        }
        self.enrich_with(&mut prepared, texts, pivots, PivotScope::BetweenGroups);
        self.weigh(&mut prepared);
        self.cluster(&mut prepared)
    }

    /// Stage 4: a signature per node.
    pub fn signatures(&self, p: &Prepared) -> Vec<Box<[u32]>> {
        self.signatures_of(&p.sets)
    }

    /// Stage 4: a signature per weighted set. For cosine the slots race on squared weights, so
    /// that their agreement tracks `Σ w²` overlaps like the cosine does.
    /// Without IDF every word weighs the same and the signature is classic MinHash
    /// ([`MinHasher::sketch_uniform_into`]), leaving out the number features, which weigh almost
    /// nothing and only verification reads.
    pub fn signatures_of(&self, sets: &[WeightedSet]) -> Vec<Box<[u32]>> {
        let hasher = MinHasher::new(self.cfg.num_perm(), self.cfg.seed());
        sets.par_iter()
            .with_max_len(SETS_PER_TASK)
            .map_init(SketchScratch::default, |scratch, s| {
                let mut out = vec![0u32; hasher.len()].into_boxed_slice();
                self.sketch(&hasher, s, scratch, &mut out);
                out
            })
            .collect()
    }

    /// The signature of one set into `out` (see [`Pipeline::signatures_of`]).
    fn sketch(
        &self,
        hasher: &MinHasher,
        s: &WeightedSet,
        scratch: &mut SketchScratch,
        out: &mut [u32],
    ) {
        if self.cfg.weighting() == Weighting::Uniform {
            let f = s.features();
            hasher.sketch_uniform_into(f, |i| is_number_feature(f[i]), scratch, out);
        } else if self.cfg.similarity() == Similarity::Cosine {
            hasher.sketch_into(s.features(), |i| s.weight(i) * s.weight(i), scratch, out);
        } else {
            hasher.sketch_into(s.features(), |i| s.weight(i), scratch, out);
        }
    }

    /// Stages 4–8 on prepared documents (the [`WeightedSet::shingled`] sets it compares are
    /// made sets on the way). With [`Config::story_idf`], the sets are weighed again by
    /// document frequencies over the stories of a first clustering, the verified pairs scored
    /// again, and clustered again.
    pub fn cluster(&self, p: &mut Prepared) -> Clustering {
        let (mut node_edges, semantic_only, cstats) = self.verified_edges(p);
        // (A config with frequencies over stories weighs by IDF: the builder checks it.)
        if self.cfg.story_idf() {
            self.weigh_by_stories(p, &mut node_edges, &semantic_only);
        }
        // Verified pairs further apart in time than the window are no story's (unless copies).
        window_edges(&mut node_edges, &p.times, self.cfg.window());
        node_edges.shrink_to_fit();
        let node_cluster = self.link(p, &node_edges);
        self.assemble(p, node_edges, &node_cluster, cstats)
    }

    /// Stage 8: the stories of the verified edges, as the cluster of each node.
    fn link(&self, p: &Prepared, node_edges: &[(u32, u32, f32)]) -> Vec<u32> {
        let sizes: Vec<u32> = p.members.iter().map(|m| m.len() as u32).collect();
        crate::cluster::cluster(self.cfg.linkage(), &sizes, node_edges, self.cfg.threshold())
    }

    /// Weighs the nodes' sets by document frequencies over the stories that `node_edges` form
    /// ([`DocFreq::over_stories`]) and scores the edges again with those weights (those in
    /// `semantic_only`, scored on their embeddings alone, keep their score); edges that score
    /// nothing now are dropped. The edges come before the time window, which is applied to a
    /// copy for the first stories and again to the rescored edges by the caller.
    fn weigh_by_stories(
        &self,
        p: &mut Prepared,
        node_edges: &mut Vec<(u32, u32, f32)>,
        semantic_only: &[(u32, u32)],
    ) {
        let mut windowed = node_edges.clone();
        window_edges(&mut windowed, &p.times, self.cfg.window());
        let story = self.link(p, &windowed);
        drop(windowed);
        let features: Vec<Box<[u64]>> =
            std::mem::take(&mut p.sets).into_par_iter().map(WeightedSet::into_features).collect();
        let idf = DocFreq::over_stories(&features, &story).into_idf();
        p.sets = features
            .into_par_iter()
            .with_max_len(SETS_PER_TASK)
            .map(|f| WeightedSet::new(f, |x| idf.get(x).unwrap_or(1.0)))
            .collect();
        drop(idf);
        let p = &*p;
        node_edges.par_iter_mut().for_each(|e| {
            if semantic_only.binary_search(&(e.0, e.1)).is_err() {
                e.2 = self.pair_score(p, e.0, e.1);
            }
        });
        node_edges.retain(|e| e.2 > 0.0);
    }

    /// Stages 4–7: candidates from the signatures (and the pivot and semantic stages), each
    /// verified; the edges that score anything, sorted, before the time window. Also the
    /// edges only the semantic stage proposed, when [`Pipeline::weigh_by_stories`] is to
    /// score the others again.
    #[allow(clippy::type_complexity)]
    fn verified_edges(
        &self,
        p: &mut Prepared,
    ) -> (Vec<(u32, u32, f32)>, Vec<(u32, u32)>, CandidateStats) {
        let cfg = &self.cfg;
        // Empty sets (texts with no letters) must not meet each other in the all-zero bucket.
        let live: Vec<u32> =
            (0..p.sets.len() as u32).filter(|&i| !p.sets[i as usize].is_empty()).collect();
        let score_live = |&(i, j): &(u32, u32)| (live[i as usize], live[j as usize]);
        // Cross-script candidates (documents sharing rare pivot features: names, figures,
        // translated words) were found with the pivot sets; in the live numbering (an
        // increasing map, so they stay sorted).
        let live_of = |n: u32| live.binary_search(&n).expect("pivot pairs join live nodes") as u32;
        let pivot_pairs = p.pivot_pairs.iter().map(|&(a, b)| (live_of(a), live_of(b)));
        // Each set is sketched as its signature is asked for: the signatures are never all in
        // memory at once.
        let hasher = MinHasher::new(cfg.num_perm(), cfg.seed());
        let (pairs, mut cstats) = candidate_pairs_by(
            &cfg.lsh(),
            live.len(),
            || (SketchScratch::default(), vec![0u32; hasher.len()]),
            |(scratch, sig), i, emit| {
                self.sketch(&hasher, &p.sets[live[i] as usize], scratch, sig);
                emit(sig);
            },
            cfg.max_bucket(),
        );
        // Semantic candidates: SimHash bands of the embeddings. A pair only they propose is
        // scored on its semantic evidence alone (each kind of evidence is found by its own LSH;
        // scoring such pairs lexically too would cost more than the rest of the run).
        let semantic_only: Vec<(u32, u32)> = match &p.vectors {
            Some(vectors) => {
                let sigs = self.semantic_signatures(live.par_iter().map(|&n| &vectors[n as usize]));
                let (more, stats) = candidate_pairs(&SEMANTIC_LSH, &sigs, cfg.max_bucket());
                cstats.buckets += stats.buckets;
                cstats.oversized += stats.oversized;
                more.into_iter().filter(|x| pairs.binary_search(x).is_err()).collect()
            }
            None => Vec::new(),
        };
        // The pivot stage's pairs that neither other stage proposed are scored in full, like
        // the LSH pairs (all three lists are sorted, in the same numbering).
        let pivot_only: Vec<(u32, u32)> = pivot_pairs
            .filter(|x| pairs.binary_search(x).is_err() && semantic_only.binary_search(x).is_err())
            .collect();
        cstats.pairs += (semantic_only.len() + pivot_only.len()) as u64;
        // The signatures are made: what one set alone holds can meet nothing in the scoring,
        // which then walks about half as many features of a collection of articles. (Weighed
        // again over stories, the sets need all their features.)
        if !cfg.story_idf() {
            p.sets
                .par_iter_mut()
                .with_max_len(SETS_PER_TASK)
                .for_each(WeightedSet::forget_unshared);
        }
        // The sets of the nodes that meet another, and only those, are made sets to be scored.
        let mut compared = vec![false; p.sets.len()];
        for &(a, b) in pairs.iter().chain(&pivot_only).chain(&semantic_only) {
            let (a, b) = score_live(&(a, b));
            compared[a as usize] = true;
            compared[b as usize] = true;
        }
        p.sets.par_iter_mut().zip(compared).with_max_len(SETS_PER_TASK).for_each(|(s, c)| {
            if c {
                s.make_set();
            }
        });
        let p = &*p;
        // Each pair becomes an edge in one list made at the size of all of them and is scored
        // in place; the edges scoring zero are dropped in place. (A list of scores, then one of
        // the kept edges beside the pairs and their scores, held 4 bytes a pair more at the end
        // of verification, then the run's peak; a list collected from a filter grew by
        // doubling and was copied.) The LSH pairs become edges from the back, a block at a
        // time, each block given back once its edges are made: the pairs (8 bytes each) and
        // their edges (12) are never both whole in memory. In the 1M replay, 19.8 million
        // pairs beside their edges were 0.16 GB of the scoring's peak.
        let score = |edges: &mut [(u32, u32, f32)]| {
            edges.par_iter_mut().for_each(|e| {
                let (a, b) = score_live(&(e.0, e.1));
                *e = (a, b, self.pair_score(p, a, b));
            });
        };
        let mut node_edges: Vec<(u32, u32, f32)> =
            Vec::with_capacity(pairs.len() + pivot_only.len() + semantic_only.len());
        let mut pairs = pairs;
        while !pairs.is_empty() {
            let (from, start) = (pairs.len().saturating_sub(SCORE_BLOCK), node_edges.len());
            node_edges.extend(pairs[from..].iter().rev().map(|&(a, b)| (a, b, 0.0)));
            pairs.truncate(from);
            pairs.shrink_to_fit();
            score(&mut node_edges[start..]);
        }
        node_edges.reverse();
        node_edges.retain(|e| e.2 > 0.0);
        // The three lists of pairs are sorted, and none holds a pair of another: each one's
        // kept edges are merged into those before.
        let mut pivot_edges: Vec<(u32, u32, f32)> =
            pivot_only.iter().map(|&(a, b)| (a, b, 0.0)).collect();
        drop(pivot_only);
        score(&mut pivot_edges);
        pivot_edges.retain(|e| e.2 > 0.0);
        let before = node_edges.len();
        node_edges.extend(pivot_edges);
        merge_sorted_tail(&mut node_edges, before, |e| (e.0, e.1));
        if let Some(vectors) = &p.vectors {
            let before = node_edges.len();
            node_edges.par_extend(semantic_only.par_iter().filter_map(|pair| {
                let (a, b) = score_live(pair);
                let s = combine(
                    0.0,
                    None,
                    Some(semantic_score(&vectors[a as usize], &vectors[b as usize])),
                );
                (s > 0.0).then_some((a, b, s))
            }));
            merge_sorted_tail(&mut node_edges, before, |e| (e.0, e.1));
        }
        debug_assert!(node_edges.is_sorted_by_key(|e| (e.0, e.1)), "edges merged, not sorted");
        node_edges.dedup_by_key(|e| (e.0, e.1));
        let semantic_only = match cfg.story_idf() {
            true => semantic_only.iter().map(score_live).collect(),
            false => Vec::new(),
        };
        (node_edges, semantic_only, cstats)
    }

    /// Numbers stories, picks representatives and scores members against them.
    fn assemble(
        &self,
        p: &Prepared,
        node_edges: Vec<(u32, u32, f32)>,
        node_cluster: &[u32],
        cstats: CandidateStats,
    ) -> Clustering {
        let n_docs = p.node_of.len();
        // Story numbers in order of first document. A cluster is named by one of its nodes, so
        // a list by node numbers them: a hash map was 1.4–2.1 ms of serial time on the 31k
        // articles (0.2 ms now) and 70 ms on the 1M replay (12 ms).
        let mut story_of_cluster = vec![u32::MAX; p.sets.len()];
        let mut n_stories = 0;
        let mut story = Vec::with_capacity(n_docs);
        for d in 0..n_docs {
            let c = node_cluster[p.node_of[d] as usize] as usize;
            if story_of_cluster[c] == u32::MAX {
                story_of_cluster[c] = n_stories as u32;
                n_stories += 1;
            }
            story.push(story_of_cluster[c]);
        }
        // Medoid node of each story: largest within-story similarity mass (ties: first node).
        let mut mass = vec![0f64; p.sets.len()];
        for (n, m) in p.members.iter().enumerate() {
            mass[n] = (m.len() as f64 - 1.0).max(0.0) * m.len() as f64;
        }
        for &(a, b, s) in &node_edges {
            if node_cluster[a as usize] == node_cluster[b as usize] {
                let (ma, mb) =
                    (p.members[a as usize].len() as f64, p.members[b as usize].len() as f64);
                mass[a as usize] += s as f64 * ma * mb;
                mass[b as usize] += s as f64 * ma * mb;
            }
        }
        let mut rep_node: Vec<Option<u32>> = vec![None; n_stories];
        for d in 0..n_docs {
            let node = p.node_of[d];
            if p.members[node as usize][0] != d as u32 {
                continue;
            }
            let slot = &mut rep_node[story[d] as usize];
            match *slot {
                Some(r) if mass[r as usize] >= mass[node as usize] => {}
                _ => *slot = Some(node),
            }
        }
        let rep_node: Vec<u32> = rep_node.into_iter().map(|r| r.unwrap_or(0)).collect();
        let representative: Vec<u32> = rep_node.iter().map(|&n| p.members[n as usize][0]).collect();
        let score_to_rep: Vec<f32> = (0..n_docs)
            .into_par_iter()
            .map(|d| {
                let node = p.node_of[d];
                let rn = rep_node[story[d] as usize];
                if rn == node { 1.0 } else { self.pair_score(p, node, rn) }
            })
            .collect();
        let n_edges = node_edges.len();
        // In place: an edge takes the room of the node pair it was.
        let edges = node_edges
            .into_iter()
            .map(|(a, b, score)| Edge {
                a: p.members[a as usize][0],
                b: p.members[b as usize][0],
                score,
            })
            .collect::<Vec<_>>();
        let duplicates = p.members.iter().filter(|m| m.len() > 1).map(<[u32]>::to_vec).collect();
        let stats = RunStats {
            documents: n_docs,
            unique: p.sets.len(),
            empty: p.node_of.iter().filter(|&&n| p.sets[n as usize].is_empty()).count(),
            shingle: Some(p.shingle),
            candidates: cstats,
            edges: n_edges,
            stories: n_stories,
        };
        Clustering { story, representative, score_to_rep, edges, duplicates, stats }
    }
}

/// LSH pairs made edges a block at a time (see [`Pipeline::cluster`]).
const SCORE_BLOCK: usize = 1 << 20;

/// Merges `v[..mid]` and `v[mid..]`, each sorted by `key`, into one sorted list, with a copy of
/// the second part as the only other memory (the first is the run's LSH edges, the second a few
/// more). Of two equal keys, the first part's comes first.
fn merge_sorted_tail<T: Copy, K: Ord>(v: &mut [T], mid: usize, key: impl Fn(&T) -> K) {
    if mid == 0 || mid == v.len() || key(&v[mid - 1]) <= key(&v[mid]) {
        return;
    }
    let tail = v[mid..].to_vec();
    let (mut i, mut j) = (mid, tail.len());
    for w in (0..v.len()).rev() {
        if j == 0 {
            break;
        }
        if i > 0 && key(&v[i - 1]) > key(&tail[j - 1]) {
            i -= 1;
            v[w] = v[i];
        } else {
            j -= 1;
            v[w] = tail[j];
        }
    }
}

/// Sets weighed by the IDF of their features over themselves, as codes in one palette of the
/// collection's weights when it has few enough distinct ones (nearly always: see
/// [`crate::weights::coded_weights`]), else as one `f32` a feature (a number feature weighs
/// [`crate::weights::MIN_WEIGHT`] either way).
fn weigh_by_idf(sets: Vec<Box<[u64]>>) -> Vec<WeightedSet> {
    match crate::weights::coded_weights(&sets, 1 << 16) {
        Some((codes, palette)) => sets
            .into_par_iter()
            .zip(codes)
            .map(|(f, c)| WeightedSet::coded(f, c, &palette))
            .collect(),
        None => {
            let idf = DocFreq::from_sets(&sets).into_idf();
            sets.into_par_iter()
                .map(|f| WeightedSet::new(f, |x| idf.get(x).unwrap_or(1.0)))
                .collect()
        }
    }
}

/// Two texts compared (see [`Pipeline::compare`]).
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Shingle family used.
    pub shingle: Shingle,
    /// Exact scores.
    pub scores: crate::verify::Scores,
    /// The score the configuration selects (combined with the semantic score when there is
    /// an encoder).
    pub score: f64,
    /// Signature estimate (share of agreeing slots).
    pub estimate: f64,
    /// Distinct shingles of each text.
    pub sizes: (usize, usize),
    /// Normalized texts.
    pub normalized: (String, String),
    /// Shared shingles, in the first text's order, as text.
    pub shared: Vec<String>,
    /// With an encoder: the semantic scores.
    pub semantic: Option<SemanticComparison>,
    /// With the pivot stage: the pivot scores and what matched.
    pub pivot: Option<PivotComparison>,
}

impl Comparison {
    /// The first text (0 or 1) with nothing to compare (no shingle: empty, or only punctuation,
    /// symbols or emoji), which a caller reports as an error ([`crate::batch::NO_FEATURES`]),
    /// as `cluster` rejects such a record: a score of 0 would hide a script's mistake.
    pub fn featureless(&self) -> Option<usize> {
        [self.sizes.0, self.sizes.1].iter().position(|&n| n == 0)
    }
}

/// The pivot side of a comparison (see [`crate::pivot`]).
#[derive(Debug, Clone)]
pub struct PivotComparison {
    /// Exact scores of the two pivot sets (uniform weights).
    pub scores: crate::verify::Scores,
    /// Pivot features of each text.
    pub sizes: (usize, usize),
    /// The pivot evidence ([`pivot_pair`]: corrected for chance, containment for a short text
    /// inside a long one) when the texts are written in different scripts and share at least
    /// [`crate::verify::MIN_PIVOT_SHARED`] pivot features; `None` otherwise (it does not count).
    pub score: Option<f32>,
    /// Shared pivot features: kind, pivot text, the token of each text it came from.
    pub shared: Vec<(crate::pivot::Kind, String, String, String)>,
}

/// The semantic side of a comparison (with `--model`).
#[derive(Debug, Clone, Copy)]
pub struct SemanticComparison {
    /// The semantic score of the two texts' embeddings (see [`DocVectors::score`]).
    pub score: f32,
    /// Cosine of the two texts' mean embeddings.
    pub mean_cosine: f32,
    /// Lines embedded in each text.
    pub lines: (usize, usize),
    /// The lexical score under the configured similarity.
    pub lexical: f64,
}

impl Pipeline {
    /// Compares two texts on their own. With no collection to learn rarity from, every
    /// shingle weighs the same. `auto` shingles follow the shorter text. With an encoder, the
    /// score is [`combine`] of the lexical score and the texts' line alignment.
    pub fn compare(&self, a: &str, b: &str) -> Comparison {
        let norm = self.normalizer();
        let (na, nb) = (norm.normalize(a), norm.normalize(b));
        let shingle = self.cfg.shingle().resolve(&[na.len().min(nb.len())]);
        let mut scratch = Scratch::default();
        let (mut fa, mut fb) = (Vec::new(), Vec::new());
        shingle_into(&na, shingle, &mut scratch, &mut fa);
        shingle_into(&nb, shingle, &mut scratch, &mut fb);
        let (fa_all, fb_all) = (fa.clone(), fb.clone());
        let sa = WeightedSet::uniform(fa.into());
        let sb = WeightedSet::uniform(fb.into());
        let sc = scores(&sa, &sb);
        let hasher = MinHasher::new(self.cfg.num_perm(), self.cfg.seed());
        let estimate = if sa.is_empty() || sb.is_empty() {
            0.0
        } else {
            crate::sketch::estimate(
                &hasher.sketch(sa.features(), |_| 1.0),
                &hasher.sketch(sb.features(), |_| 1.0),
            )
        };
        let in_b: std::collections::HashSet<u64> = sb.features().iter().copied().collect();
        let mut seen = std::collections::HashSet::new();
        let shared = crate::shingle::shingle_strings(&na, shingle)
            .into_iter()
            .filter(|(h, _)| in_b.contains(h) && seen.insert(*h))
            .map(|(_, s)| s)
            .collect();
        let lexical = crate::verify::lexical(&sa, &sb, self.cfg.similarity());
        let pivot = self.pivoter.as_ref().map(|p| {
            let (xa, xb) = (p.pivot_strings(&na), p.pivot_strings(&nb));
            let set = |x: &[(u64, crate::pivot::Kind, String, String)]| {
                let mut v: Vec<u64> = x.iter().map(|e| e.0).collect();
                v.sort_unstable();
                v.dedup();
                WeightedSet::uniform(v.into())
            };
            let (pa, pb) = (set(&xa), set(&xb));
            let mut seen = std::collections::HashSet::new();
            let shared = xa
                .iter()
                .filter_map(|(h, kind, pivot, ta)| {
                    let tb = &xb.iter().find(|e| e.0 == *h)?.3;
                    seen.insert(*h).then(|| (*kind, pivot.clone(), ta.clone(), tb.clone()))
                })
                .collect();
            PivotComparison {
                scores: scores(&pa, &pb),
                sizes: (pa.len(), pb.len()),
                score: (dominant_script(&fa_all) != dominant_script(&fb_all))
                    .then(|| pivot_pair(&pa, &pb, self.cfg.similarity()))
                    .flatten(),
                shared,
            }
        });
        let semantic = self.encoder.as_ref().map(|enc| {
            let v = enc.embed_vectors(&[a, b]);
            SemanticComparison {
                score: v[0].score(&v[1]),
                mean_cosine: v[0].mean_cosine(&v[1]),
                lines: (v[0].len(), v[1].len()),
                lexical,
            }
        });
        let pivot_score = pivot.as_ref().and_then(|p| p.score);
        Comparison {
            shingle,
            score: combine(lexical as f32, pivot_score, semantic.as_ref().map(|s| s.score)) as f64,
            semantic,
            pivot,
            scores: sc,
            estimate,
            sizes: (sa.len(), sb.len()),
            normalized: (na.as_str().to_owned(), nb.as_str().to_owned()),
            shared,
        }
    }
}

/// The script class (see [`crate::shingle::script_class`]) of most of a feature set's
/// features, digits and symbols not counted (0 when there is no letter).
pub fn dominant_script(features: &[u64]) -> u8 {
    // Four tallies, summed at the end: with one, nearly every feature (most are of one
    // script) added to the count the one before had just stored, and waited for it.
    let mut tallies = [[0u32; crate::shingle::SCRIPT_CLASSES]; 4];
    let mut quads = features.chunks_exact(4);
    for q in &mut quads {
        for (tally, &f) in tallies.iter_mut().zip(q) {
            tally[crate::shingle::script_class(f)] += 1;
        }
    }
    for &f in quads.remainder() {
        tallies[0][crate::shingle::script_class(f)] += 1;
    }
    let mut counts = [0u32; crate::shingle::SCRIPT_CLASSES];
    for tally in &tallies {
        counts.iter_mut().zip(tally).for_each(|(c, t)| *c += t);
    }
    counts[0] = 0;
    let best = (1..counts.len()).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
    if counts[best] == 0 { 0 } else { best as u8 }
}

/// Xored into semantic band keys.
const SEMANTIC_KEY_SALT: u64 = 0x5E3A_0000_0000_0001;

fn semantic_hasher() -> &'static crate::sketch::simhash::SimHasher {
    static HASHER: std::sync::OnceLock<crate::sketch::simhash::SimHasher> =
        std::sync::OnceLock::new();
    HASHER.get_or_init(|| {
        crate::sketch::simhash::SimHasher::new(
            SEMANTIC_LSH.slots(),
            crate::embed::DIM,
            SEMANTIC_SEED,
        )
    })
}

/// The semantic score of two documents' embeddings ([`DocVectors::score`]: line alignment,
/// less a little for numbers not shared), computed only when their mean vectors are at least
/// [`SEMANTIC_FLOOR`] similar (the mean cosine otherwise).
pub fn semantic_score(a: &DocVectors, b: &DocVectors) -> f32 {
    let mean = a.mean_cosine(b);
    if mean < SEMANTIC_FLOOR { mean } else { a.score(b) }
}

/// Documents grouped by identical feature sets (see [`collapse`]).
#[derive(Debug, Clone, Default)]
pub struct Collapsed {
    /// Per document: its node.
    pub node_of: Vec<u32>,
    /// Per node: its documents, in input order.
    pub members: Groups,
    /// Per node: the feature set.
    pub unique: Vec<Box<[u64]>>,
    /// Per node: the hash its feature set was grouped by ([`set_hash`] in [`collapse`]).
    pub hashes: Vec<u64>,
}

/// Groups documents with identical feature sets into one node each (exact duplicates after
/// normalization), in order of first appearance. Texts without features are each their own
/// node: nothing makes them the same.
pub fn collapse(features: Vec<Box<[u64]>>) -> Collapsed {
    collapse_by(features, set_hash)
}

/// [`collapse`] with `hash` for [`set_hash`] (tests make every set collide).
fn collapse_by(features: Vec<Box<[u64]>>, hash: impl Fn(&[u64]) -> u64 + Sync) -> Collapsed {
    let hashes = features.par_iter().map(|f| hash(f)).collect();
    collapse_hashed(features, hashes)
}

/// [`collapse`] of texts' features that may be their shingles as they were made (in text order,
/// repeats kept: [`crate::shingle::shingles_into`]) rather than sets: grouped by
/// [`shingles_hash`], which neither order nor repeats change, and those whose hash another's
/// repeats made sets ([`crate::shingle::make_set`]) so that they can be compared. The others,
/// most of a collection, stay as they were made. Each unique set is the node's in `unique`.
pub fn collapse_shingles(features: Vec<Box<[u64]>>) -> Collapsed {
    collapse_shingles_by(features, shingles_hash)
}

/// [`collapse_shingles`] with `hash` for [`shingles_hash`] (tests make every set collide).
fn collapse_shingles_by(
    mut features: Vec<Box<[u64]>>,
    hash: impl Fn(&[u64]) -> u64 + Sync,
) -> Collapsed {
    let hashes: Vec<u64> = features.par_iter().map(|f| hash(f)).collect();
    let mut seen: FeatureMap<u64, bool> = FeatureMap::default();
    for (f, &h) in features.iter().zip(&hashes) {
        if !f.is_empty() {
            seen.entry(h).and_modify(|again| *again = true).or_insert(false);
        }
    }
    features.par_iter_mut().zip(&hashes).with_max_len(SETS_PER_TASK).for_each(|(f, h)| {
        if !f.is_empty() && seen[h] && !crate::shingle::is_set(f) {
            let mut set = std::mem::take(f).into_vec();
            crate::shingle::make_set(&mut set);
            *f = set.into_boxed_slice();
        }
    });
    drop(seen);
    collapse_hashed(features, hashes)
}

/// Groups `features` by `hashes` (one per set, equal for equal sets), then by comparing the sets
/// whose hashes are equal.
fn collapse_hashed(features: Vec<Box<[u64]>>, hashes: Vec<u64>) -> Collapsed {
    let mut c = Collapsed::default();
    // Per hash the last node made with it, and per node the one made before it with the same
    // hash (`NONE` ends the chain): no list of its own for each hash.
    const NONE: u32 = u32::MAX;
    let mut by_hash: FeatureMap<u64, u32> = FeatureMap::default();
    let mut earlier: Vec<u32> = Vec::with_capacity(features.len());
    for (doc, (f, h)) in features.into_iter().zip(hashes).enumerate() {
        let last = by_hash.entry(if f.is_empty() { doc as u64 ^ h } else { h }).or_insert(NONE);
        let mut found = None;
        let mut n = *last;
        while n != NONE && !f.is_empty() {
            if c.unique[n as usize] == f {
                found = Some(n);
                break;
            }
            n = earlier[n as usize];
        }
        let node = match found {
            Some(n) => n,
            None => {
                let n = c.unique.len() as u32;
                c.unique.push(f);
                c.hashes.push(h);
                earlier.push(*last);
                *last = n;
                n
            }
        };
        c.node_of.push(node);
    }
    // One list for all nodes: a list each took 56 bytes a node, most nodes holding one
    // document.
    c.members = Groups::new(c.unique.len(), c.node_of.iter().map(|&n| Some(n as usize)));
    c
}

/// What [`Pipeline::resolve_shingle`] counts of each of the first [`AUTO_SAMPLE`] texts.
pub fn sample_length(norm: &Normalizer, text: &str) -> usize {
    with_text_buffers(|b| {
        norm.normalize_into(text, &mut b.norm);
        b.norm.len()
    })
}

/// A hash of a text's features that neither their order nor their repeats change (see
/// [`collapse_shingles`]): of the largest feature and of the largest with its low 61 bits
/// inverted, the smallest hash of the script class held in the top bits. Number features (small
/// values) are neither unless the text has nothing else. Two texts share both only when they
/// share those two shingles: exact duplicates, and some near ones.
pub fn shingles_hash(f: &[u64]) -> u64 {
    const LOW: u64 = u64::MAX >> 3;
    // Four of each, maxima of every fourth feature: one would wait on the one before.
    let (mut hi, mut lo) = ([0u64; 4], [0u64; 4]);
    let mut quads = f.chunks_exact(4);
    for q in &mut quads {
        for k in 0..4 {
            hi[k] = hi[k].max(q[k]);
            lo[k] = lo[k].max(q[k] ^ LOW);
        }
    }
    for &x in quads.remainder() {
        hi[0] = hi[0].max(x);
        lo[0] = lo[0].max(x ^ LOW);
    }
    let (hi, lo) = (hi.into_iter().max().unwrap_or(0), lo.into_iter().max().unwrap_or(0));
    let mut both = [0u8; 16];
    both[..8].copy_from_slice(&hi.to_le_bytes());
    both[8..].copy_from_slice(&lo.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&both)
}

/// A hash of a whole feature set, to find exact duplicates.
///
/// The xxh3 of the features' little-endian bytes, end to end (the index stores it).
pub fn set_hash(f: &[u64]) -> u64 {
    #[cfg(target_endian = "little")]
    {
        // The features' own bytes are their little-endian bytes: hashed in place, at once
        // (streaming them through a buffer, as below, took twice as long).
        // SAFETY: any `u64`'s bytes are valid `u8`s, `u8` needs no alignment, and the view
        // covers exactly the slice's `8 × len` bytes for as long as the slice is borrowed.
        let bytes = unsafe { std::slice::from_raw_parts(f.as_ptr().cast::<u8>(), 8 * f.len()) };
        xxhash_rust::xxh3::xxh3_64(bytes)
    }
    #[cfg(not(target_endian = "little"))]
    set_hash_streamed(f)
}

/// [`set_hash`] by streaming the features' little-endian bytes 32 features at a time (the
/// same hash as of the whole byte string, without copying it).
#[cfg_attr(target_endian = "little", allow(dead_code))]
fn set_hash_streamed(f: &[u64]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    let mut bytes = [0u8; 256];
    for chunk in f.chunks(32) {
        for (b, x) in bytes.chunks_exact_mut(8).zip(chunk) {
            b.copy_from_slice(&x.to_le_bytes());
        }
        hasher.update(&bytes[..8 * chunk.len()]);
    }
    hasher.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next of a test's pseudo-random features (xorshift64).
    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// The census counts the groups the pivot stage pairs across: named languages, and the
    /// scripts of the texts that name none.
    #[test]
    fn the_census_counts_language_groups() {
        let texts = ["رئيس الوزراء يزور بغداد", "The prime minister visits Baghdad", "Ministro"];
        let several =
            |langs: Option<&[Option<&str>]>, n: usize| Census::of(&texts[..n], langs).several();
        // One named language, whatever its texts' scripts.
        assert!(!several(Some(&[Some("ara"), Some("ara")]), 2));
        assert!(several(Some(&[Some("ara"), Some("eng")]), 2));
        // Texts that name none count by script.
        assert!(several(None, 2));
        assert!(several(Some(&[None, Some("")]), 2));
        assert!(!several(None, 1));
        assert!(!several(Some(&[None, Some("")]), 1));
        // A named language and a text that names none are two groups.
        assert!(several(Some(&[Some("eng"), Some("eng"), None]), 3));
        // A chunk at a time, as the batch job reads.
        let mut census = Census::default();
        census.add(&texts[..1], Some(&[Some("ara")]));
        census.add(&texts[1..2], Some(&[Some("ara")]));
        assert!(!census.several());
        census.add(&texts[2..], Some(&[Some("spa")]));
        assert!(census.several());
    }

    /// Copies are paired with their group's first document and edges name first documents,
    /// unless every copy is asked for; edges below the minimum are left out either way.
    #[test]
    fn pairs_list_every_copy_only_when_asked() {
        let edge = |a, b, score| Edge { a, b, score };
        let c = Clustering {
            story: vec![0, 0, 0, 0, 0, 1, 0],
            representative: vec![0, 5],
            score_to_rep: vec![1.0; 7],
            edges: vec![edge(0, 2, 0.8), edge(0, 4, 0.5), edge(2, 5, 0.2)],
            duplicates: vec![vec![0, 1, 3], vec![4, 6]],
            stats: RunStats::default(),
        };
        let first: Vec<(u32, u32, f32)> = c.pairs(0.3, false).collect();
        assert_eq!(first, [(0, 1, 1.0), (0, 3, 1.0), (4, 6, 1.0), (0, 2, 0.8), (0, 4, 0.5)]);
        let every: Vec<(u32, u32, f32)> = c.pairs(0.3, true).collect();
        #[rustfmt::skip]
        let expected = [
            (0, 1, 1.0), (0, 3, 1.0), (1, 3, 1.0), (4, 6, 1.0),
            (0, 2, 0.8), (1, 2, 0.8), (2, 3, 0.8),
            (0, 4, 0.5), (0, 6, 0.5), (1, 4, 0.5), (1, 6, 0.5), (3, 4, 0.5), (3, 6, 0.5),
        ];
        assert_eq!(every, expected);
        let all: Vec<(u32, u32, f32)> = c.pairs(0.0, true).collect();
        assert_eq!(all.last(), Some(&(2, 5, 0.2)));
        assert_eq!(all.len(), expected.len() + 1);
        assert_eq!(c.pairs(1.0, true).count(), 4, "the copies' own pairs score 1");
        assert_eq!(c.pairs(1.5, true).count(), 0, "no pair scores over 1, copies included");
    }

    /// Once the signatures are made, the sets forget the features no other set holds; every
    /// pair of them (a set and itself too) scores as before.
    #[test]
    fn sets_scored_without_their_unshared_features_score_the_same() {
        let words = ["troops", "border", "talks", "minister", "visit", "oil", "prices", "rain"];
        let mut x = 7u64;
        let texts: Vec<String> = (0..60)
            .map(|i| {
                let mut t: Vec<String> = (0..12)
                    .map(|_| words[xorshift(&mut x) as usize % words.len()].into())
                    .collect();
                t.push(format!("unique{i} word{i}"));
                t.join(" ")
            })
            .collect();
        let pipeline = Pipeline::new(Config::builder().threshold(0.3).build().unwrap());
        let shingle = Shingle::Word(2);
        let mut p = pipeline.prepare(shingle, pipeline.features(&texts, shingle));
        let weighed = p.sets.clone();
        let clustering = pipeline.cluster(&mut p);
        let forgot = p.sets.iter().filter(|s| s.features().len() < s.len()).count();
        assert_eq!(forgot, p.sets.len(), "each text has two words of its own");
        for (i, s) in weighed.iter().enumerate() {
            assert_eq!(s.len(), p.sets[i].len());
            for (j, t) in weighed.iter().enumerate() {
                let (before, now) = (scores(s, t), scores(&p.sets[i], &p.sets[j]));
                assert_eq!(before, now, "{i} {j}");
            }
        }
        assert!(clustering.stats.stories < texts.len(), "some texts form stories");
    }

    #[test]
    fn merge_sorted_tail_merges_two_sorted_parts() {
        let mut x = 7u64;
        for (n, mid) in [(0, 0), (5, 0), (5, 5), (9, 4), (300, 17), (300, 290), (1000, 500)] {
            let mut v: Vec<(u32, u32)> = (0..n)
                .map(|_| ((xorshift(&mut x) % 50) as u32, (xorshift(&mut x) % 7) as u32))
                .collect();
            v[..mid].sort_unstable();
            v[mid..].sort_unstable();
            // Which part each element came from: the first part's come first among equals.
            let mut tagged: Vec<(u32, u32, bool)> =
                v.iter().enumerate().map(|(i, &(a, b))| (a, b, i >= mid)).collect();
            let mut expected = tagged.clone();
            expected.sort_by_key(|&(a, b, second)| (a, b, second));
            merge_sorted_tail(&mut tagged, mid, |e| (e.0, e.1));
            assert_eq!(tagged, expected, "{n} elements, the second part from {mid}");
        }
    }

    #[test]
    fn collapse_groups_identical_sets_in_order_of_first_appearance() {
        let f = |v: &[u64]| -> Box<[u64]> { v.into() };
        let c =
            collapse(vec![f(&[1, 2]), f(&[3]), f(&[1, 2]), f(&[]), f(&[3]), f(&[]), f(&[1, 2])]);
        assert_eq!(c.node_of, [0, 1, 0, 2, 1, 3, 0]);
        // Empty sets are each their own node.
        assert_eq!(c.unique.len(), 4);
        assert_eq!(c.members.len(), 4);
        let members: Vec<&[u32]> = c.members.iter().collect();
        assert_eq!(members, [&[0, 2, 6][..], &[1, 4], &[3], &[5]]);
        assert_eq!(&c.members[1], &[1, 4]);
        assert!(Groups::new(0, std::iter::empty()).is_empty());
        // Sets whose hashes collide are still told apart, and duplicates still found.
        let sets = [&[1u64, 2][..], &[3], &[1, 2], &[], &[3], &[4, 5], &[], &[4, 5], &[1, 2]];
        let all = || sets.iter().map(|&s| f(s)).collect::<Vec<_>>();
        let (apart, colliding) = (collapse(all()), collapse_by(all(), |_| 7));
        assert_eq!(apart.node_of, [0, 1, 0, 2, 1, 3, 4, 3, 0]);
        assert_eq!(colliding.node_of, apart.node_of);
        assert_eq!(colliding.unique, apart.unique);
    }

    proptest::proptest! {
        /// Collapsing finds the nodes a plain search in text order finds: each text joins the
        /// first earlier text with an equal set (empty ones never join), whatever hashes
        /// collide, and each node keeps its first text's set and hash.
        #[test]
        fn collapse_agrees_with_a_search_in_text_order(
            sets in proptest::collection::vec(proptest::collection::vec(0u64..4, 0..3), 0..40),
            buckets in 1u64..4,
        ) {
            let hash = |f: &[u64]| f.iter().sum::<u64>() % buckets;
            let (mut node_of, mut firsts): (Vec<u32>, Vec<usize>) = (Vec::new(), Vec::new());
            for (doc, set) in sets.iter().enumerate() {
                let node = firsts.iter().position(|&f| !set.is_empty() && sets[f] == *set);
                node_of.push(node.unwrap_or_else(|| {
                    firsts.push(doc);
                    firsts.len() - 1
                }) as u32);
            }
            let c = collapse_by(sets.iter().map(|s| s.clone().into_boxed_slice()).collect(), hash);
            proptest::prop_assert_eq!(&c.node_of, &node_of);
            let unique: Vec<&[u64]> = firsts.iter().map(|&f| &sets[f][..]).collect();
            proptest::prop_assert_eq!(c.unique.iter().map(|u| &u[..]).collect::<Vec<_>>(), unique);
            let hashes: Vec<u64> = firsts.iter().map(|&f| hash(&sets[f])).collect();
            proptest::prop_assert_eq!(&c.hashes, &hashes);
            for (n, m) in c.members.iter().enumerate() {
                proptest::prop_assert!(m.iter().all(|&d| node_of[d as usize] == n as u32));
                proptest::prop_assert!(m.windows(2).all(|w| w[0] < w[1]), "in text order");
            }
            proptest::prop_assert_eq!(c.members.iter().map(<[u32]>::len).sum::<usize>(), sets.len());
        }
    }

    /// Texts' shingles as made (any order, repeats) collapse as their sets do; a node's
    /// shingles are a set whenever another text's hashed alike.
    #[test]
    fn collapse_shingles_groups_as_the_sets_would() {
        let f = |v: &[u64]| -> Box<[u64]> { v.into() };
        let made = [
            &[2u64, 1, 2][..],
            &[3],
            &[1, 2, 1],
            &[],
            &[3, 3],
            &[5, 4],
            &[],
            &[4, 5, 4],
            &[1, 2],
            &[9, 8, 9],
        ];
        let sets = || {
            made.iter()
                .map(|&m| {
                    let mut v = m.to_vec();
                    crate::shingle::make_set(&mut v);
                    v.into_boxed_slice()
                })
                .collect::<Vec<_>>()
        };
        let want = collapse(sets());
        let as_made = || made.iter().map(|&m| f(m)).collect::<Vec<_>>();
        for c in [collapse_shingles(as_made()), collapse_shingles_by(as_made(), |_| 7)] {
            assert_eq!(c.node_of, want.node_of);
            assert_eq!(c.node_of, [0, 1, 0, 2, 1, 3, 4, 3, 0, 5]);
            let members: Vec<&[u32]> = c.members.iter().collect();
            let want_members: Vec<&[u32]> = want.members.iter().collect();
            assert_eq!(members, want_members);
            for (n, u) in c.unique.iter().enumerate() {
                let mut set = u.to_vec();
                crate::shingle::make_set(&mut set);
                assert_eq!(set, &want.unique[n][..], "node {n}");
            }
        }
        // Alone, a text's shingles stay as made; every one is a set once all collide.
        let alone = collapse_shingles(as_made());
        assert_eq!(&alone.unique[5][..], &[9, 8, 9]);
        let colliding = collapse_shingles_by(as_made(), |_| 7);
        assert!(colliding.unique.iter().all(|u| crate::shingle::is_set(u)));
        assert_eq!(colliding.unique, want.unique);
        // The hash: order and repeats change nothing, a feature does.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for len in 1..40 {
            let set: Vec<u64> = (0..len).map(|_| xorshift(&mut x)).collect();
            let mut shuffled: Vec<u64> = set.iter().rev().chain(&set[..len / 2]).copied().collect();
            shuffled.rotate_left(len / 3);
            assert_eq!(shingles_hash(&shuffled), shingles_hash(&set), "{len}");
            let mut sorted = set.clone();
            sorted.sort_unstable();
            assert_ne!(shingles_hash(&sorted[..len - 1]), shingles_hash(&sorted), "{len}");
        }
    }

    #[test]
    fn text_buffers_are_kept_for_the_next_text_unless_one_was_enormous() {
        let norm = Normalizer::default();
        let capacity = || TEXT_BUFFERS.with_borrow(|b| b.norm.capacity());
        let features = |text: &str| {
            with_text_buffers(|b| {
                norm.normalize_into(text, &mut b.norm);
                shingle_into(&b.norm, Shingle::Word(3), &mut b.scratch, &mut b.features);
                b.features.clone()
            })
        };
        let small = "the minister apologised for the remarks on tuesday";
        let once = features(small);
        let kept = capacity();
        assert!(kept >= small.len());
        // The same buffers serve the next text and give the same features.
        assert_eq!(features(small), once);
        assert_eq!(capacity(), kept);
        let enormous = "word ".repeat(KEEP_BUFFERS);
        assert!(!features(&enormous).is_empty());
        assert_eq!(capacity(), 0);
        assert_eq!(features(small), once);
    }

    /// The four tallies count what one would, whatever the length (the remainder included).
    #[test]
    fn packed_sets_keep_their_lists_in_order() {
        let lists: FeatureSets = vec![[1, 2].into(), [].into(), [3].into(), [4, 5, 6].into()];
        let mut packed = PackedSets::from(lists.clone());
        assert_eq!(packed.len(), 4);
        for (i, l) in lists.iter().enumerate() {
            assert_eq!(packed.get(i), &l[..]);
        }
        packed.extend([Box::from([7u64])]);
        assert_eq!(packed.get(4), [7]);
        // The first, an empty one and the last go; the others move up, in place.
        packed.retain(|i| i == 2 || i == 3);
        assert_eq!((packed.len(), packed.get(0), packed.get(1)), (2, &[3u64][..], &[4, 5, 6][..]));
        packed.retain(|_| false);
        assert!(packed.is_empty());
        // Rejected records take their pivot features with them, however they are held.
        let mut boxed = lists.clone();
        crate::batch::PerRecord::keep(&mut boxed, |i| i != 1);
        let mut packed = PackedSets::from(lists);
        crate::batch::PerRecord::keep(&mut packed, |i| i != 1);
        assert_eq!(packed, PackedSets::from(boxed));
    }

    #[test]
    fn dominant_script_counts_every_feature() {
        let one_tally = |features: &[u64]| {
            let mut counts = [0u32; crate::shingle::SCRIPT_CLASSES];
            features.iter().for_each(|&f| counts[crate::shingle::script_class(f)] += 1);
            counts[0] = 0;
            let best = (1..counts.len()).max_by_key(|&k| (counts[k], std::cmp::Reverse(k)));
            best.filter(|&k| counts[k] > 0).unwrap_or(0) as u8
        };
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut scripts = std::collections::BTreeSet::new();
        for len in 0..200 {
            let f: Vec<u64> = (0..len)
                .map(|i| {
                    let x = xorshift(&mut x);
                    // Runs of one script, as in a text, with a few others among them.
                    if i % 5 == 0 { x } else { x >> 3 | (len as u64 % 3) << 61 }
                })
                .collect();
            let script = dominant_script(&f);
            assert_eq!(script, one_tally(&f), "{len} features");
            scripts.insert(script);
        }
        assert!(scripts.len() > 1, "the sets differ in their scripts: {scripts:?}");
    }

    #[test]
    fn set_hash_is_the_xxh3_of_the_features_bytes() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in 0..=100 {
            let f: Vec<u64> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    x
                })
                .collect();
            let bytes: Vec<u8> = f.iter().flat_map(|x| x.to_le_bytes()).collect();
            let want = xxhash_rust::xxh3::xxh3_64(&bytes);
            assert_eq!(set_hash(&f), want, "{len} features");
            assert_eq!(set_hash_streamed(&f), want, "{len} features, streamed");
        }
    }
}
