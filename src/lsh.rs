//! Banding: signatures → bucket keys, so similar documents meet without comparing all pairs.
//!
//! A signature of `k` slots is cut into `b` bands of `r` slots; two documents become candidates
//! when all `r` slots of at least one band agree. For a pair of similarity `s` (the chance that
//! one slot agrees) that happens with probability
//!
//! ```text
//!   P(s) = 1 − (1 − s^r)^b
//! ```
//!
//! an S-curve that rises near `(1/b)^(1/r)`. More rows per band make the curve steeper and later
//! (fewer false candidates, more missed pairs); more bands make it earlier. [`LshParams::optimal`]
//! picks `b × r ≤ k` that minimise the weighted area of false positives below the threshold plus
//! false negatives above it, as datasketch does; candidates are then verified exactly, so the
//! defaults lean towards recall (false negatives weigh more).

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Bands × rows of an LSH index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Slots per band.
    pub rows: usize,
}

/// Intervals of Simpson's rule in [`LshParams::optimal`]'s integrals.
const SIMPSON: usize = 64;

/// The points and weights of Simpson's rule over [a, b]: `∫ f ≈ Σ wᵢ·f(xᵢ)`.
fn simpson(a: f64, b: f64) -> impl Iterator<Item = (f64, f64)> {
    let h = (b - a) / SIMPSON as f64;
    (0..=SIMPSON).map(move |i| {
        let x = if i == SIMPSON { b } else { a + i as f64 * h };
        let w = match i {
            0 | SIMPSON => 1.0,
            _ if i % 2 == 1 => 4.0,
            _ => 2.0,
        };
        (x, w * h / 3.0)
    })
}

impl LshParams {
    /// The `b × r ≤ k` minimising `fp_weight·FP + fn_weight·FN` at `threshold`, where FP is the
    /// area under the S-curve below the threshold and FN the area above it left uncovered.
    pub fn optimal(threshold: f64, k: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        // With `q = 1 − s^r`, FP = ∫₀ᵗ 1 − q^b and FN = ∫ₜ¹ q^b. For each `r` the powers
        // `q^b` of every point are carried from one `b` to the next by one multiplication: the
        // search took about 4 ms of serial start-up with a `powi` per point and pair (b, r), and
        // 0.7 ms with a `powi` per point and `r`.
        let t = threshold.clamp(0.0, 1.0);
        let below: Vec<(f64, f64)> = simpson(0.0, t).collect();
        let above: Vec<(f64, f64)> = simpson(t, 1.0).collect();
        let mut best = (f64::INFINITY, LshParams { bands: k, rows: 1 });
        let (mut q, mut power) = (Vec::new(), Vec::new());
        // `s^r` of every point, carried from one `r` to the next the same way.
        let points: Vec<f64> = below.iter().chain(&above).map(|&(s, _)| s).collect();
        let mut s_rows = vec![1.0; points.len()];
        for rows in 1..=k {
            s_rows.iter_mut().zip(&points).for_each(|(p, &s)| *p *= s);
            q.clear();
            q.extend(s_rows.iter().map(|&p| 1.0 - p));
            power.clear();
            power.extend_from_slice(&q);
            for bands in 1..=k / rows {
                let (pb, pa) = power.split_at(below.len());
                let fp: f64 = below.iter().zip(pb).map(|(&(_, w), &qb)| w * (1.0 - qb)).sum();
                let fneg: f64 = above.iter().zip(pa).map(|(&(_, w), &qb)| w * qb).sum();
                let err = fp_weight * fp + fn_weight * fneg;
                // Ties go to the fewer bands, as when bands were the outer loop.
                if err < best.0 || (err == best.0 && bands < best.1.bands) {
                    best = (err, LshParams { bands, rows });
                }
                power.iter_mut().zip(&q).for_each(|(p, &q)| *p *= q);
            }
        }
        best.1
    }

    /// Probability that a pair of similarity `s` becomes a candidate.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Slots used (`bands × rows`).
    pub fn slots(&self) -> usize {
        self.bands * self.rows
    }

    /// Calls `emit(band, key)` for each band of `sig` (which has at least `slots()` slots).
    #[inline]
    pub fn keys(&self, sig: &[u32], mut emit: impl FnMut(usize, u64)) {
        for band in 0..self.bands {
            emit(band, Self::band_key(band, &sig[band * self.rows..(band + 1) * self.rows]));
        }
    }

    /// The bucket key of `band` whose slots are `rows`.
    #[inline]
    pub fn band_key(band: usize, rows: &[u32]) -> u64 {
        let mut bytes = [0u8; 4 * 64];
        let n = rows.len().min(64);
        for (i, v) in rows[..n].iter().enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        let mut key = xxh3_64_with_seed(&bytes[..4 * n], band as u64);
        // Rows beyond 64 (unusual) fold into the key one by one.
        for v in &rows[n..] {
            key = xxh3_64_with_seed(&v.to_le_bytes(), key);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`LshParams::optimal`] as first written: a `powi` per point and Simpson's rule per pair.
    fn optimal_reference(threshold: f64, k: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
            let h = (b - a) / SIMPSON as f64;
            let mut s = f(a) + f(b);
            for i in 1..SIMPSON {
                let x = a + i as f64 * h;
                s += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
            }
            s * h / 3.0
        }
        let t = threshold.clamp(0.0, 1.0);
        let mut best = (f64::INFINITY, LshParams { bands: k, rows: 1 });
        for bands in 1..=k {
            for rows in 1..=k / bands {
                let p = |s: f64| 1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32);
                let fp = integrate(p, 0.0, t);
                let fneg = integrate(|s| 1.0 - p(s), t, 1.0);
                let err = fp_weight * fp + fn_weight * fneg;
                if err < best.0 {
                    best = (err, LshParams { bands, rows });
                }
            }
        }
        best.1
    }

    #[test]
    fn optimal_agrees_with_the_reference_search() {
        for k in [1, 2, 16, 64, 100, 128, 256, 512] {
            for i in 0..=40 {
                let t = i as f64 / 40.0;
                for (fp, fneg) in [(0.1, 0.9), (0.5, 0.5), (0.9, 0.1)] {
                    assert_eq!(
                        LshParams::optimal(t, k, fp, fneg),
                        optimal_reference(t, k, fp, fneg),
                        "threshold {t}, {k} slots, weights {fp}/{fneg}"
                    );
                }
            }
        }
    }

    #[test]
    fn optimal_curve_rises_around_the_threshold() {
        for t in [0.3, 0.5, 0.8] {
            let p = LshParams::optimal(t, 128, 0.5, 0.5);
            assert!(p.slots() <= 128);
            assert!(p.probability(t - 0.2) < 0.5, "{t} {p:?}");
            assert!(p.probability((t + 0.2).min(1.0)) > 0.5, "{t} {p:?}");
        }
    }

    #[test]
    fn equal_bands_equal_keys() {
        let p = LshParams { bands: 4, rows: 2 };
        let a = [1, 2, 3, 4, 5, 6, 7, 8];
        let b = [1, 2, 9, 9, 5, 6, 9, 9];
        let (mut ka, mut kb) = (vec![], vec![]);
        p.keys(&a, |_, k| ka.push(k));
        p.keys(&b, |_, k| kb.push(k));
        assert_eq!(ka[0], kb[0]);
        assert_ne!(ka[1], kb[1]);
        assert_eq!(ka[2], kb[2]);
        // The same rows in a different band give a different key.
        assert_ne!(ka[0], ka[1]);
    }
}
