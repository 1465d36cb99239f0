//! `--`: running the program just built, with the remaining arguments, and
//! returning its exit code.

use std::path::Path;
use std::process::Command;

use engine::Target;

use crate::error::Error;

/// Runs the last target (a `.byte` or `.native` program) from the project
/// root with `args`; returns its exit status.
pub fn run_last(
    root: &Path,
    build_dir: &Path,
    targets: &[Target],
    args: &[String],
    ocamlrun: Option<&str>,
) -> Result<u8, Error> {
    let Some(last) = targets.last() else {
        return Err(usage_error());
    };
    let t = last.as_str();
    if !(t.ends_with(".byte") || t.ends_with(".native")) {
        return Err(Error::Usage(format!(
            "Error: cannot run {}: only .byte and .native targets can be run with --.\n\
                 Hint: put the program to run last on the command line.",
            build_dir.join(t).display()
        )));
    }
    let program = build_dir.join(t);
    let mut cmd = match ocamlrun {
        Some(runner) if t.ends_with(".byte") => {
            let mut words = runner.split_whitespace();
            let mut c = Command::new(words.next().unwrap_or("ocamlrun"));
            c.args(words).arg(&program);
            c
        }
        _ => Command::new(&program),
    };
    let status = cmd
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| Error::System(format!("Error: cannot run {}: {e}", program.display())))?;
    use std::os::unix::process::ExitStatusExt;
    Ok(match (status.code(), status.signal()) {
        (Some(c), _) => c as u8,
        (None, Some(sig)) => (128 + sig) as u8,
        // Neither an exit code nor a signal: ocamlbuild's generic failure.
        (None, None) => 2,
    })
}

fn usage_error() -> Error {
    Error::Usage("Error: -- needs a program target to run (foo.byte or foo.native).".into())
}
