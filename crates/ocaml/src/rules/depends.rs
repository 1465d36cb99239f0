//! `x.ml.depends` / `x.mli.depends`: the modules a source mentions, and
//! where the scan the build needs leaves them.
//!
//! The scan runs in process ([`depscan`]), which gives the module set of
//! `ocamldep -modules` without starting a process per file. When the scanner
//! rejects a file (a syntax error), the real `ocamldep` runs so that the user
//! sees its exact message; should `ocamldep` accept the file after all, its
//! answer is used.
//!
//! The compilers list every entry of their `-I` folders at start, so the
//! scans the build needs ([`scan_target`]) write under [`SCAN_DIR`], a
//! folder no compiler is given: `.caravan/scan/lib/x.ml.depends` for
//! `lib/x.ml`. `x.ml.depends` itself, ocamlbuild's target, is made only
//! when asked for (on the command line, by a plugin's rule), by the same
//! task writing there. Two kinds of scan stay in place, where ocamlbuild
//! writes them: those of a source `ocamldep` must read through a
//! preprocessor (the real command `ocamldep ... > x.ml.depends`, and its
//! file, are ocamlbuild's), and every scan of a project whose plugin
//! declares rules (one may make or replace `%.ml.depends`, and the
//! compilations must read what it makes). Either way the log shows the
//! scan as ocamlbuild does, `ocamldep.opt -modules x.ml > x.ml.depends`.

use std::path::Path;
use std::process::Command as Process;
use std::sync::Arc;

use engine::{
    Action, Command, CommandFailure, Error, Input, Result, Target, Task, TaskCx, TaskValue,
    shell_quote,
};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use super::ppx;
use super::scan_command::scan_command;
use crate::depends_file::{parse, render};
use crate::ocamlfind::{FrontEnd, PpxPlan};
use crate::rule_error::{Category, RuleError};

/// Bump when the scanner's answers change, so `.depends` files are redone.
const SCANNER_VERSION: &str = "depscan-2";

pub use crate::module_refs::ModuleRefs;

/// The folder, in the build directory, of the scans the build needs: the
/// compilers are never given it with `-I`.
pub const SCAN_DIR: &str = ".caravan/scan";

/// The target whose task scans `source` for the build's own use (its
/// value carries the modules): under [`SCAN_DIR`] for an `.ml` or `.mli`,
/// or `<source>.depends` where the scan stays in place (see the module's
/// documentation; a grammar's is menhir's `x.mly.depends`).
pub fn scan_target(cx: &RuleContext, source: &str) -> Target {
    let ocaml = source.ends_with(".ml") || source.ends_with(".mli");
    if !ocaml || cx.declared_rules || scanned_by_ocamldep(cx, source) {
        Target::new(&format!("{source}.depends"))
    } else {
        Target::new(&format!("{SCAN_DIR}/{source}.depends"))
    }
}

/// The source a target under [`SCAN_DIR`] is the scan of.
pub fn scanned_source(target: &str) -> Option<&str> {
    target
        .strip_prefix(SCAN_DIR)?
        .strip_prefix('/')?
        .strip_suffix(".depends")
        .filter(|s| s.ends_with(".ml") || s.ends_with(".mli"))
}

/// Whether the scan of `source` runs the real `ocamldep` through a
/// preprocessor (a ppx driver's AST, `-pp`, `-ppx`, an ocamlfind package's
/// options), the condition [`Depends`] decides by: then its file stays in
/// place. A command that cannot be written (an unknown package) counts as
/// one, so that the scan's task reports the error as before.
fn scanned_by_ocamldep(cx: &RuleContext, source: &str) -> bool {
    let (_, parts) = scan_command(cx, source);
    match ppx::plan(cx, FrontEnd::Ocamldep, &parts) {
        Ok(PpxPlan::None) => {}
        Ok(_) | Err(_) => return true,
    }
    let ocamldep = &cx.toolchain.ocamldep;
    match cx.command(FrontEnd::Ocamldep, ocamldep, parts) {
        Ok((argv, _)) => argv.len() > ocamldep.len() + 2,
        Err(_) => true,
    }
}

/// The task scanning a source into its target, `<source>.depends` or the
/// scan of [`scan_target`] under [`SCAN_DIR`].
pub struct Depends {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.ml` or `.mli` file.
    pub source: Target,
}

impl Task for Depends {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            tcx.need_one(&self.source).await?;
            let out = tcx.key().clone();
            let source = self.source.to_string();
            let (tags, parts) = scan_command(&self.cx, &source);
            // What `dep` attaches to the scan's tags (a preprocessor the
            // project builds, a syntax extension's archive) exists before
            // the scan runs, as in ocamlbuild.
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let ocamldep = self.cx.toolchain.ocamldep.clone();
            let ast = ppx::rewritten(&self.cx, &tcx, FrontEnd::Ocamldep, &parts, &source).await?;
            let (argv, packages) = match &ast {
                Some(ast) => self.cx.command_with(
                    FrontEnd::Ocamldep,
                    &ocamldep,
                    ppx::reading_ast(parts, ast),
                    false,
                )?,
                None => self.cx.command(FrontEnd::Ocamldep, &ocamldep, parts)?,
            };
            // A preprocessor (or an -open) changes what the file refers to:
            // only the real ocamldep, given the same options, can tell.
            let preprocessed = ast.is_some() || argv.len() > ocamldep.len() + 2;
            let mut action = if preprocessed {
                let mut a = Action::process(argv);
                if let Command::Process { stdout, .. } = &mut a.command {
                    *stdout = Some(out.clone());
                }
                a.salt.push(self.cx.toolchain.identity.clone());
                a.salt.push(packages);
                a
            } else {
                self.in_process(&source, &out)
            };
            if let Some(ast) = ast {
                // The scan reads the rewritten AST only.
                action.inputs.push(Input::File(ast));
            } else {
                action.inputs.push(Input::File(self.source.clone()));
            }
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = self.shown_name();
            action.log.tags = log_tags(tags);
            let (outputs, value) = tcx.run_for_value(action).await?;
            let mut refs = if preprocessed {
                let text = String::from_utf8_lossy(&tcx.read(&out)?).into_owned();
                ModuleRefs::names(
                    parse(&source, &text).map_err(|m| RuleError::new(Category::Ocamldep, m))?,
                )
            } else {
                ModuleRefs::decode(&value)
            };
            refs.modules.retain(|m| !self.cx.options.ignore.contains(m));
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(refs)),
            })
        })
    }
}

impl Depends {
    /// The file the scan is shown to write, in the log and the display:
    /// ocamlbuild's `<source>.depends`, wherever the result goes (a scan
    /// under [`SCAN_DIR`] is the same scan, and tests compare these lines
    /// with ocamlbuild's).
    fn shown_name(&self) -> String {
        format!("{}.depends", self.source)
    }

    /// The scan as an internal step, shown in the log as the `ocamldep`
    /// command it replaces.
    fn in_process(&self, source: &str, out: &Target) -> Action {
        let ocamldep = self.cx.toolchain.ocamldep.clone();
        let display = format!(
            "{} -modules {} > {} # in-process",
            ocamldep
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
            shell_quote(source),
            shell_quote(&self.shown_name())
        );
        let kind = if source.ends_with(".mli") {
            depscan::SourceKind::Interface
        } else {
            depscan::SourceKind::Implementation
        };
        let (src, dst, shown) = (source.to_string(), out.to_string(), self.shown_name());
        Action::internal(
            SCANNER_VERSION,
            vec![source.to_string()],
            display,
            move |build_dir| scan_into(build_dir, &src, (&dst, &shown), kind, &ocamldep),
        )
    }
}

/// Scans `source`, writes `out` in `ocamldep -modules` format, and returns
/// the module names and qualified paths for the trace (the format of
/// `ModuleRefs::decode`); `out` is the file written and the name shown.
fn scan_into(
    build_dir: &Path,
    source: &str,
    (out, shown): (&str, &str),
    kind: depscan::SourceKind,
    ocamldep: &[String],
) -> Result<Vec<u8>> {
    let path = build_dir.join(source);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let options = depscan::ScanOptions { qualified: true };
    let (text, words) = match depscan::scan_with(&bytes, kind, options) {
        Ok(found) => {
            let text = render(source, &found.modules);
            let mut words: Vec<String> = found.modules.into_iter().collect();
            words.extend(found.paths.into_iter().map(|(a, b)| format!("{a}.{b}")));
            words.extend(found.whole.into_iter().map(|a| format!("{a}.")));
            (text, words)
        }
        Err(_) => {
            let text = run_ocamldep(build_dir, source, shown, ocamldep)?;
            let mut words = vec!["!".to_string()];
            words.extend(parse(source, &text).map_err(|m| RuleError::new(Category::Ocamldep, m))?);
            (text, words)
        }
    };
    engine::write_atomic(&build_dir.join(out), text.as_bytes(), 0)?;
    Ok(words.join(" ").into_bytes())
}

/// Runs the real `ocamldep -modules` (the scanner rejected the file);
/// `shown` is the file its failure names, as `ocamldep ... > shown`.
fn run_ocamldep(
    build_dir: &Path,
    source: &str,
    shown: &str,
    ocamldep: &[String],
) -> Result<String> {
    let mut argv: Vec<String> = ocamldep.to_vec();
    argv.push("-modules".into());
    argv.push(source.into());
    let output = Process::new(&argv[0])
        .args(&argv[1..])
        .current_dir(build_dir)
        .output()
        .map_err(|e| Error::io(&argv[0], e))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    // As with `ocamldep ... > out`: what it printed on stdout went to the
    // file, the user sees its errors.
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut command = argv
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ");
    command.push_str(&format!(" > {}", shell_quote(shown)));
    Err(Error::CommandFailed(Arc::new(CommandFailure {
        target: Target::new(source),
        command,
        exit_code: output.status.code(),
        signal: None,
        output: text,
    })))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::scanned_source;
    use crate::rules::testing::{Fixture, SilentPlugin};

    #[test]
    fn the_build_scans_into_a_folder_no_compiler_is_given() {
        let b = Fixture::new(&[("a.ml", "let () = B.f ()\n"), ("b.ml", "let f () = ()\n")])
            .build(&["a.cmo"])
            .ok();
        let a = b.action(".caravan/scan/a.ml.depends");
        assert!(a.internal);
        assert_eq!(a.outputs, [".caravan/scan/a.ml.depends"]);
        // Shown as ocamlbuild shows the scan.
        assert_eq!(a.log_target, "a.ml.depends");
        assert_eq!(
            a.line,
            "ocamldep.opt -modules a.ml > a.ml.depends # in-process"
        );
        assert!(
            b.actions.iter().all(|a| !a
                .outputs
                .iter()
                .any(|o| o.ends_with("ml.depends") && !o.starts_with(".caravan/scan/"))),
            "{:#?}",
            b.actions
        );
        // The scan's modules reached the compilation: b before a.
        assert_eq!(
            b.commands(),
            ["ocamlc.opt -c -o b.cmo b.ml", "ocamlc.opt -c -o a.cmo a.ml"]
        );
    }

    #[test]
    fn a_scan_target_names_its_source() {
        assert_eq!(scanned_source(".caravan/scan/a.ml.depends"), Some("a.ml"));
        assert_eq!(
            scanned_source(".caravan/scan/lib/x.mli.depends"),
            Some("lib/x.mli")
        );
        assert_eq!(scanned_source("a.ml.depends"), None);
        assert_eq!(scanned_source(".caravan/scan/p.mly.depends"), None);
        assert_eq!(scanned_source(".caravan/scanx/a.ml.depends"), None);
    }

    #[test]
    fn a_preprocessed_source_keeps_its_scan_in_place() {
        let b = Fixture::new(&[("a.ml", "let x = 1\n")])
            .tags("<a.ml>: pp(cat)\n")
            .build(&["a.cmo"])
            .ok();
        assert_eq!(
            b.line("a.ml.depends"),
            "ocamldep.opt -pp cat -modules a.ml > a.ml.depends"
        );
    }

    #[test]
    fn a_project_whose_plugin_declares_rules_keeps_its_scans_in_place() {
        let b = Fixture::new(&[("a.ml", "let x = 1\n")])
            .with(|f| f.plugin = Some(Arc::new(SilentPlugin)))
            .build(&["a.cmo"])
            .ok();
        assert_eq!(
            b.line("a.ml.depends"),
            "ocamldep.opt -modules a.ml > a.ml.depends # in-process"
        );
    }

    #[test]
    fn a_plain_source_is_scanned_in_process_as_ocamldep_modules() {
        let b = Fixture::new(&[("a.ml", "let () = B.f ()\n"), ("b.ml", "let f () = ()\n")])
            .build(&["a.ml.depends"])
            .ok();
        let a = b.action("a.ml.depends");
        assert!(a.internal);
        assert_eq!(a.inputs, ["a.ml"]);
        assert_eq!(
            a.line,
            "ocamldep.opt -modules a.ml > a.ml.depends # in-process"
        );
        assert_eq!(
            a.tags,
            "{ extension:ml, file:a.ml, ocaml, ocamldep, quiet }"
        );
    }

    #[test]
    fn a_preprocessed_source_is_scanned_by_ocamldep_with_the_preprocessor() {
        // ocamlbuild 0.14.1: `<a.ml>: pp(cat)`, `<b.ml>: ppx(cp)`.
        let b = Fixture::new(&[("a.ml", "let x = 1\n"), ("b.ml", "let y = 1\n")])
            .tags("<a.ml>: pp(cat)\n<b.ml>: ppx(cp)\n")
            .build(&["a.ml.depends", "b.ml.depends"])
            .ok();
        assert_eq!(
            b.line("a.ml.depends"),
            "ocamldep.opt -pp cat -modules a.ml > a.ml.depends"
        );
        assert_eq!(
            b.line("b.ml.depends"),
            "ocamldep.opt -ppx cp -modules b.ml > b.ml.depends"
        );
        assert!(!b.action("a.ml.depends").internal);
    }

    #[test]
    fn the_depends_of_a_missing_source_is_an_error() {
        let b = Fixture::new(&[("a.ml", "")]).build(&["z.ml.depends"]);
        assert!(b.error().contains("z.ml"), "{b:#?}");
    }
}
