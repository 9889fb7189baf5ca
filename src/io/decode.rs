//! Byte streams: files or standard input, gzip, zstd, bzip2 or xz by their magic bytes, UTF-16 by its BOM,
//! and any other encoding named by the caller (`--encoding windows-1256`), as UTF-8.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use encoding_rs::Encoding;

use super::Input;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const BZIP2_MAGIC: &[u8] = b"BZh";
const XZ_MAGIC: &[u8] = b"\xFD7zXZ\x00";

/// Whether `head` starts a zstd stream: a frame, or a skippable frame (magic 0x184D2A50 to
/// 0x184D2A5F, little-endian), which may come first (metadata) and is passed over.
fn is_zstd(head: &[u8]) -> bool {
    head.starts_with(&ZSTD_MAGIC) || matches!(head, [0x50..=0x5F, 0x2A, 0x4D, 0x18, ..])
}

/// Whether `head`, a stream's first bytes once decompressed, starts a tar archive: `ustar` and
/// a NUL or a space at byte 257 of its first header (POSIX and GNU tar), whose name field is
/// padded with NULs, which text does not hold. Read as text, its files' records were lines
/// glued to binary headers, a JSON file's lines read as texts under line numbers.
fn is_tar(head: &[u8]) -> bool {
    matches!(head.get(257..263), Some([b'u', b's', b't', b'a', b'r', 0 | b' ']))
        && head[..100].contains(&0)
}

/// Containers that are not read, by their first bytes: a clear refusal instead of every line
/// rejected as invalid UTF-8.
const UNREAD: [(&[u8], &str, &str); 2] = [
    (b"PK\x03\x04", "a zip archive", "unzip -p FILE"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive", "7z x -so FILE"),
];

/// Opens an input, decompressing gzip, zstd, bzip2 or xz and transcoding UTF-16 (with a BOM)
/// to UTF-8.
/// A UTF-8 BOM is dropped. Decompression errors (a truncated archive) surface as read errors.
pub fn open(input: &Input) -> io::Result<Box<dyn BufRead + Send>> {
    open_as(input, None)
}

/// [`open`], the text read in `encoding` (a BOM, when there is one, decides instead) and
/// transcoded to UTF-8 as it streams; `None`: UTF-8, or UTF-16 by its BOM.
pub fn open_as(
    input: &Input,
    encoding: Option<&'static Encoding>,
) -> io::Result<Box<dyn BufRead + Send>> {
    open_noting_bom(input, encoding).map(|(reader, _)| reader)
}

/// [`open_as`], and whether the text began with a byte order mark (UTF-8 or UTF-16), which it
/// drops: a table written from the input's rows starts with one too, as a spreadsheet reads
/// UTF-8 by it.
pub fn open_noting_bom(
    input: &Input,
    encoding: Option<&'static Encoding>,
) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::Path(p) => {
            if p.is_dir() {
                let files = p.join("*");
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    format!(
                        "is a directory (its files of records are read when named: {}; each \
                         file in it as one document: --doc-per-file)",
                        files.display()
                    ),
                ));
            }
            Box::new(File::open(p)?)
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let head = reader.fill_buf()?.to_vec();
    let decoded: Box<dyn BufRead + Send> = if head.starts_with(&GZIP_MAGIC) {
        read_ahead(flate2::bufread::MultiGzDecoder::new(reader))?
    } else if is_zstd(&head) {
        read_ahead(ZstdFrames::new(reader)?)?
    } else if is_container(&head, BZIP2_MAGIC) {
        // Several streams one after another, as `pbzip2` and `cat a.bz2 b.bz2` write them.
        read_ahead(Named { inner: bzip2::bufread::MultiBzDecoder::new(reader), format: "bzip2" })?
    } else if head.starts_with(XZ_MAGIC) {
        read_ahead(Named { inner: lzma_rust2::XzReader::new(reader, true), format: "xz" })?
    } else if let Some((_, what, how)) = UNREAD.iter().find(|(m, ..)| is_container(&head, m)) {
        let how = match input {
            Input::Path(p) => how.replace("FILE", &p.display().to_string()),
            Input::Stdin => how.replace(" FILE", ""),
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{what}: xdedup reads files of records, plain or compressed (gzip, zstd, bzip2, \
                 xz); extract it first ({how} | xdedup cluster -)"
            ),
        ));
    } else if let Some((ext, format)) = misnamed(input, &head) {
        let first: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "named .{ext} but neither {format} data nor text (its first bytes: {}): a \
                 damaged or partly downloaded file",
                first.join(" ")
            ),
        ));
    } else {
        Box::new(reader)
    };
    let mut decoded = decoded;
    if is_tar(decoded.fill_buf()?) {
        let how = match input {
            Input::Path(p) => format!("tar -xOf {}", p.display()),
            Input::Stdin => "tar -xO".into(),
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a tar archive: xdedup reads files of records, plain or compressed; extract it \
                 first, or stream its files' contents ({how} | xdedup cluster -)"
            ),
        ));
    }
    let head = decoded.fill_buf()?;
    let bom =
        [&[0xEF, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF]].iter().any(|b| head.starts_with(b));
    let reader: Box<dyn BufRead + Send> = match encoding.filter(|&e| e != encoding_rs::UTF_8) {
        // A BOM overrides the label, as the WHATWG rule has it.
        Some(_) if bom => unicode(decoded)?,
        // An archive's files from before and after a move to UTF-8, read in one run (or joined
        // into one with `cat`): the newer lines, read in the older encoding, would be letters
        // of another script, silently.
        Some(e) if e.is_ascii_compatible() => {
            Box::new(BufReader::with_capacity(1 << 16, LineTranscode::new(decoded, e)))
        }
        Some(e) => Box::new(BufReader::with_capacity(1 << 16, Transcode::new(decoded, e))),
        None => unicode(decoded)?,
    };
    Ok((reader, bom))
}

/// Whether `line` is text in UTF-8 and in no ASCII-compatible legacy encoding: it holds bytes
/// past ASCII, and they make UTF-8 characters. Arabic, Cyrillic or Western European text in a
/// single-byte encoding breaks UTF-8 within a few words; a line that is all ASCII reads the same
/// either way.
fn utf8_text(line: &[u8]) -> bool {
    !line.is_ascii() && std::str::from_utf8(line).is_ok()
}

/// A stream in an ASCII-compatible legacy encoding, read as UTF-8 line by line: a line that is
/// UTF-8 beyond ASCII ([`utf8_text`]) is kept as it is, any other decoded from `encoding` (a
/// sequence that is no character of it becomes U+FFFD). Both keep `\n` where it was.
struct LineTranscode {
    inner: Box<dyn BufRead + Send>,
    encoding: &'static Encoding,
    /// A line begun in the last block read, not yet ended.
    partial: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl LineTranscode {
    fn new(inner: Box<dyn BufRead + Send>, encoding: &'static Encoding) -> Self {
        let (partial, out) = (Vec::new(), Vec::new());
        LineTranscode { inner, encoding, partial, out, pos: 0, done: false }
    }

    /// Appends `lines` (whole lines, the last maybe without its `\n`) to the output, decoded.
    fn decode(out: &mut Vec<u8>, encoding: &'static Encoding, lines: &[u8]) {
        for line in lines.split_inclusive(|&b| b == b'\n') {
            if line.is_ascii() || utf8_text(line) {
                out.extend_from_slice(line);
            } else {
                out.extend_from_slice(encoding.decode_without_bom_handling(line).0.as_bytes());
            }
        }
    }
}

impl Read for LineTranscode {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let src = self.inner.fill_buf()?;
            let n = src.len();
            if n == 0 {
                Self::decode(&mut self.out, self.encoding, &self.partial);
                self.partial.clear();
                self.done = true;
                continue;
            }
            // The block's whole lines, with the line begun before it; the rest waits.
            match memchr::memrchr(b'\n', src) {
                Some(end) => {
                    self.partial.extend_from_slice(&src[..=end]);
                    Self::decode(&mut self.out, self.encoding, &self.partial);
                    self.partial.clear();
                    self.partial.extend_from_slice(&src[end + 1..]);
                }
                None => self.partial.extend_from_slice(src),
            }
            self.inner.consume(n);
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The extension of a file named as compressed (`.gz`, `.zst`, `.bz2`, `.xz`) whose first bytes are not of
/// that format (those are read before this is asked) and not text either: a damaged file,
/// refused by name rather than read as lines of binary, each rejected. A misnamed file of text
/// is read as text. Judged on the first 16 bytes, as [`plain_len`] sees them.
fn misnamed(input: &Input, head: &[u8]) -> Option<(String, &'static str)> {
    let Input::Path(p) = input else { return None };
    let ext = p.extension()?.to_str()?;
    let format = match ext.to_ascii_lowercase().as_str() {
        "gz" | "gzip" => "gzip",
        "zst" | "zstd" => "zstd",
        "bz2" | "bzip2" => "bzip2",
        "xz" => "xz",
        _ => return None,
    };
    let head = &head[..head.len().min(16)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A character cut at the end of the 16 bytes.
        Err(e) => e.error_len().is_none(),
    };
    let text = utf16 || (text && !head.contains(&0));
    (!text).then(|| (ext.to_owned(), format))
}

/// Whether `head` starts with `magic`, and, for bzip2's short `BZh`, its block size digit and
/// block magic follow (so a text starting `BZh` is still text).
fn is_container(head: &[u8], magic: &[u8]) -> bool {
    if !head.starts_with(magic) {
        return false;
    }
    match magic {
        // A block, or the end of the stream at once (an empty file compressed).
        b"BZh" => {
            head.len() >= 10
                && head[3].is_ascii_digit()
                && matches!(&head[4..10], b"1AY&SY" | b"\x17rE8P\x90")
        }
        _ => true,
    }
}

/// The length of `input` when it can be read in byte ranges: a plain file, neither compressed
/// nor UTF-16 (whose lines are not found by looking for a newline byte).
pub fn plain_len(input: &Input) -> Option<u64> {
    let Input::Path(p) = input else { return None };
    let meta = std::fs::metadata(p).ok().filter(|m| m.is_file())?;
    let mut head = [0u8; 512];
    let n = File::open(p).ok()?.read(&mut head).ok()?;
    let tar = is_tar(&head[..n]);
    let head = &head[..n.min(16)];
    // A container that is not read goes to [`open`] too, which refuses it by name.
    let encoded = head.starts_with(&GZIP_MAGIC)
        || is_zstd(head)
        || is_container(head, BZIP2_MAGIC)
        || head.starts_with(XZ_MAGIC)
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || tar
        || UNREAD.iter().any(|(m, ..)| is_container(head, m))
        || misnamed(input, head).is_some();
    (!encoded).then_some(meta.len())
}

/// A decompressing reader whose errors name its format, and say what an early end means: the
/// decoders' own words were `failed to fill whole buffer` (xz) and `decompression not finished
/// but EOF reached` (bzip2).
struct Named<R> {
    inner: R,
    format: &'static str,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let cut =
                e.kind() == io::ErrorKind::UnexpectedEof || e.to_string().contains("EOF reached");
            let what = match cut {
                true => "the data ends before its stream does (a file cut short?)".to_owned(),
                false => e.to_string(),
            };
            let what = what
                .strip_prefix(self.format)
                .map_or(what.as_str(), |w| w.trim_start_matches(": "));
            io::Error::new(e.kind(), format!("{}: {what}", self.format))
        })
    }
}

/// Bytes a decompressing thread hands over at a time, and how many blocks it may run ahead.
const AHEAD_BLOCK: usize = 1 << 20;
const AHEAD_BLOCKS: usize = 4;

/// A decompressed stream, decompressed on a thread of its own when the run has more than one
/// worker thread. Inflating is sequential: read in line, it ran on the one thread that reads
/// while the workers waited for the next chunk of lines (half of a 2-thread run over a gzip
/// archive). With `--threads 1` it stays on the reading thread.
/// Every frame of a zstd stream, one after the other, as one stream: a file of several frames
/// is what `cat a.zst b.zst`, `pzstd` and the seekable format write (ruzstd's
/// `StreamingDecoder` reads one frame, and the rest of such a file was lost without a word).
/// Skippable frames (a seek table, metadata) are passed over.
struct ZstdFrames<R> {
    source: R,
    frame: ruzstd::decoding::FrameDecoder,
    /// Whether `frame` holds a frame begun (else the next one starts at `source`).
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    /// Reads the first frame's header, so that a stream that is not zstd fails here.
    fn new(source: R) -> io::Result<Self> {
        let frame = ruzstd::decoding::FrameDecoder::new();
        let mut frames = ZstdFrames { source, frame, in_frame: false };
        frames.next_frame()?;
        Ok(frames)
    }

    /// Begins the next frame that holds data; `false` at the end of the stream.
    fn next_frame(&mut self) -> io::Result<bool> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        while !self.source.fill_buf()?.is_empty() {
            match self.frame.init(&mut self.source) {
                Ok(()) => {
                    self.in_frame = true;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped =
                        io::copy(&mut (&mut self.source).take(length.into()), &mut io::sink())?;
                    if skipped < u64::from(length) {
                        return Err(zstd_error("a skippable frame cut short"));
                    }
                }
                Err(e) => return Err(zstd_error(e)),
            }
        }
        Ok(false)
    }
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        loop {
            if !self.in_frame && !self.next_frame()? {
                return Ok(0);
            }
            let frame = &mut self.frame;
            while frame.can_collect() == 0 && !frame.is_finished() {
                frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(zstd_error)?;
            }
            let n = frame.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            self.in_frame = false;
        }
    }
}

fn read_ahead(decoder: impl Read + Send + 'static) -> io::Result<Box<dyn BufRead + Send>> {
    if rayon::current_num_threads() < 2 {
        return Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)));
    }
    Ok(Box::new(ReadAhead::spawn(decoder)?))
}

/// The reading end of [`read_ahead`]: blocks from the decompressing thread, in order; the
/// thread's read error comes after the bytes it read before it, then the end of the stream.
struct ReadAhead {
    blocks: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ReadAhead {
    fn spawn(mut inner: impl Read + Send + 'static) -> io::Result<Self> {
        let (tx, blocks) = std::sync::mpsc::sync_channel(AHEAD_BLOCKS);
        // The thread ends at the end of the stream, at an error, or when the reader is dropped
        // (its next send fails).
        std::thread::Builder::new().name("xdedup-decompress".into()).spawn(move || {
            loop {
                let mut block = vec![0u8; AHEAD_BLOCK];
                let mut filled = 0;
                let status = loop {
                    match inner.read(&mut block[filled..]) {
                        Ok(0) => break Ok(true),
                        Ok(n) => {
                            filled += n;
                            if filled == block.len() {
                                break Ok(false);
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                block.truncate(filled);
                if filled > 0 && tx.send(Ok(block)).is_err() {
                    return;
                }
                match status {
                    Ok(false) => {}
                    Ok(true) => return,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        })?;
        Ok(ReadAhead { blocks, current: Vec::new(), pos: 0, done: false })
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.current.len() && !self.done {
            match self.blocks.recv() {
                Ok(Ok(block)) => {
                    self.current = block;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The thread is gone: the stream ended.
                Err(_) => self.done = true,
            }
        }
        Ok(&self.current[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.current.len());
    }
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Strips a UTF-8 BOM; transcodes a stream that starts with a UTF-16 BOM.
fn unicode(mut r: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let head = r.fill_buf()?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
        return Ok(r);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        // The decoder reads the BOM and drops it.
        let utf16 = Transcode::new(r, encoding_rs::UTF_16LE);
        return Ok(Box::new(BufReader::with_capacity(1 << 16, utf16)));
    }
    Ok(r)
}

/// A stream in another encoding, read as UTF-8 (a sequence that is no character of it becomes
/// U+FFFD, as a browser shows it). A BOM overrides the encoding, as the WHATWG rule has it.
struct Transcode {
    inner: Box<dyn BufRead + Send>,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Transcode {
    fn new(inner: Box<dyn BufRead + Send>, encoding: &'static Encoding) -> Self {
        Transcode { inner, decoder: encoding.new_decoder(), out: Vec::new(), pos: 0, done: false }
    }
}

impl Read for Transcode {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let room = self.decoder.max_utf8_buffer_length(src.len()).unwrap_or(4 * src.len() + 16);
            self.out.clear();
            self.out.resize(room, 0);
            let (_, read, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, last);
            self.out.truncate(written);
            self.pos = 0;
            self.inner.consume(read);
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
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

    /// A tar archive, plain or compressed, is refused by name with the command that streams its
    /// files; text with `ustar` at the same place is text.
    #[test]
    fn a_tar_archive_is_refused_by_name() {
        let mut tar = vec![0u8; 512];
        tar[..10].copy_from_slice(b"news.jsonl");
        tar[257..263].copy_from_slice(b"ustar\0");
        tar.extend(b"{\"text\": \"Gold climbs\"}\n");
        tar.resize(2048, 0);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        for bytes in [tar.clone(), gz.finish().unwrap()] {
            let err = read_all(&bytes).unwrap_err().to_string();
            assert!(err.starts_with("a tar archive: ") && err.contains("(tar -xOf "), "{err}");
        }
        let text = format!("{}ustar \n", "x".repeat(257));
        assert_eq!(read_all(text.as_bytes()).unwrap(), text);
    }

    #[test]
    fn archives_are_refused_by_name_and_text_that_looks_like_them_is_read() {
        let junk = [0x80u8, 0xFE, 0x00, 0x13, 0x77].repeat(50);
        for (magic, what) in [
            (&b"PK\x03\x04"[..], "a zip archive: xdedup reads files of records"),
            (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive: "),
        ] {
            let bytes = [magic, &junk].concat();
            let err = read_all(&bytes).unwrap_err().to_string();
            assert!(err.starts_with(what) && err.contains("extract it first"), "{err}");
        }
        assert_eq!(read_all(b"BZh is a word\n").unwrap(), "BZh is a word\n");
        assert_eq!(read_all(b"PK stands for\n").unwrap(), "PK stands for\n");
    }

    /// bzip2 and xz inputs are read as gzip and zstd ones are: several streams one after
    /// another (`pbzip2`, `cat a.xz b.xz`), an empty one, from a file or a pipe (by their
    /// bytes, not their names); one cut short, or damaged, is an error that names its format.
    #[test]
    fn bzip2_and_xz_are_read_and_a_cut_stream_is_named() {
        use std::io::Write;
        let text = "{\"id\": 1, \"text\": \"سلام عليكم\"}\n".repeat(2000);
        let bz2 = |t: &str| {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
            e.write_all(t.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let xz = |t: &str| {
            let mut e =
                lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6))
                    .unwrap();
            e.write_all(t.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        for (name, pack) in [("bzip2", &bz2 as &dyn Fn(&str) -> Vec<u8>), ("xz", &xz)] {
            let one = pack(&text);
            assert_eq!(read_all(&one).unwrap(), text, "{name}");
            assert_eq!(
                read_all(&[one.clone(), pack("more\n")].concat()).unwrap(),
                text.clone() + "more\n"
            );
            assert_eq!(read_all(&pack("")).unwrap(), "", "{name}: empty");
            let cut = read_all(&one[..one.len() - 40]).unwrap_err().to_string();
            assert_eq!(
                cut,
                format!("{name}: the data ends before its stream does (a file cut short?)")
            );
            let mut damaged = one.clone();
            let mid = damaged.len() / 2;
            damaged[mid..mid + 8].fill(0x55);
            let err = read_all(&damaged).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{name}: ")), "{err}");
            // Not split into byte ranges: its lines are not where its bytes are.
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("news.jsonl");
            std::fs::write(&p, &one).unwrap();
            assert_eq!(plain_len(&Input::Path(p)), None, "{name}");
        }
    }

    #[test]
    fn a_file_named_compressed_that_is_neither_that_nor_text_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let input = Input::Path(p);
            let mut s = String::new();
            let read = open(&input).and_then(|mut r| r.read_to_string(&mut s));
            (read.map(|_| s).map_err(|e| e.to_string()), plain_len(&input))
        };
        // A gzip stream whose magic was damaged.
        let (read, len) = at("news.jsonl.gz", b"\x1f\x8c\x08\x00\x00\x00\x00\x00\x00\x03rest");
        assert_eq!(
            read.unwrap_err(),
            "named .gz but neither gzip data nor text (its first bytes: 1f 8c 08 00 00 00 00 00): \
             a damaged or partly downloaded file"
        );
        assert_eq!(len, None, "not split into byte ranges, so that open refuses it");
        let (read, _) = at("news.ZST", &[0x00, 0x01, 0x02]);
        assert!(read.unwrap_err().starts_with("named .ZST but neither zstd data"));
        // Text under a compressed name is read as the text it is (an Arabic letter cut at the
        // 16th byte included); any name else is not judged.
        let arabic = "{\"text\": \"aســلام\"}\n";
        assert!(!arabic.is_char_boundary(16));
        assert_eq!(at("plain.jsonl.gz", arabic.as_bytes()).0.unwrap(), arabic);
        assert_eq!(at("x.bin", &[0x00, 0x01, b'\n']).0.unwrap(), "\u{0}\u{1}\n");
    }

    #[test]
    fn another_encoding_is_read_as_utf8_as_it_streams() {
        let text = "{\"id\": 1, \"text\": \"رئيس كوريا الجنوبية يعتذر\"}\n".repeat(20_000);
        let (cp1256, _, lossy) = encoding_rs::WINDOWS_1256.encode(&text);
        assert!(!lossy && cp1256.len() > 2 * (1 << 16), "several blocks");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.jsonl");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&cp1256).unwrap();
        for bytes in [cp1256.to_vec(), gz.finish().unwrap()] {
            std::fs::write(&p, &bytes).unwrap();
            let mut s = String::new();
            open_as(&Input::Path(p.clone()), Some(encoding_rs::WINDOWS_1256))
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            assert!(s == text, "transcoded text differs");
        }
        // A BOM overrides the label; UTF-8 named is read as it is.
        std::fs::write(&p, "\u{FEFF}سلام".as_bytes()).unwrap();
        let read = |e| {
            let mut s = String::new();
            open_as(&Input::Path(p.clone()), e).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        assert_eq!(read(Some(encoding_rs::WINDOWS_1256)), "سلام");
        assert_eq!(read(Some(encoding_rs::UTF_8)), "سلام");
        // A newer file of the same archive, in UTF-8 without a BOM, is read as UTF-8 under
        // the older files' label (it was each Arabic letter as two Latin ones), line by line:
        // its Arabic may come after a long ASCII start, or after the older file's lines, the
        // two joined with `cat`.
        std::fs::write(&p, &text).unwrap();
        assert!(read(Some(encoding_rs::WINDOWS_1256)) == text, "UTF-8 kept as it is");
        let late = format!("{}{}", "{\"text\": \"plain\"}\n".repeat(5000), "قديم\n");
        assert!(late.len() > 1 << 16, "its Arabic past the first block");
        let (old, _, _) = encoding_rs::WINDOWS_1256.encode(&late);
        for (bytes, what) in [(&old[..], "cp1256"), (late.as_bytes(), "UTF-8")] {
            std::fs::write(&p, bytes).unwrap();
            assert!(read(Some(encoding_rs::WINDOWS_1256)) == late, "{what} after ASCII");
        }
        let joined = [&old[..], late.as_bytes(), &old[..], &cp1256[..10]].concat();
        std::fs::write(&p, &joined).unwrap();
        let want = format!("{late}{late}{late}{}", &text[..10]);
        assert!(read(Some(encoding_rs::WINDOWS_1256)) == want, "cp1256, UTF-8, cp1256 joined");
        assert!(!utf8_text(&old[old.len() - 10..]), "cp1256 Arabic is no UTF-8");
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
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("hi سلام\n".repeat(50_000).encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert!(read_all(&utf16be).unwrap() == "hi سلام\n".repeat(50_000), "UTF-16 BE, streamed");
    }

    #[test]
    fn a_stream_of_many_blocks_arrives_whole_and_in_order() {
        // Several read-ahead blocks of distinct lines, gzip and zstd.
        let text: String = (0..200_000).map(|i| format!("{i} سطر\n")).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        assert!(text.len() > 2 * AHEAD_BLOCK);
        assert!(read_all(&gz.finish().unwrap()).unwrap() == text, "gzip stream changed");
        let zst = ruzstd::encoding::compress_to_vec(
            text.as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        assert!(read_all(&zst).unwrap() == text, "zstd stream changed");
    }

    /// A zstd file of several frames (`cat a.zst b.zst`, `pzstd`, the seekable format) is read
    /// to its last frame, skippable frames passed over wherever they are, also first; a frame
    /// cut short after whole ones is an error after their text. (Only the first frame was read.)
    #[test]
    fn every_frame_of_a_zstd_file_is_read() {
        let zst = |s: &str| {
            ruzstd::encoding::compress_to_vec(
                s.as_bytes(),
                ruzstd::encoding::CompressionLevel::Fastest,
            )
        };
        let skippable = |magic: u8, data: &[u8]| {
            let mut f = vec![magic, 0x2A, 0x4D, 0x18];
            f.extend((data.len() as u32).to_le_bytes());
            f.extend(data);
            f
        };
        let parts: Vec<String> =
            (0..3).map(|p| (0..20_000).map(|i| format!("{p} {i} سطر\n")).collect()).collect();
        let mut file = skippable(0x50, b"meta");
        for part in &parts {
            file.extend(zst(part));
            file.extend(skippable(0x5E, &[]));
        }
        file.extend(skippable(0x5F, &[7; 300]));
        assert!(read_all(&file).unwrap() == parts.concat(), "frames lost or changed");
        let two = [zst(&parts[0]), zst(&parts[1])].concat();
        let err = read_all(&two[..two.len() - 10]).unwrap_err();
        assert!(err.to_string().starts_with("zstd: "), "{err}");
        let mut s = Vec::new();
        let cut = &two[..two.len() - 10];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cut.zst"), cut).unwrap();
        let mut r = open(&Input::Path(dir.path().join("cut.zst"))).unwrap();
        assert!(r.read_to_end(&mut s).is_err());
        assert!(s.starts_with(parts[0].as_bytes()), "the whole first frame comes before the error");
    }

    #[test]
    fn a_truncated_stream_gives_its_lines_then_the_error() {
        let text: String = (0..300_000).map(|i| format!("line {i}\n")).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let full = gz.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cut.gz");
        std::fs::write(&p, &full[..full.len() / 2]).unwrap();
        let mut r = open(&Input::Path(p)).unwrap();
        let (mut lines, mut line) = (0usize, String::new());
        let err = loop {
            line.clear();
            match r.read_line(&mut line) {
                Ok(0) => panic!("a truncated stream ended without an error"),
                Ok(_) if line.ends_with('\n') => {
                    assert_eq!(line, format!("line {lines}\n"));
                    lines += 1;
                }
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert!(lines > 50_000, "only {lines} lines before the error: {err}");
    }

    #[test]
    fn truncated_gzip_is_an_error_not_a_panic() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&vec![b'a'; 100_000]).unwrap();
        let full = gz.finish().unwrap();
        assert!(read_all(&full[..full.len() / 2]).is_err());
    }
}
