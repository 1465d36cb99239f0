//! Reading `_tags`-syntax text into lines: `PATTERN: tag, -tag, +tag`.
//!
//! The driver below calls the lexer rules in the same order as ocamlbuild,
//! so the first error in the text is the one reported, with the same
//! location: a bad pattern is reported (over the whole `PATTERN:` token)
//! before the tags of its line are looked at.

use crate::error::{Error, LexingMessage};
use crate::lexer::{Cursor, LineToken, SeparatorToken, ValueToken};
use crate::location::{Location, Source};
use crate::pattern::Pattern;
use crate::tag::Tag;

/// A tag as written in a configuration, with where it was written (the
/// location covers the `+`/`-` sign too).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocatedTag {
    /// The tag, without its sign.
    pub tag: Tag,
    /// Where it was written.
    pub location: Location,
}

/// One `PATTERN: tags` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The pattern (already scoped when the line comes from a subdirectory).
    pub pattern: Pattern,
    /// Tags written `tag` or `+tag`, in written order.
    pub add: Vec<LocatedTag>,
    /// Tags written `-tag`, in written order.
    pub remove: Vec<LocatedTag>,
}

fn lexing_error(location: Location, message: LexingMessage) -> Error {
    Error::Lexing { location, message }
}

/// Parses `_tags` text. `dir` is the directory of the `_tags` file for
/// scoping (`None` for the root and for lines that do not come from a file).
///
/// ```
/// use tags::{parse, Source};
/// let lines = parse(Source::file("_tags"), b"# c\n<*.ml>: debug, -x\n", None).unwrap();
/// assert_eq!(lines.len(), 1);
/// assert_eq!(lines[0].add[0].tag.as_str(), "debug");
/// assert_eq!(lines[0].remove[0].tag.as_str(), "x");
///
/// let e = parse(Source::file("_tags"), b"true: foo bar\n", None).unwrap_err();
/// assert_eq!(e.to_string(),
///     "File \"_tags\", line 1, characters 9-10:\nLexing error: Only ',' separated tags are allowed.");
/// ```
pub fn parse(source: Source, text: &[u8], dir: Option<&str>) -> crate::Result<Vec<Line>> {
    let mut c = Cursor::new(text, source);
    let mut lines = Vec::new();
    loop {
        let start = c.pos;
        match crate::lexer::line_token(text, start) {
            LineToken::Skip { len } => {
                c.pos += len;
                c.new_line(c.pos);
            }
            LineToken::End => return Ok(lines),
            LineToken::Invalid => {
                return Err(lexing_error(
                    c.location(start, start + 1),
                    LexingMessage::InvalidLineSyntax,
                ));
            }
            LineToken::Entry {
                len,
                pattern_start,
                pattern_end,
                escaped_newlines,
            } => {
                let pattern_text = text.get(pattern_start..pattern_end).unwrap_or_default();
                let pattern = Pattern::parse_bytes(pattern_text, dir).map_err(|_| {
                    lexing_error(
                        c.location(start, start + len),
                        LexingMessage::InvalidGlobbingPattern(pattern_text.to_vec()),
                    )
                })?;
                c.pos += len;
                for _ in 0..escaped_newlines {
                    c.new_line(c.pos);
                }
                let mut line = Line {
                    pattern,
                    add: Vec::new(),
                    remove: Vec::new(),
                };
                read_tags(&mut c, &mut line)?;
                lines.push(line);
            }
        }
    }
}

/// `conf_value` then `conf_values`, until the end of the line.
fn read_tags(c: &mut Cursor<'_>, line: &mut Line) -> crate::Result<()> {
    let text = c.input;
    loop {
        let q = c.pos;
        match crate::lexer::value_token(text, q) {
            ValueToken::Tag {
                add,
                len,
                tag_start,
                tag_end,
            } => {
                let bytes = text.get(tag_start..tag_end).unwrap_or_default();
                let located = LocatedTag {
                    tag: Tag::new(String::from_utf8_lossy(bytes).into_owned()),
                    location: c.location(q, q + len),
                };
                if add {
                    line.add.push(located);
                } else {
                    line.remove.push(located);
                }
                c.pos += len;
            }
            ValueToken::Invalid => {
                let end = if q < text.len() { q + 1 } else { q };
                return Err(lexing_error(
                    c.location(q, end),
                    LexingMessage::InvalidTagModifier,
                ));
            }
        }
        let r = c.pos;
        match crate::lexer::separator_token(text, r) {
            SeparatorToken::Comma {
                len,
                escaped_newlines,
            } => {
                c.pos += len;
                for _ in 0..escaped_newlines {
                    c.new_line(c.pos);
                }
            }
            SeparatorToken::Newline { len } => {
                c.pos += len;
                c.new_line(c.pos);
                return Ok(());
            }
            SeparatorToken::End => return Ok(()),
            SeparatorToken::Invalid => {
                return Err(lexing_error(
                    c.location(r, r + 1),
                    LexingMessage::OnlyCommaSeparated,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(Source::file("_tags"), text.as_bytes(), None) {
            Ok(_) => panic!("{text:?} should fail"),
            Err(e) => e.to_string(),
        }
    }

    fn first_line(text: &str) -> String {
        err(text).lines().next().unwrap_or_default().to_string()
    }

    // Each expectation below is the output of ocamlbuild 0.14.1 on a root
    // `_tags` holding the text (`ocamlbuild -show-tags a.ml`).

    #[test]
    fn a_pattern_without_brackets_is_an_invalid_globbing_pattern() {
        assert_eq!(
            err("a.ml: debug\n"),
            "File \"_tags\", line 1, characters 0-6:\nLexing error: Invalid globbing pattern \"a.ml\"."
        );
    }

    #[test]
    fn trailing_blanks_after_the_last_tag_are_an_error() {
        assert_eq!(
            err("<a.ml>  : debug \n"),
            "File \"_tags\", line 1, characters 15-16:\nLexing error: Only ',' separated tags are allowed."
        );
    }

    #[test]
    fn an_empty_tag_list_is_an_invalid_tag_modifier() {
        let m = "Lexing error: Invalid tag modifier only '+ or '-' are allowed as prefix for tag.";
        assert_eq!(
            err("<a.ml>:\n"),
            format!("File \"_tags\", line 1, characters 7-8:\n{m}")
        );
        assert_eq!(
            err("<a.ml>:"),
            format!("File \"_tags\", line 1, character 7:\n{m}")
        );
        assert_eq!(
            err("<a.ml>:   \n"),
            format!("File \"_tags\", line 1, characters 10-11:\n{m}")
        );
    }

    #[test]
    fn a_line_without_a_colon_is_invalid_line_syntax_on_its_first_byte() {
        for t in ["foo bar\n", "  foo bar\n", ":foo\n"] {
            assert_eq!(
                err(t),
                "File \"_tags\", line 1, characters 0-1:\nLexing error: Invalid line syntax."
            );
        }
    }

    #[test]
    fn escaped_newlines_restart_columns_at_the_end_of_the_token() {
        assert_eq!(
            first_line("<a.ml>: \\\n   foo bar\n"),
            "File \"_tags\", line 2, characters 3-4:"
        );
        assert_eq!(
            first_line("<a.ml> \\\n : \\\n   foo bar\n"),
            "File \"_tags\", line 3, characters 3-4:"
        );
        assert_eq!(
            first_line("<a.ml>: foo ,\\\n   bar baz\n"),
            "File \"_tags\", line 2, characters 3-4:"
        );
    }

    #[test]
    fn a_bad_pattern_is_reported_over_the_whole_token_on_its_first_line() {
        assert_eq!(
            err("<a b> \\\n : \\\n   foo\n"),
            "File \"_tags\", line 1, characters 0-16:\nLexing error: Invalid globbing pattern \"<a b> \"."
        );
    }

    #[test]
    fn tags_are_read_with_signs_and_locations() {
        let lines = match parse(
            Source::file("_tags"),
            b"<a.ml>: +bar, -baz, warn(+a), package(x), qux(y z)\n",
            None,
        ) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        let add: Vec<(&str, String)> = lines[0]
            .add
            .iter()
            .map(|t| (t.tag.as_str(), t.location.to_string()))
            .collect();
        assert_eq!(
            add,
            [
                (
                    "bar",
                    "File \"_tags\", line 1, characters 8-12:".to_string()
                ),
                (
                    "warn(+a)",
                    "File \"_tags\", line 1, characters 20-28:".to_string()
                ),
                (
                    "package(x)",
                    "File \"_tags\", line 1, characters 30-40:".to_string()
                ),
                (
                    "qux(y z)",
                    "File \"_tags\", line 1, characters 42-50:".to_string()
                ),
            ]
        );
        assert_eq!(
            lines[0].remove[0].location.to_string(),
            "File \"_tags\", line 1, characters 14-18:"
        );
    }

    #[test]
    fn a_newline_inside_a_parameter_is_not_counted() {
        // Experiment: the parameter spans two physical lines, but ocamlbuild's
        // lexer only counts the newlines that end a token.
        assert_eq!(
            first_line("true: pp(a\nb) c\n<x>: d e\n"),
            "File \"_tags\", line 1, characters 13-14:"
        );
        assert_eq!(
            first_line("true: pp(a\nb), c\n<x>: d e\n"),
            "File \"_tags\", line 2, characters 6-7:"
        );
    }

    #[test]
    fn comments_blank_lines_and_all_newline_kinds_count_lines() {
        assert_eq!(
            first_line("# c\n\r\n\r  \ntrue: a b"),
            "File \"_tags\", line 5, characters 7-8:"
        );
    }

    #[test]
    fn a_hash_after_tags_is_part_of_a_tag_or_an_error() {
        let lines = match parse(Source::file("_tags"), b"true: a#b\n", None) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(lines[0].add[0].tag.as_str(), "a#b");
        assert!(parse(Source::file("_tags"), b"true: a # c\n", None).is_err());
    }
}
