//! Findlib in process: ocamlfind's configuration, META files and package
//! resolution, giving the same answers as `ocamlfind` 1.9.6 without running
//! it for every compiler command.
//!
//! # Guide
//!
//! A [`Findlib`] value holds a [`Config`] (read like ocamlfind reads
//! `findlib.conf` and the environment) and a cache of the META files it has
//! parsed; each file is parsed at most once per value. Ask it for a
//! [`Package`], for the ordered closure of packages ([`Findlib::ancestors`],
//! what `ocamlfind query -r` lists), or for everything an
//! `ocamlfind ocamlc/ocamlopt -package ... -linkpkg` command adds to the
//! compiler's arguments ([`Findlib::resolve`] returning a [`Resolution`]).
//!
//! ```
//! use findlib::{Compiler, Config, Findlib, Request};
//! use std::path::PathBuf;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A library directory with one package, as `ocamlfind install` makes it.
//! let lib = tempfile::tempdir()?;
//! std::fs::create_dir(lib.path().join("greet"))?;
//! std::fs::write(
//!     lib.path().join("greet/META"),
//!     r#"
//! description = "Greetings"
//! version = "1.0"
//! requires = "unix"
//! archive(byte) = "greet.cma"
//! archive(native) = "greet.cmxa"
//! package "loud" (
//!   requires = "greet"
//!   archive(byte) = "loud.cma"
//!   linkopts = "-cclib -lloud"
//! )
//! "#,
//! )?;
//! std::fs::create_dir(lib.path().join("unix"))?;
//! std::fs::write(
//!     lib.path().join("unix/META"),
//!     "directory = \"^\"\narchive(byte) = \"unix.cma\"\n",
//! )?;
//!
//! // Normally: Findlib::from_process()? reads OCAMLFIND_CONF, OCAMLPATH...
//! let dir = lib.path().to_str().ok_or("path")?;
//! let findlib = Findlib::new(Config::from_parts(&[dir], "/usr/lib/ocaml"));
//!
//! let greet = findlib.package("greet")?;
//! assert_eq!(greet.version().as_deref(), Some("1.0"));
//!
//! // What `ocamlfind ocamlc -package greet.loud -linkpkg` adds.
//! let r = findlib.resolve(&Request::new(Compiler::Ocamlc, &["greet.loud"]))?;
//! assert_eq!(r.packages, ["unix", "greet", "greet.loud"]);
//! // The standard library directory is never passed with -I.
//! assert_eq!(r.include_dirs, [lib.path().join("greet")]);
//! assert_eq!(
//!     r.archive_paths(None),
//!     [
//!         PathBuf::from("/usr/lib/ocaml/unix.cma"),
//!         lib.path().join("greet/greet.cma"),
//!         lib.path().join("greet/loud.cma"),
//!     ]
//! );
//! assert_eq!(r.link_options, ["-cclib", "-lloud"]);
//!
//! // Mistakes are explained, with the place in the META file.
//! let err = findlib.package("greet.lod").unwrap_err();
//! assert!(err.to_string().contains("did you mean `greet.loud'?"));
//! # Ok(())
//! # }
//! ```
//!
//! # What is modelled
//!
//! * Configuration ([`conf`]): `OCAMLFIND_CONF` or the compiled-in file, its
//!   `.d` directory, Debian's extra directory, toolchains (`-toolchain`,
//!   `OCAMLFIND_TOOLCHAIN`), and the environment overrides.
//! * META files ([`meta`]): a hand-written lexer and parser with located
//!   errors, and the precedence rules of variable definitions.
//! * Packages ([`Package`]): `directory` (`^`, `+`, relative, absolute),
//!   `META.name` files, `exists_if`.
//! * Resolution ([`Findlib::resolve`]): the standard predicates, `pkg_NAME`
//!   predicates, `-thread`, `dontlink`, `error` and `warning`, archives,
//!   `linkopts`, `ppx` and `ppxopt`, camlp4 `-syntax`, and the findlib
//!   initialization file of `findlib.dynload` and toplevels.
//! * Queries ([`Findlib::query_format`]): `ocamlfind query -format`.

//! # Differences from ocamlfind 1.9.6
//!
//! The integration tests compare the crate with the installed ocamlfind on
//! every installed package and find no difference. Where ocamlfind has a
//! bug, the crate does the sensible thing instead:
//!
//! * [`Findlib::list`] leaves out directories such as `visitors.ppx/META`
//!   whose name contains a dot: `a.b` always means sub-package `b` of `a`,
//!   so they can never be looked up. ocamlfind lists them, or, when such a
//!   directory is read before the main package's, aborts `ocamlfind list`
//!   with `Fl_topo.Inconsistent_ordering` (Debian's visitors package
//!   triggers this).
//! * In one directory `NAME/META` wins over `META.NAME` for listing as it
//!   does for lookups (ocamlfind's `list` takes whichever the directory
//!   lists first).
//! * A `requires` cycle is reported when it is among the packages being
//!   resolved; ocamlfind also fails on cycles among unrelated packages
//!   whose META files it happened to read.
//! * Package `threads` is only needed for `-thread`/`-vmthread`; ocamlfind
//!   fails every compiler command when it is missing.
//! * Error lines count the line breaks inside multi-line strings
//!   (ocamlfind's do not), and values that are not UTF-8 are read lossily.

#![deny(missing_docs)]

pub mod conf;
mod error;
mod findlib;
mod format;
pub mod meta;
mod package;
pub mod predicates;
mod resolve;
pub mod split;
mod suggest;

pub use conf::{Config, ConfigOptions, Environment, Platform, Tool};
pub use error::{Error, Location, RequiredBy, Result};
pub use findlib::{Findlib, Listing};
pub use package::Package;
pub use predicates::Predicates;
pub use resolve::{Archive, Compiler, Request, Resolution, Threads};
