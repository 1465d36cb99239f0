//! `build_libs`: the libraries of a code base and the ones it uses.
//!
//! ```text
//! # comment
//! internal libname [dir [installdir]] [namespace(Module)]
//! external libname [dir]
//! ```
//!
//! An internal library is built from `dir/libname.mllib` (`dir` defaults to
//! the name) and installed under `installdir` (defaults to `dir`). An
//! external one was built elsewhere: its archives and interfaces are in
//! `dir` (an absolute path or `+dir` as the compilers take it; another
//! relative path is under the install root of the code base).

use crate::error::{Error, Place};
use crate::line::{Declared, Word, is_name, parse_declarations};

/// Whether a library is built here or comes from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryKind {
    /// Built by this project from its `.mllib`.
    Internal,
    /// Built elsewhere; only used.
    External,
}

/// One declared library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// Internal or external.
    pub kind: LibraryKind,
    /// The name: the archive is `name.cma`/`name.cmxa`, the tag `use_name`.
    pub name: String,
    /// The library's main folder (relative to the root for an internal
    /// library; as written for an external one).
    pub dir: String,
    /// Where an internal library is installed, under the install root.
    /// Empty for an external library.
    pub install_dir: String,
    /// The module that namespaces the library's modules, when declared
    /// with `namespace(Module)`.
    pub namespace: Option<String>,
    /// The line of the declaration, from 1.
    pub line: usize,
    /// The characters of the line the declaration covers.
    pub span: (usize, usize),
}

impl Library {
    /// Where the declaration is, in `file`.
    pub fn place(&self, file: &str) -> Place {
        Place {
            file: file.to_string(),
            line: self.line,
            start: self.span.0,
            end: self.span.1,
        }
    }

    /// The library's list file, `dir/name.mllib` (internal libraries).
    pub fn mllib(&self) -> String {
        join(&self.dir, &format!("{}.mllib", self.name))
    }

    /// The archive path without extension, `dir/name`.
    pub fn archive_stem(&self) -> String {
        join(&self.dir, &self.name)
    }
}

/// `dir/file`, or `file` when `dir` is the root.
fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() || dir == "." {
        file.to_string()
    } else {
        format!("{}/{file}", dir.trim_end_matches('/'))
    }
}

/// The contents of a `build_libs` file, in the order of its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildLibs {
    /// The declarations.
    pub libraries: Vec<Library>,
}

const HINT: &str =
    "a line is `internal NAME [DIR [INSTALLDIR]] [namespace(Module)]` or `external NAME [DIR]`";

impl BuildLibs {
    /// Reads the text of a `build_libs` file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<BuildLibs, Error> {
        let libraries = parse_declarations(file, text, "library", parse_line)?;
        Ok(BuildLibs { libraries })
    }

    /// The library called `name`.
    pub fn get(&self, name: &str) -> Option<&Library> {
        self.libraries.iter().find(|l| l.name == name)
    }

    /// The internal libraries, in the file's order.
    pub fn internal(&self) -> impl Iterator<Item = &Library> {
        self.libraries
            .iter()
            .filter(|l| l.kind == LibraryKind::Internal)
    }
}

fn syntax(file: &str, line: usize, word: &Word<'_>, problem: String) -> Error {
    word.error(file, line, problem, HINT)
}

fn parse_line(file: &str, line: usize, words: &[Word<'_>]) -> Result<Library, Error> {
    let kind = match words[0].text {
        "internal" => LibraryKind::Internal,
        "external" => LibraryKind::External,
        other => {
            return Err(syntax(
                file,
                line,
                &words[0],
                format!("`{other}` is not a kind of library (`internal` or `external`)."),
            ));
        }
    };
    let Some(name) = words.get(1) else {
        return Err(syntax(
            file,
            line,
            &words[0],
            "the library's name is missing.".into(),
        ));
    };
    if !is_name(name.text) {
        return Err(syntax(
            file,
            line,
            name,
            format!(
                "`{}` is not a library name (letters, digits, `_`, `-`).",
                name.text
            ),
        ));
    }
    let mut positional = Vec::new();
    let mut namespace = None;
    for word in &words[2..] {
        if let Some(module) = word
            .text
            .strip_prefix("namespace(")
            .and_then(|r| r.strip_suffix(')'))
        {
            if kind == LibraryKind::External {
                return Err(syntax(
                    file,
                    line,
                    word,
                    "an external library cannot be namespaced here.".into(),
                ));
            }
            if !is_module_name(module) {
                return Err(syntax(
                    file,
                    line,
                    word,
                    format!("`{module}` is not a module name."),
                ));
            }
            namespace = Some(module.to_string());
        } else if word.text.contains('(') {
            return Err(syntax(
                file,
                line,
                word,
                format!("unknown flag `{}`.", word.text),
            ));
        } else {
            positional.push(word);
        }
    }
    let most = if kind == LibraryKind::Internal { 2 } else { 1 };
    if let Some(extra) = positional.get(most) {
        return Err(syntax(
            file,
            line,
            extra,
            format!("unexpected `{}`.", extra.text),
        ));
    }
    let dir = positional
        .first()
        .map(|w| w.text.trim_end_matches('/'))
        .unwrap_or(name.text);
    let install_dir = match kind {
        LibraryKind::Internal => positional.get(1).map(|w| w.text).unwrap_or(dir).to_string(),
        LibraryKind::External => String::new(),
    };
    Ok(Library {
        kind,
        name: name.text.to_string(),
        dir: if dir.is_empty() {
            ".".to_string()
        } else {
            dir.to_string()
        },
        install_dir,
        namespace,
        line,
        span: (words[0].start, words[words.len() - 1].end),
    })
}

/// An OCaml module name: a capital letter, then letters, digits, `_`, `'`.
fn is_module_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'')
}

impl Declared for Library {
    fn name(&self) -> &str {
        &self.name
    }

    fn line(&self) -> usize {
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BuildLibs, Error> {
        BuildLibs::parse("build_libs", text)
    }

    #[test]
    fn defaults_follow_the_name_then_the_dir() {
        let libs = parse(
            "internal a\ninternal b src/b\ninternal c src/c lib/c\nexternal d\nexternal e +e\n",
        )
        .unwrap();
        let got: Vec<_> = libs
            .libraries
            .iter()
            .map(|l| {
                (
                    l.kind,
                    l.name.as_str(),
                    l.dir.as_str(),
                    l.install_dir.as_str(),
                    l.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (LibraryKind::Internal, "a", "a", "a", 1),
                (LibraryKind::Internal, "b", "src/b", "src/b", 2),
                (LibraryKind::Internal, "c", "src/c", "lib/c", 3),
                (LibraryKind::External, "d", "d", "", 4),
                (LibraryKind::External, "e", "+e", "", 5),
            ]
        );
        assert_eq!(libs.get("b").unwrap().mllib(), "src/b/b.mllib");
        assert_eq!(libs.internal().count(), 3);
    }

    #[test]
    fn namespace_flag_anywhere_after_the_name() {
        let libs = parse("internal base namespace(Base) src/base\n").unwrap();
        let l = libs.get("base").unwrap();
        assert_eq!(l.namespace.as_deref(), Some("Base"));
        assert_eq!(l.dir, "src/base");
    }

    #[test]
    fn errors_name_the_line_and_characters() {
        let e = parse("# libs\ninternal a\ninteral b\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("File \"build_libs\", line 3, characters 0-7:\nError: `interal`"),
            "{e}"
        );
        assert!(e.contains("Hint: a line is"), "{e}");
        let e = parse("external x dir extra\n").unwrap_err().to_string();
        assert!(
            e.starts_with("File \"build_libs\", line 1, characters 15-20:"),
            "{e}"
        );
        let e = parse("internal a\ninternal a b\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2, characters 9-10") && e.contains("first on line 1"),
            "{e}"
        );
        let e = parse("internal a namespace(lower)\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`lower` is not a module name"), "{e}");
        let e = parse("internal\n").unwrap_err().to_string();
        assert!(e.contains("name is missing"), "{e}");
        let e = parse("internal a/b\n").unwrap_err().to_string();
        assert!(e.contains("not a library name"), "{e}");
    }
}
