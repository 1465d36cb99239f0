//! The lexer: turns OCaml source bytes into [`Token`]s with the rules of the
//! 4.13 `parsing/lexer.mll` (longest match, Latin-1 identifiers, nested
//! comments that skip strings, quoted strings and character literals, line
//! directives), dropping comments and blanks. Lexical errors are the ones the
//! compiler's lexer raises; its warnings are ignored.

use crate::error::RawError;
use crate::token::{Kind, Token};

/// Lexes the whole of `src`; the last token is always [`Kind::Eof`].
pub(crate) fn tokenize(src: &[u8]) -> Result<Vec<Token>, RawError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        tokens: Vec::with_capacity(src.len() / 5 + 16),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
}

/// Character classes, one bit each, looked up in [`CLASSES`].
const IDENT: u8 = 1;
const IDENT_LATIN1: u8 = 2;
const LOWER: u8 = 4;
const LOWER_LATIN1: u8 = 8;
const UPPER_LATIN1: u8 = 16;
const SYMBOL: u8 = 32;

/// The classes of every byte, as in the character sets of `lexer.mll`.
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut class = 0;
        let lower = b.is_ascii_lowercase() || b == b'_';
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' {
            class |= IDENT | IDENT_LATIN1;
        }
        if (b >= 0xC0 && b <= 0xD6) || (b >= 0xD8 && b <= 0xF6) || b >= 0xF8 {
            class |= IDENT_LATIN1;
        }
        if lower {
            class |= LOWER | LOWER_LATIN1;
        }
        if (b >= 0xDF && b <= 0xF6) || b >= 0xF8 {
            class |= LOWER_LATIN1;
        }
        if b.is_ascii_uppercase() || (b >= 0xC0 && b <= 0xD6) || (b >= 0xD8 && b <= 0xDE) {
            class |= UPPER_LATIN1;
        }
        if matches!(
            b,
            b'!' | b'$'
                | b'%'
                | b'&'
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'^'
                | b'|'
                | b'~'
        ) {
            class |= SYMBOL;
        }
        table[i] = class;
        i += 1;
    }
    table
};

fn has_class(b: u8, class: u8) -> bool {
    CLASSES[b as usize] & class != 0
}

fn is_identchar(b: u8) -> bool {
    has_class(b, IDENT)
}

fn is_identchar_latin1(b: u8) -> bool {
    has_class(b, IDENT_LATIN1)
}

fn is_lowercase(b: u8) -> bool {
    has_class(b, LOWER)
}

fn is_lowercase_latin1(b: u8) -> bool {
    has_class(b, LOWER_LATIN1)
}

fn is_uppercase_latin1(b: u8) -> bool {
    has_class(b, UPPER_LATIN1)
}

fn is_symbolchar(b: u8) -> bool {
    has_class(b, SYMBOL)
}

fn is_symbolchar_or_hash(b: u8) -> bool {
    is_symbolchar(b) || b == b'#'
}

fn is_dotsymbolchar(b: u8) -> bool {
    is_symbolchar(b) && !matches!(b, b'.' | b'<' | b'~')
}

fn is_kwdopchar(b: u8) -> bool {
    matches!(
        b,
        b'$' | b'&' | b'*' | b'+' | b'-' | b'/' | b'<' | b'=' | b'>' | b'@' | b'^' | b'|'
    )
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0C)
}

/// Bytes whose high bit marks the bytes of a word (SWAR).
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `c` in every byte of a word.
const fn splat(c: u8) -> u64 {
    (c as u64) * 0x0101_0101_0101_0101
}

/// For each byte of `low7` (high bits clear), the high bit set when the
/// byte is within `lo..=hi` (both below 128).
fn bytes_between(low7: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = low7.wrapping_add(splat(128 - lo)) & HIGH;
    let above_hi = low7.wrapping_add(splat(127 - hi)) & HIGH;
    at_least_lo & !above_hi
}

/// The end of the run of ASCII identifier characters (`[A-Za-z0-9_']`)
/// starting at `from`, eight bytes at a time.
fn ascii_ident_end(src: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let low7 = word & !HIGH;
        let letters = bytes_between(low7 | splat(0x20), b'a', b'z');
        let digits = bytes_between(low7, b'0', b'9');
        let underscores = bytes_between(low7, b'_', b'_');
        let quotes = bytes_between(low7, b'\'', b'\'');
        let ident = (letters | digits | underscores | quotes) & !word & HIGH;
        let run = (!ident & HIGH).trailing_zeros() / 8;
        at += run as usize;
        if run < 8 {
            return at;
        }
    }
    while at < src.len() && is_identchar(src[at]) {
        at += 1;
    }
    at
}

/// The end of the run of spaces starting at `from` (indentation is often
/// long: eight bytes at a time).
fn spaces_end(src: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let others = u64::from_le_bytes(bytes) ^ splat(b' ');
        if others != 0 {
            return at + (others.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while src.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

/// Reads the decimal digits at `digits` (at most 3 bytes) as a number.
fn decimal_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

fn octal_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 8 + u32::from(d.wrapping_sub(b'0')))
}

/// What a string body is being read for: in comments, out-of-range numeric
/// escapes are tolerated, and an unterminated string is reported as the
/// comment's error (`start` is where the comment opens).
#[derive(Clone, Copy, PartialEq, Eq)]
enum StringMode {
    Code,
    Comment { start: usize },
}

impl<'a> Lexer<'a> {
    fn byte(&self, at: usize) -> u8 {
        self.src.get(at).copied().unwrap_or(0)
    }

    fn at_end(&self, at: usize) -> bool {
        at >= self.src.len()
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
        });
        self.pos = end;
    }

    fn run(&mut self) -> Result<(), RawError> {
        if u32::try_from(self.src.len()).is_err() {
            return Err(RawError::lexical(0, 0, "file too large"));
        }
        loop {
            self.skip_blanks();
            if self.pos >= self.src.len() {
                break;
            }
            self.token()?;
        }
        let end = self.src.len();
        self.push(Kind::Eof, end, end);
        Ok(())
    }

    /// Skips spaces, tabs, form feeds and newlines.
    fn skip_blanks(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b' ' => self.pos = spaces_end(self.src, self.pos + 1),
                b'\t' | b'\n' | 0x0C => self.pos += 1,
                _ => break,
            }
        }
    }

    /// Lexes one token (or skips one blank, newline, comment or directive).
    fn token(&mut self) -> Result<(), RawError> {
        let start = self.pos;
        let b = self.byte(start);
        match b {
            b' ' | b'\t' | 0x0C | b'\n' => {
                self.pos += 1;
                Ok(())
            }
            b'\r' => self.carriage_return(start),
            b'a'..=b'z' | b'_' => {
                self.lowercase_word(start);
                Ok(())
            }
            b'A'..=b'Z' => {
                self.uppercase_word(start);
                Ok(())
            }
            b'0'..=b'9' => self.number(start),
            b'"' => {
                let end = self.string_body(start + 1, StringMode::Code, start)?;
                self.push(Kind::String, start, end);
                Ok(())
            }
            b'\'' => self.quote(start),
            b'~' | b'?' => self.tilde_or_question(start),
            b'{' => self.left_brace(start),
            b'(' => {
                if self.byte(start + 1) == b'*' {
                    self.pos = self.comment(start)?;
                } else {
                    self.push(Kind::LParen, start, start + 1);
                }
                Ok(())
            }
            b'[' => {
                self.left_bracket(start);
                Ok(())
            }
            b'#' => self.hash(start),
            b'.' => self.dot(start),
            b'\\' => Err(RawError::lexical(
                start,
                start + 1,
                "illegal character (\\\\)",
            )),
            b')' => self.single(Kind::RParen, start),
            b']' => self.single(Kind::RBracket, start),
            b'}' => self.single(Kind::RBrace, start),
            b',' => self.single(Kind::Comma, start),
            b'`' => self.single(Kind::Backquote, start),
            b';' => {
                if self.byte(start + 1) == b';' {
                    self.push(Kind::SemiSemi, start, start + 2);
                } else {
                    self.push(Kind::Semi, start, start + 1);
                }
                Ok(())
            }
            b':' => {
                let kind = match self.byte(start + 1) {
                    b':' => Kind::ColonColon,
                    b'=' => Kind::ColonEqual,
                    b'>' => Kind::ColonGreater,
                    _ => Kind::Colon,
                };
                let len = if kind == Kind::Colon { 1 } else { 2 };
                self.push(kind, start, start + len);
                Ok(())
            }
            _ if is_symbolchar(b) => {
                self.operator(start);
                Ok(())
            }
            _ if is_uppercase_latin1(b) => {
                self.uppercase_word(start);
                Ok(())
            }
            _ if is_lowercase_latin1(b) => {
                self.lowercase_word(start);
                Ok(())
            }
            _ => Err(RawError::lexical(
                start,
                start + 1,
                format!("illegal character ({})", escaped_byte(b)),
            )),
        }
    }

    fn single(&mut self, kind: Kind, start: usize) -> Result<(), RawError> {
        self.push(kind, start, start + 1);
        Ok(())
    }

    /// `\r+\n` is a newline; a lone carriage return is an illegal character.
    fn carriage_return(&mut self, start: usize) -> Result<(), RawError> {
        let mut at = start;
        while self.byte(at) == b'\r' {
            at += 1;
        }
        if self.byte(at) == b'\n' && !self.at_end(at) {
            self.pos = at + 1;
            Ok(())
        } else {
            Err(RawError::lexical(
                start,
                start + 1,
                "illegal character (\\r)",
            ))
        }
    }

    /// End of the identifier starting at `start`, and whether it is made
    /// only of ASCII identifier characters (then keywords apply).
    fn word_end(&self, start: usize) -> (usize, bool) {
        let end = ascii_ident_end(self.src, start + 1);
        if self.byte(end) < 0x80 && self.byte(start) < 0x80 {
            return (end, true);
        }
        // Latin-1 letters: the slow way.
        let rest = &self.src[start + 1..];
        let len = rest
            .iter()
            .position(|&b| !is_identchar_latin1(b))
            .unwrap_or(rest.len());
        let end = start + 1 + len;
        (end, self.src[start..end].is_ascii())
    }

    fn lowercase_word(&mut self, start: usize) {
        let (end, ascii) = self.word_end(start);
        if end == start + 1 && self.byte(start) == b'_' {
            self.push(Kind::Underscore, start, end);
            return;
        }
        let keyword = if ascii {
            Kind::keyword(&self.src[start..end])
        } else {
            None
        };
        match keyword {
            Some(kind @ (Kind::Let | Kind::And)) if is_kwdopchar(self.byte(end)) => {
                let op_end = self.symbol_run(end + 1, is_dotsymbolchar);
                let kind = if kind == Kind::Let {
                    Kind::LetOp
                } else {
                    Kind::AndOp
                };
                self.push(kind, start, op_end);
            }
            Some(kind) => self.push(kind, start, end),
            None => self.push(Kind::Lident, start, end),
        }
    }

    fn uppercase_word(&mut self, start: usize) {
        let (end, _) = self.word_end(start);
        self.push(Kind::Uident, start, end);
    }

    /// `~label:`, `?label:`, `~`, `?`, or a prefix operator like `~-`.
    fn tilde_or_question(&mut self, start: usize) -> Result<(), RawError> {
        let tilde = self.byte(start) == b'~';
        let next = self.byte(start + 1);
        if !self.at_end(start + 1) && is_lowercase_latin1(next) {
            let (end, ascii) = self.word_end(start + 1);
            if self.byte(end) == b':' && !self.at_end(end) {
                let name = &self.src[start + 1..end];
                if ascii && Kind::keyword(name).is_some() {
                    return Err(RawError::lexical(
                        start,
                        end + 1,
                        format!(
                            "`{}' is a keyword, it cannot be used as label name",
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
                let kind = if tilde { Kind::Label } else { Kind::OptLabel };
                self.push(kind, start, end + 1);
                return Ok(());
            }
        }
        if !self.at_end(start + 1) && is_symbolchar_or_hash(next) {
            let end = self.symbol_run(start + 1, is_symbolchar_or_hash);
            self.push(Kind::PrefixOp, start, end);
            return Ok(());
        }
        let kind = if tilde { Kind::Tilde } else { Kind::Question };
        self.push(kind, start, start + 1);
        Ok(())
    }

    /// The end of the run of bytes accepted by `accept` from `from`.
    #[inline]
    fn symbol_run(&self, from: usize, accept: impl Fn(u8) -> bool) -> usize {
        let rest = self.src.get(from..).unwrap_or_default();
        from + rest.iter().position(|&b| !accept(b)).unwrap_or(rest.len())
    }

    /// Operators starting with a symbol character other than `~ ? . : #`.
    fn operator(&mut self, start: usize) {
        let first = self.byte(start);
        let end = if first == b'!' {
            self.symbol_run(start + 1, is_symbolchar_or_hash)
        } else {
            self.symbol_run(start + 1, is_symbolchar)
        };
        let op = &self.src[start..end];
        let kind = match op {
            b"!" => Kind::Bang,
            b"!=" => Kind::Infix0,
            b"=" => Kind::Equal,
            b"<" => Kind::Less,
            b"<-" => Kind::LessMinus,
            b">" => Kind::Greater,
            b"|" => Kind::Bar,
            b"||" => Kind::BarBar,
            b"&" => Kind::Ampersand,
            b"&&" => Kind::AmperAmper,
            b"+" => Kind::Plus,
            b"+." => Kind::PlusDot,
            b"+=" => Kind::PlusEq,
            b"-" => Kind::Minus,
            b"-." => Kind::MinusDot,
            b"->" => Kind::MinusGreater,
            b"*" => Kind::Star,
            b"%" => Kind::Percent,
            _ => match first {
                b'!' => Kind::PrefixOp,
                b'=' | b'<' | b'>' | b'|' | b'&' | b'$' => Kind::Infix0,
                b'@' | b'^' => Kind::Infix1,
                b'+' | b'-' => Kind::Infix2,
                b'*' if op.starts_with(b"**") => Kind::Infix4,
                _ => Kind::Infix3,
            },
        };
        // `>]`, `>}` and `|]` are single tokens; `]` and `}` are not symbol
        // characters, so they only matter right after a one-character op.
        let (kind, end) = match (kind, self.byte(end)) {
            (Kind::Greater, b']') => (Kind::GreaterRBracket, end + 1),
            (Kind::Greater, b'}') => (Kind::GreaterRBrace, end + 1),
            (Kind::Bar, b']') => (Kind::BarRBracket, end + 1),
            _ => (kind, end),
        };
        self.push(kind, start, end);
    }

    fn dot(&mut self, start: usize) -> Result<(), RawError> {
        let next = self.byte(start + 1);
        if next == b'.' {
            self.push(Kind::DotDot, start, start + 2);
        } else if next == b'~' {
            return Err(RawError::lexical(
                start,
                start + 2,
                "reserved character sequence: .~ is reserved for use in MetaOCaml",
            ));
        } else if !self.at_end(start + 1) && is_dotsymbolchar(next) {
            let end = self.symbol_run(start + 2, is_symbolchar);
            self.push(Kind::DotOp, start, end);
        } else {
            self.push(Kind::Dot, start, start + 1);
        }
        Ok(())
    }

    fn left_bracket(&mut self, start: usize) {
        let (kind, len) = match (
            self.byte(start + 1),
            self.byte(start + 2),
            self.byte(start + 3),
        ) {
            (b'|', _, _) => (Kind::LBracketBar, 2),
            (b'<', _, _) => (Kind::LBracketLess, 2),
            (b'>', _, _) => (Kind::LBracketGreater, 2),
            (b'@', b'@', b'@') => (Kind::LBracketAtAtAt, 4),
            (b'@', b'@', _) => (Kind::LBracketAtAt, 3),
            (b'@', _, _) => (Kind::LBracketAt, 2),
            (b'%', b'%', _) => (Kind::LBracketPercentPercent, 3),
            (b'%', _, _) => (Kind::LBracketPercent, 2),
            _ => (Kind::LBracket, 1),
        };
        let end = (start + len).min(self.src.len());
        self.push(kind, start, end);
    }

    /// `#` at the start of a line may be a line directive `# 12 "file"`,
    /// which is skipped like a comment.
    fn hash(&mut self, start: usize) -> Result<(), RawError> {
        let next = self.byte(start + 1);
        if !self.at_end(start + 1) && is_symbolchar_or_hash(next) {
            let end = self.symbol_run(start + 1, is_symbolchar_or_hash);
            self.push(Kind::HashOp, start, end);
            return Ok(());
        }
        let at_bol = start == 0 || self.byte(start - 1) == b'\n';
        if at_bol && let Some(end) = self.line_directive(start + 1)? {
            self.pos = end;
            return Ok(());
        }
        self.push(Kind::Hash, start, start + 1);
        Ok(())
    }

    /// Matches `[ \t]* digits [ \t]* "name" [^\r\n]*` from `from`; returns the
    /// end of the directive line, or `None` when it is not a directive.
    fn line_directive(&self, from: usize) -> Result<Option<usize>, RawError> {
        let skip_blanks = |mut at: usize| {
            while matches!(self.byte(at), b' ' | b'\t') && !self.at_end(at) {
                at += 1;
            }
            at
        };
        let digits_start = skip_blanks(from);
        let digits_end = self.symbol_run(digits_start, |b| b.is_ascii_digit());
        if digits_end == digits_start {
            return Ok(None);
        }
        let quote = skip_blanks(digits_end);
        if self.byte(quote) != b'"' || self.at_end(quote) {
            return Ok(None);
        }
        let mut at = quote + 1;
        while !self.at_end(at) && !matches!(self.byte(at), b'\n' | b'\r' | b'"') {
            at += 1;
        }
        if self.byte(at) != b'"' || self.at_end(at) {
            return Ok(None);
        }
        let end = self.symbol_run(at + 1, |b| b != b'\n' && b != b'\r');
        if !fits_ocaml_int(&self.src[digits_start..digits_end]) {
            return Err(RawError::lexical(
                from - 1,
                end,
                "invalid lexer directive: line number out of range",
            ));
        }
        Ok(Some(end))
    }

    /// `{`, `{<`, or a quoted string `{id|...|id}` / `{%ext|...|}`.
    fn left_brace(&mut self, start: usize) -> Result<(), RawError> {
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
    fn quoted_string_opening(&self, start: usize) -> Option<(Kind, usize, usize)> {
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
    fn extattrident_end(&self, mut at: usize) -> Option<usize> {
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
    fn quoted_string_end(
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
    fn string_body(
        &self,
        from: usize,
        mode: StringMode,
        opening: usize,
    ) -> Result<usize, RawError> {
        let mut at = from;
        loop {
            if self.at_end(at) {
                return Err(unterminated_string(opening, mode));
            }
            match self.byte(at) {
                b'"' => return Ok(at + 1),
                b'\\' => at = self.string_escape(at, mode)?,
                _ => at += 1,
            }
        }
    }

    /// Checks the escape at `at` (a backslash) in a string; returns where
    /// the string goes on.
    fn string_escape(&self, at: usize, mode: StringMode) -> Result<usize, RawError> {
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
    fn unicode_escape(&self, at: usize) -> Result<usize, RawError> {
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

    fn illegal_escape(&self, start: usize, end: usize) -> RawError {
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
    fn quote(&mut self, start: usize) -> Result<(), RawError> {
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
    fn char_literal(&self, start: usize, mode: StringMode) -> Result<Option<usize>, RawError> {
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

    /// A comment starting at `start` (on `(*`), possibly nested; returns the
    /// offset after its closing `*)`.
    fn comment(&self, start: usize) -> Result<usize, RawError> {
        let mut depth = 1usize;
        let mut at = start + 2;
        loop {
            if self.at_end(at) {
                return Err(RawError::lexical(
                    start,
                    start + 2,
                    "comment not terminated",
                ));
            }
            let b = self.byte(at);
            match b {
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
                b'\'' => at = self.comment_quote(at)?,
                _ if b.is_ascii_alphabetic() || b == b'_' => {
                    at = self.symbol_run(at + 1, is_identchar);
                }
                _ => at += 1,
            }
        }
    }

    /// `{` in a comment: a quoted string `{id|...|id}` (also `{%ext id|`)
    /// is skipped as a whole.
    fn comment_brace(&self, at: usize, comment_start: usize) -> Result<usize, RawError> {
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
    fn comment_quote(&self, at: usize) -> Result<usize, RawError> {
        if self.byte(at + 1) == b'\'' && !self.at_end(at + 1) {
            return Ok(at + 2);
        }
        match self.char_literal(at, StringMode::Comment { start: at })? {
            Some(end) => Ok(end),
            None => Ok(at + 1),
        }
    }

    /// Integer and float literals, with an optional modifier letter; a
    /// literal glued to identifier characters is an error.
    fn number(&mut self, start: usize) -> Result<(), RawError> {
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
    fn numeric_literal_end(&self, start: usize) -> (usize, bool) {
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
    fn digits_end(&self, from: usize, radix: u32) -> usize {
        let mut at = from;
        while !self.at_end(at) && ((self.byte(at) as char).is_digit(radix) || self.byte(at) == b'_')
        {
            at += 1;
        }
        at
    }

    /// `[eEpP] [+-]? [0-9] [0-9_]*` at `at`, if complete.
    fn exponent_end(&self, at: usize) -> Option<usize> {
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

/// The error for a string opened at `opening` and never closed.
fn unterminated_string(opening: usize, mode: StringMode) -> RawError {
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

/// Whether decimal `digits` fit in OCaml's 63-bit `int`.
fn fits_ocaml_int(digits: &[u8]) -> bool {
    const MAX: u64 = (1 << 62) - 1;
    let mut value: u64 = 0;
    for &d in digits {
        value = match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) if v <= MAX => v,
            _ => return false,
        };
    }
    true
}

/// How OCaml's `Char.escaped` shows a byte in an error message.
fn escaped_byte(b: u8) -> String {
    match b {
        b'\\' => "\\\\".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\t' => "\\t".to_owned(),
        b'\r' => "\\r".to_owned(),
        0x20..=0x7E => (b as char).to_string(),
        _ => format!("\\{b:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src.as_bytes())
            .map(|toks| toks.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    fn fails(src: &str) -> bool {
        tokenize(src.as_bytes()).is_err()
    }

    #[test]
    fn identifier_runs() {
        let text = b"abc_12'x+ y \xC9t\xE9 a_very_long_identifier_indeed.";
        for from in 0..text.len() {
            let slow = from
                + text[from..]
                    .iter()
                    .position(|&b| !is_identchar(b))
                    .unwrap_or(text.len() - from);
            assert_eq!(ascii_ident_end(text, from), slow, "from {from}");
        }
    }

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
    fn operators_and_binding_operators() {
        assert_eq!(
            kinds("let* x = y and+ z"),
            vec![
                Kind::LetOp,
                Kind::Lident,
                Kind::Equal,
                Kind::Lident,
                Kind::AndOp,
                Kind::Lident,
                Kind::Eof
            ]
        );
        assert_eq!(
            kinds("a <- b"),
            vec![Kind::Lident, Kind::LessMinus, Kind::Lident, Kind::Eof]
        );
        assert_eq!(
            kinds("|> >>= ** *. != !"),
            vec![
                Kind::Infix0,
                Kind::Infix0,
                Kind::Infix4,
                Kind::Infix3,
                Kind::Infix0,
                Kind::Bang,
                Kind::Eof
            ]
        );
        assert_eq!(
            kinds("[|1|] [> `A] {< >}"),
            vec![
                Kind::LBracketBar,
                Kind::Int,
                Kind::BarRBracket,
                Kind::LBracketGreater,
                Kind::Backquote,
                Kind::Uident,
                Kind::RBracket,
                Kind::LBraceLess,
                Kind::GreaterRBrace,
                Kind::Eof
            ]
        );
        assert_eq!(
            kinds("a.%(b)"),
            vec![
                Kind::Lident,
                Kind::DotOp,
                Kind::LParen,
                Kind::Lident,
                Kind::RParen,
                Kind::Eof
            ]
        );
        assert!(fails("x.~"));
        assert_eq!(
            kinds("~lbl: ?opt: ~- ?"),
            vec![
                Kind::Label,
                Kind::OptLabel,
                Kind::PrefixOp,
                Kind::Question,
                Kind::Eof
            ]
        );
        assert!(fails("~let:"));
    }

    #[test]
    fn directives_and_hash() {
        assert_eq!(kinds("# 1 \"foo.ml\"\nx"), vec![Kind::Lident, Kind::Eof]);
        assert_eq!(
            kinds("#load \"x\""),
            vec![Kind::Hash, Kind::Lident, Kind::String, Kind::Eof]
        );
        assert_eq!(
            kinds("x ## y"),
            vec![Kind::Lident, Kind::HashOp, Kind::Lident, Kind::Eof]
        );
        assert!(fails("#99999999999999999999 \"\"\n"));
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

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).
    use crate::testing::ml;

    #[test]
    fn comments_and_literals_hide_paths() {
        assert_eq!(
            ml(
                r##"(* A.x "B.y *)" (* nested C.z *) '"' *) let s = "D.x" let q = {|E.x|} let r = {id|F.x|}|id} let c = '\'' let n = 1_000 + G.x"##
            ),
            "G"
        );
    }

    #[test]
    fn char_literals_versus_type_variables() {
        assert_eq!(ml(r##"let f (x : 'a M.t) = 'a' let g = N.x"##), "M N");
    }

    #[test]
    fn line_directives_and_toplevel_directives() {
        assert_eq!(
            ml(r##"# 1 "other.ml"
let x = A.x
#load "b.cma";;
#require B.c;;
let y = C.y
"##),
            "A C"
        );
    }

    #[test]
    fn binding_operators() {
        assert_eq!(
            ml(r##"let ( let* ) = A.bind
let x = let* y = B.f () and* z = C.g in D.h y z"##),
            "A B C D"
        );
    }
}
