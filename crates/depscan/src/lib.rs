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
//! [`scan_with`] with [`ScanOptions::qualified`] also reports, beside that
//! exact set, the two-component paths `A.B` a file writes and the modules
//! it uses as a whole (`module M = A`, `include A`, `F(A)`): what a build
//! needs to depend on one member of a namespaced library (`Foo.Bar` is
//! `Foo__Bar`) rather than on all of them.
//!
//! ```
//! use depscan::{scan_with, ScanOptions, SourceKind};
//!
//! let found = scan_with(
//!     b"let x = Foo.Bar.x  module M = Baz",
//!     SourceKind::Implementation,
//!     ScanOptions { qualified: true },
//! )
//! .unwrap();
//! assert_eq!(found.modules.into_iter().collect::<Vec<_>>(), ["Baz", "Foo"]);
//! assert_eq!(found.paths.into_iter().collect::<Vec<_>>(), [("Foo".to_string(), "Bar".to_string())]);
//! assert_eq!(found.whole.into_iter().collect::<Vec<_>>(), ["Baz"]);
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

/// What [`scan_with`] should report beyond `ocamldep -modules`' set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ScanOptions {
    /// Also report qualified paths ([`Scan::paths`]) and modules used as a
    /// whole ([`Scan::whole`]).
    pub qualified: bool,
}

/// The answer of [`scan_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The set `ocamldep -modules` prints, the same whatever the options.
    pub modules: ModuleSet,
    /// With [`ScanOptions::qualified`]: `(A, B)` for each path `A.B...`
    /// whose head `A` is among [`Scan::modules`] (a value `A.B.x`, a type
    /// `A.B.t`, a module `A.B`, a constructor `A.B.C`, `open A.B`). A
    /// constructor `A.C` gives no pair (`C` is not a module). Empty
    /// without the option.
    pub paths: std::collections::BTreeSet<(String, String)>,
    /// With [`ScanOptions::qualified`]: the modules of [`Scan::modules`]
    /// used as modules by themselves, through which any of their
    /// submodules may be reached unwritten: `module M = A`, `include A`,
    /// `module type of A`, a functor argument `F(A)`, `(module A : S)`. An
    /// `open A` is not among them: the names used after it are reported on
    /// their own. Empty without the option.
    pub whole: ModuleSet,
}

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
    scan_with(source, kind, ScanOptions::default()).map(|found| found.modules)
}

/// Scans one OCaml source file as [`scan`] does, and with
/// [`ScanOptions::qualified`] also reports its qualified paths and the
/// modules it uses as a whole ([`Scan`]).
pub fn scan_with(source: &[u8], kind: SourceKind, options: ScanOptions) -> Result<Scan, ScanError> {
    match scan_names(source, kind, options, SHALLOW_STACK_BUDGET) {
        Err(err) if err.kind() == error::ErrorKind::TooDeep => {
            scan_on_big_stack(source, kind, options)
        }
        result => result.map_err(|e| e.locate(source)),
    }
}

/// Scans deeply nested code on a thread with a big stack.
fn scan_on_big_stack(
    source: &[u8],
    kind: SourceKind,
    options: ScanOptions,
) -> Result<Scan, ScanError> {
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("depscan-deep".to_owned())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || {
                scan_names(source, kind, options, DEEP_STACK_BUDGET)
            })
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
    options: ScanOptions,
    stack_budget: usize,
) -> Result<Scan, error::RawError> {
    let tokens = lexer::tokenize(source)?;
    let mut parser = parser::Parser::new(source, tokens, stack_budget);
    if options.qualified {
        parser = parser.qualified();
    }
    let (names, qualified) = match kind {
        SourceKind::Implementation => parser.implementation()?,
        SourceKind::Interface => parser.interface()?,
    };
    let modules: ModuleSet = names.into_iter().map(latin1_to_string).collect();
    // Only heads that stayed reported (a recursive module's own name is
    // taken back from the set after its uses were seen).
    let paths = qualified
        .paths
        .into_iter()
        .map(|(a, b)| (latin1_to_string(a), latin1_to_string(b)))
        .filter(|(a, _)| modules.contains(a))
        .collect();
    let whole = qualified
        .whole
        .into_iter()
        .map(latin1_to_string)
        .filter(|a| modules.contains(a))
        .collect();
    Ok(Scan {
        modules,
        paths,
        whole,
    })
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

    /// `modules | paths | whole` of a qualified scan of a `.ml` source.
    fn qualified(source: &str) -> String {
        use super::{ScanOptions, SourceKind, scan_with};
        match scan_with(
            source.as_bytes(),
            SourceKind::Implementation,
            ScanOptions { qualified: true },
        ) {
            Ok(s) => format!(
                "{} | {} | {}",
                s.modules.into_iter().collect::<Vec<_>>().join(" "),
                s.paths
                    .into_iter()
                    .map(|(a, b)| format!("{a}.{b}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                s.whole.into_iter().collect::<Vec<_>>().join(" ")
            ),
            Err(_) => "error".to_owned(),
        }
    }

    #[test]
    fn qualified_paths_name_their_second_component() {
        assert_eq!(
            qualified("let x = Foo.Bar.x + Foo.Baz.Deep.y let _ = Other.z"),
            "Foo Other | Foo.Bar Foo.Baz | "
        );
        // Types, module types, constructors, modules, local and global opens.
        assert_eq!(
            qualified(
                "type t = Foo.Ty.t  module type S = Foo.Sig.S                   let c = Foo.Con.C  let d = Foo.D  module M = Foo.Mod                   open Foo.Opened  let e = Foo.Local.(x)"
            ),
            "Foo | Foo.Con Foo.Local Foo.Mod Foo.Opened Foo.Sig Foo.Ty | "
        );
    }

    #[test]
    fn modules_used_whole_are_reported_but_not_opens() {
        assert_eq!(
            qualified(
                "module A = Alias  include Inc  module type T = module type of Mt                   module F = Make(Arg)  let m = (module Packed : S)  open Opened                   let x = Member.x"
            ),
            "Alias Arg Inc Make Member Mt Opened Packed |  | Alias Arg Inc Make Mt Packed"
        );
        assert_eq!(
            qualified("let x = let open Foo in Bar.x  let y = let open! Foo.Sub in 1"),
            "Bar Foo | Foo.Sub | "
        );
    }

    #[test]
    fn local_modules_give_no_qualified_path() {
        assert_eq!(
            qualified(
                "module Foo = struct module Bar = struct let x = 1 end end let y = Foo.Bar.x"
            ),
            " |  | "
        );
        assert_eq!(
            qualified("module rec R : sig end = R.Sub and Q : sig end = struct end"),
            " |  | "
        );
    }

    #[test]
    fn the_module_set_is_the_same_with_or_without_qualified_paths() {
        use super::{ScanOptions, SourceKind, scan, scan_with};
        let src = b"open Foo let x = Foo.Bar.x  module M = F(Foo.Baz)  type t = A.B.t";
        let plain = scan(src, SourceKind::Implementation).expect("valid");
        let with = scan_with(
            src,
            SourceKind::Implementation,
            ScanOptions { qualified: true },
        )
        .expect("valid");
        assert_eq!(plain, with.modules);
        let without =
            scan_with(src, SourceKind::Implementation, ScanOptions::default()).expect("valid");
        assert!(without.paths.is_empty() && without.whole.is_empty());
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
