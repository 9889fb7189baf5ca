//! Reading and writing: the only part of the house that knows about files, JSON, CSV, gzip or
//! zstd.
//!
//! Readers turn inputs into [`Item`]s in input order: a [`Record`] to cluster, or a [`Rejected`]
//! record that names its file, line, id (when it could be read) and what is wrong with it. A
//! bad record never stops a read (unless the caller stops on the first one, `--strict`); a file
//! that cannot be opened at all is reported as one rejected item with line 0.

mod decode;
mod json;
#[cfg(feature = "parquet")]
pub mod parquet;
mod read;
pub mod report;
pub mod time;
pub mod write;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

pub use read::{
    Range, SPLIT_BYTES, Share, input_format, plan_ranges, read_inputs, read_inputs_prepared,
    read_share, unnamed_fields, walk_files,
};

use crate::error::Origin;

/// A document to cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its id: from the id field (string or number), or the line number.
    pub id: serde_json::Value,
    /// Title (when a title field is given) and text, joined by a newline.
    pub text: String,
    /// The time field, when given and present.
    pub time: Option<Box<str>>,
    /// The language field (`--lang-field`, default `lang`), when present.
    pub lang: Option<Box<str>>,
    /// Where it came from.
    pub origin: Origin,
    /// The text was cut to the size limit.
    pub truncated: bool,
    /// Which of the fields that options name ([`named_fields`]: an id field other than the
    /// default, a title field, a time field, in that order) the record has no value in: the
    /// field is missing, null or blank. Its id is then its line; it has no title, or no time.
    pub lacks: [bool; 3],
    /// Its text (a table's text field, read without `--null`) is one a database writes for
    /// NULL ([`NULL_SPELLINGS`]): most likely no text, and all such records exact copies.
    pub null_text: bool,
    /// The record as read (a JSON or text line, or a CSV record, without its line ending; a
    /// line ended by CR LF keeps its CR, so that a row written back after it ends as it did),
    /// when asked for.
    pub raw: Option<Box<str>>,
    /// Its text's features, when a [`Prepare`] step made them as the record was parsed.
    pub features: Option<Box<[u64]>>,
}

/// Work done on each record on the thread that parsed it, as soon as it is parsed: a run that
/// reads each text only to make its features makes them there, while the text is in cache
/// and in the same parallel task, instead of collecting texts for a later parallel stage.
///
/// The step can be set while the read goes on (a run decides its shingles on the first
/// records); records parsed before it is set arrive without it. Only the line formats (JSON
/// Lines and text lines), parsed in parallel, apply it: CSV, Parquet and directories are read
/// on the calling thread, where the step would be serial time.
pub type Prepare = std::sync::OnceLock<Box<dyn Fn(&mut Record) + Send + Sync>>;

/// What a run warns of about records it read and used: texts cut to the size limit, times in
/// no form [`time::instant`] reads, records without a field an option names, and texts that
/// spell NULL. Each engine
/// gathers them, in input order; the command line prints them.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Notices {
    /// `file:line: document ID` of each record whose text was cut.
    pub truncated: Vec<String>,
    /// Records that hold a time in no form read; the first described as `file:line, document
    /// ID: "its time"`.
    pub unread_times: Tally,
    /// Records without a value in each field [`named_fields`] lists (see [`Record::lacks`]);
    /// the first described as `file:line, document ID`.
    pub lacking: [Tally; 3],
    /// Records whose text is a spelling of NULL ([`Record::null_text`]); the first described as
    /// `file:line, document ID`.
    pub null_texts: Tally,
    /// The files (as origins name them) that gave a record, in order of their records; a file
    /// is listed again when another file's records came between.
    pub files: Vec<Arc<str>>,
}

/// How many records one notice is about, and the first of them, described.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// How many.
    pub count: u64,
    /// The first, described.
    pub first: Option<String>,
}

impl Tally {
    /// Counts one more; `describe` names it when it is the first.
    pub fn add(&mut self, describe: impl FnOnce() -> String) {
        self.add_many(1, describe);
    }

    /// Counts `n` more; `describe` names the first of them when none was counted before.
    pub fn add_many(&mut self, n: u64, describe: impl FnOnce() -> String) {
        if n > 0 {
            self.count += n;
            self.first.get_or_insert_with(describe);
        }
    }

    /// Counts those of `later`, records after the ones counted here.
    pub fn merge(&mut self, later: &Tally) {
        self.add_many(later.count, || later.first.clone().unwrap_or_default());
    }
}

impl Notices {
    /// Notes what there is to say of `r`, a record after those noted before.
    pub fn note(&mut self, r: &Record) {
        let place = || format!("{}, document {}", r.origin, id_text(&r.id));
        if r.truncated {
            self.truncated.push(format!("{}: document {}", r.origin, id_text(&r.id)));
        }
        if let Some(t) = r.time.as_deref().filter(|t| time::instant(t).is_none()) {
            self.unread_times.add(|| format!("{}: {t:?}", place()));
        }
        for (tally, _) in self.lacking.iter_mut().zip(r.lacks).filter(|l| l.1) {
            tally.add(place);
        }
        if r.null_text {
            self.null_texts.add(place);
        }
        if self.files.last() != Some(&r.origin.file) {
            self.files.push(r.origin.file.clone());
        }
    }

    /// Its tallies: of the unread times, of [`Notices::lacking`], then of the null texts.
    pub fn tallies_mut(&mut self) -> impl Iterator<Item = &mut Tally> {
        std::iter::once(&mut self.unread_times)
            .chain(self.lacking.iter_mut())
            .chain(std::iter::once(&mut self.null_texts))
    }

    /// Those of `records`, in order.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Notices {
        let mut n = Notices::default();
        records.into_iter().for_each(|r| n.note(r));
        n
    }
}

/// A record that could not be used.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Where it came from (line 0: the whole file).
    pub origin: Origin,
    /// Its id, when it could be read.
    pub id: Option<serde_json::Value>,
    /// What is wrong.
    pub reason: String,
}

/// The parts of one text (the paragraphs of a JSON array of strings, or of a Parquet list
/// column), a line each.
pub(crate) fn joined_lines<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut text = String::new();
    for (i, part) in parts.enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    text
}

/// How a rejection for a missing text field begins.
pub(crate) const MISSING_TEXT_FIELD: &str = "missing text field";
/// How a rejection for a text field that holds no string begins.
pub(crate) const TEXT_FIELD_NOT_TEXT: &str = "text field '";
/// How a rejection for a line that is not JSON begins.
pub(crate) const MALFORMED_JSON: &str = "malformed JSON";
/// How a rejection for a JSON value that is not an object begins.
pub(crate) const NOT_AN_OBJECT: &str = "expected a JSON object";
/// How a rejection for a CSV or TSV record that is not the header row's fields begins.
pub(crate) const MALFORMED_RECORD: &str = "malformed record";

/// What a kind of rejection says of how its input was read when every record of the input has
/// it: the input was read with the wrong options, not written with bad records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misread {
    /// The text field is missing or holds no string: the text is in another field.
    TextField,
    /// The line is not a JSON object: the input is in another format.
    Format,
    /// The CSV or TSV record does not have the header row's fields: its fields are split by
    /// another delimiter.
    Fields,
}

impl Rejected {
    /// The reading mistake its rejection would point at if every record of its input had it.
    pub fn misread(&self) -> Option<Misread> {
        let starts = |p: &[&str]| p.iter().any(|p| self.reason.starts_with(p));
        if starts(&[MISSING_TEXT_FIELD, TEXT_FIELD_NOT_TEXT]) {
            Some(Misread::TextField)
        } else if starts(&[MALFORMED_JSON, NOT_AN_OBJECT]) {
            Some(Misread::Format)
        } else if starts(&[MALFORMED_RECORD]) {
            Some(Misread::Fields)
        } else {
            None
        }
    }
}

/// One input record, usable or not, or a CSV or TSV input's header row.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A document.
    Record(Record),
    /// A rejected record.
    Rejected(Rejected),
    /// The header row of a CSV or TSV input, as records are kept raw ([`ReadOptions::keep_raw`]
    /// only; before the input's records): what a writer of the raw records puts first.
    Header(Header),
}

/// The header row of one CSV or TSV input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The input's name.
    pub file: Arc<str>,
    /// The row as it was read (without its line ending).
    pub raw: String,
    /// Its names, encoded the same for any quoting (its delimiter, quoted as needed): two
    /// inputs have the same columns when these are equal.
    pub columns: String,
    /// Whether the input began with a byte order mark (a spreadsheet's UTF-8 or UTF-16 export).
    pub bom: bool,
    /// Whether the row ends in CR LF (a Windows export).
    pub crlf: bool,
}

impl Header {
    /// The first line of a table written from the input's rows: the row as it was read, after
    /// a UTF-8 byte order mark when the input had one (so a spreadsheet still reads it as
    /// UTF-8), and its line ending.
    pub fn first_line(&self) -> String {
        let bom = if self.bom { "\u{FEFF}" } else { "" };
        format!("{bom}{}{}", self.raw, self.line_end())
    }

    /// What the table's rows end with: the header row's line ending.
    pub fn line_end(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines: one object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// Plain text, one document per line.
    Text,
    /// Apache Parquet (a file, not standard input; cargo feature `parquet`).
    Parquet,
}

impl Format {
    /// The field delimiter of a table format: a tab for TSV, else a comma.
    pub(crate) fn delimiter(self) -> u8 {
        if self == Format::Tsv { b'\t' } else { b',' }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "tsv" => Ok(Format::Tsv),
            "text" | "txt" => Ok(Format::Text),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(format!("format '{s}': expected jsonl, csv, tsv, text or parquet")),
        }
    }
}

/// The format a file's name says (`news.csv.gz`: CSV), its compression's ending left aside;
/// `None` when it says none. Inputs are read, and outputs written, as their names say.
pub fn format_named(path: &std::path::Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let name = [".gz", ".zst", ".zstd", ".bz2", ".xz"]
        .iter()
        .find_map(|c| name.strip_suffix(c))
        .unwrap_or(&name);
    std::path::Path::new(name).extension()?.to_string_lossy().parse().ok()
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force a format (otherwise from the extension, then from the first byte).
    pub format: Option<Format>,
    /// The byte between the fields of CSV and TSV inputs (default: `,` and a tab).
    pub delimiter: Option<u8>,
    /// CSV and TSV fields are never quoted: a quote character is text, and backslash escapes
    /// are decoded (TSV as MySQL and PostgreSQL write it, which escape instead of quoting).
    pub no_quotes: bool,
    /// The string a CSV or TSV field holds for no value (a database's NULL: `NULL` from
    /// `mysql -B`, `\N` from `SELECT … INTO OUTFILE`): such a field is read as empty.
    pub null: Option<String>,
    /// The inputs' text encoding when it is not UTF-8 (or UTF-16 with a BOM): `windows-1256`
    /// for an old Arabic archive, any WHATWG label. Parquet is UTF-8 by definition.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Field holding the id (absent: the line number is the id).
    pub id_field: String,
    /// Field holding the text.
    pub text_field: String,
    /// Field holding a title to put before the text.
    pub title_field: Option<String>,
    /// Field holding a time (kept for `--keep earliest`).
    pub time_field: Option<String>,
    /// How a time in numbers whose day and month could be either (`05/07/2015`) is read; such a
    /// time is kept in the record as RFC 3339 text, which reads the same everywhere after (the
    /// index stores it so). Without one it is not read (and warned of).
    pub date_order: Option<time::DateOrder>,
    /// Field holding the document's language, read when present (shown in reports).
    pub lang_field: String,
    /// Each file of the given directories is one document.
    pub doc_per_file: bool,
    /// Keep each record's raw form (for `dedup`).
    pub keep_raw: bool,
    /// Keep each record's text in the batch once its features are made (reports, `dedup
    /// --keep longest`). Without it [`crate::batch::run`] frees the texts before clustering.
    pub keep_text: bool,
    /// Texts longer than this many bytes are cut (at a character boundary) and flagged.
    pub max_doc_bytes: usize,
}

/// How databases and dataframe exports spell a missing value in a text table: a text field that
/// is exactly one of these is counted ([`Record::null_text`]) and warned of.
pub const NULL_SPELLINGS: [&str; 4] = ["NULL", "\\N", "null", "None"];

/// The id field read unless another is named: a file without it is numbered by its lines,
/// where a table without a column the user named is refused.
pub const DEFAULT_ID_FIELD: &str = "id";

/// The fields the user named, by the option that names each: the id field when it is not
/// [`DEFAULT_ID_FIELD`], the title and the time fields when given. A table whose header lacks
/// one is refused; a JSON Lines file whose first record lacks one is warned of.
pub fn named_fields<'a>(
    id_field: &'a str,
    title_field: Option<&'a str>,
    time_field: Option<&'a str>,
) -> [(&'static str, Option<&'a str>); 3] {
    let [id, title, time] = NAMED_FIELD_OPTIONS;
    [
        (id, (id_field != DEFAULT_ID_FIELD).then_some(id_field)),
        (title, title_field),
        (time, time_field),
    ]
}

/// The options of [`named_fields`], in its order.
pub const NAMED_FIELD_OPTIONS: [&str; 3] = ["--id-field", "--title-field", "--time-field"];

/// Default size limit of one document's text.
pub const DEFAULT_MAX_DOC_BYTES: usize = 16 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            delimiter: None,
            no_quotes: false,
            null: None,
            encoding: None,
            id_field: DEFAULT_ID_FIELD.into(),
            text_field: "text".into(),
            title_field: None,
            time_field: None,
            date_order: None,
            lang_field: "lang".into(),
            doc_per_file: false,
            keep_raw: false,
            keep_text: true,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

/// An input: a path, or `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file (or, with `doc_per_file`, a directory).
    Path(PathBuf),
}

impl Input {
    /// `-` is standard input; anything else a path.
    pub fn parse(s: &str) -> Input {
        if s == "-" { Input::Stdin } else { Input::Path(PathBuf::from(s)) }
    }

    /// How the input is named in messages.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".into(),
            Input::Path(p) => p.display().to_string(),
        }
    }

    /// The whole input as one text, read as records are: gzip, zstd, bzip2 or xz decompressed, UTF-16 by
    /// its byte-order mark, another `encoding` transcoded. Text that is not UTF-8 is an error
    /// that names the byte.
    pub fn read_text(
        &self,
        encoding: Option<&'static encoding_rs::Encoding>,
    ) -> std::io::Result<String> {
        use std::io::Read;
        let mut bytes = Vec::new();
        decode::open_as(self, encoding)?.read_to_end(&mut bytes)?;
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to() + 1;
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("invalid UTF-8 at byte {at} (another encoding? --encoding names it)"),
            )
        })
    }
}

/// Renders an id for messages and story names: strings as they are, numbers as written.
pub fn id_text(id: &serde_json::Value) -> String {
    id_str(id, &mut String::new()).to_owned()
}

/// [`id_text`] without an allocation of its own: a string id as it is, any other written into
/// `scratch`.
pub fn id_str<'a>(id: &'a serde_json::Value, scratch: &'a mut String) -> &'a str {
    match id {
        serde_json::Value::String(s) => s,
        v => {
            use std::fmt::Write;
            scratch.clear();
            write!(scratch, "{v}").expect("writing to a String cannot fail");
            scratch
        }
    }
}
