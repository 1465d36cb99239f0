//! Scan errors: what went wrong and where, located the way OCaml reports it
//! (1-based line, 0-based byte columns on that line).

use std::borrow::Cow;
use std::fmt;

/// A place in the source, in OCaml's convention: `line` counts from 1, and
/// `start`/`end` are byte columns counted from 0 on that line (`end` may go
/// past the end of the line when the faulty text spans several lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, from 1.
    pub line: u32,
    /// First byte column, from 0.
    pub start: u32,
    /// Byte column one past the last faulty byte.
    pub end: u32,
}

impl Location {
    /// Locates the byte range `start..end` of `source`.
    pub fn of_range(source: &[u8], start: usize, end: usize) -> Location {
        let start = start.min(source.len());
        let end = end.clamp(start, source.len());
        let before = &source[..start];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let bol = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        Location {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            start: u32::try_from(start - bol).unwrap_or(u32::MAX),
            end: u32::try_from(end - bol).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, characters {}-{}",
            self.line, self.start, self.end
        )
    }
}

/// Why `scan` refused a file: the real `ocamldep` would reject it too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The lexer met text that is not an OCaml token (unterminated string or
    /// comment, illegal character, bad escape, bad literal...).
    #[error("{at}: {message}")]
    Lexical {
        /// Where.
        at: Location,
        /// What, in words.
        message: String,
    },
    /// The tokens do not form a valid OCaml file.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What, in words.
        message: String,
    },
    /// The file contains an `[%error ...]` extension node, which `ocamldep`
    /// reports as an error.
    #[error("{at}: {message}")]
    ErrorExtension {
        /// Where.
        at: Location,
        /// What, in words.
        message: String,
    },
}

impl ScanError {
    /// Where the error is.
    pub fn location(&self) -> Location {
        match self {
            ScanError::Lexical { at, .. }
            | ScanError::Syntax { at, .. }
            | ScanError::ErrorExtension { at, .. } => *at,
        }
    }
}

/// Which family an error belongs to, before it is located.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    Lexical,
    Syntax,
    Extension,
    /// Nesting deeper than the parser's limit: retried with a bigger stack.
    TooDeep,
}

/// An error as the lexer and parser raise it: a byte range, not yet turned
/// into a line and columns (that costs a pass over the source, paid only on
/// failure). Boxed, so that results stay one word wide on the parser's hot
/// paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawError(Box<Details>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    kind: ErrorKind,
    start: usize,
    end: usize,
    message: Cow<'static, str>,
}

impl RawError {
    fn new(kind: ErrorKind, start: usize, end: usize, message: Cow<'static, str>) -> Self {
        RawError(Box::new(Details {
            kind,
            start,
            end,
            message,
        }))
    }

    pub fn lexical(start: usize, end: usize, message: impl Into<Cow<'static, str>>) -> Self {
        RawError::new(ErrorKind::Lexical, start, end, message.into())
    }

    pub fn syntax(start: usize, end: usize, message: impl Into<Cow<'static, str>>) -> Self {
        RawError::new(ErrorKind::Syntax, start, end, message.into())
    }

    pub fn too_deep(start: usize, end: usize) -> Self {
        RawError::new(
            ErrorKind::TooDeep,
            start,
            end,
            Cow::Borrowed("constructs nested too deeply"),
        )
    }

    pub fn extension(start: usize, end: usize) -> Self {
        RawError::new(
            ErrorKind::Extension,
            start,
            end,
            Cow::Borrowed("error extension node"),
        )
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Turns the byte range into OCaml-style line and columns.
    pub fn locate(self, source: &[u8]) -> ScanError {
        let details = *self.0;
        let at = Location::of_range(source, details.start, details.end);
        let message = details.message.into_owned();
        match details.kind {
            ErrorKind::Lexical => ScanError::Lexical { at, message },
            ErrorKind::Syntax | ErrorKind::TooDeep => ScanError::Syntax { at, message },
            ErrorKind::Extension => ScanError::ErrorExtension { at, message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_like_ocaml() {
        let src = b"let x = 1\nlet y = \"abc";
        let at = Location::of_range(src, 18, 22);
        assert_eq!(
            at,
            Location {
                line: 2,
                start: 8,
                end: 12
            }
        );
        let err = RawError::lexical(18, 22, "unterminated string").locate(src);
        assert_eq!(
            err.to_string(),
            "line 2, characters 8-12: unterminated string"
        );
    }
}
