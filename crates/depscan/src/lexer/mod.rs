//! The lexer: turns OCaml source bytes into [`Token`]s with the rules of the
//! 4.13 `parsing/lexer.mll` (longest match, Latin-1 identifiers, nested
//! comments that skip strings, quoted strings and character literals, line
//! directives), dropping comments and blanks. Lexical errors are the ones the
//! compiler's lexer raises; its warnings are ignored.
//!
//! This file holds the token loop, identifiers, operators and punctuation;
//! literals, comments and character classes have their own submodules.

mod char_class;
mod comments;
mod literals;

use crate::error::RawError;
use crate::token::{Kind, Token};
use char_class::{
    ascii_ident_end, is_dotsymbolchar, is_identchar_latin1, is_kwdopchar, is_lowercase_latin1,
    is_symbolchar, is_symbolchar_or_hash, is_uppercase_latin1, spaces_end,
};
use literals::StringMode;

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
        while let Some(&b) = self.src.get(self.pos) {
            self.token(b)?;
        }
        let end = self.src.len();
        self.push(Kind::Eof, end, end);
        Ok(())
    }

    /// Lexes one token starting with byte `b` (or skips blanks, a newline
    /// and the indentation after it, a comment or a directive).
    #[inline]
    fn token(&mut self, b: u8) -> Result<(), RawError> {
        let start = self.pos;
        match b {
            b' ' => {
                self.pos = spaces_end(self.src, start + 1);
                Ok(())
            }
            b'\n' => {
                self.pos = if self.byte(start + 1) == b' ' {
                    spaces_end(self.src, start + 2)
                } else {
                    start + 1
                };
                Ok(())
            }
            b'\t' | 0x0C => {
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
    #[inline]
    fn word_end(&self, start: usize) -> (usize, bool) {
        let end = ascii_ident_end(self.src, start + 1);
        if self.byte(end) < 0x80 && self.byte(start) < 0x80 {
            return (end, true);
        }
        self.latin1_word_end(start)
    }

    /// [`Lexer::word_end`] for words with Latin-1 letters: the slow way.
    #[cold]
    #[inline(never)]
    fn latin1_word_end(&self, start: usize) -> (usize, bool) {
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
            Kind::keyword_in(self.src, start, end)
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
                if ascii && Kind::keyword_in(self.src, start + 1, end).is_some() {
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

/// Helpers for the lexer's unit tests.
#[cfg(test)]
pub(super) mod test_support {
    use super::tokenize;
    use crate::token::Kind;

    /// The kinds of the tokens of `src` (empty if it does not lex).
    pub fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src.as_bytes())
            .map(|toks| toks.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    /// Whether `src` fails to lex.
    pub fn fails(src: &str) -> bool {
        tokenize(src.as_bytes()).is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{fails, kinds};
    use crate::token::Kind;

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
