//! Errors of the OCaml layer (project scanning, toolchain discovery).
//! Errors met while building are [`engine::Error`]s; a rule tells its own
//! as a [`crate::RuleError`].

use std::io;
use std::path::PathBuf;

/// What can go wrong before the build starts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the project tree failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A compiler could not be found or run.
    #[error("{0}")]
    Toolchain(String),
    /// A `_tags` file (or `-tag-line`) is malformed, in ocamlbuild's words.
    #[error("{0}")]
    Tags(tags::Error),
    /// A `_tags` file could not be rewritten (an unknown `%{tool}`): the
    /// message names the file and line.
    #[error("{0}")]
    TagsText(Box<dyn std::error::Error + Send + Sync>),
    /// A namespaced library is declared wrongly (the message opens with
    /// the `_tags` place of the declaration and ends with a hint).
    #[error("{0}")]
    Namespace(String),
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
