//! ocamlbuild's own words for a target its solver cannot build, so that
//! the first lines of caravan's report are the ones scripts and CI logs
//! grep for; caravan's explanation and hint follow them.
//!
//! ocamlbuild tries its rules one after the other and, when all fail,
//! prints `Solver failed:` and one sentence chosen by walking the tree of
//! attempts (`Report.analyze`): the first file on the way that is a
//! root-level `*.ml`, `*.mli`, `*.c` or `*.h` with a rule that could make
//! it is "a file with such a name would usually be a source file";
//! otherwise the leaf that no rule applies to is named. caravan decides its
//! rule instead of trying them all, so [`SolverFailure`] reconstructs that
//! sentence from the target and the source it lacks.

use std::fmt;

/// ocamlbuild's first line for a failed solve.
pub const SOLVER_FAILED: &str = "Solver failed:";

/// What ocamlbuild's solver reports for a target it cannot build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SolverFailure {
    /// `Ocamlbuild knows of no rules that apply to a target named X...`
    NoRule(String),
    /// `Ocamlbuild cannot find or build X.  A file with such a name would
    /// usually be a source file...`
    CannotFind(String),
}

impl SolverFailure {
    /// The report for `target`, to which no rule applies at all.
    pub fn of_target(target: &str) -> SolverFailure {
        if let Some(stem) = target.strip_suffix(".o") {
            // Of ocamlbuild's rules for `X.o`, the C one is tried last, and
            // it is the last failure that is reported.
            return SolverFailure::NoRule(format!("{stem}.c"));
        }
        if let Some(c) = c_of_shared_library(target) {
            // `dllX.so` comes from `libX.clib`, made of `X.o`, from `X.c`.
            return SolverFailure::NoRule(c);
        }
        SolverFailure::of_leaf(target)
    }

    /// The report for `target`, whose rule needs `source`, which is neither
    /// in the source tree nor buildable.
    pub fn of_missing_source(target: &str, source: &str) -> SolverFailure {
        if has_no_rule(target) {
            return SolverFailure::NoRule(target.to_string());
        }
        if !target.contains('/') && is_generated_source(target) {
            return SolverFailure::CannotFind(target.to_string());
        }
        if let Some(stem) = target.strip_suffix(".o") {
            // The C rule, tried last, needs `X.c`: at the root, `X.byte.c`
            // is a source's name a rule can make; below it the analysis
            // stops at the module's source.
            return match stem.strip_suffix(".byte") {
                Some(_) if !stem.contains('/') => SolverFailure::CannotFind(format!("{stem}.c")),
                Some(_) => SolverFailure::NoRule(source.to_string()),
                None => SolverFailure::NoRule(format!("{stem}.c")),
            };
        }
        if target.ends_with(".byte.c") && !target.contains('/') {
            return SolverFailure::CannotFind(target.to_string());
        }
        // Without its list file, an archive is made of the module of the
        // same name (ocamlbuild's single-module archive rules).
        let module_source = [".mllib", ".mldylib"]
            .iter()
            .find_map(|ext| source.strip_suffix(ext))
            .map(|stem| format!("{stem}.ml"));
        SolverFailure::of_leaf(module_source.as_deref().unwrap_or(source))
    }

    /// The report when `leaf` is the file that cannot be made.
    fn of_leaf(leaf: &str) -> SolverFailure {
        if !is_generated_source(leaf) {
            return SolverFailure::NoRule(leaf.to_string());
        }
        if !leaf.contains('/') {
            return SolverFailure::CannotFind(leaf.to_string());
        }
        // Below the root, ocamlbuild's analysis goes on to the grammar,
        // its last attempt at making the source.
        let stem = leaf
            .strip_suffix(".mli")
            .or_else(|| leaf.strip_suffix(".ml"))
            .unwrap_or(leaf);
        SolverFailure::NoRule(format!("{stem}.mly"))
    }
}

/// Whether ocamlbuild has a rule that could make `path` although it is a
/// source's name: `.ml` and `.mli` files come from lexers, grammars and
/// preprocessing.
fn is_generated_source(path: &str) -> bool {
    path.ends_with(".ml") || path.ends_with(".mli")
}

/// `[dir/]X.c` for a `[dir/]dllX.so` target.
fn c_of_shared_library(target: &str) -> Option<String> {
    let (dir, name) = match target.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), target),
    };
    let lib = name.strip_prefix("dll")?.strip_suffix(".so")?;
    (!lib.is_empty()).then(|| format!("{dir}{lib}.c"))
}

/// Targets caravan builds and ocamlbuild has no rule for: the typed trees,
/// written as a side effect of `-bin-annot`.
fn has_no_rule(target: &str) -> bool {
    target.ends_with(".cmt") || target.ends_with(".cmti")
}

impl fmt::Display for SolverFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolverFailure::NoRule(t) => write!(
                f,
                "{SOLVER_FAILED}\n  Ocamlbuild knows of no rules that apply to a target named \
                 {t}. This can happen if you ask Ocamlbuild to build a target with the wrong \
                 extension (e.g. .opt instead of .native) or if the source files live in \
                 directories that have not been specified as include directories."
            ),
            SolverFailure::CannotFind(t) => write!(
                f,
                "{SOLVER_FAILED}\n  Ocamlbuild cannot find or build {t}.  A file with such a \
                 name would usually be a source file.  I suspect you have given a wrong target \
                 name to Ocamlbuild."
            ),
        }
    }
}

/// ocamlbuild's line for a cycle among the targets of a build:
/// `cycle` in request order (each asks for the next, the last for the
/// first again). ocamlbuild names the target asked for again and the
/// targets on the way, the latest first.
pub fn circular_build(cycle: &[&str]) -> String {
    let first = cycle.first().copied().unwrap_or_default();
    let seen: Vec<&str> = cycle.iter().rev().copied().collect();
    format!(
        "Circular build detected ({first} already seen in [ {} ])",
        seen.join("; ")
    )
}

/// ocamlbuild's line for modules whose objects cannot be linked in any
/// order: `path` from the object met again to the one that needs it.
pub fn circular_dependencies(path: &[&str]) -> String {
    let first = path.first().copied().unwrap_or_default();
    let seen: Vec<String> = path.iter().rev().map(|p| format!("{p:?}")).collect();
    format!(
        "Circular dependencies: {first:?} already seen in [ {} ]",
        seen.join("; ")
    )
}

/// Whether a message already opens with one of ocamlbuild's headings (then
/// it is printed as it is, without caravan's `Error:`).
pub fn has_ocamlbuild_heading(message: &str) -> bool {
    [
        SOLVER_FAILED,
        "Circular build detected",
        "Circular dependencies:",
    ]
    .iter()
    .any(|h| message.starts_with(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(f: SolverFailure) -> String {
        f.to_string().lines().nth(1).unwrap_or_default().to_string()
    }

    #[test]
    fn the_sentence_names_the_file_ocamlbuild_names() {
        use SolverFailure::{CannotFind, NoRule};
        let cases = [
            (("b.native", "b.ml"), CannotFind("b.ml".into())),
            (("sub/b.native", "sub/b.ml"), NoRule("sub/b.mly".into())),
            (("b.mli.depends", "b.mli"), CannotFind("b.mli".into())),
            (("b.cma", "b.mllib"), CannotFind("b.ml".into())),
            (("b.cmxs", "b.mldylib"), CannotFind("b.ml".into())),
            (("b.otarget", "b.itarget"), NoRule("b.itarget".into())),
            (
                ("b.inferred.mli", "b.ml"),
                CannotFind("b.inferred.mli".into()),
            ),
            (
                ("sub/b.inferred.mli", "sub/b.ml"),
                NoRule("sub/b.mly".into()),
            ),
            (("b.cmt", "b.ml"), NoRule("b.cmt".into())),
        ];
        for ((target, source), expected) in cases {
            assert_eq!(
                SolverFailure::of_missing_source(target, source),
                expected,
                "{target}"
            );
        }
        assert_eq!(SolverFailure::of_target("b.opt"), NoRule("b.opt".into()));
        assert_eq!(SolverFailure::of_target("b.ml"), CannotFind("b.ml".into()));
        assert_eq!(
            SolverFailure::of_target("sub/b.o"),
            NoRule("sub/b.c".into())
        );
    }

    #[test]
    fn the_words_are_ocamlbuilds() {
        let f = SolverFailure::of_target("a.opt");
        assert!(
            f.to_string()
                .starts_with("Solver failed:\n  Ocamlbuild knows of no rules")
        );
        assert_eq!(
            line(SolverFailure::CannotFind("b.ml".into())),
            "  Ocamlbuild cannot find or build b.ml.  A file with such a name would usually be \
             a source file.  I suspect you have given a wrong target name to Ocamlbuild."
        );
        assert_eq!(
            circular_build(&["a.cmi", "b.cmi"]),
            "Circular build detected (a.cmi already seen in [ b.cmi; a.cmi ])"
        );
        assert_eq!(
            circular_build(&["a.cmo"]),
            "Circular build detected (a.cmo already seen in [ a.cmo ])"
        );
        assert_eq!(
            circular_dependencies(&["a.cmo", "b.cmo"]),
            "Circular dependencies: \"a.cmo\" already seen in [ \"b.cmo\"; \"a.cmo\" ]"
        );
    }
}
