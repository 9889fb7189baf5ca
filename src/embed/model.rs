//! The USE multilingual v3 forward pass: a deep averaging network over token embeddings and
//! n-gram convolutions, 512 dimensions out.
//!
//! Per sentence (`<s>` pieces `</s>`):
//!
//! 1. each token's 512-wide embedding, dequantized from a uint8 table (17 interleaved chunks,
//!    each with its own scale and offset);
//! 2. a projection to three 256-wide branches (for 2-, 3- and 5-grams), layer-normalized together;
//! 3. per branch, two convolutions over the n-gram window around each token (zero outside the
//!    sentence), each `relu(window · W + b)` plus a residual;
//! 4. `[embedding | branch 2 | branch 3 | branch 5]` layer-normalized, summed over the tokens,
//!    projected, scaled by `1/√len`;
//! 5. three dense layers with skip connections, `tanh`, and L2 normalization.
//!
//! Sentences are processed in micro-batches of about [`TOKEN_BUDGET`] tokens so each weight
//! matrix is streamed once per batch; the matrix products are `matrixmultiply`'s SGEMM, which
//! picks AVX2/FMA kernels at run time.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::int8;
use super::npz::Array;
use crate::{Error, Result};

/// Output dimensions.
pub const DIM: usize = 512;
const CHUNKS: usize = 17;
const BRANCH: usize = 256;
const PROJ: usize = 3 * BRANCH;
const FEAT: usize = DIM + PROJ;
const HIDDEN: usize = 320;
/// Tokens per micro-batch (a longer sentence is a batch of its own).
pub const TOKEN_BUDGET: usize = 512;
/// (n-gram order, left context) of the three convolution branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];

struct Branch {
    order: usize,
    left: usize,
    /// The first convolution's weights with its window slots side by side: `BRANCH × order·BRANCH`,
    /// columns `k·BRANCH..` multiply the token in slot `k`.
    w1_slots: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
    /// The second convolution's weights as 8-bit integers, slots side by side like `w1_slots`
    /// (when the CPU has VNNI).
    w2_i8: Option<int8::PackedI8>,
}

/// The network's weights, dequantized where the reference dequantizes them.
pub struct Network {
    /// Embedding table, one 512-byte row per piece id.
    table: Vec<u8>,
    scale: [f32; CHUNKS],
    lo: [f32; CHUNKS],
    proj_w: Vec<f32>,
    proj_b: Vec<f32>,
    ln_g_all: Vec<f32>,
    ln_b_all: Vec<f32>,
    branches: Vec<Branch>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Vec<f32>,
    cnn_b: Vec<f32>,
    d0: Vec<f32>,
    d1: Vec<f32>,
    d2: Vec<f32>,
    d3: Vec<f32>,
    p1: Vec<f32>,
    p3: Vec<f32>,
    eps: f32,
    /// Per piece id, what depends on the id alone (see [`Network::token_rows`]), computed on
    /// first use for up to [`CACHED_IDS`] ids.
    cache: Vec<OnceLock<Box<[f32]>>>,
    cached: AtomicUsize,
}

/// Piece ids whose per-id rows are kept (13 KB each: at most 218 MB). Pieces follow Zipf's law,
/// so the first ids met cover most tokens of what follows.
pub const CACHED_IDS: usize = 16_384;
/// Width of a per-id row: the projected branches (`PROJ`), then each branch's first-convolution
/// products per window slot (`(2 + 3 + 5) × BRANCH`).
const ROW: usize = PROJ + 10 * BRANCH;

/// Offset of branch `i`'s slot products in a per-id row.
fn slot_offset(i: usize) -> usize {
    PROJ + ORDERS[..i].iter().map(|o| o.0).sum::<usize>() * BRANCH
}

impl Network {
    /// Builds the network from the arrays of `weights.npz`, checking every shape.
    pub fn from_arrays(mut arrays: HashMap<String, Array>) -> Result<Network> {
        // The chunk height decides the vocabulary: 17 chunks of equal height.
        let rows_per_chunk = arrays
            .get("q1")
            .and_then(|a| a.shape.first().copied())
            .ok_or_else(|| Error::Model("weights.npz has no array q1".into()))?;
        let mut take = |name: &str, shape: &[usize]| -> Result<Array> {
            let a = arrays
                .remove(name)
                .ok_or_else(|| Error::Model(format!("weights.npz has no array {name}")))?;
            if a.shape != shape {
                return Err(Error::Model(format!(
                    "weights.npz: {name} has shape {:?}, expected {shape:?}",
                    a.shape
                )));
            }
            Ok(a)
        };
        let vocab = rows_per_chunk * CHUNKS;
        let mut table = vec![0u8; vocab * DIM];
        for c in 0..CHUNKS {
            let q = take(&format!("q{}", c + 1), &[rows_per_chunk, DIM])?;
            if q.descr != "|u1" {
                return Err(Error::Model(format!(
                    "weights.npz: q{} is {}, expected uint8",
                    c + 1,
                    q.descr
                )));
            }
            for (k, row) in q.data.chunks_exact(DIM).enumerate() {
                let id = k * CHUNKS + c;
                table[id * DIM..(id + 1) * DIM].copy_from_slice(row);
            }
        }
        let mut f =
            |name: &str, shape: &[usize]| -> Result<Vec<f32>> { take(name, shape)?.f32s(name) };
        let scale: [f32; CHUNKS] = f("scale", &[CHUNKS])?.try_into().unwrap();
        let lo: [f32; CHUNKS] = f("lo", &[CHUNKS])?.try_into().unwrap();
        let mut proj_w = vec![0f32; DIM * PROJ];
        let mut proj_b = Vec::with_capacity(PROJ);
        let mut ln_g_all = Vec::with_capacity(PROJ);
        let mut ln_b_all = Vec::with_capacity(PROJ);
        let mut branches = Vec::new();
        for (i, &(order, left)) in ORDERS.iter().enumerate() {
            let w = f(&format!("proj{order}"), &[DIM, BRANCH])?;
            for r in 0..DIM {
                proj_w[r * PROJ + i * BRANCH..r * PROJ + (i + 1) * BRANCH]
                    .copy_from_slice(&w[r * BRANCH..(r + 1) * BRANCH]);
            }
            proj_b.extend(f(&format!("proj_b{order}"), &[BRANCH])?);
            ln_g_all.extend(f(&format!("ln_g{order}"), &[BRANCH])?);
            ln_b_all.extend(f(&format!("ln_b{order}"), &[BRANCH])?);
            let w1 = f(&format!("w1_{order}"), &[order * BRANCH, BRANCH])?;
            let w1_slots = slots_side_by_side(&w1, order);
            let w2 = f(&format!("w2_{order}"), &[order * BRANCH, BRANCH])?;
            let w2_i8 = int8::available().then(|| {
                int8::PackedI8::new(&slots_side_by_side(&w2, order), BRANCH, order * BRANCH)
            });
            branches.push(Branch {
                order,
                left,
                w1_slots,
                w2,
                w2_i8,
                b1: f(&format!("b1_{order}"), &[BRANCH])?,
                b2: f(&format!("b2_{order}"), &[BRANCH])?,
            });
        }
        Ok(Network {
            table,
            scale,
            lo,
            proj_w,
            proj_b,
            ln_g_all,
            ln_b_all,
            branches,
            ln_g: f("ln_g", &[FEAT])?,
            ln_b: f("ln_b", &[FEAT])?,
            cnn_w: f("cnn_W", &[FEAT, DIM])?,
            cnn_b: f("cnn_b", &[DIM])?,
            d0: f("d0", &[DIM, HIDDEN])?,
            d1: f("d1", &[HIDDEN, HIDDEN])?,
            p1: f("p1", &[DIM, HIDDEN])?,
            d2: f("d2", &[HIDDEN, DIM])?,
            p3: f("p3", &[HIDDEN, DIM])?,
            d3: f("d3", &[DIM, DIM])?,
            eps: f("eps", &[])?[0],
            cache: (0..vocab).map(|_| OnceLock::new()).collect(),
            cached: AtomicUsize::new(0),
        })
    }

    /// Drops the 8-bit weights: the second convolution then runs in f32 on every CPU (slower,
    /// and closer to the reference: cosine ≥ 0.99999 instead of ≥ 0.9997).
    pub fn without_int8(mut self) -> Network {
        self.branches.iter_mut().for_each(|b| b.w2_i8 = None);
        self
    }

    /// Whether the second convolution runs on 8-bit VNNI kernels.
    pub fn uses_int8(&self) -> bool {
        self.branches.iter().all(|b| b.w2_i8.is_some())
    }

    /// Number of rows of the embedding table (the tokenizer's ids must stay below it).
    pub fn vocab_size(&self) -> usize {
        self.table.len() / DIM
    }

    /// The dequantized embedding of piece `id`.
    fn embedding(&self, id: usize, out: &mut [f32]) {
        let c = id % CHUNKS;
        let (scale, lo) = (self.scale[c], self.lo[c]);
        let q = &self.table[id * DIM..(id + 1) * DIM];
        for (e, &b) in out.iter_mut().zip(q) {
            *e = b as f32 * scale + lo;
        }
    }

    /// What depends on a token's id alone, per token of `ids`: the layer-normalized projection
    /// (`PROJ`), and for each branch and window slot `k` the product of the projection with the
    /// first convolution's weights for that slot. The first convolution of a token is then
    /// the sum of its window's slot products, without a matrix product per token. Rows come
    /// from the cache, or are computed here for the batch's distinct missing ids (and cached
    /// while there is room). Returns the rows computed here and, per token, its row among them
    /// (`None`: in the cache).
    fn token_rows(&self, ids: &[usize]) -> (Vec<f32>, Vec<Option<usize>>) {
        let mut missing: Vec<usize> =
            ids.iter().copied().filter(|&id| self.cache[id].get().is_none()).collect();
        missing.sort_unstable();
        missing.dedup();
        let m = missing.len();
        let mut local = vec![0f32; m * ROW];
        if m > 0 {
            let mut emb = vec![0f32; m * DIM];
            for (k, &id) in missing.iter().enumerate() {
                self.embedding(id, &mut emb[k * DIM..(k + 1) * DIM]);
            }
            let mut x = vec![0f32; m * PROJ];
            broadcast_rows(&mut x, &self.proj_b);
            gemm(m, DIM, PROJ, &emb, DIM, &self.proj_w, &mut x, PROJ, 1.0);
            layernorm(&mut x, PROJ, &self.ln_g_all, &self.ln_b_all, self.eps);
            for k in 0..m {
                local[k * ROW..k * ROW + PROJ].copy_from_slice(&x[k * PROJ..(k + 1) * PROJ]);
            }
            for (i, br) in self.branches.iter().enumerate() {
                let off = slot_offset(i);
                let width = br.order * BRANCH;
                gemm(
                    m,
                    BRANCH,
                    width,
                    &x[i * BRANCH..],
                    PROJ,
                    &br.w1_slots,
                    &mut local[off..],
                    ROW,
                    0.0,
                );
            }
        }
        let mut local_of = vec![None; ids.len()];
        let mut kept = vec![false; m];
        for (k, &id) in missing.iter().enumerate() {
            if self.cached.load(Ordering::Relaxed) < CACHED_IDS
                && self.cache[id].set(local[k * ROW..(k + 1) * ROW].into()).is_ok()
            {
                self.cached.fetch_add(1, Ordering::Relaxed);
                kept[k] = true;
            }
        }
        for (r, &id) in ids.iter().enumerate() {
            if let Ok(k) = missing.binary_search(&id)
                && !kept[k]
            {
                local_of[r] = Some(k);
            }
        }
        (local, local_of)
    }

    /// Embeds tokenized sentences, writing one unit vector of [`DIM`] per sentence into `out`.
    /// The per-token work runs in micro-batches of about [`TOKEN_BUDGET`] tokens; the dense
    /// head once for all sentences (its weights are then packed once).
    pub fn forward(&self, sentences: &[&[u32]], out: &mut [f32]) {
        assert_eq!(out.len(), sentences.len() * DIM);
        let mut sums = vec![0f32; sentences.len() * FEAT];
        let (mut first, mut used) = (0, 0);
        for i in 0..=sentences.len() {
            if i == sentences.len() || (i > first && used + sentences[i].len() > TOKEN_BUDGET) {
                if i > first {
                    self.token_sums(&sentences[first..i], &mut sums[first * FEAT..i * FEAT]);
                }
                (first, used) = (i, 0);
            }
            if i < sentences.len() {
                used += sentences[i].len();
            }
        }
        let lens: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
        self.head(&sums, &lens, out);
    }

    /// Per sentence, the sum of its tokens' layer-normalized features (`FEAT` each) into
    /// `sums`. The element-wise work is compiled twice and picked at run time: with AVX2 and
    /// FMA where the CPU has them, and for baseline x86-64.
    fn token_sums(&self, sentences: &[&[u32]], sums: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { self.token_sums_avx2(sentences, sums) };
        }
        self.token_sums_portable(sentences, sums)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn token_sums_avx2(&self, sentences: &[&[u32]], sums: &mut [f32]) {
        self.token_sums_portable(sentences, sums)
    }

    #[inline(always)]
    fn token_sums_portable(&self, sentences: &[&[u32]], sums: &mut [f32]) {
        let lens: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
        let t: usize = lens.iter().sum();
        let s = sentences.len();
        let vocab = self.vocab_size();

        let ids: Vec<usize> = sentences
            .iter()
            .flat_map(|s| s.iter())
            .map(|&id| (id as usize).min(vocab - 1))
            .collect();
        // feats = [embedding | branch outputs]; the embedding part is written first.
        let mut feats = vec![0f32; t * FEAT];
        for (row, &id) in ids.iter().enumerate() {
            self.embedding(id, &mut feats[row * FEAT..row * FEAT + DIM]);
        }
        let (local, local_of) = self.token_rows(&ids);
        let row = |r: usize| -> &[f32] {
            match local_of[r] {
                Some(k) => &local[k * ROW..(k + 1) * ROW],
                None => self.cache[ids[r]].get().expect("cached row"),
            }
        };

        let mut starts = Vec::with_capacity(s);
        let mut acc = 0;
        for &l in &lens {
            starts.push(acc);
            acc += l;
        }
        let max_cols = ORDERS.iter().map(|o| o.0).max().unwrap() * BRANCH;
        // Window gathers for the f32 path only (without VNNI).
        let mut cols = if self.branches.iter().all(|b| b.w2_i8.is_some()) {
            Vec::new()
        } else {
            vec![0f32; t * max_cols]
        };
        let mut h = vec![0f32; t * BRANCH];
        let mut c2 = vec![0f32; t * BRANCH];
        let (mut hq, mut prod) = (Vec::new(), Vec::new());
        for (i, br) in self.branches.iter().enumerate() {
            let width = br.order * BRANCH;
            // First convolution: the window's per-id slot products summed, relu, residual.
            let slots = slot_offset(i);
            for (&start, &len) in starts.iter().zip(&lens) {
                for t in start..start + len {
                    let dst = &mut h[t * BRANCH..(t + 1) * BRANCH];
                    dst.copy_from_slice(&br.b1);
                    for k in 0..br.order {
                        let Some(p) =
                            (t + k).checked_sub(br.left).filter(|&p| p >= start && p < start + len)
                        else {
                            continue;
                        };
                        let a = &row(p)[slots + k * BRANCH..slots + (k + 1) * BRANCH];
                        dst.iter_mut().zip(a).for_each(|(d, &v)| *d += v);
                    }
                    let xs = &row(t)[i * BRANCH..(i + 1) * BRANCH];
                    dst.iter_mut().zip(xs).for_each(|(d, &res)| *d = d.max(0.0) + res);
                }
            }
            // Second convolution over the first one's output.
            broadcast_rows(&mut c2, &br.b2);
            match &br.w2_i8 {
                Some(packed) => {
                    // 8-bit: every token's products with each slot's weights at once, then
                    // each window's slot products summed, as for the first convolution.
                    let scales = int8::quantize_rows(&h, BRANCH, &mut hq);
                    prod.resize(t * width, 0);
                    int8::gemm_u8i8(&hq, t, packed, &mut prod);
                    for (&start, &len) in starts.iter().zip(&lens) {
                        for t in start..start + len {
                            let dst = &mut c2[t * BRANCH..(t + 1) * BRANCH];
                            for k in 0..br.order {
                                let Some(p) = (t + k)
                                    .checked_sub(br.left)
                                    .filter(|&p| p >= start && p < start + len)
                                else {
                                    continue;
                                };
                                let sc = scales[p] * packed.scale;
                                let src =
                                    &prod[p * width + k * BRANCH..p * width + (k + 1) * BRANCH];
                                dst.iter_mut().zip(src).for_each(|(d, &v)| *d += v as f32 * sc);
                            }
                        }
                    }
                }
                None => {
                    window(&h, BRANCH, 0, &starts, &lens, br, &mut cols[..t * width]);
                    gemm(t, width, BRANCH, &cols, width, &br.w2, &mut c2, BRANCH, 1.0);
                }
            }
            let off = DIM + i * BRANCH;
            for r in 0..t {
                let dst = &mut feats[r * FEAT + off..r * FEAT + off + BRANCH];
                for ((d, &v), &res) in dst
                    .iter_mut()
                    .zip(&c2[r * BRANCH..(r + 1) * BRANCH])
                    .zip(&h[r * BRANCH..(r + 1) * BRANCH])
                {
                    *d = v.max(0.0) + res;
                }
            }
        }
        drop((cols, h, c2));
        layernorm(&mut feats, FEAT, &self.ln_g, &self.ln_b, self.eps);

        // Sum the tokens of each sentence; the projection comes after, in `head` (the sum
        // commutes with it).
        sums.fill(0.0);
        for (k, (&start, &len)) in starts.iter().zip(&lens).enumerate() {
            let dst = &mut sums[k * FEAT..(k + 1) * FEAT];
            for r in start..start + len {
                for (d, &v) in dst.iter_mut().zip(&feats[r * FEAT..(r + 1) * FEAT]) {
                    *d += v;
                }
            }
        }
    }

    /// The dense head over per-sentence token sums (`FEAT` each) of sentences `lens` tokens
    /// long: projection, scaling by `1/√len`, three dense layers, `tanh`, unit length.
    fn head(&self, sums: &[f32], lens: &[usize], out: &mut [f32]) {
        let s = lens.len();
        let mut mean = vec![0f32; s * DIM];
        gemm(s, FEAT, DIM, sums, FEAT, &self.cnn_w, &mut mean, DIM, 0.0);
        for (k, &len) in lens.iter().enumerate() {
            let n = len as f32;
            let inv = 1.0 / n.sqrt();
            for (m, &b) in mean[k * DIM..(k + 1) * DIM].iter_mut().zip(&self.cnn_b) {
                *m = (*m + n * b) * inv;
            }
        }
        let mut y0 = vec![0f32; s * HIDDEN];
        gemm(s, DIM, HIDDEN, &mean, DIM, &self.d0, &mut y0, HIDDEN, 0.0);
        relu(&mut y0);
        let mut y1 = vec![0f32; s * HIDDEN];
        gemm(s, DIM, HIDDEN, &mean, DIM, &self.p1, &mut y1, HIDDEN, 0.0);
        gemm(s, HIDDEN, HIDDEN, &y0, HIDDEN, &self.d1, &mut y1, HIDDEN, 1.0);
        relu(&mut y1);
        let mut y2 = vec![0f32; s * DIM];
        gemm(s, HIDDEN, DIM, &y1, HIDDEN, &self.d2, &mut y2, DIM, 0.0);
        relu(&mut y2);
        out.fill(0.0);
        gemm(s, HIDDEN, DIM, &y1, HIDDEN, &self.p3, out, DIM, 0.0);
        gemm(s, DIM, DIM, &y2, DIM, &self.d3, out, DIM, 1.0);
        for z in out.chunks_exact_mut(DIM) {
            let mut norm = 0f32;
            for v in z.iter_mut() {
                *v = v.tanh();
                norm += *v * *v;
            }
            let inv = 1.0 / norm.max(self.eps).sqrt();
            z.iter_mut().for_each(|v| *v *= inv);
        }
    }
}

/// A convolution's `order·BRANCH × BRANCH` weights rearranged to `BRANCH × order·BRANCH`: the
/// rows that multiply window slot `k` become columns `k·BRANCH..(k+1)·BRANCH`, so one product
/// of a token's vector with this gives its contribution to every slot.
fn slots_side_by_side(w: &[f32], order: usize) -> Vec<f32> {
    let mut out = vec![0f32; BRANCH * order * BRANCH];
    for k in 0..order {
        for r in 0..BRANCH {
            let src = &w[(k * BRANCH + r) * BRANCH..(k * BRANCH + r + 1) * BRANCH];
            let row = r * order * BRANCH + k * BRANCH;
            out[row..row + BRANCH].copy_from_slice(src);
        }
    }
    out
}

/// Gathers, for every token, the `order` rows of its n-gram window from `src` (columns
/// `col..col + BRANCH` of rows `stride` wide); window slots outside the token's sentence are 0.
#[inline(always)]
fn window(
    src: &[f32],
    stride: usize,
    col: usize,
    starts: &[usize],
    lens: &[usize],
    br: &Branch,
    out: &mut [f32],
) {
    let width = br.order * BRANCH;
    for (&start, &len) in starts.iter().zip(lens) {
        for t in start..start + len {
            let row = &mut out[t * width..(t + 1) * width];
            for k in 0..br.order {
                let dst = &mut row[k * BRANCH..(k + 1) * BRANCH];
                let pos = (t + k).checked_sub(br.left);
                match pos {
                    Some(p) if p >= start && p < start + len => {
                        dst.copy_from_slice(&src[p * stride + col..p * stride + col + BRANCH])
                    }
                    _ => dst.fill(0.0),
                }
            }
        }
    }
}

#[inline(always)]
fn broadcast_rows(m: &mut [f32], row: &[f32]) {
    for r in m.chunks_exact_mut(row.len()) {
        r.copy_from_slice(row);
    }
}

#[inline(always)]
fn relu(m: &mut [f32]) {
    m.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Layer normalization over rows `dim` wide, in place.
#[inline(always)]
fn layernorm(m: &mut [f32], dim: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in m.chunks_exact_mut(dim) {
        let mean = lanes_sum(row, |v| v) / dim as f32;
        row.iter_mut().for_each(|v| *v -= mean);
        let var = lanes_sum(row, |v| v * v);
        let inv = 1.0 / (var / dim as f32 + eps).sqrt();
        for ((v, &g), &b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = *v * inv * g + b;
        }
    }
}

/// `Σ f(x)` over `xs` in 8 interleaved partial sums, so the compiler can vectorize it.
#[inline(always)]
fn lanes_sum(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = xs.chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().map(|&x| f(x)).sum();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += f(x);
        }
    }
    acc.iter().sum::<f32>() + rest
}

/// `c = a · b + beta · c` for row-major `a` (m×k, rows `lda` apart), `b` (k×n) and `c` (m×n,
/// rows `ldc` apart).
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    lda: usize,
    b: &[f32],
    c: &mut [f32],
    ldc: usize,
    beta: f32,
) {
    if m == 0 {
        return;
    }
    assert!(a.len() >= (m - 1) * lda + k && b.len() >= k * n && c.len() >= (m - 1) * ldc + n);
    // SAFETY: the assertion above keeps every index sgemm touches inside the three slices.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            lda as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            beta,
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}
