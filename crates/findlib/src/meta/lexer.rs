//! Tokens of META (and findlib.conf) files, with their line and columns.
//!
//! The token set is that of findlib's own scanner: names made of
//! `A-Z a-z 0-9 _ .`, the punctuation `( ) , - = +=`, and double-quoted
//! strings in which only `\\` and `\"` are escapes. Blanks are space, tab
//! and carriage return; `#` starts a comment that runs to the end of the
//! line. Anything else is an error, reported where it stands.

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A name: variable, predicate, or the keyword `package`.
    Name(String),
    /// A string constant, with its escapes removed.
    Str(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `-`
    Minus,
    /// `=`
    Equal,
    /// `+=`
    PlusEqual,
    /// The end of the input.
    Eof,
}

impl TokenKind {
    /// How the token is described in error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenKind::Name(n) => format!("name `{n}'"),
            TokenKind::Str(_) => "a string".to_string(),
            TokenKind::LParen => "`('".to_string(),
            TokenKind::RParen => "`)'".to_string(),
            TokenKind::Comma => "`,'".to_string(),
            TokenKind::Minus => "`-'".to_string(),
            TokenKind::Equal => "`='".to_string(),
            TokenKind::PlusEqual => "`+='".to_string(),
            TokenKind::Eof => "the end of the file".to_string(),
        }
    }
}

/// Where a token is: line from 1, byte columns from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) line: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) span: Span,
    /// For a string: true when its text is written verbatim between the
    /// quotes (no escapes, no line break), so that a column inside the value
    /// is the column of the quote plus one plus the offset.
    pub(crate) verbatim: bool,
}

/// A character that cannot start a token, or a malformed string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub(crate) span: Span,
    pub(crate) message: String,
}

/// Splits META text into tokens. Produces `Eof` forever once at the end.
pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn span_from(&self, start: usize, line: usize, line_start: usize) -> Span {
        Span {
            line,
            start: start - line_start,
            end: self.pos - line_start,
        }
    }

    /// The next token, or the reason there is none.
    pub(crate) fn next_token(&mut self) -> Result<Token, LexError> {
        // Blanks, line breaks and comments.
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b'#' => {
                    while self.src.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let start = self.pos;
        let (line, line_start) = (self.line, self.line_start);
        let Some(&b) = self.src.get(self.pos) else {
            return Ok(Token {
                kind: TokenKind::Eof,
                span: self.span_from(start, line, line_start),
                verbatim: true,
            });
        };
        let kind = match b {
            b'(' => {
                self.pos += 1;
                TokenKind::LParen
            }
            b')' => {
                self.pos += 1;
                TokenKind::RParen
            }
            b',' => {
                self.pos += 1;
                TokenKind::Comma
            }
            b'-' => {
                self.pos += 1;
                TokenKind::Minus
            }
            b'=' => {
                self.pos += 1;
                TokenKind::Equal
            }
            b'+' if self.src.get(self.pos + 1) == Some(&b'=') => {
                self.pos += 2;
                TokenKind::PlusEqual
            }
            b'"' => return self.string(start, line, line_start),
            _ if is_name_byte(b) => {
                while self.src.get(self.pos).is_some_and(|&c| is_name_byte(c)) {
                    self.pos += 1;
                }
                // Name bytes are ASCII, so this is always valid UTF-8.
                TokenKind::Name(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
            }
            _ => {
                let text = match std::str::from_utf8(&self.src[start..]) {
                    Ok(s) => s.chars().next().map(|c| c.to_string()),
                    Err(e) if e.valid_up_to() > 0 => {
                        std::str::from_utf8(&self.src[start..start + e.valid_up_to()])
                            .ok()
                            .and_then(|s| s.chars().next())
                            .map(|c| c.to_string())
                    }
                    Err(_) => None,
                };
                let width = text.as_ref().map_or(1, |t| t.len());
                self.pos += width;
                let what = match text {
                    Some(t) if b == b'+' => format!("`{t}' (did you mean `+='?)"),
                    Some(t) => format!("character `{}'", t.escape_default()),
                    None => format!("byte 0x{b:02x}"),
                };
                return Err(LexError {
                    span: self.span_from(start, line, line_start),
                    message: format!("unexpected {what}"),
                });
            }
        };
        Ok(Token {
            kind,
            span: self.span_from(start, line, line_start),
            verbatim: true,
        })
    }

    fn string(&mut self, start: usize, line: usize, line_start: usize) -> Result<Token, LexError> {
        self.pos += 1; // opening quote
        let mut value: Vec<u8> = Vec::new();
        let mut verbatim = true;
        loop {
            let Some(&b) = self.src.get(self.pos) else {
                return Err(LexError {
                    span: Span {
                        line,
                        start: start - line_start,
                        end: start - line_start + 1,
                    },
                    message: "this string is not terminated".to_string(),
                });
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => match self.src.get(self.pos + 1) {
                    Some(&c @ (b'\\' | b'"')) => {
                        value.push(c);
                        verbatim = false;
                        self.pos += 2;
                    }
                    other => {
                        let (bl, bls) = (self.line, self.line_start);
                        let at = self.pos;
                        let shown = match other {
                            Some(&c) if c.is_ascii_graphic() => format!("\\{}", c as char),
                            Some(&c) => format!("\\ followed by byte 0x{c:02x}"),
                            None => "\\ at the end of the file".to_string(),
                        };
                        return Err(LexError {
                            span: Span {
                                line: bl,
                                start: at - bls,
                                end: at - bls + 2,
                            },
                            message: format!(
                                "invalid escape {shown} in a string: only \\\\ and \\\" are escapes in META files"
                            ),
                        });
                    }
                },
                b'\n' => {
                    value.push(b);
                    verbatim = false;
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                _ => {
                    value.push(b);
                    self.pos += 1;
                }
            }
        }
        // The end column is counted from the line the string starts on.
        let span = Span {
            line,
            start: start - line_start,
            end: self.pos - line_start,
        };
        let value = match String::from_utf8(value) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(Token {
            kind: TokenKind::Str(value),
            span,
            verbatim,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    fn first_error(src: &str) -> LexError {
        let mut lx = Lexer::new(src.as_bytes());
        loop {
            match lx.next_token() {
                Ok(t) if t.kind == TokenKind::Eof => panic!("no error in {src:?}"),
                Ok(_) => {}
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn assignment_with_predicates_is_tokenized() {
        assert_eq!(
            kinds("archive(byte,-mt) += \"a.cma\""),
            vec![
                TokenKind::Name("archive".into()),
                TokenKind::LParen,
                TokenKind::Name("byte".into()),
                TokenKind::Comma,
                TokenKind::Minus,
                TokenKind::Name("mt".into()),
                TokenKind::RParen,
                TokenKind::PlusEqual,
                TokenKind::Str("a.cma".into()),
            ]
        );
    }

    #[test]
    fn names_may_contain_dots_and_digits() {
        assert_eq!(kinds("pkg_a.b2"), vec![TokenKind::Name("pkg_a.b2".into())]);
    }

    #[test]
    fn comments_run_to_end_of_line() {
        assert_eq!(
            kinds("# hello \"x\n a # b\n"),
            vec![TokenKind::Name("a".into())]
        );
    }

    #[test]
    fn string_escapes_are_removed() {
        assert_eq!(
            kinds(r#""a\"b\\c""#),
            vec![TokenKind::Str("a\"b\\c".into())]
        );
    }

    #[test]
    fn strings_may_span_lines_and_keep_line_count() {
        let mut lx = Lexer::new(b"a = \"x\ny\"\nb");
        lx.next_token().unwrap();
        lx.next_token().unwrap();
        let s = lx.next_token().unwrap();
        assert_eq!(s.kind, TokenKind::Str("x\ny".into()));
        assert!(!s.verbatim);
        let b = lx.next_token().unwrap();
        assert_eq!(
            b.span,
            Span {
                line: 3,
                start: 0,
                end: 1
            }
        );
    }

    #[test]
    fn spans_count_bytes_from_line_start() {
        let mut lx = Lexer::new(b"\n  version = \"1\"");
        let v = lx.next_token().unwrap();
        assert_eq!(
            v.span,
            Span {
                line: 2,
                start: 2,
                end: 9
            }
        );
        lx.next_token().unwrap();
        let s = lx.next_token().unwrap();
        assert_eq!(
            s.span,
            Span {
                line: 2,
                start: 12,
                end: 15
            }
        );
        assert!(s.verbatim);
    }

    #[test]
    fn other_escapes_are_errors() {
        let e = first_error("a = \"x\\ny\"");
        assert_eq!(
            e.span,
            Span {
                line: 1,
                start: 6,
                end: 8
            }
        );
        assert!(e.message.contains("\\n"), "{}", e.message);
    }

    #[test]
    fn unterminated_string_is_an_error_at_the_quote() {
        let e = first_error("a = \"xyz");
        assert_eq!(
            e.span,
            Span {
                line: 1,
                start: 4,
                end: 5
            }
        );
        assert!(e.message.contains("not terminated"));
    }

    #[test]
    fn lone_plus_is_an_error() {
        let e = first_error("a + \"x\"");
        assert!(e.message.contains("+="), "{}", e.message);
    }

    #[test]
    fn non_ascii_outside_strings_is_an_error() {
        let e = first_error("é = \"x\"");
        assert_eq!(
            e.span,
            Span {
                line: 1,
                start: 0,
                end: 2
            }
        );
    }

    #[test]
    fn utf8_inside_strings_is_kept() {
        assert_eq!(kinds("\"é\""), vec![TokenKind::Str("é".into())]);
    }
}
