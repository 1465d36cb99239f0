//! Options of an OCaml build that rules read ([`BuildOptions`]: flags from
//! the command line, and the session's choice of who writes the `.cmi` of
//! modules without an `.mli`).

/// What the command line says about building, beyond flags (which reach
/// commands through tags and [`crate::flags`]).
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `-ignore`: module names dropped from every dependency list.
    pub ignore: Vec<String>,
    /// `-no-skip`: a module that is neither in the project nor in the
    /// standard library is an error instead of being left to the compiler.
    pub no_skip: bool,
    /// Modules whose `.cmi` comes from `ocamlopt` when they have no `.mli`
    /// (a native-only build); otherwise `ocamlc` writes it and `ocamlopt`
    /// reads it.
    pub cmi_from_native: bool,
    /// `non_dependency` declarations of a plugin: (file, module) pairs; the
    /// file does not depend on the module.
    pub non_dependencies: Vec<(String, String)>,
    /// `.mly` (and `.mlypack`) files go through menhir instead of ocamlyacc
    /// (`-use-menhir`, or `use_menhir` among the global tags).
    pub menhir: bool,
    /// The targets of the command line, as given.
    pub targets: Vec<String>,
    /// Rewriters from packages run through one linked ppx driver per set
    /// of packages, once per source (see `rules::ppx`), instead
    /// of as the compiler's and `ocamldep`'s `-ppx`.
    pub ppx_driver: bool,
}
