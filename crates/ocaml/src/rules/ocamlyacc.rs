//! `x.mly` → `x.ml` and `x.mli` through ocamlyacc (ocamlbuild's rule
//! "ocamlyacc", used unless menhir is chosen).
//!
//! The command is `ocamlyacc <flags> x.mly`, its flags from the tags of the
//! `.mly` plus `ocaml`, `parser` and `ocamlyacc` (`-yaccflag(s)`). One
//! action writes both files; the task's key is the `.ml`.

use std::sync::Arc;

use engine::{Action, Input, Result, Target, Task, TaskCx, TaskValue};
use futures::future::BoxFuture;

use super::context::{RuleContext, log_tags};
use super::ocamllex::generator_hint;
use crate::toolchain::Tool;

/// Runs ocamlyacc on a `.mly`.
pub struct Ocamlyacc {
    /// The rules' context.
    pub cx: Arc<RuleContext>,
    /// The `.mly` file.
    pub mly: Target,
}

impl Task for Ocamlyacc {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            tcx.need_one(&self.mly).await?;
            let ml = tcx.key().clone();
            let mli = Target::new(&format!("{}i", ml.as_str()));
            let mly = self.mly.as_str();
            let tool = self.cx.tool(Tool::Ocamlyacc, ml.as_str())?;
            let tags = self
                .cx
                .command_tags(&[mly], &["ocaml", "parser", "ocamlyacc"]);
            let tag_inputs = self.cx.tag_deps(&tcx, &tags).await?;
            let mut argv = tool.argv;
            argv.extend(self.cx.flags_of(&tags));
            argv.push(mly.to_string());
            let mut action = Action::process(argv);
            action.salt.push(tool.identity);
            action.inputs.push(Input::File(self.mly.clone()));
            action.inputs.extend(tag_inputs);
            action.outputs.extend([ml, mli]);
            action.log.target = mly.to_string();
            action.log.tags = log_tags(tags);
            let outputs = tcx.run(action).await.map_err(|e| generator_hint(e, mly))?;
            Ok(TaskValue::files(outputs))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::Fixture;

    const GRAMMAR: &str = "%token EOF\n%start main\n%type <unit> main\n%%\nmain: EOF { () }\n";

    #[test]
    fn ocamlyacc_gets_the_yacc_flags_and_writes_ml_and_mli() {
        // ocamlbuild 0.14.1 with `-yaccflag -v`: `ocamlyacc -v parser.mly`
        // (the compile flag `principal` of the .mly is not its).
        let b = Fixture::new(&[("parser.mly", GRAMMAR)])
            .tags("<parser.mly>: principal\n")
            .with(|f| f.flag_options.yaccflags = vec!["-v".into()])
            .build(&["parser.ml", "parser.cmi"])
            .ok();
        let a = b.action("parser.ml");
        assert_eq!(a.line, "ocamlyacc -v parser.mly");
        assert_eq!(a.outputs, ["parser.ml", "parser.mli"]);
        assert_eq!(
            b.line("parser.cmi"),
            "ocamlc.opt -c -o parser.cmi parser.mli"
        );
    }
}
