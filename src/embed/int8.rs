//! 8-bit matrix products for the second convolution, on AVX-512 VNNI when the CPU has it.
//!
//! The model's weight matrices are stored quantized to 8 bits per tensor (every weight is an
//! integer in [-127, 127] times one scale), so they are exact as `i8`. Activations are quantized
//! per row (token) to `i8` with their own scale. `vpdpbusd` multiplies unsigned by signed bytes
//! and adds four products into each 32-bit lane, so activations are offset by 128 to make them
//! unsigned and `128 · Σ w` is subtracted per column afterwards. One instruction does 64
//! multiply-adds, four times a 16-lane f32 FMA. The CPU is checked at run time; without VNNI the
//! caller keeps its f32 path.

/// A `k × n` weight matrix as `i8`, packed for the kernel: blocks of 16 columns, and within a
/// block, for each group of 4 rows, 16 columns × 4 consecutive rows (one 64-byte vector).
pub struct PackedI8 {
    k: usize,
    n: usize,
    data: Vec<i8>,
    /// Per column, `128 · Σ_rows w` (the offset of unsigned activations).
    offset: Vec<i32>,
    /// Scale of the integers: `w = int · scale`.
    pub scale: f32,
}

impl PackedI8 {
    /// Packs a row-major `k × n` f32 matrix (`k` a multiple of 4, `n` of 16), quantized per
    /// tensor to 8 bits (exact for the model's weights).
    pub fn new(w: &[f32], k: usize, n: usize) -> PackedI8 {
        assert!(k.is_multiple_of(4) && n.is_multiple_of(16) && w.len() == k * n);
        let max = w.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let q: Vec<i8> = w.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect();
        let mut data = vec![0i8; k * n];
        let mut at = 0;
        for cb in 0..n / 16 {
            for g in 0..k / 4 {
                for c in 0..16 {
                    for r in 0..4 {
                        data[at] = q[(g * 4 + r) * n + cb * 16 + c];
                        at += 1;
                    }
                }
            }
        }
        let offset =
            (0..n).map(|c| 128 * (0..k).map(|r| q[r * n + c] as i32).sum::<i32>()).collect();
        PackedI8 { k, n, data, offset, scale }
    }

    /// Rows of the matrix.
    pub fn rows(&self) -> usize {
        self.k
    }

    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.n
    }

    /// The unpacked integer at row `r`, column `c`.
    fn at(&self, r: usize, c: usize) -> i8 {
        let (cb, cc) = (c / 16, c % 16);
        let (g, rr) = (r / 4, r % 4);
        self.data[(cb * (self.k / 4) + g) * 64 + cc * 4 + rr]
    }
}

/// Whether the CPU runs [`gemm_u8i8`]'s VNNI kernel (and `XDEDUP_NO_INT8` is not set: it
/// turns the 8-bit path off, for comparisons).
pub fn available() -> bool {
    if std::env::var_os("XDEDUP_NO_INT8").is_some() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Quantizes each `k`-wide row of `x` to `i8` with its own scale, stored offset by 128 as `u8`.
/// Returns the scales.
pub fn quantize_rows(x: &[f32], k: usize, out: &mut Vec<u8>) -> Vec<f32> {
    out.clear();
    let mut scales = Vec::with_capacity(x.len() / k);
    for row in x.chunks_exact(k) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let s = if max > 0.0 { max / 127.0 } else { 1.0 };
        let inv = 1.0 / s;
        // v·inv is within ±127: +128.5 then truncation rounds to the nearest of 1..=255.
        out.extend(row.iter().map(|v| (v * inv + 128.5) as u8));
        scales.push(s);
    }
    scales
}

/// `c = (a − 128) · b` as i32, for `a` (`m × k`, u8 offset by 128, rows `k` apart) and packed
/// `b`; `c` is `m × n`. Uses VNNI when [`available`], plain integer arithmetic otherwise.
pub fn gemm_u8i8(a: &[u8], m: usize, b: &PackedI8, c: &mut [i32]) {
    let (k, n) = (b.k, b.n);
    assert!(a.len() >= m * k && c.len() >= m * n);
    #[cfg(target_arch = "x86_64")]
    if available() {
        // SAFETY: the CPU has the features (checked above) and the slices hold m×k and m×n.
        unsafe { vnni::gemm(a, m, b, c) };
        return;
    }
    for r in 0..m {
        for col in 0..n {
            let mut acc = 0i32;
            for j in 0..k {
                acc += a[r * k + j] as i32 * b.at(j, col) as i32;
            }
            c[r * n + col] = acc - b.offset[col];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use std::arch::x86_64::*;

    use super::PackedI8;

    /// Rows per register block, and 16-column vectors per block.
    const R: usize = 6;
    const C: usize = 4;

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn gemm(a: &[u8], m: usize, b: &PackedI8, c: &mut [i32]) {
        let (k, n) = (b.k, b.n);
        let groups = k / 4;
        let col_blocks = n / 16;
        let mut cb = 0;
        while cb < col_blocks {
            let cw = C.min(col_blocks - cb);
            let mut r0 = 0;
            while r0 < m {
                let rh = R.min(m - r0);
                let mut acc = [[_mm512_setzero_si512(); C]; R];
                for g in 0..groups {
                    let mut bv = [_mm512_setzero_si512(); C];
                    for (j, v) in bv.iter_mut().enumerate().take(cw) {
                        let at = ((cb + j) * groups + g) * 64;
                        // SAFETY: at + 64 <= k·n, the packed size.
                        *v = unsafe { _mm512_loadu_si512(b.data.as_ptr().add(at) as *const _) };
                    }
                    for (r, row) in acc.iter_mut().enumerate().take(rh) {
                        let p = (r0 + r) * k + g * 4;
                        // SAFETY: p + 4 <= m·k <= a.len() (asserted by the caller).
                        let word =
                            unsafe { std::ptr::read_unaligned(a.as_ptr().add(p) as *const i32) };
                        let av = _mm512_set1_epi32(word);
                        for (j, x) in row.iter_mut().enumerate().take(cw) {
                            *x = _mm512_dpbusd_epi32(*x, av, bv[j]);
                        }
                    }
                }
                for (r, row) in acc.iter().enumerate().take(rh) {
                    for (j, x) in row.iter().enumerate().take(cw) {
                        let col = (cb + j) * 16;
                        let off =
                            unsafe { _mm512_loadu_si512(b.offset.as_ptr().add(col) as *const _) };
                        let v = _mm512_sub_epi32(*x, off);
                        let dst = &mut c[(r0 + r) * n + col..(r0 + r) * n + col + 16];
                        // SAFETY: dst holds 16 i32.
                        unsafe { _mm512_storeu_si512(dst.as_mut_ptr() as *mut _, v) };
                    }
                }
                r0 += R;
            }
            cb += C;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_matches_plain_integer_products() {
        let (m, k, n) = (13, 64, 80);
        let w: Vec<f32> = (0..k * n).map(|i| ((i * 7919 % 255) as f32 - 127.0) * 0.01).collect();
        let b = PackedI8::new(&w, k, n);
        let x: Vec<f32> =
            (0..m * k).map(|i| ((i * 104729 % 1000) as f32 - 500.0) / 300.0).collect();
        let mut a = Vec::new();
        let scales = quantize_rows(&x, k, &mut a);
        let mut c = vec![0i32; m * n];
        gemm_u8i8(&a, m, &b, &mut c);
        for r in 0..m {
            for col in 0..n {
                let exact: i32 =
                    (0..k).map(|j| (a[r * k + j] as i32 - 128) * b.at(j, col) as i32).sum();
                assert_eq!(c[r * n + col], exact, "row {r} col {col}");
                let float: f32 = (0..k).map(|j| x[r * k + j] * w[j * n + col]).sum();
                let approx = exact as f32 * scales[r] * b.scale;
                // Each activation is off by at most half a step.
                let bound: f32 = (0..k).map(|j| scales[r] / 2.0 * w[j * n + col].abs()).sum();
                assert!((approx - float).abs() <= bound * 1.001 + 1e-4, "{approx} vs {float}");
            }
        }
    }
}
