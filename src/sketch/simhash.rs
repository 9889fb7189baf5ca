//! Random-hyperplane (SimHash) signatures of embedding vectors, banded like MinHash signatures.
//!
//! Slot `i` is 1 when the vector lies on the positive side of hyperplane `i`. Two vectors at
//! angle `θ` agree in a slot with probability `1 − θ/π` (cosine 0.8 → 0.80, 0.6 → 0.70, 0.3 →
//! 0.60), so the banding stage's S-curve applies unchanged with that agreement as the
//! similarity. The hyperplanes have ±1 components drawn from a seeded hash: the same seed gives
//! the same signatures on every machine.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Hyperplanes for signatures of `bits` slots over vectors of `dim` components.
#[derive(Debug, Clone)]
pub struct SimHasher {
    dim: usize,
    /// `bits × dim` signs, one row per hyperplane.
    planes: Vec<f32>,
}

impl SimHasher {
    /// `bits` hyperplanes in `dim` dimensions from `seed`.
    pub fn new(bits: usize, dim: usize, seed: u64) -> SimHasher {
        let mut planes = Vec::with_capacity(bits * dim);
        for i in 0..bits {
            for chunk in 0..dim.div_ceil(64) {
                let word =
                    xxh3_64_with_seed(&((i * 1024 + chunk) as u64).to_le_bytes(), seed ^ 0x51_3A5E);
                for b in 0..64.min(dim - chunk * 64) {
                    planes.push(if word >> b & 1 == 1 { 1.0 } else { -1.0 });
                }
            }
        }
        SimHasher { dim, planes }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.planes.len() / self.dim.max(1)
    }

    /// Whether the signature has no slots.
    pub fn is_empty(&self) -> bool {
        self.planes.is_empty()
    }

    /// The signature of `v`: one slot (0 or 1) per hyperplane.
    pub fn sketch(&self, v: &[f32]) -> Box<[u32]> {
        assert_eq!(v.len(), self.dim);
        self.planes
            .chunks_exact(self.dim)
            .map(|p| (p.iter().zip(v).map(|(a, b)| a * b).sum::<f32>() > 0.0) as u32)
            .collect()
    }
}

/// Chance that one slot agrees for vectors of cosine `c`.
pub fn slot_agreement(c: f64) -> f64 {
    1.0 - c.clamp(-1.0, 1.0).acos() / std::f64::consts::PI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_tracks_the_angle() {
        let h = SimHasher::new(2048, 64, 7);
        let a: Vec<f32> = (0..64).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> =
            (0..64).map(|i| (i as f32 * 0.37).sin() + 0.8 * (i as f32 * 1.9).cos()).collect();
        let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let c = dot
            / (a.iter().map(|x| x * x).sum::<f32>().sqrt()
                * b.iter().map(|x| x * x).sum::<f32>().sqrt());
        let (sa, sb) = (h.sketch(&a), h.sketch(&b));
        let agree = sa.iter().zip(sb.iter()).filter(|(x, y)| x == y).count() as f64 / 2048.0;
        assert!(
            (agree - slot_agreement(c as f64)).abs() < 0.04,
            "{agree} vs {}",
            slot_agreement(c as f64)
        );
        assert_eq!(h.sketch(&a), SimHasher::new(2048, 64, 7).sketch(&a), "deterministic");
    }
}
