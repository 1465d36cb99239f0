//! The byte-level rules of ocamlbuild's `_tags` lexer (`conf_lines`,
//! `conf_value`, `conf_values` in its `lexers.mll`), re-implemented with
//! ocamllex's semantics: at each point every rule is tried, the longest
//! match wins, ties go to the earlier rule, and sub-matches bind
//! leftmost-greedy.
//!
//! Positions are tracked like OCaml's `Lexing` does, including its quirk:
//! the line counter only advances where ocamlbuild calls `new_line`, and an
//! escaped newline inside the blanks around `:` or `,` moves the start of
//! the line to the *end* of the whole token. So in
//! `<a.ml>: \⏎   foo bar` the error is reported at `line 2, characters 3-4`
//! although the offending blank is in column 6 (checked with ocamlbuild).

use crate::location::{Location, Source};

/// Blanks inside a line: space, tab, form feed.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0c)
}

/// Length of the newline at `i` (`\r\n` counts as one newline of 2 bytes).
pub(crate) fn newline_len(s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if s.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// `sp*` from `i`: blanks and backslash-newlines. Returns the end and the
/// number of escaped newlines crossed.
pub(crate) fn skip_sp(s: &[u8], mut i: usize) -> (usize, usize) {
    let mut escaped = 0;
    loop {
        match s.get(i) {
            Some(&b) if is_space(b) => i += 1,
            Some(b'\\') => {
                let n = newline_len(s, i + 1);
                if n == 0 {
                    return (i, escaped);
                }
                i += 1 + n;
                escaped += 1;
            }
            _ => return (i, escaped),
        }
    }
}

fn count_spaces(s: &[u8], i: usize) -> usize {
    s.get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| is_space(b))
        .count()
}

/// What `conf_lines` matches at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineToken {
    /// A comment or blank line ending with a newline: skip `len`, new line.
    Skip { len: usize },
    /// A comment or blanks up to the end of the input.
    End,
    /// `PATTERN sp* ':' sp*`.
    Entry {
        len: usize,
        pattern_start: usize,
        pattern_end: usize,
        escaped_newlines: usize,
    },
    /// No rule but the catch-all: `Invalid line syntax` on one byte.
    Invalid,
}

/// The `PATTERN sp* ':' sp*` rule at `p`, if it matches.
fn entry_rule(s: &[u8], p: usize) -> Option<(usize, usize, usize, usize)> {
    let j = p + s
        .get(p..)
        .unwrap_or_default()
        .iter()
        .position(|&b| matches!(b, b'\n' | b'\r' | b':'))?;
    let lead = count_spaces(s, p);
    let (pattern_end, colon, escaped_before) = if s.get(j) == Some(&b':') {
        (j, j, 0)
    } else {
        // The pattern cannot cross a newline: the only way on is an escaped
        // newline right after it, then blanks, then the colon.
        let backslash = j.checked_sub(1)?;
        if backslash <= p || s.get(backslash) != Some(&b'\\') {
            return None;
        }
        let (end, escaped) = skip_sp(s, backslash);
        if s.get(end) != Some(&b':') {
            return None;
        }
        (backslash, end, escaped)
    };
    if pattern_end <= p {
        return None;
    }
    // `space*` takes every leading blank it can while leaving the pattern
    // at least one byte: `  : foo` reports the pattern " ".
    let pattern_start = p + lead.min(pattern_end - p - 1);
    let (end, escaped_after) = skip_sp(s, colon + 1);
    Some((
        end - p,
        pattern_start,
        pattern_end,
        escaped_before + escaped_after,
    ))
}

/// The `conf_lines` rules at `p`.
pub(crate) fn line_token(s: &[u8], p: usize) -> LineToken {
    let lead = count_spaces(s, p);
    let i = p + lead;
    // (length, rule number, token); the longest wins, then the lowest rule.
    let mut best: Option<(usize, u8, LineToken)> = None;
    let mut offer = |len: usize, rule: u8, tok: LineToken| {
        let better = match &best {
            None => true,
            Some((l, r, _)) => len > *l || (len == *l && rule < *r),
        };
        if better {
            best = Some((len, rule, tok));
        }
    };
    if s.get(i) == Some(&b'#') {
        let rest = s.get(i..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(k) => {
                let len = i + k + newline_len(s, i + k) - p;
                offer(len, 1, LineToken::Skip { len });
            }
            None => offer(s.len() - p, 2, LineToken::End),
        }
    }
    let nl = newline_len(s, i);
    if nl > 0 {
        offer(lead + nl, 3, LineToken::Skip { len: lead + nl });
    }
    if i >= s.len() {
        offer(lead, 4, LineToken::End);
    }
    if let Some((len, pattern_start, pattern_end, escaped_newlines)) = entry_rule(s, p) {
        offer(
            len,
            5,
            LineToken::Entry {
                len,
                pattern_start,
                pattern_end,
                escaped_newlines,
            },
        );
    }
    if p < s.len() {
        offer(1, 6, LineToken::Invalid);
    }
    match best {
        Some((_, _, tok)) => tok,
        None => LineToken::End,
    }
}

/// Length of the longest `tag` at `i` (0 if none):
/// `normal+ | normal+ ':' normal+ | normal+ '(' [^)]* ')'`.
pub(crate) fn tag_len(s: &[u8], i: usize) -> usize {
    let run = |from: usize| {
        s.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| crate::tag::is_normal(b))
            .count()
    };
    let n = run(i);
    if n == 0 {
        return 0;
    }
    let j = i + n;
    match s.get(j) {
        Some(b':') => {
            let m = run(j + 1);
            if m > 0 { n + 1 + m } else { n }
        }
        Some(b'(') => match s
            .get(j + 1..)
            .and_then(|r| r.iter().position(|&b| b == b')'))
        {
            Some(k) => n + 1 + k + 1,
            None => n,
        },
        _ => n,
    }
}

/// What `conf_value` matches: a tag with its sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueToken {
    /// `-tag`, or `+tag`/`tag` when `add`; `len` includes the sign.
    Tag {
        add: bool,
        len: usize,
        tag_start: usize,
        tag_end: usize,
    },
    /// Nothing that starts a tag.
    Invalid,
}

/// The `conf_value` rules at `q`.
pub(crate) fn value_token(s: &[u8], q: usize) -> ValueToken {
    let after_sign = tag_len(s, q + 1);
    match s.get(q) {
        // `'-' tag` ties with `tag` (as `-` is a name character): the
        // earlier rule, removal, wins.
        Some(b'-') if after_sign > 0 => ValueToken::Tag {
            add: false,
            len: 1 + after_sign,
            tag_start: q + 1,
            tag_end: q + 1 + after_sign,
        },
        // `'+'? tag`: the optional sign is taken when possible.
        Some(b'+') if after_sign > 0 => ValueToken::Tag {
            add: true,
            len: 1 + after_sign,
            tag_start: q + 1,
            tag_end: q + 1 + after_sign,
        },
        _ => {
            let n = tag_len(s, q);
            if n > 0 {
                ValueToken::Tag {
                    add: true,
                    len: n,
                    tag_start: q,
                    tag_end: q + n,
                }
            } else {
                ValueToken::Invalid
            }
        }
    }
}

/// What `conf_values` matches after a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SeparatorToken {
    /// `sp* ',' sp*`: another tag follows.
    Comma { len: usize, escaped_newlines: usize },
    /// The end of the line.
    Newline { len: usize },
    /// The end of the input.
    End,
    /// Anything else: `Only ',' separated tags are allowed` on one byte.
    Invalid,
}

/// The `conf_values` rules at `r`.
pub(crate) fn separator_token(s: &[u8], r: usize) -> SeparatorToken {
    let (i, escaped_before) = skip_sp(s, r);
    if s.get(i) == Some(&b',') {
        let (end, escaped_after) = skip_sp(s, i + 1);
        return SeparatorToken::Comma {
            len: end - r,
            escaped_newlines: escaped_before + escaped_after,
        };
    }
    let nl = newline_len(s, r);
    if nl > 0 {
        SeparatorToken::Newline { len: nl }
    } else if r >= s.len() {
        SeparatorToken::End
    } else {
        SeparatorToken::Invalid
    }
}

/// Input plus the position state of OCaml's `Lexing`.
pub(crate) struct Cursor<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) pos: usize,
    line: usize,
    line_start: usize,
    source: Source,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(input: &'a [u8], source: Source) -> Cursor<'a> {
        Cursor {
            input,
            pos: 0,
            line: 1,
            line_start: 0,
            source,
        }
    }

    /// `Lexing.new_line` called when the current token ends at `at`.
    pub(crate) fn new_line(&mut self, at: usize) {
        self.line += 1;
        self.line_start = at;
    }

    /// The location of bytes `start..end` as ocamlbuild would report it.
    pub(crate) fn location(&self, start: usize, end: usize) -> Location {
        Location {
            source: self.source.clone(),
            start_line: self.line,
            start_column: start.saturating_sub(self.line_start),
            end_line: self.line,
            end_column: end.saturating_sub(self.line_start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_trailing_blanks_in_the_pattern_but_not_leading_ones() {
        // Experiment: `  a.ml  : debug` -> Invalid globbing pattern "a.ml  ", characters 0-10.
        let s = b"  a.ml  : debug\n";
        assert_eq!(
            line_token(s, 0),
            LineToken::Entry {
                len: 10,
                pattern_start: 2,
                pattern_end: 8,
                escaped_newlines: 0
            }
        );
    }

    #[test]
    fn blanks_alone_before_the_colon_leave_one_blank_as_the_pattern() {
        // Experiment: `  : foo` -> Invalid globbing pattern " ", characters 0-4.
        let s = b"  : foo\n";
        assert_eq!(
            line_token(s, 0),
            LineToken::Entry {
                len: 4,
                pattern_start: 1,
                pattern_end: 2,
                escaped_newlines: 0
            }
        );
    }

    #[test]
    fn a_comment_line_is_skipped_but_a_colon_after_an_escaped_newline_wins() {
        assert_eq!(line_token(b"# x: y\n", 0), LineToken::Skip { len: 7 });
        assert_eq!(line_token(b"# x: y", 0), LineToken::End);
        // `#a \⏎: b` is longer as an entry than as a comment.
        assert!(matches!(
            line_token(b"#a \\\n: b", 0),
            LineToken::Entry { .. }
        ));
    }

    #[test]
    fn a_line_without_colon_is_invalid() {
        assert_eq!(line_token(b"foo bar\n", 0), LineToken::Invalid);
        assert_eq!(line_token(b":foo\n", 0), LineToken::Invalid);
        assert_eq!(line_token(b"\\\n:", 0), LineToken::Invalid);
    }

    #[test]
    fn tags_follow_the_three_shapes() {
        assert_eq!(tag_len(b"foo, bar", 0), 3);
        assert_eq!(tag_len(b"file:a.ml", 0), 9);
        assert_eq!(tag_len(b"a:b:c", 0), 3);
        assert_eq!(tag_len(b"pp(a b, c) x", 0), 10);
        assert_eq!(tag_len(b"pp(a b", 0), 2);
        assert_eq!(tag_len(b"x\t", 0), 2);
        assert_eq!(tag_len(b" x", 0), 0);
    }

    #[test]
    fn signs_bind_like_ocamllex() {
        let v = |s: &[u8]| value_token(s, 0);
        assert_eq!(
            v(b"-foo"),
            ValueToken::Tag {
                add: false,
                len: 4,
                tag_start: 1,
                tag_end: 4
            }
        );
        assert_eq!(
            v(b"+foo"),
            ValueToken::Tag {
                add: true,
                len: 4,
                tag_start: 1,
                tag_end: 4
            }
        );
        // A lone sign is itself a tag name.
        assert_eq!(
            v(b"-,"),
            ValueToken::Tag {
                add: true,
                len: 1,
                tag_start: 0,
                tag_end: 1
            }
        );
        assert_eq!(
            v(b"+(x)"),
            ValueToken::Tag {
                add: true,
                len: 4,
                tag_start: 0,
                tag_end: 4
            }
        );
        assert_eq!(v(b" x"), ValueToken::Invalid);
        assert_eq!(v(b""), ValueToken::Invalid);
    }
}
