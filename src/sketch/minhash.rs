//! Weighted MinHash by an exponential race, run in time order over fixed-size slices of time.
//!
//! Each feature `f` of weight `w_f` starts a Poisson process of rate `w_f` in each of the `k`
//! slots of the signature; slot `i` keeps the feature whose point lands there first. Feature `f`
//! then wins a slot with probability `w_f / W(doc)`. Because a feature's points depend only on the
//! feature (a generator seeded by its hash) and the weights are global (IDF from the collection),
//! two documents `A` and `B` keep the same feature in a slot exactly when the winner of the race
//! over `A ∪ B` lies in `A ∩ B`:
//!
//! ```text
//!   P[sig_A[i] = sig_B[i]] = W(A ∩ B) / W(A ∪ B)        (weighted Jaccard)
//! ```
//!
//! With all weights 1 this is ordinary MinHash with `k` hash functions.
//!
//! **How the race is run.** A feature's points live on its own clock `s = t·w_f`, where they form
//! a Poisson process of rate `k` (rate 1 per slot). That clock is cut into slices of length `1/k`:
//! slice `ℓ` holds a Poisson(1) number of points, each at a uniform place in the slice and in a
//! uniform slot, all drawn in order from the feature's generator. Every slice is the same for
//! every document, whatever part of the race a document needs.
//!
//! A document needs only the points before the latest slot winner. With `W` the document's total
//! weight, every slot has a point before `T = c·H_k / W` with high probability (`c = 1.5`,
//! `H_k = ln k + 0.58`; a slot's points are Poisson with mean `c·H_k`, so it is empty with
//! probability about `k^−c`). So each feature draws the slices that start before `w_f·T` on its
//! clock, and the slots keep their earliest point. When every slot holds a point before `T`, no
//! point left undrawn could win one; otherwise the race is run again with `2T`. The expected work
//! is one draw per slice plus `k·c·H_k` points in all: linear in the number of features, with no
//! sort, no logarithm (slot times are compared as plain products) and no dependence on the order
//! of the features. (Classic MinHash costs `k` hashes per feature; the race run feature by feature
//! with early stopping, ProbMinHash's way, costs about `k·H_k·ln n` points with a logarithm each.)
//!
//! **Uniform weights** ([`MinHasher::sketch_uniform_into`], the pipeline without IDF) need no
//! race: one-permutation hashing with optimal densification (Shrivastava, "Optimal Densification
//! for Fast and Accurate Minwise Hashing", 2017). Each feature's hash picks a slot and a value,
//! each slot keeps its smallest value's feature, and an empty slot copies the slot found by its
//! own probe sequence (the same in every document) that holds a feature. For two documents the
//! first slot of that sequence holding a feature of either is the same, and its smallest value is
//! equally likely to be any feature of the union there, so a slot agrees with probability
//! `|A ∩ B| / |A ∪ B|` exactly, as with `k` hash functions; the cost is one hash per feature.
//!
//! A signature stores the low 32 bits of each slot winner's feature hash: the probability that two
//! different winners agree by chance is 2⁻³², far below the estimate's own noise.

/// A MinHash signature: one winner per slot.
pub type Signature = Box<[u32]>;

/// `P[N ≤ n]` for `N ~ Poisson(1)`, as fractions of 2⁶⁴ (rounded down), `n = 0, 1, …`; past the
/// end the probability is below 2⁻⁶². Literals, so that the race is the same on every platform.
const POISSON1_CDF: [u64; 20] = [
    0x5E2D_58D8_B3BC_DF1A,
    0xBC5A_B1B1_6779_BE35,
    0xEB71_5E1D_C158_2DC2,
    0xFB23_9797_34A2_52F1,
    0xFF10_25F5_9174_DC3D,
    0xFFD9_0F3B_A405_5E19,
    0xFFFA_8B71_FC72_C913,
    0xFFFF_540C_0914_B3C9,
    0xFFFF_ED1F_4AA8_F120,
    0xFFFF_FE21_6E64_1462,
    0xFFFF_FFD4_D85D_3183,
    0xFFFF_FFFC_6DA2_62B4,
    0xFFFF_FFFF_BA12_D178,
    0xFFFF_FFFF_FB07_C64C,
    0xFFFF_FFFF_FFAB_8EA5,
    0xFFFF_FFFF_FFFA_BE22,
    0xFFFF_FFFF_FFFF_B11A,
    0xFFFF_FFFF_FFFF_FBA1,
    0xFFFF_FFFF_FFFF_FFC5,
    0xFFFF_FFFF_FFFF_FFFD,
];

/// A Poisson(1) count from 64 uniform bits (inverse transform).
#[inline]
fn poisson1(r: u64) -> usize {
    POISSON1_CDF.iter().take_while(|&&c| r >= c).count()
}
/// How far past `H_k / W` the first pass runs (see the module notes).
const REACH: f64 = 1.5;

/// Builds signatures of a fixed length with a fixed seed.
#[derive(Debug, Clone)]
pub struct MinHasher {
    k: usize,
    seed: u64,
    /// `REACH · H_k`: the first pass's horizon times the document's total weight.
    reach: f64,
}

/// splitmix64: a tiny, high-quality generator, seeded per feature.
#[derive(Clone, Copy)]
struct SplitMix(u64);

impl SplitMix {
    /// A number in `0..n`.
    #[inline]
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// A generator for one feature. The state is the mixed key, so that features whose hashes
    /// differ by a multiple of the generator's step (as structured test keys may) do not share
    /// a stream.
    #[inline]
    fn for_key(key: u64) -> Self {
        let mut g = SplitMix(key);
        SplitMix(g.next())
    }

    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Reusable buffers for [`MinHasher::sketch_into`].
#[derive(Debug, Default)]
pub struct SketchScratch {
    times: Vec<f64>,
    values: Vec<u64>,
}

impl MinHasher {
    /// A hasher for signatures of `k` slots.
    pub fn new(k: usize, seed: u64) -> Self {
        assert!(k > 0, "a signature needs at least one slot");
        let harmonic: f64 = (1..=k).map(|i| 1.0 / i as f64).sum();
        MinHasher { k, seed, reach: REACH * harmonic }
    }

    /// Slots per signature.
    pub fn len(&self) -> usize {
        self.k
    }

    /// Never true: a hasher has at least one slot.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The signature of a weighted feature set (`weight(f) > 0`; uniform weights give classic
    /// MinHash). An empty set gives the all-zero signature; the pipeline never sketches one
    /// (a text with no features is rejected before this stage).
    pub fn sketch(&self, features: &[u64], weight: impl Fn(usize) -> f32) -> Signature {
        let mut out = vec![0u32; self.k].into_boxed_slice();
        self.sketch_into(features, weight, &mut SketchScratch::default(), &mut out);
        out
    }

    /// [`MinHasher::sketch`] into `out` (length `k`), reusing `scratch`.
    pub fn sketch_into(
        &self,
        features: &[u64],
        weight: impl Fn(usize) -> f32,
        scratch: &mut SketchScratch,
        out: &mut [u32],
    ) {
        let k = self.k;
        debug_assert_eq!(out.len(), k);
        out.fill(0);
        if features.is_empty() {
            return;
        }
        let valid = |w: f32| w > 0.0 && w.is_finite();
        let total: f64 =
            (0..features.len()).map(&weight).filter(|&w| valid(w)).map(f64::from).sum();
        if total <= 0.0 {
            return;
        }
        let slice = 1.0 / k as f64;
        let times = &mut scratch.times;
        let mut horizon = self.reach / total;
        loop {
            times.clear();
            times.resize(k, f64::INFINITY);
            for (i, &f) in features.iter().enumerate() {
                let w = weight(i);
                if !valid(w) {
                    continue;
                }
                let w = f64::from(w);
                let inv_w = 1.0 / w;
                // Slices `0..n` start before the horizon on this feature's clock (`ceil` by hand:
                // without SSE4.1 it is a library call).
                let reach = horizon * w * k as f64;
                let n = reach as u64 + u64::from((reach as u64 as f64) < reach);
                let mut rng = SplitMix::for_key(f ^ self.seed);
                for level in 0..n {
                    for _ in 0..poisson1(rng.next()) {
                        let r = rng.next();
                        let at =
                            (level as f64 + (r >> 32) as f64 * (1.0 / 4_294_967_296.0)) * slice;
                        let t = at * inv_w;
                        let s = (((r & 0xFFFF_FFFF) * k as u64) >> 32) as usize;
                        // Without a branch, as in `sketch_uniform_into`.
                        let (cur, o) = (times[s], out[s]);
                        let take = t < cur;
                        times[s] = if take { t } else { cur };
                        out[s] = if take { f as u32 } else { o };
                    }
                }
            }
            if times.iter().all(|&t| t < horizon) {
                return;
            }
            horizon *= 2.0;
        }
    }
}

impl MinHasher {
    /// The signature of a set whose features all weigh the same (classic MinHash, see the module
    /// notes), leaving out the features for which `skip` is true. Not comparable with
    /// [`MinHasher::sketch_into`]'s signatures: a collection uses one or the other.
    pub fn sketch_uniform_into(
        &self,
        features: &[u64],
        skip: impl Fn(usize) -> bool,
        scratch: &mut SketchScratch,
        out: &mut [u32],
    ) {
        let k = self.k;
        debug_assert_eq!(out.len(), k);
        out.fill(0);
        let values = &mut scratch.values;
        values.clear();
        values.resize(k, u64::MAX);
        let mut any = false;
        for (i, &f) in features.iter().enumerate() {
            if skip(i) {
                continue;
            }
            // The high bits pick the slot, so within a slot the whole hash orders the features.
            let h = SplitMix::for_key(f ^ self.seed).0;
            let s = ((u128::from(h) * k as u128) >> 64) as usize;
            // Without a branch: whether a feature takes its slot is a coin toss the branch
            // predictor loses.
            let (v, o) = (values[s], out[s]);
            let take = h < v;
            values[s] = if take { h } else { v };
            out[s] = if take { f as u32 } else { o };
            any = true;
        }
        if !any {
            return;
        }
        for s in 0..k {
            if values[s] != u64::MAX {
                continue;
            }
            // Optimal densification: this slot's own probe sequence, the same in every document.
            let mut probe = SplitMix::for_key(self.seed ^ DENSIFY ^ s as u64);
            loop {
                let t = probe.below(k);
                if values[t] != u64::MAX {
                    out[s] = out[t];
                    break;
                }
            }
        }
    }
}

/// Keys the probe sequences of empty slots apart from the features' hashes.
const DENSIFY: u64 = 0xD1B5_4A32_D192_ED03;

/// Share of slots two signatures agree on: an unbiased estimate of their weighted Jaccard.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_identical_signatures() {
        let h = MinHasher::new(64, 7);
        let f: Vec<u64> = (0..50).map(|i| i * 7919).collect();
        assert_eq!(h.sketch(&f, |_| 1.0), h.sketch(&f, |_| 1.0));
        assert_eq!(estimate(&h.sketch(&f, |_| 1.0), &h.sketch(&f, |_| 1.0)), 1.0);
    }

    #[test]
    fn signatures_are_frozen() {
        // A change here changes every stored signature: it is a format change.
        let h = MinHasher::new(8, 42);
        let s = h.sketch(&[1, 2, 3, 0xDEAD_BEEF, u64::MAX], |i| 1.0 + i as f32);
        let frozen: [u32; 8] =
            [u32::MAX, 0xDEAD_BEEF, 3, 0xDEAD_BEEF, u32::MAX, 0xDEAD_BEEF, u32::MAX, 3];
        assert_eq!(&s[..], &frozen[..], "signature changed: {s:?}");
    }

    #[test]
    fn the_signature_is_a_function_of_the_set() {
        let h = MinHasher::new(128, 5);
        let f: Vec<u64> = (0..400u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let mut g = f.clone();
        g.reverse();
        g.rotate_left(123);
        let w = |x: u64| 1.0 + (x % 7) as f32;
        assert_eq!(h.sketch(&f, |_| 1.0), h.sketch(&g, |_| 1.0));
        assert_eq!(h.sketch(&f, |i| w(f[i])), h.sketch(&g, |i| w(g[i])));
    }

    #[test]
    fn estimate_tracks_jaccard_with_uniform_weights() {
        // |A ∩ B| = 150, |A ∪ B| = 450 over independent pairs: the mean estimate is J = 1/3.
        let h = MinHasher::new(256, 11);
        let mut sum = 0.0;
        for trial in 0..20u64 {
            let base = trial * 1_000_003;
            let a: Vec<u64> = (base..base + 300).collect();
            let b: Vec<u64> = (base + 150..base + 450).collect();
            sum += estimate(&h.sketch(&a, |_| 1.0), &h.sketch(&b, |_| 1.0));
        }
        let mean = sum / 20.0;
        // One estimate's standard error is sqrt(J(1−J)/k) ≈ 0.029; the mean of 20 about 0.0066.
        assert!((mean - 1.0 / 3.0).abs() < 0.027, "mean estimate {mean}");
    }

    #[test]
    fn a_heavier_feature_wins_in_proportion_to_its_weight() {
        // Two features, weights 3 and 1: the first should hold 3/4 of the slots.
        let h = MinHasher::new(4096, 2);
        let s = h.sketch(&[10, 20], |i| [3.0, 1.0][i]);
        let share = s.iter().filter(|&&x| x == 10).count() as f64 / 4096.0;
        assert!((share - 0.75).abs() < 0.03, "share {share}");
        assert!(s.iter().all(|&x| x == 10 || x == 20));
    }

    #[test]
    fn zero_and_invalid_weights_are_skipped() {
        let h = MinHasher::new(64, 3);
        let s = h.sketch(&[1, 2, 3], |i| [0.0, f32::NAN, 2.0][i]);
        assert!(s.iter().all(|&x| x == 3));
        assert!(h.sketch(&[1, 2], |_| 0.0).iter().all(|&x| x == 0));
    }

    fn uniform(h: &MinHasher, f: &[u64]) -> Vec<u32> {
        let mut out = vec![0; h.len()];
        h.sketch_uniform_into(f, |_| false, &mut SketchScratch::default(), &mut out);
        out
    }

    #[test]
    fn uniform_sketch_tracks_jaccard_and_is_a_function_of_the_set() {
        // |A ∩ B| = 150, |A ∪ B| = 450 (J = 1/3), and a short pair (40 features in 128 slots, so
        // most slots are filled by densification), over independent pairs.
        let h = MinHasher::new(128, 11);
        for (len, shift, want) in [(300u64, 150u64, 1.0 / 3.0), (40, 10, 30.0 / 50.0)] {
            let mut sum = 0.0;
            for trial in 0..40u64 {
                let base = trial * 1_000_003;
                let a: Vec<u64> = (base..base + len).map(|x| x.wrapping_mul(0x9E37_79B9)).collect();
                let b: Vec<u64> = (base + shift..base + len + shift)
                    .map(|x| x.wrapping_mul(0x9E37_79B9))
                    .collect();
                sum += estimate(&uniform(&h, &a), &uniform(&h, &b));
                let mut r = a.clone();
                r.reverse();
                assert_eq!(uniform(&h, &a), uniform(&h, &r));
            }
            let mean = sum / 40.0;
            // Standard error of one estimate ≤ sqrt(J(1−J)/k) ≈ 0.044; of the mean ≈ 0.007.
            assert!((mean - want).abs() < 0.03, "{len}: mean estimate {mean} vs {want}");
        }
    }

    #[test]
    fn uniform_sketch_fills_every_slot_and_skips() {
        let h = MinHasher::new(64, 3);
        assert!(uniform(&h, &[42]).iter().all(|&x| x == 42));
        assert!(uniform(&h, &[]).iter().all(|&x| x == 0));
        let mut out = vec![0; 64];
        h.sketch_uniform_into(&[1, 2, 3], |i| i != 2, &mut SketchScratch::default(), &mut out);
        assert!(out.iter().all(|&x| x == 3));
        h.sketch_uniform_into(&[1, 2], |_| true, &mut SketchScratch::default(), &mut out);
        assert!(out.iter().all(|&x| x == 0));
    }

    #[test]
    fn uniform_signatures_are_frozen() {
        let h = MinHasher::new(8, 42);
        let s = uniform(&h, &[1, 2, 3, 0xDEAD_BEEF, u64::MAX]);
        // A change here changes the stored signatures of indexes made without IDF.
        let frozen: [u32; 8] = [u32::MAX, 2, 2, 0xDEAD_BEEF, u32::MAX, 1, 0xDEAD_BEEF, 2];
        assert_eq!(&s[..], &frozen[..], "signature changed: {s:?}");
    }

    #[test]
    fn single_feature_fills_every_slot() {
        let h = MinHasher::new(128, 1);
        let s = h.sketch(&[42], |_| 0.5);
        assert!(s.iter().all(|&x| x == 42));
    }

    #[test]
    fn empty_set_is_all_zero() {
        let h = MinHasher::new(16, 1);
        assert!(h.sketch(&[], |_| 1.0).iter().all(|&x| x == 0));
    }

    #[test]
    fn estimate_tracks_weighted_jaccard() {
        // A = 0..300, B = 100..400, weights favouring the shared middle.
        let h = MinHasher::new(1024, 3);
        let w = |f: u64| if (100..300).contains(&f) { 3.0 } else { 1.0 };
        let a: Vec<u64> = (0..300).collect();
        let b: Vec<u64> = (100..400).collect();
        let exact = 200.0 * 3.0 / (200.0 * 3.0 + 200.0);
        let sa = h.sketch(&a, |i| w(a[i]));
        let sb = h.sketch(&b, |i| w(b[i]));
        let est = estimate(&sa, &sb);
        // Standard error sqrt(J(1-J)/k) ≈ 0.0135; allow four of them.
        assert!((est - exact).abs() < 0.055, "estimate {est} vs exact {exact}");
    }
}
