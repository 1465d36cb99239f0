//! Target groups: `x.otarget` builds every target listed in `x.itarget`
//! (paths relative to the `.itarget`'s folder), all at once and in
//! parallel, and records them in the stamp `x.otarget` (the hex digest of
//! their digests, as ocamlbuild writes it).
//!
//! After a successful build, each listed target gets a link at the project
//! root, as ocamlbuild makes one with `ln -sf` for each (see the binary's
//! `links`); [`targets_of`] gives the list.

use std::sync::Arc;

use engine::{Action, DigestBuilder, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use super::list_file;

/// The targets an `.itarget` file lists, given its path and its text.
pub fn targets_of(itarget: &str, text: &str) -> Vec<Target> {
    let dir = Target::new(itarget).dir().to_string();
    list_file::words(text)
        .into_iter()
        .map(|w| {
            if dir.is_empty() {
                Target::new(&w)
            } else {
                Target::new(&format!("{dir}/{w}"))
            }
        })
        .collect()
}

/// `x.itarget` → `x.otarget`.
pub struct TargetGroup {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The list.
    pub itarget: Target,
}

impl Task for TargetGroup {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let out = tcx.key().clone();
            tcx.need_one(&self.itarget).await?;
            let text = String::from_utf8_lossy(&tcx.read(&self.itarget)?).into_owned();
            let targets = targets_of(self.itarget.as_str(), &text);
            let built = tcx.need(&targets).await?;
            let mut digest = DigestBuilder::new("otarget");
            for b in &built {
                digest.str(b.target.as_str()).digest(&b.digest);
            }
            let stamp = digest.finish().to_hex();
            let (file, text) = (out.to_string(), format!("{stamp}\n"));
            let mut action = Action::internal(
                "otarget-1",
                targets.iter().map(|t| t.to_string()).collect(),
                format!(
                    "# {} targets of {} are up to date",
                    targets.len(),
                    self.itarget
                ),
                move |build_dir| {
                    engine::write_atomic(&build_dir.join(&file), text.as_bytes(), 0)?;
                    Ok(Vec::new())
                },
            );
            action.inputs = targets.iter().cloned().map(Input::File).collect();
            action.inputs.push(Input::File(self.itarget.clone()));
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(self.cx.command_tags(&[out.as_str()], &[]));
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_relative_to_the_itarget_folder() {
        let t = targets_of("sub/all.itarget", "main.native # the program\nlib/x.cmo\n");
        let names: Vec<&str> = t.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, ["sub/main.native", "sub/lib/x.cmo"]);
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn a_target_group_builds_every_listed_target() {
        // ocamlbuild 0.14.1 builds sub/c.cmo with `ocamlc.opt -c -principal
        // -I sub -o sub/c.cmo sub/c.ml`.
        let b = Fixture::new(&[
            ("a.ml", "let () = print_int B.x\n"),
            ("b.ml", "let x = 1\n"),
            ("sub/c.ml", "let c = 1\n"),
            ("all.itarget", "a.byte\nsub/c.cmo\n"),
        ])
        .tags("true: principal\n")
        .build(&["all.otarget"])
        .ok();
        assert_eq!(b.line("a.byte"), "ocamlc.opt b.cmo a.cmo -o a.byte");
        assert_eq!(
            b.line("sub/c.cmo"),
            "ocamlc.opt -c -principal -I sub -o sub/c.cmo sub/c.ml"
        );
        let stamp = b.action("all.otarget");
        for t in ["a.byte", "sub/c.cmo"] {
            assert!(stamp.inputs.iter().any(|i| i == t), "{stamp:#?}");
        }
    }
}
