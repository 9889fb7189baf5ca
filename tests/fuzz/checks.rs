//! What each fuzz target checks, shared by the fuzz targets (`fuzz/`) and by the replay of
//! the kept corpus in CI (`tests/fuzz_replay.rs`).

#![allow(dead_code)]

use std::io::Write;

use xdedup::index::store::{DocRow, StoryRow};
use xdedup::io::{Format, Input, Item, ReadOptions, read_inputs};
use xdedup::shingle::{Scratch, Shingle, shingle_into};
use xdedup::text::Normalizer;

/// Every reader on arbitrary bytes: JSON Lines, CSV, TSV, text, each plain, gzip or zstd (the
/// first byte picks the format and the container), and again with the format found from the
/// content. Each input record must come out as a record
/// or a rejection with a reason; nothing may panic or hang.
pub fn read(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else { return };
    let format = [Format::Jsonl, Format::Csv, Format::Tsv, Format::Text][(pick & 3) as usize];
    let bytes: Vec<u8> = match (pick >> 2) % 3 {
        0 => body.to_vec(),
        // A valid gzip stream of the body (so the readers behind it are reached), sometimes
        // truncated.
        1 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(body).unwrap();
            let mut z = e.finish().unwrap();
            let cut = (pick as usize >> 4) % 4;
            z.truncate(z.len().saturating_sub(cut * 3));
            z
        }
        // A zstd frame header before garbage.
        _ => [&[0x28, 0xB5, 0x2F, 0xFD][..], body].concat(),
    };
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "." };
    let mut f = tempfile::NamedTempFile::new_in(dir).unwrap();
    f.write_all(&bytes).unwrap();
    // The format picked, and none: the content decides (JSON, a table by its header row, or
    // text lines).
    for format in [Some(format), None] {
        let opts = ReadOptions {
            format,
            title_field: Some("title".into()),
            time_field: Some("time".into()),
            max_doc_bytes: 4096,
            keep_raw: true,
            ..ReadOptions::default()
        };
        read_inputs(&[Input::Path(f.path().to_owned())], &opts, |item| {
            match item {
                Item::Record(r) => assert!(r.origin.line >= 1 && r.raw.is_some()),
                Item::Rejected(r) => assert!(!r.reason.is_empty()),
                Item::Header(_) => {
                    assert!(matches!(format, Some(Format::Csv | Format::Tsv) | None))
                }
            }
            true
        });
    }
}

/// The normalizer and the shingler on arbitrary text: no panic, deterministic, and shingles are
/// sorted and distinct.
pub fn text(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(body);
    let norm = Normalizer::new(pick & 1 == 1);
    let a = norm.normalize(&text);
    let b = norm.normalize(&text);
    assert_eq!(a.as_str(), b.as_str(), "normalization is deterministic");
    let n = 1 + (pick as usize >> 1) % 6;
    let shingle = [Shingle::Char(n), Shingle::Word(n), Shingle::Mixed(n)][(pick as usize >> 4) % 3];
    let mut out = Vec::new();
    shingle_into(&a, shingle, &mut Scratch::default(), &mut out);
    assert!(out.windows(2).all(|w| w[0] < w[1]), "shingles sorted and distinct");
    let _ = xdedup::shingle::shingle_strings(&a, shingle);
}

/// The index's stored rows on arbitrary bytes: decoding never panics, anything that decodes
/// encodes back to the same bytes, and a valid row with one bit changed never decodes.
pub fn index_rows(data: &[u8]) {
    if let Some(row) = DocRow::decode(data) {
        assert_eq!(row.encode(), data);
    }
    if let Some(row) = StoryRow::decode(data) {
        assert_eq!(row.encode(), data);
    }
    let row = DocRow {
        story: data.len() as u64,
        set_hash: 7,
        time: data.len().is_multiple_of(2).then(|| "2021-07-01".to_owned()),
        id_json: String::from_utf8_lossy(data).into_owned(),
        features: data.iter().map(|&b| b as u64 * 0x9E37_79B9).collect(),
        keys: vec![1, 2],
    };
    let mut bytes = row.encode();
    assert_eq!(DocRow::decode(&bytes).as_ref(), Some(&row));
    if let Some(&b) = data.first() {
        let i = b as usize % bytes.len();
        bytes[i] ^= 1 << (b % 8);
        assert_eq!(DocRow::decode(&bytes), None);
    }
}
