//! The crate's error type: every failure ocamlbuild reports about tags,
//! patterns and flag declarations, with its exact text.

use crate::location::{Location, escape_bytes};
use std::fmt;

/// What went wrong while lexing a `_tags` line (the text after
/// `Lexing error: `, without the final period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexingMessage {
    /// A line that is neither blank, a comment nor `PATTERN: tags`.
    InvalidLineSyntax,
    /// The text before the colon is not a valid pattern; holds that text
    /// exactly as written (leading blanks excluded, trailing ones included).
    InvalidGlobbingPattern(Vec<u8>),
    /// A tag was expected (after the colon or after a comma) but none starts here.
    InvalidTagModifier,
    /// Something other than a comma or the end of the line follows a tag.
    OnlyCommaSeparated,
    /// A `%(var:pattern)` in a path scheme where patterns are not allowed.
    PatternNotAllowed {
        /// The variable name.
        var: String,
        /// The pattern text.
        pattern: String,
    },
}

impl fmt::Display for LexingMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexingMessage::InvalidLineSyntax => f.write_str("Invalid line syntax"),
            LexingMessage::InvalidGlobbingPattern(text) => {
                write!(f, "Invalid globbing pattern \"{}\"", escape_bytes(text))
            }
            LexingMessage::InvalidTagModifier => {
                f.write_str("Invalid tag modifier only '+ or '-' are allowed as prefix for tag")
            }
            LexingMessage::OnlyCommaSeparated => f.write_str("Only ',' separated tags are allowed"),
            LexingMessage::PatternNotAllowed { var, pattern } => write!(
                f,
                "Patterns are not allowed in this pathname (%({var}:{pattern}) only in ~prod)"
            ),
        }
    }
}

/// Every error of this crate. `Display` gives ocamlbuild's text without a
/// trailing newline; [`Error::exit_code`] gives the status ocamlbuild exits with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `_tags`-syntax text could not be read (ocamlbuild exits with 8).
    #[error("{location}\nLexing error: {message}.")]
    Lexing {
        /// Where the error is.
        location: Location,
        /// What it is.
        message: LexingMessage,
    },
    /// A pattern given on its own (not inside a `_tags` line) is malformed.
    #[error("Invalid globbing pattern \"{}\"", escape_bytes(.text))]
    InvalidPattern {
        /// The pattern text.
        text: Vec<u8>,
        /// The inner cause, as ocamlbuild's glob parser words it.
        reason: String,
    },
    /// A parametrised declaration rejected its parameter (ocamlbuild's
    /// `Invalid_argument`, exit 3), e.g. `optimize(4)`.
    #[error(
        "INTERNAL ERROR: Invalid argument {0}\nThis is likely to be a bug, please report this to the ocamlbuild\ndevelopers."
    )]
    InvalidArgument(String),
}

impl Error {
    /// The exit status ocamlbuild uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Lexing { .. } => 8,
            Error::InvalidArgument(_) => 3,
            Error::InvalidPattern { .. } => 100,
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Source;

    #[test]
    fn a_lexing_error_prints_location_then_message_with_a_period() {
        let e = Error::Lexing {
            location: Location {
                source: Source::file("_tags"),
                start_line: 1,
                start_column: 13,
                end_line: 1,
                end_column: 14,
            },
            message: LexingMessage::OnlyCommaSeparated,
        };
        assert_eq!(
            e.to_string(),
            "File \"_tags\", line 1, characters 13-14:\nLexing error: Only ',' separated tags are allowed."
        );
        assert_eq!(e.exit_code(), 8);
    }

    #[test]
    fn an_invalid_pattern_message_quotes_the_text_ocaml_style() {
        let m = LexingMessage::InvalidGlobbingPattern(b"x\"y".to_vec());
        assert_eq!(m.to_string(), "Invalid globbing pattern \"x\\\"y\"");
    }

    #[test]
    fn an_invalid_argument_is_an_internal_error_with_exit_3() {
        let e = Error::InvalidArgument("optimize".into());
        assert!(
            e.to_string()
                .starts_with("INTERNAL ERROR: Invalid argument optimize\n")
        );
        assert_eq!(e.exit_code(), 3);
    }
}
