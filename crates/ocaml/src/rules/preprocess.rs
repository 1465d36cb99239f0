//! `x.pp.ml`: `x.ml` after its preprocessor (ocamlbuild's rule
//! "preprocess: ml -> pp.ml"), to see what the compiler is given.
//!
//! The command is the preprocessor words that the tags of `x.ml` plus
//! `ocaml`, `pp` and `pp.ml` give (`-pp`/`-ppflag` words, `camlp4o`...),
//! or `camlp4o` when there are none, followed by
//! `x.ml -printer o -o x.pp.ml`: a camlp4-style command line. Words from
//! `-pp` are shell text in ocamlbuild; they are split as a shell would.
//! As in ocamlbuild the command carries no tags in the log.

use std::sync::Arc;

use engine::{Action, Error, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;
use tags::TagSet;

use super::context::{RuleContext, log_tags};
use crate::rule_error::{Category, RuleError};

/// Preprocesses an `.ml` into `x.pp.ml` (the task's key).
pub struct PpMl {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.ml` file.
    pub ml: Target,
}

impl Task for PpMl {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            tcx.need_one(&self.ml).await?;
            let out = tcx.key().clone();
            let ml = self.ml.as_str();
            let tags = self.cx.command_tags(&[ml], &["ocaml", "pp", "pp.ml"]);
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let words = self.cx.flags_of(&tags);
            let mut argv = Vec::new();
            for w in &words {
                argv.extend(shlex::split(w).ok_or_else(|| {
                    RuleError::new(
                        Category::Preprocessor,
                        format!("cannot split the preprocessor command {w:?} into words"),
                    )
                })?);
            }
            if argv.is_empty() {
                argv.push("camlp4o".to_string());
            }
            argv.extend([
                ml.to_string(),
                "-printer".into(),
                "o".into(),
                "-o".into(),
                out.to_string(),
            ]);
            let mut action = Action::process(argv);
            action.inputs.push(Input::File(self.ml.clone()));
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(TagSet::new());
            let outputs = tcx.run(action).await.map_err(|e| match e {
                Error::MissingOutput { missing, .. } => RuleError::new(
                    Category::MissingOutput,
                    format!(
                        "the preprocessor of {ml} did not write {missing}.\nHint: {missing} is \
                         made with a camlp4-style command line (`PP {ml} -printer o -o \
                         {missing}`); a preprocessor that only prints the result (as -pp \
                         commands do) cannot make it, but the compiler still uses it through \
                         -pp."
                    ),
                )
                .into(),
                other => other,
            })?;
            Ok(TaskValue::files(outputs))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn a_pp_ml_is_printed_by_camlp4o() {
        // ocamlbuild 0.14.1, with or without a pp(...) tag on the .ml.
        let b = Fixture::new(&[("a.ml", "let x = 1\n"), ("b.ml", "let y = 1\n")])
            .tags("<a.ml>: pp(cat)\n")
            .build(&["a.pp.ml", "b.pp.ml"])
            .ok();
        assert_eq!(b.line("a.pp.ml"), "camlp4o a.ml -printer o -o a.pp.ml");
        assert_eq!(b.line("b.pp.ml"), "camlp4o b.ml -printer o -o b.pp.ml");
    }
}
