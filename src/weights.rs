//! Feature weights from the collection itself: inverse document frequency.
//!
//! In news, the words every story shares (`said`, `olympics`, `رئيس`) carry no evidence that two
//! reports are the same story; the rare ones (names, places, figures) do. Weighting each shingle by
//! `ln(1 + N / df)` makes both the signatures (weighted MinHash) and the verified score (weighted
//! Jaccard) count rare shingles more. On the OG2021 headlines this is the largest single gain for
//! Arabic (see `EVALUATION.md`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use crate::shingle::{SCRIPT_CLASSES, is_number_feature, script_class};

/// A hasher for keys that are already well-mixed hashes (features) or small integers: one
/// multiply instead of SipHash, and no random state, so maps behave the same on every run.
/// Short strings (record ids) are hashed a byte at a time (FNV-1a).
#[derive(Debug, Default, Clone, Copy)]
pub struct FeatureHasher(u64);

impl Hasher for FeatureHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x ^ (x >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    #[inline]
    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64);
    }

    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by features (or node numbers, or record ids), with [`FeatureHasher`].
pub type FeatureMap<K, V> = HashMap<K, V, BuildHasherDefault<FeatureHasher>>;

/// Shards of a [`Sharded`] map.
const SHARDS: usize = 256;

/// The shard of a feature: bits 32–39 of its hash (below the script tag in the top bits; number
/// features, below 2³², all go to shard 0, and there are few of them).
#[inline]
fn shard_of(f: u64) -> usize {
    (f >> 32) as usize % SHARDS
}

/// A map from features, split into shards by bits of the feature: each shard is built on its
/// own, in parallel, and small enough to stay in cache while it is built. One map of the
/// 5.6 million word 3-grams of the 31k articles took 1.7 s to count, nearly all of it cache
/// misses, and its two per-thread halves were merged on one thread.
#[derive(Debug, Clone)]
pub struct Sharded<V> {
    shards: Vec<FeatureMap<u64, V>>,
}

impl<V> Default for Sharded<V> {
    fn default() -> Self {
        Sharded { shards: (0..SHARDS).map(|_| FeatureMap::default()).collect() }
    }
}

impl<V> Sharded<V> {
    /// The value of `f`, if it has one.
    #[inline]
    pub fn get(&self, f: u64) -> Option<&V> {
        self.shards[shard_of(f)].get(&f)
    }

    /// Number of features with a value.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|m| m.len()).sum()
    }

    /// True when no feature has a value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<V> FromIterator<(u64, V)> for Sharded<V> {
    fn from_iter<I: IntoIterator<Item = (u64, V)>>(iter: I) -> Self {
        let mut s = Sharded::default();
        for (f, v) in iter {
            s.shards[shard_of(f)].insert(f, v);
        }
        s
    }
}

impl<V> IntoIterator for Sharded<V> {
    type Item = (u64, V);
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<FeatureMap<u64, V>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.shards.into_iter().flatten()
    }
}

/// Document frequencies of features over a collection.
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    docs: u64,
    /// Per script class: documents holding at least one feature of that class.
    class_docs: [u64; SCRIPT_CLASSES],
    df: Sharded<u32>,
}

impl DocFreq {
    /// Counts, for each feature, the number of sets holding it (each set is deduplicated).
    ///
    /// Each block of sets first deals its features out by shard; then each shard is counted
    /// on its own, from every block's share of it. The shards are done a part at a time, so
    /// that the dealt features held at once are a part of the collection's: a quarter, or
    /// about `PASS_FEATURES` in a large collection (a quarter of the 1M replay's 100 million
    /// pivot features, dealt at once, were 0.2 GB at its pivot stage's peak).
    pub fn from_sets<S: AsRef<[u64]> + Sync>(sets: &[S]) -> Self {
        let features: usize = sets.iter().map(|s| s.as_ref().len()).sum();
        let passes = features.div_ceil(PASS_FEATURES).clamp(4, SHARDS).next_power_of_two();
        let mut shards: Vec<FeatureMap<u64, u32>> = Vec::with_capacity(SHARDS);
        for pass in 0..passes {
            let first = pass * SHARDS / passes;
            shards.extend(count_by_shard(sets.len(), SHARDS / passes, |k, by_shard| {
                for &f in sets[k].as_ref() {
                    if let Some(list) = by_shard.get_mut(shard_of(f).wrapping_sub(first)) {
                        list.push(f);
                    }
                }
            }));
        }
        let df = Sharded { shards };
        let class_docs = class_docs(sets);
        DocFreq { docs: sets.len() as u64, class_docs, df }
    }

    /// Counts, for each feature, the stories holding it: `story[k]` names the story of set `k`
    /// (any numbering); a story is the union of its sets' features, and `N` (per script class)
    /// is the number of stories. A word that every report of one story repeats is then as rare
    /// as the story, not as common as its reports are many: document frequencies over documents
    /// make the defining words of a big story weigh less the more it is reported.
    pub fn over_stories<S: AsRef<[u64]> + Sync>(sets: &[S], story: &[u32]) -> Self {
        debug_assert_eq!(sets.len(), story.len());
        let mut order: Vec<u32> = (0..sets.len() as u32).collect();
        order.sort_by_key(|&k| story[k as usize]);
        let runs: Vec<&[u32]> =
            order.chunk_by(|&a, &b| story[a as usize] == story[b as usize]).collect();
        let unions: Vec<std::borrow::Cow<'_, [u64]>> = runs
            .par_iter()
            .map(|run| match run {
                [k] => std::borrow::Cow::Borrowed(sets[*k as usize].as_ref()),
                _ => {
                    let mut u: Vec<u64> =
                        run.iter().flat_map(|&k| sets[k as usize].as_ref()).copied().collect();
                    u.sort_unstable();
                    u.dedup();
                    std::borrow::Cow::Owned(u)
                }
            })
            .collect();
        Self::from_sets(&unions)
    }

    /// From counts made elsewhere: the number of sets, the sets holding each script class, and
    /// each feature's count (the distributed job sums its workers' counts into these).
    pub fn from_parts(docs: u64, class_docs: [u64; SCRIPT_CLASSES], df: Sharded<u32>) -> Self {
        DocFreq { docs, class_docs, df }
    }

    /// The counts [`DocFreq::from_parts`] takes: sets, sets per script class, per-feature counts
    /// (a distributed run sends a worker's counts to be summed).
    pub fn into_parts(self) -> (u64, [u64; SCRIPT_CLASSES], Sharded<u32>) {
        (self.docs, self.class_docs, self.df)
    }

    /// Number of documents counted.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Number of documents holding `f` (0 if unseen).
    pub fn df(&self, f: u64) -> u32 {
        self.df.get(f).copied().unwrap_or(0)
    }

    /// IDF weight of `f`: `ln(1 + (N − df + ½) / (df + ½))`, the probabilistic IDF of Robertson
    /// and Spärck Jones as BM25 implementations (Lucene) smooth it, so it stays positive. An
    /// unseen feature counts as seen once.
    ///
    /// Against `ln(1 + N/df)` it weighs features common to much of the collection down to
    /// almost nothing, which is what a story-level comparison wants of `olympics` in a file
    /// about the Olympics; against the unsmoothed `ln((N − df + ½)/(df + ½))` it keeps shared
    /// words alive in small collections (three texts, two of which share a word).
    ///
    /// `N` is the number of documents written in the feature's script (see
    /// [`script_class`]), so Arabic shingles are weighed against Arabic documents even in a
    /// collection that is mostly English.
    pub fn idf(&self, f: u64) -> f32 {
        self.idf_of(f, self.df(f))
    }

    fn idf_of(&self, f: u64, df: u32) -> f32 {
        idf_weight(self.class_docs[script_class(f)], df)
    }

    /// Per script class (see [`script_class`]): documents holding a feature of that class.
    pub fn class_docs(&self) -> [u64; SCRIPT_CLASSES] {
        self.class_docs
    }
}

/// The IDF weight of a feature found in `df` of the `class_docs` documents written in its
/// script (see [`DocFreq::idf`]); the persistent index calls it with its stored counts.
pub fn idf_weight(class_docs: u64, df: u32) -> f32 {
    let df = df.max(1) as f64;
    let n = (class_docs as f64).max(df);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln().max(MIN_WEIGHT as f64) as f32
}

impl DocFreq {
    /// The IDF of every feature seen ([`DocFreq::idf`]), computed once (a run looks each feature
    /// up in every document that has it) and written over the counts, in their own table: a
    /// second table beside them cost a run as much memory again, and the time to build it.
    pub fn into_idf(self) -> IdfTable {
        let DocFreq { class_docs, mut df, .. } = self;
        df.shards.par_iter_mut().for_each(|shard| {
            for (&f, v) in shard.iter_mut() {
                *v = idf_weight(class_docs[script_class(f)], *v).to_bits();
            }
        });
        IdfTable(df)
    }
}

/// The IDF weight of each feature of a collection (see [`DocFreq::into_idf`]).
#[derive(Debug, Clone, Default)]
pub struct IdfTable(Sharded<u32>);

impl IdfTable {
    /// The IDF weight of `f`, if the collection holds it.
    #[inline]
    pub fn get(&self, f: u64) -> Option<f32> {
        self.0.get(f).map(|&bits| f32::from_bits(bits))
    }
}

/// The count of each feature that `deal(k, lists)` puts into `lists` (one per shard, `width`
/// of them) for each set `k` of `n`: the sets are dealt a block at a time in parallel, then
/// each shard is counted on its own, from every block's share of it, and its lists freed.
fn count_by_shard(
    n: usize,
    width: usize,
    deal: impl Fn(usize, &mut [Vec<u64>]) + Sync,
) -> Vec<FeatureMap<u64, u32>> {
    let block = n.div_ceil(4 * rayon::current_num_threads()).max(1);
    let dealt: Vec<Vec<Vec<u64>>> = (0..n.div_ceil(block))
        .into_par_iter()
        .map(|b| {
            let mut by_shard = vec![Vec::new(); width];
            for k in b * block..((b + 1) * block).min(n) {
                deal(k, &mut by_shard);
            }
            by_shard
        })
        .collect();
    let mut lists: Vec<Vec<Vec<u64>>> = (0..width).map(|_| Vec::new()).collect();
    for by_shard in dealt {
        for (k, list) in by_shard.into_iter().enumerate() {
            lists[k].push(list);
        }
    }
    lists
        .into_par_iter()
        .map(|lists| {
            let mut m: FeatureMap<u64, u32> = FeatureMap::default();
            for f in lists.into_iter().flatten() {
                *m.entry(f).or_insert(0) += 1;
            }
            m
        })
        .collect()
}

/// Per script class (see [`script_class`]): the sets holding a feature of that class.
fn class_docs<S: AsRef<[u64]> + Sync>(sets: &[S]) -> [u64; SCRIPT_CLASSES] {
    sets.par_iter()
        .map(|s| {
            let mut present = [0u64; SCRIPT_CLASSES];
            for &f in s.as_ref() {
                present[script_class(f)] = 1;
            }
            present
        })
        .reduce(
            || [0u64; SCRIPT_CLASSES],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// Features a pass of [`coded_weights`] counts, about.
const PASS_FEATURES: usize = 8 << 20;

/// The IDF weight ([`DocFreq::idf`] over `sets` themselves) of every feature of every set, as
/// a 16-bit code into a [`Palette`] of the distinct weights, per set parallel to its features;
/// `None` when there are more than `limit` distinct weights (then the sets need one `f32` a
/// feature). Number features weigh [`MIN_WEIGHT`]. A feature that one set alone holds gets
/// its script class's code for that ([`Palette::is_unshared`]).
///
/// A weight is a function of a feature's document frequency (and script), and a collection of
/// `T` feature occurrences has fewer than `√(2T)` distinct frequencies per script, since each
/// frequency `d` takes `d` occurrences: about 23,000 for the 270 million features of a million
/// articles. Sets that store a code instead of their weight hold 10 bytes a feature instead of
/// 12 and score exactly the same.
///
/// The features are counted and coded one range of values at a time, each range holding about
/// eight million of them: each set's features are sorted, so a range's are a run of it,
/// which starts where the last range's ended. What a pass holds (its features dealt by shard,
/// and their counts) is a part of the collection's, where one table of every feature's count
/// held about 0.9 GB at a million articles beside the sets; and the lookups that write the
/// codes read a table small enough to stay in cache.
pub fn coded_weights<S: AsRef<[u64]> + Sync>(
    sets: &[S],
    limit: usize,
) -> Option<(Vec<Box<[u16]>>, Palette)> {
    coded_weights_in(sets, limit, PASS_FEATURES)
}

/// [`coded_weights`], counting about `pass_features` features a pass.
fn coded_weights_in<S: AsRef<[u64]> + Sync>(
    sets: &[S],
    limit: usize,
    pass_features: usize,
) -> Option<(Vec<Box<[u16]>>, Palette)> {
    let class_docs = class_docs(sets);
    let block = sets.len().div_ceil(4 * rayon::current_num_threads()).max(1);
    // Pass bounds from a histogram of the features' top 16 bits (number features, the
    // smallest values, are left out: their code is MIN_WEIGHT's, 0).
    let top = |f: u64| (f >> 48) as usize;
    let histogram = sets
        .par_chunks(block)
        .map(|chunk| {
            let mut h = vec![0usize; 1 << 16];
            for s in chunk {
                for &f in s.as_ref().iter().filter(|&&f| !is_number_feature(f)) {
                    h[top(f)] += 1;
                }
            }
            h
        })
        .reduce(|| vec![0; 1 << 16], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect());
    let mut ends = Vec::new();
    let mut held = 0;
    for (t, &n) in histogram.iter().enumerate() {
        held += n;
        if held >= pass_features || t + 1 == histogram.len() {
            ends.push(t + 1);
            held = 0;
        }
    }
    // Code 0 is MIN_WEIGHT's; then one code per script class for the weight of a feature that
    // one set alone holds (see `Palette::is_unshared`), named in the counts by a mark that no
    // weight's bits are (a NaN's).
    let mut palette = vec![MIN_WEIGHT];
    let mut code_of: FeatureMap<u32, u16> = [(MIN_WEIGHT.to_bits(), 0)].into_iter().collect();
    for (class, &docs) in class_docs.iter().enumerate() {
        code_of.insert(UNSHARED_MARK + class as u32, palette.len() as u16);
        palette.push(idf_weight(docs, 1));
    }
    let mut codes: Vec<Box<[u16]>> =
        sets.par_iter().map(|s| vec![0u16; s.as_ref().len()].into_boxed_slice()).collect();
    let mut from: Vec<u32> = sets
        .par_iter()
        .map(|s| s.as_ref().partition_point(|&f| is_number_feature(f)) as u32)
        .collect();
    for end in ends {
        // This pass's run of each set.
        let to: Vec<u32> = sets
            .par_iter()
            .zip(&from)
            .map(|(s, &i)| {
                let s = s.as_ref();
                (i as usize + s[i as usize..].partition_point(|&f| top(f) < end)) as u32
            })
            .collect();
        let run = |k: usize| &sets[k].as_ref()[from[k] as usize..to[k] as usize];
        let mut shards = count_by_shard(sets.len(), SHARDS, |k, by_shard| {
            for &f in run(k) {
                by_shard[shard_of(f)].push(f);
            }
        });
        // Counts to weights, weights to codes (new weights join the palette in order).
        shards.par_iter_mut().for_each(|shard| {
            for (&f, v) in shard.iter_mut() {
                let class = script_class(f);
                *v = match *v {
                    1 => UNSHARED_MARK + class as u32,
                    df => idf_weight(class_docs[class], df).to_bits(),
                };
            }
        });
        let mut new: Vec<u32> = shards
            .par_iter()
            .flat_map_iter(|m| m.values().copied().filter(|bits| !code_of.contains_key(bits)))
            .collect();
        new.par_sort_unstable();
        new.dedup();
        if palette.len() + new.len() > limit {
            return None;
        }
        for bits in new {
            code_of.insert(bits, palette.len() as u16);
            palette.push(f32::from_bits(bits));
        }
        shards.par_iter_mut().for_each(|shard| {
            for v in shard.values_mut() {
                *v = u32::from(code_of[v]);
            }
        });
        codes.par_iter_mut().enumerate().for_each(|(k, codes)| {
            let at = from[k] as usize;
            for (c, f) in codes[at..to[k] as usize].iter_mut().zip(run(k)) {
                *c = shards[shard_of(*f)][f] as u16;
            }
        });
        from = to;
    }
    Some((codes, Palette(Arc::new(palette))))
}

/// What [`coded_weights`] counts a feature that one set alone holds as, its script class
/// added: the bits of a NaN, which no weight is.
const UNSHARED_MARK: u32 = 0xFFFF_FF00;

/// The distinct weights of a collection, each named by its place (a 16-bit code); shared by
/// every set weighed with it (see [`coded_weights`]). The weight of a feature that one set
/// alone holds has codes of its own, one per script class ([`Palette::is_unshared`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Palette(Arc<Vec<f32>>);

impl Palette {
    /// The weight a code names.
    #[inline]
    pub fn weight(&self, code: u16) -> f32 {
        self.0[code as usize]
    }

    /// Whether the code is that of a feature one set alone holds: one no score between two
    /// sets of the collection meets.
    #[inline]
    pub fn is_unshared(code: u16) -> bool {
        (1..=SCRIPT_CLASSES as u16).contains(&code)
    }
}

/// The smallest weight a feature gets.
pub const MIN_WEIGHT: f32 = 0.01;

/// How features are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    /// Every feature weighs 1 (classic MinHash and Jaccard).
    Uniform,
    /// Inverse document frequency over the collection being processed.
    Idf,
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    proptest! {
        /// Features from every shard, number features among them, and several in one shard.
        #[test]
        fn sharded_counts_are_the_document_frequencies(
            sets in proptest::collection::vec(
                proptest::collection::btree_set(
                    prop_oneof![0u64..50, any::<u64>(), (0u64..64).prop_map(|k| k << 32 | 7)],
                    0..40,
                ),
                0..60,
            )
        ) {
            let sets: Vec<Vec<u64>> = sets.into_iter().map(|s| s.into_iter().collect()).collect();
            let mut naive: std::collections::HashMap<u64, u32> = Default::default();
            for s in &sets {
                for &f in s {
                    *naive.entry(f).or_default() += 1;
                }
            }
            let df = DocFreq::from_sets(&sets);
            prop_assert_eq!(df.docs(), sets.len() as u64);
            prop_assert_eq!(df.df.len(), naive.len());
            for (&f, &n) in &naive {
                prop_assert_eq!(df.df(f), n);
            }
            let (docs, classes, counts) = df.clone().into_parts();
            let back = DocFreq::from_parts(docs, classes, counts.into_iter().collect());
            for &f in naive.keys() {
                prop_assert_eq!(back.idf(f), df.idf(f));
            }
            // The table written over the counts holds every feature's weight, and no other.
            let idf = df.clone().into_idf();
            for &f in naive.keys() {
                prop_assert_eq!(idf.get(f), Some(df.idf(f)));
            }
            let unseen = (0u64..).find(|f| !naive.contains_key(f)).unwrap_or(0);
            prop_assert_eq!(idf.get(unseen), None);
        }
    }

    proptest! {
        /// Over stories, a feature counts once per story holding it, `N` is the number of
        /// stories, and stories of one set each count as that set does.
        #[test]
        fn story_frequencies_count_each_story_once(
            sets in proptest::collection::vec(
                proptest::collection::btree_set(prop_oneof![0u64..30, any::<u64>()], 0..20),
                0..40,
            ),
            labels in proptest::collection::vec(0u32..8, 40),
        ) {
            let sets: Vec<Vec<u64>> = sets.into_iter().map(|s| s.into_iter().collect()).collect();
            let story = &labels[..sets.len()];
            let mut unions: std::collections::BTreeMap<u32, std::collections::BTreeSet<u64>> =
                Default::default();
            for (s, &l) in sets.iter().zip(story) {
                unions.entry(l).or_default().extend(s);
            }
            let unions: Vec<Vec<u64>> = unions.into_values().map(|u| u.into_iter().collect()).collect();
            let want = DocFreq::from_sets(&unions);
            let got = DocFreq::over_stories(&sets, story);
            prop_assert_eq!(got.docs(), unions.len() as u64);
            prop_assert_eq!(got.class_docs(), want.class_docs());
            for &f in sets.iter().flatten() {
                prop_assert_eq!(got.df(f), want.df(f));
                prop_assert_eq!(got.idf(f), want.idf(f));
            }
            // Each set its own story: the document frequencies.
            let alone: Vec<u32> = (0..sets.len() as u32).collect();
            let docs = DocFreq::from_sets(&sets);
            let over = DocFreq::over_stories(&sets, &alone);
            for &f in sets.iter().flatten() {
                prop_assert_eq!(over.df(f), docs.df(f));
            }
        }
    }

    #[test]
    fn a_word_every_report_of_a_story_repeats_weighs_as_the_story_s() {
        // Four reports of one story share feature 7; three other stories hold 8 once each.
        let sets: Vec<Vec<u64>> = vec![
            vec![1, 7],
            vec![2, 7],
            vec![3, 7],
            vec![4, 7],
            vec![5, 8],
            vec![6, 8],
            vec![9, 8],
        ];
        let docs = DocFreq::from_sets(&sets);
        assert!(docs.idf(7) < docs.idf(8), "over documents, the story's word is the commoner");
        let stories = DocFreq::over_stories(&sets, &[0, 0, 0, 0, 1, 2, 3]);
        assert_eq!((stories.docs(), stories.df(7), stories.df(8)), (4, 1, 3));
        assert!(stories.idf(7) > stories.idf(8), "over stories, it is the rarer");
    }

    proptest! {
        /// Counted a range at a time (ranges of a few features here, so there are many), the
        /// codes name each feature's weight in the table of every count, number features
        /// MIN_WEIGHT's, and the sets score as the table's do.
        #[test]
        fn coded_weights_are_the_table_s_and_score_the_same(
            sets in proptest::collection::vec(
                proptest::collection::btree_set(
                    prop_oneof![
                        0u64..50,
                        any::<u64>(),
                        (0u64..8, 0u64..64).prop_map(|(c, k)| c << 61 | k << 40 | 9),
                    ],
                    0..40,
                ),
                0..60,
            ),
            pass in 1usize..30,
        ) {
            use crate::verify::{WeightedSet, scores};
            let sets: Vec<Vec<u64>> = sets.into_iter().map(|s| s.into_iter().collect()).collect();
            let (codes, palette) = coded_weights_in(&sets, 1 << 16, pass).expect("few weights");
            let df = DocFreq::from_sets(&sets);
            for (s, c) in sets.iter().zip(&codes) {
                prop_assert_eq!(s.len(), c.len());
                for (&f, &c) in s.iter().zip(c.iter()) {
                    let want = if is_number_feature(f) { MIN_WEIGHT } else { df.idf(f) };
                    prop_assert_eq!(palette.weight(c), want, "{:#x}", f);
                    let unshared = !is_number_feature(f) && df.df(f) == 1;
                    prop_assert_eq!(Palette::is_unshared(c), unshared, "{:#x}", f);
                }
            }
            let counts = df.clone();
            let df_of = |f: u64| counts.df(f);
            let table = df.into_idf();
            let plain: Vec<WeightedSet> = sets
                .iter()
                .map(|s| WeightedSet::new(s.clone().into(), |x| table.get(x).unwrap_or(1.0)))
                .collect();
            let small: Vec<WeightedSet> = sets
                .iter()
                .zip(codes)
                .map(|(s, c)| WeightedSet::coded(s.clone().into(), c, &palette))
                .collect();
            prop_assert_eq!(&plain, &small);
            for (a, b) in [(0, 1), (3, 16), (12, 25), (7, 7)] {
                if b < sets.len() {
                    prop_assert_eq!(scores(&plain[a], &plain[b]), scores(&small[a], &small[b]));
                }
            }
            // Without the features one set alone holds, every set scores against every set
            // (itself too) as it did, and counts as many features; a set keeps those another
            // holds and its number features.
            let mut forgot = small.clone();
            forgot.iter_mut().for_each(WeightedSet::forget_unshared);
            for (i, (s, f)) in small.iter().zip(&forgot).enumerate() {
                prop_assert_eq!(scores(s, &s.clone()), scores(s, s));
                prop_assert_eq!(s.len(), f.len());
                let kept: Vec<u64> = s
                    .features()
                    .iter()
                    .copied()
                    .filter(|&x| is_number_feature(x) || df_of(x) > 1)
                    .collect();
                prop_assert_eq!(f.features(), &kept[..]);
                for (j, g) in forgot.iter().enumerate() {
                    prop_assert_eq!(scores(f, g), scores(&small[i], &small[j]), "{} {}", i, j);
                }
            }
            // More distinct weights than the codes may name (the palette always holds
            // MIN_WEIGHT and the weights of the unshared features): none.
            let weights = small
                .iter()
                .flat_map(|s| s.features().iter().zip(s.weights().to_vec()))
                .filter(|&(&f, _)| is_number_feature(f) || df_of(f) > 1)
                .map(|(_, w)| w)
                .chain([MIN_WEIGHT]);
            let distinct: std::collections::BTreeSet<u32> = weights.map(f32::to_bits).collect();
            let codes = distinct.len() + SCRIPT_CLASSES;
            prop_assert!(coded_weights_in(&sets, codes - 1, pass).is_none());
            prop_assert!(coded_weights_in(&sets, codes, pass).is_some());
        }
    }

    #[test]
    fn rare_features_weigh_more() {
        let sets = vec![vec![1, 2], vec![1, 3], vec![1, 4], vec![1, 5]];
        let df = DocFreq::from_sets(&sets);
        assert_eq!(df.docs(), 4);
        assert_eq!(df.df(1), 4);
        assert_eq!(df.df(2), 1);
        assert!(df.idf(2) > df.idf(1));
        // In every document: small but not nothing.
        assert!(df.idf(1) > MIN_WEIGHT && df.idf(1) < 0.2, "{}", df.idf(1));
        assert_eq!(df.idf(99), df.idf(2));
        let (idf_1, idf_2) = (df.idf(1), df.idf(2));
        let table = df.into_idf();
        assert_eq!(table.get(2), Some(idf_2));
        assert_eq!(table.get(1), Some(idf_1));
        assert_eq!(table.get(99), None);
    }
}
