//! The `xdedup` binary: parses flags, dispatches, maps results to exit codes.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Allocations from this size on are mapped on their own and given back when freed. glibc
/// raises this threshold each time such a block is freed, after which large blocks come from its
/// heaps and stay with the process when freed: a run's shard tables, read chunks and feature
/// buffers then raised the peak RSS of the 100k replay with the defaults from 1.72 to 1.97 GB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 << 10;

fn main() -> ExitCode {
    // SAFETY: sets one allocator parameter, before any other thread exists.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`xdedup cluster … | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("xdedup: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes joined by `: `, as `{:#}` writes them, less a cause whose words
/// its error already ends with (a library error that names its file and then its cause would
/// otherwise print the cause twice: `x.jsonl: No such file … : No such file …`).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain().map(ToString::to_string) {
        if out.is_empty() {
            out = cause;
        } else if !out.ends_with(&cause) {
            out = format!("{out}: {cause}");
        }
    }
    out
}
