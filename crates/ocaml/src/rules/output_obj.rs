//! Output kinds: OCaml code for C programs, and self-contained executables.
//!
//! | target | command | tags besides the output's |
//! |---|---|---|
//! | `x.byte.o`, `x.byte.c`, `x.byte.so` | `ocamlc -output-obj ...` | `ocaml link byte output_obj` (+ `output_shared`) |
//! | `x.native.o`, `x.native.so` | `ocamlopt -output-obj ...` | `ocaml link native output_obj` (+ `output_shared`) |
//! | `x.byte.complete.o` | `ocamlc -output-complete-obj ...` | `ocaml link byte output_complete_obj` |
//! | `x.native.complete.o` | `ocamlopt -output-complete-obj ...` | `ocaml link native output_complete_obj` |
//! | `x.byte.exe` | `ocamlc -output-complete-exe ...` | `ocaml link byte program output_complete_exe` |
//!
//! The first five are ocamlbuild's (`-output-obj` comes from the
//! `output_obj` tag's flag; a `.so` output makes the compiler build a
//! shared library). The last three are caravan's names for the compiler's
//! `-output-complete-obj` (the object also holds the runtime and the C
//! libraries, so a C program links it alone) and `-output-complete-exe` (a
//! bytecode program and the runtime in one executable that needs no
//! `ocamlrun`). `.o` and `.so` are the platform's `ext_obj`/`ext_dll`.
//!
//! `ocamlc` writes temporary files named after its output (`x.byte.c`, and
//! `x.byte.o` for `x.byte.so` and `x.byte.exe`), which are other targets'
//! names: ocamlbuild fails with "Cannot overwrite existing file x.byte.c"
//! when both are built. caravan runs those bytecode links with their output
//! in a private folder of `_build/.caravan` and moves the result into place,
//! so the targets never collide; the log shows the command as ocamlbuild
//! writes it.

use std::path::Path;
use std::process::Command as Process;
use std::sync::Arc;

use engine::{Action, CommandFailure, Error, Result, Target, shell_quote};

use crate::mode::Mode;

/// What an output-kind link produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// An object file (`-output-obj`).
    Obj,
    /// A C source (`-output-obj`, bytecode only).
    C,
    /// A shared library (`-output-obj`).
    Shared,
    /// An object with the runtime inside (`-output-complete-obj`).
    CompleteObj,
    /// An executable with the runtime inside (`-output-complete-exe`).
    CompleteExe,
}

impl OutputKind {
    /// The context tags of the link command.
    pub fn context_tags(self) -> &'static [&'static str] {
        match self {
            OutputKind::Obj | OutputKind::C => &["output_obj"],
            OutputKind::Shared => &["output_obj", "output_shared"],
            OutputKind::CompleteObj => &["output_complete_obj"],
            OutputKind::CompleteExe => &["program", "output_complete_exe"],
        }
    }

    /// The compiler option that caravan adds itself (the others come from
    /// the `output_obj` tag's flag).
    pub fn option(self) -> Option<&'static str> {
        match self {
            OutputKind::CompleteObj => Some("-output-complete-obj"),
            OutputKind::CompleteExe => Some("-output-complete-exe"),
            _ => None,
        }
    }

    /// Whether the compiler writes temporary files named after the output.
    pub fn needs_private_dir(self, mode: Mode) -> bool {
        mode == Mode::Byte
            && matches!(
                self,
                OutputKind::Obj | OutputKind::Shared | OutputKind::CompleteExe
            )
    }
}

/// Recognises an output-kind target: its main module's stem, mode and kind.
pub fn parse<'a>(
    target: &'a str,
    ext_obj: &str,
    ext_dll: &str,
) -> Option<(&'a str, Mode, OutputKind)> {
    let table = [
        (
            format!(".byte.complete.{ext_obj}"),
            Mode::Byte,
            OutputKind::CompleteObj,
        ),
        (
            format!(".native.complete.{ext_obj}"),
            Mode::Native,
            OutputKind::CompleteObj,
        ),
        (".byte.exe".to_string(), Mode::Byte, OutputKind::CompleteExe),
        (format!(".byte.{ext_obj}"), Mode::Byte, OutputKind::Obj),
        (".byte.c".to_string(), Mode::Byte, OutputKind::C),
        (format!(".byte.{ext_dll}"), Mode::Byte, OutputKind::Shared),
        (format!(".native.{ext_obj}"), Mode::Native, OutputKind::Obj),
        (
            format!(".native.{ext_dll}"),
            Mode::Native,
            OutputKind::Shared,
        ),
    ];
    table.into_iter().find_map(|(suffix, mode, kind)| {
        target
            .strip_suffix(suffix.as_str())
            .filter(|stem| !stem.is_empty() && !stem.ends_with('/'))
            .map(|stem| (stem, mode, kind))
    })
}

/// The action running `argv` (which ends with `-o <out>`) with its output in
/// a private folder, then moving the output into place.
pub fn private_link(argv: Vec<String>, out: &Target) -> Action {
    let display = argv
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    let out_name = out.to_string();
    let shown = display.clone();
    let run_argv = argv.clone();
    Action::internal(
        "output-obj-in-private-dir-1",
        argv,
        display,
        move |build_dir| run_private(build_dir, &run_argv, &out_name, &shown),
    )
}

fn run_private(build_dir: &Path, argv: &[String], out: &str, shown: &str) -> Result<Vec<u8>> {
    let target = Target::new(out);
    let scratch_rel = format!(".caravan/scratch/{}", out.replace('/', "%"));
    let scratch = build_dir.join(&scratch_rel);
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
    let private_out = format!("{scratch_rel}/{}", target.file_name());
    let mut words = argv.to_vec();
    if let Some(last) = words.last_mut() {
        *last = private_out.clone();
    }
    let program = words
        .first()
        .ok_or_else(|| Error::internal("empty link command"))?;
    let output = Process::new(program)
        .args(&words[1..])
        .current_dir(build_dir)
        .output()
        .map_err(|e| Error::io(program, e))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let _ = std::fs::remove_dir_all(&scratch);
        use std::os::unix::process::ExitStatusExt;
        return Err(Error::CommandFailed(Arc::new(CommandFailure {
            target,
            command: shown.to_string(),
            exit_code: output.status.code(),
            signal: output.status.signal(),
            output: text,
        })));
    }
    let dest = build_dir.join(out);
    std::fs::rename(build_dir.join(&private_out), &dest).map_err(|e| Error::io(&dest, e))?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_targets_are_recognised_longest_suffix_first() {
        let p = |t| parse(t, "o", "so");
        assert_eq!(p("m.byte.o"), Some(("m", Mode::Byte, OutputKind::Obj)));
        assert_eq!(p("a/m.byte.c"), Some(("a/m", Mode::Byte, OutputKind::C)));
        assert_eq!(
            p("m.native.so"),
            Some(("m", Mode::Native, OutputKind::Shared))
        );
        assert_eq!(
            p("m.native.complete.o"),
            Some(("m", Mode::Native, OutputKind::CompleteObj))
        );
        assert_eq!(
            p("m.byte.exe"),
            Some(("m", Mode::Byte, OutputKind::CompleteExe))
        );
        assert_eq!(p("m.o"), None);
        assert_eq!(p(".byte.o"), None);
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::rules::testing::Fixture;

    fn tree() -> Fixture {
        Fixture::new(&[
            ("a.ml", "let () = print_int B.x\n"),
            ("b.ml", "let x = 1\n"),
        ])
    }

    #[test]
    fn output_kinds_link_with_output_obj() {
        // ocamlbuild 0.14.1 gives `-output-obj` for all three.
        let b = tree().build(&["a.byte.o", "a.byte.c", "a.native.so"]).ok();
        assert_eq!(
            b.action("a.byte.c").line,
            "ocamlc.opt -output-obj b.cmo a.cmo -o a.byte.c"
        );
        // The compilers write temporary files named after the output, so
        // caravan runs these two in a private folder (the module doc).
        for (target, argv) in [
            ("a.byte.o", "ocamlc.opt -output-obj b.cmo a.cmo -o a.byte.o"),
            (
                "a.native.so",
                "ocamlopt.opt -output-obj b.cmx a.cmx -o a.native.so",
            ),
        ] {
            assert_eq!(b.action(target).argv.join(" "), argv);
        }
    }
}
