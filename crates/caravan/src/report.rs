//! Build errors in words: what went wrong and a hint at how to fix it.
//! (A failed command was already shown, with its output, by the display.)

use engine::Error;

/// Whether a failure is the compiler not finding a module.
pub fn mentions_unbound_module(e: &Error) -> bool {
    matches!(e, Error::CommandFailed(f) if f.output.contains("Unbound module"))
}

/// The message for a build error (failed commands were already shown).
pub fn describe(e: &Error) -> String {
    match e {
        Error::CommandFailed(_) => String::new(),
        Error::NoRule { target, via } => {
            let mut s = format!("Error: caravan knows no rule that builds {target}");
            if let Some(parent) = via.first() {
                s.push_str(&format!(" (needed by {parent})"));
            }
            s.push_str(
                ".\nHint: from X.ml and X.mli (or X.mll, X.mly), caravan builds X.byte, \
                 X.native, X.cmo, X.cmx, X.cmi, X.o, X.ml.depends, X.mli.depends, \
                 X.inferred.mli and X.pp.ml, and from F.odocl F.docdir/index.html; check \
                 the extension, and add the source's folder with -I if \
                 it is in a sub-folder.",
            );
            s
        }
        Error::Cycle { cycle } => {
            let mut names: Vec<&str> = cycle.iter().map(|t| t.as_str()).collect();
            if let Some(first) = names.first().copied() {
                names.push(first);
            }
            format!(
                "Error: circular build: {}.\nHint: these files need each other; OCaml modules \
                 cannot depend on each other in a cycle. Move what they share into a module of \
                 its own.",
                names.join(" -> ")
            )
        }
        Error::Rule { message, .. } => format!("Error: {message}"),
        Error::Internal(m) => format!(
            "Internal error: {m}\nThis is a bug in caravan; please report it with the command \
             line and _build/_log."
        ),
        other => format!("Error: {other}"),
    }
}
