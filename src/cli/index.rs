//! `xdedup index …`: the persistent story index for nightly runs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use xdedup::batch::{Entry, Loaded, Progress};
use xdedup::index::{Assignment, Index, Removal};
use xdedup::io::read_inputs;
use xdedup::io::report::counted;
use xdedup::io::write::Output;

use super::progress::{Rejections, Spinner, Warn, rejected_json};
use super::{InputArgs, OutputArgs, PipelineArgs, ReadArgs};
use xdedup::io::Tally;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty index with these settings (they are stored; later commands use them).
    ///
    /// Example: xdedup index create archive.idx --threshold 0.12
    Create {
        /// Index directory (created; must not exist or be empty).
        dir: PathBuf,
        #[command(flatten)]
        pipeline: PipelineArgs,
    },
    /// Add documents: each joins the stored story it matches or starts a new one. One JSON line
    /// per input record, as `cluster` writes, plus `new_story` and `status`. Ids already in the
    /// index are skipped, so a failed run can simply be run again.
    ///
    /// Example: xdedup index add archive.idx tonight.jsonl.gz -o assignments.jsonl
    Add(Box<AddArgs>),
    /// The stored stories most similar to a text. Exit status 0 if one reaches the threshold,
    /// 1 if none does, 2 on error. With --file, one JSON line per record of the file (its id,
    /// its hits, and the microseconds the lookup took), and status 0 if any record matched.
    ///
    /// Example: xdedup index query archive.idx "Iran basketball team held at airport"
    Query {
        /// Index directory.
        dir: PathBuf,
        /// The text, @FILE for a file's contents, or - for standard input. A text that names a
        /// file is refused (the file's records: --file).
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        text: Option<String>,
        /// Look up every record of this file (JSON Lines, CSV/TSV, Parquet or text, read as
        /// `add` reads, with the same options) instead of one text; nothing is added.
        #[arg(long, value_name = "FILE")]
        file: Option<String>,
        #[command(flatten)]
        read: ReadArgs,
        /// The text's time, for the index's time window (stored documents further from it
        /// are not similar unless near-copies): in any form --time-field reads. With --file,
        /// each record's --time-field.
        #[arg(long, value_name = "TIME", conflicts_with = "file")]
        time: Option<String>,
        /// Stories to list.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Output file (default: standard output), written under a temporary name and moved into
        /// place when complete: JSON lines (compressed when named `.gz` or `.zst`); a record's
        /// hits are a list, so a table or Parquet name is refused.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The sentence encoder, for an index created with --model.
        #[arg(long, value_name = "PATH", env = "XDEDUP_MODEL")]
        model: Option<PathBuf>,
        /// The lexicon, for an index created with --lexicon.
        #[arg(long, value_name = "PATH", env = "XDEDUP_LEXICON")]
        lexicon: Option<PathBuf>,
    },
    /// Documents, stories, batches, size on disk and settings.
    Stats {
        /// Index directory.
        dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Every stored document with its story, one JSON line each (`{"id", "cluster"}`), in the
    /// order they were added: the index's current clustering, as `cluster` would print it.
    Export {
        /// Index directory.
        dir: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Take documents out, by id or by time.
    ///
    /// Example: xdedup index remove archive.idx --older-than 2020-01-01
    Remove {
        /// Index directory.
        dir: PathBuf,
        /// Ids to remove (repeatable); ids the index does not hold are listed on standard error.
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        /// Remove documents whose time is before this: a date or time (2020-01-01,
        /// 2020-01-01T08:00:00+03:00, Wed, 01 Jan 2020 08:00:00 GMT, 21/07/2020, 1 July 2020,
        /// the Hijri 6 جمادى الأولى 1441 هـ; 01/07/2020 with --day-first or --month-first) or
        /// seconds since 1970; stored times in
        /// any of these forms compare as moments. Documents whose time is in
        /// no form xdedup reads stay, and are counted on standard error.
        #[arg(long, value_name = "TIME")]
        older_than: Option<String>,
        #[command(flatten)]
        date_order: super::DateOrderArgs,
    },
    /// Rewrite the index without free space left by removals.
    Compact {
        /// Index directory.
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Index directory.
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the stored documents this run moved to another story, as JSON lines
    /// `{"id", "from", "to"}` (story names), for whoever publishes story ids.
    #[arg(long, value_name = "FILE")]
    pub moves: Option<PathBuf>,
    /// Also write the records that start a story no stored document is in (tonight's batch
    /// less everything seen before, and less its own repeats): one per such story, its first,
    /// written as it was read, as `dedup` writes its kept records (JSON or text lines; a CSV or
    /// TSV table under its header row; Parquet from Parquet inputs).
    #[arg(long, value_name = "FILE")]
    pub new: Option<PathBuf>,
    /// Documents per transaction: each batch is committed whole or not at all.
    #[arg(long, default_value_t = 50_000)]
    pub batch_size: usize,
    /// Settings given again are checked against the index's (they cannot change).
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// One output line of `index query --file`.
#[derive(serde::Serialize)]
struct QueryRow<'a> {
    id: &'a serde_json::Value,
    hits: Vec<xdedup::index::Hit>,
    micros: u64,
}

/// One output line of `index export`.
#[derive(serde::Serialize)]
struct Exported<'a> {
    id: &'a serde_json::Value,
    cluster: &'a str,
}

/// One output line of `index add`.
#[derive(serde::Serialize)]
struct Row<'a> {
    id: &'a serde_json::Value,
    cluster: &'a str,
    representative: bool,
    score: Option<f64>,
    size: u64,
    new_story: bool,
    status: &'static str,
}

/// Opens an index for reading, with [`guard_mapped_reads`].
fn open(dir: &std::path::Path) -> xdedup::Result<Index> {
    guard_mapped_reads(dir);
    Index::open(dir)
}

/// Opens an index for writing, with [`guard_mapped_reads`].
fn open_writer(dir: &std::path::Path) -> xdedup::Result<Index> {
    guard_mapped_reads(dir);
    Index::open_writer(dir)
}

/// LMDB reads the index through a memory map and trusts the page numbers and lengths stored in
/// it; in a damaged file one of them can point past the end of the file, and the kernel answers
/// that read with SIGBUS. The index checks every row it decodes, but the read comes first. So the
/// command turns SIGBUS into the same report as any other damage (exit status 2) instead of
/// dying on a signal.
fn guard_mapped_reads(dir: &std::path::Path) {
    static MESSAGE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    extern "C" fn on_bus_error(_: libc::c_int) {
        // Only async-signal-safe calls: write(2) and _exit(2).
        if let Some(m) = MESSAGE.get() {
            // SAFETY: `m` is a live, initialized buffer of `m.len()` bytes.
            unsafe { libc::write(2, m.as_ptr().cast(), m.len()) };
        }
        // SAFETY: ends the process without running anything that is not signal-safe.
        unsafe { libc::_exit(2) }
    }
    let _ = MESSAGE.set(
        format!(
            "xdedup: index {}: is damaged: a read went past the end of data.mdb; restore a copy \
             or rebuild it\n",
            dir.display()
        )
        .into_bytes(),
    );
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe { libc::signal(libc::SIGBUS, on_bus_error as *const () as libc::sighandler_t) };
}

pub fn run(cmd: Command, quiet: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Create { dir, pipeline } => {
            pipeline.refuse_story_idf("an index")?;
            anyhow::ensure!(
                !pipeline.no_pivot,
                "an index stores pivot features only when created with --lexicon; leave --no-pivot out"
            );
            let lexicon = super::load_lexicon(pipeline.lexicon.as_deref())?;
            let index =
                Index::create_with(&dir, &pipeline.config()?, pipeline.encoder()?, lexicon)?;
            if !quiet {
                let cfg = index.config();
                eprintln!(
                    "xdedup: created index {} (threshold {}, {} similarity, shingles {}, {} slots, {}x{} bands)",
                    dir.display(),
                    cfg.threshold(),
                    cfg.similarity(),
                    cfg.shingle(),
                    cfg.num_perm(),
                    cfg.lsh().bands,
                    cfg.lsh().rows
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Add(args) => add(*args, quiet),
        Command::Query {
            dir,
            text: None,
            file: Some(file),
            top,
            model,
            lexicon,
            read,
            output,
            ..
        } => {
            probe_query_output(&file, output.as_deref())?;
            let index = open(&dir)?
                .with_encoder(super::model_encoder(model.as_deref())?)?
                .with_lexicon(super::load_lexicon(lexicon.as_deref())?)?;
            let mut any = false;
            let mut error = None;
            super::write_output(output.as_deref(), |out| {
                read_inputs(
                    &[xdedup::io::Input::parse(&file)],
                    &read.read_options(false),
                    |item| {
                        let result = match item {
                            xdedup::io::Item::Record(r) => {
                                let t = std::time::Instant::now();
                                let time = r.time.as_deref().and_then(xdedup::io::time::seconds);
                                match index.query_at(&r.text, top, time) {
                                    Ok(hits) => {
                                        let micros = t.elapsed().as_micros() as u64;
                                        any |= hits.iter().any(|h| h.similar);
                                        out.json(&QueryRow { id: &r.id, hits, micros })
                                            .map_err(anyhow::Error::from)
                                    }
                                    // Reported as `add` and `cluster` report it.
                                    Err(xdedup::Error::Featureless) => {
                                        let r = xdedup::batch::featureless(r);
                                        if read.strict {
                                            Err(xdedup::batch::record_error(r).into())
                                        } else {
                                            out.json(&rejected_json(&r))
                                                .map_err(anyhow::Error::from)
                                        }
                                    }
                                    Err(e) => Err(e.into()),
                                }
                            }
                            // A file that cannot be read (or is cut short) is an error, as
                            // any bad record is under --strict: status 2, not "none matched".
                            xdedup::io::Item::Rejected(r) if read.strict || r.origin.line == 0 => {
                                Err(xdedup::batch::record_error(r).into())
                            }
                            xdedup::io::Item::Rejected(r) => {
                                out.json(&rejected_json(&r)).map_err(anyhow::Error::from)
                            }
                            // Records are not kept raw here.
                            xdedup::io::Item::Header(_) => Ok(()),
                        };
                        if let Err(e) = result {
                            error = Some(e);
                            return false;
                        }
                        true
                    },
                );
                Ok(())
            })?;
            if let Some(e) = error {
                return Err(e);
            }
            Ok(if any { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Query { dir, text, time, top, json, model, lexicon, read, output, .. } => {
            let time = match time {
                None => None,
                Some(t) => Some(query_time(&t, read.date_order.order())?),
            };
            let text = text.as_deref().unwrap_or("-");
            probe_query_output(text.strip_prefix('@').unwrap_or(text), output.as_deref())?;
            let index = open(&dir)?
                .with_encoder(super::model_encoder(model.as_deref())?)?
                .with_lexicon(super::load_lexicon(lexicon.as_deref())?)?;
            let also = format!("; --file {text} looks up each of its records");
            let text = super::similar::load(text, &mut false, read.encoding, &also)?;
            let hits = index.query_at(&text, top, time).map_err(|e| match e {
                xdedup::Error::Featureless => anyhow::anyhow!("the query text: {e}"),
                e => e.into(),
            })?;
            let similar = hits.iter().any(|h| h.similar);
            super::write_output(output.as_deref(), |out| {
                if json {
                    return out.json(&hits);
                }
                if hits.is_empty() {
                    return out.line("no stored story shares a band with this text");
                }
                for h in &hits {
                    let docs: Vec<String> = h
                        .documents
                        .iter()
                        .map(|(id, s)| format!("{} ({s})", xdedup::io::id_text(id)))
                        .collect();
                    out.line(&format!(
                        "{}\t{}\t{} documents\t{}\tbest: {}",
                        h.score,
                        h.cluster,
                        h.size,
                        if h.similar { "similar" } else { "below threshold" },
                        docs.join(", ")
                    ))?;
                }
                Ok(())
            })?;
            Ok(if similar { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Stats { dir, json } => {
            let s = open(&dir)?.stats()?;
            super::write_output(None, |out| {
                if json {
                    return out.json(&s);
                }
                let shingle = s.shingle.as_deref().unwrap_or("(decided by the first batch)");
                let mut lines = vec![
                    ("index".to_owned(), dir.display().to_string()),
                    ("format".into(), s.format.to_string()),
                    ("documents".into(), s.documents.to_string()),
                    ("stories".into(), s.stories.to_string()),
                    ("batches".into(), s.batches.to_string()),
                    ("size".into(), format!("{} bytes", s.size_on_disk)),
                    ("shingles".into(), shingle.to_owned()),
                    (
                        "model".into(),
                        s.model.clone().unwrap_or_else(|| "none (lexical only)".into()),
                    ),
                    (
                        "lexicon".into(),
                        s.lexicon.clone().unwrap_or_else(|| "none (no pivot features)".into()),
                    ),
                ];
                if let Some(inputs) = &s.unfinished_add {
                    let v = format!(
                        "{} (under way, or cut short: the same add run again finishes it)",
                        inputs.join(", ")
                    );
                    lines.push(("unfinished add".into(), v));
                }
                lines.extend(s.settings.iter().cloned());
                lines.iter().try_for_each(|(k, v)| out.line(&format!("{k:<15}{v}")))
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { dir, output } => {
            let index = open(&dir)?;
            super::write_output(output.output.as_deref(), |out| {
                use xdedup::io::write::Kind;
                out.columns(&[("id", Kind::Text), ("cluster", Kind::Text)])?;
                index
                    .documents(|id, cluster| {
                        out.json(&Exported { id: &id, cluster })
                            .map_err(|e| xdedup::Error::Io { path: "output".into(), source: e })
                    })
                    .map_err(std::io::Error::other)
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Remove { dir, ids, older_than, date_order } => {
            let which = match (ids.is_empty(), older_than) {
                (false, None) => Removal::Ids(ids),
                // A cut whose day and month could be either, as the order given reads it.
                (true, Some(t)) => {
                    use xdedup::io::time::{DateOrder, instant, instant_as, settled};
                    let order = date_order.order();
                    if order.is_none()
                        && instant(&t).is_none()
                        && instant_as(&t, Some(DateOrder::DayFirst)).is_some()
                    {
                        anyhow::bail!(
                            "--older-than {t:?}: its day and month could be either; give \
                             --day-first or --month-first (or write the date as YYYY-MM-DD)"
                        );
                    }
                    Removal::OlderThan(settled(t, order))
                }
                _ => anyhow::bail!("give either --id (one or more) or --older-than"),
            };
            let removed = open_writer(&dir)?.remove(&which)?;
            if !quiet {
                let (n, unknown) = (removed.documents, &removed.unknown);
                let s = if n == 1 { "" } else { "s" };
                eprintln!("xdedup: removed {n} document{s} from {}", dir.display());
                if !unknown.is_empty() {
                    const SHOWN: usize = 10;
                    let mut names = unknown.iter().take(SHOWN).cloned().collect::<Vec<_>>();
                    if unknown.len() > SHOWN {
                        names.push(format!("and {} more", unknown.len() - SHOWN));
                    }
                    eprintln!(
                        "xdedup: {} of the ids given {} not in the index: {}",
                        unknown.len(),
                        if unknown.len() == 1 { "is" } else { "are" },
                        names.join(", ")
                    );
                }
                let k = removed.untimed;
                if k > 0 {
                    let s = if k == 1 { "" } else { "s" };
                    eprintln!(
                        "xdedup: warning: {k} document{s} kept: {} stored without a time \
                         (index add --time-field FIELD stores each document's; --id removes \
                         by id)",
                        if k == 1 { "it was" } else { "they were" }
                    );
                }
                let k = removed.unread_times;
                if k > 0 {
                    let (s, is) = if k == 1 { ("", "is") } else { ("s", "are") };
                    eprintln!(
                        "xdedup: warning: {k} document{s} kept: {} time {is} not a date or time \
                         xdedup reads",
                        if k == 1 { "its" } else { "their" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Compact { dir } => {
            let (before, after) = open_writer(&dir)?.compact()?;
            if !quiet {
                eprintln!("xdedup: compacted {}: {before} → {after} bytes", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Running totals of an `add`.
#[derive(Default)]
struct Totals {
    read: usize,
    added: usize,
    joined: usize,
    new_stories: usize,
    skipped: usize,
    /// Skipped records whose text is not the one indexed under their id.
    changed: Tally,
    rejected: usize,
    moved: usize,
    merged: usize,
}

/// `index add --new`: the records of the run that start a story no stored document is in, one
/// per story, written as they were read (see [`super::dedup::raw_row`]).
struct Fresh {
    name: String,
    out: Output,
    /// Whether the output is a table (its header row is written before the first row).
    table: bool,
    /// The inputs' header rows so far, and whether the table's was written.
    headers: Vec<xdedup::io::Header>,
    wrote_header: bool,
    /// Parquet: each record's (input, row number), copied at the end, and the inputs of records
    /// in input order.
    rows: Vec<(std::sync::Arc<str>, u64)>,
    files: Vec<std::sync::Arc<str>>,
    written: usize,
}

impl Fresh {
    fn create(path: &std::path::Path) -> anyhow::Result<Fresh> {
        let name = path.display().to_string();
        let out = Output::create(Some(path)).with_context(|| format!("{name}: cannot create"))?;
        let table = xdedup::io::write::names_table(path).is_some();
        let (headers, rows, files) = (Vec::new(), Vec::new(), Vec::new());
        Ok(Fresh { name, out, table, headers, wrote_header: false, rows, files, written: 0 })
    }

    /// Before a chunk is added: its inputs' header rows joined to the others', checked to make
    /// one table with its records' inputs, as `dedup` checks them.
    fn check(&mut self, c: &mut Loaded) -> anyhow::Result<()> {
        self.headers.append(&mut c.headers);
        let files = c.records.iter().map(|r| &*r.origin.file);
        let header = xdedup::batch::table_header(&self.headers, files)
            .map_err(|e| anyhow::anyhow!("--new {}: {e}", self.name))?;
        if header.is_none() && self.table && !c.records.is_empty() {
            anyhow::bail!("--new {}: {}", self.name, super::dedup::TABLE_OF_LINES);
        }
        for r in c.records.iter().filter(|_| self.out.is_parquet()) {
            if self.files.last() != Some(&r.origin.file) {
                self.files.push(r.origin.file.clone());
            }
        }
        Ok(())
    }

    /// Writes a record, under its table's header row when it is the first.
    fn record(&mut self, r: &xdedup::io::Record) -> anyhow::Result<()> {
        self.written += 1;
        if self.out.is_parquet() {
            self.rows.push((r.origin.file.clone(), r.origin.line));
            return Ok(());
        }
        self.header()?;
        super::dedup::raw_row(&mut self.out, self.headers.first(), r)
            .with_context(|| format!("{}: cannot write", self.name))
    }

    /// The table's header row, once.
    fn header(&mut self) -> anyhow::Result<()> {
        if let Some(h) = self.headers.first().filter(|_| !self.wrote_header) {
            self.out
                .text(&h.first_line())
                .with_context(|| format!("{}: cannot write", self.name))?;
            self.wrote_header = true;
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<usize> {
        if self.out.is_parquet() {
            let files: Vec<&str> = self.files.iter().map(|f| &**f).collect();
            let rows = self.rows.iter().map(|(f, line)| (&**f, *line));
            super::dedup::parquet_rows(&files, rows, &mut self.out)
                .with_context(|| format!("{}: cannot write", self.name))?;
        } else {
            // A table none of whose records was new is its header row.
            self.header()?;
        }
        self.out.finish().with_context(|| format!("{}: cannot write", self.name))?;
        Ok(self.written)
    }
}

/// Fails before the lookups when `query -o` names its own input, a table or Parquet file (a
/// record's hits are a list), or a file that cannot be created.
fn probe_query_output(input: &str, output: Option<&std::path::Path>) -> anyhow::Result<()> {
    use xdedup::io::Format;
    super::refuse_to_replace("-o", output, &[xdedup::io::Input::parse(input)])?;
    if let Some(p) = output
        && let Some(Format::Csv | Format::Tsv | Format::Parquet) = xdedup::io::format_named(p)
    {
        anyhow::bail!(
            "-o {}: query writes JSON lines (each record's hits are a list), not a table or \
             Parquet: name it .jsonl (or .jsonl.gz, .jsonl.zst)",
            p.display()
        );
    }
    super::probe_output(output)
}

/// The names a run of `inputs` is known by ([`Index::begin_run`]): each file's full path
/// (`a.jsonl` and `./a.jsonl` are one input), `-` for standard input.
fn run_names(inputs: &[xdedup::io::Input]) -> Vec<String> {
    use xdedup::io::Input;
    inputs
        .iter()
        .map(|i| match i {
            Input::Stdin => "-".to_owned(),
            Input::Path(p) => {
                std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string()
            }
        })
        .collect()
}

fn add(args: AddArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.batch_size > 0, "--batch-size must be at least 1");
    args.pipeline.refuse_story_idf("an index")?;
    let mut index = open_writer(&args.dir)?
        .with_encoder(args.pipeline.encoder()?)?
        .with_lexicon(super::load_lexicon(args.pipeline.lexicon.as_deref())?)?;
    index.check(&args.pipeline.given()?)?;
    args.output.probe(&args.input)?;
    args.input.refuse_as_output("--moves", args.moves.as_deref())?;
    args.input.refuse_as_output("--new", args.new.as_deref())?;
    super::dedup::output_fits_inputs("index add --new", args.new.as_deref(), &args.input)?;
    let target = args.output.output.as_deref();
    let name = target.map(|p| p.display().to_string()).unwrap_or_else(|| "standard output".into());
    let mut out = Output::create(target).with_context(|| format!("{name}: cannot create"))?;
    {
        use xdedup::io::write::Kind;
        let columns =
            super::progress::story_columns(&[("new_story", Kind::Bool), ("status", Kind::Text)]);
        out.columns(&columns).with_context(|| format!("{name}: cannot create"))?;
    }
    let mut rejections = Rejections::new(args.output.rejects.as_deref(), quiet)?;
    let mut moves = match &args.moves {
        Some(p) => {
            use xdedup::io::write::Kind;
            let mut out = Output::create(Some(p))
                .with_context(|| format!("{}: cannot create", p.display()))?;
            let columns = [("id", Kind::Text), ("from", Kind::Text), ("to", Kind::Text)];
            out.columns(&columns).with_context(|| format!("{}: cannot create", p.display()))?;
            Some((p.display().to_string(), out))
        }
        None => None,
    };
    let mut fresh = args.new.as_deref().map(Fresh::create).transpose()?;
    let started = index.begin_run(&run_names(&args.input.inputs()))?;
    if !quiet {
        use xdedup::index::RunStart;
        match started {
            RunStart::New => {}
            RunStart::Resumed { fresh } => eprintln!(
                "xdedup: going on with the add of these inputs that did not finish: the records \
                 it added are skipped, and the {fresh} of them that started a story count as new"
            ),
            RunStart::Abandoned { inputs } => eprintln!(
                "xdedup: warning: an add of {} did not finish; what it added stays in the index \
                 (an add of it again adds the rest, and lists as new only what it adds)",
                inputs.join(", ")
            ),
        }
    }
    let spinner = Spinner::new(quiet);
    let strict = args.input.read.strict;
    let mut totals = Totals::default();
    let mut chunk = Loaded::default();
    let mut error: Option<anyhow::Error> = None;
    let mut flush = |chunk: &mut Loaded, totals: &mut Totals| -> anyhow::Result<()> {
        let mut c = std::mem::take(chunk);
        if let Some(f) = &mut fresh {
            f.check(&mut c)?;
        }
        if c.entries.is_empty() {
            return Ok(());
        }
        totals.read += c.entries.len();
        spinner.read(totals.read);
        let texts: Vec<&str> = c.records.iter().map(|r| r.text.as_str()).collect();
        let (shingle, features, pivots) = index.batch_features(&texts)?;
        drop(texts);
        let (features, pivots) = c.reject_featureless_with(features, pivots, strict)?;
        let report = if c.records.is_empty() {
            Default::default()
        } else {
            index.add_with_pivots(&c.records, features, pivots, shingle)?
        };
        rejections.note(&c.records, &c.rejected)?;
        totals.added += report.added;
        totals.joined += report.joined;
        totals.new_stories += report.new_stories;
        totals.skipped += report.skipped;
        for &i in &report.changed {
            let r = &c.records[i];
            totals.changed.add(|| format!("{}, document {}", r.origin, xdedup::io::id_text(&r.id)));
        }
        totals.moved += report.moves.len();
        if let Some((name, out)) = &mut moves {
            for m in &report.moves {
                out.json(m).with_context(|| format!("{name}: cannot write"))?;
            }
        }
        totals.merged += report.merged;
        totals.rejected += c.rejected.len();
        for e in &c.entries {
            match *e {
                Entry::Record(i) => {
                    let a: &Assignment = &report.assignments[i];
                    // A story of this batch's documents only: its first (a stored document
                    // moved into a story of this batch would be its first).
                    if let Some(f) = &mut fresh
                        && a.fresh
                    {
                        f.record(&c.records[i])?;
                    }
                    out.json(&Row {
                        id: &c.records[i].id,
                        cluster: &a.cluster,
                        representative: a.representative,
                        score: a.score.map(|s| (s as f64 * 1000.0).round() / 1000.0),
                        size: a.size,
                        new_story: a.new_story,
                        status: if a.skipped { "skipped" } else { "added" },
                    })
                }
                Entry::Rejected(r) => out.json(&rejected_json(&c.rejected[r])),
            }
            .with_context(|| format!("{name}: cannot write"))?;
        }
        Ok(())
    };
    spinner.stage("reading and adding");
    let inputs = args.input.inputs_to_read(quiet);
    read_inputs(&inputs, &args.input.read_options(args.new.is_some()), |item| {
        if let Err(e) = chunk.take(item, strict) {
            error = Some(e.into());
            return false;
        }
        if chunk.entries.len() >= args.batch_size
            && let Err(e) = flush(&mut chunk, &mut totals)
        {
            error = Some(e);
            return false;
        }
        true
    });
    if let Some(e) = error {
        spinner.finish();
        return Err(e);
    }
    flush(&mut chunk, &mut totals)?;
    spinner.finish();
    out.finish().with_context(|| format!("{name}: cannot write"))?;
    let unread = rejections.finish()?;
    if let Some((name, out)) = moves {
        out.finish().with_context(|| format!("{name}: cannot write"))?;
    }
    let fresh = fresh.map(Fresh::finish).transpose()?;
    index.end_run()?;
    totals.changed.warn(
        quiet,
        ("skipped record holds", "skipped records hold"),
        |one| {
            format!(
                "another text than the one indexed under {} id",
                if one { "its" } else { "their" }
            )
        },
        &format!(
            "; the index keeps the stored text: `xdedup index remove {} --id ID`, then add, to \
             replace it",
            args.dir.display()
        ),
    );
    if !quiet {
        eprintln!(
            "xdedup: {} read: {} added ({} joined stored stories, {}), {} skipped (already indexed), {} rejected; {} moved story, {} merged away",
            counted(totals.read, "record", "records"),
            totals.added,
            totals.joined,
            counted(totals.new_stories, "new story", "new stories"),
            totals.skipped,
            totals.rejected,
            counted(totals.moved, "stored document", "stored documents"),
            counted(totals.merged, "story", "stories")
        );
        if let (Some(n), Some(p)) = (fresh, &args.new) {
            eprintln!(
                "xdedup: {} written to {}",
                counted(n, "new record", "new records"),
                p.display()
            );
        }
    }
    unread.status()
}

/// `index query --time`: the moment, in seconds since 1970, or an error that names the value
/// (and says what to add when its day and month could be either).
fn query_time(t: &str, order: Option<xdedup::io::time::DateOrder>) -> anyhow::Result<i64> {
    use xdedup::io::time::{DateOrder, seconds_as};
    seconds_as(t, order).ok_or_else(|| {
        let either = seconds_as(t, Some(DateOrder::DayFirst)).is_some();
        let hint = if either {
            " (day and month could be either: --day-first or --month-first)"
        } else {
            ""
        };
        anyhow::anyhow!("--time {t:?}: not a date or time xdedup reads{hint}")
    })
}
