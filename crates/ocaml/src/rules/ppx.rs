//! The ppx driver pipeline: rewriters linked once, run once per source.
//!
//! A command given `-ppx` by its packages makes the compiler start the
//! rewriters for each compilation, and `ocamldep` once more for the
//! dependency scan; each time the process (ppx_deriving's host, say) loads
//! its plugins anew. When every rewriter of a command can be linked into a
//! ppxlib driver ([`PpxPlan::Driver`]), caravan instead
//!
//! 1. links the driver once per set of rewriter packages
//!    ([`Driver`], `.caravan/ppx/<hash>/ppx.exe`, `ocamlopt -linkall` with
//!    the packages' `ppx_driver` archives and `ppxlib.runner`; the
//!    packages' identity is in its key, so an upgrade relinks it);
//! 2. runs it once per source ([`Rewrite`]): `ppx.exe --dump-ast -o
//!    x.ml.ast --impl x.ml` writes the rewritten AST, whose locations are
//!    those of `x.ml`;
//! 3. scans the AST with `ocamldep -modules -impl x.ml.ast` (the `.depends`
//!    task), so the modules the rewriters mention are seen;
//! 4. compiles the AST, `ocamlc`/`ocamlopt -c -impl x.ml.ast -o x.cmx`,
//!    without `-ppx`; `-intf-suffix .ast` makes the compiler read the
//!    `.cmi` when the module has an `.mli` or the other compiler writes it.
//!
//! The scan's command decides the plan and the AST; a compilation whose
//! own command would get other rewriters (tags that differ between
//! `ocamldep` and the compiler) keeps the `-ppx` path. `CARAVAN_PPX_DRIVER=0`
//! turns the pipeline off.

use std::sync::Arc;

use engine::{Action, Error, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;
use tags::TagSet;

use super::context::{RuleContext, log_tags};
use super::scan_command::scan_command;
use crate::ocamlfind::{CommandParts, FrontEnd, PpxPlan};
use crate::rule_error::{Category, RuleError};

/// The AST file of a source: `x.ml.ast` beside `x.ml`.
pub fn ast_of(source: &str) -> Target {
    Target::new(&format!("{source}.ast"))
}

/// What a [`Rewrite`] hands to the commands reading its AST.
#[derive(Debug)]
pub struct Rewritten {
    /// The driver's rewriters.
    pub rewriters: Vec<String>,
}

/// The plan of a command: [`PpxPlan::None`] when the pipeline is off,
/// ocamlfind mode is off, or there is no `ocamlopt` to link a driver.
pub fn plan(cx: &RuleContext, tool: FrontEnd, parts: &CommandParts) -> Result<PpxPlan> {
    // The driver is linked with ocamlopt.
    if !cx.options.ppx_driver || cx.toolchain.ocamlopt().is_err() {
        return Ok(PpxPlan::None);
    }
    let Some(of) = &cx.ocamlfind else {
        return Ok(PpxPlan::None);
    };
    of.ppx_plan(tool, parts)
        .map_err(|e| super::findlib_error::command_error(&cx.tagger, e))
}

/// The AST a command on `source` reads instead of `source`, when its
/// rewriters go through a driver and they are the ones the AST was made
/// with: built here (the task asked for it, so the action may declare it).
pub async fn rewritten(
    cx: &RuleContext,
    tcx: &TaskCx,
    tool: FrontEnd,
    parts: &CommandParts,
    source: &str,
) -> Result<Option<Target>> {
    let PpxPlan::Driver(rewriters) = plan(cx, tool, parts)? else {
        return Ok(None);
    };
    let ast = ast_of(source);
    let built = tcx.need_one(&ast).await?;
    let same = built
        .value
        .data::<Rewritten>()
        .is_some_and(|r| r.rewriters == rewriters);
    Ok(same.then_some(ast))
}

/// `parts` reading `ast` (`-impl`/`-intf`) instead of their source.
pub fn reading_ast(mut parts: CommandParts, ast: &Target) -> CommandParts {
    let kind = if ast.as_str().ends_with(".mli.ast") {
        "-intf"
    } else {
        "-impl"
    };
    parts.files = vec![kind.to_string(), ast.to_string()];
    parts
}

/// Links a driver: the task of `.caravan/ppx/<hash>/ppx.exe`.
pub struct Driver {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The rewriter packages, in order.
    pub rewriters: Vec<String>,
}

impl Task for Driver {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let out = tcx.key().clone();
            let of = self
                .cx
                .ocamlfind
                .as_ref()
                .ok_or_else(|| Error::internal("a ppx driver outside ocamlfind mode"))?;
            let ocamlopt = self.cx.compiler(crate::mode::Mode::Native)?;
            let (argv, identity) = of
                .driver_link(&ocamlopt, &self.rewriters, out.as_str())
                .map_err(|e| RuleError::from_source(Category::Findlib, e))?;
            let mut action = Action::process(argv);
            action.salt.push(identity);
            action.salt.push(self.cx.toolchain.identity.clone());
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            let mut tags = TagSet::new();
            for t in ["ocaml", "native", "link", "program", "ppx_driver"] {
                tags.insert(t);
            }
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

/// Runs a source's driver: the task of `x.ml.ast` / `x.mli.ast`.
pub struct Rewrite {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.ml` or `.mli` file.
    pub source: Target,
}

impl Task for Rewrite {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let out = tcx.key().clone();
            let source = self.source.as_str();
            let (_, parts) = scan_command(&self.cx, source);
            let PpxPlan::Driver(rewriters) = plan(&self.cx, FrontEnd::Ocamldep, &parts)? else {
                return Err(RuleError::new(
                    Category::MissingSource,
                    format!("cannot build {out}: no ppx driver applies to {source}"),
                )
                .into());
            };
            let driver = self.cx.ppx_drivers.target(&rewriters);
            tcx.need(&[self.source.clone(), driver.clone()]).await?;
            let kind = if source.ends_with(".mli") {
                "--intf"
            } else {
                "--impl"
            };
            let argv = vec![
                driver.to_string(),
                "--dump-ast".to_string(),
                "-o".to_string(),
                out.to_string(),
                kind.to_string(),
                source.to_string(),
            ];
            let mut action = Action::process(argv);
            action.inputs.push(Input::File(driver));
            action.inputs.push(Input::File(self.source.clone()));
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(self.cx.command_tags(&[source], &["ocaml", "ppx"]));
            let outputs = tcx.run(action).await?;
            Ok(TaskValue {
                outputs,
                data: Some(Arc::new(Rewritten { rewriters })),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::Fixture;

    #[test]
    fn a_command_reading_an_ast_names_it_with_impl_or_intf() {
        let parts = CommandParts {
            before: vec!["-c".into()],
            files: vec!["a.ml".into()],
            after: Vec::new(),
        };
        let read = reading_ast(parts.clone(), &ast_of("a.ml"));
        assert_eq!(read.files, ["-impl", "a.ml.ast"]);
        assert_eq!(read.before, ["-c"]);
        let read = reading_ast(parts, &ast_of("s/a.mli"));
        assert_eq!(read.files, ["-intf", "s/a.mli.ast"]);
    }

    #[test]
    fn without_ocamlfind_there_is_no_driver_and_ppx_tags_reach_the_compiler() {
        let f = Fixture::new(&[("b.ml", "let y = 1\n")])
            .tags("<b.ml>: ppx(cp)\n")
            .with(|f| f.options.ppx_driver = true);
        let setup = f.context();
        let parts = CommandParts {
            before: vec!["-c".into()],
            files: vec!["b.ml".into()],
            after: Vec::new(),
        };
        assert!(matches!(
            plan(setup.cx(), FrontEnd::Ocamlc, &parts).unwrap(),
            PpxPlan::None
        ));
        let b = f.build(&["b.cmo"]).ok();
        assert_eq!(b.line("b.cmo"), "ocamlc.opt -c -ppx cp -o b.cmo b.ml");
        assert!(!b.lines().iter().any(|l| l.contains(".ast")));
    }
}
