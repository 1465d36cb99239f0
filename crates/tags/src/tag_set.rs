//! Sets of tags, in ocamlbuild's order, and their two printed forms: the
//! `_log` one (`{ a, b }`) and the `-show-tags` one (`{. a, b .}`, wrapped).

use crate::location::quote;
use crate::pretty::{BoxKind, Printer};
use crate::tag::Tag;
use std::collections::BTreeSet;
use std::fmt;

/// What ocamlbuild prints once before the `-show-tags` blocks (when at
/// least one `-show-tags` is given), blank line included.
pub const SHOW_TAGS_PREAMBLE: &str = "Warning: the following tags do not include dynamically-generated tags, such as link, compile, pack, byte, native, c, pdf... (this list is by no means exhaustive).\n\n";

/// A set of tags. Iteration and display follow ocamlbuild's order (applied
/// tags such as `package(unix)` first, then the others, each in byte order).
///
/// `Display` is the `_log` form:
///
/// ```
/// use tags::TagSet;
/// let s: TagSet = ["quiet", "package(str)", "debug"].into_iter().collect();
/// assert_eq!(s.to_string(), "{ package(str), debug, quiet }");
/// assert_eq!(TagSet::new().to_string(), "{  }");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagSet(BTreeSet<Tag>);

impl TagSet {
    /// The empty set.
    pub fn new() -> TagSet {
        TagSet(BTreeSet::new())
    }

    /// Adds a tag; returns whether it was new.
    pub fn insert(&mut self, tag: impl Into<Tag>) -> bool {
        self.0.insert(tag.into())
    }

    /// Removes a tag; returns whether it was there.
    pub fn remove(&mut self, tag: impl Into<Tag>) -> bool {
        self.0.remove(&tag.into())
    }

    /// Is this tag in the set?
    pub fn contains(&self, tag: &str) -> bool {
        self.0.contains(&Tag::new(tag))
    }

    /// Is this tag in the set?
    pub fn contains_tag(&self, tag: &Tag) -> bool {
        self.0.contains(tag)
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Is the set empty?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tags, in ocamlbuild's order.
    pub fn iter(&self) -> impl Iterator<Item = &Tag> + '_ {
        self.0.iter()
    }

    /// Is every tag of `self` in `other`? (A declaration on tags `self`
    /// applies to a command tagged `other`.)
    pub fn is_subset(&self, other: &TagSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// Adds every tag of `other`.
    pub fn union_with(&mut self, other: &TagSet) {
        for t in &other.0 {
            if !self.0.contains(t) {
                self.0.insert(t.clone());
            }
        }
    }

    /// A new set with the tags of both.
    pub fn union(&self, other: &TagSet) -> TagSet {
        let mut s = self.clone();
        s.union_with(other);
        s
    }

    /// The set with one more tag (ocamlbuild's `++`).
    pub fn with(mut self, tag: impl Into<Tag>) -> TagSet {
        self.insert(tag);
        self
    }

    /// The `_log` form: `{ a, b }`, and `{  }` when empty (as in
    /// `# Target: ln -sf ..., tags: {  }`, seen in a real `_log`).
    pub fn log_form(&self) -> String {
        let mut s = String::from("{ ");
        for (i, t) in self.0.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(t.as_str());
        }
        s.push_str(" }");
        s
    }

    /// What `-show-tags path` prints for this set, line breaks included and
    /// ending with a newline:
    ///
    /// ```text
    /// Tags for "a.ml":
    ///   {. package(x), qux(y z), warn(+a), bar, extension:ml, file:a.ml, foo,
    ///      ocaml, quiet, traverse .}
    /// ```
    ///
    /// (ocamlbuild prints `@[<2>@[<2>Tags for %S:@ {. @[<0>t1,@ t2@] .}@]@]@.`
    /// with Format's default margin; checked against the real program on
    /// hundreds of random sets, see `tests/it/show_tags_vectors.txt`.)
    pub fn show_tags_form(&self, path: &str) -> String {
        let mut p = Printer::new();
        p.open_box(2, BoxKind::Structural);
        p.open_box(2, BoxKind::Structural);
        p.text("Tags for ");
        p.text(&quote(path));
        p.text(":");
        p.brk(1, 0);
        p.text("{. ");
        self.print_elements(&mut p);
        p.text(" .}");
        p.close_box();
        p.close_box();
        p.flush_newline();
        p.finish()
    }

    /// Prints the tags as ocamlbuild's `Tags.print` does (`@[<0>a,@ b@]`).
    pub(crate) fn print_elements(&self, p: &mut Printer) {
        p.open_box(0, BoxKind::Structural);
        for (i, t) in self.0.iter().enumerate() {
            if i > 0 {
                p.text(",");
                p.brk(1, 0);
            }
            p.text(t.as_str());
        }
        p.close_box();
    }
}

impl fmt::Display for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.log_form())
    }
}

impl<T: Into<Tag>> FromIterator<T> for TagSet {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> TagSet {
        TagSet(iter.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Tag>> Extend<T> for TagSet {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            self.0.insert(t.into());
        }
    }
}

impl IntoIterator for TagSet {
    type Item = Tag;
    type IntoIter = std::collections::btree_set::IntoIter<Tag>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a TagSet {
    type Item = &'a Tag;
    type IntoIter = std::collections::btree_set::Iter<'a, Tag>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tags: &[&str]) -> TagSet {
        tags.iter().copied().collect()
    }

    #[test]
    fn the_log_form_of_the_empty_set_has_two_spaces() {
        assert_eq!(TagSet::new().log_form(), "{  }");
    }

    #[test]
    fn the_log_form_never_wraps() {
        let s = set(&[
            "package(str)",
            "package(unix)",
            "warn(+a-4)",
            "compile",
            "debug",
            "extension:cmx",
            "extension:ml",
            "file:a.cmx",
            "file:a.ml",
            "implem",
            "native",
            "ocaml",
            "quiet",
            "thread",
            "traverse",
        ]);
        // A real `_log` line from the reference.
        assert_eq!(
            s.log_form(),
            "{ package(str), package(unix), warn(+a-4), compile, debug, extension:cmx, extension:ml, file:a.cmx, file:a.ml, implem, native, ocaml, quiet, thread, traverse }"
        );
    }

    #[test]
    fn show_tags_wraps_like_ocamlbuild() {
        // Experiment: `<a.ml>: +bar, -baz, warn(+a), package(x), qux(y z)` and
        // `true: foo`, then `ocamlbuild -show-tags a.ml`.
        let s = set(&[
            "package(x)",
            "qux(y z)",
            "warn(+a)",
            "bar",
            "extension:ml",
            "file:a.ml",
            "foo",
            "ocaml",
            "quiet",
            "traverse",
        ]);
        assert_eq!(
            s.show_tags_form("a.ml"),
            "Tags for \"a.ml\":\n  {. package(x), qux(y z), warn(+a), bar, extension:ml, file:a.ml, foo,\n     ocaml, quiet, traverse .}\n"
        );
    }

    #[test]
    fn subset_and_union() {
        let a = set(&["ocaml", "compile"]);
        let b = set(&["ocaml", "compile", "byte"]);
        assert!(a.is_subset(&b));
        assert!(!b.is_subset(&a));
        assert!(TagSet::new().is_subset(&a));
        assert_eq!(a.union(&set(&["x"])).len(), 3);
    }
}
