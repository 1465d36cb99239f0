//! Path schemes: the target and dependency names of rules, such as
//! `%.cmo`, `%(path:<**/>)lib%(libname:<*> and not <*.*>).a`, matched
//! against a path to bind their variables, and filled in from bindings.
//!
//! Syntax: `%` is the anonymous variable, `%(name)` a named one and
//! `%(name:PATTERN)` a named one restricted to values satisfying a pattern
//! (`\(` and `\)` escape parentheses inside it). Everything else is literal.
//!
//! Matching is ocamlbuild's (`Resource.MetaPath`): left to right, a
//! variable followed by a literal first tries the *first* occurrence of
//! that literal and moves to later occurrences only if the value is
//! rejected or the rest fails; a final variable takes the rest.

use crate::error::{Error, LexingMessage};
use crate::location::{Location, Source, SourceKind};
use crate::pattern::Pattern;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Word(Vec<u8>),
    Var(String, Option<Pattern>),
}

/// A parsed path scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathScheme {
    text: String,
    atoms: Vec<Atom>,
}

/// Variable values from a match, in ocamlbuild's order (the last variable
/// of the scheme first). `Display` is the form used in `_digests` keys and
/// messages: `%(libname)=foo %(path)=src/ ` (each binding followed by a
/// space; the anonymous variable prints as `%=value `).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bindings(Vec<(String, String)>);

impl Bindings {
    /// The value of a variable (`""` names the anonymous one).
    pub fn get(&self, var: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == var)
            .map(|(_, v)| v.as_str())
    }

    /// The bindings, last variable first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Adds a binding in front.
    pub fn bind(&mut self, var: &str, value: &str) {
        self.0.insert(0, (var.to_string(), value.to_string()));
    }
}

impl fmt::Display for Bindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in &self.0 {
            if k.is_empty() {
                write!(f, "%={v} ")?;
            } else {
                write!(f, "%({k})={v} ")?;
            }
        }
        Ok(())
    }
}

fn is_var_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Length of a `([^()\\] | '\\' [()])*` run from `i`.
fn pattern_run(s: &[u8], mut i: usize) -> usize {
    let start = i;
    loop {
        match s.get(i) {
            Some(b'(') | Some(b')') | None => return i - start,
            Some(b'\\') => match s.get(i + 1) {
                Some(b'(') | Some(b')') => i += 2,
                _ => return i - start,
            },
            Some(_) => i += 1,
        }
    }
}

fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == b'\\' && matches!(s.get(i + 1), Some(b'(') | Some(b')')) {
            out.push(s[i + 1]);
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

impl PathScheme {
    /// Parses a scheme where `%(var:pattern)` is allowed (a rule's products).
    ///
    /// ```
    /// use tags::PathScheme;
    /// let s = PathScheme::parse("%(path:<**/>)lib%(libname:<*> and not <*.*>).a").unwrap();
    /// let b = s.matches("src/bar/libfoo.a").unwrap();
    /// assert_eq!(b.get("libname"), Some("foo"));
    /// assert_eq!(b.to_string(), "%(libname)=foo %(path)=src/bar/ ");
    /// assert!(s.matches("libfoo.b.a").is_none());
    /// ```
    pub fn parse(text: &str) -> crate::Result<PathScheme> {
        PathScheme::parse_with(text, true)
    }

    /// Parses a scheme where patterns are an error (a rule's dependencies).
    pub fn parse_without_patterns(text: &str) -> crate::Result<PathScheme> {
        PathScheme::parse_with(text, false)
    }

    fn parse_with(text: &str, patterns_allowed: bool) -> crate::Result<PathScheme> {
        let s = text.as_bytes();
        let mut atoms = Vec::new();
        let mut i = 0;
        while i < s.len() {
            if s[i] != b'%' {
                let n = s[i..].iter().take_while(|&&b| b != b'%').count();
                atoms.push(Atom::Word(s[i..i + n].to_vec()));
                i += n;
                continue;
            }
            if s.get(i + 1) == Some(&b'(') {
                let v = s[i + 2..].iter().take_while(|&&b| is_var_char(b)).count();
                let after = i + 2 + v;
                let var = String::from_utf8_lossy(&s[i + 2..after]).into_owned();
                if s.get(after) == Some(&b')') {
                    atoms.push(Atom::Var(var, None));
                    i = after + 1;
                    continue;
                }
                if s.get(after) == Some(&b':') {
                    let p = pattern_run(s, after + 1);
                    let close = after + 1 + p;
                    if s.get(close) == Some(&b')') {
                        let raw = &s[after + 1..close];
                        if !patterns_allowed {
                            let source = Source::from_text(SourceKind::TargetPattern, s);
                            return Err(Error::Lexing {
                                location: Location {
                                    source,
                                    start_line: 1,
                                    start_column: i,
                                    end_line: 1,
                                    end_column: close + 1,
                                },
                                message: LexingMessage::PatternNotAllowed {
                                    var,
                                    pattern: String::from_utf8_lossy(raw).into_owned(),
                                },
                            });
                        }
                        let pattern = Pattern::parse_bytes(&unescape(raw), None)?;
                        atoms.push(Atom::Var(var, Some(pattern)));
                        i = close + 1;
                        continue;
                    }
                }
            }
            // A lone `%`: the anonymous variable.
            atoms.push(Atom::Var(String::new(), None));
            i += 1;
        }
        Ok(PathScheme {
            text: text.to_string(),
            atoms,
        })
    }

    /// The scheme's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The names of its variables, in order (`""` is the anonymous one).
    pub fn variables(&self) -> Vec<&str> {
        self.atoms
            .iter()
            .filter_map(|a| match a {
                Atom::Var(v, _) => Some(v.as_str()),
                Atom::Word(_) => None,
            })
            .collect()
    }

    /// Matches the whole of `path`; returns the bindings on success. Two
    /// variables in a row never match (ocamlbuild fails on an assertion).
    pub fn matches(&self, path: &str) -> Option<Bindings> {
        let mut acc = Vec::new();
        if match_from(&self.atoms, path.as_bytes(), 0, &mut acc) {
            acc.reverse();
            Some(Bindings(acc))
        } else {
            None
        }
    }

    /// Replaces the variables by their values (unbound ones by nothing).
    ///
    /// ```
    /// use tags::PathScheme;
    /// let b = PathScheme::parse("%.cmo").unwrap().matches("dir/foo.cmo").unwrap();
    /// assert_eq!(PathScheme::parse("%.ml").unwrap().substitute(&b), "dir/foo.ml");
    /// ```
    pub fn substitute(&self, bindings: &Bindings) -> String {
        let mut out = String::new();
        for a in &self.atoms {
            match a {
                Atom::Word(w) => out.push_str(&String::from_utf8_lossy(w)),
                Atom::Var(v, _) => out.push_str(bindings.get(v).unwrap_or("")),
            }
        }
        out
    }
}

fn accepts(pattern: &Option<Pattern>, value: &[u8]) -> bool {
    pattern.as_ref().is_none_or(|p| p.matches_bytes(value))
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return (from <= haystack.len()).then_some(from);
    }
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Pushes bindings onto `acc` (first variable first) and says whether the
/// atoms match `s[pos..]` entirely.
fn match_from(atoms: &[Atom], s: &[u8], pos: usize, acc: &mut Vec<(String, String)>) -> bool {
    match atoms {
        [] => pos == s.len(),
        [Atom::Word(w), rest @ ..] => {
            s.get(pos..).is_some_and(|r| r.starts_with(w))
                && match_from(rest, s, pos + w.len(), acc)
        }
        [Atom::Var(var, pattern)] => {
            let value = s.get(pos..).unwrap_or_default();
            if accepts(pattern, value) {
                acc.push((var.clone(), String::from_utf8_lossy(value).into_owned()));
                true
            } else {
                false
            }
        }
        [Atom::Var(var, pattern), Atom::Word(w), rest @ ..] => {
            let mut from = pos;
            while let Some(at) = find(s, from, w) {
                let value = &s[pos..at];
                if accepts(pattern, value) {
                    let mark = acc.len();
                    acc.push((var.clone(), String::from_utf8_lossy(value).into_owned()));
                    if match_from(rest, s, at + w.len(), acc) {
                        return true;
                    }
                    acc.truncate(mark);
                }
                from = at + 1;
            }
            false
        }
        [Atom::Var(..), Atom::Var(..), ..] => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(t: &str) -> PathScheme {
        match PathScheme::parse(t) {
            Ok(s) => s,
            Err(e) => panic!("{t}: {e}"),
        }
    }

    #[test]
    fn the_anonymous_variable_takes_the_first_workable_split() {
        let s = ok("%.cmo");
        assert_eq!(
            s.matches("foo.d.cmo").map(|b| b.to_string()),
            Some("%=foo.d ".into())
        );
        assert!(s.matches("foo.cmx").is_none());
    }

    #[test]
    fn later_occurrences_are_tried_when_the_pattern_rejects_a_value() {
        let s = ok("%(path:<**/>)lib%(libname:<*> and not <*.*>).a");
        let b = s.matches("otherlibsliblib/unlibix/libunix.a");
        assert_eq!(
            b.map(|b| b.to_string()),
            Some("%(libname)=unix %(path)=otherlibsliblib/unlibix/ ".into())
        );
    }

    #[test]
    fn escaped_parentheses_reach_the_pattern() {
        let s = ok("%(x:\\(<a>\\))b");
        assert!(s.matches("ab").is_some());
    }

    #[test]
    fn patterns_are_rejected_where_not_allowed() {
        let e = PathScheme::parse_without_patterns("%(x:<a>).ml")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "Target pattern \"%(x:<a>).ml\", line 1, characters 0-8:\nLexing error: Patterns are not allowed in this pathname (%(x:<a>) only in ~prod)."
            )
        );
    }

    #[test]
    fn substitution_leaves_unbound_variables_empty() {
        let s = ok("%(a)/%(b).x");
        let mut b = Bindings::default();
        b.bind("a", "dir");
        assert_eq!(s.substitute(&b), "dir/.x");
    }

    #[test]
    fn two_variables_in_a_row_never_match() {
        assert!(ok("%(a)%(b)").matches("xy").is_none());
    }
}
