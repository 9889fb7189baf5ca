//! Candidate pairs → exact scores. Nothing joins a story on a signature collision alone.
//!
//! A candidate is scored on the documents' full weighted feature sets, not on the signatures:
//! the estimate from `k` slots has a standard error of `sqrt(J(1−J)/k)` (0.04 at `k = 128`), as
//! wide as the gap between true and false pairs of short headlines.

use std::collections::HashMap;
use std::fmt;

use crate::config::Window;
use crate::shingle::is_number_feature;
use crate::weights::Palette;
use std::str::FromStr;

/// Semantic scores at or below this count nothing in [`combine`]: 0.7, a little under the
/// cosine where USE multilingual v3 pairs reach precision 0.95 on parallel data (about 0.75,
/// stable across sets: `../shared/eval/BASELINES.md`).
pub const SEMANTIC_ZERO: f32 = 0.7;

/// The score clustering uses when both a lexical and a semantic score exist. The semantic
/// score (a cosine-like line alignment in [-1, 1]) is mapped linearly from [`SEMANTIC_ZERO`] (0)
/// to 1 (1), and the pair scores the larger of that and the lexical score: either kind of
/// evidence alone, at its own calibration, can link two documents. (Measured on OG2021 against
/// the lexical score alone: ARI all 0.378 → 0.384, eng 0.511 → 0.512, ara 0.653 → 0.675; a sum
/// or mean of the two merged more false pairs, `EVALUATION.md`.)
///
/// A pivot score ([`pivot_pair`], only for texts in different scripts, already corrected for
/// chance) counts like the other two.
pub fn combine(lexical: f32, pivot: Option<f32>, semantic: Option<f32>) -> f32 {
    let map = |s: f32, zero: f32| ((s - zero) / (1.0 - zero)).clamp(0.0, 1.0);
    let m = semantic.map_or(0.0, |s| map(s, SEMANTIC_ZERO));
    let p = pivot.map_or(0.0, |s| s.clamp(0.0, 1.0));
    lexical.clamp(0.0, 1.0).max(m).max(p)
}

/// Pivot features two texts must share before their pivot score counts: one shared name or
/// word between two short texts (`Latin text` / `Русский текст`) is a coincidence, not a story.
pub const MIN_PIVOT_SHARED: usize = 2;

/// Shared pivot features that two texts in different scripts may have by chance (one topic's
/// names, a common figure): as many as must be shared before the pivot counts at all
/// ([`MIN_PIVOT_SHARED`]). The pivot score counts from `PIVOT_CHANCE / n` (at most 0.5), where
/// `n` is the smaller text's number of pivot features: the score so many shared features would
/// give. A headline of 15 pivot features counts from 0.13, a document of 300 from 0.007; the
/// cut at precision 0.95 runs the same way, 0.19 on OG2021 titles, 0.28 on TICO sentences,
/// 0.08 on NTREX documents.
pub const PIVOT_CHANCE: f32 = MIN_PIVOT_SHARED as f32;

/// A text whose pivot set is this share of the other's size or less is scored by how much of
/// it the other holds (see [`pivot_pair`]).
pub const SHORT_SHARE: usize = 3;

/// The pivot evidence of two pivot sets, or `None` when they share fewer than
/// [`MIN_PIVOT_SHARED`] features: [`pivot_score`], and when one set is a [`SHORT_SHARE`]th of
/// the other's size or less, the larger of that and their containment (a one-sentence report
/// inside a long article), each counted from the chance level of [`PIVOT_CHANCE`].
///
/// In the seed, the English sentence's pivot features are 3–6% contained in unrelated Arabic
/// texts, 20% in an article on the same topic that tells another item, 32% in the article it
/// summarises, whose other paragraphs bring the cosine down to 0.04; from the chance level of
/// its 19 features (0.11) the last counts 0.24, the tweet's (16 features, 0.13) 0.09.
pub fn pivot_pair<S: Scored>(a: &S, b: &S, sim: Similarity) -> Option<f32> {
    let mut shared = 0;
    a.for_shared(b, |_| shared += 1);
    if shared < MIN_PIVOT_SHARED {
        return None;
    }
    let s = scores(a, b);
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    let chance = (PIVOT_CHANCE / short.max(1) as f32).min(0.5);
    let symmetric = ((pivot_score(&s, sim) - chance) / (1.0 - chance)).max(0.0);
    if short * SHORT_SHARE > long {
        return Some(symmetric);
    }
    let contained = ((s.containment as f32 - chance) / (1.0 - chance)).max(0.0);
    Some(symmetric.max(contained))
}

/// The cross-script score of two pivot sets (see [`crate::pivot`]) under the configured
/// similarity `sim`: cosine by default (translations of similar length); with containment, the
/// larger of cosine and containment, so a one-sentence report inside a long article scores by
/// how much of it the article holds.
pub fn pivot_score(s: &Scores, sim: Similarity) -> f32 {
    match sim {
        Similarity::Containment => s.cosine.max(s.containment) as f32,
        Similarity::Jaccard => s.jaccard as f32,
        Similarity::Cosine => s.cosine as f32,
    }
}

/// The share of a lexical score two texts keep when both hold numbers (see
/// [`crate::text::token_number`]: figures, `1st`, number words) and share none of them: "first
/// athlete tests positive" and "second athlete tests positive" are two events in the same
/// words. On the OG2021 headlines: English ARI 0.511 → 0.534, Arabic 0.653 → 0.706, all
/// languages 0.378 → 0.385 (`EVALUATION.md`).
pub const NUMBER_PENALTY: f64 = 0.3;

/// Pairs scoring at least this are near-copies, which the time window does not part: a
/// report reprinted a week later is still a copy of it. (On the OG2021 headlines the window
/// gives the same stories with this at 0.5, 0.7 or 0.9 as with no exemption: story pairs days
/// apart score far below it. In SaudiNewsNet's articles, pairs more than two days apart
/// scoring 0.7–0.8 were mostly one report reprinted (10 of 12 drawn), those at 0.6–0.7 mostly
/// different events in one template (executions, royal cables; 7 of 12); at 0.5 such
/// templates chained into stories weeks long.)
pub const NEAR_COPY: f32 = 0.7;

/// The distinct times (seconds since 1970, ascending) of a node's documents: one for most
/// nodes, more for a node of copies printed on several days.
pub type Times = Box<[i64]>;

/// The distinct times among `times`, ascending (empty when there are none).
pub fn times_of(times: impl IntoIterator<Item = i64>) -> Times {
    let mut t: Vec<i64> = times.into_iter().collect();
    t.sort_unstable();
    t.dedup();
    t.into()
}

/// The least distance in seconds between a time of `a` and one of `b` (both ascending), or
/// `None` when either has none.
pub fn time_gap(a: &[i64], b: &[i64]) -> Option<u64> {
    let (mut i, mut j, mut best) = (0, 0, None::<u64>);
    while i < a.len() && j < b.len() {
        let d = a[i].abs_diff(b[j]);
        best = Some(best.map_or(d, |x| x.min(d)));
        if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    best
}

/// A verified pair's score under the time window: nothing when no time of one document (of
/// any copy, for a node of copies) is within `window` of a time of the other and the pair is
/// not a near-copy ([`NEAR_COPY`]); the score itself when either has no time or there is no
/// window.
pub fn in_window(score: f32, a: &[i64], b: &[i64], window: Option<Window>) -> f32 {
    match (window, time_gap(a, b)) {
        (Some(w), Some(gap)) if score < NEAR_COPY && gap > w.seconds() => 0.0,
        _ => score,
    }
}

/// `times` with the times of `copies` (near-copies of the same document) added: a near-copy is
/// read as printed when its copy was too, as a node of exact copies is ([`times_of`]). A
/// document without a time stays without: nothing parts it, copies or not.
pub fn with_copies<'a>(times: &[i64], copies: impl IntoIterator<Item = &'a [i64]>) -> Times {
    if times.is_empty() {
        return Times::default();
    }
    times_of(times.iter().copied().chain(copies.into_iter().flatten().copied()))
}

/// Each node's times with those its near-copies among `edges` lend it ([`with_copies`]), for
/// the nodes that have near-copies; the others keep their own.
fn lent_times(edges: &[(u32, u32, f32)], times: &[Times]) -> HashMap<u32, Times> {
    let mut copies: Vec<(u32, u32)> =
        edges.iter().filter(|e| e.2 >= NEAR_COPY).flat_map(|&(a, b, _)| [(a, b), (b, a)]).collect();
    copies.sort_unstable();
    copies
        .chunk_by(|x, y| x.0 == y.0)
        .map(|c| {
            let x = c[0].0;
            (x, with_copies(&times[x as usize], c.iter().map(|&(_, y)| &times[y as usize][..])))
        })
        .collect()
}

/// Verified edges `(a, b, score)` between nodes with `times` under the time window
/// ([`in_window`]), those it parts removed. A node's near-copies lend it their times
/// ([`with_copies`]): a report reprinted a month later joins its story through its copy, and the
/// story's other reports are then as near it as they are to the copy (with its own times only,
/// their zeros to it would outvote the copy and could push them out of their own story).
///
/// Returns the lent times (none without a window), for pairs scored apart from `edges`.
pub fn window_edges(
    edges: &mut Vec<(u32, u32, f32)>,
    times: &[Times],
    window: Option<Window>,
) -> HashMap<u32, Times> {
    if window.is_none() || times.is_empty() {
        return HashMap::new();
    }
    let lent = lent_times(edges, times);
    let times_at = |n: u32| lent.get(&n).unwrap_or(&times[n as usize]);
    for e in edges.iter_mut() {
        e.2 = in_window(e.2, times_at(e.0), times_at(e.1), window);
    }
    edges.retain(|e| e.2 > 0.0);
    lent
}

/// The lexical score of two weighted sets under `sim`, less [`NUMBER_PENALTY`] of it when both
/// hold number features and share none.
pub fn lexical(a: &WeightedSet, b: &WeightedSet, sim: Similarity) -> f64 {
    let s = scores(a, b).get(sim);
    fn nums(x: &WeightedSet) -> &[u64] {
        &x.features[..x.features.partition_point(|&f| is_number_feature(f))]
    }
    let (na, nb) = (nums(a), nums(b));
    if na.is_empty() || nb.is_empty() || na.iter().any(|f| nb.binary_search(f).is_ok()) {
        s
    } else {
        s * (1.0 - NUMBER_PENALTY)
    }
}

/// Number of values two sorted, distinct lists both hold.
pub fn sorted_overlap(a: &[u64], b: &[u64]) -> usize {
    let mut n = 0;
    for_common(a, b, |_| n += 1);
    n
}

/// Walks two sorted, distinct lists together and calls `common(i)` for each `a[i]` that `b`
/// also holds, in increasing `i`.
///
/// Where the CPU has AVX2 (asked at run time, so a binary built for any x86-64 uses it), four
/// values of each list are compared at once, all sixteen pairs in four vector comparisons, and
/// the block with the smaller last value moves on (eight values and eight comparisons with
/// AVX-512); the rest is merged one value at a time.
#[inline]
fn for_common(a: &[u64], b: &[u64], common: impl FnMut(usize)) {
    for_common_by(Blocks::detect(), a, b, common);
}

/// The widest block comparison the CPU offers (see [`for_common`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blocks {
    /// One value at a time.
    None,
    /// Four at a time (AVX2).
    #[cfg(target_arch = "x86_64")]
    Four,
    /// Eight at a time (AVX-512F).
    #[cfg(target_arch = "x86_64")]
    Eight,
}

impl Blocks {
    #[inline]
    fn detect() -> Blocks {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Blocks::Eight;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Blocks::Four;
            }
        }
        Blocks::None
    }
}

/// [`for_common`] with the blocks of `blocks` (which the CPU must have).
#[inline]
fn for_common_by(blocks: Blocks, a: &[u64], b: &[u64], mut common: impl FnMut(usize)) {
    let (i, j, mut pending) = match blocks {
        Blocks::None => (0, 0, 0),
        // SAFETY: `Blocks::detect` found AVX-512F.
        #[cfg(target_arch = "x86_64")]
        Blocks::Eight => unsafe { common_blocks_avx512(a, b, &mut common) },
        // SAFETY: `Blocks::detect` found AVX2.
        #[cfg(target_arch = "x86_64")]
        Blocks::Four => unsafe { common_blocks_avx2(a, b, &mut common) },
    };
    // `pending` holds the matches of the block of `a` at `i` found in the blocks of `b` before
    // `j`; they are reported in their place among the merge's, so the order stays increasing.
    merge_from(a, b, i, j, |x| {
        while pending != 0 && i + (pending.trailing_zeros() as usize) < x {
            common(i + pending.trailing_zeros() as usize);
            pending &= pending - 1;
        }
        common(x);
    });
    while pending != 0 {
        common(i + pending.trailing_zeros() as usize);
        pending &= pending - 1;
    }
}

/// The scalar merge of [`for_common`] (and of two [`IndexedSet`]s), from `a[i..]` and `b[j..]`.
/// Which list moves on is computed, not branched on: the order of two lists of hashes is
/// random, and a merge that branched on each comparison mispredicted about every other step.
#[inline]
fn merge_from<T: Copy + Ord>(
    a: &[T],
    b: &[T],
    mut i: usize,
    mut j: usize,
    mut common: impl FnMut(usize),
) {
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            common(i);
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
}

/// The block merge of [`for_common`], blocks of `W` values: runs while both lists have `W`
/// values left from `i` and `j`; `same(i, j)` says which of `a[i..i + W]` are in `b[j..j + W]`
/// (bit `k` for `a[i + k]`). Reports the matches of each block of `a` once it is done with it,
/// and returns where it stopped with the matches already found for the block of `a` it stopped
/// on.
///
/// Every match is found exactly once: a block of `a` moves on only when its last value is at
/// most that of the block of `b` it is compared with, so no later block of `b` can hold one of
/// its values (and the same the other way round).
#[inline(always)]
fn common_blocks<const W: usize>(
    a: &[u64],
    b: &[u64],
    common: &mut impl FnMut(usize),
    same: impl Fn(usize, usize) -> u32,
) -> (usize, usize, u32) {
    let (mut i, mut j, mut pending) = (0, 0, 0u32);
    while i + W <= a.len() && j + W <= b.len() {
        pending |= same(i, j);
        let (last_a, last_b) = (a[i + W - 1], b[j + W - 1]);
        if last_a <= last_b {
            while pending != 0 {
                common(i + pending.trailing_zeros() as usize);
                pending &= pending - 1;
            }
            i += W;
        }
        if last_b <= last_a {
            j += W;
        }
    }
    (i, j, pending)
}

/// [`common_blocks`] of four: all sixteen pairs in four comparisons of `b`'s block rotated.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn common_blocks_avx2(
    a: &[u64],
    b: &[u64],
    common: &mut impl FnMut(usize),
) -> (usize, usize, u32) {
    use std::arch::x86_64::*;
    common_blocks::<4>(a, b, common, |i, j| {
        // SAFETY: `common_blocks` asks for blocks inside the lists; unaligned loads.
        let (va, vb) = unsafe {
            (
                _mm256_loadu_si256(a.as_ptr().add(i).cast()),
                _mm256_loadu_si256(b.as_ptr().add(j).cast()),
            )
        };
        let eq = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_cmpeq_epi64(va, vb),
                _mm256_cmpeq_epi64(va, _mm256_permute4x64_epi64::<0b00_11_10_01>(vb)),
            ),
            _mm256_or_si256(
                _mm256_cmpeq_epi64(va, _mm256_permute4x64_epi64::<0b01_00_11_10>(vb)),
                _mm256_cmpeq_epi64(va, _mm256_permute4x64_epi64::<0b10_01_00_11>(vb)),
            ),
        );
        _mm256_movemask_pd(_mm256_castsi256_pd(eq)) as u32
    })
}

/// [`common_blocks`] of eight: all sixty-four pairs in eight comparisons.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn common_blocks_avx512(
    a: &[u64],
    b: &[u64],
    common: &mut impl FnMut(usize),
) -> (usize, usize, u32) {
    use std::arch::x86_64::*;
    common_blocks::<8>(a, b, common, |i, j| {
        // SAFETY: `common_blocks` asks for blocks inside the lists; unaligned loads.
        let (va, vb) = unsafe {
            (
                _mm512_loadu_si512(a.as_ptr().add(i).cast()),
                _mm512_loadu_si512(b.as_ptr().add(j).cast()),
            )
        };
        let eq = _mm512_cmpeq_epi64_mask(va, vb)
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<1>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<2>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<3>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<4>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<5>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<6>(vb, vb))
            | _mm512_cmpeq_epi64_mask(va, _mm512_alignr_epi64::<7>(vb, vb));
        u32::from(eq)
    })
}

/// A document's feature set with its weights, sorted by feature (or, until
/// [`WeightedSet::make_set`], a text's shingles as made: see [`WeightedSet::shingled`]).
#[derive(Debug, Clone, Default)]
pub struct WeightedSet {
    features: Box<[u64]>,
    weights: Weights,
    total: f64,
    total_sq: f64,
    /// Features it no longer holds because no other set of its collection does (see
    /// [`WeightedSet::forget_unshared`]); its length and totals still count them.
    unshared: u32,
}

/// How a [`WeightedSet`] holds its weights, parallel to its features.
#[derive(Debug, Clone, Default)]
enum Weights {
    /// None: every weight is its [`uniform_weight`] (the sets of a run without IDF), which
    /// saves a third of a set's memory.
    #[default]
    Uniform,
    /// None, as `Uniform`, and the features are still a text's shingles as they were made (in
    /// text order, repeats kept), the totals not yet counted: see [`WeightedSet::shingled`].
    Shingled,
    /// One `f32` each.
    Own(Box<[f32]>),
    /// One 16-bit code each, naming a weight in a palette the collection's sets share (see
    /// [`crate::weights::coded_weights`]): a sixth of a set's memory less than `Own`.
    Coded(Box<[u16]>, Palette),
}

/// Two sets are equal when they hold the same features with the same weights, however the
/// weights are held.
impl PartialEq for WeightedSet {
    fn eq(&self, other: &Self) -> bool {
        self.features == other.features
            && self.weights() == other.weights()
            && self.total == other.total
            && self.total_sq == other.total_sq
            && self.unshared == other.unshared
    }
}

/// The sum of `weights` and of their squares, in `f64`, in order (so a set's totals are the
/// same bit for bit however its weights are held).
fn totals(weights: impl Iterator<Item = f32>) -> (f64, f64) {
    weights.fold((0.0, 0.0), |(t, t2), w| {
        let w = f64::from(w);
        (t + w, t2 + w * w)
    })
}

/// [`totals`] of a sorted set's uniform weights: the number features (below 2³¹, so first) one
/// by one, then all the features that weigh 1 in one addition when it is exact, which makes
/// each addition of 1 that `totals` would make exact too, and the result the same. One
/// addition after another was a chain of 3 million dependent adds on the peers' 10k job
/// (4 ms of a 1-thread run).
fn uniform_totals(features: &[u64]) -> (f64, f64) {
    let numbers = features.partition_point(|&f| is_number_feature(f));
    let (total, total_sq) = totals(features[..numbers].iter().map(|&f| uniform_weight(f)));
    let ones = (features.len() - numbers) as f64;
    match (exact_sum(total, ones), exact_sum(total_sq, ones)) {
        (Some(total), Some(total_sq)) => (total, total_sq),
        _ => totals(features.iter().map(|&f| uniform_weight(f))),
    }
}

/// `a + b` when it is exact (Knuth's two-sum finds its rounding error).
fn exact_sum(a: f64, b: f64) -> Option<f64> {
    let sum = a + b;
    let b_part = sum - a;
    let a_part = sum - b_part;
    ((a - a_part) + (b - b_part) == 0.0).then_some(sum)
}

/// A feature's weight without IDF: 1, and [`crate::weights::MIN_WEIGHT`] for a number feature.
#[inline]
fn uniform_weight(f: u64) -> f32 {
    if is_number_feature(f) { crate::weights::MIN_WEIGHT } else { 1.0 }
}

impl WeightedSet {
    /// From sorted, distinct features and a weight for each (number features, which only
    /// verification reads, weigh [`crate::weights::MIN_WEIGHT`] whatever `weight` says).
    pub fn new(features: Box<[u64]>, weight: impl Fn(u64) -> f32) -> Self {
        let weights: Box<[f32]> = features
            .iter()
            .map(|&f| if is_number_feature(f) { crate::weights::MIN_WEIGHT } else { weight(f) })
            .collect();
        Self::from_parts(features, weights)
    }

    /// From sorted, distinct features weighed without IDF (1 each, number features
    /// [`crate::weights::MIN_WEIGHT`]): nothing to store beside them.
    pub fn uniform(features: Box<[u64]>) -> Self {
        let (total, total_sq) = uniform_totals(&features);
        WeightedSet { features, weights: Weights::Uniform, total, total_sq, unshared: 0 }
    }

    /// From a text's shingles as they were made ([`crate::shingle::shingles_into`]: in text
    /// order, repeats kept), weighed without IDF. A signature needs no more (a minimum sees
    /// neither order nor repeats); sorting them into a set and counting its totals wait for
    /// [`WeightedSet::make_set`], which a set must have had before it is compared with another
    /// (most sets of a collection never are). Shingles that already are a set make one at once.
    pub fn shingled(features: Box<[u64]>) -> Self {
        if crate::shingle::is_set(&features) {
            return Self::uniform(features);
        }
        WeightedSet { features, weights: Weights::Shingled, total: 0.0, total_sq: 0.0, unshared: 0 }
    }

    /// False for a [`WeightedSet::shingled`] one not yet [`WeightedSet::make_set`].
    pub fn is_set(&self) -> bool {
        !matches!(self.weights, Weights::Shingled)
    }

    /// Sorts a [`WeightedSet::shingled`] one's features, drops their repeats and counts its
    /// totals: then it is the set [`WeightedSet::uniform`] makes of them (a set is left as it is).
    pub fn make_set(&mut self) {
        if self.is_set() {
            return;
        }
        let mut features = std::mem::take(&mut self.features).into_vec();
        crate::shingle::make_set(&mut features);
        *self = Self::uniform(features.into_boxed_slice());
    }

    /// From sorted, distinct features and the code of each one's weight in `palette` (see
    /// [`crate::weights::coded_weights`]).
    pub fn coded(features: Box<[u64]>, codes: Box<[u16]>, palette: &Palette) -> Self {
        debug_assert_eq!(features.len(), codes.len());
        let (total, total_sq) = totals(codes.iter().map(|&c| palette.weight(c)));
        let weights = Weights::Coded(codes, palette.clone());
        WeightedSet { features, weights, total, total_sq, unshared: 0 }
    }

    /// From sorted, distinct features and their weights as [`WeightedSet::weights`] gives them
    /// (a set sent to another worker and rebuilt there).
    pub fn from_parts(features: Box<[u64]>, weights: Box<[f32]>) -> Self {
        debug_assert_eq!(features.len(), weights.len());
        let (total, total_sq) = totals(weights.iter().copied());
        let uniform = features.iter().zip(&weights).all(|(&f, &w)| w == uniform_weight(f));
        let weights = if uniform { Weights::Uniform } else { Weights::Own(weights) };
        WeightedSet { features, weights, total, total_sq, unshared: 0 }
    }

    /// Drops the features that no other set of its collection holds, which no score with one
    /// of them can meet, once its signature is made: about half the features of a collection
    /// of articles (word 3-grams). The set goes on counting them in its length and totals, so
    /// it scores against every set of its collection as before. Only sets whose weights are
    /// coded know which those are ([`crate::weights::Palette::is_unshared`]); others, and a
    /// set that has forgotten them already, are left as they are.
    pub fn forget_unshared(&mut self) {
        let Weights::Coded(codes, _) = &mut self.weights else { return };
        let Some(first) = codes.iter().position(|&c| Palette::is_unshared(c)) else { return };
        // In place, each set's tail given back where it lies: new lists made beside the old
        // ones raised the 1M replay's peak from 3.83 to 4.05 GB.
        let mut features = std::mem::take(&mut self.features).into_vec();
        let mut kept_codes = std::mem::take(codes).into_vec();
        let mut kept = first;
        for k in first..features.len() {
            if !Palette::is_unshared(kept_codes[k]) {
                (features[kept], kept_codes[kept]) = (features[k], kept_codes[k]);
                kept += 1;
            }
        }
        self.unshared += (features.len() - kept) as u32;
        features.truncate(kept);
        kept_codes.truncate(kept);
        self.features = features.into_boxed_slice();
        *codes = kept_codes.into_boxed_slice();
    }

    /// The weights, parallel to [`WeightedSet::features`].
    pub fn weights(&self) -> std::borrow::Cow<'_, [f32]> {
        match &self.weights {
            Weights::Uniform | Weights::Shingled => {
                self.features.iter().map(|&f| uniform_weight(f)).collect()
            }
            Weights::Own(w) => std::borrow::Cow::Borrowed(w),
            Weights::Coded(c, p) => c.iter().map(|&c| p.weight(c)).collect(),
        }
    }

    /// The features, sorted (a [`WeightedSet::shingled`] one's as made, until
    /// [`WeightedSet::make_set`]; without those [`WeightedSet::forget_unshared`] dropped).
    pub fn features(&self) -> &[u64] {
        &self.features
    }

    /// Weight of the `i`-th feature.
    #[inline]
    pub fn weight(&self, i: usize) -> f32 {
        match &self.weights {
            Weights::Uniform | Weights::Shingled => uniform_weight(self.features[i]),
            Weights::Own(w) => w[i],
            Weights::Coded(c, p) => p.weight(c[i]),
        }
    }

    /// Sum of all weights.
    pub fn total(&self) -> f64 {
        debug_assert!(self.is_set(), "the totals of shingles not yet made a set");
        self.total
    }

    /// Number of features (a [`WeightedSet::shingled`] one's shingles, repeats counted, until
    /// [`WeightedSet::make_set`]; those [`WeightedSet::forget_unshared`] dropped counted).
    pub fn len(&self) -> usize {
        self.features.len() + self.unshared as usize
    }

    /// True for a set with no features.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The features, sorted, taken out of the set (which must not have forgotten any).
    pub fn into_features(mut self) -> Box<[u64]> {
        debug_assert_eq!(self.unshared, 0, "the features of a set that forgot some");
        self.make_set();
        self.features
    }
}

/// What [`scores`] and [`pivot_pair`] read of a weighted set: its size and totals, and the
/// weights of the features it shares with another set of its kind.
pub trait Scored {
    /// Number of features.
    fn len(&self) -> usize;

    /// True for a set with no features.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sum of the weights, and of their squares.
    fn totals(&self) -> (f64, f64);

    /// Calls `common(w)` with the weight of each feature both sets hold, in feature order.
    fn for_shared(&self, other: &Self, common: impl FnMut(f32));
}

impl Scored for WeightedSet {
    fn len(&self) -> usize {
        debug_assert!(self.is_set(), "shingles scored before they were made a set");
        WeightedSet::len(self)
    }

    fn totals(&self) -> (f64, f64) {
        debug_assert!(self.is_set(), "shingles scored before they were made a set");
        (self.total, self.total_sq)
    }

    #[inline]
    fn for_shared(&self, other: &Self, mut common: impl FnMut(f32)) {
        debug_assert!(self.is_set() && other.is_set(), "shingles compared before made sets");
        for_common(&self.features, &other.features, |i| common(self.weight(i)));
    }
}

/// A sorted list of features with a weight each, and the totals of its weights: what
/// [`IndexedSets::new`] reads of a set.
pub trait WeighedList: Sync {
    /// The features, sorted.
    fn features(&self) -> &[u64];
    /// The weight of the `k`-th feature.
    fn weight(&self, k: usize) -> f32;
    /// Its number of features (those it no longer holds counted), the sum of their weights,
    /// and of their squares.
    fn size(&self) -> (usize, f64, f64);
}

impl WeighedList for WeightedSet {
    fn features(&self) -> &[u64] {
        WeightedSet::features(self)
    }

    fn weight(&self, k: usize) -> f32 {
        WeightedSet::weight(self, k)
    }

    fn size(&self) -> (usize, f64, f64) {
        (WeightedSet::len(self), self.total, self.total_sq)
    }
}

/// Features held elsewhere with their weights' codes ([`crate::weights::coded_weights`]): a
/// [`WeightedSet`] of coded weights that does not own its features, for lists packed in one
/// allocation (see [`crate::pipeline::PackedSets`]).
#[derive(Debug, Clone)]
pub struct CodedList<'a> {
    features: &'a [u64],
    codes: Box<[u16]>,
    palette: &'a Palette,
    totals: (f64, f64),
}

impl<'a> CodedList<'a> {
    /// `features` weighed by `codes` (one each) in `palette`; the totals are summed in order, as
    /// [`WeightedSet::coded`] sums them.
    pub fn new(features: &'a [u64], codes: Box<[u16]>, palette: &'a Palette) -> Self {
        debug_assert_eq!(features.len(), codes.len());
        let totals = totals(codes.iter().map(|&c| palette.weight(c)));
        CodedList { features, codes, palette, totals }
    }
}

impl WeighedList for CodedList<'_> {
    fn features(&self) -> &[u64] {
        self.features
    }

    fn weight(&self, k: usize) -> f32 {
        self.palette.weight(self.codes[k])
    }

    fn size(&self) -> (usize, f64, f64) {
        (self.features.len(), self.totals.0, self.totals.1)
    }
}

/// Weighted sets over one sorted vocabulary, each set held as the indices of its features in
/// it (2 bytes a feature while the vocabulary has at most 65,536, else 4, where a
/// [`WeightedSet`] of coded weights takes 10 and two allocations a set), with a weight per
/// vocabulary feature.
///
/// Made from weighted sets of which some are *whole*: those keep every feature, and the others
/// only the features some whole set holds. A set goes on counting what it dropped in its length
/// and totals, so its scores against any whole set ([`scores`], [`pivot_pair`]) are what its
/// full set's were. The pivot stage compares sets only between language groups: the largest
/// group's sets need keep only what another group holds.
#[derive(Debug, Clone, Default)]
pub struct IndexedSets {
    /// The features the whole sets hold, sorted.
    vocab: Box<[u64]>,
    /// The weight of each feature of `vocab`.
    weights: Box<[f32]>,
    /// Set `i`'s indices are `items[starts[i]..starts[i + 1]]`.
    starts: Box<[usize]>,
    items: Items,
    /// Per set: its length and totals, the features it dropped included.
    sizes: Box<[(u32, f64, f64)]>,
}

/// The indices of an [`IndexedSets`]' features in its vocabulary, as narrow as it allows. In the
/// 1M replay (`BENCHMARKS.md`) the Arabic articles keep 53 million indices into the 770 features
/// of 409 texts in Latin script: two bytes each took 80 MB off the run's peak.
#[derive(Debug, Clone)]
enum Items {
    Narrow(Box<[u16]>),
    Wide(Box<[u32]>),
}

impl Default for Items {
    fn default() -> Self {
        Items::Narrow(Box::default())
    }
}

/// The indices of one set's features, a slice of [`Items`].
#[derive(Debug, Clone, Copy)]
enum ItemsOf<'a> {
    Narrow(&'a [u16]),
    Wide(&'a [u32]),
}

impl<'a> ItemsOf<'a> {
    /// The indices, in order.
    fn indices(self) -> impl Iterator<Item = usize> + 'a {
        let (narrow, wide) = match self {
            ItemsOf::Narrow(n) => (n, &[][..]),
            ItemsOf::Wide(w) => (&[][..], w),
        };
        narrow.iter().map(|&k| usize::from(k)).chain(wide.iter().map(|&k| k as usize))
    }
}

/// One set of an [`IndexedSets`].
#[derive(Debug, Clone, Copy)]
pub struct IndexedSet<'a> {
    items: ItemsOf<'a>,
    vocab: &'a [u64],
    weights: &'a [f32],
    len: u32,
    total: f64,
    total_sq: f64,
}

impl IndexedSets {
    /// From `sets`: those `whole(i)` names keep every feature, the others those a whole set
    /// holds. A feature weighs what the first whole set holding it gives it (the sets of one
    /// collection weigh a feature alike).
    pub fn new<S: WeighedList>(sets: &[S], whole: impl Fn(usize) -> bool + Sync) -> Self {
        use rayon::prelude::*;
        let mut held: Vec<(u64, f32)> = sets
            .iter()
            .enumerate()
            .filter(|&(i, _)| whole(i))
            .flat_map(|(_, s)| s.features().iter().enumerate().map(|(k, &f)| (f, s.weight(k))))
            .collect();
        // Stable: the first set's weight of a feature comes first.
        held.par_sort_by_key(|&(f, _)| f);
        held.dedup_by_key(|&mut (f, _)| f);
        let (vocab, weights): (Vec<u64>, Vec<f32>) = held.into_iter().unzip();
        let find = Finder::new(&vocab);
        let counts: Vec<usize> = sets
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                if whole(i) {
                    s.features().len()
                } else {
                    s.features().iter().filter(|&&f| find.index(f).is_some()).count()
                }
            })
            .collect();
        let mut starts = Vec::with_capacity(sets.len() + 1);
        starts.push(0);
        for c in &counts {
            starts.push(starts.last().unwrap() + c);
        }
        /// Each set's indices, in one list of `total` made at once.
        fn fill<I: TryFrom<u32> + Copy + Default + Send + Sync>(
            total: usize,
            counts: &[usize],
            sets: &[impl WeighedList],
            find: &Finder,
        ) -> Box<[I]> {
            let mut items = vec![I::default(); total].into_boxed_slice();
            let mut rest = &mut items[..];
            let mut parts = Vec::with_capacity(sets.len());
            for &c in counts {
                let (part, tail) = std::mem::take(&mut rest).split_at_mut(c);
                parts.push(part);
                rest = tail;
            }
            parts.into_par_iter().zip(sets).for_each(|(part, s)| {
                let found = s.features().iter().filter_map(|&f| find.index(f));
                for (out, k) in part.iter_mut().zip(found) {
                    *out = I::try_from(k).unwrap_or_else(|_| unreachable!("index too wide"));
                }
            });
            items
        }
        let total = *starts.last().unwrap();
        let items = if vocab.len() <= 1 << 16 {
            Items::Narrow(fill(total, &counts, sets, &find))
        } else {
            Items::Wide(fill(total, &counts, sets, &find))
        };
        let sizes = sets
            .iter()
            .map(|s| {
                let (len, total, total_sq) = s.size();
                (len as u32, total, total_sq)
            })
            .collect();
        IndexedSets {
            vocab: vocab.into(),
            weights: weights.into(),
            starts: starts.into(),
            items,
            sizes,
        }
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    /// True when there are no sets.
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// Set `i`.
    pub fn get(&self, i: usize) -> IndexedSet<'_> {
        let (len, total, total_sq) = self.sizes[i];
        let range = self.starts[i]..self.starts[i + 1];
        let items = match &self.items {
            Items::Narrow(n) => ItemsOf::Narrow(&n[range]),
            Items::Wide(w) => ItemsOf::Wide(&w[range]),
        };
        IndexedSet { items, vocab: &self.vocab, weights: &self.weights, len, total, total_sq }
    }
}

impl IndexedSet<'_> {
    /// The features the set kept, sorted.
    pub fn features(&self) -> impl Iterator<Item = u64> + '_ {
        self.items.indices().map(|k| self.vocab[k])
    }

    /// The weights of the features it kept.
    pub fn weights(&self) -> impl Iterator<Item = f32> + '_ {
        self.items.indices().map(|k| self.weights[k])
    }
}

impl Scored for IndexedSet<'_> {
    fn len(&self) -> usize {
        self.len as usize
    }

    fn totals(&self) -> (f64, f64) {
        (self.total, self.total_sq)
    }

    fn for_shared(&self, other: &Self, mut common: impl FnMut(f32)) {
        let weights = &self.weights;
        match (self.items, other.items) {
            (ItemsOf::Narrow(a), ItemsOf::Narrow(b)) if std::ptr::eq(self.vocab, other.vocab) => {
                merge_from(a, b, 0, 0, |i| common(weights[usize::from(a[i])]));
            }
            (ItemsOf::Wide(a), ItemsOf::Wide(b)) if std::ptr::eq(self.vocab, other.vocab) => {
                merge_from(a, b, 0, 0, |i| common(weights[a[i] as usize]));
            }
            // Sets of two collections: their indices name different features.
            _ => {
                let (a, b): (Vec<u64>, Vec<u64>) =
                    (self.features().collect(), other.features().collect());
                let kept: Vec<f32> = self.weights().collect();
                merge_from(&a, &b, 0, 0, |i| common(kept[i]));
            }
        }
    }
}

/// Finds features in a sorted vocabulary: a directory of where each value of the top bits
/// starts (about one vocabulary feature per entry, features being hashes), then a binary search
/// in the few features that share them.
struct Finder<'a> {
    vocab: &'a [u64],
    shift: u32,
    starts: Vec<u32>,
}

impl<'a> Finder<'a> {
    fn new(vocab: &'a [u64]) -> Self {
        let bits = vocab.len().max(2).ilog2().clamp(1, 24);
        let shift = 64 - bits;
        assert!(vocab.len() < u32::MAX as usize, "a vocabulary of 2^32 features");
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &f in vocab {
            starts[(f >> shift) as usize + 1] += 1;
        }
        for top in 1..starts.len() {
            starts[top] += starts[top - 1];
        }
        Finder { vocab, shift, starts }
    }

    /// The index of `f` in the vocabulary, if it is there.
    #[inline]
    fn index(&self, f: u64) -> Option<u32> {
        let top = (f >> self.shift) as usize;
        let (lo, hi) = (self.starts[top] as usize, self.starts[top + 1] as usize);
        let k = self.vocab[lo..hi].binary_search(&f).ok()?;
        Some((lo + k) as u32)
    }
}

/// How a verified pair is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Similarity {
    /// Weighted Jaccard `W(A∩B) / W(A∪B)`: symmetric, for texts of similar length.
    Jaccard,
    /// Weighted containment (overlap coefficient) `W(A∩B) / min(W(A), W(B))`: catches a short
    /// report inside a long one.
    Containment,
    /// Cosine of the weight vectors `Σ_{A∩B} w² / √(Σ_A w² · Σ_B w²)`.
    Cosine,
}

/// The pair's scores under both measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Weighted Jaccard.
    pub jaccard: f64,
    /// Weighted containment of the smaller set in the larger.
    pub containment: f64,
    /// Cosine of the weight vectors.
    pub cosine: f64,
}

impl Scores {
    /// The score `sim` selects.
    pub fn get(&self, sim: Similarity) -> f64 {
        match sim {
            Similarity::Jaccard => self.jaccard,
            Similarity::Containment => self.containment,
            Similarity::Cosine => self.cosine,
        }
    }
}

/// Exact weighted scores of a pair.
pub fn scores<S: Scored>(a: &S, b: &S) -> Scores {
    if a.is_empty() || b.is_empty() {
        return Scores { jaccard: 0.0, containment: 0.0, cosine: 0.0 };
    }
    let (total_a, total_b) = (a.totals(), b.totals());
    // A set against itself shares all it holds, the features it forgot too (see
    // `WeightedSet::forget_unshared`): its totals are the sums the walk would make, in the
    // same order.
    let (mut inter, mut inter_sq) = (0.0f64, 0.0f64);
    if std::ptr::eq(a, b) {
        (inter, inter_sq) = total_a;
    } else {
        a.for_shared(b, |w| {
            let w = f64::from(w);
            inter += w;
            inter_sq += w * w;
        });
    }
    let norms = (total_a.1 * total_b.1).sqrt();
    let union = total_a.0 + total_b.0 - inter;
    let smaller = total_a.0.min(total_b.0);
    Scores {
        jaccard: if union > 0.0 { (inter / union).min(1.0) } else { 0.0 },
        containment: if smaller > 0.0 { (inter / smaller).min(1.0) } else { 0.0 },
        cosine: if norms > 0.0 { (inter_sq / norms).min(1.0) } else { 0.0 },
    }
}

impl fmt::Display for Similarity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Similarity::Jaccard => "jaccard",
            Similarity::Containment => "containment",
            Similarity::Cosine => "cosine",
        })
    }
}

impl FromStr for Similarity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "jaccard" => Ok(Similarity::Jaccard),
            "containment" => Ok(Similarity::Containment),
            "cosine" => Ok(Similarity::Cosine),
            _ => Err(format!("similarity '{s}': expected jaccard, containment or cosine")),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_time_window_parts_pairs_days_apart_but_not_copies() {
        use super::{NEAR_COPY, in_window, times_of};
        use crate::config::Window;
        const DAY: i64 = 86_400;
        let two_days = Some(Window(2 * DAY as u64));
        let at = |d: i64| times_of([d * DAY]);
        // Within the window, at its edge, past it.
        assert_eq!(in_window(0.3, &at(0), &at(1), two_days), 0.3);
        assert_eq!(in_window(0.3, &at(2), &at(0), two_days), 0.3);
        assert_eq!(in_window(0.3, &at(0), &at(3), two_days), 0.0);
        assert_eq!(in_window(0.3, &at(5), &at(0), two_days), 0.0);
        // Near-copies are copies at any distance; without a time, or a window, nothing parts.
        assert_eq!(in_window(NEAR_COPY, &at(0), &at(30), two_days), NEAR_COPY);
        assert_eq!(in_window(0.3, &[], &at(30), two_days), 0.3);
        assert_eq!(in_window(0.3, &at(0), &at(30), None), 0.3);
        // A node of copies printed on days 0 and 10 is near what either printing is near, and
        // not what falls between them.
        let copies = times_of([10 * DAY, 0, 10 * DAY]);
        assert_eq!(&copies[..], &[0, 10 * DAY]);
        assert_eq!(in_window(0.3, &copies, &at(12), two_days), 0.3);
        assert_eq!(in_window(0.3, &copies, &at(-2), two_days), 0.3);
        assert_eq!(in_window(0.3, &copies, &at(5), two_days), 0.0);
        assert_eq!(in_window(0.3, &copies, &at(13), two_days), 0.0);
        assert_eq!(in_window(0.3, &copies, &times_of([5 * DAY, 9 * DAY]), two_days), 0.3);
    }

    #[test]
    fn a_near_copy_lends_its_times_to_the_window() {
        use super::{NEAR_COPY, Times, times_of, window_edges};
        use crate::config::Window;
        const DAY: i64 = 86_400;
        let two_days = Some(Window(2 * DAY as u64));
        // 0 and 1 on day 0, 2 a near-copy of 0 on day 30, 3 on day 15, 4 without a time.
        let times: Vec<Times> = vec![
            times_of([0]),
            times_of([DAY / 2]),
            times_of([30 * DAY]),
            times_of([15 * DAY]),
            times_of([]),
        ];
        let mut edges =
            vec![(0, 1, 0.2), (0, 2, NEAR_COPY), (1, 2, 0.15), (1, 3, 0.2), (2, 3, 0.2)];
        edges.extend([(2, 4, NEAR_COPY), (3, 4, 0.2)]);
        let all = edges.clone();
        window_edges(&mut edges, &times, two_days);
        // 1 is as near 2 as it is to 2's copy 0; 3 is near neither printing; 4, without a time,
        // is parted from nothing, and gains no time from its copy 2.
        assert_eq!(
            edges,
            [(0, 1, 0.2), (0, 2, NEAR_COPY), (1, 2, 0.15), (2, 4, NEAR_COPY), (3, 4, 0.2)]
        );
        let mut open = all.clone();
        window_edges(&mut open, &times, None);
        assert_eq!(open, all, "no window, nothing parted");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The block merge (where the CPU has AVX2) reports the same indices, in the same
        /// order, as a one-at-a-time merge, whatever the lengths and the overlap.
        #[test]
        fn common_values_are_reported_once_in_order(
            a in proptest::collection::btree_set(0u64..200, 0..100),
            b in proptest::collection::btree_set(0u64..200, 0..100),
        ) {
            let (a, b): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
            let naive: Vec<usize> = (0..a.len()).filter(|&i| b.contains(&a[i])).collect();
            // Every block width this CPU has, not only the widest.
            let mut widths = vec![super::Blocks::None];
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    widths.push(super::Blocks::Four);
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    widths.push(super::Blocks::Eight);
                }
            }
            for blocks in widths {
                let mut found = Vec::new();
                super::for_common_by(blocks, &a, &b, |i| found.push(i));
                proptest::prop_assert_eq!(&found, &naive, "{:?}", blocks);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Indexed sets score every pair with a whole set in it as the weighted sets do,
        /// whatever the features (hashes, small values, values sharing their top bits) and
        /// whichever sets are whole.
        #[test]
        fn indexed_sets_score_as_weighted_sets_against_whole_ones(
            pool in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<u64>(),
                    0u64..64,
                    proptest::strategy::Strategy::prop_map(0u64..64, |k| (7u64 << 58) | k),
                ],
                1..40,
            ),
            picks in proptest::collection::vec(
                (proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 0..30),
                 proptest::prelude::any::<bool>()),
                1..8,
            ),
        ) {
            let weight = |f: u64| 1.0 + (f % 7) as f32;
            let sets: Vec<super::WeightedSet> = picks
                .iter()
                .map(|(ix, _)| {
                    let mut f: Vec<u64> = ix.iter().map(|i| pool[i.index(pool.len())]).collect();
                    f.sort_unstable();
                    f.dedup();
                    super::WeightedSet::new(f.into(), weight)
                })
                .collect();
            let whole: Vec<bool> = picks.iter().map(|&(_, w)| w).collect();
            let ix = super::IndexedSets::new(&sets, |i| whole[i]);
            for i in 0..sets.len() {
                let got = ix.get(i);
                proptest::prop_assert_eq!(super::Scored::totals(&got), super::Scored::totals(&sets[i]));
                for j in (0..sets.len()).filter(|&j| whole[i] || whole[j]) {
                    proptest::prop_assert_eq!(
                        super::scores(&got, &ix.get(j)), super::scores(&sets[i], &sets[j]));
                }
            }
        }
    }

    use super::*;

    /// Features `k << 40` (small values would be number features), feature 1 weighing 3.
    fn set(f: &[u64]) -> WeightedSet {
        let f: Vec<u64> = f.iter().map(|&k| k << 40).collect();
        WeightedSet::new(f.into(), |x| if x == 1 << 40 { 3.0 } else { 1.0 })
    }

    #[test]
    fn a_narrowed_indexed_set_scores_as_its_whole_set_against_whole_sets() {
        let (a, b, c) = (set(&[1, 2, 3, 4, 5, 6, 7, 8]), set(&[1, 2, 3, 9]), set(&[2, 3, 10]));
        let d = set(&[4, 11]);
        let sets = vec![a.clone(), b.clone(), c.clone(), d.clone()];
        // b and c whole; a keeps what they hold (1, 2, 3), d keeps nothing.
        let ix = IndexedSets::new(&sets, |i| i == 1 || i == 2);
        assert_eq!(ix.len(), 4);
        let narrow = ix.get(0);
        assert_eq!(narrow.features().collect::<Vec<_>>(), [1 << 40, 2 << 40, 3 << 40]);
        assert_eq!(narrow.weights().collect::<Vec<_>>(), [3.0, 1.0, 1.0]);
        assert_eq!((narrow.len(), narrow.totals()), (a.len(), a.totals()));
        assert_eq!(ix.get(1).features().collect::<Vec<_>>(), b.features());
        for (i, whole) in [(1, &b), (2, &c)] {
            let other = ix.get(i);
            assert_eq!(scores(&narrow, &other), scores(&a, whole));
            for sim in [Similarity::Cosine, Similarity::Jaccard, Similarity::Containment] {
                assert_eq!(pivot_pair(&narrow, &other, sim), pivot_pair(&a, whole, sim));
            }
        }
        // Nothing kept: still a set of two features, sharing none (a and d share 4, which no
        // whole set holds).
        let empty = ix.get(3);
        assert_eq!((empty.features().count(), empty.len()), (0, 2));
        assert_eq!(scores(&empty, &ix.get(1)).jaccard, 0.0);
        assert_eq!(scores(&empty, &narrow).jaccard, 0.0);
        assert!(scores(&a, &d).jaccard > 0.0);
        // All whole: every pair scores as its weighted sets do.
        let all = IndexedSets::new(&sets, |_| true);
        for (i, x) in sets.iter().enumerate() {
            for (j, y) in sets.iter().enumerate() {
                assert_eq!(scores(&all.get(i), &all.get(j)), scores(x, y), "{i} {j}");
            }
        }
    }

    #[test]
    fn indexed_sets_of_a_large_vocabulary_score_as_their_weighted_sets() {
        // 70,000 features held by whole sets: indices no longer fit two bytes.
        let n = 70_000u64;
        let big = set(&(1..=n).collect::<Vec<_>>());
        let (a, b) = (set(&[1, 2, 69_999, n + 1]), set(&[2, 3, 69_999, n, n + 2]));
        let sets = vec![big.clone(), a.clone(), b.clone()];
        let wide = IndexedSets::new(&sets, |i| i == 0);
        assert!(matches!(wide.items, Items::Wide(_)));
        assert_eq!(wide.get(1).features().count(), 3);
        for (i, x) in sets.iter().enumerate() {
            for (j, y) in sets.iter().enumerate().filter(|&(j, _)| i == 0 || j == 0) {
                assert_eq!(scores(&wide.get(i), &wide.get(j)), scores(x, y), "{i} {j}");
            }
        }
        // A set of another collection (another vocabulary, narrow) is met by its features.
        let narrow = IndexedSets::new(&[a.clone(), b.clone()], |_| true);
        assert!(matches!(narrow.items, Items::Narrow(_)));
        assert_eq!(scores(&narrow.get(1), &wide.get(0)), scores(&b, &big));
        assert_eq!(scores(&wide.get(0), &narrow.get(0)), scores(&big, &a));
    }

    #[test]
    fn numbers_weigh_little_and_disagreeing_numbers_cost() {
        let with = |nums: &[u64]| {
            let mut f: Vec<u64> = nums.iter().map(|&n| crate::shingle::number_feature(n)).collect();
            f.extend([1u64 << 40, 2 << 40, 3 << 40]);
            WeightedSet::new(f.into(), |_| 1.0)
        };
        let (first, second, both) = (with(&[1]), with(&[2]), with(&[1, 2]));
        assert_eq!(first.weight(0), crate::weights::MIN_WEIGHT);
        let plain = lexical(&with(&[]), &first, Similarity::Cosine);
        assert!(plain > 0.99, "{plain}");
        let apart = lexical(&first, &second, Similarity::Cosine);
        assert!((apart - (1.0 - NUMBER_PENALTY) * scores(&first, &second).cosine).abs() < 1e-9);
        assert!(lexical(&first, &both, Similarity::Cosine) > 0.99);
    }

    /// The totals of uniform weights are those of adding them one by one, bit for bit, with
    /// and without number features; a sum that would round is left to the additions.
    #[test]
    fn uniform_totals_are_those_of_one_addition_after_another() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for (numbers, ones) in [(0, 0), (0, 1), (3, 0), (1, 1), (7, 300), (40, 5000), (2, 70_000)] {
            let mut f: Vec<u64> = (0..numbers).map(crate::shingle::number_feature).collect();
            f.extend((0..ones).map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                x | 1 << 63
            }));
            f.sort_unstable();
            let one_by_one = totals(f.iter().map(|&f| uniform_weight(f)));
            let (t, t2) = uniform_totals(&f);
            assert_eq!(
                (t.to_bits(), t2.to_bits()),
                (one_by_one.0.to_bits(), one_by_one.1.to_bits())
            );
        }
        assert_eq!(exact_sum(0.5, 3.0), Some(3.5));
        assert_eq!(exact_sum(0.1, 2f64.powi(53)), None);
    }

    #[test]
    fn shingles_as_made_become_the_uniform_set_of_them() {
        let n = crate::shingle::number_feature;
        let made: Vec<u64> = vec![3 << 40, n(7), 1 << 40, 3 << 40, 2 << 40, 1 << 40];
        let mut set = made.clone();
        crate::shingle::make_set(&mut set);
        let want = WeightedSet::uniform(set.clone().into());
        let mut shingled = WeightedSet::shingled(made.clone().into());
        assert!(!shingled.is_set());
        assert_eq!(shingled.features(), &made[..], "kept as made until asked");
        shingled.make_set();
        assert!(shingled.is_set());
        assert_eq!(shingled, want);
        assert_eq!(scores(&shingled, &want).jaccard, 1.0);
        assert_eq!(
            WeightedSet::shingled(made.into()).into_features(),
            want.clone().into_features()
        );
        // Shingles that are a set already are one at once.
        let at_once = WeightedSet::shingled(set.into());
        assert!(at_once.is_set());
        assert_eq!(at_once, want);
        assert!(WeightedSet::shingled(Box::default()).is_set());
    }

    #[test]
    fn uniform_weights_are_not_stored_but_read_the_same() {
        let mut f: Vec<u64> = vec![crate::shingle::number_feature(7)];
        f.extend([1u64 << 40, 2 << 40, 3 << 40]);
        let uniform = WeightedSet::new(f.clone().into(), |_| 1.0);
        assert!(matches!(uniform.weights, Weights::Uniform), "weights kept: {:?}", uniform.weights);
        assert_eq!(WeightedSet::uniform(f.clone().into()), uniform);
        let stored = WeightedSet::new(f.clone().into(), |x| if x == 2 << 40 { 2.0 } else { 1.0 });
        assert!(matches!(&stored.weights, Weights::Own(w) if w.len() == 4));
        let w = [crate::weights::MIN_WEIGHT, 1.0, 1.0, 1.0];
        assert_eq!(&uniform.weights()[..], &w);
        assert_eq!((0..4).map(|i| uniform.weight(i)).collect::<Vec<_>>(), w);
        // The same scores as a set that keeps its weights (from_parts with explicit weights
        // elides them too, so compare against a hand-made pair).
        let other = WeightedSet::new(vec![1u64 << 40, 2 << 40, 9 << 40].into(), |_| 1.0);
        let s = scores(&uniform, &other);
        let inter = 2.0;
        let total = crate::weights::MIN_WEIGHT as f64 + 3.0;
        assert!((s.jaccard - inter / (total + 3.0 - inter)).abs() < 1e-9, "{s:?}");
        assert_eq!(WeightedSet::from_parts(f.into(), w.into()), uniform);
    }

    #[test]
    fn weighted_jaccard_and_containment() {
        let a = set(&[1, 2, 3]);
        let b = set(&[1, 2, 3, 4, 5, 6, 7]);
        let s = scores(&a, &b);
        // A∩B = {1,2,3}: 5; A∪B: 9.
        assert!((s.jaccard - 5.0 / 9.0).abs() < 1e-9);
        assert!((s.containment - 1.0).abs() < 1e-9);
        assert_eq!(scores(&a, &set(&[])).jaccard, 0.0);
        assert_eq!(scores(&a, &a).jaccard, 1.0);
    }
}
