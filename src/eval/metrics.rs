//! Clustering and ranking scores against gold labels.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

fn pairs(n: u64) -> f64 {
    (n as f64) * (n as f64 - 1.0) / 2.0
}

/// Scores of a predicted clustering against gold clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ClusterScores {
    /// Items scored.
    pub items: usize,
    /// Gold clusters among them.
    pub gold_clusters: usize,
    /// Predicted clusters among them.
    pub predicted_clusters: usize,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Pairwise precision (same predicted cluster → same gold cluster).
    pub pair_precision: f64,
    /// Pairwise recall.
    pub pair_recall: f64,
    /// Pairwise F1.
    pub pair_f1: f64,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 1.0 }
}

/// Scores `pred` against `gold` (same length, labels of any hashable type).
pub fn cluster_scores<G: Eq + Hash, P: Eq + Hash>(gold: &[G], pred: &[P]) -> ClusterScores {
    assert_eq!(gold.len(), pred.len(), "gold and predicted labels differ in length");
    let n = gold.len();
    let mut cell: HashMap<(&G, &P), u64> = HashMap::new();
    let mut gsize: HashMap<&G, u64> = HashMap::new();
    let mut psize: HashMap<&P, u64> = HashMap::new();
    for (g, p) in gold.iter().zip(pred) {
        *cell.entry((g, p)).or_insert(0) += 1;
        *gsize.entry(g).or_insert(0) += 1;
        *psize.entry(p).or_insert(0) += 1;
    }
    let index: f64 = cell.values().map(|&c| pairs(c)).sum();
    let sum_g: f64 = gsize.values().map(|&c| pairs(c)).sum();
    let sum_p: f64 = psize.values().map(|&c| pairs(c)).sum();
    let total = pairs(n as u64);
    let expected = if total > 0.0 { sum_g * sum_p / total } else { 0.0 };
    let max = (sum_g + sum_p) / 2.0;
    let ari =
        if (max - expected).abs() < 1e-12 { 1.0 } else { (index - expected) / (max - expected) };
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(g, p), &c) in &cell {
        bp += c as f64 * c as f64 / psize[p] as f64;
        br += c as f64 * c as f64 / gsize[g] as f64;
    }
    let (pp, pr) = (ratio(index, sum_p), ratio(index, sum_g));
    let (bp, br) = (ratio(bp, n as f64), ratio(br, n as f64));
    ClusterScores {
        items: n,
        gold_clusters: gsize.len(),
        predicted_clusters: psize.len(),
        ari,
        pair_precision: pp,
        pair_recall: pr,
        pair_f1: f1(pp, pr),
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
    }
}

/// Pairwise precision and recall over pairs of items in *different* languages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CrossScores {
    /// Cross-language pairs in the same gold cluster.
    pub gold_pairs: f64,
    /// Cross-language pairs in the same predicted cluster.
    pub predicted_pairs: f64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// Cross-language pair scores.
pub fn cross_language_scores<G: Eq + Hash, P: Eq + Hash, L: Eq + Hash>(
    gold: &[G],
    pred: &[P],
    lang: &[L],
) -> CrossScores {
    // Pairs in a group that straddle languages = all pairs − same-language pairs.
    fn cross<K: Eq + Hash, L: Eq + Hash>(keys: impl Iterator<Item = (K, L)>) -> f64 {
        let mut by: HashMap<K, HashMap<L, u64>> = HashMap::new();
        for (k, l) in keys {
            *by.entry(k).or_default().entry(l).or_insert(0) += 1;
        }
        by.values()
            .map(|ls| pairs(ls.values().sum()) - ls.values().map(|&c| pairs(c)).sum::<f64>())
            .sum()
    }
    let g = cross(gold.iter().zip(lang));
    let p = cross(pred.iter().zip(lang));
    let tp = cross(gold.iter().zip(pred).zip(lang));
    let (precision, recall) = (ratio(tp, p), ratio(tp, g));
    CrossScores { gold_pairs: g, predicted_pairs: p, precision, recall, f1: f1(precision, recall) }
}

/// Spearman rank correlation (ties get their average rank).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let avg = (i + j) as f64 / 2.0 + 1.0;
            for &k in &idx[i..=j] {
                r[k] = avg;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

/// Share of the true pairs found when all scored pairs are ranked by score and cut at the
/// deepest rank where precision is still at least `precision`. Ties count pessimistically
/// (within equal scores, false pairs rank first).
pub fn recall_at_precision(scored: &[(f32, bool)], precision: f64) -> f64 {
    let mut order: Vec<&(f32, bool)> = scored.iter().collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let positives = scored.iter().filter(|p| p.1).count();
    if positives == 0 {
        return 0.0;
    }
    let (mut tp, mut best) = (0usize, 0usize);
    for (rank, p) in order.iter().enumerate() {
        tp += p.1 as usize;
        if tp as f64 >= precision * (rank + 1) as f64 {
            best = tp;
        }
    }
    best as f64 / positives as f64
}

/// Hubness correction (CSLS, Conneau et al. 2018) of a score matrix of `rows × cols`:
/// `2·s − r(row) − r(col)`, where `r` is the mean of a row's (column's) `k` best scores. A
/// document that is close to everything (boilerplate, a generic text) loses its advantage.
pub fn csls(scores: &[f32], rows: usize, cols: usize, k: usize) -> Vec<f32> {
    let top_mean = |mut v: Vec<f32>| {
        v.sort_by(|a, b| b.total_cmp(a));
        let k = k.min(v.len()).max(1);
        v[..k].iter().sum::<f32>() / k as f32
    };
    let r: Vec<f32> =
        (0..rows).map(|i| top_mean(scores[i * cols..(i + 1) * cols].to_vec())).collect();
    let c: Vec<f32> =
        (0..cols).map(|j| top_mean((0..rows).map(|i| scores[i * cols + j]).collect())).collect();
    (0..rows * cols).map(|x| 2.0 * scores[x] - r[x / cols] - c[x % cols]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_trivial_clusterings() {
        let gold = [1, 1, 2, 2, 3];
        let s = cluster_scores(&gold, &["a", "a", "b", "b", "c"]);
        assert!((s.ari - 1.0).abs() < 1e-12);
        assert_eq!(s.pair_f1, 1.0);
        assert_eq!(s.bcubed_f1, 1.0);
        let all = cluster_scores(&gold, &[0; 5]);
        assert!(all.ari.abs() < 1e-12);
        assert_eq!(all.pair_recall, 1.0);
        assert!((all.pair_precision - 0.2).abs() < 1e-12);
    }

    #[test]
    fn ari_matches_a_hand_computed_case() {
        // sklearn.metrics.adjusted_rand_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.24242...
        let s = cluster_scores(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((s.ari - 0.242_424_242).abs() < 1e-6, "{}", s.ari);
    }

    #[test]
    fn cross_language_pairs() {
        let gold = [1, 1, 1, 2];
        let lang = ["ar", "en", "ar", "en"];
        let c = cross_language_scores(&gold, &[1, 1, 2, 2], &lang);
        assert_eq!(c.gold_pairs, 2.0);
        assert_eq!(c.predicted_pairs, 2.0);
        assert_eq!(c.precision, 0.5);
        assert_eq!(c.recall, 0.5);
    }

    #[test]
    fn spearman_of_monotone_and_reversed() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 35.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn recall_at_precision_cuts_where_precision_holds() {
        let scored = [(0.9, true), (0.8, true), (0.7, false), (0.6, true), (0.5, false)];
        assert_eq!(recall_at_precision(&scored, 0.99), 2.0 / 3.0);
        assert_eq!(recall_at_precision(&scored, 0.75), 1.0);
        // A tie between a true and a false pair counts against the true one.
        assert_eq!(recall_at_precision(&[(0.9, true), (0.9, false)], 0.99), 0.0);
        assert_eq!(recall_at_precision(&[(0.9, false)], 0.5), 0.0);
    }

    #[test]
    fn csls_takes_the_hub_down() {
        // Column 0 is close to every row (a hub); row 1's true match is column 1.
        let s = [0.9, 0.1, 0.85, 0.82];
        let plain_best_row1 = if s[2] > s[3] { 0 } else { 1 };
        assert_eq!(plain_best_row1, 0);
        let c = csls(&s, 2, 2, 1);
        assert!(c[3] > c[2], "{c:?}");
    }
}
