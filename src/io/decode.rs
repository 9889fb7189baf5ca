//! Byte streams: files or standard input, gzip or zstd by their magic bytes, UTF-16 by its BOM.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use super::Input;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Opens an input, decompressing gzip or zstd and transcoding UTF-16 (with a BOM) to UTF-8.
/// A UTF-8 BOM is dropped. Decompression errors (a truncated archive) surface as read errors.
pub fn open(input: &Input) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::Path(p) => {
            if p.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory (use --doc-per-file to read each file in it as a document)",
                ));
            }
            Box::new(File::open(p)?)
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let head = reader.fill_buf()?.to_vec();
    let decoded: Box<dyn BufRead + Send> = if head.starts_with(&GZIP_MAGIC) {
        Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(reader)))
    } else if head.starts_with(&ZSTD_MAGIC) {
        let dec = ruzstd::decoding::StreamingDecoder::new(reader)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?;
        Box::new(BufReader::with_capacity(1 << 16, dec))
    } else {
        Box::new(reader)
    };
    unicode(decoded)
}

/// The length of `input` when it can be read in byte ranges: a plain file, neither compressed
/// nor UTF-16 (whose lines are not found by looking for a newline byte).
pub fn plain_len(input: &Input) -> Option<u64> {
    let Input::Path(p) = input else { return None };
    let meta = std::fs::metadata(p).ok().filter(|m| m.is_file())?;
    let mut head = [0u8; 4];
    let n = File::open(p).ok()?.read(&mut head).ok()?;
    let head = &head[..n];
    let encoded = head.starts_with(&GZIP_MAGIC)
        || head.starts_with(&ZSTD_MAGIC)
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF]);
    (!encoded).then_some(meta.len())
}

/// Strips a UTF-8 BOM; transcodes a stream that starts with a UTF-16 BOM.
fn unicode(mut r: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let head = r.fill_buf()?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
        return Ok(r);
    }
    let le = head.starts_with(&[0xFF, 0xFE]);
    let be = head.starts_with(&[0xFE, 0xFF]);
    if !le && !be {
        return Ok(r);
    }
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    let units = bytes[2..].chunks(2).map(|c| {
        let pair = [c[0], *c.get(1).unwrap_or(&0)];
        if le { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
    });
    let text: String =
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    Ok(Box::new(Cursor::new(text.into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(bytes: &[u8]) -> io::Result<String> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("x");
        std::fs::write(&p, bytes)?;
        let mut s = String::new();
        open(&Input::Path(p))?.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn gzip_and_boms() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all("سلام\n".as_bytes()).unwrap();
        assert_eq!(read_all(&gz.finish().unwrap()).unwrap(), "سلام\n");
        assert_eq!(read_all(b"\xEF\xBB\xBFabc").unwrap(), "abc");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi سلام".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(read_all(&utf16).unwrap(), "hi سلام");
    }

    #[test]
    fn truncated_gzip_is_an_error_not_a_panic() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&vec![b'a'; 100_000]).unwrap();
        let full = gz.finish().unwrap();
        assert!(read_all(&full[..full.len() / 2]).is_err());
    }
}
