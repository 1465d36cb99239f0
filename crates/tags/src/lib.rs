//! The `_tags` language of ocamlbuild 0.14.1: parsing, patterns, tag sets,
//! flag tables and the startup warnings, reproduced byte for byte.
//!
//! Tags are plain strings here; this crate knows nothing of OCaml. The
//! model, in the order a build uses it:
//!
//! 1. **Reading.** Text in `_tags` syntax (`PATTERN: tag, -tag, +tag`) is
//!    read by [`parse`] into [`Line`]s. Errors are [`Error`] values whose
//!    `Display` is ocamlbuild's two-line message (`File "_tags", line 1,
//!    characters 13-14:` / `Lexing error: Only ',' separated tags are
//!    allowed.`); ocamlbuild exits with 8 on them ([`Error::exit_code`]).
//! 2. **Patterns.** The left side of a line is a [`Pattern`]: `<glob>`,
//!    `"exact"`, `true`, `false` combined with `not`, `and`, `or`. Globs
//!    ([`Glob`]) are compiled to small automata, so evaluating dozens of
//!    lines for thousands of files is cheap.
//! 3. **Configuration.** A [`Configuration`] accumulates sources in the
//!    order ocamlbuild reads them: the built-in lines ([`BUILTIN_LINES`]),
//!    `-tag-line`s, the `true: quiet, …` line of `-tag`, the `_tags` files
//!    (a subdirectory's file is scoped to its subtree). [`Configuration::tags_of`]
//!    gives a path's [`TagSet`], `file:` and `extension:` tags included.
//! 4. **Declarations.** [`Declarations`] holds `flag`/`pflag`/`dep`/`pdep`
//!    declarations; [`Declarations::flags_of`] gives a command's flags in
//!    ocamlbuild's order. Parametrised declarations produce flags only for
//!    the applied tags the configuration acknowledges
//!    ([`Declarations::instantiate`]).
//! 5. **Warnings.** [`startup_checks`] declares those instances and returns
//!    the warnings ocamlbuild prints before building, in its order.
//! 6. **Display.** A [`TagSet`] prints as in `_log` (`{ a, b }`) or as
//!    `-show-tags` does ([`TagSet::show_tags_form`], after
//!    [`SHOW_TAGS_PREAMBLE`], wrapped like OCaml's `Format`);
//!    [`Declarations::documentation`] prints the flag part of
//!    `-documentation`.
//!
//! [`Configuration`] is immutable once read and `Send + Sync`; ocamlbuild
//! caches tags per path, which [`TagsCache`] offers when the same paths are
//! asked for repeatedly.
//!
//! Rule names use [`PathScheme`] (`%(path:<**/>)lib%(name).a`), which
//! shares the pattern language.
//!
//! ```
//! use tags::{Configuration, Declarations, TagSet, startup_checks};
//!
//! let mut config = Configuration::new();
//! config.add_builtin("<**/*.ml> or <**/*.mli>: ocaml\n")?; // usually BUILTIN_LINES
//! config.tag_any(&["quiet"])?; // what `-tag`/`-tags` always adds
//! config.add_tags_file(
//!     "",
//!     b"true: package(unix), package(str), debug, warn(+a-4), thread\n\
//!       <b.ml>: for-pack(Foo)\n",
//! )?;
//!
//! let mut decls: Declarations = Declarations::new();
//! let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
//! decls.flag(["ocaml", "compile", "debug"], words(&["-g"]));
//! decls.flag(["ocaml", "compile", "thread"], words(&["-thread"]));
//! decls.flag(["ocaml", "ocamllex", "quiet"], words(&["-q"]));
//! decls.pflag(["ocaml", "compile"], "package", move |p| vec!["-package".into(), p.into()]);
//! decls.pflag(["ocaml", "compile"], "warn", |p| vec!["-w".into(), p.into()]);
//! decls.pflag(["ocaml", "compile"], "for-pack", |p| vec!["-for-pack".into(), p.into()]);
//!
//! let mut warnings = Vec::new();
//! startup_checks(&config, &mut decls, &mut warnings)?;
//! assert!(warnings.is_empty()); // every tag written is used by a declaration
//!
//! let command: TagSet = config.tags_of("b.ml").with("compile").with("byte");
//! assert_eq!(
//!     decls.flags_of(&command).join(" "),
//!     "-g -thread -for-pack Foo -package unix -package str -w +a-4"
//! );
//! assert_eq!(
//!     config.tags_of("b.ml").to_string(),
//!     "{ for-pack(Foo), package(str), package(unix), warn(+a-4), debug, \
//!      extension:ml, file:b.ml, ocaml, quiet, thread }"
//! );
//! # Ok::<(), tags::Error>(())
//! ```
//!
//! Behaviours not written down elsewhere were settled by running
//! ocamlbuild 0.14.1; the tests name each experiment.

#![deny(missing_docs)]

pub mod configuration;
pub mod error;
pub mod flags;
pub mod glob;
mod lexer;
pub mod location;
pub mod parser;
pub mod pattern;
mod pretty;
pub mod scheme;
pub mod tag;
pub mod tag_set;
pub mod warning;
pub mod warnings;

pub use configuration::{BUILTIN_LINES, Configuration, Part, TagsCache, extension};
pub use error::{Error, LexingMessage, Result};
pub use flags::{Declaration, Declarations, ParamDeclaration, ParamFn, documentation_entry};
pub use glob::Glob;
pub use location::{Location, Source, SourceKind};
pub use parser::{Line, LocatedTag, parse};
pub use pattern::Pattern;
pub use scheme::{Bindings, PathScheme};
pub use tag::Tag;
pub use tag_set::{SHOW_TAGS_PREAMBLE, TagSet};
pub use warning::{Warning, WarningKind};
pub use warnings::{BUILTIN_USEFUL_TAGS, startup_checks, unused_tags};
