//! `xdedup dedup`: one representative per story, its record written as it was read.

use std::process::ExitCode;

use xdedup::batch::{Entry, Keep, Rank, table_header};
use xdedup::io::write::{names_parquet, names_table};

use super::BatchArgs;

#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Which document of each story to keep.
    #[arg(long, value_enum, default_value_t = Keep::First)]
    pub keep: Keep,
    #[command(flatten)]
    pub timely: super::distributed::TimelyArgs,
    /// Print help (-h is timely's hostfile here).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.keep != Keep::Earliest || args.batch.input.read.time_field.is_some(),
        "--keep earliest needs --time-field"
    );
    output_fits_inputs("dedup", args.batch.output.output.as_deref(), &args.batch.input)?;
    if args.timely.engine == super::distributed::Engine::Timely {
        let task = xdedup::batch::Task::Dedup(args.keep);
        return super::distributed::run(&args.batch, &args.timely, quiet, task, None);
    }
    let batch = args.batch.run(true, true, quiet)?;
    let c = &batch.clustering;
    let recs = &batch.records;
    // The kept document of each story: its member of least rank.
    let mut kept: Vec<Option<(Rank, usize)>> = vec![None; c.stats.stories];
    for (d, &s) in c.story.iter().enumerate() {
        let r = &recs[d];
        let rank = args.keep.rank(
            d as u64,
            r.text.chars().count() as u64,
            r.time.as_deref(),
            c.representative[s as usize] as usize == d,
        );
        let slot = &mut kept[s as usize];
        if slot.as_ref().is_none_or(|k| rank < k.0) {
            *slot = Some((rank, d));
        }
    }
    let mut keep = vec![false; recs.len()];
    for (_, k) in kept.into_iter().flatten() {
        keep[k] = true;
    }
    let header = table_header(&batch.headers, recs.iter().map(|r| &*r.origin.file))
        .map_err(anyhow::Error::msg)?;
    if let Some(out) = args.batch.output.output.as_deref().filter(|p| names_table(p).is_some())
        && header.is_none()
        && !recs.is_empty()
    {
        anyhow::bail!("{}: {TABLE_OF_LINES}", out.display());
    }
    let unread = args.batch.write(&batch, quiet, |out| {
        if out.is_parquet() {
            let mut files: Vec<&str> = recs.iter().map(|r| &*r.origin.file).collect();
            files.dedup();
            let kept = recs.iter().zip(&keep).filter(|k| *k.1);
            return parquet_rows(&files, kept.map(|(r, _)| (&*r.origin.file, r.origin.line)), out);
        }
        if let Some(h) = header {
            out.text(&h.first_line())?;
        }
        for e in &batch.entries {
            if let Entry::Record(d) = *e
                && keep[d]
            {
                raw_row(out, header, &recs[d])?;
            }
        }
        Ok(())
    })?;
    batch.leave();
    unread.status()
}

/// Why a table output of records as read (`dedup`, `index add --new`) cannot be written from
/// inputs read as JSON or text lines (found once read, on either engine).
pub const TABLE_OF_LINES: &str = "records are written as a table only from CSV or TSV \
                                  inputs, their rows as they were; these were read as JSON or \
                                  text lines: name the output .jsonl";

/// One record written as it was read (`dedup`, `index add --new`), ended as the rows of its
/// table (`header`) are, or with `\n`.
pub fn raw_row(
    out: &mut xdedup::io::write::Output,
    header: Option<&xdedup::io::Header>,
    record: &xdedup::io::Record,
) -> std::io::Result<()> {
    out.text(record.raw.as_deref().unwrap_or(&record.text))?;
    out.text(header.map_or("\n", |h| h.line_end()))
}

/// An output of records as they were read (`who` writes it: `dedup`, `index add --new`), by its
/// name, takes the rows of some input formats only: Parquet's of Parquet, a table's (`.csv`,
/// `.tsv`) of CSV or TSV, JSON lines' (`.jsonl`, `.json`, `.ndjson`) of any but a table. An
/// input its name or `--format` says is of another format is refused by its name before the
/// run; for a table, one whose content decides (standard input, a name that says nothing) is
/// checked once read. Any other name takes what the inputs give.
pub fn output_fits_inputs(
    who: &str,
    out: Option<&std::path::Path>,
    input: &super::InputArgs,
) -> anyhow::Result<()> {
    use xdedup::io::{Format, Input, input_format};
    let Some(out) = out else { return Ok(()) };
    let opts = input.read_options(false);
    let format = |i: &Input| input_format(i, &opts);
    let table = |i: &Input| matches!(format(i), Some(Format::Csv | Format::Tsv));
    let folder = |i: &Input| opts.doc_per_file && matches!(i, Input::Path(p) if p.is_dir());
    let parquet = |i: &Input| format(i) == Some(Format::Parquet);
    let from_tables = |i: &Input| table(i) || (format(i).is_none() && !folder(i));
    let not_table = |i: &Input| !table(i);
    let (what, takes, fits): (_, _, &dyn Fn(&Input) -> bool) = if names_parquet(out) {
        ("Parquet", "Parquet inputs", &parquet)
    } else if names_table(out).is_some() {
        ("a table", "CSV or TSV inputs", &from_tables)
    } else if xdedup::io::format_named(out) == Some(Format::Jsonl) {
        ("JSON lines", "inputs other than CSV or TSV", &not_table)
    } else {
        return Ok(());
    };
    if let Some(i) = input.inputs().iter().find(|i| !fits(i)) {
        let instead = match format(i) {
            Some(Format::Csv) => ".csv",
            Some(Format::Tsv) => ".tsv",
            _ => ".jsonl",
        };
        anyhow::bail!(
            "{}: {who} writes {what} ({}) only from {takes}, their rows as they were; name the \
             output {instead}",
            i.name(),
            out.display()
        );
    }
    Ok(())
}

/// A Parquet output of Parquet inputs (see [`output_fits_inputs`]): the kept rows with every
/// column as read. `files` are the inputs in order; `kept` the (input, row number) of each kept
/// record.
#[cfg(feature = "parquet")]
pub fn parquet_rows<'a>(
    files: &[&'a str],
    kept: impl Iterator<Item = (&'a str, u64)>,
    out: &mut xdedup::io::write::Output,
) -> std::io::Result<()> {
    use std::collections::{BTreeMap, BTreeSet};
    let unsupported = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
    let mut by_file: BTreeMap<&str, BTreeSet<u64>> =
        files.iter().map(|&f| (f, BTreeSet::new())).collect();
    for (file, line) in kept {
        by_file.entry(file).or_default().insert(line);
    }
    let files: Vec<(&std::path::Path, &BTreeSet<u64>)> =
        files.iter().map(|f| (std::path::Path::new(*f), &by_file[f])).collect();
    let bytes = xdedup::io::parquet::copy_rows(&files).map_err(unsupported)?;
    out.bytes(&bytes)
}

#[cfg(not(feature = "parquet"))]
pub fn parquet_rows<'a>(
    _: &[&'a str],
    _: impl Iterator<Item = (&'a str, u64)>,
    _: &mut xdedup::io::write::Output,
) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "this xdedup was built without Parquet support",
    ))
}
