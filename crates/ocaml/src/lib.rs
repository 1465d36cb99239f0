//! OCaml knowledge for caravan: the toolchain, the project tree, module
//! resolution, and the built-in rules that turn `.ml`/`.mli` files into
//! `.cmi`, `.cmo`, `.cmx`, `.byte` and `.native` files.
//!
//! The [`rules::OcamlRules`] value is what the engine runs. It is built from
//! a [`project::Project`] (the traversed tree), a [`toolchain::Toolchain`]
//! and [`build_options::BuildOptions`]. Dependencies between modules come from the
//! in-process scanner ([`depscan`]), written to `.depends` files in the
//! format of `ocamldep -modules`.

#![deny(missing_docs)]

pub mod build_options;
pub mod depends_file;
pub mod error;
pub mod hygiene;
pub mod mode;
pub mod module_name;
pub mod ocamlfind;
pub mod project;
pub mod resolver;
pub mod rule_error;
pub mod rules;
pub mod solver_failure;
pub mod tagging;
pub mod toolchain;

pub use error::{Error, Result};
pub use rule_error::RuleError;
