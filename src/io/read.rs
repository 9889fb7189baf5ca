//! The record readers: JSON Lines, CSV/TSV, plain text lines, and one document per file.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use super::decode::{open, open_as, open_noting_bom};
use super::{
    Format, Header, Input, Item, MALFORMED_JSON, MALFORMED_RECORD, MISSING_TEXT_FIELD,
    NOT_AN_OBJECT, Prepare, ReadOptions, Record, Rejected, TEXT_FIELD_NOT_TEXT, joined_lines,
};
use crate::error::Origin;

/// Reads every input in order, calling `sink` with each item; `sink` returns `false` to stop.
///
/// Ids must be unique over all inputs: a repeated id is rejected, naming where it was first seen.
/// Without an id field, the id is the line number (or `file:line` when there are several inputs).
pub fn read_inputs(inputs: &[Input], opts: &ReadOptions, sink: impl FnMut(Item) -> bool) {
    read_inputs_prepared(inputs, opts, &Prepare::new(), sink)
}

/// [`read_inputs`], with `prepare`'s step (once it is set) applied to each record of the line
/// formats as it is parsed.
pub fn read_inputs_prepared(
    inputs: &[Input],
    opts: &ReadOptions,
    prepare: &Prepare,
    mut sink: impl FnMut(Item) -> bool,
) {
    // Ids are checked one after another on the reading thread (the other workers parse
    // meanwhile, but no one else can take this thread's part).
    let mut seen = SeenIds::default();
    read_share(inputs, opts, None, Some(prepare), &mut |_, _, item| {
        let item = match item {
            Item::Record(r) => match seen.first_seen(&r.id, &r.origin) {
                Some(first) => Item::Rejected(Rejected {
                    reason: format!("duplicate id (first seen at {first})"),
                    origin: r.origin,
                    id: Some(r.id),
                }),
                None => Item::Record(r),
            },
            other => other,
        };
        sink(item)
    });
}

/// The ids a read has met, each with where it was first seen: the ids' texts one after another
/// in one string, and a table of their places in it.
///
/// A map of a `String` and an [`Origin`] per id made an allocation per record and freed them
/// one by one when the read ended: serial time on the reading thread, while the other workers
/// waited. In perf samples of the peers' job on the whole corpus (2 threads, two runs), growing
/// that map took 5–9 ms and freeing it 4–9 ms.
#[derive(Default)]
struct SeenIds {
    /// The ids' texts, one after another.
    text: String,
    /// The input files met, in order ([`SeenId::file`] is a place in this list).
    files: Vec<Arc<str>>,
    table: hashbrown::HashTable<SeenId>,
    /// An id that is not a JSON string, written as text.
    scratch: String,
}

/// One id in [`SeenIds`].
struct SeenId {
    hash: u64,
    /// Its text, `SeenIds::text[start..end]`.
    start: usize,
    end: usize,
    file: u32,
    line: u64,
}

impl SeenIds {
    /// Where `id` was first seen; `None` when it is new, after noting that it was seen at
    /// `origin`. Ids are compared as [`super::id_text`] writes them (a number and the string of
    /// its digits are the same id).
    fn first_seen(&mut self, id: &Value, origin: &Origin) -> Option<Origin> {
        let SeenIds { text, files, table, scratch } = self;
        let key = super::id_str(id, scratch);
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        let same = |s: &SeenId| s.hash == hash && text[s.start..s.end] == *key;
        match table.entry(hash, same, |s| s.hash) {
            hashbrown::hash_table::Entry::Occupied(e) => {
                let s = e.get();
                Some(Origin { file: files[s.file as usize].clone(), line: s.line })
            }
            hashbrown::hash_table::Entry::Vacant(e) => {
                if !files.last().is_some_and(|f| Arc::ptr_eq(f, &origin.file)) {
                    files.push(origin.file.clone());
                }
                let start = text.len();
                text.push_str(key);
                let file = (files.len() - 1) as u32;
                e.insert(SeenId { hash, start, end: text.len(), file, line: origin.line });
                None
            }
        }
    }
}

/// One worker's share of a read that several workers make together (see [`read_share`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// This worker, `0..peers`.
    pub index: usize,
    /// Workers reading.
    pub peers: usize,
    /// Per input, the byte range this worker reads when the input is split that way (see
    /// [`plan_ranges`]), with the number of lines before it.
    pub ranges: Vec<Option<(Range, u64)>>,
}

impl Share {
    /// Whether the inputs not read in ranges go to the workers whole (input `i` to worker
    /// `i mod peers`, which alone opens it): when there are at least as many of them as
    /// workers. Otherwise their records are dealt, and every worker reads (and decompresses)
    /// each of them.
    pub fn whole_files(&self) -> bool {
        self.ranges.iter().filter(|r| r.is_none()).count() >= self.peers
    }
}

/// A byte range of a plain JSON Lines or text file: the lines that *start* in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// Newline bytes in `start..end` (summed over the ranges before one, they give its first
    /// line's number).
    pub newlines: u64,
    /// The file's format (sniffed from its first line when not given).
    pub format: Format,
}

/// Plain files at least this large are read in byte ranges, one per worker.
pub const SPLIT_BYTES: u64 = 1 << 20;

/// This worker's byte range of each input that is read in ranges: uncompressed JSON Lines or
/// text files of [`SPLIT_BYTES`] or more, cut into `peers` equal ranges. Counts the range's
/// newlines (the one pass over its bytes before parsing). Other inputs (compressed, CSV, TSV,
/// Parquet, small files) get `None`: their records are dealt round robin.
pub fn plan_ranges(
    inputs: &[Input],
    opts: &ReadOptions,
    index: usize,
    peers: usize,
) -> Vec<Option<Range>> {
    inputs
        .iter()
        .map(|input| {
            // Another encoding is transcoded as it streams, from the start.
            if opts.doc_per_file || opts.encoding.is_some() {
                return None;
            }
            let len = super::decode::plain_len(input).filter(|&l| l >= SPLIT_BYTES)?;
            let format = match input_format(input, opts) {
                Some(Format::Text) => Format::Text,
                // A JSON array's elements, or pretty-printed objects, are not lines: such a file
                // is read whole, its records dealt.
                Some(Format::Jsonl) | None
                    if open(input).is_ok_and(|mut r| json_values(&mut r).is_some()) =>
                {
                    return None;
                }
                // A table is read whole, its records dealt, as a file named `.csv` is.
                None if open(input).is_ok_and(|mut r| sniffed_table(&mut r, opts).is_some()) => {
                    return None;
                }
                Some(Format::Jsonl) => Format::Jsonl,
                Some(_) => return None,
                None => sniff(input)?,
            };
            let start = len * index as u64 / peers as u64;
            let end = len * (index as u64 + 1) / peers as u64;
            let newlines = count_newlines(input, start, end).ok()?;
            Some(Range { start, end, newlines, format })
        })
        .collect()
}

/// JSON Lines when the first non-blank line starts with `{`, else text (as [`read_lines`]).
fn sniff(input: &Input) -> Option<Format> {
    let mut reader = open(input).ok()?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).ok()? == 0 {
            return Some(Format::Jsonl);
        }
        if let Some(&b) = line.iter().find(|b| !b.is_ascii_whitespace()) {
            return Some(if b == b'{' { Format::Jsonl } else { Format::Text });
        }
    }
}

fn count_newlines(input: &Input, start: u64, end: u64) -> std::io::Result<u64> {
    use std::io::{Read, Seek};
    let Input::Path(p) = input else { return Ok(0) };
    let mut f = std::fs::File::open(p)?;
    f.seek(std::io::SeekFrom::Start(start))?;
    let mut f = f.take(end - start);
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let got = f.read(&mut buf)?;
        if got == 0 {
            return Ok(n);
        }
        n += buf[..got].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

/// Reads the lines that start in `range` of `input`, numbered from `lines_before + 1`.
fn read_range(
    input: &Input,
    range: Range,
    lines_before: u64,
    ctx: &Ctx,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    use std::io::{Read, Seek};
    let Input::Path(p) = input else { return Err("not a file".into()) };
    let io = |e: std::io::Error| format!("cannot read: {e}");
    let mut f = std::fs::File::open(p).map_err(io)?;
    let (mut at, mut first) = (range.start, lines_before);
    if range.start == 0 {
        let mut bom = [0u8; 3];
        let n = f.read(&mut bom).map_err(io)?;
        at = if n == 3 && bom == [0xEF, 0xBB, 0xBF] { 3 } else { 0 };
    } else {
        // A line that starts before the range is the previous range's.
        f.seek(std::io::SeekFrom::Start(range.start - 1)).map_err(io)?;
        let mut r = std::io::BufReader::with_capacity(1 << 16, f);
        let mut prev = [0u8; 1];
        r.read_exact(&mut prev).map_err(io)?;
        if prev[0] != b'\n' {
            let mut skipped = Vec::new();
            let n = r.read_until(b'\n', &mut skipped).map_err(io)?;
            at += n as u64;
            first += skipped.last().is_some_and(|&b| b == b'\n') as u64;
        }
        f = r.into_inner();
    }
    if at >= range.end {
        return Ok(());
    }
    f.seek(std::io::SeekFrom::Start(at)).map_err(io)?;
    let reader: Box<dyn BufRead + Send> = Box::new(std::io::BufReader::with_capacity(1 << 16, f));
    read_lines_from(reader, Some(range.format), ctx, first, Some(range.end - at), emit)
}

/// Reads every input in order, calling `sink` with each item and the index of its input; `sink`
/// returns `false` to stop. Ids are not checked for repeats (see [`read_inputs`]).
///
/// With a `share`, only the share's items are parsed and passed on: the lines that start in the
/// worker's byte range of an input split in ranges ([`plan_ranges`]); of other inputs, whole
/// files when there are enough of them ([`Share::whole_files`]), else the records dealt to it
/// round robin (record `k` of input `i` goes to worker `(k + i) mod peers`,
/// before it is parsed); a whole-file error goes to worker `i mod peers`. Together the workers
/// see every item exactly once, with the line numbers of a whole read. The files of a directory
/// read as one document per file are dealt round robin as records are (file `k`, in the folder's
/// path order, to worker `(k + i) mod peers`), each worker reading only its own.
///
/// `sink` gets each item with its input's index and its place in that input: its line, or in a
/// directory read one document per file, its number in the directory's order (from 1). Places
/// order an input's items as a whole read does; a header row's is 0.
pub fn read_share(
    inputs: &[Input],
    opts: &ReadOptions,
    share: Option<&Share>,
    prepare: Option<&Prepare>,
    sink: &mut dyn FnMut(usize, u64, Item) -> bool,
) {
    let several = inputs.len() > 1;
    let go = std::cell::Cell::new(true);
    for (i, input) in inputs.iter().enumerate() {
        if opts.doc_per_file
            && let Input::Path(dir) = input
            && dir.is_dir()
        {
            let dealing = share.map(|s| (s.index, s.peers));
            read_dir(dir, opts, dealing, i, &mut |place, item| {
                go.set(sink(i, place, item));
                go.get()
            });
            if !go.get() {
                return;
            }
            continue;
        }
        let mut emit = |item: Item| -> bool {
            let place = match &item {
                Item::Record(r) => r.origin.line,
                Item::Rejected(r) => r.origin.line,
                Item::Header(_) => 0,
            };
            go.set(sink(i, place, item));
            go.get()
        };
        let name: Arc<str> = input.name().into();
        let format = input_format(input, opts);
        let default_id = |line: u64| -> Value {
            if several { Value::String(format!("{name}:{line}")) } else { Value::from(line) }
        };
        let whole_file_mine = share.as_ref().is_none_or(|s| i % s.peers == s.index);
        let range = share.as_ref().and_then(|s| s.ranges.get(i).copied().flatten());
        let whole = range.is_none() && share.as_ref().is_some_and(|s| s.whole_files());
        if whole && !whole_file_mine {
            continue;
        }
        // A ranged input is not dealt (the range is the share), nor a whole file.
        let dealing =
            share.as_ref().filter(|_| range.is_none() && !whole).map(|s| (s.index, s.peers));
        let mut ctx = Ctx::new(name.clone(), opts, &default_id, dealing, i);
        ctx.prepare = prepare;
        let result = if let Some((r, before)) = range {
            read_range(input, r, before, &ctx, &mut emit)
        } else if format == Some(Format::Parquet) {
            read_parquet(input, &ctx, &mut emit)
        } else {
            match open_noting_bom(input, opts.encoding) {
                Ok((mut reader, bom)) => match format {
                    None | Some(Format::Jsonl) if let Some(values) = json_values(&mut reader) => {
                        read_json_values(reader, values, &ctx, &mut emit)
                    }
                    None if let Some(table) = sniffed_table(&mut reader, opts) => {
                        read_csv(reader, table, bom, &ctx, &mut emit)
                    }
                    None | Some(Format::Jsonl | Format::Text) => {
                        read_lines(reader, format, &ctx, &mut emit)
                    }
                    Some(f @ (Format::Csv | Format::Tsv)) => {
                        read_csv(reader, f, bom, &ctx, &mut emit)
                    }
                    Some(Format::Parquet) => unreachable!("read above"),
                },
                Err(e) => Err(format!("cannot read: {e}")),
            }
        };
        if let Err(reason) = result
            && whole_file_mine
        {
            let origin = Origin { file: name.clone(), line: 0 };
            if !emit(Item::Rejected(Rejected { origin, id: None, reason })) {
                return;
            }
        }
        if !go.get() {
            return;
        }
    }
}

/// A Parquet file's rows as records (see [`super::parquet::read`]).
#[cfg(feature = "parquet")]
fn read_parquet(
    input: &Input,
    ctx: &Ctx,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    let Input::Path(path) = input else {
        return Err("Parquet is read from a file, not standard input".into());
    };
    let o = ctx.opts;
    super::parquet::read(
        path,
        &o.id_field,
        &o.text_field,
        o.title_field.as_deref(),
        o.time_field.as_deref(),
        Some(o.lang_field.as_str()),
        &mut |row| {
            if !ctx.mine() {
                return true;
            }
            let super::parquet::Row { line, id, title, text, time, lang } = row;
            let item = match text {
                None => {
                    let reason = format!("text column '{}' is null", o.text_field);
                    ctx.reject(line, Some(ctx.id_or_line(id, line)), reason)
                }
                Some(text) => {
                    let raw = o.keep_raw.then(|| {
                        let id = ctx.id_or_line(id.clone(), line);
                        serde_json::json!({ &o.id_field: id, &o.text_field: text }).to_string()
                    });
                    with_lang(ctx.record(line, id, title, text.into(), time, raw), lang)
                }
            };
            emit(item)
        },
    )
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_: &Input, _: &Ctx, _: &mut dyn FnMut(Item) -> bool) -> Result<(), String> {
    Err("this xdedup was built without Parquet support (cargo feature `parquet`)".into())
}

struct Ctx<'a> {
    name: Arc<str>,
    opts: &'a ReadOptions,
    default_id: &'a (dyn Fn(u64) -> Value + Sync),
    /// Records dealt round robin: (this worker, workers, the input's index), and the input's
    /// records dealt so far.
    share: Option<(usize, usize, usize)>,
    dealt: std::sync::atomic::AtomicU64,
    /// The step applied to each record of a parallel reader (see [`Prepare`]).
    prepare: Option<&'a Prepare>,
    /// Which fields of [`super::named_fields`] options name, for [`Record::lacks`].
    named: [bool; 3],
}

impl<'a> Ctx<'a> {
    fn new(
        name: Arc<str>,
        opts: &'a ReadOptions,
        default_id: &'a (dyn Fn(u64) -> Value + Sync),
        dealing: Option<(usize, usize)>,
        input: usize,
    ) -> Self {
        let share = dealing.map(|(index, peers)| (index, peers, input));
        let named = super::named_fields(
            &opts.id_field,
            opts.title_field.as_deref(),
            opts.time_field.as_deref(),
        )
        .map(|(_, name)| name.is_some());
        Ctx { name, opts, default_id, share, dealt: Default::default(), prepare: None, named }
    }

    /// Deals the input's next record: whether it is this reader's to parse.
    fn mine(&self) -> bool {
        let Some((index, peers, input)) = self.share else { return true };
        let k = self.dealt.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (k as usize + input) % peers == index
    }

    /// `item` with the reader's [`Prepare`] step applied, when it is a record and the step is
    /// set.
    fn prepared(&self, mut item: Item) -> Item {
        if let (Some(prepare), Item::Record(r)) = (self.prepare.and_then(|p| p.get()), &mut item) {
            prepare(r);
        }
        item
    }

    fn origin(&self, line: u64) -> Origin {
        Origin { file: self.name.clone(), line }
    }

    /// `id`, or where the record has none, its line's.
    fn id_or_line(&self, id: Option<Value>, line: u64) -> Value {
        id.unwrap_or_else(|| (self.default_id)(line))
    }

    fn reject(&self, line: u64, id: Option<Value>, reason: impl Into<String>) -> Item {
        Item::Rejected(Rejected { origin: self.origin(line), id, reason: reason.into() })
    }

    /// A record from its parts, or a rejection when the text is empty; cuts oversize text.
    /// `id: None` when the record has no id: its line is.
    fn record(
        &self,
        line: u64,
        id: Option<Value>,
        title: Option<&str>,
        text: std::borrow::Cow<'_, str>,
        time: Option<String>,
        raw: Option<String>,
    ) -> Item {
        let title = title.filter(|t| !t.trim().is_empty());
        let time = time.filter(|t| !t.trim().is_empty());
        let given = [id.is_some(), title.is_some(), time.is_some()];
        // A date whose day and month could be either, read in the order given, is kept as the
        // moment it is.
        let time = time.map(|t| super::time::settled(t, self.opts.date_order));
        let lacks = std::array::from_fn(|i| self.named[i] && !given[i]);
        let id = self.id_or_line(id, line);
        let mut full = match title {
            Some(t) => format!("{t}\n{text}"),
            None => text.into_owned(),
        };
        if full.trim().is_empty() {
            return self.reject(line, Some(id), "empty text");
        }
        let mut truncated = false;
        if full.len() > self.opts.max_doc_bytes {
            let mut cut = self.opts.max_doc_bytes;
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            full.truncate(cut);
            truncated = true;
        }
        Item::Record(Record {
            id,
            text: full,
            time: time.map(String::into_boxed_str),
            lang: None,
            origin: self.origin(line),
            truncated,
            lacks,
            null_text: false,
            raw: raw.map(String::into_boxed_str),
            features: None,
        })
    }
}

/// The format `input` is read in: `--format`, else the one its name says; `None` when its
/// content decides (JSON Lines or text), and for a folder read one document per file.
pub fn input_format(input: &Input, opts: &ReadOptions) -> Option<Format> {
    if opts.doc_per_file && matches!(input, Input::Path(p) if p.is_dir()) {
        return None;
    }
    opts.format.or_else(|| format_of(input))
}

/// Format from the file name (ignoring `.gz` / `.zst`); `None` when the name does not say (the
/// stream is then sniffed by [`read_lines`]).
fn format_of(input: &Input) -> Option<Format> {
    let Input::Path(p) = input else { return None };
    super::format_named(p)
}

/// Lines are parsed in parallel, a few chunks at a time, and emitted in input order.
///
/// The first chunk is read on one thread while the others wait, so a small one lets the
/// workers start sooner, and its buffer stays in cache and is touched fresh only once: 1 MB
/// chunks took the peers' job on 10k articles from 0.195 to 0.186 s on 2 threads against 8 MB
/// chunks (`perf stat -r 10`, when a chunk was read while the one before was parsed), with the
/// same output.
const CHUNK_LINES: usize = 4096;
/// Most lines one task parses (see [`crate::pipeline::TEXTS_PER_TASK`]).
const LINES_PER_TASK: usize = 64;
const CHUNK_BYTES: usize = 1 << 20;

/// Reads JSON Lines or text lines; `format` `None` decides from the first non-blank line (JSON
/// Lines if it starts with `{`, else text).
fn read_lines(
    reader: Box<dyn BufRead + Send>,
    format: Option<Format>,
    ctx: &Ctx,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    read_lines_from(reader, format, ctx, 0, None, emit)
}

/// [`read_lines`] numbering from `first + 1`, and with a `limit`, reading no line that starts
/// `limit` bytes or more into the stream. Chunks of lines are parsed by the pool's workers
/// ([`parse_in_order`]).
fn read_lines_from(
    reader: Box<dyn BufRead + Send>,
    format: Option<Format>,
    ctx: &Ctx,
    first: u64,
    limit: Option<u64>,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    let mut lines = Lines { reader, line_no: first, consumed: 0, limit, sniffed: format };
    parse_in_order(ctx, |chunk: &mut Chunk| lines.fill(chunk, ctx), emit)
}

/// How a stream to be read as JSON Lines holds its records when they are not one a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonValues {
    /// A JSON array of objects or of strings (`[` then `{`, `"` or `]`, whitespace aside): the
    /// `.json` file an API or `pandas.to_json(orient="records")` exports, or a list of texts.
    Array,
    /// Objects one after another, each over several lines (its first line only `{`): what
    /// `jq .` and `json.dump(…, indent=2)` per record write.
    Objects,
}

/// Whether a stream to be read as JSON Lines holds [`JsonValues`] instead. JSON Lines cannot
/// start so: each of its lines is an object.
fn json_values(reader: &mut Box<dyn BufRead + Send>) -> Option<JsonValues> {
    let head = reader.fill_buf().ok()?;
    let mut bytes = head.iter().filter(|b| !b.is_ascii_whitespace());
    match (bytes.next(), bytes.next()) {
        (Some(b'['), Some(b'{' | b'"' | b']') | None) => Some(JsonValues::Array),
        (Some(b'{'), _) => {
            let from = head.iter().position(|&b| b == b'{')?;
            let line = head[from + 1..].split(|&b| b == b'\n').next()?;
            line.trim_ascii().is_empty().then_some(JsonValues::Objects)
        }
        _ => None,
    }
}

/// The table format of a stream whose name does not say, by its first line: a header row that
/// names the text field (`id,text`: `psql … CSV HEADER` piped in, a file named `export.dat`),
/// split by `--delimiter` when given, else by one of [`DELIMITERS`]; a name may be quoted.
/// `None`: JSON Lines or text lines decide, as before (a text whose first line is a header row
/// naming the text field is no text a user means).
fn sniffed_table(reader: &mut Box<dyn BufRead + Send>, opts: &ReadOptions) -> Option<Format> {
    let line = first_line(reader)?;
    let found = match opts.delimiter {
        Some(d) => names_text(line, d, &opts.text_field).then_some(d),
        None => DELIMITERS.into_iter().find(|&d| names_text(line, d, &opts.text_field)),
    }?;
    Some(if found == b'\t' { Format::Tsv } else { Format::Csv })
}

/// The delimiters a table's header row is tried with when `--delimiter` is not given: a comma,
/// a tab, the `;` of a spreadsheet exported in a locale whose decimal mark is a comma, a `|`.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// The delimiter of a CSV or TSV input: `--delimiter` when given; else its format's (a comma,
/// a tab) unless its header row names the text field only when split by another of
/// [`DELIMITERS`] (`id;text` in a `.csv`: a European spreadsheet's export).
fn table_delimiter(reader: &mut Box<dyn BufRead + Send>, format: Format, opts: &ReadOptions) -> u8 {
    let own = format.delimiter();
    if let Some(d) = opts.delimiter {
        return d;
    }
    let Some(line) = first_line(reader) else { return own };
    let named = |d: u8| names_text(line, d, &opts.text_field);
    if named(own) {
        return own;
    }
    DELIMITERS.into_iter().find(|&d| named(d)).unwrap_or(own)
}

/// Whether `line`, a header row split by `delimiter` into two or more names (each maybe
/// quoted; spaces are part of a name, as the CSV reader takes them), names `text_field`.
fn names_text(line: &[u8], delimiter: u8, text_field: &str) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut names = line
        .split(|&b| b == delimiter)
        .map(|name| name.strip_prefix(b"\"").and_then(|n| n.strip_suffix(b"\"")).unwrap_or(name));
    let first = names.next();
    let text = text_field.as_bytes();
    names.clone().next().is_some() && (first == Some(text) || names.any(|n| n == text))
}

/// The first line of `reader` (without its `\n`), not consumed: `None` when it runs past
/// [`HEAD_BYTES`] or the input ends first. Where the reader's buffer holds only the start of it
/// (a pipe whose producer writes a little at a time), the rest is read, and the reader is
/// replaced by what was read followed by the rest of the input.
fn first_line(reader: &mut Box<dyn BufRead + Send>) -> Option<&[u8]> {
    let head = reader.fill_buf().ok()?;
    if memchr::memchr(b'\n', head).is_none() && !head.is_empty() && head.len() < HEAD_BYTES {
        let mut line = Vec::new();
        let read =
            std::io::Read::take(&mut **reader, HEAD_BYTES as u64).read_until(b'\n', &mut line);
        let rest = std::mem::replace(reader, Box::new(std::io::empty()));
        *reader = Box::new(std::io::Read::chain(std::io::Cursor::new(line), rest));
        read.ok()?;
    }
    let head = reader.fill_buf().ok()?;
    memchr::memchr(b'\n', head).map(|end| &head[..end])
}

/// How far [`first_line`] looks for the end of a first line.
const HEAD_BYTES: usize = 1 << 16;

/// Reads a JSON array's elements, or objects one after another, as records, each as a JSON
/// line would be read (its fields, its rejection), numbered by its place in the array or the
/// stream (1, 2, …) where a line has its line number: an element is found by its place
/// (`jq '.[N-1]'`), and one line may hold them all. Chunks of elements are parsed by the pool's
/// workers, as chunks of lines are.
fn read_json_values(
    reader: Box<dyn BufRead + Send>,
    values: JsonValues,
    ctx: &Ctx,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    let mut text_key = b"{".to_vec();
    text_key.extend(serde_json::to_string(&ctx.opts.text_field).expect("a string").bytes());
    text_key.push(b':');
    let array = values == JsonValues::Array;
    let mut elements =
        Elements { reader, array, count: 0, opened: !array, closed: false, text_key };
    parse_in_order(ctx, |chunk: &mut Chunk| elements.fill(chunk, ctx), emit)
}

/// The elements of a JSON array, or objects one after another, found by their brackets and
/// quotes without parsing them (each is parsed on a worker, as a line is).
struct Elements {
    reader: Box<dyn BufRead + Send>,
    /// The elements of an array, else objects one after another.
    array: bool,
    /// Elements read.
    count: u64,
    /// The array's `[`, and its `]`, have been read (objects have no `[`, and no `]` to end).
    opened: bool,
    closed: bool,
    /// `{"text field":`, what a string element is put after to be a record.
    text_key: Vec<u8>,
}

impl Elements {
    /// Reads elements into `chunk` until it is full, the array ends or a read fails.
    fn fill(&mut self, chunk: &mut Chunk, ctx: &Ctx) -> Filled {
        chunk.format = Some(Format::Jsonl);
        let unit = if self.array { "element" } else { "object" };
        let after =
            |n: u64| if n == 0 { "at its start".to_owned() } else { format!("after {unit} {n}") };
        loop {
            let next = match self.skip_whitespace() {
                Ok(b) => b,
                Err(e) => return Filled::Failed(format!("read error {}: {e}", after(self.count))),
            };
            match next {
                None if self.closed || !self.array => return Filled::End,
                Some(b) if !self.array && b != b'{' => {
                    return Filled::Failed(format!(
                        "'{}' where a JSON object should start, {}",
                        b.escape_ascii(),
                        after(self.count)
                    ));
                }
                None => {
                    return Filled::Failed(format!(
                        "the JSON array ends without its ']' {}: a cut file?",
                        after(self.count)
                    ));
                }
                Some(_) if self.closed => {
                    return Filled::Failed(format!(
                        "more after the JSON array's closing ']' (after element {})",
                        self.count
                    ));
                }
                Some(b'[') if !self.opened => {
                    self.reader.consume(1);
                    self.opened = true;
                    continue;
                }
                Some(b']') => {
                    self.reader.consume(1);
                    self.closed = true;
                    continue;
                }
                Some(_) => {}
            }
            let start = chunk.block.len();
            let ended = self.element(&mut chunk.block);
            let mut end = chunk.block.len();
            while end > start && chunk.block[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            chunk.block.truncate(end);
            if chunk.block.get(start) == Some(&b'"') {
                // A string is a text: the record `{text field: the string}`.
                chunk.block.splice(start..start, self.text_key.iter().copied());
                chunk.block.push(b'}');
                end = chunk.block.len();
            }
            self.count += 1;
            let cut = match ended {
                Err(e) => {
                    chunk.block.truncate(start);
                    return Filled::Failed(format!("read error in element {}: {e}", self.count));
                }
                Ok(None) => true,
                Ok(Some(closed)) => {
                    self.closed = closed;
                    false
                }
            };
            if ctx.mine() {
                chunk.lines.push((self.count, start..end));
            } else {
                chunk.block.truncate(start);
            }
            if cut {
                // The element cut short is a record, rejected as a cut line is.
                return Filled::Failed(if self.array {
                    format!(
                        "the JSON array ends without its ']' in element {}: a cut file?",
                        self.count
                    )
                } else {
                    format!("the JSON object {} is cut short: a cut file?", self.count)
                });
            }
            if chunk.lines.len() >= CHUNK_LINES || chunk.block.len() >= CHUNK_BYTES {
                return Filled::Full;
            }
        }
    }

    /// Consumes whitespace; the byte after it, not consumed (`None` at the end of the stream).
    fn skip_whitespace(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            let buf = self.reader.fill_buf()?;
            let Some(&b) = buf.first() else { return Ok(None) };
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.reader.consume(n);
        }
    }

    /// Reads one element into `block`, up to the `,` or `]` that ends it outside any string,
    /// object or array in it (consumed); line breaks between its tokens become spaces, so that
    /// it is one line, as a record kept raw must be. `Some(true)` when a `]` ended it (the
    /// array's), `None` when the stream ended first.
    fn element(&mut self, block: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
        let (mut depth, mut in_string, mut escaped) = (0u32, false, false);
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if in_string {
                    match b {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => in_string = false,
                        _ => {}
                    }
                    block.push(b);
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        // An object of a stream of them ends with its own '}'.
                        if depth == 0 && !self.array {
                            block.push(b);
                            end = Some((i, false));
                            break;
                        }
                    }
                    b',' | b']' if depth == 0 => {
                        end = Some((i, b == b']'));
                        break;
                    }
                    _ => {}
                }
                block.push(if b == b'\n' || b == b'\r' { b' ' } else { b });
            }
            match end {
                Some((i, closed)) => {
                    self.reader.consume(i + 1);
                    return Ok(Some(closed));
                }
                None => {
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
    }
}

/// A block of an input, read on the reading thread and parsed by the pool's workers: a chunk of
/// lines, or of CSV records.
trait Block: Default + Send {
    /// Whether the block holds nothing to parse.
    fn is_empty(&self) -> bool;
    /// The block's items, parsed (and prepared, see [`Prepare`]) in parallel, in order.
    fn parse(&self, ctx: &Ctx) -> Vec<Item>;
    /// Empties the block, keeping its room for the next.
    fn clear(&mut self);
}

/// Blocks filled by `fill` on this thread are parsed by the pool's workers, up to [`IN_FLIGHT`]
/// at a time, while this thread reads the next ones and hands the parsed items to `emit` in
/// input order; when the next block to emit is not parsed yet, this thread helps parse (on a
/// worker of the pool) or waits. A block at a time, each parsed between two barriers, kept a
/// 2-thread run's workers waiting at every block's end for its last task, and while this thread
/// emitted its items.
fn parse_in_order<B: Block>(
    ctx: &Ctx,
    mut fill: impl FnMut(&mut B) -> Filled,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    let parsed = Parsed::<B>::default();
    rayon::in_place_scope(|scope| {
        let mut spare: Vec<B> = Vec::new();
        let (mut filled, mut emitted) = (0, 0);
        // How the stream ended, once it has.
        let mut end = None;
        loop {
            while end.is_none() && filled - emitted < IN_FLIGHT {
                let mut block = spare.pop().unwrap_or_default();
                match fill(&mut block) {
                    Filled::Full => {}
                    Filled::End => end = Some(Ok(())),
                    Filled::Failed(e) => end = Some(Err(e)),
                }
                if block.is_empty() {
                    break;
                }
                let (seq, parsed) = (filled, &parsed);
                scope.spawn(move |_| {
                    // A panic is handed to this thread, which would otherwise wait for the
                    // block forever.
                    let items =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block.parse(ctx)));
                    parsed.put(seq, block, items);
                });
                filled += 1;
            }
            if emitted == filled {
                return end.unwrap_or(Ok(()));
            }
            let (mut block, items) = parsed.take(emitted);
            emitted += 1;
            if !items.into_iter().all(&mut *emit) {
                // The blocks still being parsed are dropped when they are.
                return Ok(());
            }
            block.clear();
            spare.push(block);
        }
    })
}

/// Chunks read ahead of the one being emitted: enough for the workers to go on parsing while
/// one chunk is emitted and the next read. The reading thread refills only after it emits, and
/// while it waits it parses the newest chunk itself. With 4 chunks ahead, a 2-thread run often
/// left the other worker with nothing queued: it slept for 0.5–1.4 ms about every 19 ms. With
/// 16 ahead, the read's idle CPU time fell from 18–36 ms to 10–18 ms (the peers' job on the
/// whole corpus). That costs up to 16 MB of raw lines, plus their parsed records.
const IN_FLIGHT: usize = 16;

/// A block's items, or the panic that stopped its parse.
type Parse = std::thread::Result<Vec<Item>>;

/// Parsed blocks, by their place in the stream, until they are emitted.
struct Parsed<B> {
    done: std::sync::Mutex<Vec<(usize, B, Parse)>>,
    ready: std::sync::Condvar,
}

impl<B> Default for Parsed<B> {
    fn default() -> Self {
        Parsed { done: Default::default(), ready: Default::default() }
    }
}

impl<B> Parsed<B> {
    fn put(&self, seq: usize, block: B, items: Parse) {
        self.done.lock().unwrap_or_else(|e| e.into_inner()).push((seq, block, items));
        self.ready.notify_one();
    }

    /// The block `seq` and its items, once parsed. Meanwhile this thread parses other blocks
    /// (or parts of them) when it is one of the pool's workers, and sleeps when it is not.
    fn take(&self, seq: usize) -> (B, Vec<Item>) {
        loop {
            let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = done.iter().position(|d| d.0 == seq) {
                let (_, chunk, items) = done.swap_remove(i);
                drop(done);
                return (chunk, items.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            if rayon::current_thread_index().is_none() {
                drop(self.ready.wait(done).unwrap_or_else(|e| e.into_inner()));
                continue;
            }
            drop(done);
            // Idle: another worker is parsing the last part of it.
            if rayon::yield_now() == Some(rayon::Yield::Idle) {
                std::thread::yield_now();
            }
        }
    }
}

/// The lines of a stream, read a chunk at a time.
struct Lines {
    reader: Box<dyn BufRead + Send>,
    /// Number of the last line read.
    line_no: u64,
    /// Bytes read.
    consumed: u64,
    limit: Option<u64>,
    /// The format, once the first non-blank line has decided it (or the caller has).
    sniffed: Option<Format>,
}

/// A chunk's lines, end to end in one buffer that keeps its capacity from chunk to chunk (a
/// buffer per line cost an allocation and several regrowths per line, on the one thread that
/// reads), with each line's number and place in it.
#[derive(Default)]
struct Chunk {
    block: Vec<u8>,
    lines: Vec<(u64, std::ops::Range<usize>)>,
    format: Option<Format>,
}

/// How [`Lines::fill`] ended a chunk.
enum Filled {
    /// The chunk is full; more may follow.
    Full,
    /// The stream (or its share of it) ended.
    End,
    /// A read failed; the chunk holds what was read before it.
    Failed(String),
}

impl Block for Chunk {
    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn parse(&self, ctx: &Ctx) -> Vec<Item> {
        let format = self.format.unwrap_or(Format::Jsonl);
        self.lines
            .par_iter()
            .with_max_len(LINES_PER_TASK)
            .map(|(no, range)| {
                ctx.prepared(line_item(&self.block[range.clone()], *no, format, ctx))
            })
            .collect()
    }

    fn clear(&mut self) {
        self.block.clear();
        self.lines.clear();
    }
}

impl Lines {
    /// Reads lines into `chunk` until it is full, the stream ends or a read fails.
    fn fill(&mut self, chunk: &mut Chunk, ctx: &Ctx) -> Filled {
        let block = &mut chunk.block;
        loop {
            if self.limit.is_some_and(|l| self.consumed >= l) {
                return Filled::End;
            }
            let start = block.len();
            let n = match self.reader.read_until(b'\n', block) {
                Ok(n) => n,
                Err(e) => {
                    // What was read before the damage (a truncated stream) is kept.
                    block.truncate(start);
                    return Filled::Failed(format!("read error after line {}: {e}", self.line_no));
                }
            };
            if n == 0 {
                return Filled::End;
            }
            self.consumed += n as u64;
            self.line_no += 1;
            let mut end = block.len();
            while end > start && matches!(block[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            let line = &block[start..end];
            if line.iter().all(u8::is_ascii_whitespace) {
                block.truncate(start);
                continue;
            }
            if self.sniffed.is_none() {
                let first = line.iter().find(|b| !b.is_ascii_whitespace()).copied();
                self.sniffed = Some(if first == Some(b'{') { Format::Jsonl } else { Format::Text });
            }
            if !ctx.mine() {
                block.truncate(start);
                continue;
            }
            chunk.format = self.sniffed;
            // A line ended by CR LF keeps one CR in its range: `line_item` reads the line
            // without it and keeps it in the record as read, which `dedup` writes back.
            let cr = usize::from(block.get(end) == Some(&b'\r'));
            chunk.lines.push((self.line_no, start..end + cr));
            if chunk.lines.len() >= CHUNK_LINES || block.len() >= CHUNK_BYTES {
                return Filled::Full;
            }
        }
    }
}

/// One line of a JSON Lines or text input as an item.
fn line_item(bytes: &[u8], line_no: u64, format: Format, ctx: &Ctx) -> Item {
    let (bytes, crlf) = match bytes {
        [line @ .., b'\r'] => (line, true),
        _ => (bytes, false),
    };
    // Checked with SIMD instructions chosen at run time (std's check ran at about 0.8 GB/s on
    // Arabic text and was 7% of a one-thread run).
    let line = match simdutf8::compat::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let reason = format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1);
            let id = match format {
                Format::Text => Some((ctx.default_id)(line_no)),
                _ => id_of_damaged(&String::from_utf8_lossy(bytes), line_no, ctx),
            };
            return ctx.reject(line_no, id, reason);
        }
    };
    // A byte-order mark inside the stream is where a file saved with one was appended to
    // another (`cat a.jsonl b.jsonl`): it starts the line, and is no part of its record.
    let line = line.strip_prefix('\u{FEFF}').unwrap_or(line);
    let raw = ctx.opts.keep_raw.then(|| if crlf { format!("{line}\r") } else { line.to_owned() });
    match format {
        Format::Text => ctx.record(line_no, None, None, line.into(), None, raw),
        _ => json_record(line, line_no, ctx, raw),
    }
}

/// Describes a JSON value's type for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The id of a JSON line that cannot be read, so that its rejection names the document: read
/// from `repaired`, the line with its damage mended where that is easy (bad UTF-8 sequences
/// replaced, control characters in strings made spaces; the damage is mostly in the text).
/// `None` when even that is not a JSON object with a usable id.
fn id_of_damaged(repaired: &str, line_no: u64, ctx: &Ctx) -> Option<Value> {
    let obj = match serde_json::from_str(repaired) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return None,
        Err(_) => return id_of_broken(repaired, line_no, ctx),
    };
    match field(&obj, &ctx.opts.id_field) {
        None | Some(Value::Null) => Some((ctx.default_id)(line_no)),
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v.clone()),
        Some(_) => None,
    }
}

/// The id of a line that is not JSON at all, read without parsing the line: the value after
/// the id field's key, where that key is found once at the object's top level (a quote left
/// unescaped in the text can hide it, so any other appearance of the key leaves the id unknown).
/// A line that never names the key, from its `{` to its `}`, is a record without an id field,
/// numbered by its line as such records are; a line cut short may have lost its id.
fn id_of_broken(line: &str, line_no: u64, ctx: &Ctx) -> Option<Value> {
    let key = serde_json::to_string(&ctx.opts.id_field).ok()?;
    let anywhere = line.match_indices(&key).filter(|&(at, _)| !line[..at].ends_with('\\')).count();
    if anywhere == 0 {
        let whole = line.trim().starts_with('{') && line.trim().ends_with('}');
        return whole.then(|| (ctx.default_id)(line_no));
    }
    // Keys at depth 1, found by following strings and brackets up to where the damage is.
    let (mut depth, mut string_from, mut escaped) = (0usize, None::<usize>, false);
    let mut found = Vec::new();
    for (at, c) in line.char_indices() {
        match (string_from, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(from), '"') => {
                string_from = None;
                let after = line[at + 1..].trim_start();
                if depth == 1 && line[from..=at] == key && after.starts_with(':') {
                    found.push(after[1..].trim_start());
                }
            }
            (Some(_), _) => {}
            (None, '"') => string_from = Some(at),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth = depth.saturating_sub(1),
            (None, _) => {}
        }
    }
    let [value] = found[..] else { return None };
    if anywhere != 1 {
        return None;
    }
    match serde_json::Deserializer::from_str(value).into_iter::<Value>().next()? {
        Ok(v @ (Value::String(_) | Value::Number(_))) => Some(v),
        Ok(Value::Null) => Some((ctx.default_id)(line_no)),
        _ => None,
    }
}

fn json_record(line: &str, line_no: u64, ctx: &Ctx, raw: Option<String>) -> Item {
    match super::json::pick(line, ctx.opts) {
        Some(p) => {
            let record = ctx.record(line_no, p.id, p.title.as_deref(), p.text.into(), p.time, raw);
            with_lang(record, p.lang)
        }
        None => json_record_in_full(line, line_no, ctx, raw),
    }
}

/// What the first record of a JSON Lines file lacks of the fields options name (a title, a
/// time, an id other than the default), as a warning: `news.jsonl: its first record has no
/// field --title-field 'titel' (fields: id, text)`. A JSON record has its fields one by one, so
/// one without a named field is read without it (a title left out, its line for an id); a
/// file none of whose records has it, a typo, would be read so without a word. `None` when
/// it has them, or the input is not a file of JSON Lines whose first line is an object of at
/// most 1 MiB. (A table's header is checked by its reader, which refuses the file.)
pub fn unnamed_fields(input: &Input, opts: &ReadOptions) -> Option<String> {
    use std::io::Read;
    if opts.doc_per_file || !matches!(input, Input::Path(_)) {
        return None;
    }
    if !matches!(input_format(input, opts), None | Some(Format::Jsonl)) {
        return None;
    }
    let mut line = Vec::new();
    open_as(input, opts.encoding).ok()?.take(1 << 20).read_until(b'\n', &mut line).ok()?;
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&line) else { return None };
    let named = super::named_fields(
        &opts.id_field,
        opts.title_field.as_deref(),
        opts.time_field.as_deref(),
    );
    let missing: Vec<String> = named
        .into_iter()
        .filter_map(|(flag, name)| Some((flag, name?)))
        .filter(|(_, name)| field(&obj, name).is_none())
        .map(|(flag, name)| format!("{flag} '{name}'"))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{}: its first record has no field {}{}",
            input.name(),
            missing.join(", nor "),
            fields_of(&obj)
        )
    })
}

/// The fields a record has, for a message that says its text field is missing: ` (fields:
/// body, id, title)`, the first twelve by name (a wrong `--text-field` is then plain to see),
/// a field inside an object named by its path (`article.text`), as an option names it.
fn fields_of(obj: &serde_json::Map<String, Value>) -> String {
    if obj.is_empty() {
        return " (the object has no fields)".into();
    }
    format!(" (fields: {})", field_paths(obj, ""))
}

/// The first twelve paths of the fields of `obj`, each after `prefix`, joined by commas.
fn field_paths(obj: &serde_json::Map<String, Value>, prefix: &str) -> String {
    const SHOWN: usize = 12;
    fn paths(obj: &serde_json::Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in obj {
            match v {
                Value::Object(inner) if !inner.is_empty() => {
                    paths(inner, &format!("{prefix}{k}."), out)
                }
                _ => out.push(format!("{prefix}{k}")),
            }
        }
    }
    let mut names = Vec::new();
    paths(obj, prefix, &mut names);
    let more = names.len().saturating_sub(SHOWN);
    names.truncate(SHOWN);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    format!("{}{more}", names.join(", "))
}

/// The value `name` names in `obj`: its field of that name, or, when it has none, the field
/// inside an object that `name` is the dotted path of (`article.text`; a key with a dot of its
/// own is matched too).
fn field<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        name.match_indices('.').find_map(|(at, _)| match obj.get(&name[..at]) {
            Some(Value::Object(inner)) => field(inner, &name[at + 1..]),
            _ => None,
        })
    })
}

/// [`field`], taken out of the object rather than borrowed.
fn take_field(obj: &mut serde_json::Map<String, Value>, name: &str) -> Option<Value> {
    if let Some(v) = obj.remove(name) {
        return Some(v);
    }
    for (at, _) in name.match_indices('.') {
        if let Some(Value::Object(inner)) = obj.get_mut(&name[..at])
            && let Some(v) = take_field(inner, &name[at + 1..])
        {
            return Some(v);
        }
    }
    None
}

/// [`json_record`] of a line read into a whole [`Value`]: every line that is not an object of
/// the expected fields comes here, for what its rejection says.
fn json_record_in_full(line: &str, line_no: u64, ctx: &Ctx, raw: Option<String>) -> Item {
    let mut obj: serde_json::Map<String, Value> = match serde_json::from_str(line) {
        Ok(Value::Object(m)) => m,
        Ok(v) => {
            return ctx.reject(line_no, None, format!("{NOT_AN_OBJECT}, found {}", kind(&v)));
        }
        Err(e) => {
            let repaired = line.replace(|c: char| c.is_ascii_control(), " ");
            let id = id_of_damaged(&repaired, line_no, ctx);
            return ctx.reject(line_no, id, format!("{MALFORMED_JSON}: {e}"));
        }
    };
    let o = ctx.opts;
    let id = match field(&obj, &o.id_field) {
        None | Some(Value::Null) => None,
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v.clone()),
        Some(v) => {
            return ctx.reject(
                line_no,
                None,
                format!("id field '{}' is {}, expected a string or number", o.id_field, kind(v)),
            );
        }
    };
    // The text is taken out of the object, not copied (it is most of the line).
    let text = match take_field(&mut obj, &o.text_field) {
        Some(Value::String(s)) => s,
        // Paragraphs (or sentences), one string each: one text, a line each; nulls left out.
        Some(Value::Array(items)) if items.iter().all(|v| v.is_string() || v.is_null()) => {
            joined_lines(items.iter().filter_map(Value::as_str))
        }
        None => {
            let reason = format!("{MISSING_TEXT_FIELD} '{}'{}", o.text_field, fields_of(&obj));
            return ctx.reject(line_no, Some(ctx.id_or_line(id, line_no)), reason);
        }
        Some(v) => {
            let f = &o.text_field;
            let inside = match &v {
                Value::Object(inner) if !inner.is_empty() => {
                    format!(" (it holds {}: name one)", field_paths(inner, &format!("{f}.")))
                }
                Value::Array(_) => " or an array of strings".to_owned(),
                _ => String::new(),
            };
            let reason =
                format!("{TEXT_FIELD_NOT_TEXT}{f}' is {}, expected a string{inside}", kind(&v));
            return ctx.reject(line_no, Some(ctx.id_or_line(id, line_no)), reason);
        }
    };
    let title = o.title_field.as_ref().and_then(|f| field(&obj, f)).and_then(Value::as_str);
    let time = o.time_field.as_ref().and_then(|f| field(&obj, f)).and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let lang = field(&obj, &o.lang_field).and_then(Value::as_str).map(str::to_owned);
    with_lang(ctx.record(line_no, id, title, text.into(), time, raw), lang)
}

/// `item` with its language set, when it is a record.
fn with_lang(item: Item, lang: Option<String>) -> Item {
    match item {
        Item::Record(mut r) => {
            r.lang = lang.filter(|l| !l.is_empty()).map(String::into_boxed_str);
            Item::Record(r)
        }
        other => other,
    }
}

/// A CSV or TSV input's records; `bom`: whether it began with a byte order mark (for
/// [`Header::bom`]).
fn read_csv(
    mut reader: Box<dyn BufRead + Send>,
    format: Format,
    bom: bool,
    ctx: &Ctx,
    emit: &mut dyn FnMut(Item) -> bool,
) -> Result<(), String> {
    let delimiter = table_delimiter(&mut reader, format, ctx.opts);
    let quoting = !ctx.opts.no_quotes;
    let mut rdr = csv_reader(reader, delimiter, quoting, true, ctx.opts.keep_raw);
    let headers =
        rdr.byte_headers().map_err(|e| format!("cannot read the header row: {e}"))?.clone();
    let end = rdr.position().byte();
    let header_row = rdr.get_mut().take(end);
    let o = ctx.opts;
    let names = || {
        headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The column of a field: a header row that names it twice (two exports joined side by
    // side) leaves which one is meant unknown.
    let col = |name: &str| -> Result<Option<usize>, String> {
        let mut at = headers.iter().enumerate().filter(|h| h.1 == name.as_bytes()).map(|h| h.0);
        match (at.next(), at.next()) {
            (Some(i), Some(j)) => Err(format!(
                "the header row names column '{name}' twice (columns {} and {} of: {}); \
                 rename one",
                i + 1,
                j + 1,
                names()
            )),
            (i, _) => Ok(i),
        }
    };
    if o.keep_raw {
        let columns = encode_csv(&headers, delimiter, quoting);
        let raw = match header_row.text {
            Some(row) => String::from_utf8_lossy(&row).into_owned(),
            None => columns.clone(),
        };
        let crlf = header_row.crlf;
        let header = Header { file: ctx.name.clone(), raw, columns, bom, crlf };
        if !emit(Item::Header(header)) {
            return Ok(());
        }
    }
    // A column the user named and the header lacks is a mistake (a typo, another file's
    // layout): read without it, ids would silently be line numbers, titles left out.
    let named = super::named_fields(&o.id_field, o.title_field.as_deref(), o.time_field.as_deref());
    for (flag, name) in named {
        if let Some(n) = name
            && col(n)?.is_none()
        {
            return Err(format!("no column '{n}' for {flag} (columns: {})", names()));
        }
    }
    let columns = CsvColumns {
        delimiter,
        quoting,
        fields: headers.len(),
        text: col(&o.text_field)?.ok_or_else(|| {
            format!(
                "no column '{}' (columns: {}){}",
                o.text_field,
                names(),
                other_delimiter(&headers)
            )
        })?,
        id: col(&o.id_field)?,
        title: o.title_field.as_deref().map(col).transpose()?.flatten(),
        time: o.time_field.as_deref().map(col).transpose()?.flatten(),
        lang: col(&o.lang_field)?,
    };
    // The records are read here, one after another (where one ends takes reading it); what
    // each becomes, and its features, are made by the pool's workers. Made here too, a
    // 2-thread run on CSV took 0.60 s against 0.49 s on the same articles as JSON lines.
    parse_in_order(
        ctx,
        |block: &mut CsvBlock| {
            block.columns = Some(columns);
            while block.entries.len() < CHUNK_LINES && block.bytes < CHUNK_BYTES {
                if block.used == block.records.len() {
                    block.records.push(csv::ByteRecord::new());
                }
                let read = rdr.read_byte_record(&mut block.records[block.used]);
                let end = rdr.position().byte();
                let raw = rdr.get_mut().take(end);
                match read {
                    Ok(false) => return Filled::End,
                    Ok(true) => block.place(raw, ctx, delimiter),
                    Err(e) => {
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            return Filled::Failed(format!("read error at line {}: {e}", raw.line));
                        }
                        if ctx.mine() {
                            let reason = format!("{MALFORMED_RECORD}: {e}");
                            block.entries.push((raw.line, CsvEntry::Malformed(reason)));
                        }
                    }
                }
            }
            Filled::Full
        },
        emit,
    )
}

/// A CSV reader of `input` through a [`RawTap`], with or without a header row to read first,
/// keeping each record's bytes or not.
/// Records of the wrong length are read, not refused, so that their rejection can name the id
/// they hold (see `csv_item`).
fn csv_reader<R: std::io::Read>(
    input: R,
    delimiter: u8,
    quoting: bool,
    headers: bool,
    keep: bool,
) -> csv::Reader<RawTap<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(quoting)
        .flexible(true)
        .has_headers(headers)
        .from_reader(RawTap::new(input, delimiter, quoting, keep))
}

/// Where the fields of a CSV or TSV input are.
#[derive(Debug, Clone, Copy)]
struct CsvColumns {
    /// The byte between fields, and whether fields may be quoted, for records kept raw.
    delimiter: u8,
    quoting: bool,
    /// The header row's length, which every record must have.
    fields: usize,
    text: usize,
    id: Option<usize>,
    title: Option<usize>,
    time: Option<usize>,
    lang: Option<usize>,
}

impl CsvColumns {
    /// For a TSV input, where files written without quoting are common, the option that reads
    /// them.
    fn unquoted_hint(&self) -> &'static str {
        if self.delimiter == b'\t' {
            " or a TSV whose fields are never quoted: --no-quotes"
        } else {
            ""
        }
    }
}

/// What a CSV reader found at a line.
enum CsvEntry {
    /// A record, at this place in its block's `records`.
    Record(usize),
    /// A record with a quoted field that does not close before the line break it should
    /// (its lines run to `last`).
    Unbalanced { record: usize, last: u64 },
    /// A record whose quoted field runs away from its first line: the lines after it, to
    /// `last`, are read again as records of their own (see [`RawRecord::rest`]).
    Runaway { record: usize, last: u64 },
    /// A record on one line whose quoted field opens and never closes: the input ends inside
    /// it (cut short?).
    Unclosed(usize),
    /// Not a record, for this reason.
    Malformed(String),
}

/// A block of CSV records, read and not yet made items.
#[derive(Default)]
struct CsvBlock {
    /// The input's columns (the same in every block).
    columns: Option<CsvColumns>,
    /// Records, kept with their room from block to block: the first `used` are this block's.
    records: Vec<csv::ByteRecord>,
    /// Each record's bytes as read, when kept ([`RawRecord::text`]), at its place in `records`.
    raws: Vec<Vec<u8>>,
    used: usize,
    /// In input order, each record's first line and what was read there.
    entries: Vec<(u64, CsvEntry)>,
    /// Bytes of the records.
    bytes: usize,
}

impl Block for CsvBlock {
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn parse(&self, ctx: &Ctx) -> Vec<Item> {
        let Some(columns) = &self.columns else { return Vec::new() };
        self.entries
            .par_iter()
            .with_max_len(LINES_PER_TASK)
            .map(|(line, entry)| match entry {
                CsvEntry::Record(i) => {
                    let raw = self.raws.get(*i).filter(|_| ctx.opts.keep_raw);
                    ctx.prepared(csv_item(&self.records[*i], raw, *line, columns, ctx))
                }
                CsvEntry::Unbalanced { record, last } => {
                    let id = csv_id(&self.records[*record], columns, ctx.opts.null.as_deref())
                        .map(|id| ctx.id_or_line(id, *line));
                    let reason = format!(
                        "unbalanced quotes: a quoted field does not close where a field ends, \
                         so lines {line}-{last} read as one record (a closing quote \
                         missing?{})",
                        columns.unquoted_hint()
                    );
                    ctx.reject(*line, id, reason)
                }
                CsvEntry::Runaway { record, last } => {
                    let id = csv_id(&self.records[*record], columns, ctx.opts.null.as_deref())
                        .map(|id| ctx.id_or_line(id, *line));
                    let after = match line + 1 {
                        next if next == *last => {
                            format!("line {next} is read as a record of its own")
                        }
                        next => format!("lines {next}-{last} are read as records of their own"),
                    };
                    let reason = format!(
                        "unbalanced quotes: a quoted field opens on this line and does not close \
                         (a closing quote missing?{}); {after}",
                        columns.unquoted_hint()
                    );
                    ctx.reject(*line, id, reason)
                }
                CsvEntry::Unclosed(record) => {
                    let id = csv_id(&self.records[*record], columns, ctx.opts.null.as_deref())
                        .map(|id| ctx.id_or_line(id, *line));
                    let reason = "unbalanced quotes: a quoted field opens on this line and the \
                                  input ends before it closes (the file cut short?)";
                    ctx.reject(*line, id, reason)
                }
                CsvEntry::Malformed(reason) => ctx.reject(*line, None, reason.clone()),
            })
            .collect()
    }

    fn clear(&mut self) {
        self.used = 0;
        self.entries.clear();
        self.bytes = 0;
    }
}

impl CsvBlock {
    /// Places the record just read into `records[used]`, found at `raw`, when it is this
    /// reader's ([`Ctx::mine`]); the lines a runaway quote took from the records after it are
    /// read again as records of their own, whoever's it was, so that every reader deals the
    /// same records.
    fn place(&mut self, raw: RawRecord, ctx: &Ctx, delimiter: u8) {
        if ctx.mine() {
            self.bytes += self.records[self.used].as_slice().len();
            // A quoted field that did not close where it should have runs on to the next quote
            // character (the csv crate reads on), so the records in between would vanish into
            // this one's field.
            let entry = match &raw.rest {
                Some(_) => CsvEntry::Runaway { record: self.used, last: raw.last },
                None if raw.quotes != Quotes::Sound && raw.last > raw.line => {
                    CsvEntry::Unbalanced { record: self.used, last: raw.last }
                }
                None if raw.quotes == Quotes::Unclosed => CsvEntry::Unclosed(self.used),
                None => CsvEntry::Record(self.used),
            };
            self.entries.push((raw.line, entry));
            if let Some(text) = raw.text {
                if self.raws.len() <= self.used {
                    self.raws.resize_with(self.used + 1, Vec::new);
                }
                self.raws[self.used] = text;
            }
            self.used += 1;
        }
        let Some(rest) = raw.rest else { return };
        let mut rdr = csv_reader(rest.as_slice(), delimiter, true, false, ctx.opts.keep_raw);
        loop {
            if self.used == self.records.len() {
                self.records.push(csv::ByteRecord::new());
            }
            let read = rdr.read_byte_record(&mut self.records[self.used]);
            let end = rdr.position().byte();
            let mut again = rdr.get_mut().take(end);
            again.line += raw.line;
            again.last += raw.line;
            // The taken lines end where the runaway field closed, not where the input does: a
            // field open at their end is damaged, not cut short.
            if again.quotes == Quotes::Unclosed {
                again.quotes = Quotes::Damaged;
            }
            match read {
                Ok(false) => return,
                Ok(true) => self.place(again, ctx, delimiter),
                Err(e) => {
                    if ctx.mine() {
                        let reason = format!("{MALFORMED_RECORD}: {e}");
                        self.entries.push((again.line, CsvEntry::Malformed(reason)));
                    }
                }
            }
        }
    }
}

/// One CSV or TSV record, read from `line` (with its `bytes`, when kept), as an item.
fn csv_item(
    rec: &csv::ByteRecord,
    bytes: Option<&Vec<u8>>,
    line: u64,
    c: &CsvColumns,
    ctx: &Ctx,
) -> Item {
    // The record kept raw is the one read, byte for byte where its bytes were kept; its fields
    // are read with their escapes decoded.
    let raw = rec;
    let decoded = if c.quoting { None } else { unescape_record(rec, c.delimiter) };
    let rec = decoded.as_ref().unwrap_or(rec);
    let null = ctx.opts.null.as_deref();
    // Checked as JSON lines are ([`line_item`]): std's check was a sixth of a 1-thread run on
    // Arabic CSV.
    let field = |i: usize| simdutf8::compat::from_utf8(csv_field(rec, i, null).unwrap_or_default());
    let id = csv_id(rec, c, null);
    if rec.len() != c.fields {
        let reason = format!(
            "{MALFORMED_RECORD}: {} field{} where the header row has {}",
            rec.len(),
            if rec.len() == 1 { "" } else { "s" },
            c.fields
        );
        return ctx.reject(line, id.map(|id| ctx.id_or_line(id, line)), reason);
    }
    let Some(id) = id else { return ctx.reject(line, None, "invalid UTF-8 in the id field") };
    match field(c.text) {
        Err(e) => ctx.reject(
            line,
            Some(ctx.id_or_line(id, line)),
            format!("invalid UTF-8 at byte {} of the text field", e.valid_up_to() + 1),
        ),
        Ok(text) => {
            let title = c.title.and_then(|i| field(i).ok());
            let time = c.time.and_then(|i| field(i).ok()).map(str::to_owned);
            let raw = ctx.opts.keep_raw.then(|| match bytes {
                Some(t) => String::from_utf8_lossy(t).into_owned(),
                None => encode_csv(raw, c.delimiter, c.quoting),
            });
            let lang = c.lang.and_then(|i| field(i).ok()).map(str::to_owned);
            let null_text = null.is_none() && super::NULL_SPELLINGS.contains(&text);
            let mut item = with_lang(ctx.record(line, id, title, text.into(), time, raw), lang);
            if let Item::Record(r) = &mut item {
                r.null_text = null_text;
            }
            item
        }
    }
}

/// Field `i` of a record, empty where it is `null` (`--null`); `None` past the record's end.
fn csv_field<'r>(rec: &'r csv::ByteRecord, i: usize, null: Option<&str>) -> Option<&'r [u8]> {
    rec.get(i).map(|f| if null.is_some_and(|n| n.as_bytes() == f) { &[][..] } else { f })
}

/// A record's id field: `Some(None)` where it has none (no id column, or an empty or `null`
/// field); `None` when the field is not UTF-8, or a short record lacks it.
fn csv_id(rec: &csv::ByteRecord, c: &CsvColumns, null: Option<&str>) -> Option<Option<Value>> {
    match c.id.map(|i| csv_field(rec, i, null).map(simdutf8::compat::from_utf8)) {
        Some(Some(Ok(s))) if !s.is_empty() => Some(Some(Value::String(s.to_owned()))),
        None | Some(Some(Ok(_))) => Some(None),
        Some(None | Some(Err(_))) => None,
    }
}

/// The bytes a CSV reader has taken from its input and not yet placed in a record, so that each
/// record's raw text can be looked at: where its first line is (the csv crate counts a record's
/// line from the end of the record before, so a blank line or a CRLF ending puts it a line
/// early), where its last is, and whether its quoting is damaged.
struct RawTap<R> {
    inner: R,
    delimiter: u8,
    /// Whether fields may be quoted (else no quoting is damaged).
    quoting: bool,
    /// Whether each record's bytes are kept ([`RawRecord::text`]).
    keep: bool,
    bytes: Vec<u8>,
    /// Where the bytes not yet placed start in `bytes`, and in the input.
    head: usize,
    offset: u64,
    /// Line breaks before `offset`.
    lines: u64,
}

/// A record's raw text, as [`RawTap::take`] finds it.
struct RawRecord {
    /// Its first and last line (from 1).
    line: u64,
    last: u64,
    /// How its quoted fields close: damaged where one does not close, or closes where no field
    /// ends (what the csv crate reads on through); unclosed where one never does, which on one
    /// line only the input's end does (see [`quotes_of`]).
    quotes: Quotes,
    /// When its quote ran away from its first line ([`runaway_quote`]), the lines after that
    /// one, to be read again: the records whose lines the field took.
    rest: Option<Vec<u8>>,
    /// Its bytes without its line ending, when the tap keeps them.
    text: Option<Vec<u8>>,
    /// Whether its line ends in CR LF.
    crlf: bool,
}

impl<R> RawTap<R> {
    fn new(inner: R, delimiter: u8, quoting: bool, keep: bool) -> Self {
        RawTap { inner, delimiter, quoting, keep, bytes: Vec::new(), head: 0, offset: 0, lines: 0 }
    }

    /// The record that ends at input byte `end` (after the one before it); its bytes are let go.
    fn take(&mut self, end: u64) -> RawRecord {
        let rest = &self.bytes[self.head..];
        let n = (end.saturating_sub(self.offset) as usize).min(rest.len());
        let raw = &rest[..n];
        let breaks = |s: &[u8]| memchr::memchr_iter(b'\n', s).count() as u64;
        let is_break = |b: &&u8| matches!(b, b'\n' | b'\r');
        // Blank lines and the rest of the last record's line ending come first; the record's
        // own line ending last.
        let lead = raw.iter().take_while(is_break).count();
        let body = &raw[lead..];
        let body = &body[..body.len() - body.iter().rev().take_while(is_break).count()];
        let line = self.lines + breaks(&raw[..lead]) + 1;
        let last = line + breaks(body);
        // The csv crate ends a record before its line ending or inside it.
        let ending = &rest[lead + body.len()..];
        let crlf = ending.first().is_some_and(|&b| b == b'\r');
        let quotes = if self.quoting { quotes_of(body, self.delimiter) } else { Quotes::Sound };
        let damaged = quotes != Quotes::Sound;
        let rest = (damaged && last > line && runaway_quote(body, self.delimiter))
            .then(|| memchr::memchr(b'\n', body).map(|nl| body[nl + 1..].to_vec()))
            .flatten();
        let text = self.keep.then(|| body.to_vec());
        let record = RawRecord { line, last, quotes, rest, text, crlf };
        self.lines += breaks(raw);
        self.offset += n as u64;
        self.head += n;
        // Placed bytes go once they are most of the buffer (the reader holds a few KiB ahead).
        if self.head >= 1 << 16 && self.head * 2 >= self.bytes.len() {
            self.bytes.drain(..self.head);
            self.head = 0;
        }
        record
    }
}

/// How a record's quoted fields close (see [`quotes_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quotes {
    /// Each closes where its field ends.
    Sound,
    /// One closes where no field ends: a quote is missing, or one is too many.
    Damaged,
    /// One never closes.
    Unclosed,
}

/// How a record's raw text (without its line ending) quotes its fields: damaged when a quoted
/// field does not close, or its closing quote is followed by something other than a delimiter or
/// a line break. Where a quote went missing, the field runs on to the next quote character,
/// which is most often the opening quote of a field of a later record.
fn quotes_of(raw: &[u8], delimiter: u8) -> Quotes {
    let mut i = 0;
    let mut field_start = true;
    while i < raw.len() {
        if field_start && raw[i] == b'"' {
            i += 1;
            loop {
                let Some(k) = memchr::memchr(b'"', &raw[i..]) else { return Quotes::Unclosed };
                i += k + 1;
                if raw.get(i) != Some(&b'"') {
                    break;
                }
                i += 1;
            }
            match raw.get(i) {
                None => {}
                Some(&b) if b == delimiter || b == b'\n' || b == b'\r' => {}
                Some(_) => return Quotes::Damaged,
            }
            field_start = false;
            continue;
        }
        field_start = matches!(raw[i], b'\n' | b'\r') || raw[i] == delimiter;
        i += 1;
    }
    Quotes::Sound
}

/// Whether, in a record whose quoting is damaged, the first quoted field that spans a line
/// break ran away from its first line: it never closes, or its closing quote opens a field of a
/// later line (it follows a delimiter or a line break). That quote was the opening quote of a
/// later record's field, and the lines between are records whose fields the runaway took. A
/// field that closes inside a line's text (`… end" (AP)`) is one text over lines, damaged at
/// its end, and is not split.
fn runaway_quote(raw: &[u8], delimiter: u8) -> bool {
    let mut i = 0;
    let mut field_start = true;
    while i < raw.len() {
        if field_start && raw[i] == b'"' {
            let open = i;
            i += 1;
            loop {
                let Some(k) = memchr::memchr(b'"', &raw[i..]) else {
                    return memchr::memchr(b'\n', &raw[open..]).is_some();
                };
                i += k + 1;
                if raw.get(i) != Some(&b'"') {
                    break;
                }
                i += 1;
            }
            let close = i - 1;
            if memchr::memchr(b'\n', &raw[open..close]).is_some() {
                return matches!(raw[close - 1], b'\n' | b'\r') || raw[close - 1] == delimiter;
            }
            field_start = false;
            continue;
        }
        field_start = raw[i] == delimiter || raw[i] == b'\n' || raw[i] == b'\r';
        i += 1;
    }
    false
}

impl<R: std::io::Read> std::io::Read for RawTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// A hint for a header row read as one column that another delimiter would split (a `;` of a
/// European spreadsheet's export, a `|`, a tab): `; is the delimiter ';'? (--delimiter ';')`.
fn other_delimiter(headers: &csv::ByteRecord) -> String {
    let [one] = headers.iter().collect::<Vec<_>>()[..] else { return String::new() };
    match [b';', b'|', b'\t', b','].into_iter().find(|d| one.contains(d)) {
        Some(b'\t') => "; is the delimiter a tab? (--delimiter tab)".into(),
        Some(d) => format!("; is the delimiter '{0}'? (--delimiter '{0}')", d as char),
        None => String::new(),
    }
}

/// The fields of a record of a table written without quoting, with their backslash escapes
/// decoded as PostgreSQL's text format (`COPY … TO`) and MySQL's batch output (`mysql -B`)
/// write them: `\n` `\r` `\t` `\b` `\f` `\v`, `\\` a backslash, one to three octal
/// digits or `\x` and one or two hex digits a byte (`\0` MySQL's NUL), any other character
/// after a backslash itself, and a field that is only `\N` (NULL) empty. A delimiter after a
/// backslash is part of the field: the fields the reader split there are joined again.
/// `None` when the record holds no backslash (nothing to decode).
fn unescape_record(rec: &csv::ByteRecord, delimiter: u8) -> Option<csv::ByteRecord> {
    memchr::memchr(b'\\', rec.as_slice())?;
    let mut out = csv::ByteRecord::with_capacity(rec.as_slice().len(), rec.len());
    let mut field = Vec::new();
    let mut parts = rec.iter().peekable();
    while let Some(part) = parts.next() {
        // A part that ends in an odd run of backslashes ends in an escaped delimiter.
        let run = part.iter().rev().take_while(|&&b| b == b'\\').count();
        if run % 2 == 1 && parts.peek().is_some() {
            field.extend_from_slice(&part[..part.len() - 1]);
            field.extend_from_slice(&[b'\\', delimiter]);
            continue;
        }
        field.extend_from_slice(part);
        if field == b"\\N" {
            out.push_field(b"");
        } else {
            out.push_field(&unescape(&field));
        }
        field.clear();
    }
    Some(out)
}

/// One field's backslash escapes decoded (see [`unescape_record`]); a backslash at its very end
/// stays.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while let Some(at) = memchr::memchr(b'\\', &field[i..]) {
        out.extend_from_slice(&field[i..i + at]);
        i += at + 1;
        let Some(&c) = field.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        // The value of up to `max` digits in `radix` from `from`, and how many there were.
        let number = |from: usize, max: usize, radix: u32| {
            let digits = field[from..].iter().take(max).map_while(|&b| (b as char).to_digit(radix));
            digits.fold((0u32, 0usize), |(value, n), d| (value * radix + d, n + 1))
        };
        out.push(match c {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'v' => 0x0B,
            b'0'..=b'7' => {
                let (value, n) = number(i - 1, 3, 8);
                i += n - 1;
                value as u8
            }
            b'x' if number(i, 2, 16).1 > 0 => {
                let (value, n) = number(i, 2, 16);
                i += n;
                value as u8
            }
            other => other,
        });
    }
    out.extend_from_slice(&field[i..]);
    out
}

/// A record as a row of its input's table; unquoted when the input's fields are never quoted
/// (a field then holds neither the delimiter nor a line break).
fn encode_csv(rec: &csv::ByteRecord, delimiter: u8, quoting: bool) -> String {
    let style = if quoting { csv::QuoteStyle::Necessary } else { csv::QuoteStyle::Never };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .quote_style(style)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_byte_record(rec);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_owned()
}

/// Walks the files under `dir` (`--doc-per-file`), giving each to `file` until it returns false;
/// returns the folders that could not be listed. Links are followed, but a folder already
/// walked is not walked again, and a folder's own tree is walked before the links in it: a
/// link back up the tree (`ln -s .. loop`) gave every file under it again at each level, some
/// forty times before the system refused, and a link to a folder of the tree gives nothing
/// twice (its files keep their own paths). Hidden files and folders (a name that starts with
/// `.`: `.git`, `.DS_Store`, an editor's `.swp`) are left out, as `rg` and `fd` leave them out.
pub fn walk_files(
    dir: &Path,
    mut file: impl FnMut(PathBuf) -> bool,
) -> Vec<(PathBuf, std::io::Error)> {
    use std::os::unix::fs::MetadataExt;
    let mut errors = Vec::new();
    let mut walked = std::collections::HashSet::new();
    let mut folders = vec![dir.to_path_buf()];
    // Links to folders, walked once no folder is left, the least path first.
    let mut links = std::collections::BTreeSet::new();
    while let Some(d) = folders.pop().or_else(|| links.pop_first()) {
        // Each folder once, by the file it is.
        if let Ok(m) = std::fs::metadata(&d)
            && !walked.insert((m.dev(), m.ino()))
        {
            continue;
        }
        match std::fs::read_dir(&d) {
            Ok(entries) => {
                for e in entries.flatten() {
                    if e.file_name().as_encoded_bytes().starts_with(b".") {
                        continue;
                    }
                    let p = e.path();
                    if !p.is_dir() {
                        if !file(p) {
                            return errors;
                        }
                    } else if e.file_type().is_ok_and(|t| t.is_symlink()) {
                        links.insert(p);
                    } else {
                        folders.push(p);
                    }
                }
            }
            Err(e) => errors.push((d, e)),
        }
    }
    errors
}

/// Reads every file under `dir` as one document, its id the file's path under `dir`: first a
/// rejection for each folder that cannot be listed, then the files in path order, numbered from
/// 1 in that order (the places `emit` gets). With `dealing` (this worker and the number of
/// workers), only the items whose place `k` falls to this worker (`(k + input) mod peers`) are
/// read and passed on. A record kept raw is its JSON line (`{id field: path, text field:
/// contents}`): a file's text may span lines, and `dedup` writes one document a line.
fn read_dir(
    dir: &Path,
    opts: &ReadOptions,
    dealing: Option<(usize, usize)>,
    input: usize,
    emit: &mut dyn FnMut(u64, Item) -> bool,
) {
    let mut files = Vec::new();
    let errors = walk_files(dir, |f| {
        files.push(f);
        true
    });
    files.sort();
    let mine =
        |place: u64| dealing.is_none_or(|(index, peers)| (place as usize + input) % peers == index);
    let no_id = |_: u64| Value::Null;
    let mut place = 0u64;
    for (d, e) in errors {
        place += 1;
        if !mine(place) {
            continue;
        }
        let origin = Origin { file: d.display().to_string().into(), line: 0 };
        let reason = format!("cannot read: {e}");
        if !emit(place, Item::Rejected(Rejected { origin, id: None, reason })) {
            return;
        }
    }
    for f in files {
        place += 1;
        if !mine(place) {
            continue;
        }
        let rel: PathBuf = f.strip_prefix(dir).map(Path::to_path_buf).unwrap_or_else(|_| f.clone());
        let id = Value::String(rel.display().to_string());
        let ctx = Ctx::new(f.display().to_string().into(), opts, &no_id, None, 0);
        let mut bytes = Vec::new();
        // A file that cannot be read is an input not read (line 0, as for a named file that
        // cannot be: the run ends with status 2), still under its document id; one that can be
        // but is not UTF-8 is a bad record.
        let file = open_as(&Input::Path(f.clone()), opts.encoding);
        let item = match file.and_then(|mut r| r.read_to_end(&mut bytes)) {
            Err(e) => ctx.reject(0, Some(id), format!("cannot read: {e}")),
            Ok(_) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let raw = opts.keep_raw.then(|| {
                        let mut row = serde_json::Map::new();
                        row.insert(opts.id_field.clone(), id.clone());
                        row.insert(opts.text_field.clone(), Value::String(text.clone()));
                        Value::Object(row).to_string()
                    });
                    ctx.record(1, Some(id), None, text.into(), None, raw)
                }
                Err(e) => ctx.reject(
                    1,
                    Some(id),
                    format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to() + 1),
                ),
            },
        };
        if !emit(place, item) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every worker's share of `inputs` (`peers` workers), concatenated in worker order.
    fn shares(inputs: &[Input], opts: &ReadOptions, peers: usize) -> Vec<Vec<(usize, Item)>> {
        let plans: Vec<Vec<Option<Range>>> =
            (0..peers).map(|w| plan_ranges(inputs, opts, w, peers)).collect();
        (0..peers)
            .map(|w| {
                let ranges = (0..inputs.len())
                    .map(|i| {
                        let before =
                            plans[..w].iter().map(|p| p[i].map_or(0, |r| r.newlines)).sum();
                        plans[w][i].map(|r| (r, before))
                    })
                    .collect();
                let share = Share { index: w, peers, ranges };
                let mut out = Vec::new();
                read_share(inputs, opts, Some(&share), None, &mut |i, _, item| {
                    out.push((i, item));
                    true
                });
                out
            })
            .collect()
    }

    #[test]
    fn shares_read_every_record_once_with_its_line() {
        // A large plain file (split in byte ranges): a BOM, blank lines, CRLF, a bad line, long
        // and short lines, no final newline; a small one and a gzipped one (dealt).
        let dir = tempfile::tempdir().unwrap();
        let mut big = vec![0xEF, 0xBB, 0xBF];
        let mut i = 0;
        while big.len() < 3 * SPLIT_BYTES as usize / 2 {
            let text = "كلمة word ".repeat(1 + (i * 7919) % 300);
            let line = match i % 50 {
                7 => "\n".to_owned(),
                13 => "{not json\n".to_owned(),
                21 => format!("{{\"text\": \"{text}\"}}\r\n"),
                _ => format!("{{\"text\": \"{text} {i}\"}}\n"),
            };
            big.extend_from_slice(line.as_bytes());
            i += 1;
        }
        big.extend_from_slice(b"{\"text\": \"last\"}");
        let small = b"{\"text\": \"a\"}\n\n{\"text\": \"b\"}\n{\"text\": \"c\"}\n".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &small).unwrap();
        let files =
            [("big.jsonl", big), ("small.jsonl", small), ("z.jsonl.gz", gz.finish().unwrap())];
        let inputs: Vec<Input> = files
            .iter()
            .map(|(name, bytes)| {
                let p = dir.path().join(name);
                std::fs::write(&p, bytes).unwrap();
                Input::Path(p)
            })
            .collect();
        let opts = ReadOptions::default();
        assert!(plan_ranges(&inputs, &opts, 0, 2)[0].is_some(), "the big file is split");
        assert!(plan_ranges(&inputs, &opts, 0, 2)[1..].iter().all(Option::is_none));
        let mut whole = Vec::new();
        read_share(&inputs, &opts, None, None, &mut |i, _, item| {
            whole.push((i, item));
            true
        });
        let key = |(i, item): &(usize, Item)| match item {
            Item::Record(r) => (*i, r.origin.line),
            Item::Rejected(r) => (*i, r.origin.line),
            Item::Header(h) => panic!("a header row with records not kept raw: {h:?}"),
        };
        for peers in [1, 2, 3, 7] {
            let parts = shares(&inputs, &opts, peers);
            assert!(parts.iter().all(|p| !p.is_empty()), "{peers} workers: each has a share");
            let mut all: Vec<(usize, Item)> = parts.into_iter().flatten().collect();
            all.sort_by_key(key);
            assert_eq!(all.len(), whole.len(), "{peers} workers");
            assert!(all == whole, "{peers} workers: the same items, ids and lines");
        }
        // Many small files: each goes whole to one worker, the same items all the same.
        let many: Vec<Input> = (0..5).flat_map(|_| inputs[1..].iter().cloned()).collect();
        let mut whole = Vec::new();
        read_share(&many, &opts, None, None, &mut |i, _, item| {
            whole.push((i, item));
            true
        });
        for peers in [2, 3] {
            let parts = shares(&many, &opts, peers);
            let mut all: Vec<(usize, Item)> = parts.into_iter().flatten().collect();
            all.sort_by_key(key);
            assert!(all == whole, "{peers} workers, whole files");
        }
    }

    /// `--delimiter`: the fields of a `;` export read, and its records kept raw with their `;`;
    /// a header row that reads as one column names the delimiter it holds.
    #[test]
    fn another_delimiter_is_read_and_a_wrong_one_named() {
        let content = "id;text\n1;\"a;b, c\"\n2;plain\n";
        let opts = ReadOptions { delimiter: Some(b';'), keep_raw: true, ..ReadOptions::default() };
        let items = read("s.csv", content.as_bytes(), opts);
        let Item::Header(h) = &items[0] else { panic!("{:?}", items[0]) };
        assert_eq!(h.raw, "id;text");
        let Item::Record(r) = &items[1] else { panic!("{:?}", items[1]) };
        assert_eq!((r.text.as_str(), r.raw.as_deref()), ("a;b, c", Some("1;\"a;b, c\"")));
        assert_eq!(items.len(), 3);
        let r = reasons(&read("s.csv", b"id;body\n1;x\n", ReadOptions::default()));
        assert_eq!(
            r,
            [(
                0,
                "no column 'text' (columns: id;body); is the delimiter ';'? (--delimiter ';')"
                    .into()
            )]
        );
        let r = reasons(&read("s.csv", b"id,body\n1,x\n", ReadOptions::default()));
        assert_eq!(r, [(0, "no column 'text' (columns: id, body)".into())], "no hint: two columns");
    }

    /// Without `--delimiter`, a table whose header row names the text field only when split by
    /// `;` or `|` (a `.csv` exported by a spreadsheet in a locale whose decimal mark is a comma)
    /// is read split so, its rows kept as written; a header row the format's own delimiter
    /// splits into the text field keeps it, though its names hold a `;`.
    #[test]
    fn a_header_row_split_by_another_delimiter_is_read_so() {
        let fields = |name: &str, content: &[u8], opts: ReadOptions| -> Vec<(Value, String)> {
            records_of(&read(name, content, opts)).into_iter().map(|r| (r.1, r.2)).collect()
        };
        let want =
            vec![(Value::from("7"), "a, b".to_owned()), (Value::from("8"), "c;d".to_owned())];
        let semi = b"id;text\r\n7;a, b\r\n8;\"c;d\"\r\n";
        for name in ["s.csv", "export", "-"] {
            assert_eq!(fields(name, semi, ReadOptions::default()), want, "{name}");
        }
        let pipe = b"\"id\"|\"text\"\n7|\"a, b\"\n8|c;d\n";
        assert_eq!(fields("p.csv", pipe, ReadOptions::default()), want);
        let tab_in_csv = b"id\ttext\n7\ta, b\n8\tc;d\n";
        assert_eq!(fields("t.csv", tab_in_csv, ReadOptions::default()), want);
        // Its own delimiter first: `x;y` is one column's name, `text` another.
        let own = b"x;y,text,id\n1;2,\"a, b\",7\n3;4,c;d,8\n";
        assert_eq!(fields("o.csv", own, ReadOptions::default()), want);
        // Records kept raw keep their `;`, the header row too.
        let opts = ReadOptions { keep_raw: true, ..ReadOptions::default() };
        let items = read("s.csv", semi, opts);
        let Item::Header(h) = &items[0] else { panic!("{:?}", items[0]) };
        assert_eq!((h.raw.as_str(), h.columns.as_str()), ("id;text", "id;text"));
        let Item::Record(r) = &items[2] else { panic!("{:?}", items[2]) };
        assert_eq!(r.raw.as_deref(), Some("8;\"c;d\""));
        // `--delimiter` given is what splits, even where another would name the field.
        let opts = ReadOptions { delimiter: Some(b','), ..ReadOptions::default() };
        assert_eq!(reasons(&read("s.csv", semi, opts)).len(), 1);
    }

    /// An input whose name does not say its format (standard input, `export.dat`) is read as a
    /// table when its first line is a header row that names the text field: `psql … CSV
    /// HEADER | xdedup cluster -` was read as text lines, its header row a document, its ids
    /// line numbers. A text whose first line only mentions the field stays text.
    #[test]
    fn a_header_row_naming_the_text_field_makes_a_table() {
        let ids = |items: &[Item]| -> Vec<(Value, String)> {
            records_of(items).into_iter().map(|r| (r.1, r.2)).collect()
        };
        let want = vec![(Value::from("7"), "a, b".to_owned()), (Value::from("8"), "c".to_owned())];
        let csv = b"id,text\n7,\"a, b\"\n8,c\n";
        assert_eq!(ids(&read("export", csv, ReadOptions::default())), want);
        let quoted = b"\"id\",\"text\"\r\n7,\"a, b\"\r\n8,c\r\n";
        assert_eq!(ids(&read("export.dat", quoted, ReadOptions::default())), want);
        let tsv = b"text\tid\na, b\t7\nc\t8\n";
        assert_eq!(ids(&read("export", tsv, ReadOptions::default())), want);
        let semi = b"id;text\n7;a, b\n8;c\n";
        let opts = ReadOptions { delimiter: Some(b';'), ..ReadOptions::default() };
        assert_eq!(ids(&read("export", semi, opts)), want);
        // Not a header row: a name with a space before it, a line of one field.
        for text in [&b"hello, text, world\nc\n"[..], b"text\nc\n"] {
            let lines = ids(&read("notes", text, ReadOptions::default()));
            assert_eq!(lines.len(), 2, "{}", String::from_utf8_lossy(text));
            assert_eq!(lines[0].0, Value::from(1));
        }
        // A name that says text or CSV is read as it says.
        assert_eq!(ids(&read("export.txt", csv, ReadOptions::default())).len(), 3);
        // The distributed engine reads such a table whole, as a file named `.csv`, not in
        // byte ranges of lines.
        let dir = tempfile::tempdir().unwrap();
        let big: String = std::iter::once("id,text\n".to_owned())
            .chain((0..SPLIT_BYTES / 10).map(|i| format!("{i},doc {i}\n")))
            .collect();
        let (table, lines) = (dir.path().join("big"), dir.path().join("big-lines"));
        std::fs::write(&table, &big).unwrap();
        std::fs::write(&lines, big.replacen("id,text", "a line of text", 1)).unwrap();
        let inputs = [Input::Path(table), Input::Path(lines)];
        let ranges = plan_ranges(&inputs, &ReadOptions::default(), 0, 2);
        assert!(ranges[0].is_none() && ranges[1].is_some(), "{ranges:?}");
    }

    /// A producer that writes a few bytes at a time (a database client's pipe) leaves only the
    /// start of the header row in the reader's first buffer: the row is read to its end, and
    /// the input is then read from its first byte.
    #[test]
    fn a_header_row_read_a_few_bytes_at_a_time_still_makes_a_table() {
        struct Trickle(std::io::Cursor<Vec<u8>>);
        impl std::io::Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3);
                self.0.read(&mut buf[..n])
            }
        }
        let csv = b"\"id\",\"title\",\"text\"\n7,t,\"a, b\"\n8,u,c\n".to_vec();
        let mut reader: Box<dyn BufRead + Send> =
            Box::new(std::io::BufReader::new(Trickle(std::io::Cursor::new(csv.clone()))));
        assert_eq!(sniffed_table(&mut reader, &ReadOptions::default()), Some(Format::Csv));
        let mut all = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut all).unwrap();
        assert_eq!(all, csv);
        // Text lines, and a first line past the limit, are no table; nothing is lost either.
        let long = [vec![b'x'; HEAD_BYTES + 10], b",text\n".to_vec()].concat();
        for content in [b"one line, no break".to_vec(), long] {
            let mut reader: Box<dyn BufRead + Send> =
                Box::new(std::io::BufReader::new(Trickle(std::io::Cursor::new(content.clone()))));
            assert_eq!(sniffed_table(&mut reader, &ReadOptions::default()), None);
            let mut all = Vec::new();
            std::io::Read::read_to_end(&mut reader, &mut all).unwrap();
            assert_eq!(all, content);
        }
    }

    /// A header row that names a column the reader uses twice (two exports joined side by
    /// side) is refused: the first was read before, the other column silently left out.
    #[test]
    fn a_column_named_twice_is_refused() {
        let content = b"id,text,text\n1,alpha,beta\n";
        let r = reasons(&read("j.csv", content, ReadOptions::default()));
        let said = "the header row names column 'text' twice (columns 2 and 3 of: id, text, text); \
                    rename one";
        assert_eq!(r, [(0, said.into())]);
        let opts = || ReadOptions { title_field: Some("t".into()), ..ReadOptions::default() };
        let r = reasons(&read("j.tsv", b"t\tid\ttext\tt\n", opts()));
        assert!(r[0].1.starts_with("the header row names column 't' twice (columns 1 and 4"));
        // A column no option reads may be named twice.
        let items = read("j.csv", b"id,text,note,note\n1,alpha,x,y\n", opts());
        assert_eq!(
            reasons(&items),
            [(0, "no column 't' for --title-field (columns: id, text, note, note)".into())]
        );
        let items = read("j.csv", b"id,text,note,note\n1,alpha,x,y\n", ReadOptions::default());
        assert_eq!(records_of(&items), [(2, Value::from("1"), "alpha".into())]);
    }

    /// A JSON array of objects (an API's or pandas' `.json` export) is read element by
    /// element, each as a JSON line is, numbered by its place in the array.
    #[test]
    fn a_json_array_is_read_element_by_element() {
        // Pretty-printed; brackets, braces, commas, quotes and escapes inside strings; an
        // object inside an element; a trailing comma.
        let pretty = concat!(
            "[\n  {\"id\": \"a\", \"text\": \"rain, wind [and] {snow}\",\n   \"meta\": {\"k\": [1, 2]}},\n",
            "  {\"id\": \"b\", \"text\": \"a \\\"quoted\\\" word, \\\\ ]\"},\r\n",
            "  {\"id\": \"c\", \"text\": 3},\n",
            "  {\"text\": \"no id\"},\n",
            "]\n"
        );
        let opts = ReadOptions { keep_raw: true, ..ReadOptions::default() };
        let items = read("x.json", pretty.as_bytes(), opts.clone());
        assert_eq!(
            records_of(&items),
            [
                (1, Value::from("a"), "rain, wind [and] {snow}".into()),
                (2, Value::from("b"), "a \"quoted\" word, \\ ]".into()),
                (4, Value::from(4), "no id".into()),
            ]
        );
        assert_eq!(
            reasons(&items),
            [(3, "text field 'text' is a number, expected a string".into())]
        );
        // Kept raw as one line, for `dedup` to write as JSON Lines.
        let Item::Record(first) = &items[0] else { panic!("{:?}", items[0]) };
        let raw = first.raw.as_deref().unwrap();
        assert!(!raw.contains('\n'), "{raw}");
        assert_eq!(serde_json::from_str::<Value>(raw).unwrap()["meta"]["k"][1], 2);
        // On one line, from any name (the content decides), and the same records.
        let compact: Vec<Value> =
            serde_json::from_str(pretty.replace("},\n]", "}]").as_str()).unwrap();
        let one_line = serde_json::to_string(&compact).unwrap();
        for name in ["y.jsonl", "y"] {
            assert_eq!(
                records_of(&read(name, one_line.as_bytes(), opts.clone())),
                records_of(&items)
            );
        }
        // Empty; cut short (the records before kept, the cut one rejected, then the file);
        // something after the array.
        assert!(read("e.json", b" [ ] ", opts.clone()).is_empty());
        let cut = read("c.json", b"[{\"id\": 1, \"text\": \"x\"}, {\"id\": 2, \"te", opts.clone());
        assert_eq!(records_of(&cut), [(1, Value::from(1), "x".into())]);
        let r = reasons(&cut);
        assert_eq!(r[0].0, 2);
        assert!(r[0].1.starts_with("malformed JSON"), "{r:?}");
        assert_eq!(
            r[1],
            (0, "the JSON array ends without its ']' in element 2: a cut file?".into())
        );
        let after = read("t.json", b"[{\"text\": \"x\"}] {\"text\": \"y\"}", opts.clone());
        assert_eq!(records_of(&after).len(), 1);
        assert_eq!(
            reasons(&after),
            [(0, "more after the JSON array's closing ']' (after element 1)".into())]
        );
        // Text that starts with a bracket is still text, JSON Lines still JSON Lines.
        // An array of strings: each a text, numbered by its place; kept raw as the record
        // under the text field's name.
        let strings =
            read("s.json", "[\"one, [two]\",\n \"سلام \\\"x\\\"\", 3]".as_bytes(), opts.clone());
        assert_eq!(
            records_of(&strings),
            [(1, Value::from(1), "one, [two]".into()), (2, Value::from(2), "سلام \"x\"".into())]
        );
        let Item::Record(first) = &strings[0] else { panic!("{:?}", strings[0]) };
        assert_eq!(first.raw.as_deref(), Some("{\"text\":\"one, [two]\"}"));
        assert_eq!(reasons(&strings), [(3, "expected a JSON object, found a number".into())]);
        let text = read("t.txt", b"[Reuters] one\n[AP] two\n", opts.clone());
        assert_eq!(records_of(&text).len(), 2);
        let text = read("t", b"[Reuters] one\n", opts.clone());
        assert_eq!(records_of(&text)[0].2, "[Reuters] one");
        let lines = read("l.json", b"{\"text\": \"x\"}\n{\"text\": \"y\"}\n", opts);
        assert_eq!(records_of(&lines).len(), 2);
    }

    /// A byte-order mark that starts a line, where a file saved with one was appended to
    /// another (`cat a.jsonl b.jsonl`), is dropped: the record was rejected as malformed JSON.
    #[test]
    fn a_byte_order_mark_that_starts_a_line_is_dropped() {
        let opts = ReadOptions { keep_raw: true, ..ReadOptions::default() };
        let content = "{\"text\": \"x\"}\n\u{FEFF}{\"text\": \"y\"}\n\u{FEFF}plain\n";
        let items = read("m.jsonl", content.as_bytes(), opts.clone());
        assert!(
            matches!(&items[1], Item::Record(r) if r.text == "y" && r.raw.as_deref() == Some("{\"text\": \"y\"}")),
            "{items:?}"
        );
        assert!(matches!(&items[2], Item::Rejected(r) if r.reason.starts_with("malformed JSON")));
        let items = read("m.txt", "a\n\u{FEFF}b\n".as_bytes(), opts);
        assert!(matches!(&items[1], Item::Record(r) if r.text == "b"), "{items:?}");
    }

    /// Objects one after another, each over several lines (`jq .`, `json.dump(…, indent=2)` per
    /// record), are read as the elements of an array are, numbered by their place; compact
    /// objects on lines of their own are JSON Lines as ever.
    #[test]
    fn pretty_printed_objects_one_after_another_are_records() {
        let pretty = concat!(
            "{\n  \"id\": \"a\",\n  \"text\": \"rain } and {\\\" wind\",\n  \"tags\": [\"x\", {\"y\": 1}]\n}\n",
            "{\n  \"id\": \"b\",\n  \"text\": 3\n}{\"id\": \"c\", \"text\": \"snow\"}\n\n",
            "{\r\n  \"text\": \"no id\"\r\n}\r\n",
        );
        let opts = ReadOptions { keep_raw: true, ..ReadOptions::default() };
        let items = read("p.json", pretty.as_bytes(), opts.clone());
        assert_eq!(
            records_of(&items),
            [
                (1, Value::from("a"), "rain } and {\" wind".into()),
                (3, Value::from("c"), "snow".into()),
                (4, Value::from(4), "no id".into()),
            ]
        );
        assert_eq!(
            reasons(&items),
            [(2, "text field 'text' is a number, expected a string".into())]
        );
        let Item::Record(first) = &items[0] else { panic!("{:?}", items[0]) };
        assert!(!first.raw.as_deref().unwrap().contains('\n'), "kept raw as one line");
        // Cut short, or something that is not an object between them.
        let cut = read("c.json", b"{\n \"text\": \"x\"\n}\n{\n \"text\": \"y", opts.clone());
        assert_eq!(records_of(&cut), [(1, Value::from(1), "x".into())]);
        assert_eq!(reasons(&cut)[1], (0, "the JSON object 2 is cut short: a cut file?".into()));
        let mixed = read("m.json", b"{\n \"text\": \"x\"\n}\n[1]\n", opts.clone());
        assert_eq!(records_of(&mixed).len(), 1);
        assert_eq!(
            reasons(&mixed),
            [(0, "'[' where a JSON object should start, after object 1".into())]
        );
        // A line that opens an object and goes on is JSON Lines (its lines rejected one by one).
        let lines = read("l.json", b"{\"text\": \"x\"}\n{\"text\": \"y\"}\n", opts.clone());
        assert_eq!(records_of(&lines).len(), 2);
        let broken = read("b.jsonl", b"{\"text\": \n\"y\"}\n", opts);
        assert_eq!(reasons(&broken).len(), 2, "{broken:?}");
    }

    /// A large array is not split in byte ranges (its elements are not lines): each worker
    /// scans it and parses the elements dealt to it.
    #[test]
    fn a_large_json_array_is_dealt_not_split() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = Vec::new();
        let mut i = 0;
        while rows.iter().map(|r: &String| r.len()).sum::<usize>() < 3 * SPLIT_BYTES as usize / 2 {
            rows.push(format!(
                "{{\"id\": {i}, \"text\": \"{}\"}}",
                "كلمة word ".repeat(1 + i % 200)
            ));
            i += 1;
        }
        let p = dir.path().join("big.json");
        std::fs::write(&p, format!("[{}]", rows.join(",\n"))).unwrap();
        let inputs = [Input::Path(p)];
        let opts = ReadOptions::default();
        assert!(plan_ranges(&inputs, &opts, 0, 2)[0].is_none(), "not split");
        let mut whole = Vec::new();
        read_share(&inputs, &opts, None, None, &mut |_, _, item| {
            whole.push(item);
            true
        });
        assert_eq!(whole.len(), rows.len());
        for peers in [2, 3] {
            let mut all: Vec<Item> =
                shares(&inputs, &opts, peers).into_iter().flatten().map(|x| x.1).collect();
            all.sort_by_key(|item| match item {
                Item::Record(r) => r.origin.line,
                other => panic!("{other:?}"),
            });
            assert!(all == whole, "{peers} workers: the same records");
        }
    }

    fn read(name: &str, content: &[u8], opts: ReadOptions) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let mut out = Vec::new();
        read_inputs(&[Input::Path(p)], &opts, |i| {
            out.push(i);
            true
        });
        out
    }

    /// A step set while reading is applied, in the parse tasks, to the records parsed after it
    /// is set, and to none before: to every record of a block read after it is set (blocks
    /// read ahead before then may be parsed with or without it). JSON lines and CSV alike.
    #[test]
    fn a_prepare_step_set_while_reading_applies_to_later_records() {
        let dir = tempfile::tempdir().unwrap();
        let lines = (IN_FLIGHT + 2) * CHUNK_LINES + 500;
        let jsonl: String =
            (0..lines).map(|i| format!("{{\"id\": {i}, \"text\": \"doc {i}\"}}\n")).collect();
        let csv: String = std::iter::once("id,text\n".to_owned())
            .chain((0..lines).map(|i| format!("{i},\"doc, {i}\"\n")))
            .collect();
        for (name, content) in [("many.jsonl", jsonl), ("many.csv", csv)] {
            let p = dir.path().join(name);
            std::fs::write(&p, content).unwrap();
            let prepare = Prepare::new();
            let mut got = Vec::new();
            read_inputs_prepared(&[Input::Path(p)], &ReadOptions::default(), &prepare, |item| {
                let Item::Record(r) = item else { panic!("{name}: rejected") };
                got.push((r.text, r.features));
                if got.len() == 10 {
                    prepare.get_or_init(|| {
                        Box::new(|r: &mut Record| r.features = Some([r.text.len() as u64].into()))
                    });
                }
                true
            });
            assert_eq!(got.len(), lines, "{name}");
            assert!(got[..10].iter().all(|(_, f)| f.is_none()), "{name}: prepared before");
            for (i, (text, features)) in got.iter().enumerate() {
                assert!(text.ends_with(&format!(" {i}")), "{name}: {text} out of order");
                if features.is_some() || i >= IN_FLIGHT * CHUNK_LINES {
                    assert_eq!(features.as_deref(), Some(&[text.len() as u64][..]), "{text}");
                }
            }
        }
    }

    /// Chunks are read and parsed ahead of the one emitted: across several chunks (by lines and
    /// by bytes), every record comes out once, in order, with its line, whether the read runs
    /// off the pool, on the one worker of a pool, or on one of two; a sink that stops gets
    /// nothing more.
    #[test]
    fn records_cross_chunks_in_order() {
        let mut content = String::new();
        let mut expected = Vec::new();
        for i in 0..(2 * CHUNK_LINES + 500) {
            if i % 97 == 5 {
                content += "\n";
                continue;
            }
            let text = if i % 1000 == 3 { "x".repeat(300_000) } else { format!("doc {i}") };
            content += &format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n");
            expected.push((i as u64 + 1, serde_json::json!(i)));
        }
        let lines_of = |items: Vec<Item>| -> Vec<(u64, Value)> {
            items
                .into_iter()
                .map(|it| match it {
                    Item::Record(r) => (r.origin.line, r.id),
                    Item::Rejected(r) => panic!("line {} rejected: {}", r.origin.line, r.reason),
                    Item::Header(h) => panic!("a header row with records not kept raw: {h:?}"),
                })
                .collect()
        };
        let got = lines_of(read("many.jsonl", content.as_bytes(), ReadOptions::default()));
        assert!(got == expected, "{} records read, {} expected", got.len(), expected.len());
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let items = pool.install(|| read("many.jsonl", content.as_bytes(), Default::default()));
            assert!(lines_of(items) == expected, "on a worker of {threads}");
        }

        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("many.jsonl");
        std::fs::write(&p, &content).unwrap();
        let mut seen = 0;
        read_inputs(&[Input::Path(p)], &ReadOptions::default(), |_| {
            seen += 1;
            seen < CHUNK_LINES + 10
        });
        assert_eq!(seen, CHUNK_LINES + 10, "the sink stopped");
    }

    /// A parse that panics (here, in a prepare step) stops the read with that panic, on a
    /// worker of a pool as off it, instead of leaving the reader waiting for its chunk.
    #[test]
    fn a_panic_in_a_parse_reaches_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("many.jsonl");
        let content: String = (0..3 * CHUNK_LINES)
            .map(|i| format!("{{\"id\": {i}, \"text\": \"doc {i}\"}}\n"))
            .collect();
        std::fs::write(&p, content).unwrap();
        let read_all = || {
            let prepare = Prepare::new();
            prepare.get_or_init(|| {
                Box::new(|r: &mut Record| assert!(r.text != "doc 5000", "the step fails"))
            });
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read_inputs_prepared(
                    &[Input::Path(p.clone())],
                    &Default::default(),
                    &prepare,
                    |_| true,
                )
            }))
        };
        assert!(read_all().is_err(), "off the pool");
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert!(pool.install(read_all).is_err(), "on a worker");
    }

    /// The records among `items`: line (or place), id and text.
    fn records_of(items: &[Item]) -> Vec<(u64, Value, String)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some((r.origin.line, r.id.clone(), r.text.clone())),
                _ => None,
            })
            .collect()
    }

    fn reasons(items: &[Item]) -> Vec<(u64, String)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Rejected(r) => Some((r.origin.line, r.reason.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_missing_text_field_names_the_fields_the_record_has() {
        let content = "{\"id\": 1, \"body\": \"a\", \"headline\": \"b\"}\n\
            {\"id\": 2, \"article\": {\"body\": \"c\", \"meta\": {\"t\": 1}}, \"x\": {}}\n\
            {}\n";
        let opts = ReadOptions { text_field: "article.text".into(), ..ReadOptions::default() };
        let r = reasons(&read("x.jsonl", content.as_bytes(), opts));
        assert_eq!(r[0].1, "missing text field 'article.text' (fields: body, headline, id)");
        // Fields inside objects are named by the path an option takes.
        assert_eq!(
            r[1].1,
            "missing text field 'article.text' (fields: article.body, article.meta.t, id, x)"
        );
        assert_eq!(r[2].1, "missing text field 'article.text' (the object has no fields)");
        let many: String = (0..20).map(|i| format!("\"f{i:02}\": {i},")).collect();
        let r = reasons(&read(
            "y.jsonl",
            format!("{{{many} \"id\": 1}}\n").as_bytes(),
            ReadOptions::default(),
        ));
        assert!(r[0].1.ends_with("f10, f11 and 9 more)"), "{}", r[0].1);
    }

    #[test]
    fn fields_inside_objects_are_read_by_their_dotted_path() {
        let content = concat!(
            r#"{"doc": {"id": "a", "title": "T", "body": {"text": "x y"}}, "meta": {"lang": "ar", "at": 5}}"#,
            "\n",
            // A key with a dot of its own is matched as it stands, before any path.
            r#"{"doc.id": "b", "doc": {"id": "no", "body": {"text": "z"}}, "meta.at": "2020"}"#,
            "\n",
            r#"{"doc": {"id": "c", "body": "not an object"}}"#,
            "\n",
            r#"{"doc": {"id": "d", "body": {"text": 3}}}"#,
            "\n",
            r#"{"doc": {"id": "e", "body": {"text": {"ar": "x", "en": "y"}}}}"#,
            "\n",
        );
        let opts = ReadOptions {
            id_field: "doc.id".into(),
            text_field: "doc.body.text".into(),
            title_field: Some("doc.title".into()),
            time_field: Some("meta.at".into()),
            lang_field: "meta.lang".into(),
            ..ReadOptions::default()
        };
        let items = read("n.jsonl", content.as_bytes(), opts);
        let records: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].id, Value::from("a"));
        assert_eq!(records[0].text, "T\nx y");
        assert_eq!(records[0].time.as_deref(), Some("5"));
        assert_eq!(records[0].lang.as_deref(), Some("ar"));
        assert_eq!((records[1].id.clone(), records[1].text.as_str()), (Value::from("b"), "z"));
        assert_eq!(records[1].time.as_deref(), Some("2020"));
        let r = reasons(&items);
        assert_eq!(r[0].0, 3);
        assert!(r[0].1.starts_with("missing text field 'doc.body.text' (fields: doc.body, doc.id"));
        assert_eq!(r[1], (4, "text field 'doc.body.text' is a number, expected a string".into()));
        assert_eq!(
            r[2].1,
            "text field 'doc.body.text' is an object, expected a string (it holds \
             doc.body.text.ar, doc.body.text.en: name one)"
        );
    }

    #[test]
    fn jsonl_bad_records_are_named_and_the_rest_read() {
        let content = "{\"id\": \"a\", \"text\": \"hello\"}\n\
            {\"id\": \"b\"}\n\
            {\"id\": \"c\", \"text\": null}\n\
            {\"id\": \"d\", \"text\": 5}\n\
            {\"id\": \"e\", \"text\": [\"x\", {}]}\n\
            not json\n\
            \n\
            {\"id\": \"a\", \"text\": \"again\"}\n\
            {\"id\": 7, \"text\": \"number id\"}\r\n";
        let items = read("x.jsonl", content.as_bytes(), ReadOptions::default());
        let r = reasons(&items);
        assert_eq!(r.len(), 6, "{r:?}");
        // The extension decides: a broken first line does not turn a .jsonl file into text.
        let broken = read("y.jsonl", b"not json\n{\"text\": \"x\"}\n", ReadOptions::default());
        assert!(reasons(&broken)[0].1.starts_with("malformed JSON"), "{:?}", reasons(&broken));
        assert_eq!(r[0], (2, "missing text field 'text' (fields: id)".into()));
        assert!(r[1].1.contains("is null"), "{r:?}");
        assert!(r[2].1.contains("is a number"));
        assert!(r[3].1.contains("is an array, expected a string or an array of strings"));
        assert!(r[4].1.starts_with("malformed JSON"));
        assert_eq!(r[5].0, 8);
        assert!(r[5].1.contains("duplicate id (first seen at"), "{r:?}");
        let Item::Record(last) = &items[items.len() - 1] else { panic!("last is a record") };
        assert_eq!(last.id, Value::from(7));
        assert_eq!(last.text, "number id");
    }

    /// Every repeat is told where its id was first seen, across files and through the table's
    /// growth; a number and the string of its digits are one id; an id that only shares a
    /// prefix with another, or is empty, is its own.
    #[test]
    fn seen_ids_name_each_first_place() {
        let (f, g): (Arc<str>, Arc<str>) = ("f.jsonl".into(), "g.jsonl".into());
        let at = |file: &Arc<str>, line| Origin { file: file.clone(), line };
        let mut seen = SeenIds::default();
        let n = 10_000u64;
        for i in 0..n {
            let id = if i % 2 == 0 { Value::from(i) } else { Value::from(format!("id-{i}")) };
            assert_eq!(seen.first_seen(&id, &at(&f, i + 1)), None, "{id}");
        }
        assert_eq!(seen.first_seen(&Value::from(""), &at(&g, 1)), None);
        assert_eq!(seen.first_seen(&Value::from("id-1x"), &at(&g, 2)), None);
        for i in 0..n {
            let id = if i % 2 == 0 {
                Value::from(i.to_string())
            } else {
                Value::from(format!("id-{i}"))
            };
            assert_eq!(seen.first_seen(&id, &at(&g, i + 3)), Some(at(&f, i + 1)), "{id}");
        }
        assert_eq!(seen.first_seen(&Value::from(""), &at(&f, 9)), Some(at(&g, 1)));
        assert_eq!(seen.first_seen(&Value::from(7.5), &at(&g, 9)), None);
        assert_eq!(seen.first_seen(&Value::from("7.5"), &at(&g, 10)), Some(at(&g, 9)));
    }

    #[test]
    fn invalid_utf8_inside_an_arabic_letter() {
        let mut content = b"{\"text\": \"".to_vec();
        content.extend_from_slice(&"سلام".as_bytes()[..3]);
        content.extend_from_slice(b"\"}\n{\"text\": \"ok\"}\n");
        let items = read("x.jsonl", &content, ReadOptions::default());
        assert!(
            reasons(&items)[0].1.starts_with("invalid UTF-8 at byte 13"),
            "{:?}",
            reasons(&items)
        );
        assert!(matches!(&items[1], Item::Record(r) if r.id == 2));
    }

    #[test]
    fn a_damaged_line_is_rejected_under_its_id() {
        let ids = |name: &str, content: &[u8]| -> Vec<(u64, Option<Value>)> {
            read(name, content, ReadOptions::default())
                .into_iter()
                .filter_map(|i| match i {
                    Item::Rejected(r) => Some((r.origin.line, r.id)),
                    _ => None,
                })
                .collect()
        };
        let jsonl = b"{\"id\": \"a\", \"text\": \"ok\"}\n\
            {\"id\": \"b\", \"text\": \"caf\xe9\"}\n\
            {\"text\": \"caf\xe9\"}\n\
            {\"id\": [1], \"text\": \"caf\xe9\"}\n\
            {\"id\": \"e\", \"text\": \"caf\xe9\"\n\
            {\"text\": bad}\n\
            {\"id\": 7, \"text\": }\n\
            {\"text\": \"he said \"id\": 8\", \"id\": 9}\n\
            {\"meta\": {\"id\": 1}, \"text\": }\n\
            {\"text\": \"cut sh\n";
        assert_eq!(
            ids("x.jsonl", jsonl),
            [
                (2, Some(Value::from("b"))),
                (3, Some(Value::from(3))),
                (4, None),
                (5, Some(Value::from("e"))),
                // Not JSON: no id key at all is a record numbered by its line; the key found
                // once at the top is read; a key that also appears elsewhere names nothing.
                (6, Some(Value::from(6))),
                (7, Some(Value::from(7))),
                (8, None),
                (9, None),
                (10, None),
            ]
        );
        assert_eq!(ids("x.txt", b"fine\ncaf\xe9\n"), [(2, Some(Value::from(2)))]);
        // A raw control character in a string (JSON wants it escaped): the id is still found.
        assert_eq!(
            ids("x.jsonl", b"{\"id\": \"f\", \"text\": \"a\x00b\tc\"}\n"),
            [(1, Some(Value::from("f")))]
        );
    }

    #[test]
    fn csv_tsv_and_text() {
        let items = read(
            "x.csv",
            b"id,title,text\n1,T,\"a, b\"\n2,,\n3,x\n",
            ReadOptions { title_field: Some("title".into()), ..Default::default() },
        );
        assert!(matches!(&items[0], Item::Record(r) if r.text == "T\na, b"));
        let r = reasons(&items);
        assert_eq!(r[0].1, "empty text");
        assert_eq!(r[1].1, "malformed record: 2 fields where the header row has 3");
        // A record of the wrong length still names the id it holds, or its line without an
        // id column; one too short to hold its id names none.
        assert!(matches!(&items[2], Item::Rejected(x) if x.id == Some(Value::from("3"))));
        let items = read("x.csv", b"text,x\na,b\nc\n", ReadOptions::default());
        assert!(matches!(&items[1], Item::Rejected(x) if x.id == Some(Value::from(3u64))));
        let items = read("x.csv", b"text,id\na\n", ReadOptions::default());
        assert!(matches!(&items[0], Item::Rejected(x) if x.id.is_none() && x.origin.line == 2));
        let items = read("x.tsv", b"text\tid\nhello\tq\n", ReadOptions::default());
        assert!(matches!(&items[0], Item::Record(r) if r.id == "q"));
        let items = read("x.txt", b"one\n\ntwo\n", ReadOptions::default());
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[1], Item::Record(r) if r.id == 3));
        let items = read("x.csv", b"id,body\n1,x\n", ReadOptions::default());
        assert!(reasons(&items)[0].1.contains("no column 'text' (columns: id, body)"));
        // A column named by an option and missing from the header refuses the file (read
        // without it, the ids would be line numbers, the titles gone); the default id column
        // may be missing, the ids then line numbers.
        for (opts, flag) in [
            (ReadOptions { id_field: "ID".into(), ..Default::default() }, "'ID' for --id-field"),
            (
                ReadOptions { title_field: Some("titel".into()), ..Default::default() },
                "'titel' for --title-field",
            ),
            (
                ReadOptions { time_field: Some("date".into()), ..Default::default() },
                "'date' for --time-field",
            ),
        ] {
            let items = read("x.csv", b"id,text\n1,x\n", opts);
            assert_eq!(reasons(&items), [(0, format!("no column {flag} (columns: id, text)"))]);
        }
        // Kept raw, the header row comes first; each row as it was read, quotes and all.
        let raw = ReadOptions { keep_raw: true, ..Default::default() };
        let items = read("x.tsv", b"\"id\"\ttext\nq\t\"a\tb\"\n", raw);
        assert!(
            matches!(&items[0], Item::Header(h) if h.raw == "\"id\"\ttext" && h.file.ends_with("x.tsv"))
        );
        assert!(matches!(&items[1], Item::Record(r) if r.raw.as_deref() == Some("q\t\"a\tb\"")));
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn csv_records_are_placed_at_their_first_line() {
        // CRLF line endings and blank lines: the csv crate would place each record a line or
        // more early.
        for content in [
            &b"id,text\r\n1,a\r\n\r\n2,\r\n3,\"b\r\nc\"\r\n4,\r\n"[..],
            b"id,text\n1,a\n\n2,\n3,\"b\nc\"\n4,\n",
        ] {
            let items = read("x.csv", content, ReadOptions::default());
            let lines: Vec<(u64, bool)> = items
                .iter()
                .map(|i| match i {
                    Item::Record(r) => (r.origin.line, true),
                    Item::Rejected(r) => (r.origin.line, false),
                    Item::Header(_) => unreachable!(),
                })
                .collect();
            assert_eq!(lines, [(2, true), (4, false), (5, true), (7, false)]);
        }
    }

    #[test]
    fn a_quoted_field_that_does_not_close_is_rejected_and_the_records_it_took_are_read() {
        // A closing quote missing in the middle of the file (the field then runs on to the
        // next record's opening quote) or at its end: the record is rejected under its id, and
        // the lines the field took are read again as the records they are.
        let items =
            read("x.csv", b"id,text\n1,\"a\"\n2,\"b\n3,\"c\"\n4,\"d\"\n", ReadOptions::default());
        let r = reasons(&items);
        assert_eq!(r.len(), 1, "{items:?}");
        assert!(r[0].1.contains("does not close"), "{}", r[0].1);
        assert!(r[0].1.ends_with("line 4 is read as a record of its own"), "{}", r[0].1);
        assert!(matches!(&items[1], Item::Rejected(x) if x.id == Some(Value::from("2"))));
        assert!(
            matches!(&items[2], Item::Record(x) if x.id == "3" && x.text == "c" && x.origin.line == 4)
        );
        assert!(matches!(&items[3], Item::Record(x) if x.id == "4" && x.origin.line == 5));
        let items = read(
            "x.tsv",
            b"id\ttext\n1\tok\n2\t\"no end\n3\tlost\n4\tfound\n",
            ReadOptions::default(),
        );
        assert_eq!(items.len(), 4, "{items:?}");
        assert!(
            matches!(&items[1], Item::Rejected(x) if x.origin.line == 3 && x.reason.contains("lines 4-5 are read"))
        );
        assert!(matches!(&items[2], Item::Record(x) if x.text == "lost" && x.origin.line == 4));
        assert!(matches!(&items[3], Item::Record(x) if x.text == "found" && x.origin.line == 5));
        // Two quotes missing: the first runaway closes at the second record's opening quote;
        // read again alone, that record's line is a record, as a quote damaged within one
        // line is; the text over lines after it is read whole.
        let items =
            read("x.csv", b"id,text\n1,\"a\n2,\"b\n3,\"c\nd\"\n4,\"e\"\n", ReadOptions::default());
        let got: Vec<(u64, Option<String>)> = items
            .iter()
            .map(|i| match i {
                Item::Record(r) => (r.origin.line, Some(r.text.clone())),
                Item::Rejected(r) => (r.origin.line, None),
                Item::Header(_) => unreachable!(),
            })
            .collect();
        let want =
            [(2, None), (3, Some("b".into())), (4, Some("c\nd".into())), (6, Some("e".into()))];
        assert_eq!(got, want);
        // A text over lines whose closing quote is followed by more text is one damaged
        // record, not split into lines that would each read as a record.
        let items = read("x.csv", b"id,text\n1,\"one\ntwo\" (AP)\n2,x\n", ReadOptions::default());
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(
            matches!(&items[0], Item::Rejected(x) if x.origin.line == 2 && x.reason.contains("lines 2-3 read as one record"))
        );
        assert!(!runaway_quote(b"1,\"one\ntwo\" (AP)", b','));
        assert!(runaway_quote(b"1,\"one\n2,\"two\"", b','));
        assert!(runaway_quote(b"1\t\"one\n2\ttwo", b'\t'));
        assert!(!runaway_quote(b"1,\"one\"x,\"two\"", b','));
        // Well-formed fields over lines, doubled quotes, and a stray quote inside an unquoted
        // field (on one line) are records.
        let items = read(
            "x.csv",
            b"id,text\n1,\"say \"\"hi\"\"\nthen go\"\n2,a 5\" screen\n3,\"x\ny\",\n",
            ReadOptions { ..Default::default() },
        );
        assert!(matches!(&items[0], Item::Record(x) if x.text == "say \"hi\"\nthen go"));
        assert!(
            matches!(&items[1], Item::Record(x) if x.text == "a 5\" screen" && x.origin.line == 4)
        );
        assert!(reasons(&items)[0].1.starts_with("malformed record: 3 fields"));
        // The last record's quoted field opens and the input ends (a file cut short): rejected
        // under its id; a field closed by a quote with text after it, on one line, is read.
        for ending in ["", "\n", "\r\n"] {
            let csv = format!("id,text\n1,\"a\"b\n2,\"cut sho{ending}");
            let items = read("x.csv", csv.as_bytes(), ReadOptions::default());
            assert!(matches!(&items[0], Item::Record(x) if x.text == "ab"), "{items:?}");
            assert!(
                matches!(&items[1], Item::Rejected(x) if x.origin.line == 3
                    && x.id == Some(Value::from("2")) && x.reason.contains("the input ends")),
                "{items:?}"
            );
        }
        assert_eq!(quotes_of(b"1,\"a\"b", b','), Quotes::Damaged);
        assert_eq!(quotes_of(b"\"a", b','), Quotes::Unclosed);
        assert_eq!(quotes_of(b"\"a\"\"\",\"\",x\"y", b','), Quotes::Sound);
        assert_eq!(quotes_of(b"\"a\"\tb", b'\t'), Quotes::Sound);
    }

    /// A TSV written without quoting (MySQL, PostgreSQL): with `no_quotes`, a quote character
    /// is text wherever it is, and a record kept raw is written back unquoted, as it was read.
    #[test]
    fn fields_never_quoted_keep_their_quote_characters() {
        let tsv = b"id\ttext\n1\t\"Hello\" he said\n2\t\"no end\n3\ta 5\" screen, \"so\"\n";
        let opts = ReadOptions { no_quotes: true, keep_raw: true, ..ReadOptions::default() };
        let items = read("x.tsv", tsv, opts);
        let got: Vec<(&str, &str)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some((r.text.as_str(), r.raw.as_deref().unwrap_or_default())),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            [
                ("\"Hello\" he said", "1\t\"Hello\" he said"),
                ("\"no end", "2\t\"no end"),
                ("a 5\" screen, \"so\"", "3\ta 5\" screen, \"so\""),
            ]
        );
        // Read with quoting, the same file loses a record to the quote that never closes, and
        // the rejection names the option.
        let items = read("x.tsv", tsv, ReadOptions::default());
        let r = reasons(&items);
        assert_eq!(r.len(), 1, "{items:?}");
        assert!(r[0].1.contains("or a TSV whose fields are never quoted: --no-quotes"), "{r:?}");
    }

    /// A table dumped by PostgreSQL (`COPY … TO`, text format) or MySQL (`mysql -B`) escapes
    /// line breaks, tabs and backslashes, and writes NULL as `\N`: with `no_quotes` the fields
    /// are read decoded, and a record kept raw is written back as it was read.
    #[test]
    fn fields_never_quoted_have_their_backslash_escapes_decoded() {
        let tsv = concat!(
            "id\ttitle\ttext\n",
            "1\tTwo lines\tFirst.\\nSecond\\tcolumn, C:\\\\dir\n",
            "2\t\\N\tno title; octal \\101\\0x, hex \\x42, \\q\n",
            "\\N\tnull id\tid from the line\n",
            "4\t\\N\t\\N\n",
            "5\tt\tends in \\\n",
        );
        let opts = ReadOptions {
            no_quotes: true,
            keep_raw: true,
            title_field: Some("title".into()),
            ..ReadOptions::default()
        };
        let items = read("x.tsv", tsv.as_bytes(), opts);
        let got: Vec<(String, &str, &str)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => {
                    Some((r.id.to_string(), r.text.as_str(), r.raw.as_deref().unwrap_or_default()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "\"1\"".into(),
                    "Two lines\nFirst.\nSecond\tcolumn, C:\\dir",
                    "1\tTwo lines\tFirst.\\nSecond\\tcolumn, C:\\\\dir"
                ),
                (
                    "\"2\"".into(),
                    "no title; octal A\0x, hex B, q",
                    "2\t\\N\tno title; octal \\101\\0x, hex \\x42, \\q"
                ),
                ("4".into(), "null id\nid from the line", "\\N\tnull id\tid from the line"),
                ("\"5\"".into(), "t\nends in \\", "5\tt\tends in \\"),
            ]
        );
        // The NULL text is an empty one.
        assert_eq!(reasons(&items), [(5, "empty text".to_string())]);
        // A delimiter after a backslash is text (PostgreSQL writes `\|` with `DELIMITER '|'`).
        let psv = "id|text\n1|a \\| b\n";
        let opts = ReadOptions {
            no_quotes: true,
            delimiter: Some(b'|'),
            format: Some(Format::Csv),
            ..ReadOptions::default()
        };
        let items = read("x.psv", psv.as_bytes(), opts);
        assert!(matches!(&items[..], [Item::Record(r)] if r.text == "a | b"), "{items:?}");
    }

    /// `mysql -B` writes NULL as the word `NULL`, MySQL's `INTO OUTFILE` as CSV an unquoted
    /// `\N`: with `null` naming it, such a field is no value (a text empty, so rejected; an
    /// id the line's; no title). Without it the texts are read, and flagged as spelling NULL.
    #[test]
    fn a_field_that_is_the_null_string_has_no_value() {
        let tsv = "id\ttitle\ttext\n1\tA\tNULL\nNULL\tNULL\tsome text\n3\tNULL\tNULL\n4\tt\tnull\n";
        let texts = |items: &[Item]| -> Vec<(String, String, bool)> {
            items
                .iter()
                .filter_map(|i| match i {
                    Item::Record(r) => Some((r.id.to_string(), r.text.clone(), r.null_text)),
                    _ => None,
                })
                .collect()
        };
        let opts = |null: Option<&str>| ReadOptions {
            no_quotes: true,
            null: null.map(str::to_owned),
            title_field: Some("title".into()),
            ..ReadOptions::default()
        };
        let items = read("x.tsv", tsv.as_bytes(), opts(Some("NULL")));
        assert_eq!(
            texts(&items),
            [
                ("\"1\"".into(), "A\n".into(), false),
                ("3".into(), "some text".into(), false),
                ("\"4\"".into(), "t\nnull".into(), false),
            ]
        );
        assert_eq!(reasons(&items), [(4, "empty text".to_string())]);
        let items = read("x.tsv", tsv.as_bytes(), opts(None));
        let flagged: Vec<bool> = texts(&items).into_iter().map(|t| t.2).collect();
        assert_eq!(flagged, [true, false, true, true]);
        // In a quoted CSV, MySQL's `\N` is named as it is written.
        let csv = "id,text\n1,\\N\n2,\"\\N is a name\"\n";
        let opts = ReadOptions { null: Some("\\N".into()), ..ReadOptions::default() };
        let items = read("x.csv", csv.as_bytes(), opts);
        assert_eq!(texts(&items), [("\"2\"".into(), "\\N is a name".into(), false)]);
        assert_eq!(reasons(&items), [(2, "empty text".to_string())]);
    }

    /// CSV records read a block at a time come out in input order with the lines a serial
    /// read gives them: texts over several lines, malformed records and invalid UTF-8 among
    /// them, over several blocks.
    #[test]
    fn csv_records_cross_blocks_in_order() {
        let mut content = b"id,text\n".to_vec();
        for i in 0..(2 * CHUNK_LINES + 300) {
            match i % 211 {
                7 => content.extend_from_slice(format!("{i},\"two\nlines {i}\"\n").as_bytes()),
                8 => content.extend_from_slice(format!("{i},one,too many\n").as_bytes()),
                9 => {
                    content.extend_from_slice(format!("{i},bad ").as_bytes());
                    content.push(0xff);
                    content.extend_from_slice(format!(" {i}\n").as_bytes());
                }
                _ => content.extend_from_slice(format!("{i},doc {i}\n").as_bytes()),
            }
        }
        // What the csv crate reads, one record after another.
        let mut expected = Vec::new();
        let mut rdr = csv::ReaderBuilder::new().from_reader(&content[..]);
        let mut rec = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    let usable = rec.len() == 2 && std::str::from_utf8(&rec[1]).is_ok();
                    expected.push((rec.position().unwrap().line(), usable));
                }
                Err(e) => expected.push((e.position().unwrap().line(), false)),
            }
        }
        let items = read("many.csv", &content, ReadOptions::default());
        let got: Vec<(u64, bool)> = items
            .iter()
            .map(|item| match item {
                Item::Record(r) => {
                    let i: usize = r.id.as_str().unwrap().parse().unwrap();
                    assert!(r.text.ends_with(&format!(" {i}")), "{i}: {}", r.text);
                    (r.origin.line, true)
                }
                Item::Rejected(r) => (r.origin.line, false),
                Item::Header(h) => panic!("a header row with records not kept raw: {h:?}"),
            })
            .collect();
        assert_eq!(got, expected);
        assert!(expected.iter().filter(|e| !e.1).count() > 2 * 2 * CHUNK_LINES / 211);
    }

    #[test]
    fn oversize_text_is_cut_at_a_character_boundary() {
        let items = read(
            "x.txt",
            "ببببب\n".as_bytes(),
            ReadOptions { max_doc_bytes: 5, ..Default::default() },
        );
        assert!(matches!(&items[0], Item::Record(r) if r.truncated && r.text == "بب"));
    }

    #[test]
    fn missing_file_and_directory() {
        let mut out = Vec::new();
        let dir = tempfile::tempdir().unwrap();
        let inputs =
            [Input::Path(dir.path().join("nope.jsonl")), Input::Path(dir.path().to_path_buf())];
        read_inputs(&inputs, &ReadOptions::default(), |i| {
            out.push(i);
            true
        });
        let r = reasons(&out);
        assert_eq!(r.len(), 2);
        assert!(r[0].1.starts_with("cannot read"));
        // What to name instead: its files, or the folder read a document a file.
        let files = dir.path().join("*").display().to_string();
        let said = format!("is a directory (its files of records are read when named: {files}; ");
        assert!(r[1].1.contains(&said), "{}", r[1].1);
        assert!(r[1].1.ends_with("each file in it as one document: --doc-per-file)"));
    }
}
