//! `depscan` tells which modules an OCaml source file depends on, exactly as
//! `ocamldep -modules` (OCaml 4.13) would print them, without running it.
//!
//! It reads the file with its own lexer and a parser that follows the
//! compiler's grammar, and applies the scoping rules of the compiler's
//! `parsing/depend.ml`: a module path is reported by the name of its first
//! component, unless that name is bound locally (`module M = ...`,
//! `let module`, functor parameters, `module rec`, `(module M)` patterns,
//! submodules brought in by `open`/`include` of a local module...).
//!
//! ```
//! use depscan::{scan, SourceKind};
//!
//! let source = b"
//!   module Local = struct let x = 1 end
//!   open Printf
//!   let () = List.iter (fun s -> printf \"%s\" s) [Local.x |> string_of_int]
//!   let a = arr.(0)   (* sugar for Array.get *)
//! ";
//! let deps = scan(source, SourceKind::Implementation).unwrap();
//! assert_eq!(deps.into_iter().collect::<Vec<_>>(), ["Array", "List", "Printf"]);
//!
//! // A file `ocamldep` rejects gives an error with its position.
//! let err = scan(b"let x = (1 + 2", SourceKind::Implementation).unwrap_err();
//! assert_eq!(err.location().line, 1);
//! ```
//!
//! An [`Err`] means `ocamldep` would reject the file too (a lexical or
//! syntax error, or an `[%error]` extension node); run it to show the user
//! its own message.
//!
//! Like `ocamldep`, the scanner ignores what is inside attributes and
//! extension nodes (`[@...]`, `[%...]`, `let%ext ...`), except for
//! `[%extension_constructor C]`, and reports `Array`, `String` and
//! `Bigarray` for the indexing sugar `a.(i)`, `s.[i]` and `b.{i}`. It
//! behaves as `ocamldep` without `-pp`/`-ppx`, `-open` or `-no-alias-deps`.
//! Files are expected in UTF-8 or ASCII (OCaml only allows ASCII or Latin-1
//! letters in identifiers: Latin-1 module names are returned as the
//! characters they stand for).

#![deny(missing_docs)]

mod error;
mod lexer;
mod parser;
mod scope;
mod token;

pub use error::{Location, ScanError};

use std::path::Path;

/// The module names a file depends on, sorted like `ocamldep` prints them.
pub type ModuleSet = std::collections::BTreeSet<String>;

/// Which kind of source file is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A `.ml` file (read, like `ocamldep` does, as a toplevel script:
    /// `;;` and `#directives` are allowed).
    Implementation,
    /// A `.mli` file.
    Interface,
}

impl SourceKind {
    /// The kind of a file by its extension: `.ml` or `.mli`.
    pub fn from_path(path: &Path) -> Option<SourceKind> {
        match path.extension()?.to_str()? {
            "ml" => Some(SourceKind::Implementation),
            "mli" => Some(SourceKind::Interface),
            _ => None,
        }
    }
}

/// Stack the parser may use on the caller's thread: enough for ordinary
/// files even in debug builds, small enough for any thread.
const SHALLOW_STACK_BUDGET: usize = 256 << 10;

/// Stack of the thread used for files nested deeper than that (reserved,
/// touched only as needed), and how much of it the parser may use.
const DEEP_STACK: usize = 1 << 30;
const DEEP_STACK_BUDGET: usize = DEEP_STACK - (4 << 20);

/// Scans one OCaml source file and returns the modules it depends on: the
/// set `ocamldep -modules` prints for it.
///
/// It uses at most about 256 KiB of the calling thread's stack; files whose
/// constructs nest deeper than that allows are scanned again on a thread of
/// its own with a large stack. It never panics.
pub fn scan(source: &[u8], kind: SourceKind) -> Result<ModuleSet, ScanError> {
    match scan_names(source, kind, SHALLOW_STACK_BUDGET) {
        Err(err) if err.kind() == error::ErrorKind::TooDeep => scan_on_big_stack(source, kind),
        result => result.map_err(|e| e.locate(source)),
    }
}

/// Scans deeply nested code on a thread with a big stack.
fn scan_on_big_stack(source: &[u8], kind: SourceKind) -> Result<ModuleSet, ScanError> {
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("depscan-deep".to_owned())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || scan_names(source, kind, DEEP_STACK_BUDGET))
            .ok()
            .and_then(|handle| handle.join().ok())
    });
    match result {
        Some(result) => result.map_err(|e| e.locate(source)),
        None => Err(error::RawError::too_deep(0, 0).locate(source)),
    }
}

fn scan_names(
    source: &[u8],
    kind: SourceKind,
    stack_budget: usize,
) -> Result<ModuleSet, error::RawError> {
    let tokens = lexer::tokenize(source)?;
    let parser = parser::Parser::new(source, tokens, stack_budget);
    let mut names = match kind {
        SourceKind::Implementation => parser.implementation()?,
        SourceKind::Interface => parser.interface()?,
    };
    names.sort_unstable();
    names.dedup();
    Ok(names.into_iter().map(latin1_to_string).collect())
}

/// A module name as text. Names are ASCII unless the file is in Latin-1
/// (OCaml 4.13 accepts Latin-1 letters in identifiers): those bytes are
/// read as the Latin-1 characters they stand for, which keeps the order.
fn latin1_to_string(name: &[u8]) -> String {
    name.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::ml;

    // Expected modules checked with the real `ocamldep -modules` (4.13.1).

    #[test]
    fn source_kind_from_path() {
        use super::SourceKind;
        use std::path::Path;
        assert_eq!(
            SourceKind::from_path(Path::new("a/b.ml")),
            Some(SourceKind::Implementation)
        );
        assert_eq!(
            SourceKind::from_path(Path::new("b.mli")),
            Some(SourceKind::Interface)
        );
        assert_eq!(SourceKind::from_path(Path::new("b.mll")), None);
        assert_eq!(SourceKind::from_path(Path::new("ml")), None);
    }

    /// Positions as `ocamldep` reports them (line from 1, columns from 0).
    #[test]
    fn errors_are_located_like_ocaml() {
        use super::{ScanError, SourceKind, scan};
        let err = scan(b"let x = 1\nlet y = \"abc\n", SourceKind::Implementation)
            .expect_err("unterminated string");
        assert!(matches!(err, ScanError::Lexical { .. }));
        assert_eq!(
            err.to_string(),
            "line 2, characters 8-9: string literal not terminated"
        );
        let err = scan(b"let x = 1 (* foo\n", SourceKind::Implementation)
            .expect_err("unterminated comment");
        assert_eq!(
            err.to_string(),
            "line 1, characters 10-12: comment not terminated"
        );
        let err =
            scan(b"let x = 1 $ \\ 2\n", SourceKind::Implementation).expect_err("illegal character");
        assert_eq!(err.location().start, 12);
        let err = scan(b"let x = (1 + 2\n", SourceKind::Implementation).expect_err("syntax error");
        assert!(matches!(err, ScanError::Syntax { .. }));
        assert_eq!(err.location().line, 2);
    }

    #[test]
    fn modules_are_sorted_by_bytes() {
        assert_eq!(
            ml("let x = (B.x, A_b.y, Ab.z, A.w, Z.v, a.(0))"),
            "A A_b Ab Array B Z"
        );
    }

    #[test]
    fn latin1_module_names() {
        use super::{SourceKind, scan};
        let deps = scan(b"let x = (\xC9cole.x, Zoo.y)", SourceKind::Implementation)
            .expect("a valid Latin-1 file");
        assert_eq!(deps.into_iter().collect::<Vec<_>>(), ["Zoo", "\u{C9}cole"]);
    }

    #[test]
    fn implementation_example() {
        assert_eq!(
            ml(r##"open Printf
let () = List.iter print_string []"##),
            "List Printf"
        );
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the unit tests: the modules found, space-separated, or
    //! `error`.

    use crate::{SourceKind, scan};

    fn run(source: &str, kind: SourceKind) -> String {
        match scan(source.as_bytes(), kind) {
            Ok(modules) => modules.into_iter().collect::<Vec<_>>().join(" "),
            Err(_) => "error".to_owned(),
        }
    }

    /// Scans `source` as a `.ml` file.
    pub fn ml(source: &str) -> String {
        run(source, SourceKind::Implementation)
    }

    /// Scans `source` as a `.mli` file.
    pub fn mli(source: &str) -> String {
        run(source, SourceKind::Interface)
    }
}
