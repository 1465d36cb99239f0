//! OCaml knowledge for caravan: the toolchain, the project tree, module
//! resolution, and the built-in rules that turn `.ml`/`.mli` files into
//! `.cmi`, `.cmo`, `.cmx`, `.byte` and `.native` files.
//!
//! The [`rules::OcamlRules`] value is what the engine runs. A
//! [`rules::rule_setup::RuleSetup`] makes it from a [`project::Project`]
//! (the traversed tree), a [`toolchain::Toolchain`], the
//! [`build_options::BuildOptions`], the tags of paths ([`tagging`]) and
//! the flag declarations (the `flags` crate); a project's own rules (its
//! plugin's) come in through [`rules::declared::DeclaredRules`].
//! Dependencies between modules come from the in-process scanner
//! ([`depscan`]), written to `.depends` files in the format of
//! `ocamldep -modules`. What rules report about the project is a
//! [`RuleError`].

#![deny(missing_docs)]

pub mod build_options;
pub mod depends_file;
pub mod error;
pub mod hygiene;
pub mod mode;
pub mod module_name;
pub mod module_refs;
pub mod namespace;
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
