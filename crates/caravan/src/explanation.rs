//! `-explain TARGET`: why each action of the last build that leads to
//! TARGET ran. The actions and their reasons come from
//! `_build/.caravan/last-build` ([`LastBuild`]), what leads to TARGET from
//! the recorded build graph ([`Recorded`]).
//!
//! ```text
//! a.cmx: a.ml changed
//!   /usr/bin/ocamlopt.opt -c -intf-suffix .ml -o a.cmx a.ml
//! main.native: a transitive input or the toolchain changed
//!   /usr/bin/ocamlopt.opt a.cmx main.cmx -o main.native
//! ```
//!
//! One entry per action, in the order the actions started, named by its
//! first output.

use std::collections::HashSet;
use std::path::Path;

use crate::build_graph::Recorded;
use crate::last_build::LastBuild;

/// The explanation of `target` for the last build of `build_dir`, or why
/// there is none.
pub fn explain(build_dir: &Path, target: &str) -> Result<String, String> {
    let Some(last) = LastBuild::read(build_dir) else {
        return Err(format!(
            "Error: -explain {target}: no build is recorded in {}.",
            build_dir.display()
        ));
    };
    let recorded = Recorded::load(build_dir).map_err(|e| {
        format!(
            "Error: -explain {target}: cannot read the traces of {}: {e}",
            build_dir.display()
        )
    })?;
    let mut outputs: HashSet<String> = HashSet::from([target.to_string()]);
    for task in recorded.leading_to(target) {
        outputs.extend(recorded.outputs(&task).iter().cloned());
        outputs.insert(task);
    }
    let mut text = String::new();
    for a in &last.actions {
        if a.outputs.iter().any(|o| outputs.contains(o)) {
            let name = a.outputs.first().map_or("?", String::as_str);
            text.push_str(&format!("{name}: {}\n  {}\n", a.reason, a.command));
        }
    }
    if text.is_empty() {
        text = if recorded.producer(target).is_some() || last.actions.is_empty() {
            format!("{target}: nothing that leads to it ran in the last build.\n")
        } else {
            format!("{target}: no recorded action leads to it.\n")
        };
    }
    Ok(text)
}
