//! META files: their parsed form and the evaluation of a variable under a
//! set of predicates.
//!
//! Evaluation follows findlib: among the `=` definitions whose formal
//! predicates all hold, the one with the most predicates wins (the first
//! one written, on a tie); then the value of every `+=` definition whose
//! predicates hold is appended, in file order, separated by a space. As in
//! findlib, a variable that has no applicable `=` definition has no value
//! at all, even when some `+=` definitions apply.

mod lexer;
mod parser;

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::predicates::Predicates;

pub(crate) use lexer::Span;

/// A formal predicate of a definition: `name` or `-name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FormalPredicate {
    /// Holds when the predicate is set.
    Positive(String),
    /// Holds when the predicate is not set.
    Negative(String),
}

impl FormalPredicate {
    /// The predicate name, without the `-`.
    pub fn name(&self) -> &str {
        match self {
            FormalPredicate::Positive(n) | FormalPredicate::Negative(n) => n,
        }
    }

    /// Whether the predicate holds for the actual predicates `actual`.
    pub fn holds(&self, actual: &Predicates) -> bool {
        match self {
            FormalPredicate::Positive(n) => actual.contains(n),
            FormalPredicate::Negative(n) => !actual.contains(n),
        }
    }
}

/// `=` or `+=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`: an assignment; the most specific applicable one is the base value.
    Set,
    /// `+=`: an addition, appended to the base value when it applies.
    Append,
}

/// One `variable(predicates) = "value"` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The variable name.
    pub variable: String,
    /// `=` or `+=`.
    pub operator: Operator,
    /// The formal predicates, each once, in the order written.
    pub predicates: Vec<FormalPredicate>,
    /// The value, escapes removed.
    pub value: String,
    pub(crate) name_span: Span,
    pub(crate) value_span: Span,
    pub(crate) value_verbatim: bool,
}

impl Definition {
    /// Whether every formal predicate holds for `actual`.
    pub fn applies(&self, actual: &Predicates) -> bool {
        self.predicates.iter().all(|p| p.holds(actual))
    }

    /// The line the definition starts on (from 1).
    pub fn line(&self) -> usize {
        self.name_span.line
    }

    /// Where the whole definition is, from its name to its value, in `file`.
    pub fn location(&self, file: &Path) -> Location {
        let end = if self.value_span.line == self.name_span.line {
            self.value_span.end
        } else {
            self.name_span.end
        };
        Location {
            file: file.to_path_buf(),
            line: self.name_span.line,
            start: self.name_span.start,
            end,
        }
    }

    /// Where `word`, a word of the value, is written, when it can be told
    /// exactly (the value is written without escapes or line breaks);
    /// otherwise where the value is.
    pub fn word_location(&self, file: &Path, word: &str) -> Location {
        let s = self.value_span;
        if let Some(offset) = find_word(&self.value, word).filter(|_| self.value_verbatim) {
            let start = s.start + 1 + offset;
            return Location {
                file: file.to_path_buf(),
                line: s.line,
                start,
                end: start + word.len(),
            };
        }
        Location {
            file: file.to_path_buf(),
            line: s.line,
            start: s.start,
            end: s.end,
        }
    }
}

/// The byte offset of `word` as a whole word (delimited by blanks or commas)
/// in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let is_sep = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',');
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let end = at + word.len();
        let before_ok = at == 0 || is_sep(bytes[at - 1]);
        let after_ok = end == bytes.len() || is_sep(bytes[end]);
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Formal predicates as written: `(byte,-mt)`, or nothing when empty.
pub(crate) fn show_predicates(preds: &[FormalPredicate]) -> String {
    if preds.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = preds
        .iter()
        .map(|p| match p {
            FormalPredicate::Positive(n) => n.clone(),
            FormalPredicate::Negative(n) => format!("-{n}"),
        })
        .collect();
    format!("({})", parts.join(","))
}

/// One package block of a META file: the main package (the file's top
/// level) or a `package "name" ( ... )` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageDecl {
    /// The local name written after `package`; empty for the main package.
    pub name: String,
    /// The index of the enclosing block in [`MetaFile::packages`]; `None`
    /// for the main package.
    pub parent: Option<usize>,
    /// The definitions, in file order.
    pub definitions: Vec<Definition>,
    pub(crate) span: Span,
}

/// The result of evaluating a variable: its value and the definitions
/// that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluated<'a> {
    /// The value: the base value, then each applicable addition after a space.
    pub value: String,
    /// The applicable `=` definition, then the applicable `+=` ones.
    pub definitions: Vec<&'a Definition>,
}

impl PackageDecl {
    /// The value of `variable` under the actual predicates `actual`, or
    /// `None` when no `=` definition of it applies.
    pub fn lookup(&self, variable: &str, actual: &Predicates) -> Option<String> {
        self.evaluate(variable, actual).map(|e| e.value)
    }

    /// Like [`PackageDecl::lookup`], also telling which definitions were used.
    pub fn evaluate(&self, variable: &str, actual: &Predicates) -> Option<Evaluated<'_>> {
        let mut base: Option<&Definition> = None;
        for d in &self.definitions {
            if d.operator == Operator::Set
                && d.variable == variable
                && d.applies(actual)
                && base.is_none_or(|b| d.predicates.len() > b.predicates.len())
            {
                base = Some(d);
            }
        }
        let base = base?;
        let mut value = base.value.clone();
        let mut definitions = vec![base];
        for d in &self.definitions {
            if d.operator == Operator::Append && d.variable == variable && d.applies(actual) {
                value.push(' ');
                value.push_str(&d.value);
                definitions.push(d);
            }
        }
        Some(Evaluated { value, definitions })
    }

    /// Whether some definition of this block mentions predicate `name`.
    pub fn mentions_predicate(&self, name: &str) -> bool {
        self.definitions
            .iter()
            .any(|d| d.predicates.iter().any(|p| p.name() == name))
    }

    /// The first definition of `variable`, whatever its predicates.
    pub fn first_definition(&self, variable: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.variable == variable)
    }
}

/// A parsed META file: its package blocks, flattened in the order they are
/// written (the main package first, each block before the blocks nested in
/// it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaFile {
    /// The file the text was read from (used in error locations).
    pub path: PathBuf,
    /// The package blocks; index 0 is the main package.
    pub packages: Vec<PackageDecl>,
}

impl MetaFile {
    /// Parses META text; `path` is used only to locate errors.
    pub fn parse(path: impl AsRef<Path>, text: &[u8]) -> Result<MetaFile> {
        parser::parse(path.as_ref(), text)
    }

    /// Reads and parses the META file at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<MetaFile> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// The main package block (always present in a parsed file).
    pub fn main(&self) -> Option<&PackageDecl> {
        self.packages.first()
    }

    /// The dotted name of block `index` relative to the main package
    /// (`sub.subsub`); empty for the main package.
    pub fn full_local_name(&self, index: usize) -> String {
        let mut parts = Vec::new();
        let mut i = Some(index);
        while let Some(k) = i {
            if k == 0 {
                break;
            }
            parts.push(self.packages[k].name.as_str());
            i = self.packages[k].parent;
        }
        parts.reverse();
        parts.join(".")
    }

    /// The indices of the blocks directly inside block `index`.
    pub fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.packages
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.parent == Some(index))
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(src: &str) -> PackageDecl {
        MetaFile::parse("/t/META", src.as_bytes()).unwrap().packages[0].clone()
    }

    fn preds(list: &[&str]) -> Predicates {
        Predicates::from_iter(list.iter().copied())
    }

    #[test]
    fn most_specific_assignment_wins() {
        let d = decl("a = \"0\"\na(byte) = \"1\"\na(byte,mt) = \"2\"");
        assert_eq!(d.lookup("a", &preds(&[])), Some("0".into()));
        assert_eq!(d.lookup("a", &preds(&["byte"])), Some("1".into()));
        assert_eq!(d.lookup("a", &preds(&["byte", "mt"])), Some("2".into()));
        assert_eq!(d.lookup("a", &preds(&["mt"])), Some("0".into()));
    }

    #[test]
    fn first_assignment_wins_among_equally_specific() {
        let d = decl("a(x) = \"x\"\na(y) = \"y\"");
        assert_eq!(d.lookup("a", &preds(&["x", "y"])), Some("x".into()));
    }

    #[test]
    fn negative_predicates_exclude() {
        let d = decl("a(-mt) = \"st\"\na(mt) = \"mt\"");
        assert_eq!(d.lookup("a", &preds(&[])), Some("st".into()));
        assert_eq!(d.lookup("a", &preds(&["mt"])), Some("mt".into()));
    }

    #[test]
    fn negative_predicates_count_towards_specificity() {
        let d = decl("a(byte) = \"1\"\na(byte,-mt) = \"2\"");
        assert_eq!(d.lookup("a", &preds(&["byte"])), Some("2".into()));
    }

    #[test]
    fn additions_append_in_file_order_on_top_of_the_base() {
        let d = decl("a(p) += \"x\"\na = \"base\"\na(q) += \"y\"\na += \"z\"");
        assert_eq!(
            d.lookup("a", &preds(&["p", "q"])),
            Some("base x y z".into())
        );
        assert_eq!(d.lookup("a", &preds(&[])), Some("base z".into()));
    }

    #[test]
    fn additions_alone_give_no_value() {
        let d = decl("a += \"x\"");
        assert_eq!(d.lookup("a", &preds(&[])), None);
    }

    #[test]
    fn empty_base_with_addition_keeps_leading_space() {
        let d = decl("a = \"\"\na += \"x\"");
        assert_eq!(d.lookup("a", &preds(&[])), Some(" x".into()));
    }

    #[test]
    fn unknown_variable_has_no_value() {
        assert_eq!(decl("a = \"1\"").lookup("b", &preds(&[])), None);
    }

    #[test]
    fn evaluate_reports_the_definitions_used() {
        let d = decl("a = \"1\"\na(x) += \"2\"");
        let e = d.evaluate("a", &preds(&["x"])).unwrap();
        assert_eq!(e.definitions.len(), 2);
        assert_eq!(e.definitions[1].line(), 2);
    }

    #[test]
    fn word_location_points_inside_the_value() {
        let d = decl("requires = \"unix, str\"");
        let def = &d.definitions[0];
        let l = def.word_location(Path::new("/t/META"), "str");
        assert_eq!((l.line, l.start, l.end), (1, 18, 21));
    }

    #[test]
    fn word_location_does_not_match_inside_other_words() {
        assert_eq!(find_word("strx str", "str"), Some(5));
        assert_eq!(find_word("a.str", "str"), None);
    }

    #[test]
    fn full_local_names_join_nested_blocks() {
        let m = MetaFile::parse("/t/META", b"package \"a\" ( package \"b\" () )").unwrap();
        assert_eq!(m.full_local_name(2), "a.b");
        assert_eq!(m.children(0).collect::<Vec<_>>(), vec![1]);
    }
}
