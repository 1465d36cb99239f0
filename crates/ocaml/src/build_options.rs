//! Options of an OCaml build that rules read ([`BuildOptions`]: flags from
//! the command line, and who writes the `.cmi` of modules without an
//! `.mli`, decided from the targets by [`BuildOptions::native_only`]).

/// What the command line says about building, beyond flags (which reach
/// commands through tags and the `flags` crate).
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

impl BuildOptions {
    /// Whether every target of `targets` (as given on the command line) is
    /// native code, a `.depends` aside: then `ocamlopt` writes the `.cmi` of
    /// modules without an `.mli` ([`Self::cmi_from_native`]) and `ocamlc`
    /// never runs. Any bytecode target, or one of neither kind, says no.
    pub fn native_only(targets: &[String]) -> bool {
        let byte = [
            ".byte.o",
            ".byte.so",
            ".byte.c",
            ".byte.exe",
            ".byte.complete.o",
        ];
        let native = [".native", ".cmx", ".cmxa", ".cmxs", ".o", ".a", ".so"];
        let neutral = [".depends"];
        let mut any_native = false;
        for t in targets {
            if byte.iter().any(|e| t.ends_with(e)) {
                return false;
            }
            if native.iter().any(|e| t.ends_with(e)) {
                any_native = true;
            } else if !neutral.iter().any(|e| t.ends_with(e)) {
                return false;
            }
        }
        any_native
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native_only(targets: &[&str]) -> bool {
        let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
        BuildOptions::native_only(&targets)
    }

    #[test]
    fn native_targets_alone_are_a_native_only_build() {
        assert!(native_only(&["main.native"]));
        assert!(native_only(&["a.cmx", "lib.cmxa", "plugin.cmxs"]));
        assert!(native_only(&["stubs.o", "libstubs.a", "dllstubs.so"]));
        assert!(native_only(&["main.native.o", "main.native.so"]));
    }

    #[test]
    fn a_depends_file_beside_native_targets_changes_nothing() {
        assert!(native_only(&["a.ml.depends", "main.native"]));
        assert!(!native_only(&["a.ml.depends"]));
    }

    #[test]
    fn any_bytecode_target_makes_it_a_build_of_both() {
        assert!(!native_only(&["main.native", "main.byte"]));
        assert!(!native_only(&["a.cmo"]));
        assert!(!native_only(&["a.cmi"]));
        assert!(!native_only(&["lib.cma", "lib.cmxa"]));
    }

    #[test]
    fn bytecode_output_objects_are_bytecode_despite_their_native_extensions() {
        for t in [
            "main.byte.o",
            "main.byte.so",
            "main.byte.c",
            "main.byte.exe",
            "main.byte.complete.o",
        ] {
            assert!(!native_only(&[t]), "{t}");
            assert!(!native_only(&["main.native", t]), "{t}");
        }
    }

    #[test]
    fn other_targets_and_none_are_not_native_only() {
        assert!(!native_only(&[]));
        assert!(!native_only(&["doc.docdir/index.html"]));
        assert!(!native_only(&["all.otarget", "main.native"]));
    }
}
