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
pub const TOKEN_BUDGET: usize = 384;
/// (n-gram order, left context) of the three convolution branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];

struct Branch {
    order: usize,
    left: usize,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
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
            branches.push(Branch {
                order,
                left,
                w1: f(&format!("w1_{order}"), &[order * BRANCH, BRANCH])?,
                b1: f(&format!("b1_{order}"), &[BRANCH])?,
                w2: f(&format!("w2_{order}"), &[order * BRANCH, BRANCH])?,
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
        })
    }

    /// Number of rows of the embedding table (the tokenizer's ids must stay below it).
    pub fn vocab_size(&self) -> usize {
        self.table.len() / DIM
    }

    /// Embeds a micro-batch of tokenized sentences, writing one unit vector of [`DIM`] per
    /// sentence into `out`.
    pub fn forward(&self, sentences: &[&[u32]], out: &mut [f32]) {
        let lens: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
        let t: usize = lens.iter().sum();
        let s = sentences.len();
        assert_eq!(out.len(), s * DIM);
        let vocab = self.vocab_size();

        // feats = [embedding | branch outputs]; the embedding part is written first.
        let mut feats = vec![0f32; t * FEAT];
        for (row, &id) in sentences.iter().flat_map(|s| s.iter()).enumerate() {
            let id = (id as usize).min(vocab - 1);
            let c = id % CHUNKS;
            let (scale, lo) = (self.scale[c], self.lo[c]);
            let q = &self.table[id * DIM..(id + 1) * DIM];
            for (e, &b) in feats[row * FEAT..row * FEAT + DIM].iter_mut().zip(q) {
                *e = b as f32 * scale + lo;
            }
        }
        let mut x = vec![0f32; t * PROJ];
        broadcast_rows(&mut x, &self.proj_b);
        gemm(t, DIM, PROJ, &feats, FEAT, &self.proj_w, &mut x, PROJ, 1.0);
        layernorm(&mut x, PROJ, &self.ln_g_all, &self.ln_b_all, self.eps);

        let mut starts = Vec::with_capacity(s);
        let mut acc = 0;
        for &l in &lens {
            starts.push(acc);
            acc += l;
        }
        let max_cols = ORDERS.iter().map(|o| o.0).max().unwrap() * BRANCH;
        let mut cols = vec![0f32; t * max_cols];
        let mut h = vec![0f32; t * BRANCH];
        let mut c2 = vec![0f32; t * BRANCH];
        for (i, br) in self.branches.iter().enumerate() {
            let width = br.order * BRANCH;
            // first convolution over the projected branch
            window(&x, PROJ, i * BRANCH, &starts, &lens, br, &mut cols[..t * width]);
            broadcast_rows(&mut h, &br.b1);
            gemm(t, width, BRANCH, &cols, width, &br.w1, &mut h, BRANCH, 1.0);
            for (r, row) in h.chunks_exact_mut(BRANCH).enumerate() {
                let xs = &x[r * PROJ + i * BRANCH..r * PROJ + (i + 1) * BRANCH];
                for (v, &res) in row.iter_mut().zip(xs) {
                    *v = v.max(0.0) + res;
                }
            }
            // second convolution over the first one's output
            window(&h, BRANCH, 0, &starts, &lens, br, &mut cols[..t * width]);
            broadcast_rows(&mut c2, &br.b2);
            gemm(t, width, BRANCH, &cols, width, &br.w2, &mut c2, BRANCH, 1.0);
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
        drop((x, cols, h, c2));
        layernorm(&mut feats, FEAT, &self.ln_g, &self.ln_b, self.eps);

        // Sum the tokens of each sentence, then project (the sum commutes with the projection).
        let mut sums = vec![0f32; s * FEAT];
        for (k, (&start, &len)) in starts.iter().zip(&lens).enumerate() {
            let dst = &mut sums[k * FEAT..(k + 1) * FEAT];
            for r in start..start + len {
                for (d, &v) in dst.iter_mut().zip(&feats[r * FEAT..(r + 1) * FEAT]) {
                    *d += v;
                }
            }
        }
        let mut mean = vec![0f32; s * DIM];
        gemm(s, FEAT, DIM, &sums, FEAT, &self.cnn_w, &mut mean, DIM, 0.0);
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

/// Gathers, for every token, the `order` rows of its n-gram window from `src` (columns
/// `col..col + BRANCH` of rows `stride` wide); window slots outside the token's sentence are 0.
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

fn broadcast_rows(m: &mut [f32], row: &[f32]) {
    for r in m.chunks_exact_mut(row.len()) {
        r.copy_from_slice(row);
    }
}

fn relu(m: &mut [f32]) {
    m.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Layer normalization over rows `dim` wide, in place.
fn layernorm(m: &mut [f32], dim: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in m.chunks_exact_mut(dim) {
        let mean = row.iter().sum::<f32>() / dim as f32;
        let mut var = 0f32;
        for v in row.iter_mut() {
            *v -= mean;
            var += *v * *v;
        }
        let inv = 1.0 / (var / dim as f32 + eps).sqrt();
        for ((v, &g), &b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = *v * inv * g + b;
        }
    }
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
