//! Comments: nested `(* ... *)`, skipping the strings, quoted strings and
//! character literals inside them as the compiler's comment lexer does.

use super::Lexer;
use super::char_class::{find_comment_special, is_blank, is_identchar, is_lowercase};
use super::literals::StringMode;
use crate::error::RawError;

impl<'a> Lexer<'a> {
    /// A comment starting at `start` (on `(*`), possibly nested; returns the
    /// offset after its closing `*)`.
    pub(super) fn comment(&self, start: usize) -> Result<usize, RawError> {
        let mut depth = 1usize;
        let mut at = start + 2;
        // Where the compiler's comment lexer starts its current token: it
        // reads identifiers as a whole, so a `'` inside one does not open a
        // character literal.
        let mut token_start = at;
        loop {
            at = find_comment_special(self.src, at);
            if self.at_end(at) {
                return Err(RawError::lexical(
                    start,
                    start + 2,
                    "comment not terminated",
                ));
            }
            match self.byte(at) {
                b'(' if self.byte(at + 1) == b'*' => {
                    depth += 1;
                    at += 2;
                }
                b'*' if self.byte(at + 1) == b')' => {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        return Ok(at);
                    }
                }
                b'"' => at = self.string_body(at + 1, StringMode::Comment { start }, at)?,
                b'{' => at = self.comment_brace(at, start)?,
                b'\'' if self.quote_in_identifier(token_start, at) => {
                    at = self.symbol_run(at + 1, is_identchar);
                }
                b'\'' => at = self.comment_quote(at)?,
                _ => at += 1,
            }
            token_start = at;
        }
    }

    /// Whether the `'` at `quote` continues an identifier, as the comment
    /// lexer reads from `token_start`: it does when the identifier
    /// characters just before it include a letter or `_` (an identifier
    /// starts there and runs on through the quote).
    pub(super) fn quote_in_identifier(&self, token_start: usize, quote: usize) -> bool {
        self.src[token_start..quote]
            .iter()
            .rev()
            .take_while(|&&b| is_identchar(b))
            .any(|&b| b.is_ascii_alphabetic() || b == b'_')
    }

    /// `{` in a comment: a quoted string `{id|...|id}` (also `{%ext id|`)
    /// is skipped as a whole.
    pub(super) fn comment_brace(&self, at: usize, comment_start: usize) -> Result<usize, RawError> {
        let mut p = at + 1;
        if self.byte(p) == b'%' {
            p += 1;
            if self.byte(p) == b'%' {
                p += 1;
            }
            match self.extattrident_end(p) {
                Some(end) => p = end,
                None => return Ok(at + 1),
            }
            while is_blank(self.byte(p)) && !self.at_end(p) {
                p += 1;
            }
        }
        let delim_start = p;
        while is_lowercase(self.byte(p)) && !self.at_end(p) {
            p += 1;
        }
        if self.byte(p) != b'|' || self.at_end(p) {
            return Ok(at + 1);
        }
        let delim = &self.src[delim_start..p];
        self.quoted_string_end(
            p + 1,
            delim,
            at,
            StringMode::Comment {
                start: comment_start,
            },
        )
    }

    /// `'` in a comment: character literals are skipped so that `'"'` does
    /// not open a string.
    pub(super) fn comment_quote(&self, at: usize) -> Result<usize, RawError> {
        if self.byte(at + 1) == b'\'' && !self.at_end(at + 1) {
            return Ok(at + 2);
        }
        match self.char_literal(at, StringMode::Comment { start: at })? {
            Some(end) => Ok(end),
            None => Ok(at + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{fails, kinds};
    use crate::token::Kind;

    #[test]
    fn identifiers_in_comments_swallow_quotes() {
        assert_eq!(kinds("(* don't \"*) x"), Vec::<Kind>::new());
        assert_eq!(
            kinds("(* don't \" *) \" *) x"),
            vec![Kind::Lident, Kind::Eof]
        );
        assert_eq!(kinds("(* 1'\"' *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(* a1'\"' *) \" *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(* 'a''\"' *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(* *'\"' *) x"), vec![Kind::Lident, Kind::Eof]);
    }

    #[test]
    fn nested_comments_skip_strings_and_chars() {
        assert_eq!(
            kinds("(* a (* b *) \"*)\" '\"' *) x"),
            vec![Kind::Lident, Kind::Eof]
        );
        assert_eq!(kinds("(* {|*)|} *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(* {id|*)|id} *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(* it's *) x"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(*) x *) y"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(kinds("(**) x"), vec![Kind::Lident, Kind::Eof]);
        assert!(fails("(* \"abc *)"));
        assert!(fails("(* (* *)"));
    }
}
