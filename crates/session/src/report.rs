//! Errors in words: what went wrong and a hint at how to fix it, with
//! ocamlbuild's own first line where scripts look for it. (A failed
//! command was already shown, with its output, by the caller's display.)

use engine::Error;
use ocaml::RuleError;
use ocaml::project::Project;
use ocaml::solver_failure::{self, SolverFailure};

use crate::unbound_module;

/// The hints the project gives for a failed command that did not find a
/// module: where it is (a sub-folder not searched), or what was meant (a
/// close name); none without the project.
fn unbound_hints(e: &Error, project: Option<&Project>) -> Vec<String> {
    let (Error::CommandFailed(f), Some(project)) = (e, project) else {
        return Vec::new();
    };
    unbound_module::unbound_modules(&f.output)
        .iter()
        .filter_map(|name| unbound_module::hint(project, name))
        .collect()
}

/// The message for a build error (failed commands were already shown),
/// with the project's hints when the compiler did not find a module.
pub fn describe_build_error(e: &Error, project: Option<&Project>) -> String {
    let mut message = describe(e);
    for hint in unbound_hints(e, project) {
        if !message.is_empty() {
            message.push('\n');
        }
        message.push_str(&hint);
    }
    message
}

/// The message for several build errors, in their order: each one's
/// message once, each hint once, and a last line naming every target that
/// failed, so that the list is the same from run to run whatever order the
/// failed commands were shown in as they failed.
pub fn describe_build_errors(errors: &[Error], project: Option<&Project>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |text: String| {
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
    };
    for e in errors {
        push(describe(e));
    }
    for e in errors {
        for hint in unbound_hints(e, project) {
            push(hint);
        }
    }
    let names: Vec<String> = errors
        .iter()
        .map(|e| match e.target() {
            Some(t) => t.to_string(),
            None => e.to_string(),
        })
        .collect();
    parts.push(format!(
        "Error: {} failures: {}.",
        errors.len(),
        names.join(", ")
    ));
    parts.join("\n")
}

/// The message for a build error (failed commands were already shown).
fn describe(e: &Error) -> String {
    match e {
        Error::CommandFailed(f) if f.output.contains("recompile with -fPIC") => format!(
            "Hint: {} is a shared library, and the OCaml runtime linked into it must be \
             compiled as position-independent code: tag it runtime_variant(_pic) in _tags \
             (for example `<*.so>: runtime_variant(_pic)`).",
            f.target
        ),
        Error::CommandFailed(_) => String::new(),
        Error::NoRule { target, via } => {
            let mut s = format!(
                "{}\nError: caravan knows no rule that builds {target}",
                SolverFailure::of_target(target.as_str())
            );
            if let Some(parent) = via.first() {
                s.push_str(&format!(" (needed by {parent})"));
            }
            s.push_str(
                ".\nHint: from X.ml and X.mli (or X.mll, X.mly), caravan builds X.byte, \
                 X.native, X.cmo, X.cmx, X.cmi, X.o, X.cma, X.cmxa, X.cmxs, X.byte.o, X.byte.c, \
                 X.byte.so, X.native.o, X.native.so, X.byte.exe, X.byte.complete.o, \
                 X.native.complete.o, X.ml.depends, X.mli.depends, X.inferred.mli and X.pp.ml; \
                 from X.mllib, X.mldylib, X.mlpack, X.mltop, X.itarget, X.c, libX.clib and \
                 X.odocl: X.cma/X.cmxa, X.cmxs, X.cmo/X.cmx, X.top, X.otarget, X.o, \
                 libX.a/dllX.so and X.docdir/index.html. Check the extension, and add the \
                 source's folder with -I if it is in a sub-folder.",
            );
            s
        }
        Error::Cycle { cycle } => {
            let mut names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
            let ocamlbuild = solver_failure::circular_build(&names);
            if let Some(first) = names.first().copied() {
                names.push(first);
            }
            format!(
                "{ocamlbuild}\nError: circular build: {}.\nHint: these files need each other; \
                 OCaml modules cannot depend on each other in a cycle. Move what they share into \
                 a module of its own.",
                names.join(" -> ")
            )
        }
        Error::Rule { error, .. } => match error.downcast_ref::<RuleError>() {
            Some(rule) => rule_message(rule),
            None => format!("Error: {error}"),
        },
        Error::Io { path, source } => io_message(path, source),
        Error::Internal(m) => format!(
            "Internal error: {m}\nThis is a bug in caravan; please report it with the command \
             line and _build/_log."
        ),
        other => format!("Error: {other}"),
    }
}

/// The message of a rule's error. One that starts at a place in a file
/// says `Error:` after it; one that opens with ocamlbuild's heading keeps it
/// first.
fn rule_message(e: &RuleError) -> String {
    let message = e.message();
    if message.starts_with("File \"") || solver_failure::has_ocamlbuild_heading(message) {
        message.to_string()
    } else {
        format!("Error: {message}")
    }
}

/// The message for a file that could not be read or written, with a hint
/// when the cause is one the user can fix.
pub fn io_message(path: &std::path::Path, e: &std::io::Error) -> String {
    let hint = match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "\nHint: caravan must be able to read the project's files and write in the build \
             directory; check the permissions of this file and its folder."
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "\nHint: free some space and build again; the next build goes on from what this \
             one finished."
        }
        _ => "",
    };
    format!("Error: {}: {e}{hint}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocaml::rule_error::Category;

    fn rule(message: &str) -> Error {
        Error::from(RuleError::new(Category::MissingModule, message))
    }

    #[test]
    fn a_rule_error_says_error_before_its_message() {
        assert_eq!(describe(&rule("a.ml uses B")), "Error: a.ml uses B");
    }

    #[test]
    fn a_rule_error_at_a_place_or_with_ocamlbuilds_heading_starts_with_it() {
        let placed = "File \"_tags\", line 1, characters 0-9:\nError: no package";
        assert_eq!(describe(&rule(placed)), placed);
        let solver = format!(
            "{}\nError: cannot build a.byte",
            solver_failure::SOLVER_FAILED
        );
        assert_eq!(describe(&rule(&solver)), solver);
    }

    #[test]
    fn the_engines_own_failures_read_as_before() {
        let rebuild = Error::MustNotRebuild {
            target: engine::Target::new("a.cmo"),
            reason: engine::Reason::NoTrace,
            command: "ocamlc -c a.ml".into(),
        };
        assert_eq!(
            describe(&rebuild),
            format!(
                "Error: -nothing-should-be-rebuilt: a.cmo would be rebuilt ({}) by: ocamlc -c a.ml",
                engine::Reason::NoTrace
            )
        );
        let vanished = Error::SourceVanished {
            path: "/p/a.ml".into(),
        };
        assert_eq!(
            describe(&vanished),
            "Error: the source file /p/a.ml disappeared during the build"
        );
    }
}
