//! Output files: written to a temporary name beside the target and renamed when complete, so a
//! run that fails half-way never leaves a file that looks finished. Write errors (a full disk)
//! are returned, never swallowed.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

/// A line-oriented output: a file (atomically replaced on [`Output::finish`]) or standard output.
/// A file named `*.parquet` is written as Parquet instead, from the same rows, once the command
/// has declared its columns ([`Output::columns`]), and one named `*.csv` or `*.tsv` as a table
/// of those columns; one named `*.gz`, `*.zst` or `*.zstd` is compressed so (the forms inputs
/// are read in).
pub struct Output {
    inner: BufWriter<Sink>,
    /// The temporary file written, and the path it is moved to when finished.
    target: Option<(Unfinished, PathBuf)>,
    file: Option<File>,
    parquet: bool,
    #[cfg(feature = "parquet")]
    columnar: Option<super::parquet::Writer>,
    /// The delimiter of a table output ([`names_table`]), and its rows once its columns are
    /// declared.
    table: Option<u8>,
    rows: Option<TableRows>,
}

/// The rows of a table output: its column names, and its rows encoded, not yet written.
struct TableRows {
    names: Vec<String>,
    writer: csv::Writer<Vec<u8>>,
}

/// A column of a Parquet output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (numbers and booleans are written as their JSON text).
    Text,
    /// 64-bit float.
    Float,
    /// Unsigned integer.
    Count,
    /// Boolean.
    Bool,
}

/// Where an output's bytes go: as they are, or compressed as the file's name says.
enum Sink {
    Plain(Box<dyn Write>),
    Compressed(Chunks),
}

/// A compressed output's format.
#[derive(Clone, Copy)]
enum Codec {
    Gzip,
    Zstd,
}

impl Sink {
    /// The sink for a file named `name` writing to `file`.
    fn named(name: &Path, file: Box<dyn Write>) -> Sink {
        let name = name.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        let codec = if name.ends_with(".gz") {
            Codec::Gzip
        } else if name.ends_with(".zst") || name.ends_with(".zstd") {
            Codec::Zstd
        } else {
            return Sink::Plain(file);
        };
        Sink::Compressed(Chunks { codec, inner: file, pending: Vec::new(), wrote: false })
    }

    /// Ends the compressed stream (its last chunks) and flushes.
    fn finish(self) -> io::Result<()> {
        let mut inner = match self {
            Sink::Plain(w) => w,
            Sink::Compressed(mut c) => {
                c.compress(0)?;
                c.inner
            }
        };
        inner.flush()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Compressed(c) => {
                c.pending.extend_from_slice(buf);
                if c.pending.len() >= CHUNK_BYTES * rayon::current_num_threads() {
                    c.compress(CHUNK_BYTES)?;
                }
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            // Chunks are made of blocks of bytes, not of whatever a flush finds.
            Sink::Compressed(c) => c.inner.flush(),
        }
    }
}

/// The gzip level of `.gz` outputs. On SaudiNewsNet's kept articles (68 MB of JSON lines),
/// level 3 wrote 21 MB in 1.5 s more than the plain file took, level 1 31 MB in 0.8 s, level
/// 6 (gzip's default) 19.5 MB in 6 s (one thread, before chunks were compressed in parallel).
const GZIP_LEVEL: u32 = 3;

/// A compressed output as independent chunks of [`CHUNK_BYTES`], compressed in parallel, a
/// chunk for each of the pool's threads, and written in order: gzip members, zstd frames (a
/// file of several is one stream to `zcat`, `zstd -dc` and every reader of either, as `pigz`
/// writes them). The pure-Rust zstd encoder compresses a whole block at a time anyway.
struct Chunks {
    codec: Codec,
    inner: Box<dyn Write>,
    pending: Vec<u8>,
    /// Whether a chunk was written (an empty output is still one, empty, so that it reads).
    wrote: bool,
}

const CHUNK_BYTES: usize = 4 << 20;

impl Chunks {
    /// Compresses and writes the pending bytes but the last `keep` or fewer (a chunk not yet
    /// full), in chunks of [`CHUNK_BYTES`].
    fn compress(&mut self, keep: usize) -> io::Result<()> {
        use rayon::prelude::*;
        let whole = if keep == 0 {
            self.pending.len()
        } else {
            self.pending.len() / CHUNK_BYTES * CHUNK_BYTES
        };
        let codec = self.codec;
        let empty: &[&[u8]] = if keep == 0 && whole == 0 && !self.wrote { &[&[]] } else { &[] };
        let chunks: Vec<Vec<u8>> = self.pending[..whole]
            .par_chunks(CHUNK_BYTES)
            .chain(empty.par_iter().copied())
            .map(|c| match codec {
                Codec::Gzip => {
                    let level = flate2::Compression::new(GZIP_LEVEL);
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), level);
                    gz.write_all(c)?;
                    gz.finish()
                }
                Codec::Zstd => {
                    let level = ruzstd::encoding::CompressionLevel::Fastest;
                    Ok(ruzstd::encoding::compress_to_vec(c, level))
                }
            })
            .collect::<io::Result<_>>()?;
        self.pending.drain(..whole);
        self.wrote |= !chunks.is_empty();
        chunks.iter().try_for_each(|c| self.inner.write_all(c))
    }
}

/// The cells of `value`'s row in a table of columns `names`: its fields' strings as they are,
/// other values as JSON writes them, null and absent empty. A field without a column is an
/// error, not a value lost.
fn table_cells<T: Serialize>(names: &[String], value: &T) -> io::Result<Vec<String>> {
    let serde_json::Value::Object(mut row) = serde_json::to_value(value)? else {
        return Err(unsupported("a table's row is an object"));
    };
    let cells = names
        .iter()
        .map(|n| match row.remove(n) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s,
            Some(v) => v.to_string(),
        })
        .collect();
    match row.keys().next() {
        Some(k) => Err(io::Error::other(format!("no column for field '{k}'"))),
        None => Ok(cells),
    }
}

/// A writer of table rows into memory, lines ending in `\n`.
fn table_writer(delimiter: u8) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

/// The delimiter of an output at `path` written as a table: its name ends in `.csv` (a comma)
/// or `.tsv` (a tab), before any `.gz`, `.zst` or `.zstd`.
pub fn names_table(path: &Path) -> Option<u8> {
    use super::Format;
    match super::format_named(path)? {
        f @ (Format::Csv | Format::Tsv) => Some(f.delimiter()),
        _ => None,
    }
}

/// Whether an output at `path` is written as Parquet: its name ends in `.parquet`.
pub fn names_parquet(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().to_lowercase().ends_with(".parquet"))
}

/// The name beside `target` that an output is written under until it is complete.
fn temporary(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// The paths of [`Unfinished`] guards alive.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> MutexGuard<'static, Vec<PathBuf>> {
    UNFINISHED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file or folder that is no output until a run completes (an output's temporary file, the
/// timely engine's folder of parts): [`remove_unfinished`] removes it while this guard lives.
pub struct Unfinished(PathBuf);

impl Unfinished {
    /// Guards `path`, before it is created.
    pub fn new(path: PathBuf) -> Unfinished {
        unfinished().push(path.clone());
        Unfinished(path)
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        unfinished().retain(|p| *p != self.0);
    }
}

/// Removes every [`Unfinished`] path, for a process about to die of a signal (the binary's
/// handler of SIGINT, SIGTERM and SIGHUP): a run stopped half-way leaves nothing beside its
/// outputs. The list stays locked while the process dies, so that nothing more is guarded
/// (a path created after this is an output already moved into place, or none).
pub fn remove_unfinished() {
    let paths = unfinished();
    for p in paths.iter() {
        let _ = if p.is_dir() { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) };
    }
    std::mem::forget(paths);
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_owned())
}

/// An output named as compressed in a format inputs are read in but outputs are not written in
/// (`.bz2`, `.xz`): refused, not written plain under a name that says otherwise.
fn unwritten_codec(p: &Path) -> io::Result<()> {
    let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    match [".bz2", ".bzip2", ".xz"].iter().find(|c| name.ends_with(*c)) {
        Some(c) => Err(unsupported(&format!(
            "outputs are compressed as gzip (.gz) or zstd (.zst), not as {c}; name it .gz or .zst, \
             or write it to standard output and compress that (-o - | {})",
            if *c == ".xz" { "xz" } else { "bzip2" }
        ))),
        None => Ok(()),
    }
}

impl Output {
    /// Writes to `path`, or to standard output when `None` or `-`.
    pub fn create(path: Option<&Path>) -> io::Result<Output> {
        if let Some(p) = path {
            unwritten_codec(p)?;
        }
        match path {
            None => Ok(Output::stdout()),
            Some(p) if p == Path::new("-") => Ok(Output::stdout()),
            // A device or a pipe (`-o /dev/null`, a FIFO) is written in place: renaming a
            // temporary file over it would replace the device with a plain file.
            Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
                let f = std::fs::OpenOptions::new().write(true).open(p)?;
                let sink = Sink::named(p, Box::new(f));
                let mut out =
                    Output::new(BufWriter::with_capacity(1 << 16, sink), None, None, false);
                out.table = names_table(p);
                Ok(out)
            }
            Some(p) => {
                let tmp = temporary(p);
                let guard = Unfinished::new(tmp.clone());
                let f = File::create(&tmp)?;
                let file = Some(f.try_clone()?);
                let parquet = names_parquet(p);
                let mut out = Output::new(
                    BufWriter::with_capacity(1 << 16, Sink::named(p, Box::new(f))),
                    Some((guard, p.to_path_buf())),
                    file,
                    parquet,
                );
                out.table = names_table(p);
                Ok(out)
            }
        }
    }

    /// Checks, before any work is done, that [`Output::create`] can create `path`: that it is
    /// not a folder, and that its folder exists and takes a new file (the temporary one is
    /// made and removed). Standard output, devices and pipes pass: they are opened when
    /// written (opening a pipe now could wait for its reader).
    pub fn probe(path: Option<&Path>) -> io::Result<()> {
        let Some(p) = path.filter(|p| *p != Path::new("-")) else { return Ok(()) };
        unwritten_codec(p)?;
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory"));
            }
            Ok(m) if !m.is_file() => return Ok(()),
            _ => {}
        }
        if let Some(folder) = p.parent().filter(|f| !f.as_os_str().is_empty() && !f.is_dir()) {
            let reason = format!("its folder {} does not exist", folder.display());
            return Err(io::Error::new(io::ErrorKind::NotFound, reason));
        }
        let tmp = temporary(p);
        File::create(&tmp)?;
        std::fs::remove_file(&tmp)
    }

    fn new(
        inner: BufWriter<Sink>,
        target: Option<(Unfinished, PathBuf)>,
        file: Option<File>,
        parquet: bool,
    ) -> Output {
        Output {
            inner,
            target,
            file,
            parquet,
            #[cfg(feature = "parquet")]
            columnar: None,
            table: None,
            rows: None,
        }
    }

    fn stdout() -> Output {
        let inner = BufWriter::with_capacity(1 << 16, Sink::Plain(Box::new(io::stdout().lock())));
        Output::new(inner, None, None, false)
    }

    /// Declares the columns of the rows [`Output::json`] will get, for a Parquet or a table
    /// output (for JSON Lines it changes nothing). A table's header row is written now.
    pub fn columns(&mut self, columns: &[(&str, Kind)]) -> io::Result<()> {
        if let Some(delimiter) = self.table {
            let names: Vec<String> = columns.iter().map(|c| c.0.to_owned()).collect();
            let mut writer = table_writer(delimiter);
            writer.write_record(&names).map_err(io::Error::other)?;
            self.rows = Some(TableRows { names, writer });
            return self.drain_rows(0);
        }
        if !self.parquet {
            return Ok(());
        }
        #[cfg(feature = "parquet")]
        {
            self.columnar = Some(super::parquet::Writer::new(columns).map_err(io::Error::other)?);
            Ok(())
        }
        #[cfg(not(feature = "parquet"))]
        {
            let _ = columns;
            Err(unsupported(
                "this xdedup was built without Parquet support (cargo feature `parquet`)",
            ))
        }
    }

    /// Writes the table rows encoded so far once they are more than `over` bytes.
    fn drain_rows(&mut self, over: usize) -> io::Result<()> {
        let (Some(rows), Some(delimiter)) = (&mut self.rows, self.table) else { return Ok(()) };
        rows.writer.flush()?;
        if rows.writer.get_ref().len() > over {
            let full = std::mem::replace(&mut rows.writer, table_writer(delimiter));
            self.inner.write_all(&full.into_inner().map_err(|e| e.into_error())?)?;
        }
        Ok(())
    }

    /// One JSON line (a row, for a Parquet or a table output: a table's cells are its fields'
    /// strings as they are, other values as JSON writes them, null empty).
    pub fn json<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        if self.table.is_some() {
            let Some(rows) = &mut self.rows else {
                return Err(unsupported("this output has no CSV or TSV form: name it .jsonl"));
            };
            rows.writer.write_record(table_cells(&rows.names, value)?)?;
            return self.drain_rows(1 << 16);
        }
        if self.parquet {
            #[cfg(feature = "parquet")]
            if let Some(w) = &mut self.columnar {
                return w
                    .push(serde_json::to_value(value).map_err(io::Error::from)?)
                    .map_err(io::Error::other);
            }
            return Err(unsupported("this output has no Parquet form: name it .jsonl"));
        }
        serde_json::to_writer(&mut self.inner, value).map_err(io::Error::from)?;
        self.inner.write_all(b"\n")
    }

    /// `n` JSON lines (rows, for a Parquet output), the `i`-th `row(i)`. JSON lines are made in
    /// parallel, a block of rows at a time, and written in order: on one thread, writing the
    /// stories of 10k articles took about 8 ms of the 2-thread job's 330.
    pub fn json_rows<T: Serialize>(
        &mut self,
        n: usize,
        row: impl Fn(usize) -> T + Sync,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        // A table's rows are made as JSON lines are, once its columns are declared.
        let table = self.table.zip(self.rows.as_ref().map(|r| r.names.clone()));
        if self.parquet || (self.table.is_some() && table.is_none()) {
            return (0..n).try_for_each(|i| self.json(&row(i)));
        }
        self.drain_rows(0)?;
        // Rows made before they are written, and rows per task.
        const BLOCK: usize = 1 << 16;
        const TASK: usize = 512;
        for first in (0..n).step_by(BLOCK) {
            let last = (first + BLOCK).min(n);
            let parts = (first..last)
                .into_par_iter()
                .step_by(TASK)
                .map(|start| {
                    let rows = start..(start + TASK).min(last);
                    if let Some((delimiter, names)) = &table {
                        let mut w = table_writer(*delimiter);
                        for i in rows {
                            w.write_record(table_cells(names, &row(i))?)?;
                        }
                        return w.into_inner().map_err(|e| e.into_error());
                    }
                    let mut buf = Vec::new();
                    for i in rows {
                        serde_json::to_writer(&mut buf, &row(i))?;
                        buf.push(b'\n');
                    }
                    Ok(buf)
                })
                .collect::<io::Result<Vec<Vec<u8>>>>()?;
            parts.iter().try_for_each(|p| self.inner.write_all(p))?;
        }
        Ok(())
    }

    /// Whether this output is written as Parquet (its name ends in `.parquet`).
    pub fn is_parquet(&self) -> bool {
        self.parquet
    }

    /// Whether this output makes its rows of the values [`Output::json`] gets (Parquet, a
    /// table), not of JSON lines made elsewhere.
    pub fn takes_values(&self) -> bool {
        self.parquet || self.table.is_some()
    }

    /// A whole file's bytes, made elsewhere (a Parquet file copied from Parquet inputs).
    pub fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.inner.write_all(b)
    }

    /// One line as it is.
    pub fn line(&mut self, s: &str) -> io::Result<()> {
        self.text(s)?;
        self.text("\n")
    }

    /// Text as it is (a table's row and its own line ending).
    pub fn text(&mut self, s: &str) -> io::Result<()> {
        if self.parquet {
            return Err(unsupported(
                "this output has no Parquet form (lines of text): name it otherwise",
            ));
        }
        self.inner.write_all(s.as_bytes())
    }

    /// Flushes, syncs and moves the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        self.drain_rows(0)?;
        #[cfg(feature = "parquet")]
        if let Some(w) = self.columnar.take() {
            let bytes = w.finish().map_err(io::Error::other)?;
            self.inner.write_all(&bytes)?;
        }
        let placeholder = BufWriter::new(Sink::Plain(Box::new(io::sink())));
        let sink = std::mem::replace(&mut self.inner, placeholder);
        sink.into_inner().map_err(|e| e.into_error())?.finish()?;
        if let Some(f) = &self.file {
            f.sync_all()?;
        }
        if let Some((tmp, target)) = self.target.take() {
            std::fs::rename(&tmp.0, &target).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp.0);
            })?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Not finished: remove the partial file.
        if let Some((tmp, _)) = self.target.take() {
            let _ = std::fs::remove_file(&tmp.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output named `.gz` or `.zst` is written compressed so (in several chunks here),
    /// and reads back, as inputs are read, as the plain output's text; the name's case does
    /// not matter.
    #[test]
    fn outputs_named_gz_or_zst_are_compressed() {
        let dir = tempfile::tempdir().unwrap();
        let n = 400_000;
        let row = |i: usize| serde_json::json!({ "id": i, "cluster": format!("s{}", i / 3) });
        let write = |name: &str| {
            let path = dir.path().join(name);
            let mut out = Output::create(Some(&path)).unwrap();
            out.json_rows(n, row).unwrap();
            out.finish().unwrap();
            let text = crate::io::Input::Path(path.clone()).read_text(None).unwrap();
            (std::fs::read(&path).unwrap(), text)
        };
        let (plain, text) = write("rows.jsonl");
        assert!(plain.len() > 2 * CHUNK_BYTES, "more than one zstd frame");
        for (name, magic) in
            [("rows.jsonl.GZ", &[0x1f, 0x8b][..]), ("rows.jsonl.zst", &[0x28, 0xb5])]
        {
            let (bytes, read) = write(name);
            assert_eq!(&bytes[..2], magic, "{name}");
            assert!(bytes.len() * 3 < plain.len(), "{name}: {} of {}", bytes.len(), plain.len());
            assert!(read == text, "{name}");
            // An empty output is an empty stream, not an empty file (which neither reads).
            let path = dir.path().join(format!("empty-{name}"));
            Output::create(Some(&path)).unwrap().finish().unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(&bytes[..2], magic, "{name}");
            assert_eq!(crate::io::Input::Path(path).read_text(None).unwrap(), "");
        }
        // Named as a format inputs are read in but outputs are not written in: refused before
        // anything is written, not written plain under that name.
        for name in ["rows.jsonl.xz", "rows.jsonl.BZ2"] {
            let path = dir.path().join(name);
            let probe = Output::probe(Some(&path)).unwrap_err().to_string();
            let create = Output::create(Some(&path)).err().unwrap().to_string();
            assert_eq!(probe, create);
            assert!(
                probe.starts_with("outputs are compressed as gzip (.gz) or zstd (.zst)"),
                "{probe}"
            );
            assert!(
                !path.exists()
                    && std::fs::read_dir(dir.path())
                        .unwrap()
                        .all(|e| { !e.unwrap().file_name().to_string_lossy().contains(name) })
            );
        }
    }

    /// A table output's rows are the values' fields under the declared columns (strings as they
    /// are, quoted where they need it; other values as JSON writes them; null and absent empty);
    /// one without columns, or a field without a column, is an error, not a row lost.
    #[test]
    fn table_outputs_write_a_cell_a_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.tsv");
        let mut out = Output::create(Some(&path)).unwrap();
        assert!(out.json(&serde_json::json!({"id": 1})).is_err(), "no columns declared");
        out.columns(&[("id", Kind::Text), ("score", Kind::Float), ("note", Kind::Text)]).unwrap();
        out.json(&serde_json::json!({"id": "a\tb", "score": 0.5, "note": null})).unwrap();
        out.json(&serde_json::json!({"id": 7, "score": true})).unwrap();
        let err = out.json(&serde_json::json!({"id": 8, "other": 1})).unwrap_err();
        assert_eq!(err.to_string(), "no column for field 'other'");
        out.finish().unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, "id\tscore\tnote\n\"a\tb\"\t0.5\t\n7\ttrue\t\n");
        // Rows made in parallel blocks are the rows made one at a time, in order.
        let n = (1 << 16) + 1234;
        let row = |i: usize| serde_json::json!({ "id": format!("d,{i}"), "score": i % 7 });
        let table = |name: &str, parallel: bool| {
            let path = dir.path().join(name);
            let mut out = Output::create(Some(&path)).unwrap();
            out.columns(&[("id", Kind::Text), ("score", Kind::Count)]).unwrap();
            if parallel {
                out.json_rows(n, row).unwrap();
            } else {
                (0..n).for_each(|i| out.json(&row(i)).unwrap());
            }
            out.finish().unwrap();
            std::fs::read_to_string(&path).unwrap()
        };
        let (one, blocks) = (table("one.csv", false), table("blocks.csv", true));
        assert_eq!(one.lines().count(), n + 1);
        assert!(one == blocks, "the same table");
        assert!(one.starts_with("id,score\n\"d,0\",0\n\"d,1\",1\n"), "{}", &one[..40]);
    }

    /// Rows made in parallel come out one a line, in order, across tasks and blocks.
    #[test]
    fn json_rows_are_written_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.jsonl");
        let n = (1 << 16) + 1234;
        let row = |i: usize| serde_json::json!({ "id": i, "text": "ä".repeat(i % 7) });
        let mut out = Output::create(Some(&path)).unwrap();
        out.json_rows(n, row).unwrap();
        out.json_rows(0, row).unwrap();
        out.finish().unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(lines.len(), n);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(*line, row(i).to_string(), "line {}", i + 1);
        }
    }
}
