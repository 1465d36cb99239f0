//! Patterns: the boolean expressions on the left of a `_tags` line.
//!
//! Atoms are `<glob>`, `"exact path"` (with `\"` for a quote), `true`/`1` and
//! `false`/`0`. Operators are `not`/`NOT`/`~` (on one atom or a parenthesised
//! group), `and`/`AND`/`&` and `or`/`OR`/`|`, with `and` binding tighter.
//! Blanks between tokens are ignored. Keywords are lexed by longest match
//! like ocamllex does, so `andx` is `and` followed by an error, and `10` is
//! `1` followed by `0` (a syntax error).
//!
//! A pattern read from `sub/_tags` is *scoped*: its globs and exact strings
//! get the `sub/` prefix and the whole expression only holds for `sub` and
//! paths below it.

use crate::glob::{self, Glob, MAX_NESTING, Node};
use crate::{Error, Result};

/// A parsed and compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: Vec<u8>,
    expr: Expr,
    scope: Option<String>,
}

/// The boolean structure of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    True,
    False,
    Glob(Glob),
    Exact(Vec<u8>),
    Not(Box<Expr>),
    /// All of them (flat, so long chains do not nest).
    And(Vec<Expr>),
    /// Any of them.
    Or(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Glob(Node, Vec<u8>),
    Exact(Vec<u8>),
    And,
    Or,
    Not,
    LParen,
    RParen,
    True,
    False,
    Eof,
}

impl Token {
    /// The token's name in ocamlbuild's parse errors.
    fn name(&self) -> &'static str {
        match self {
            Token::Glob(..) | Token::Exact(_) => "ATOM",
            Token::And => "AND",
            Token::Or => "OR",
            Token::Not => "NOT",
            Token::LParen => "LPAR",
            Token::RParen => "RPAR",
            Token::True => "TRUE",
            Token::False => "FALSE",
            Token::Eof => "EOF",
        }
    }
}

type MakeToken = fn() -> Token;

/// Keywords and one-character operators (none is a prefix of another, so
/// the first match is also the longest).
const KEYWORDS: [(&[u8], MakeToken); 15] = [
    (b"and", || Token::And),
    (b"AND", || Token::And),
    (b"&", || Token::And),
    (b"or", || Token::Or),
    (b"OR", || Token::Or),
    (b"|", || Token::Or),
    (b"not", || Token::Not),
    (b"NOT", || Token::Not),
    (b"~", || Token::Not),
    (b"true", || Token::True),
    (b"1", || Token::True),
    (b"false", || Token::False),
    (b"0", || Token::False),
    (b"(", || Token::LParen),
    (b")", || Token::RParen),
];

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    pushed_back: Option<Token>,
}

impl Lexer<'_> {
    fn next(&mut self) -> std::result::Result<Token, String> {
        if let Some(t) = self.pushed_back.take() {
            return Ok(t);
        }
        while self.input.get(self.pos).copied().is_some_and(is_space) {
            self.pos += 1;
        }
        let rest = &self.input[self.pos.min(self.input.len())..];
        let Some(&c) = rest.first() else {
            return Ok(Token::Eof);
        };
        if c == b'<' {
            let start = self.pos;
            let (node, _, end) = glob::parse_until(self.input, self.pos + 1, b">", 0)?;
            self.pos = end;
            let text = self.input[start + 1..end - 1].to_vec();
            return Ok(Token::Glob(node, text));
        }
        if c == b'"' {
            let mut value = Vec::new();
            let mut i = self.pos + 1;
            loop {
                match self.input.get(i) {
                    Some(b'"') => {
                        self.pos = i + 1;
                        return Ok(Token::Exact(value));
                    }
                    Some(b'\\') if self.input.get(i + 1) == Some(&b'"') => {
                        value.push(b'"');
                        i += 2;
                    }
                    Some(b'\\') => {
                        return Err("Unexpected character '\\\\' in string".to_string());
                    }
                    Some(&b) => {
                        value.push(b);
                        i += 1;
                    }
                    None => return Err("lexing: empty token".to_string()),
                }
            }
        }
        for (word, token) in KEYWORDS {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(token());
            }
        }
        Err("lexing: empty token".to_string())
    }

    fn push_back(&mut self, t: Token) {
        self.pushed_back = Some(t);
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    depth: usize,
    /// `dir/` for patterns of a subdirectory's `_tags`.
    prefix: Option<String>,
}

type PResult<T> = std::result::Result<T, String>;

impl Parser<'_> {
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            Err("pattern nesting is too deep".to_string())
        } else {
            Ok(())
        }
    }

    /// One atom, with the `not`s in front of it.
    fn atom(&mut self) -> PResult<Expr> {
        let mut negations = 0usize;
        loop {
            match self.lexer.next()? {
                Token::Not => negations += 1,
                token => {
                    let mut e = match token {
                        Token::Glob(node, text) => {
                            let text = String::from_utf8_lossy(&text).into_owned();
                            match &self.prefix {
                                // ocamlbuild concatenates the tree with a word,
                                // so any directory name is accepted.
                                Some(prefix) => {
                                    let node = Node::Concat(vec![
                                        Node::Word(prefix.as_bytes().to_vec()),
                                        node,
                                    ]);
                                    Expr::Glob(Glob::from_node(format!("{prefix}{text}"), &node))
                                }
                                None => Expr::Glob(Glob::from_node(text, &node)),
                            }
                        }
                        Token::Exact(s) => match &self.prefix {
                            Some(prefix) => {
                                let mut v = prefix.as_bytes().to_vec();
                                v.extend_from_slice(&s);
                                Expr::Exact(v)
                            }
                            None => Expr::Exact(s),
                        },
                        Token::True => Expr::True,
                        Token::False => Expr::False,
                        Token::LParen => {
                            self.enter()?;
                            let e = self.disjunction()?;
                            self.depth -= 1;
                            match self.lexer.next()? {
                                Token::RParen => e,
                                t => {
                                    return Err(format!(
                                        "Unexpected token, expecting RPAR, got {}",
                                        t.name()
                                    ));
                                }
                            }
                        }
                        t => return Err(format!("Unexpected token {} in atomizer", t.name())),
                    };
                    // `not not x` is `x`: only the parity matters, and keeping
                    // it avoids deep nesting on hostile input.
                    if negations % 2 == 1 {
                        e = Expr::Not(Box::new(e));
                    }
                    return Ok(e);
                }
            }
        }
    }

    /// `a or b or ...` (ocamlbuild nests it to the right; same meaning).
    fn disjunction(&mut self) -> PResult<Expr> {
        let mut terms = vec![self.conjunction()?];
        loop {
            match self.lexer.next()? {
                Token::Or => terms.push(self.conjunction()?),
                t => {
                    self.lexer.push_back(t);
                    break;
                }
            }
        }
        if terms.len() == 1 {
            Ok(terms.pop().unwrap_or(Expr::False))
        } else {
            Ok(Expr::Or(terms))
        }
    }

    /// `a and b and ...`.
    fn conjunction(&mut self) -> PResult<Expr> {
        let mut factors = vec![self.atom()?];
        loop {
            match self.lexer.next()? {
                Token::And => factors.push(self.atom()?),
                t => {
                    self.lexer.push_back(t);
                    break;
                }
            }
        }
        if factors.len() == 1 {
            Ok(factors.pop().unwrap_or(Expr::True))
        } else {
            Ok(Expr::And(factors))
        }
    }
}

fn parse_expr(text: &[u8], prefix: Option<String>) -> PResult<Expr> {
    let mut p = Parser {
        lexer: Lexer {
            input: text,
            pos: 0,
            pushed_back: None,
        },
        depth: 0,
        prefix,
    };
    let e = p.disjunction()?;
    match p.lexer.next()? {
        Token::Eof => Ok(e),
        t => Err(format!("Unexpected token, expecting EOF, got {}", t.name())),
    }
}

impl Expr {
    fn eval(&self, path: &[u8]) -> bool {
        match self {
            Expr::True => true,
            Expr::False => false,
            Expr::Glob(g) => g.is_match_bytes(path),
            Expr::Exact(s) => s.as_slice() == path,
            Expr::Not(a) => !a.eval(path),
            Expr::And(v) => v.iter().all(|e| e.eval(path)),
            Expr::Or(v) => v.iter().any(|e| e.eval(path)),
        }
    }
}

/// Normalises a directory for scoping: `""`, `"."` and `"./"` mean the root.
fn normalise_dir(dir: &str) -> Option<String> {
    let d = dir.strip_prefix("./").unwrap_or(dir).trim_end_matches('/');
    if d.is_empty() || d == "." {
        None
    } else {
        Some(d.to_string())
    }
}

impl Pattern {
    /// Parses a pattern as written in the root `_tags` or on the command line.
    ///
    /// ```
    /// use tags::Pattern;
    /// let p = Pattern::parse("(<*.ml> or <*.mli>) and not \"hello.ml\"").unwrap();
    /// assert!(p.matches("a.mli") && !p.matches("hello.ml"));
    /// assert!(Pattern::parse("a.ml").is_err()); // no angle brackets
    /// ```
    pub fn parse(text: &str) -> Result<Pattern> {
        Pattern::parse_bytes(text.as_bytes(), None)
    }

    /// Parses a pattern read from the `_tags` file of directory `dir`
    /// (relative to the root, e.g. `sub` or `a/b`; `""` or `"."` is the root).
    ///
    /// ```
    /// use tags::Pattern;
    /// let p = Pattern::parse_in_dir("true", "sub").unwrap();
    /// assert!(p.matches("sub") && p.matches("sub/x/y") && !p.matches("subx"));
    /// ```
    pub fn parse_in_dir(text: &str, dir: &str) -> Result<Pattern> {
        Pattern::parse_bytes(text.as_bytes(), Some(dir))
    }

    pub(crate) fn parse_bytes(text: &[u8], dir: Option<&str>) -> Result<Pattern> {
        let scope = dir.and_then(normalise_dir);
        let prefix = scope.as_ref().map(|d| format!("{d}/"));
        let expr = parse_expr(text, prefix).map_err(|reason| Error::InvalidPattern {
            text: text.to_vec(),
            reason,
        })?;
        Ok(Pattern {
            text: text.to_vec(),
            expr,
            scope,
        })
    }

    /// The text the pattern was written with.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// The directory this pattern is scoped to, if it came from a
    /// subdirectory's `_tags`.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Does the pattern hold for `path` (relative to the root, no `./`)?
    pub fn matches(&self, path: &str) -> bool {
        self.matches_bytes(path.as_bytes())
    }

    /// [`Pattern::matches`] on raw bytes.
    pub fn matches_bytes(&self, path: &[u8]) -> bool {
        if let Some(d) = &self.scope {
            let d = d.as_bytes();
            let inside =
                path.starts_with(d) && (path.len() == d.len() || path.get(d.len()) == Some(&b'/'));
            if !inside {
                return false;
            }
        }
        self.expr.eval(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(t: &str) -> Pattern {
        match Pattern::parse(t) {
            Ok(p) => p,
            Err(e) => panic!("{t}: {e}"),
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let p = ok("<*.ml> or <*.mli> and <a*>");
        assert!(p.matches("b.ml"));
        assert!(!p.matches("b.mli"));
        assert!(p.matches("a.mli"));
    }

    #[test]
    fn not_applies_to_one_atom_only() {
        let p = ok("not <a> or <b>");
        assert!(!p.matches("a"));
        assert!(p.matches("c"));
        assert!(ok("not not <a>").matches("a"));
        assert!(ok("~ ~ ~<a>").matches("b"));
    }

    #[test]
    fn keywords_are_lexed_by_longest_match() {
        assert!(Pattern::parse("andx").is_err());
        assert!(Pattern::parse("10").is_err());
        assert!(Pattern::parse("TRUE").is_err());
        assert!(ok("1").matches("x"));
        assert!(!ok("0").matches("x"));
        assert!(ok("<a>AND<a>").matches("a"));
        assert!(ok("<a>&<a>|<b>").matches("b"));
    }

    #[test]
    fn exact_strings_allow_escaped_quotes_only() {
        assert!(ok("\"a\\\"b\"").matches("a\"b"));
        assert!(Pattern::parse("\"a\\\\b\"").is_err());
        assert!(Pattern::parse("\"abc").is_err());
    }

    #[test]
    fn scoping_prefixes_atoms_and_restricts_to_the_subtree() {
        let p = match Pattern::parse_in_dir("not <b.ml>", "sub") {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        assert!(!p.matches("sub/b.ml"));
        assert!(p.matches("sub/c.ml"));
        assert!(p.matches("sub"));
        assert!(!p.matches("other/c.ml"));
        assert_eq!(p.scope(), Some("sub"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(100_000);
        assert!(Pattern::parse(&deep).is_err());
        let braces = format!("<{}>", "{".repeat(100_000));
        assert!(Pattern::parse(&braces).is_err());
    }
}
