//! `xdedup similar A B`: scores, verdict and explanation; grep's exit codes.

use std::process::ExitCode;

use anyhow::Context;

use xdedup::pivot::Kind;

use super::PipelineArgs;

/// Default verdict threshold for two texts compared on their own (uniform weights).
pub const DEFAULT_SIMILAR_THRESHOLD: f64 = 0.4;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// First text: the text itself, @FILE for a file's contents, or - for standard input. A
    /// text that names a file is refused, as a forgotten @ (exit status 2).
    pub a: String,
    /// Second text, likewise.
    pub b: String,
    /// Show the normalized texts and the shingles they share.
    #[arg(long)]
    pub explain: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// The encoding of @FILE and standard input when it is not UTF-8 (see `cluster --help`).
    #[arg(long, value_parser = super::encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Word => "word",
        Kind::Name => "name",
        Kind::Number => "number",
    }
}

/// Text `arg`: itself, `@FILE`'s contents or standard input's (`-`), read as inputs are
/// (compressed, UTF-16, `encoding`).
///
/// A text that is the name of a file is refused (`xdedup similar a.txt b.txt` compared the two
/// names, and said they were similar), with the `@` form to write and, in `also`, any other
/// way the command offers.
pub fn load(
    arg: &str,
    stdin_used: &mut bool,
    encoding: Option<&'static encoding_rs::Encoding>,
    also: &str,
) -> anyhow::Result<String> {
    let input = match arg {
        "-" => {
            anyhow::ensure!(
                !*stdin_used,
                "only one of the two texts can be read from standard input"
            );
            *stdin_used = true;
            xdedup::io::Input::Stdin
        }
        _ => match arg.strip_prefix('@') {
            Some(path) => xdedup::io::Input::parse(path),
            None if std::path::Path::new(arg).is_file() => anyhow::bail!(
                "{arg}: names a file, and a text is taken as it is written: @{arg} is the \
                 file's contents{also}"
            ),
            None => return Ok(arg.to_owned()),
        },
    };
    let name = if arg == "-" { "standard input" } else { &arg[1..] };
    input.read_text(encoding).with_context(|| format!("{name}: cannot read"))
}

/// How an error names text `which` ("A" or "B") given as `arg`.
fn describe(arg: &str, which: &str) -> String {
    match arg {
        "-" => "standard input".to_owned(),
        _ => arg.strip_prefix('@').map_or_else(|| format!("text {which}"), str::to_owned),
    }
}

/// The flags `similar` shows (it shares them with the commands over collections) that do
/// nothing to two texts compared on their own: candidates, clustering, times, weights from a
/// collection (two texts are always weighed alike).
const IDLE_FLAGS: [&str; 6] =
    ["--lsh-threshold", "--bands", "--max-bucket", "--linkage", "--window", "--no-idf"];

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let given = args.pipeline.given()?;
    let mut idle: Vec<&str> =
        given.iter().map(|g| g.0).filter(|f| IDLE_FLAGS.contains(f)).collect();
    if args.pipeline.story_idf {
        idle.push("--story-idf");
    }
    if !idle.is_empty() {
        eprintln!(
            "xdedup: warning: {} {} nothing to two texts compared on their own (they act on \
             collections: cluster, dedup, pairs, eval, index)",
            idle.join(", "),
            if idle.len() == 1 { "does" } else { "do" }
        );
    }
    let mut stdin_used = false;
    let a = load(&args.a, &mut stdin_used, args.encoding, "")?;
    let b = load(&args.b, &mut stdin_used, args.encoding, "")?;
    // Two texts alone have no collection to weigh shingles by, so their scores run higher than
    // in `cluster`: the verdict has its own default threshold.
    let mut pa = args.pipeline.clone();
    let min = *pa.threshold.get_or_insert(DEFAULT_SIMILAR_THRESHOLD);
    let pipeline = pa.pipeline()?;
    let c = pipeline.compare(&a, &b);
    // A text with nothing to compare is an error, not a verdict of "not similar" (an empty
    // variable, the wrong file).
    if let Some(i) = c.featureless() {
        let (arg, which) = [(&args.a, "A"), (&args.b, "B")][i];
        anyhow::bail!("{}: {}", describe(arg, which), xdedup::batch::NO_FEATURES);
    }
    let similar = c.score >= min;
    let sim = pipeline.config().similarity();
    if args.json {
        let mut v = serde_json::json!({
            "similar": similar,
            "score": c.score,
            "similarity": sim.to_string(),
            "threshold": min,
            "cosine": c.scores.cosine,
            "jaccard": c.scores.jaccard,
            "containment": c.scores.containment,
            "estimate": c.estimate,
            "shingle": c.shingle.to_string(),
            "shingles": [c.sizes.0, c.sizes.1],
        });
        if let Some(sem) = &c.semantic {
            v["lexical"] = serde_json::json!(sem.lexical);
            v["semantic"] = serde_json::json!(sem.score);
            v["mean_cosine"] = serde_json::json!(sem.mean_cosine);
            v["lines"] = serde_json::json!([sem.lines.0, sem.lines.1]);
        }
        if let Some(p) = &c.pivot {
            v["pivot"] = serde_json::json!({
                "cosine": p.scores.cosine,
                "jaccard": p.scores.jaccard,
                "containment": p.scores.containment,
                "score": p.score,
                "sizes": [p.sizes.0, p.sizes.1],
            });
            if args.explain {
                v["pivot"]["shared"] = p
                    .shared
                    .iter()
                    .map(|(k, pivot, ta, tb)| {
                        serde_json::json!({"kind": kind_name(*k), "pivot": pivot, "a": ta, "b": tb})
                    })
                    .collect();
            }
        }
        if args.explain {
            v["normalized"] = serde_json::json!([c.normalized.0, c.normalized.1]);
            v["shared"] = serde_json::json!(c.shared);
        }
        println!("{v}");
    } else {
        println!(
            "{}: {}{sim} {:.3} {} {min:.3}",
            if similar { "similar" } else { "not similar" },
            if c.semantic.is_some() || c.pivot.as_ref().is_some_and(|p| p.score.is_some()) {
                "combined "
            } else {
                ""
            },
            c.score,
            if similar { ">=" } else { "<" },
        );
        if let Some(sem) = &c.semantic {
            println!(
                "semantic: {:.3} (line alignment less numbers not shared; counts from {:.2}), mean-vector cosine {:.3}, {} and {} lines; lexical {sim} {:.3}",
                sem.score,
                xdedup::verify::SEMANTIC_ZERO,
                sem.mean_cosine,
                sem.lines.0,
                sem.lines.1,
                sem.lexical
            );
        }
        println!(
            "exact:    cosine {:.3}  jaccard {:.3}  containment {:.3}",
            c.scores.cosine, c.scores.jaccard, c.scores.containment
        );
        if let Some(p) = &c.pivot {
            let score = match p.score {
                Some(x) => format!("{x:.3} (different scripts: counts)"),
                None => "does not count (only between scripts, two or more shared)".into(),
            };
            println!(
                "pivot:    {score}; cosine {:.3}  jaccard {:.3}  containment {:.3}; {} and {} pivot tokens",
                p.scores.cosine, p.scores.jaccard, p.scores.containment, p.sizes.0, p.sizes.1,
            );
        }
        println!(
            "estimate: {:.3} (MinHash Jaccard, {} slots)",
            c.estimate,
            pipeline.config().num_perm()
        );
        println!(
            "shingles: {}, {} and {}, {} shared",
            c.shingle,
            c.sizes.0,
            c.sizes.1,
            c.shared.len()
        );
        if args.explain {
            println!("normalized A: {}", c.normalized.0);
            println!("normalized B: {}", c.normalized.1);
            println!(
                "shared: {}",
                c.shared.iter().map(|s| format!("[{s}]")).collect::<Vec<_>>().join(" ")
            );
            if let Some(p) = &c.pivot {
                for kind in [Kind::Word, Kind::Name, Kind::Number] {
                    let list: Vec<String> = p
                        .shared
                        .iter()
                        .filter(|x| x.0 == kind)
                        .map(|(_, pivot, ta, tb)| {
                            if pivot == ta && ta == tb {
                                format!("[{pivot}]")
                            } else {
                                format!("[{pivot}: {ta} / {tb}]")
                            }
                        })
                        .collect();
                    let list = if list.is_empty() { "none".to_owned() } else { list.join(" ") };
                    println!("pivot {:<7} {list}", format!("{}s:", kind_name(kind)));
                }
            }
        }
    }
    Ok(if similar { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
