//! Feature weights from the collection itself: inverse document frequency.
//!
//! In news, the words every story shares (`said`, `olympics`, `رئيس`) carry no evidence that two
//! reports are the same story; the rare ones (names, places, figures) do. Weighting each shingle by
//! `ln(1 + N / df)` makes both the signatures (weighted MinHash) and the verified score (weighted
//! Jaccard) count rare shingles more. On the OG2021 headlines this is the largest single gain for
//! Arabic (see `EVALUATION.md`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::shingle::{SCRIPT_CLASSES, script_class};

/// A hasher for keys that are already well-mixed hashes (features) or small integers: one
/// multiply instead of SipHash, and no random state, so maps behave the same on every run.
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

/// A hash map keyed by features (or node numbers), with [`FeatureHasher`].
pub type FeatureMap<K, V> = HashMap<K, V, BuildHasherDefault<FeatureHasher>>;

/// Document frequencies of features over a collection.
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    docs: u64,
    /// Per script class: documents holding at least one feature of that class.
    class_docs: [u64; SCRIPT_CLASSES],
    df: FeatureMap<u64, u32>,
}

impl DocFreq {
    /// Counts, for each feature, the number of sets holding it (each set is deduplicated).
    pub fn from_sets<S: AsRef<[u64]> + Sync>(sets: &[S]) -> Self {
        let df = sets
            .par_iter()
            .fold(FeatureMap::default, |mut m: FeatureMap<u64, u32>, s| {
                for &f in s.as_ref() {
                    *m.entry(f).or_insert(0) += 1;
                }
                m
            })
            .reduce(FeatureMap::default, |mut a, b| {
                let (mut big, small) =
                    if a.len() >= b.len() { (a, b) } else { (b, std::mem::take(&mut a)) };
                for (f, c) in small {
                    *big.entry(f).or_insert(0) += c;
                }
                big
            });
        let class_docs = sets
            .par_iter()
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
            );
        DocFreq { docs: sets.len() as u64, class_docs, df }
    }

    /// From counts made elsewhere: the number of sets, the sets holding each script class, and
    /// each feature's count (the distributed job sums its workers' counts into these).
    pub fn from_parts(
        docs: u64,
        class_docs: [u64; SCRIPT_CLASSES],
        df: FeatureMap<u64, u32>,
    ) -> Self {
        DocFreq { docs, class_docs, df }
    }

    /// The counts [`DocFreq::from_parts`] takes: sets, sets per script class, per-feature counts
    /// (a distributed run sends a worker's counts to be summed).
    pub fn into_parts(self) -> (u64, [u64; SCRIPT_CLASSES], FeatureMap<u64, u32>) {
        (self.docs, self.class_docs, self.df)
    }

    /// Number of documents counted.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Number of documents holding `f` (0 if unseen).
    pub fn df(&self, f: u64) -> u32 {
        self.df.get(&f).copied().unwrap_or(0)
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
    /// The IDF of every feature seen, computed once (a run looks each feature up in every
    /// document that has it).
    pub fn idf_table(&self) -> FeatureMap<u64, f32> {
        self.df.iter().map(|(&f, &c)| (f, self.idf_of(f, c))).collect()
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
        let table = df.idf_table();
        assert_eq!(table[&2], df.idf(2));
        assert_eq!(table.len(), 5);
    }
}
