//! Build errors in words: what went wrong and a hint at how to fix it.
//! (A failed command was already shown, with its output, by the display.)

use engine::Error;
use ocaml::solver_failure::{self, SolverFailure};

/// Whether a failure is the compiler not finding a module.
pub fn mentions_unbound_module(e: &Error) -> bool {
    matches!(e, Error::CommandFailed(f) if f.output.contains("Unbound module"))
}

/// The message for a build error (failed commands were already shown).
pub fn describe(e: &Error) -> String {
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
        // A message that starts at a place in a file says `Error:` after
        // it; one that opens with ocamlbuild's heading keeps it first.
        Error::Rule { message, .. }
            if message.starts_with("File \"")
                || solver_failure::has_ocamlbuild_heading(message) =>
        {
            message.to_string()
        }
        Error::Rule { message, .. } => format!("Error: {message}"),
        Error::Io { path, source } => io_message(path, source),
        Error::Internal(m) => format!(
            "Internal error: {m}\nThis is a bug in caravan; please report it with the command \
             line and _build/_log."
        ),
        other => format!("Error: {other}"),
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
