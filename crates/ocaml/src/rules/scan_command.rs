//! The command of a source's dependency scan, `ocamldep <flags> -modules
//! source`, as ocamlbuild writes it: what the `.depends` task runs (or
//! replaces by the in-process scan), and what decides a source's ppx
//! driver (`ppx`).

use super::context::RuleContext;
use crate::ocamlfind::CommandParts;

/// The tags and the command (as ocamlbuild writes it) of the dependency
/// scan of `source`: `ocamldep <flags> -modules source`.
pub fn scan_command(cx: &RuleContext, source: &str) -> (tags::TagSet, CommandParts) {
    let tags = cx.command_tags(&[source], &["ocaml", "ocamldep"]);
    let mut before = cx.flags_of(&tags);
    before.extend(cx.pp_args(source, &["pp:dep"]));
    before.push("-modules".to_string());
    let parts = CommandParts {
        before,
        files: vec![source.to_string()],
        after: Vec::new(),
    };
    (tags, parts)
}
