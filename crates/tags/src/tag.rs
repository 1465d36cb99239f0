//! One tag: a plain string such as `debug`, `file:a.ml` or `package(unix)`,
//! ordered the way ocamlbuild orders tag sets.

use std::cmp::Ordering;
use std::fmt;

/// A tag. Any string is a tag; those ending in `)` are *applied*
/// parametrised tags (`name(param)`).
///
/// The order is ocamlbuild's: applied tags first, then the others, each
/// group in byte order.
///
/// ```
/// use tags::Tag;
/// let t = Tag::new("warn(+a-4)");
/// assert_eq!(t.name(), Some("warn"));
/// assert_eq!(t.param(), Some("+a-4"));
/// assert!(Tag::new("z(1)") < Tag::new("a"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag(String);

/// Bytes that may appear in a tag name outside parentheses (ocamlbuild's
/// `normal` lexer class).
pub(crate) fn is_normal(b: u8) -> bool {
    !matches!(b, b':' | b',' | b'(' | b')' | b'\'' | b' ' | b'\n' | b'\r')
}

impl Tag {
    /// A tag with this exact text.
    pub fn new(text: impl Into<String>) -> Tag {
        Tag(text.into())
    }

    /// The applied tag `name(param)`.
    pub fn parametrised(name: &str, param: &str) -> Tag {
        Tag(format!("{name}({param})"))
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Does the text end with `)`? (ocamlbuild's test for an applied tag.)
    pub fn is_parametrised(&self) -> bool {
        self.0.ends_with(')')
    }

    /// Splits the tag the way ocamlbuild's `tag_gen` lexer does: the leading
    /// run of name characters, then an optional `(param)` right after it.
    /// Anything further is ignored (`file:a.ml` gives `("file", None)`).
    /// `None` when the tag does not start with a name character.
    pub fn split(&self) -> Option<(&str, Option<&str>)> {
        let bytes = self.0.as_bytes();
        let n = bytes.iter().take_while(|&&b| is_normal(b)).count();
        if n == 0 {
            return None;
        }
        let name = self.0.get(..n)?;
        if bytes.get(n) == Some(&b'(')
            && let Some(close) = bytes[n + 1..].iter().position(|&b| b == b')')
        {
            let param = self.0.get(n + 1..n + 1 + close)?;
            return Some((name, Some(param)));
        }
        Some((name, None))
    }

    /// The name part (see [`Tag::split`]).
    pub fn name(&self) -> Option<&str> {
        self.split().map(|(n, _)| n)
    }

    /// The parameter, for an applied tag (see [`Tag::split`]).
    pub fn param(&self) -> Option<&str> {
        self.split().and_then(|(_, p)| p)
    }

    fn group(&self) -> u8 {
        if self.is_parametrised() { 0 } else { 1 }
    }
}

impl Ord for Tag {
    fn cmp(&self, other: &Self) -> Ordering {
        self.group()
            .cmp(&other.group())
            .then_with(|| self.0.as_bytes().cmp(other.0.as_bytes()))
    }
}

impl PartialOrd for Tag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Tag {
    fn from(s: &str) -> Tag {
        Tag::new(s)
    }
}

impl From<String> for Tag {
    fn from(s: String) -> Tag {
        Tag::new(s)
    }
}

impl From<&String> for Tag {
    fn from(s: &String) -> Tag {
        Tag::new(s.clone())
    }
}

impl From<&Tag> for Tag {
    fn from(t: &Tag) -> Tag {
        t.clone()
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applied_tags_sort_before_plain_ones_then_byte_order() {
        // Experiment: `-show-tags` printed
        // {. B(c), a(a), a(b), z(y), #q, @w, A, Zed, _x, b, extension:, ... x"y, ~x .}
        let mut v: Vec<Tag> = [
            "a(b)", "z(y)", "A", "_x", "Zed", "b", "~x", "B(c)", "a(a)", "#q", "@w", "x\"y",
        ]
        .into_iter()
        .map(Tag::from)
        .collect();
        v.sort();
        let s: Vec<&str> = v.iter().map(Tag::as_str).collect();
        assert_eq!(
            s,
            [
                "B(c)", "a(a)", "a(b)", "z(y)", "#q", "@w", "A", "Zed", "_x", "b", "x\"y", "~x"
            ]
        );
    }

    #[test]
    fn split_follows_the_tag_gen_lexer() {
        assert_eq!(Tag::new("debug").split(), Some(("debug", None)));
        assert_eq!(Tag::new("file:a.ml").split(), Some(("file", None)));
        assert_eq!(Tag::new("pp(a b, c)").split(), Some(("pp", Some("a b, c"))));
        assert_eq!(Tag::new("x()").split(), Some(("x", Some(""))));
        assert_eq!(Tag::new("x(unclosed").split(), Some(("x", None)));
        assert_eq!(Tag::new("(x)").split(), None);
        assert_eq!(Tag::new("").split(), None);
    }

    #[test]
    fn only_a_final_parenthesis_makes_a_tag_applied() {
        assert!(Tag::new("a(b)").is_parametrised());
        assert!(!Tag::new("a(b)c").is_parametrised());
        assert!(Tag::new("b)").is_parametrised());
    }
}
