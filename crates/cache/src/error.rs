//! `CacheError`: what can go wrong with the cache folder itself.

use std::path::PathBuf;

/// A failure reading or writing the cache folder.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An entry's text is not an entry.
    #[error("{path}: not a cache entry ({why})")]
    BadEntry {
        /// The entry file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A restored file does not have the digest its entry says.
    #[error("{path}: the content does not match its digest")]
    Corrupt {
        /// The stored file.
        path: PathBuf,
    },
}

impl CacheError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> CacheError {
        CacheError::Io {
            path: path.into(),
            source,
        }
    }
}
