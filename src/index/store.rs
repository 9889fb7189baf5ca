//! The index's on-disk layout: LMDB databases and the byte encodings of their rows.
//!
//! Every row that carries more than a number ends in a checksum (the low 32 bits of xxh3 over
//! the row), so a damaged row is reported as damaged instead of being read as a wrong answer.
//! Keys are big-endian so that LMDB's byte order is numeric order: postings of one band key,
//! members of one story and document numbers come out sorted.
//!
//! Changing anything here is a format change: bump [`FORMAT_VERSION`] and refresh the frozen
//! index under `tests/data/`.

use xxhash_rust::xxh3::xxh3_64;

use crate::shingle::SCRIPT_CLASSES;

/// The on-disk format this build writes.
///
/// Format 3 has format 2's layout. A new index names the reading its texts are normalized in
/// (the `reading` meta entry, [`crate::text::Reading`]); builds made before that entry would
/// read such an index's texts by their own rules, silently, so new indexes carry 3, which
/// those builds refuse.
pub const FORMAT_VERSION: u32 = 3;

/// The oldest on-disk format this build reads (and adds to, in that format).
pub const OLDEST_FORMAT: u32 = 2;

/// Names of the LMDB databases.
pub mod names {
    /// Settings, counters and the format version (string keys).
    pub const META: &str = "meta";
    /// Document number → [`super::DocRow`].
    pub const DOCS: &str = "docs";
    /// Document id key (see [`super::id_key`]) → document number.
    pub const IDS: &str = "ids";
    /// Band key ‖ document number → nothing (the postings of LSH).
    pub const BANDS: &str = "bands";
    /// Story number ‖ document number → nothing.
    pub const MEMBERS: &str = "members";
    /// Story number → [`super::StoryRow`].
    pub const STORIES: &str = "stories";
    /// Feature → number of documents holding it.
    pub const DF: &str = "df";
    /// Hash of a whole feature set ‖ document number → nothing.
    pub const EXACT: &str = "exact";
    /// Story name (as an id key) → story number; names are never reused.
    pub const NAMES: &str = "names";
    /// Document number → its embeddings (see [`super::encode_vectors`]); only in indexes
    /// created with `--model` (an index without it reads as before).
    pub const VECTORS: &str = "vectors";
    /// Document number → its language (as the input named it) and pivot features (see
    /// [`super::encode_pivots`]); only in indexes created with `--lexicon`.
    pub const PIVOTS: &str = "pivots";
    /// Pivot feature ‖ document number → nothing (the postings of the pivot stage's rare-key
    /// candidates).
    pub const PIVOT_POSTINGS: &str = "pivot_postings";
    /// Pivot feature → number of documents holding it.
    pub const PIVOT_DF: &str = "pivot_df";
}

/// Counters kept in the meta database, updated with every commit.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Documents in the index.
    pub docs: u64,
    /// Stories in the index.
    pub stories: u64,
    /// Next document number (numbers are never reused).
    pub next_doc: u64,
    /// Next story number.
    pub next_story: u64,
    /// Per script class: documents holding a feature of that class (the `N` of IDF).
    pub class_docs: [u64; SCRIPT_CLASSES],
    /// Batches committed.
    pub batches: u64,
    /// Documents counted in the pivot frequencies (distinct feature sets; indexes created with
    /// `--lexicon`).
    #[serde(default)]
    pub pivot_docs: u64,
}

/// A stored document: what verification and removal need, not the text.
#[derive(Debug, Clone, PartialEq)]
pub struct DocRow {
    /// Its story.
    pub story: u64,
    /// Hash of its feature set (exact-duplicate lookups).
    pub set_hash: u64,
    /// Its time field, if the input had one.
    pub time: Option<String>,
    /// Its id as JSON text (so that numbers stay numbers in the output).
    pub id_json: String,
    /// Its features, sorted (weights are recomputed from current document frequencies).
    pub features: Vec<u64>,
    /// Its LSH band keys (to delete its postings).
    pub keys: Vec<u64>,
}

/// A stored story.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    /// Documents in it.
    pub size: u64,
    /// Its representative: its earliest remaining document.
    pub first: u64,
    /// Its name in outputs: the id of its first document, as `cluster` names stories.
    pub name: String,
}

fn seal(mut buf: Vec<u8>) -> Vec<u8> {
    let sum = xxh3_64(&buf) as u32;
    buf.extend_from_slice(&sum.to_le_bytes());
    buf
}

/// Checks the trailing checksum and returns the body.
fn unseal(bytes: &[u8]) -> Option<&[u8]> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    (u32::from_le_bytes(sum.try_into().ok()?) == xxh3_64(body) as u32).then_some(body)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn u64s(&mut self) -> Option<Vec<u64>> {
        let n = self.u32()? as usize;
        let bytes = self.take(n.checked_mul(8)?)?;
        Some(bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect())
    }
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_u64s(buf: &mut Vec<u8>, v: &[u64]) {
    buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
    for x in v {
        buf.extend_from_slice(&x.to_le_bytes());
    }
}

impl DocRow {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(48 + self.id_json.len() + 8 * self.features.len());
        buf.extend_from_slice(&self.story.to_le_bytes());
        buf.extend_from_slice(&self.set_hash.to_le_bytes());
        buf.push(self.time.is_some() as u8);
        put_str(&mut buf, self.time.as_deref().unwrap_or(""));
        put_str(&mut buf, &self.id_json);
        put_u64s(&mut buf, &self.features);
        put_u64s(&mut buf, &self.keys);
        seal(buf)
    }

    /// The row, or `None` if the bytes are damaged.
    pub fn decode(bytes: &[u8]) -> Option<DocRow> {
        let mut r = Reader(unseal(bytes)?);
        let story = r.u64()?;
        let set_hash = r.u64()?;
        let has_time = r.take(1)?[0] == 1;
        let time = r.str()?;
        let id_json = r.str()?.to_owned();
        let features = r.u64s()?;
        let keys = r.u64s()?;
        r.0.is_empty().then(|| DocRow {
            story,
            set_hash,
            time: has_time.then(|| time.to_owned()),
            id_json,
            features,
            keys,
        })
    }
}

impl StoryRow {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(24 + self.name.len());
        buf.extend_from_slice(&self.size.to_le_bytes());
        buf.extend_from_slice(&self.first.to_le_bytes());
        put_str(&mut buf, &self.name);
        seal(buf)
    }

    /// The row, or `None` if the bytes are damaged.
    pub fn decode(bytes: &[u8]) -> Option<StoryRow> {
        let mut r = Reader(unseal(bytes)?);
        let size = r.u64()?;
        let first = r.u64()?;
        let name = r.str()?.to_owned();
        r.0.is_empty().then_some(StoryRow { size, first, name })
    }
}

/// The stored bytes of a document's embeddings: line count, mean scale, mean, line scales,
/// lines, numbers, checksum.
/// A document's pivot row: the language its input named (empty when none) and its pivot
/// features, sealed like every row.
pub fn encode_pivots(lang: Option<&str>, f: &[u64]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(8 * f.len() + 16);
    put_str(&mut buf, lang.unwrap_or(""));
    put_u64s(&mut buf, f);
    seal(buf)
}

/// The inverse of [`encode_pivots`]; `None` when the bytes are damaged.
pub fn decode_pivots(bytes: &[u8]) -> Option<(Option<String>, Vec<u64>)> {
    let mut r = Reader(unseal(bytes)?);
    let lang = r.str()?;
    let v = r.u64s()?;
    r.0.is_empty().then(|| ((!lang.is_empty()).then(|| lang.to_owned()), v))
}

pub fn encode_vectors(v: &crate::embed::DocVectors) -> Vec<u8> {
    let mut buf = Vec::with_capacity(8 + v.mean.len() + v.lines.len() + 4 * v.scales.len() + 4);
    buf.extend_from_slice(&(v.scales.len() as u32).to_le_bytes());
    buf.extend_from_slice(&v.mean_scale.to_le_bytes());
    buf.extend(v.mean.iter().map(|&x| x as u8));
    for s in &v.scales {
        buf.extend_from_slice(&s.to_le_bytes());
    }
    buf.extend(v.lines.iter().map(|&x| x as u8));
    put_u64s(&mut buf, &v.numbers);
    seal(buf)
}

/// A document's embeddings, or `None` if the bytes are damaged.
pub fn decode_vectors(bytes: &[u8]) -> Option<crate::embed::DocVectors> {
    use crate::embed::DIM;
    let mut r = Reader(unseal(bytes)?);
    let n = r.u32()? as usize;
    let mean_scale = f32::from_le_bytes(r.take(4)?.try_into().ok()?);
    let mean = r.take(DIM)?.iter().map(|&x| x as i8).collect();
    let scales = r
        .take(n.checked_mul(4)?)?
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let lines = r.take(n.checked_mul(DIM)?)?.iter().map(|&x| x as i8).collect();
    let numbers = r.u64s()?;
    r.0.is_empty().then_some(crate::embed::DocVectors { mean, mean_scale, lines, scales, numbers })
}

/// Two numbers as one 16-byte key, in numeric order.
pub fn pair_key(a: u64, b: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&a.to_be_bytes());
    k[8..].copy_from_slice(&b.to_be_bytes());
    k
}

/// The second number of a [`pair_key`].
pub fn pair_second(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.get(8..16)?.try_into().ok()?))
}

/// The key of a document id in the ids database: the id's text, or for ids too long for an
/// LMDB key, `#` and a 128-bit hash of it.
pub fn id_key(id_text: &str) -> Vec<u8> {
    if id_text.len() <= 400 && !id_text.starts_with('#') {
        id_text.as_bytes().to_vec()
    } else {
        format!("#{:032x}", xxhash_rust::xxh3::xxh3_128(id_text.as_bytes())).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_damage_is_seen() {
        let row = DocRow {
            story: 7,
            set_hash: 99,
            time: Some("2021-07-01".into()),
            id_json: "\"a\"".into(),
            features: vec![1, 2, u64::MAX],
            keys: vec![5],
        };
        let bytes = row.encode();
        assert_eq!(DocRow::decode(&bytes), Some(row.clone()));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert_eq!(DocRow::decode(&bad), None, "flipped byte {i}");
        }
        assert_eq!(DocRow::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(DocRow::decode(&[]), None);
        let s = StoryRow { size: 3, first: 1, name: "x".into() };
        assert_eq!(StoryRow::decode(&s.encode()), Some(s));
    }

    #[test]
    fn vectors_round_trip_and_damage_is_seen() {
        let line: Vec<f32> =
            (0..crate::embed::DIM).map(|i| (i as f32 * 0.7).sin() / 16.0).collect();
        let two: Vec<f32> = line.iter().chain(line.iter().rev()).copied().collect();
        let v = crate::embed::DocVectors::new(&two, &line, vec![3, 2015]);
        let bytes = encode_vectors(&v);
        assert_eq!(decode_vectors(&bytes), Some(v));
        let mut bad = bytes.clone();
        bad[9] ^= 1;
        assert_eq!(decode_vectors(&bad), None);
        assert_eq!(decode_vectors(&bytes[..bytes.len() - 5]), None);
    }

    #[test]
    fn keys_sort_numerically() {
        assert!(pair_key(1, 300) < pair_key(2, 0));
        assert!(pair_key(1, 2) < pair_key(1, 256));
        assert_eq!(pair_second(&pair_key(3, 256)), Some(256));
        assert_eq!(id_key("abc"), b"abc");
        assert_eq!(id_key(&"x".repeat(500)).len(), 33);
    }
}
