//! `x.inferred.mli`: the interface the compiler infers for `x.ml`
//! (`ocamlc -i`), to start writing an `.mli` from.

use std::sync::Arc;

use engine::{Action, Command, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::compile::{local_deps, need_interfaces};
use super::context::{RuleContext, log_tags};
use crate::mode::Mode;
use crate::ocamlfind::CommandParts;
use crate::resolver::ModuleSource;

/// Infers an interface.
pub struct InferredInterface {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The module.
    pub module: ModuleSource,
}

impl Task for InferredInterface {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let m = &self.module;
            let ml = Target::new(&format!("{}.ml", m.stem));
            let out = tcx.key().clone();
            tcx.need_one(&ml).await?;
            let deps = local_deps(&tcx, &self.cx, ml.as_str(), m).await?;
            let ifaces = need_interfaces(&tcx, &deps).await?;
            let tags = self
                .cx
                .command_tags(&[ml.as_str()], &["ocaml", "infer_interface"]);
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let mut before = self.cx.pp_args(ml.as_str(), &[]);
            before.extend(
                self.cx
                    .include_args(m.dir(), ifaces.dirs.iter().map(String::as_str)),
            );
            before.push("-i".into());
            if tags.contains("thread") {
                before.push("-thread".into());
            }
            before.extend(self.cx.flags_of(&tags));
            before.extend(self.cx.namespaces.compile_flags(&m.stem));
            let parts = CommandParts {
                before,
                files: vec![ml.to_string()],
                after: Vec::new(),
            };
            let (argv, packages) = self.cx.command(
                Mode::Byte.front_end(),
                &self.cx.compiler(Mode::Byte)?,
                parts,
            )?;
            let mut action = Action::process(argv);
            action.salt.push(packages);
            if let Command::Process { stdout, .. } = &mut action.command {
                *stdout = Some(out.clone());
            }
            action.salt.push(self.cx.toolchain.identity.clone());
            action.inputs.push(Input::File(ml.clone()));
            action.inputs.extend(ifaces.inputs);
            action.inputs.extend(tag_inputs);
            action.outputs.push(out.clone());
            action.log.target = out.to_string();
            action.log.tags = log_tags(tags);
            Ok(TaskValue::files(tcx.run(action).await?))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::Fixture;

    #[test]
    fn an_inferred_interface_uses_the_ml_tags_not_its_own() {
        // ocamlbuild 0.14.1: `ocamlc.opt -i -principal a.ml > a.inferred.mli`.
        let b = Fixture::new(&[
            ("a.ml", "let () = print_int B.x\n"),
            ("b.ml", "let x = 1\n"),
        ])
        .tags("true: principal\n<a.inferred.mli>: rectypes\n")
        .build(&["a.inferred.mli"])
        .ok();
        let a = b.action("a.inferred.mli");
        assert_eq!(a.line, "ocamlc.opt -i -principal a.ml > a.inferred.mli");
        assert!(a.inputs.iter().any(|i| i == "b.cmi"), "{a:#?}");
    }
}
