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
    remove_unfinished_outputs_on_signals();
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

/// On SIGINT (Ctrl-C), SIGTERM (`kill`, a job scheduler's timeout) or SIGHUP, removes the
/// temporary files of the outputs not yet finished, then dies of the signal as it would have
/// (status 130, 143 or 129 in a shell): a run stopped half-way leaves no `.out.jsonl.PID.tmp`
/// beside its outputs, and no output of its own. Each is written under such a name and renamed
/// into place when complete (`xdedup::io::write`); `index add` creates its outputs first.
///
/// A signal the process was started with ignored stays ignored: `nohup` ignores SIGHUP so
/// that a run outlives its terminal, and a shell starts background jobs with SIGINT ignored.
fn remove_unfinished_outputs_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let ignored = |signal: libc::c_int| {
        // SAFETY: reads the signal's action (a null new action changes nothing).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            libc::sigaction(signal, std::ptr::null(), &mut action) == 0
                && action.sa_sigaction == libc::SIG_IGN
        }
    };
    let caught = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|&s| !ignored(s));
    let Ok(mut signals) = signal_hook::iterator::Signals::new(caught) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            xdedup::io::write::remove_unfinished();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    });
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
