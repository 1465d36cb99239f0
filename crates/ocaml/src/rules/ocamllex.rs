//! `x.mll` → `x.ml` through ocamllex (ocamlbuild's rule "ocamllex").
//!
//! The command is `ocamllex <flags> x.mll`, its flags from the tags of the
//! `.mll` plus `ocaml`, `lexer` and `ocamllex`: `-q` from the default
//! `quiet` tag, `-ml` from `generate_ml`, then `-lexflag(s)`. The log names
//! the `.mll` as the target, as ocamlbuild's does.

use std::sync::Arc;

use engine::{Action, Error, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use crate::rule_error::{Category, RuleError};
use crate::toolchain::Tool;

/// Runs ocamllex on a `.mll`; the task's key is the `.ml` it writes.
pub struct Ocamllex {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.mll` file.
    pub mll: Target,
}

impl Task for Ocamllex {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            tcx.need_one(&self.mll).await?;
            let ml = tcx.key().clone();
            let mll = self.mll.as_str();
            let tool = self.cx.tool(Tool::Ocamllex, ml.as_str())?;
            let tags = self
                .cx
                .command_tags(&[mll], &["ocaml", "lexer", "ocamllex"]);
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let mut argv = tool.argv;
            argv.extend(self.cx.flags_of(&tags));
            argv.push(mll.to_string());
            let mut action = Action::process(argv);
            action.salt.push(tool.identity);
            action.inputs.push(Input::File(self.mll.clone()));
            action.inputs.extend(tag_inputs);
            action.outputs.push(ml);
            action.log.target = mll.to_string();
            action.log.tags = log_tags(tags);
            let outputs = tcx.run(action).await.map_err(|e| generator_hint(e, mll))?;
            Ok(TaskValue::files(outputs))
        })
    }
}

/// Adds a hint to a generator's missing output (a `-ocamllex`/`-menhir`
/// command that writes elsewhere, or flags that change the output name).
pub(crate) fn generator_hint(e: Error, source: &str) -> Error {
    match e {
        Error::MissingOutput { missing, .. } => RuleError::new(
            Category::MissingOutput,
            format!(
                "the generator run on {source} did not write {missing}.\nHint: check the \
                 flags given to it (-lexflags, -yaccflags, tags) and the command given with \
                 -ocamllex, -ocamlyacc or -menhir: the output must go next to the source, \
                 under the source's name."
            ),
        )
        .into(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn ocamllex_is_quiet_by_default_and_writes_the_ml() {
        // ocamlbuild 0.14.1: `ocamllex.opt -q lexer.mll` (the default
        // `quiet` tag).
        let b = Fixture::new(&[("lexer.mll", "rule token = parse eof { () }\n")])
            .build(&["lexer.ml"])
            .ok();
        let a = b.action("lexer.ml");
        assert_eq!(a.line, "ocamllex.opt -q lexer.mll");
        assert_eq!(a.inputs, ["lexer.mll"]);
        assert_eq!(a.log_target, "lexer.mll");
    }

    #[test]
    fn without_quiet_and_with_lexflags() {
        let b = Fixture::new(&[("lexer.mll", "rule token = parse eof { () }\n")])
            .tags("<lexer.mll>: -quiet\n")
            .with(|f| f.flag_options.lexflags = vec!["-ml".into()])
            .build(&["lexer.ml"])
            .ok();
        assert_eq!(b.line("lexer.ml"), "ocamllex.opt -ml lexer.mll");
    }
}
