//! Literals: strings (with their escapes), quoted strings `{id|...|id}`
//! and quoted extensions `{%ext|...|}`, character literals, and integer and
//! float literals.

use super::Lexer;
use super::char_class::{find_string_special, is_blank, is_identchar, is_lowercase};
use crate::error::RawError;
use crate::token::Kind;

/// Reads the decimal digits at `digits` (at most 3 bytes) as a number.
pub(super) fn decimal_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

pub(super) fn octal_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 8 + u32::from(d.wrapping_sub(b'0')))
}

/// What a string body is being read for: in comments, out-of-range numeric
/// escapes are tolerated, and an unterminated string is reported as the
/// comment's error (`start` is where the comment opens).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum StringMode {
    Code,
    Comment { start: usize },
}

/// The error for a string opened at `opening` and never closed.
pub(super) fn unterminated_string(opening: usize, mode: StringMode) -> RawError {
    match mode {
        StringMode::Code => {
            RawError::lexical(opening, opening + 1, "string literal not terminated")
        }
        StringMode::Comment { start } => RawError::lexical(
            start,
            start + 2,
            "this comment contains an unterminated string literal",
        ),
    }
}

impl<'a> Lexer<'a> {
    /// `{`, `{<`, or a quoted string `{id|...|id}` / `{%ext|...|}`.
    pub(super) fn left_brace(&mut self, start: usize) -> Result<(), RawError> {
        if let Some((kind, delim_start, body)) = self.quoted_string_opening(start) {
            let delim = &self.src[delim_start..body - 1];
            let end = self.quoted_string_end(body, delim, start, StringMode::Code)?;
            self.push(kind, start, end);
            return Ok(());
        }
        if self.byte(start + 1) == b'<' {
            self.push(Kind::LBraceLess, start, start + 2);
        } else {
            self.push(Kind::LBrace, start, start + 1);
        }
        Ok(())
    }

    /// Recognises the opening of a quoted string at `start` (a `{`): returns
    /// the token kind, where the delimiter starts, and the offset just after
    /// the opening `|`.
    pub(super) fn quoted_string_opening(&self, start: usize) -> Option<(Kind, usize, usize)> {
        let mut at = start + 1;
        let mut kind = Kind::String;
        if self.byte(at) == b'%' {
            at += 1;
            kind = Kind::QuotedStringExpr;
            if self.byte(at) == b'%' {
                at += 1;
                kind = Kind::QuotedStringItem;
            }
            at = self.extattrident_end(at)?;
            let blanks_start = at;
            while is_blank(self.byte(at)) && !self.at_end(at) {
                at += 1;
            }
            if at == blanks_start {
                return (self.byte(at) == b'|' && !self.at_end(at)).then_some((kind, at, at + 1));
            }
        }
        let delim_start = at;
        while is_lowercase(self.byte(at)) && !self.at_end(at) {
            at += 1;
        }
        (self.byte(at) == b'|' && !self.at_end(at)).then_some((kind, delim_start, at + 1))
    }

    /// `ident ('.' ident)*` from `at`; returns its end.
    pub(super) fn extattrident_end(&self, mut at: usize) -> Option<usize> {
        loop {
            let b = self.byte(at);
            if self.at_end(at) || !(b.is_ascii_alphabetic() || b == b'_') {
                return None;
            }
            at += 1;
            while !self.at_end(at) && is_identchar(self.byte(at)) {
                at += 1;
            }
            if self.byte(at) == b'.' && !self.at_end(at) {
                at += 1;
            } else {
                return Some(at);
            }
        }
    }

    /// Finds `|delim}` from `from`; returns the offset after it.
    pub(super) fn quoted_string_end(
        &self,
        from: usize,
        delim: &[u8],
        opening: usize,
        mode: StringMode,
    ) -> Result<usize, RawError> {
        let mut at = from;
        while let Some(bar) = self.src[at..].iter().position(|&b| b == b'|') {
            let bar = at + bar;
            let after = bar + 1 + delim.len();
            if self.src.get(bar + 1..after) == Some(delim)
                && self.byte(after) == b'}'
                && !self.at_end(after)
            {
                return Ok(after + 1);
            }
            at = bar + 1;
        }
        Err(unterminated_string(opening, mode))
    }

    /// A string body from `from` (just after the opening `"`); returns the
    /// offset after the closing quote.
    pub(super) fn string_body(
        &self,
        from: usize,
        mode: StringMode,
        opening: usize,
    ) -> Result<usize, RawError> {
        let mut at = from;
        loop {
            at = find_string_special(self.src, at);
            if self.at_end(at) {
                return Err(unterminated_string(opening, mode));
            }
            match self.byte(at) {
                b'"' => return Ok(at + 1),
                _ => at = self.string_escape(at, mode)?,
            }
        }
    }

    /// Checks the escape at `at` (a backslash) in a string; returns where
    /// the string goes on.
    pub(super) fn string_escape(&self, at: usize, mode: StringMode) -> Result<usize, RawError> {
        let next = self.byte(at + 1);
        if self.at_end(at + 1) {
            return Ok(at + 1);
        }
        match next {
            b'\r' | b'\n' => {
                let mut p = at + 1;
                while self.byte(p) == b'\r' && !self.at_end(p) {
                    p += 1;
                }
                if self.byte(p) == b'\n' && !self.at_end(p) {
                    p += 1;
                    while matches!(self.byte(p), b' ' | b'\t') && !self.at_end(p) {
                        p += 1;
                    }
                    Ok(p)
                } else {
                    Ok(at + 2)
                }
            }
            b'0'..=b'9' => {
                let digits = self.src.get(at + 1..at + 4);
                match digits {
                    Some(d) if d.iter().all(u8::is_ascii_digit) => {
                        if decimal_value(d) > 255 && mode == StringMode::Code {
                            return Err(self.illegal_escape(at, at + 4));
                        }
                        Ok(at + 4)
                    }
                    _ => Ok(at + 2),
                }
            }
            b'o' => match self.src.get(at + 2..at + 5) {
                Some(d) if d.iter().all(|b| (b'0'..=b'7').contains(b)) => {
                    if octal_value(d) > 255 && mode == StringMode::Code {
                        return Err(self.illegal_escape(at, at + 5));
                    }
                    Ok(at + 5)
                }
                _ => Ok(at + 2),
            },
            b'u' => self.unicode_escape(at),
            _ => Ok(at + 2),
        }
    }

    /// `\u{XXXX}`: at most 6 digits, a Unicode scalar value (checked even
    /// in comments, like the compiler does).
    pub(super) fn unicode_escape(&self, at: usize) -> Result<usize, RawError> {
        if self.byte(at + 2) != b'{' {
            return Ok(at + 2);
        }
        let digits_start = at + 3;
        let digits_end = self.symbol_run(digits_start, |b| b.is_ascii_hexdigit());
        if digits_end == digits_start || self.byte(digits_end) != b'}' || self.at_end(digits_end) {
            return Ok(at + 2);
        }
        let end = digits_end + 1;
        if digits_end - digits_start > 6 {
            return Err(self.illegal_escape(at, end));
        }
        let value = self.src[digits_start..digits_end]
            .iter()
            .fold(0u32, |acc, &d| {
                acc * 16 + (d as char).to_digit(16).unwrap_or(0)
            });
        if char::from_u32(value).is_none() {
            return Err(self.illegal_escape(at, end));
        }
        Ok(end)
    }

    pub(super) fn illegal_escape(&self, start: usize, end: usize) -> RawError {
        RawError::lexical(
            start,
            end,
            format!(
                "illegal backslash escape in string or character ({})",
                String::from_utf8_lossy(&self.src[start..end.min(self.src.len())])
            ),
        )
    }

    /// `'`: a character literal, or a quote before a type variable.
    pub(super) fn quote(&mut self, start: usize) -> Result<(), RawError> {
        if let Some(end) = self.char_literal(start, StringMode::Code)? {
            self.push(Kind::Char, start, end);
            return Ok(());
        }
        if self.byte(start + 1) == b'\\' && !self.at_end(start + 2) {
            return Err(self.illegal_escape(start + 1, start + 3));
        }
        if self.byte(start + 1) == b'\'' && !self.at_end(start + 1) {
            return Err(RawError::lexical(
                start,
                start + 2,
                "illegal empty character literal ''",
            ));
        }
        self.push(Kind::Quote, start, start + 1);
        Ok(())
    }

    /// The end of a well-formed character literal at `start`, if there is
    /// one. In code, numeric escapes above 255 are errors.
    pub(super) fn char_literal(
        &self,
        start: usize,
        mode: StringMode,
    ) -> Result<Option<usize>, RawError> {
        let b1 = self.byte(start + 1);
        if self.at_end(start + 1) {
            return Ok(None);
        }
        let closes = |at: usize| self.byte(at) == b'\'' && !self.at_end(at);
        if b1 == b'\r' || b1 == b'\n' {
            let mut p = start + 1;
            while self.byte(p) == b'\r' && !self.at_end(p) {
                p += 1;
            }
            if self.byte(p) == b'\n' && closes(p + 1) {
                return Ok(Some(p + 2));
            }
            return Ok(None);
        }
        if b1 != b'\\' && b1 != b'\'' {
            return Ok(closes(start + 2).then_some(start + 3));
        }
        if b1 == b'\'' {
            return Ok(None);
        }
        let b2 = self.byte(start + 2);
        match b2 {
            b'\\' | b'\'' | b'"' | b'n' | b't' | b'b' | b'r' | b' ' => {
                Ok(closes(start + 3).then_some(start + 4))
            }
            b'0'..=b'9' => match self.src.get(start + 2..start + 5) {
                Some(d) if d.iter().all(u8::is_ascii_digit) && closes(start + 5) => {
                    if decimal_value(d) > 255 && mode == StringMode::Code {
                        return Err(self.illegal_escape(start + 1, start + 5));
                    }
                    Ok(Some(start + 6))
                }
                _ => Ok(None),
            },
            b'o' => {
                let first_max = if mode == StringMode::Code { b'7' } else { b'3' };
                match self.src.get(start + 3..start + 6) {
                    Some(d)
                        if (b'0'..=first_max).contains(&d[0])
                            && d[1..].iter().all(|b| (b'0'..=b'7').contains(b))
                            && closes(start + 6) =>
                    {
                        if octal_value(d) > 255 && mode == StringMode::Code {
                            return Err(self.illegal_escape(start + 1, start + 6));
                        }
                        Ok(Some(start + 7))
                    }
                    _ => Ok(None),
                }
            }
            b'x' => match self.src.get(start + 3..start + 5) {
                Some(d) if d.iter().all(u8::is_ascii_hexdigit) && closes(start + 5) => {
                    Ok(Some(start + 6))
                }
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// Integer and float literals, with an optional modifier letter; a
    /// literal glued to identifier characters is an error.
    pub(super) fn number(&mut self, start: usize) -> Result<(), RawError> {
        let (end, float) = self.numeric_literal_end(start);
        let next = self.byte(end);
        if !self.at_end(end) && is_identchar(next) {
            let modifier =
                next.is_ascii_alphabetic() && !matches!(next.to_ascii_lowercase(), b'a'..=b'f');
            let after = self.byte(end + 1);
            if modifier && (self.at_end(end + 1) || !is_identchar(after)) {
                let kind = if float { Kind::Float } else { Kind::Int };
                self.push(kind, start, end + 1);
                return Ok(());
            }
            let bad_end = self.symbol_run(end, is_identchar);
            return Err(RawError::lexical(
                start,
                bad_end,
                format!(
                    "invalid literal {}",
                    String::from_utf8_lossy(&self.src[start..bad_end])
                ),
            ));
        }
        let kind = if float { Kind::Float } else { Kind::Int };
        self.push(kind, start, end);
        Ok(())
    }

    /// The longest integer or float literal at `start`, and whether it is a
    /// float.
    pub(super) fn numeric_literal_end(&self, start: usize) -> (usize, bool) {
        let radix = match (self.byte(start), self.byte(start + 1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'o' | b'O') => 8,
            (b'0', b'b' | b'B') => 2,
            _ => 10,
        };
        let is_digit = |b: u8, radix: u32| (b as char).is_digit(radix);
        if radix != 10 {
            let first = start + 2;
            if !is_digit(self.byte(first), radix) || self.at_end(first) {
                // Just `0`, followed by identifier characters.
                return (start + 1, false);
            }
            let mut at = self.digits_end(first, radix);
            if radix != 16 {
                return (at, false);
            }
            let mut float = false;
            if self.byte(at) == b'.' && !self.at_end(at) {
                float = true;
                at = self.digits_end(at + 1, 16);
            }
            if matches!(self.byte(at), b'p' | b'P')
                && let Some(exp_end) = self.exponent_end(at)
            {
                return (exp_end, true);
            }
            return (at, float);
        }
        let mut at = self.digits_end(start, 10);
        let mut float = false;
        if self.byte(at) == b'.' && !self.at_end(at) {
            float = true;
            at = self.digits_end(at + 1, 10);
        }
        if matches!(self.byte(at), b'e' | b'E')
            && let Some(exp_end) = self.exponent_end(at)
        {
            return (exp_end, true);
        }
        (at, float)
    }

    /// Digits of `radix` and underscores from `from`.
    pub(super) fn digits_end(&self, from: usize, radix: u32) -> usize {
        let mut at = from;
        while !self.at_end(at) && ((self.byte(at) as char).is_digit(radix) || self.byte(at) == b'_')
        {
            at += 1;
        }
        at
    }

    /// `[eEpP] [+-]? [0-9] [0-9_]*` at `at`, if complete.
    pub(super) fn exponent_end(&self, at: usize) -> Option<usize> {
        let mut p = at + 1;
        if matches!(self.byte(p), b'+' | b'-') {
            p += 1;
        }
        if self.at_end(p) || !self.byte(p).is_ascii_digit() {
            return None;
        }
        Some(self.digits_end(p, 10))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{fails, kinds};
    use crate::token::Kind;

    #[test]
    fn chars_versus_type_variables() {
        assert_eq!(kinds("'a'"), vec![Kind::Char, Kind::Eof]);
        assert_eq!(kinds("'a"), vec![Kind::Quote, Kind::Lident, Kind::Eof]);
        assert_eq!(kinds(r"'\''"), vec![Kind::Char, Kind::Eof]);
        assert_eq!(kinds(r"'\n' '\065' '\o101' '\x41'").len(), 5);
        assert_eq!(
            kinds("'a' 'b"),
            vec![Kind::Char, Kind::Quote, Kind::Lident, Kind::Eof]
        );
        assert!(fails("''"));
        assert!(fails(r"'\q'"));
        assert!(fails(r"'\300'"));
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(kinds("{|a|b|}"), vec![Kind::String, Kind::Eof]);
        assert_eq!(kinds("{foo|a|}|foo}"), vec![Kind::String, Kind::Eof]);
        assert_eq!(kinds("{%ext|x|}"), vec![Kind::QuotedStringExpr, Kind::Eof]);
        assert_eq!(
            kinds("{%%a.b id|x|id}"),
            vec![Kind::QuotedStringItem, Kind::Eof]
        );
        assert_eq!(
            kinds("{%ext id|x|}|id}"),
            vec![Kind::QuotedStringExpr, Kind::Eof]
        );
        assert_eq!(
            kinds("{ x }"),
            vec![Kind::LBrace, Kind::Lident, Kind::RBrace, Kind::Eof]
        );
        assert!(fails("{|abc"));
    }

    #[test]
    fn numbers() {
        assert_eq!(kinds("1_000 0x1F 0o17 0b101 1. 1.5e-3 0x1p4 12L 3n"), {
            let mut v = vec![Kind::Int, Kind::Int, Kind::Int, Kind::Int];
            v.extend([
                Kind::Float,
                Kind::Float,
                Kind::Float,
                Kind::Int,
                Kind::Int,
                Kind::Eof,
            ]);
            v
        });
        assert!(fails("1abc"));
        assert!(fails("0b12"));
        assert!(fails("1.5f"));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            kinds(r#""a\"b\\" "\u{1F600}" "\q""#),
            vec![Kind::String, Kind::String, Kind::String, Kind::Eof]
        );
        assert!(fails(r#""\999""#));
        assert!(fails(r#""\u{D800}""#));
        assert!(fails("\"abc"));
        assert!(fails("a \r b"));
    }
}
