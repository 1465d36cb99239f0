//! The lexical level both declaration files share: a line is blank, a
//! comment (`#` first, after blanks), or words separated by blanks.

use crate::error::{Error, Place};

/// A word of a line and the characters it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    /// The word.
    pub text: &'a str,
    /// Its first character, from 0.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
}

impl Word<'_> {
    /// The place of this word on line `line` of `file`.
    pub fn place(&self, file: &str, line: usize) -> Place {
        Place {
            file: file.to_string(),
            line,
            start: self.start,
            end: self.end,
        }
    }

    /// A syntax error at this word.
    pub fn error(&self, file: &str, line: usize, problem: String, hint: &str) -> Error {
        Error::Syntax {
            place: self.place(file, line),
            problem,
            hint: hint.to_string(),
        }
    }
}

/// The lines of `text` that hold words: (line number from 1, words).
pub(crate) fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, Vec<Word<'_>>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some((i + 1, words(line)))
    })
}

/// The blank-separated words of `line`, with their character spans.
fn words(line: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, char)
    let mut chars = 0;
    for (byte, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some((b, ch)) = start.take() {
                out.push(Word {
                    text: &line[b..byte],
                    start: ch,
                    end: chars,
                });
            }
        } else if start.is_none() {
            start = Some((byte, chars));
        }
        chars += 1;
    }
    if let Some((b, ch)) = start {
        out.push(Word {
            text: &line[b..],
            start: ch,
            end: chars,
        });
    }
    out
}

/// A declaration of a file: its name (unique in the file) and its line.
pub(crate) trait Declared {
    /// The declared name.
    fn name(&self) -> &str;
    /// The line of the declaration, from 1.
    fn line(&self) -> usize;
}

/// The declarations of `text`, one per meaningful line, read by
/// `parse_line`; a name declared twice is an error naming both lines
/// (`what` says what is declared: `library`, `tool`).
pub(crate) fn parse_declarations<T: Declared>(
    file: &str,
    text: &str,
    what: &'static str,
    parse_line: impl Fn(&str, usize, &[Word<'_>]) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let mut all: Vec<T> = Vec::new();
    for (line, words) in meaningful_lines(text) {
        let item = parse_line(file, line, &words)?;
        if let Some(first) = all.iter().find(|d| d.name() == item.name()) {
            return Err(Error::Duplicate {
                place: words[1].place(file, line),
                what,
                name: item.name().to_string(),
                first_line: first.line(),
            });
        }
        all.push(item);
    }
    Ok(all)
}

/// Whether `name` can name a library or a tool: letters, digits, `_`
/// and `-`, starting with a letter or `_`.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let lines: Vec<_> = meaningful_lines("# c\n\n  # d\ninternal  a\tb\n").collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, 4);
        let w: Vec<_> = lines[0]
            .1
            .iter()
            .map(|w| (w.text, w.start, w.end))
            .collect();
        assert_eq!(w, [("internal", 0, 8), ("a", 10, 11), ("b", 12, 13)]);
    }

    #[test]
    fn names() {
        assert!(is_name("libbase"));
        assert!(is_name("_x-1"));
        assert!(!is_name("1x"));
        assert!(!is_name("a/b"));
        assert!(!is_name(""));
    }
}
