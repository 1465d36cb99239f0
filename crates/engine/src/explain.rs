//! Why an action runs: a closed set of reasons, recorded when the rebuilder
//! decides and rendered by the binary (`-verbose` shows them).

use std::fmt;

/// The reason an action was not up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No trace of a previous run.
    NoTrace,
    /// Its key changed: a command, flag or input digest differs.
    KeyChanged,
    /// An output recorded by the last run is missing.
    OutputMissing(String),
    /// An output was modified since the last run.
    OutputModified(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoTrace => f.write_str("never built"),
            Reason::KeyChanged => f.write_str("its command or an input changed"),
            Reason::OutputMissing(p) => write!(f, "output {p} is missing"),
            Reason::OutputModified(p) => write!(f, "output {p} was modified"),
        }
    }
}
