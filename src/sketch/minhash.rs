//! Weighted MinHash by an exponential race (P-MinHash with early stopping).
//!
//! Each feature `f` of weight `w_f` starts a Poisson process of rate `w_f` whose points are
//! scattered uniformly over the `k` slots of the signature; slot `i` keeps the feature whose point
//! lands there first. By Poisson splitting the `k` slots are independent races, and feature `f`
//! wins a slot with probability `w_f / W(doc)`. Because a feature's points depend only on the
//! feature (a generator seeded by its hash) and the weights are global (IDF from the collection),
//! two documents `A` and `B` keep the same feature in a slot exactly when the winner of the race
//! over `A ∪ B` lies in `A ∩ B`:
//!
//! ```text
//!   P[sig_A[i] = sig_B[i]] = W(A ∩ B) / W(A ∪ B)        (weighted Jaccard)
//! ```
//!
//! With all weights 1 this is ordinary MinHash. A feature stops generating points as soon as its
//! next point is later than the latest slot winner so far, because it can win nothing more; the
//! expected cost is `O(n + k log k)` for `n` features rather than the `O(n·k)` of `k` hash
//! functions (Ertl, "ProbMinHash", 2020, algorithm 1 with the stopping rule).
//!
//! A signature stores the low 32 bits of each slot winner's feature hash: the probability that two
//! different winners agree by chance is 2⁻³², far below the estimate's own noise.

/// A MinHash signature: one winner per slot.
pub type Signature = Box<[u32]>;

use super::ln_table::{INV_C, LN_C};

/// Builds signatures of a fixed length with a fixed seed.
#[derive(Debug, Clone)]
pub struct MinHasher {
    k: usize,
    seed: u64,
}

/// splitmix64: a tiny, high-quality generator, seeded per feature.
#[derive(Clone, Copy)]
struct SplitMix(u64);

impl SplitMix {
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform variate in (0, 1] (53 random bits; its logarithm is finite).
    #[inline]
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A slot in `0..k`.
    #[inline]
    fn slot(&mut self, k: usize) -> usize {
        ((self.next() as u128 * k as u128) >> 64) as usize
    }
}

/// Natural logarithm of a normal `u` in (0, 1], with plain IEEE-754 arithmetic.
///
/// The race decides slot winners by comparing these values, and signatures are stored: a libm
/// `ln` may differ in the last bit between platforms and flip a close race. This one is the same
/// everywhere: `u = m·2^e`; the top seven bits of `m` pick a bucket centre `c` whose `1/c` and
/// `ln c` are literals ([`super::ln_table`]); `ln m = ln c + ln(1 + r)` with `r = m/c − 1`,
/// `|r| < 1/256`, by five terms of its series (absolute error below 1e-15).
#[inline]
fn ln_unit(u: f64) -> f64 {
    let bits = u.to_bits();
    let e = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let i = ((bits >> 45) & 0x7f) as usize;
    let r = m * INV_C[i] - 1.0;
    let series = r * (1.0 + r * (-0.5 + r * (1.0 / 3.0 + r * (-0.25 + r * 0.2))));
    (e * std::f64::consts::LN_2 + LN_C[i] + series).min(0.0)
}

/// Reusable buffers for [`MinHasher::sketch_into`].
#[derive(Debug, Default)]
pub struct SketchScratch {
    times: Vec<f64>,
    order: Vec<(f32, u64)>,
}

impl MinHasher {
    /// A hasher for signatures of `k` slots.
    pub fn new(k: usize, seed: u64) -> Self {
        assert!(k > 0, "a signature needs at least one slot");
        MinHasher { k, seed }
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
        // Heavy features first: they settle the slots early, so light ones stop at once.
        scratch.order.clear();
        scratch.order.extend(features.iter().enumerate().map(|(i, &f)| (weight(i), f)));
        scratch.order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let times = &mut scratch.times;
        times.clear();
        times.resize(k, f64::INFINITY);
        let mut unfilled = k;
        let mut latest = f64::INFINITY;
        for &(w, f) in &scratch.order {
            if w.is_nan() || w <= 0.0 {
                continue;
            }
            let rate = 1.0 / w as f64;
            let mut rng = SplitMix(f ^ self.seed);
            let mut t = 0.0;
            loop {
                let u = rng.unit();
                // Most points land after the latest winner. `-ln u ≥ 2(1−u)/(1+u)`, so when that
                // bound already reaches the gap, the point is too late without taking the log.
                let gap = (latest - t) * w as f64;
                if 2.0 * (1.0 - u) >= gap * (1.0 + u) {
                    break;
                }
                t += -ln_unit(u) * rate;
                if t >= latest {
                    break;
                }
                let s = rng.slot(k);
                if t < times[s] {
                    let was = times[s];
                    times[s] = t;
                    out[s] = f as u32;
                    if was == f64::INFINITY {
                        unfilled -= 1;
                        if unfilled == 0 {
                            latest = times.iter().copied().fold(0.0, f64::max);
                        }
                    } else if was == latest {
                        latest = times.iter().copied().fold(0.0, f64::max);
                    }
                }
            }
        }
    }
}

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
    fn portable_log_matches_libm() {
        let mut rng = SplitMix(9);
        for _ in 0..100_000 {
            let u = ((rng.next() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
            let (a, b) = (ln_unit(u), u.ln());
            assert!((a - b).abs() <= 1e-12 * b.abs() + 1e-15, "{u}: {a} vs {b}");
        }
        assert_eq!(ln_unit(1.0), 0.0);
        assert!((ln_unit(0.5) + std::f64::consts::LN_2).abs() < 1e-15);
    }

    #[test]
    fn signatures_are_frozen() {
        // A change here changes every stored signature: it is a format change.
        let h = MinHasher::new(8, 42);
        let s = h.sketch(&[1, 2, 3, 0xDEAD_BEEF, u64::MAX], |i| 1.0 + i as f32);
        let frozen: [u32; 8] =
            [2, u32::MAX, 0xDEAD_BEEF, 0xDEAD_BEEF, 1, 0xDEAD_BEEF, u32::MAX, 0xDEAD_BEEF];
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
