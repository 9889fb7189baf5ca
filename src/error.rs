//! The library's typed errors: each says what went wrong and where.

use std::path::PathBuf;

/// Where a record came from: file (or `-` for standard input) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The input file as the user named it.
    pub file: std::sync::Arc<str>,
    /// 1-based line (for CSV: the line where the record starts; for a whole file: 1).
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is out of range or inconsistent; the message names the flag.
    #[error("invalid setting: {0}")]
    Config(String),
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A record could not be used (with `--strict`, the first such record stops the run).
    #[error("{origin}: {}{reason}", id.as_ref().map(|i| format!("document {i}: ")).unwrap_or_default())]
    Record {
        /// Where the record is.
        origin: Origin,
        /// Its id, when it could be read.
        id: Option<String>,
        /// What is wrong with it.
        reason: String,
    },
    /// An input file as a whole cannot be read in the chosen format.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The sentence-encoder model (`--model`) cannot be read; the message names the file.
    #[error("sentence-encoder model: {0}")]
    Model(String),
    /// A text to look up or compare has nothing to compare: no letter or digit is left after
    /// normalization (empty, or only punctuation, symbols or emoji).
    #[error("{}", crate::batch::NO_FEATURES)]
    Featureless,
    /// A persistent index cannot be used as asked; the reason says how to go on.
    #[error("index {}: {reason}", path.display())]
    Index {
        /// The index directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
