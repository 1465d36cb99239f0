//! The sources a namespaced library adds to `_build`
//! ([`NamespaceSource`]): a member's prefixed copy (`d/foo__Bar.ml` from
//! `d/bar.ml`, opening with a line directive so that messages name
//! `d/bar.ml`) and the alias modules (`d/foo.ml`, `d/foo__.ml`). What they
//! are is `crate::namespace`'s decision; this task writes them, as internal
//! steps (no process).

use std::sync::Arc;

use engine::{Action, Error, Input, Result, Target, Task, TaskCx, TaskValue, shell_quote};
use futures::future::BoxFuture;

use crate::namespace::Generated;

/// Bump when what these steps write changes.
const VERSION: &str = "namespace-source-1";

/// The task writing one generated source of a namespaced library.
pub struct NamespaceSource {
    /// What to write.
    pub generated: Generated,
}

impl Task for NamespaceSource {
    fn run(self: Arc<Self>, tcx: Arc<TaskCx>) -> BoxFuture<'static, Result<TaskValue>> {
        Box::pin(async move {
            let out = tcx.key().clone();
            let dst = out.to_string();
            let mut action = match &self.generated {
                Generated::Copy(source) => {
                    let source_target = Target::new(source);
                    tcx.need_one(&source_target).await?;
                    let display = format!(
                        "cp {} {} # with a line directive, in-process",
                        shell_quote(source),
                        shell_quote(&dst)
                    );
                    let (src, to) = (source.clone(), dst.clone());
                    let mut a = Action::internal(
                        VERSION,
                        vec!["copy".to_string(), source.clone(), dst.clone()],
                        display,
                        move |build_dir| {
                            let from = build_dir.join(&src);
                            let bytes = std::fs::read(&from).map_err(|e| Error::io(&from, e))?;
                            let mut text = line_directive(&src).into_bytes();
                            text.extend_from_slice(&bytes);
                            engine::write_atomic(&build_dir.join(&to), &text, 0)?;
                            Ok(Vec::new())
                        },
                    );
                    a.inputs.push(Input::File(source_target));
                    a.log.target = source.clone();
                    a
                }
                Generated::Alias(text) => {
                    let display =
                        format!("echo <alias module> > {} # in-process", shell_quote(&dst));
                    let (body, to) = (text.clone(), dst.clone());
                    let mut a = Action::internal(
                        VERSION,
                        vec!["alias".to_string(), dst.clone(), text.clone()],
                        display,
                        move |build_dir| {
                            engine::write_atomic(&build_dir.join(&to), body.as_bytes(), 0)?;
                            Ok(Vec::new())
                        },
                    );
                    a.log.target = dst.clone();
                    a
                }
            };
            action.outputs.push(out);
            let outputs = tcx.run(action).await?;
            Ok(TaskValue::files(outputs))
        })
    }
}

/// The line directive that makes the compiler name `source` (a path
/// relative to the build folder, as every command's) in its messages.
pub fn line_directive(source: &str) -> String {
    let escaped = source.replace('\\', "\\\\").replace('"', "\\\"");
    format!("# 1 \"{escaped}\"\n")
}

#[cfg(test)]
mod tests {
    use super::line_directive;

    #[test]
    fn the_directive_names_the_users_file() {
        assert_eq!(line_directive("lib/bar.ml"), "# 1 \"lib/bar.ml\"\n");
        assert_eq!(line_directive("a\"b.ml"), "# 1 \"a\\\"b.ml\"\n");
    }
}
