//! Output files: written to a temporary name beside the target and renamed when complete, so a
//! run that fails half-way never leaves a file that looks finished. Write errors (a full disk)
//! are returned, never swallowed.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A line-oriented output: a file (atomically replaced on [`Output::finish`]) or standard output.
pub struct Output {
    inner: BufWriter<Box<dyn Write>>,
    target: Option<(PathBuf, PathBuf)>,
    file: Option<File>,
}

impl Output {
    /// Writes to `path`, or to standard output when `None` or `-`.
    pub fn create(path: Option<&Path>) -> io::Result<Output> {
        match path {
            None => Ok(Output::stdout()),
            Some(p) if p == Path::new("-") => Ok(Output::stdout()),
            // A device or a pipe (`-o /dev/null`, a FIFO) is written in place: renaming a
            // temporary file over it would replace the device with a plain file.
            Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
                let f = std::fs::OpenOptions::new().write(true).open(p)?;
                Ok(Output {
                    inner: BufWriter::with_capacity(1 << 16, Box::new(f)),
                    target: None,
                    file: None,
                })
            }
            Some(p) => {
                let name =
                    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let tmp = p.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
                let f = File::create(&tmp)?;
                let file = Some(f.try_clone()?);
                Ok(Output {
                    inner: BufWriter::with_capacity(1 << 16, Box::new(f)),
                    target: Some((tmp, p.to_path_buf())),
                    file,
                })
            }
        }
    }

    fn stdout() -> Output {
        let inner =
            BufWriter::with_capacity(1 << 16, Box::new(io::stdout().lock()) as Box<dyn Write>);
        Output { inner, target: None, file: None }
    }

    /// One JSON line.
    pub fn json<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.inner, value).map_err(io::Error::from)?;
        self.inner.write_all(b"\n")
    }

    /// One line as it is.
    pub fn line(&mut self, s: &str) -> io::Result<()> {
        self.inner.write_all(s.as_bytes())?;
        self.inner.write_all(b"\n")
    }

    /// Flushes, syncs and moves the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        self.inner.flush()?;
        if let Some(f) = &self.file {
            f.sync_all()?;
        }
        if let Some((tmp, target)) = self.target.take() {
            std::fs::rename(&tmp, &target)?;
        }
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Not finished: remove the partial file.
        if let Some((tmp, _)) = self.target.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
