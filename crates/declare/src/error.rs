//! What can be wrong with a declaration file, with the place to show.

use std::fmt;
use std::sync::Arc;

/// A span of one line of a declaration file, printed the way OCaml tools
/// print places: `File "build_libs", line 3, characters 9-14:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, relative to the project's root.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The first character of the span, from 0.
    pub start: usize,
    /// One past the last character of the span.
    pub end: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "File \"{}\", line {}, characters {}-{}:",
            self.file, self.line, self.start, self.end
        )
    }
}

/// Every failure of this crate.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A line the grammar does not allow.
    #[error("{place}\nError: {problem}\nHint: {hint}")]
    Syntax {
        /// Where.
        place: Place,
        /// What is wrong.
        problem: String,
        /// How the line should look.
        hint: String,
    },
    /// A name declared twice.
    #[error("{place}\nError: {what} `{name}` is declared twice (first on line {first_line}).")]
    Duplicate {
        /// Where the second declaration is.
        place: Place,
        /// `library` or `tool`.
        what: &'static str,
        /// The name.
        name: String,
        /// The line of the first declaration.
        first_line: usize,
    },
    /// `%{name}` names no tool of `build_tools`.
    #[error(
        "{place}\nError: no tool `{name}` is declared in build_tools.\nHint: {}",
        known_hint(known)
    )]
    UnknownTool {
        /// Where the reference is.
        place: Place,
        /// The name.
        name: String,
        /// The tools `build_tools` declares.
        known: Vec<String>,
    },
    /// A declaration the project does not satisfy (a library without its
    /// `.mllib`, in a folder the build does not traverse).
    #[error("{place}\nError: {problem}\nHint: {hint}")]
    Unsatisfied {
        /// Where the declaration is.
        place: Place,
        /// What is missing.
        problem: String,
        /// What to do.
        hint: String,
    },
    /// The file is not text.
    #[error("File \"{file}\":\nError: the file is not UTF-8 text.")]
    NotUtf8 {
        /// The file.
        file: String,
    },
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: Arc<std::io::Error>,
    },
}

fn known_hint(known: &[String]) -> String {
    if known.is_empty() {
        "declare it with a line `internal NAME TARGET` or `external NAME PROGRAM` in build_tools."
            .to_string()
    } else {
        format!(
            "the declared tools are {}; or declare it in build_tools.",
            known.join(", ")
        )
    }
}
