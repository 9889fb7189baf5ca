//! `xdedup cluster`, `dedup` and `pairs` with `--engine timely`: the batch job over timely
//! workers and processes, writing part files that worker 0 merges into the one output
//! when every part is complete.

use std::path::PathBuf;

/// Which engine runs the batch job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Engine {
    /// This process, its threads (--threads).
    #[default]
    Local,
    /// Timely dataflow: -w worker threads in each of -n processes (-p this one, -h their
    /// addresses), exchanging data over TCP.
    Timely,
}

/// How the timely engine is spread: timely's own flags.
#[derive(Debug, Clone, clap::Args)]
pub struct TimelyArgs {
    /// Batch engine: local (the default) or timely (distributed; see the README).
    #[arg(long, value_enum, default_value_t = Engine::Local)]
    pub engine: Engine,
    /// Timely: worker threads in each process.
    #[arg(short = 'w', long = "workers", default_value_t = 1, value_name = "W")]
    pub workers: usize,
    /// Timely: number of processes.
    #[arg(short = 'n', long = "processes", default_value_t = 1, value_name = "N")]
    pub processes: usize,
    /// Timely: this process's index, 0..N.
    #[arg(short = 'p', long = "process", default_value_t = 0, value_name = "I")]
    pub process: usize,
    /// Timely: seconds to wait for every process to connect before giving up.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub connect_timeout: u64,
    /// Timely: print each stage's time and the records and bytes it sent to other workers.
    #[arg(long)]
    pub stage_costs: bool,
    /// Timely: a file with one `host:port` per line, one line per process (default:
    /// localhost:2101, 2102, …).
    #[arg(short = 'h', long = "hostfile", value_name = "HOSTFILE")]
    pub hostfile: Option<PathBuf>,
}

#[cfg(not(feature = "timely"))]
pub fn run(
    _: &super::BatchArgs,
    _: &TimelyArgs,
    _: bool,
    _: xdedup::batch::Task,
    _: Option<PathBuf>,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("this xdedup was built without the timely engine (cargo feature `timely`)")
}

#[cfg(feature = "timely")]
pub use engine::run;

#[cfg(feature = "timely")]
mod engine {
    use std::io::{BufRead, BufReader, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;
    use std::sync::Arc;

    use anyhow::Context;
    use xdedup::batch::Task;
    use xdedup::distributed::{Job, Model, Outcome, PairRow, Sink, StageCost, Totals, work};

    use super::super::BatchArgs;
    use super::super::cluster::Row;
    use super::super::progress::{Counts, Rejections, rejected_json};
    use super::TimelyArgs;
    use xdedup::io::report::Contents;
    use xdedup::io::{Notices, Rejected};

    impl TimelyArgs {
        fn config(&self) -> anyhow::Result<timely::Config> {
            anyhow::ensure!(self.workers >= 1, "-w: at least one worker");
            anyhow::ensure!(self.processes >= 1, "-n: at least one process");
            anyhow::ensure!(
                self.process < self.processes,
                "-p {}: processes are numbered 0..{}",
                self.process,
                self.processes
            );
            let mut args = vec![
                "-w".to_owned(),
                self.workers.to_string(),
                "-n".into(),
                self.processes.to_string(),
                "-p".into(),
                self.process.to_string(),
            ];
            if let Some(h) = &self.hostfile {
                let text = std::fs::read_to_string(h)
                    .with_context(|| format!("{}: cannot read the hostfile", h.display()))?;
                let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
                anyhow::ensure!(
                    lines >= self.processes,
                    "{}: {lines} addresses for {} processes",
                    h.display(),
                    self.processes
                );
                args.extend(["-h".into(), h.display().to_string()]);
            }
            timely::Config::from_args(args.into_iter()).map_err(|e| anyhow::anyhow!("timely: {e}"))
        }
    }

    /// Part files of one run, in a folder beside the output.
    ///
    /// A part holds its worker's outcomes in order, one line each: a key that sorts as they
    /// do (a record's key, 16 hex digits; a pair's order, five times 16), a tab, and `s` and a
    /// story row of `cluster`, `r` and a rejected record's row, `k` and a row `dedup` keeps (as a
    /// JSON string: a CSV record may span lines), or `p` and a row of `pairs`.
    struct Parts {
        dir: PathBuf,
        output: Option<PathBuf>,
        rejects: Option<PathBuf>,
        quiet: bool,
        /// What the job writes: `cluster` writes rejected records as rows, `dedup` and `pairs`
        /// only report them.
        task: Task,
        /// The inputs' names, in order (the input of a record is its key's top bits).
        inputs: Vec<String>,
        /// `cluster --report`: where, and the settings it describes.
        report: Option<(PathBuf, super::super::PipelineArgs)>,
    }

    fn part_name(worker: usize, peers: usize) -> String {
        format!("part-{worker:05}-of-{peers:05}.tsv")
    }

    impl Sink for Parts {
        fn write_part(
            &self,
            worker: usize,
            peers: usize,
            outcomes: &[(u64, Outcome)],
        ) -> Result<(), String> {
            self.part(worker, peers, |out| {
                for (key, o) in outcomes {
                    let (tag, row) = match o {
                        Outcome::Story { id, story, representative, score, size } => (
                            's',
                            serde_json::to_string(&Row {
                                id,
                                cluster: story,
                                representative: *representative,
                                score: (*score as f64 * 1000.0).round() / 1000.0,
                                size: *size,
                            }),
                        ),
                        Outcome::Rejected(r) => ('r', serde_json::to_string(&rejected_json(r))),
                        Outcome::Kept(raw) => ('k', serde_json::to_string(raw)),
                    };
                    let row = row.map_err(std::io::Error::other)?;
                    writeln!(out, "{key:016x}\t{tag}\t{row}")?;
                }
                Ok(())
            })
        }

        fn write_pairs(
            &self,
            worker: usize,
            peers: usize,
            pairs: &[PairRow],
            rejected: &[(u64, &Rejected)],
        ) -> Result<(), String> {
            self.part(worker, peers, |out| {
                for p in pairs {
                    let [s, a, b, x, y] = p.order;
                    let id = |j: &str| serde_json::from_str::<serde_json::Value>(j);
                    let row = super::super::pairs::row(&id(&p.a)?, &id(&p.b)?, p.score);
                    writeln!(out, "{s:x}{a:016x}{b:016x}{x:016x}{y:016x}\tp\t{row}")?;
                }
                // After every pair (key 2…), in input order.
                for (key, r) in rejected {
                    let row = serde_json::to_string(&rejected_json(r))?;
                    writeln!(out, "2{key:016x}\tr\t{row}")?;
                }
                Ok(())
            })
        }

        fn report(&self, contents: &Contents, shingle: &str) -> Result<(), String> {
            let Some((path, args)) = &self.report else { return Ok(()) };
            super::super::cluster::write_report(path, contents, args, shingle)
                .map_err(|e| format!("{e:#}"))
        }

        fn costs(&self, per_worker: &[Vec<StageCost>], totals: &Totals) {
            eprintln!(
                "{:<44} {:>9} {:>12} {:>14} {:>12}",
                "stage", "seconds", "records out", "bytes out", "bytes/doc"
            );
            let docs = totals.read.max(1) as f64;
            for (i, s) in per_worker[0].iter().enumerate() {
                let all = per_worker.iter().filter_map(|w| w.get(i));
                let (mut secs, mut records, mut bytes) = (0f64, 0u64, 0u64);
                for c in all {
                    secs = secs.max(c.seconds);
                    records += c.records;
                    bytes += c.bytes;
                }
                eprintln!(
                    "{:<44} {:>9.3} {:>12} {:>14} {:>12.1}",
                    s.name,
                    secs,
                    records,
                    bytes,
                    bytes as f64 / docs
                );
            }
        }

        fn finish(
            &self,
            peers: usize,
            totals: &Totals,
            notices: &Notices,
            shingle: &str,
            header: Option<&xdedup::io::Header>,
        ) -> Result<(), String> {
            let paths: Vec<PathBuf> =
                (0..peers).map(|w| self.dir.join(part_name(w, peers))).collect();
            if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                return Err(format!(
                    "{}: not found; every process must write its part into one shared folder (the \
                 output's folder)",
                    missing.display()
                ));
            }
            let mut rejections = Rejections::new(self.rejects.as_deref(), self.quiet)
                .map_err(|e| format!("{e:#}"))?;
            rejections.notices(notices);
            self.merge(&paths, header, &mut rejections).map_err(|e| format!("{e:#}"))?;
            let unread = rejections.finish().map_err(|e| format!("{e:#}"))?;
            std::fs::remove_dir_all(&self.dir)
                .map_err(|e| format!("{}: cannot remove: {e}", self.dir.display()))?;
            if !self.quiet {
                let counts = Counts {
                    read: totals.read,
                    documents: totals.documents,
                    stories: totals.stories,
                    exact: totals.exact,
                    rejected: totals.rejected,
                };
                eprintln!(
                    "{}; {}",
                    counts.summary(shingle),
                    xdedup::io::report::counted(peers, "timely worker", "timely workers")
                );
            }
            unread.status().map(drop).map_err(|e| format!("{e:#}"))
        }
    }

    /// A rejected record's output row read back (see [`rejected_json`]).
    fn rejected_row(row: &str) -> Option<Rejected> {
        let v: serde_json::Value = serde_json::from_str(row).ok()?;
        Some(Rejected {
            origin: xdedup::error::Origin {
                file: v["file"].as_str()?.into(),
                line: v["line"].as_u64()?,
            },
            id: Some(v["id"].clone()).filter(|i| !i.is_null()),
            reason: v["rejected"].as_str()?.to_owned(),
        })
    }

    impl Parts {
        /// Writes worker `worker`'s part with `body`, in full or not at all.
        fn part(
            &self,
            worker: usize,
            peers: usize,
            body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
        ) -> Result<(), String> {
            let path = self.dir.join(part_name(worker, peers));
            let tmp = path.with_extension("tmp");
            let fail = |e: std::io::Error| format!("{}: cannot write: {e}", tmp.display());
            let file = std::fs::File::create(&tmp).map_err(fail)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            body(&mut out).map_err(fail)?;
            out.flush().map_err(fail)?;
            out.get_ref().sync_all().map_err(fail)?;
            std::fs::rename(&tmp, &path).map_err(fail)
        }

        /// Merges part files (each sorted by key) into the output in key order, keys dropped;
        /// rejected records are reported as the local engine reports them. `dedup`'s table
        /// starts with its header row.
        fn merge(
            &self,
            paths: &[PathBuf],
            header: Option<&xdedup::io::Header>,
            rejections: &mut Rejections,
        ) -> anyhow::Result<()> {
            let mut readers = Vec::with_capacity(paths.len());
            for p in paths {
                let f = std::fs::File::open(p)
                    .with_context(|| format!("{}: cannot open", p.display()))?;
                readers.push(BufReader::with_capacity(1 << 16, f).lines());
            }
            let mut heads: Vec<Option<(String, char, String)>> = Vec::with_capacity(readers.len());
            let next = |r: &mut std::io::Lines<BufReader<std::fs::File>>, p: &Path| {
                r.next()
                    .transpose()
                    .with_context(|| format!("{}: cannot read", p.display()))?
                    .map(|l| {
                        let mut fields = l.splitn(3, '\t');
                        let (Some(k), Some(tag), Some(row)) =
                            (fields.next(), fields.next(), fields.next())
                        else {
                            anyhow::bail!("{}: a part line without its key and tag", p.display());
                        };
                        let tag = tag.chars().next().context("a part line's tag")?;
                        Ok((k.to_owned(), tag, row.to_owned()))
                    })
                    .transpose()
            };
            for (r, p) in readers.iter_mut().zip(paths) {
                heads.push(next(r, p)?);
            }
            // A Parquet output of `dedup`: the kept rows' (input, row number), copied at the end.
            let mut kept_rows: Vec<(&str, u64)> = Vec::new();
            super::super::write_output(self.output.as_deref(), |out| {
                let parquet = out.is_parquet();
                // A Parquet output gets the local engine's columns, from the same rows.
                match self.task {
                    Task::Cluster => out.columns(&super::super::progress::story_columns(&[]))?,
                    Task::Pairs { .. } => out.columns(&super::super::pairs::COLUMNS)?,
                    Task::Dedup(_) => {
                        if let Some(h) = header.filter(|_| !parquet) {
                            out.text(&h.first_line())?;
                        }
                    }
                }
                let dedup = matches!(self.task, Task::Dedup(_));
                while let Some(i) = (0..heads.len())
                    .filter(|&i| heads[i].is_some())
                    .min_by_key(|&i| heads[i].as_ref().map(|h| &h.0))
                {
                    let (key, tag, row) = heads[i].take().expect("a head");
                    match tag {
                        'r' => {
                            let r = rejected_row(&row).ok_or_else(|| {
                                std::io::Error::other(format!("a part's rejected row: {row}"))
                            })?;
                            rejections.note(&[], &[r]).map_err(std::io::Error::other)?;
                        }
                        'k' if parquet => {
                            let key = u64::from_str_radix(&key, 16).map_err(|e| {
                                std::io::Error::other(format!("a part line's key {key}: {e}"))
                            })?;
                            let input = &self.inputs[(key >> 40) as usize];
                            kept_rows.push((input, key & ((1 << 40) - 1)));
                        }
                        'k' if header.is_none() && out.takes_values() => {
                            return Err(std::io::Error::other(super::super::dedup::TABLE_OF_LINES));
                        }
                        'k' => {
                            out.text(&serde_json::from_str::<String>(&row)?)?;
                            out.text(header.map_or("\n", |h| h.line_end()))?;
                        }
                        _ => {}
                    }
                    if tag == 's' || tag == 'p' || (tag == 'r' && self.task == Task::Cluster) {
                        if out.takes_values() {
                            out.json(&serde_json::from_str::<serde_json::Value>(&row)?)?;
                        } else {
                            out.line(&row)?;
                        }
                    }
                    heads[i] = next(&mut readers[i], &paths[i]).map_err(std::io::Error::other)?;
                }
                if dedup && parquet {
                    // The inputs rows are kept from, in input order (an input that could not
                    // be read has none).
                    let mut files: Vec<&str> = kept_rows.iter().map(|k| k.0).collect();
                    files.dedup();
                    super::super::dedup::parquet_rows(&files, kept_rows.drain(..), out)?;
                }
                Ok(())
            })
        }
    }

    /// Runs `cluster`, `dedup` or `pairs` (`task`) on the timely engine; `report`: where a
    /// `cluster` job writes its review report.
    pub fn run(
        args: &BatchArgs,
        timely: &TimelyArgs,
        quiet: bool,
        task: Task,
        report: Option<PathBuf>,
    ) -> anyhow::Result<ExitCode> {
        let p = &args.pipeline;
        // Warnings from the first process only.
        let inputs = args.input.inputs_to_read(quiet || timely.process > 0);
        anyhow::ensure!(
            !inputs.iter().any(|i| matches!(i, xdedup::io::Input::Stdin)),
            "--engine timely reads files, not standard input: every worker reads its share"
        );
        let output = args.output.output.clone();
        anyhow::ensure!(
            output.is_some() || timely.processes == 1,
            "--engine timely with several processes needs -o FILE in a folder they all share"
        );
        args.output.probe(&args.input)?;
        super::super::cluster::probe_report(&args.input, report.as_deref())?;
        let dir = match &output {
            Some(o) => {
                let name =
                    o.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                o.with_file_name(format!(".{name}.parts"))
            }
            None => std::env::temp_dir().join(format!("xdedup-{}.parts", std::process::id())),
        };
        // The first process's to clear, as when the run fails (below), and when it is stopped
        // by a signal.
        let _unfinished =
            (timely.process == 0).then(|| xdedup::io::write::Unfinished::new(dir.clone()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        let job = Arc::new(Job {
            inputs,
            read: args.input.read_options(matches!(task, Task::Dedup(_))),
            config: p.config()?,
            strict: args.input.read.strict,
            measure: timely.stage_costs,
            pivot: !p.no_pivot,
            lexicon: p.lexicon.clone(),
            task,
            model: match (&p.model, p.encoder()?) {
                (Some(path), Some(encoder)) => Some(Model { path: path.clone(), encoder }),
                _ => None,
            },
            report: report.is_some(),
        });
        let parts_dir = dir.clone();
        let sink: Arc<dyn Sink> = Arc::new(Parts {
            dir,
            output,
            rejects: args.output.rejects.clone(),
            quiet,
            task,
            inputs: job.inputs.iter().map(|i| i.name()).collect(),
            report: report.map(|r| (r, p.clone())),
        });
        // A peer that dies takes the TCP connections with it, and timely's network threads panic:
        // end the whole process with a message instead of leaving workers waiting for it.
        let (dead_dir, first) = (parts_dir.clone(), timely.process == 0);
        std::panic::set_hook(Box::new(move |info| {
            let what = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let thread = std::thread::current().name().unwrap_or("a worker").to_owned();
            eprintln!(
                "xdedup: the distributed run failed ({thread}: {what}): a worker or a peer process \
             stopped; no output was written"
            );
            if first {
                let _ = std::fs::remove_dir_all(&dead_dir);
            }
            std::process::exit(2);
        }));
        let config = timely.config()?;
        // Timely waits for every peer to connect, for ever: a peer that failed to start would
        // leave the others waiting. Give up after --connect-timeout.
        let started = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, limit) = (Arc::clone(&started), timely.connect_timeout);
        let empty_dir = parts_dir.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(limit));
            if !flag.load(std::sync::atomic::Ordering::SeqCst) {
                // Nothing was written into the parts folder before every process connected.
                let _ = std::fs::remove_dir(&empty_dir);
                eprintln!(
                    "xdedup: the distributed run failed: not every process connected within \
                     {limit} s (--connect-timeout); check that each one started, with its -p, \
                     and the hostfile's addresses; no output was written"
                );
                std::process::exit(2);
            }
        });
        let run = || -> anyhow::Result<u64> {
            let guards = timely::execute(config, move |worker| {
                started.store(true, std::sync::atomic::Ordering::SeqCst);
                work(worker, &job, sink.as_ref())
            })
            .map_err(|e| anyhow::anyhow!("timely: {e}"))?;
            let mut unread = 0;
            for result in guards.join() {
                let totals = result
                    .map_err(|e| anyhow::anyhow!("a worker panicked: {e}"))?
                    .map_err(anyhow::Error::msg)?;
                unread = totals.unread;
            }
            Ok(unread)
        };
        let unread = run().inspect_err(|_| {
            // A run that failed leaves no parts behind: every process stops at the same error
            // (and the merge is the first process's), so that one clears the folder.
            if timely.process == 0 {
                let _ = std::fs::remove_dir_all(&parts_dir);
            }
        })?;
        // The merging process has named them in its own error (its worker 0's `finish`); the
        // others end with the same status, so that a launcher that checks any process sees it.
        anyhow::ensure!(
            unread == 0,
            "{} could not be read in full (the merging process, -p 0, names them; their rows \
             are in the output); everything else was read and written",
            xdedup::io::report::counted(unread as usize, "input file", "input files")
        );
        Ok(ExitCode::SUCCESS)
    }
}
